//! Policy of pushed authorization requests (RFC 9126): the PAR endpoint (§2), the request
//! URIs it issues (§2.2) and their use at the authorization endpoint (§4, §6). Each field
//! names the fault that changes it.

use super::{ClientAuthPolicy, Faults};
use crate::errors::ErrorFormat;
use crate::faults::Fault;

/// Pushed authorization requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParPolicy {
    /// §2.1: clients authenticate "in the same way as at the token endpoint". The secret
    /// check is off under `par-wrong-secret-accepted`.
    pub client_auth: ClientAuthPolicy,
    /// §2.1: a confidential client must authenticate, not merely name itself. Off:
    /// `par-unauthenticated-accepted`.
    pub confidential_must_authenticate: bool,
    /// §2.2: a push is answered 201 Created. 200 under `par-wrong-status`.
    pub created: bool,
    /// §2.2: `expires_in` is a JSON number. Off: `par-expires-in-string`.
    pub expires_in_numeric: bool,
    /// §2.2, §7.1: request URIs carry a random part. Off: `par-request-uri-guessable`.
    pub random_uris: bool,
    /// §2: the endpoint takes POST only. Off: `par-get-accepted`.
    pub post_only: bool,
    /// §2.1: "Reject the request if the request_uri authorization request parameter is
    /// provided." Off: `par-request-uri-param-accepted`.
    pub request_uri_refused: bool,
    /// §2.1, §4: pushed requests are validated as any other. Off:
    /// `par-pushed-request-not-validated`.
    pub validated: bool,
    /// §2.3: errors are RFC 6749 §5.2 JSON; plain text under `par-error-not-json`.
    pub error_format: ErrorFormat,
    /// §2: pushed extension parameters (PKCE) take effect. Off:
    /// `par-pushed-challenge-dropped`.
    pub challenge_kept: bool,
    /// §4, §7.3: a request URI is used once. Off: `par-request-uri-reusable`.
    pub single_use: bool,
    /// §2.2: a request URI is bound to the client that pushed it. Off:
    /// `par-request-uri-not-bound-to-client`.
    pub bound_to_client: bool,
    /// §4: an expired request URI is refused. Off: `par-request-uri-never-expires`.
    pub expiring: bool,
    /// §4: an unknown request URI is refused. Off: `par-unknown-request-uri-ignored`.
    pub unknown_refused: bool,
    /// §4 (and RFC 9101 §6.3): only the pushed parameters count. Off:
    /// `par-front-channel-overrides`.
    pub pushed_authoritative: bool,
    /// §6: `require_pushed_authorization_requests` of a client is enforced. Off:
    /// `par-required-not-enforced`.
    pub required_enforced: bool,
    /// §5: metadata `require_pushed_authorization_requests` is a boolean. Off:
    /// `par-require-flag-not-boolean`.
    pub require_flag_boolean: bool,
    /// §4, RFC 6749 §3.1: the user still authenticates and consents. Off:
    /// `par-pushed-request-auto-approved`.
    pub interaction_required: bool,
    /// §4: `client_id` is required beside `request_uri`. Off: `par-client-id-optional`.
    pub client_id_required: bool,
    /// §2: the PAR endpoint's own URL is an audience of client assertions sent to it. Off:
    /// `par-assertion-own-url-refused` (only the issuer and the token endpoint URL).
    pub own_url_audience: bool,
}

impl ParPolicy {
    pub(super) fn new(on: &Faults<'_>) -> ParPolicy {
        ParPolicy {
            client_auth: ClientAuthPolicy {
                secret_checked: !on(Fault::ParWrongSecretAccepted),
                basic_urldecoded: true,
            },
            confidential_must_authenticate: !on(Fault::ParUnauthenticatedAccepted),
            created: !on(Fault::ParWrongStatus),
            expires_in_numeric: !on(Fault::ParExpiresInString),
            random_uris: !on(Fault::ParRequestUriGuessable),
            post_only: !on(Fault::ParGetAccepted),
            request_uri_refused: !on(Fault::ParRequestUriParamAccepted),
            validated: !on(Fault::ParPushedRequestNotValidated),
            error_format: if on(Fault::ParErrorNotJson) {
                ErrorFormat::PlainText
            } else {
                ErrorFormat::Json
            },
            challenge_kept: !on(Fault::ParPushedChallengeDropped),
            single_use: !on(Fault::ParRequestUriReusable),
            bound_to_client: !on(Fault::ParRequestUriNotBoundToClient),
            expiring: !on(Fault::ParRequestUriNeverExpires),
            unknown_refused: !on(Fault::ParUnknownRequestUriIgnored),
            pushed_authoritative: !on(Fault::ParFrontChannelOverrides),
            required_enforced: !on(Fault::ParRequiredNotEnforced),
            require_flag_boolean: !on(Fault::ParRequireFlagNotBoolean),
            client_id_required: !on(Fault::ParClientIdOptional),
            own_url_audience: !on(Fault::ParAssertionOwnUrlRefused),
            interaction_required: !on(Fault::ParPushedRequestAutoApproved),
        }
    }
}
