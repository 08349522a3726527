//! Policy of OpenID CIBA Core 1.0: the backchannel authentication endpoint (§7), the CIBA
//! grant at the token endpoint (§10.1, §11), ping and push notifications (§10.2, §10.3,
//! §12) and the metadata (§4). Each field's doc names the fault that changes it.

use axum::http::StatusCode;

use super::{ClientAuthPolicy, Faults};
use crate::faults::Fault;

/// CIBA behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibaPolicy {
    pub client_auth: ClientAuthPolicy,
    /// §13: failed client authentication is 401; 400 under `ciba-invalid-client-400`.
    pub invalid_client_status: StatusCode,
    /// §13 unauthorized_client for clients without the CIBA grant. Off:
    /// `ciba-grant-not-checked`.
    pub grant_checked: bool,
    /// §7.1: exactly one hint. Off: `ciba-accepts-two-hints`.
    pub one_hint_enforced: bool,
    /// §7.1: ping and push requests carry `client_notification_token`. Off:
    /// `ciba-notification-token-optional`.
    pub notification_token_required: bool,
    /// §7.2 step 5, §13 unknown_user_id. Off: `ciba-unknown-user-accepted`.
    pub unknown_user_refused: bool,
    /// §7.2 step 4: a valid `id_token_hint` names its user. Off: `ciba-id-token-hint-refused`.
    pub id_token_hint_accepted: bool,
    /// §13 invalid_user_code. Off: `ciba-user-code-not-checked`.
    pub user_code_checked: bool,
    /// §7.1: the authentication device shows `binding_message`. Off:
    /// `ciba-binding-message-ignored`.
    pub binding_message_shown: bool,
    /// §7.2: "OpenID Providers MUST ignore unrecognized request parameters." Off:
    /// `ciba-unknown-params-rejected`.
    pub unknown_params_ignored: bool,
    /// §13: errors use only the listed codes. Off: `ciba-request-object-error-code`.
    pub error_codes_listed: bool,
    /// §7.3 `expires_in` REQUIRED. Off: `ciba-ack-no-expires-in`.
    pub ack_expires_in_sent: bool,
    /// §7.3: at least 128 bits of entropy. Off: `ciba-auth-req-id-low-entropy`.
    pub auth_req_id_strong: bool,
    /// RFC 6749 §5.1 `Cache-Control: no-store` on backchannel responses. Off:
    /// `ciba-missing-no-store`.
    pub no_store: bool,
    /// §10.1.1 (OIDC Core §3.1.3.3): the token response has an ID token. Off:
    /// `ciba-token-no-id-token`.
    pub id_token_issued: bool,
    /// §11 expired_token. Off: `ciba-expired-still-issues`.
    pub expiry_enforced: bool,
    /// §11 access_denied. Off: `ciba-denied-still-issues`.
    pub denial_enforced: bool,
    /// §10.1, §11: an `auth_req_id` belongs to its client. Off:
    /// `ciba-auth-req-id-not-client-bound`.
    pub bound_to_client: bool,
    /// §10.1.1: an `auth_req_id` is redeemed once. Off: `ciba-auth-req-id-reusable`.
    pub single_use: bool,
    /// §10, §11: push clients get unauthorized_client at the token endpoint. Off:
    /// `ciba-push-tokens-still-at-token-endpoint`.
    pub push_refused_at_token_endpoint: bool,
    /// §10.1: a ping client may poll. Off: `ciba-ping-poll-refused`.
    pub ping_may_poll: bool,
    /// §10.2, §9: the ping carries the bearer token. Off: `ciba-ping-without-bearer`.
    pub ping_bearer: bool,
    /// §10.2: the ping body holds only `auth_req_id`. Off: `ciba-ping-extra-body`.
    pub ping_body_only: bool,
    /// §10.2: a ping follows a failed authentication too. Off: `ciba-ping-not-on-denial`.
    pub ping_on_denial: bool,
    /// §10.2: the ping follows the user's decision. Off: `ciba-ping-before-decision`.
    pub ping_after_decision: bool,
    /// §10.2, §10.3: callbacks do not follow redirects. Off:
    /// `ciba-notification-follows-redirects`.
    pub redirects_refused: bool,
    /// §10.3, §9: the push carries the bearer token. Off: `ciba-push-without-bearer`.
    pub push_bearer: bool,
    /// §10.3.1 `urn:openid:params:jwt:claim:auth_req_id`. Off:
    /// `ciba-push-id-token-missing-auth-req-id-claim`.
    pub push_auth_req_id_claim: bool,
    /// §10.3.1 `at_hash`. Off: `ciba-push-id-token-missing-at-hash`.
    pub push_at_hash: bool,
    /// §12: a denial is pushed. Off: `ciba-push-error-not-sent`.
    pub push_error_sent: bool,
    /// §4 `backchannel_token_delivery_modes_supported`. Off: `ciba-metadata-missing-modes`.
    pub modes_advertised: bool,
}

impl CibaPolicy {
    pub(super) fn new(on: &Faults) -> CibaPolicy {
        CibaPolicy {
            client_auth: ClientAuthPolicy {
                secret_checked: !on(Fault::CibaWrongSecretAccepted),
                basic_urldecoded: true,
            },
            invalid_client_status: if on(Fault::CibaInvalidClient400) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNAUTHORIZED
            },
            grant_checked: !on(Fault::CibaGrantNotChecked),
            one_hint_enforced: !on(Fault::CibaAcceptsTwoHints),
            notification_token_required: !on(Fault::CibaNotificationTokenOptional),
            unknown_user_refused: !on(Fault::CibaUnknownUserAccepted),
            id_token_hint_accepted: !on(Fault::CibaIdTokenHintRefused),
            user_code_checked: !on(Fault::CibaUserCodeNotChecked),
            binding_message_shown: !on(Fault::CibaBindingMessageIgnored),
            unknown_params_ignored: !on(Fault::CibaUnknownParamsRejected),
            error_codes_listed: !on(Fault::CibaRequestObjectErrorCode),
            ack_expires_in_sent: !on(Fault::CibaAckNoExpiresIn),
            auth_req_id_strong: !on(Fault::CibaAuthReqIdLowEntropy),
            no_store: !on(Fault::CibaMissingNoStore),
            id_token_issued: !on(Fault::CibaTokenNoIdToken),
            expiry_enforced: !on(Fault::CibaExpiredStillIssues),
            denial_enforced: !on(Fault::CibaDeniedStillIssues),
            bound_to_client: !on(Fault::CibaAuthReqIdNotClientBound),
            single_use: !on(Fault::CibaAuthReqIdReusable),
            push_refused_at_token_endpoint: !on(Fault::CibaPushTokensStillAtTokenEndpoint),
            ping_may_poll: !on(Fault::CibaPingPollRefused),
            ping_bearer: !on(Fault::CibaPingWithoutBearer),
            ping_body_only: !on(Fault::CibaPingExtraBody),
            ping_on_denial: !on(Fault::CibaPingNotOnDenial),
            ping_after_decision: !on(Fault::CibaPingBeforeDecision),
            redirects_refused: !on(Fault::CibaNotificationFollowsRedirects),
            push_bearer: !on(Fault::CibaPushWithoutBearer),
            push_auth_req_id_claim: !on(Fault::CibaPushIdTokenMissingAuthReqIdClaim),
            push_at_hash: !on(Fault::CibaPushIdTokenMissingAtHash),
            push_error_sent: !on(Fault::CibaPushErrorNotSent),
            modes_advertised: !on(Fault::CibaMetadataMissingModes),
        }
    }
}
