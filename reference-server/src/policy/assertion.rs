//! JWT client authentication (RFC 7523 §3, RFC 7521 §4.2, OpenID Connect Core §9): one
//! policy for every endpoint that authenticates clients, since they share
//! [`crate::client_assertion`].

use super::Faults;
use crate::faults::Fault;

/// What the server checks in a client assertion. Each field names the fault that
/// switches it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssertionPolicy {
    /// RFC 7521 §4.2 `client_assertion_type` is the jwt-bearer URN. Off:
    /// `assertion-type-not-checked`.
    pub type_checked: bool,
    /// RFC 7521 §4.2.1: an assertion with another mechanism is `invalid_client`. Off
    /// (`invalid_request`): `assertion-mixed-methods-invalid-request`.
    pub mixed_is_invalid_client: bool,
    /// RFC 7521 §4.2: `client_id` names the assertion's client. Off:
    /// `assertion-client-id-ignored`.
    pub client_id_checked: bool,
    /// RFC 7523 §3 items 1-2: `iss` = `sub` = client_id. Off: `assertion-iss-sub-not-checked`.
    pub iss_sub_checked: bool,
    /// RFC 7523 §3 item 3: `aud` identifies the AS. Off: `assertion-aud-not-checked`.
    pub aud_checked: bool,
    /// The token endpoint URL is one of the AS's identities (RFC 7523 §3 item 3). Off
    /// (only the issuer is): `assertion-aud-issuer-only`.
    pub token_endpoint_aud_accepted: bool,
    /// RFC 7523 §3 item 4: `exp` present and not past. Off: `assertion-exp-not-checked`.
    pub exp_checked: bool,
    /// RFC 7523 §3 item 5: not before `nbf`. Off: `assertion-nbf-not-checked`.
    pub nbf_checked: bool,
    /// OIDC Core §9: `jti` REQUIRED and single use. Off: `assertion-jti-not-checked`.
    pub jti_checked: bool,
    /// RFC 7523 §3 item 9: the signature verifies. Off: `assertion-signature-not-checked`.
    pub signature_checked: bool,
    /// RFC 7523 §3 item 9: the JWT is signed or MACed. Off: `assertion-alg-none-accepted`.
    pub unsecured_refused: bool,
    /// OIDC Core §9: the MAC of a client_secret_jwt assertion is keyed with the client
    /// secret. Off: `assertion-secret-not-checked`.
    pub mac_checked: bool,
    /// RFC 7523 §3 item 10: a malformed JWT is `invalid_client`. Off (500):
    /// `assertion-malformed-500`.
    pub malformed_rejected_cleanly: bool,
    /// RFC 8414 §2: only the advertised algorithms. Off: `assertion-alg-not-allowlisted`.
    pub alg_allowlisted: bool,
    /// RFC 7523 §3.2, RFC 7521 §4.2.1: failures are `invalid_client`. Off
    /// (`invalid_request` 400): `assertion-wrong-error-code`.
    pub invalid_client_code: bool,
    /// RFC 7591 §2: a JWT client must use its registered method. Off (its secret also works
    /// with Basic and post): `jwt-client-secret-accepted`.
    pub method_bound: bool,
}

impl AssertionPolicy {
    pub(super) fn new(on: &Faults<'_>) -> Self {
        AssertionPolicy {
            type_checked: !on(Fault::AssertionTypeNotChecked),
            mixed_is_invalid_client: !on(Fault::AssertionMixedMethodsInvalidRequest),
            client_id_checked: !on(Fault::AssertionClientIdIgnored),
            iss_sub_checked: !on(Fault::AssertionIssSubNotChecked),
            aud_checked: !on(Fault::AssertionAudNotChecked),
            token_endpoint_aud_accepted: !on(Fault::AssertionAudIssuerOnly),
            exp_checked: !on(Fault::AssertionExpNotChecked),
            nbf_checked: !on(Fault::AssertionNbfNotChecked),
            jti_checked: !on(Fault::AssertionJtiNotChecked),
            signature_checked: !on(Fault::AssertionSignatureNotChecked),
            unsecured_refused: !on(Fault::AssertionAlgNoneAccepted),
            mac_checked: !on(Fault::AssertionSecretNotChecked),
            malformed_rejected_cleanly: !on(Fault::AssertionMalformed500),
            alg_allowlisted: !on(Fault::AssertionAlgNotAllowlisted),
            invalid_client_code: !on(Fault::AssertionWrongErrorCode),
            method_bound: !on(Fault::JwtClientSecretAccepted),
        }
    }

    /// The strict policy, for unit tests.
    pub const STRICT: AssertionPolicy = AssertionPolicy {
        type_checked: true,
        mixed_is_invalid_client: true,
        client_id_checked: true,
        iss_sub_checked: true,
        aud_checked: true,
        token_endpoint_aud_accepted: true,
        exp_checked: true,
        nbf_checked: true,
        jti_checked: true,
        signature_checked: true,
        unsecured_refused: true,
        mac_checked: true,
        malformed_rejected_cleanly: true,
        alg_allowlisted: true,
        invalid_client_code: true,
        method_bound: true,
    };
}
