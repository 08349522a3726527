//! Policy of request objects (RFC 9101) at the authorization and PAR endpoints. Each field
//! names the fault that changes it.

use super::Faults;
use crate::faults::Fault;

/// Request objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JarPolicy {
    /// §6.2: the signature verifies with a key of the client. Off:
    /// `jar-signature-not-verified`.
    pub signature_verified: bool,
    /// §5, §10.1, §10.5: an unsecured (`alg=none`) object is refused. Off:
    /// `jar-alg-none-accepted`.
    pub none_refused: bool,
    /// RFC 7519 §4.1.3: an `aud` not naming this server is refused. Off:
    /// `jar-aud-not-checked`.
    pub aud_checked: bool,
    /// RFC 7519 §4.1.4, §4.1.5: `exp` and `nbf` are enforced. Off:
    /// `jar-lifetime-not-checked`.
    pub lifetime_checked: bool,
    /// §5, §6.3: the object's `client_id` equals the request's. Off:
    /// `jar-client-id-mismatch-accepted`.
    pub client_id_matched: bool,
    /// §6.3: only the object's parameters count (and at the PAR endpoint only client
    /// authentication parameters may come beside it, RFC 9126 §3). Off:
    /// `jar-query-params-override`.
    pub object_authoritative: bool,
    /// §5: `request` and `request_uri` together are refused. Off:
    /// `jar-request-and-uri-accepted` (`request_uri` is ignored).
    pub request_and_uri_refused: bool,
    /// §4: no `request` or `request_uri` inside the object. Off:
    /// `jar-nested-request-uri-accepted`.
    pub nested_refused: bool,
    /// §5: `client_id` is required beside `request`. Off: `jar-client-id-outside-optional`
    /// (the object's `client_id` names the client).
    pub client_id_required: bool,
    /// Request objects are supported (and advertised). Off:
    /// `jar-unsupported-request-ignored`, which advertises no support and ignores
    /// `request` instead of answering `request_not_supported` (OIDC Core §6.1).
    pub supported: bool,
    /// §5.2.3: the object at a `request_uri` is fetched with GET. Off:
    /// `jar-request-uri-posted`.
    pub fetched_with_get: bool,
    /// §5.2.3, §7: a `request_uri` that cannot be fetched is `invalid_request_uri`. Off:
    /// `jar-request-uri-failure-ignored` (the parameters beside it are used).
    pub fetch_failure_refused: bool,
    /// `request_uri` by reference may be supported (where the configuration lists origins
    /// to fetch from, [`crate::ServerConfig::request_uri_origins`]). Off:
    /// `jar-unsupported-request-uri-ignored`, which advertises no support and ignores
    /// `request_uri` instead of answering `request_uri_not_supported` (OIDC Core §6.2).
    pub uri_supported: bool,
}

impl JarPolicy {
    pub(super) fn new(on: &Faults<'_>) -> JarPolicy {
        JarPolicy {
            signature_verified: !on(Fault::JarSignatureNotVerified),
            none_refused: !on(Fault::JarAlgNoneAccepted),
            aud_checked: !on(Fault::JarAudNotChecked),
            lifetime_checked: !on(Fault::JarLifetimeNotChecked),
            client_id_matched: !on(Fault::JarClientIdMismatchAccepted),
            object_authoritative: !on(Fault::JarQueryParamsOverride),
            request_and_uri_refused: !on(Fault::JarRequestAndUriAccepted),
            nested_refused: !on(Fault::JarNestedRequestUriAccepted),
            client_id_required: !on(Fault::JarClientIdOutsideOptional),
            supported: !on(Fault::JarUnsupportedRequestIgnored),
            fetched_with_get: !on(Fault::JarRequestUriPosted),
            fetch_failure_refused: !on(Fault::JarRequestUriFailureIgnored),
            uri_supported: !on(Fault::JarUnsupportedRequestUriIgnored),
        }
    }
}
