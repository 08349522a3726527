//! Policy of the device authorization grant (RFC 8628): the device authorization endpoint
//! (§3.1, §3.2), the user verification page (§3.3), the device_code grant (§3.4, §3.5) and
//! the codes themselves (§5.1, §5.2). Each field names the fault that changes it
//! (`client_auth.secret_checked` is off under `device-wrong-secret-accepted`).

use super::{ClientAuthPolicy, Faults};
use crate::errors::ErrorFormat;
use crate::faults::Fault;

/// The device grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePolicy {
    /// Client authentication at the device authorization endpoint (as at the token
    /// endpoint, RFC 8628 §3.1).
    pub client_auth: ClientAuthPolicy,
    /// RFC 8414 §2 / RFC 8628 §4: the grant type is listed in `grant_types_supported`.
    /// Off: `device-grant-not-in-metadata`.
    pub grant_listed: bool,
    /// §3.1: repeated parameters are refused. Off: `device-duplicate-param-accepted`.
    pub repeated_params_refused: bool,
    /// §3.1, RFC 6749 §2.3.1: HTTP Basic alone identifies the client. Off:
    /// `device-basic-needs-client-id`.
    pub basic_alone_accepted: bool,
    /// §3.1: a request that identifies no client is refused. Off:
    /// `device-anonymous-accepted` (codes go to the default device client).
    pub anonymous_refused: bool,
    /// §3.2: `expires_in` is a JSON number. Off: `device-expires-in-string`.
    pub expires_in_numeric: bool,
    /// §3.2: errors are RFC 6749 §5.2 JSON; plain text under `device-error-not-json`.
    pub error_format: ErrorFormat,
    /// RFC 6749 §5.1: the response carries `Cache-Control: no-store`. Off:
    /// `device-response-cacheable`.
    pub no_store: bool,
    /// §3.3: `verification_uri` does not carry the user code. Off:
    /// `device-user-code-in-verification-uri`.
    pub verification_uri_plain: bool,
    /// §3.3: the user code typed at `verification_uri` is accepted. Off:
    /// `device-typed-user-code-refused` (the HTML page refuses every typed code).
    pub typed_code_accepted: bool,
    /// §3.3.1: `verification_uri_complete` still asks the user to confirm. Off:
    /// `device-complete-auto-approves`.
    pub complete_confirmed: bool,
    /// §3.4, RFC 6749 §3.2.1: a confidential client authenticates to poll. Off:
    /// `device-confidential-no-secret`.
    pub confidential_secret_required: bool,
    /// §3.4: a public client names itself with `client_id`. Off:
    /// `device-public-no-client-id`.
    pub public_client_id_required: bool,
    /// Only the client a device code was issued to redeems it. Off:
    /// `device-code-not-client-bound`.
    pub bound_to_client: bool,
    /// §3.5: a pending authorization is `authorization_pending`. Off:
    /// `device-pending-as-invalid-grant`.
    pub pending_reported: bool,
    /// §3.4, RFC 6749 §5.2: a request without `device_code` is `invalid_request`. Off:
    /// `device-missing-code-wrong-error` (`invalid_grant`).
    pub missing_is_invalid_request: bool,
    /// §3.5: polling faster than the interval is `slow_down`, a pending-type error (and the
    /// interval grows by 5 seconds). Off: `device-fast-poll-refused` (`invalid_request`).
    pub slow_down: bool,
    /// §3.5: a denial is final (`access_denied`). Off: `device-denied-still-issues`.
    pub denial_final: bool,
    /// §3.5: an expired device code is `expired_token`. Off: `device-expired-still-issues`.
    pub expiry_enforced: bool,
    /// RFC 6749 §5.2: an unknown device code is `invalid_grant`. Off:
    /// `device-unknown-code-pending`.
    pub unknown_refused: bool,
    /// A device code yields tokens once. Off: `device-code-reusable`.
    pub single_use: bool,
    /// §5.2: device codes are 256 random bits. Off: `device-code-low-entropy`.
    pub random_device_code: bool,
    /// §3.2, §3.3: an expired user code is refused at the verification page. Off:
    /// `device-expired-user-code-accepted`.
    pub user_code_expiry_enforced: bool,
    /// §3.3: a user code is decided once. Off: `device-user-code-reusable`.
    pub user_code_single_use: bool,
}

impl DevicePolicy {
    pub(super) fn new(on: &Faults) -> DevicePolicy {
        DevicePolicy {
            client_auth: ClientAuthPolicy {
                secret_checked: !on(Fault::DeviceWrongSecretAccepted),
                basic_urldecoded: true,
            },
            grant_listed: !on(Fault::DeviceGrantNotInMetadata),
            repeated_params_refused: !on(Fault::DeviceDuplicateParamAccepted),
            basic_alone_accepted: !on(Fault::DeviceBasicNeedsClientId),
            anonymous_refused: !on(Fault::DeviceAnonymousAccepted),
            expires_in_numeric: !on(Fault::DeviceExpiresInString),
            error_format: if on(Fault::DeviceErrorNotJson) {
                ErrorFormat::PlainText
            } else {
                ErrorFormat::Json
            },
            no_store: !on(Fault::DeviceResponseCacheable),
            verification_uri_plain: !on(Fault::DeviceUserCodeInVerificationUri),
            typed_code_accepted: !on(Fault::DeviceTypedUserCodeRefused),
            complete_confirmed: !on(Fault::DeviceCompleteAutoApproves),
            confidential_secret_required: !on(Fault::DeviceConfidentialNoSecret),
            public_client_id_required: !on(Fault::DevicePublicNoClientId),
            bound_to_client: !on(Fault::DeviceCodeNotClientBound),
            pending_reported: !on(Fault::DevicePendingAsInvalidGrant),
            missing_is_invalid_request: !on(Fault::DeviceMissingCodeWrongError),
            slow_down: !on(Fault::DeviceFastPollRefused),
            denial_final: !on(Fault::DeviceDeniedStillIssues),
            expiry_enforced: !on(Fault::DeviceExpiredStillIssues),
            unknown_refused: !on(Fault::DeviceUnknownCodePending),
            single_use: !on(Fault::DeviceCodeReusable),
            random_device_code: !on(Fault::DeviceCodeLowEntropy),
            user_code_expiry_enforced: !on(Fault::DeviceExpiredUserCodeAccepted),
            user_code_single_use: !on(Fault::DeviceUserCodeReusable),
        }
    }
}
