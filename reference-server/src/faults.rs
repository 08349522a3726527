//! Named faults: each breaks exactly one requirement that a suite case proves.
//!
//! The self-tests run every case that names a fault as its `proof` against a server
//! with that fault switched on and require the case to fail (or warn, for SHOULD).
//! A fault that no case names is dead weight; a case without a fault is unproven.

use std::fmt;
use std::str::FromStr;

macro_rules! faults {
    ($($variant:ident => $name:literal : $desc:literal,)*) => {
        /// One deliberate deviation of the reference server.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault { $($variant,)* }

        impl Fault {
            /// Every fault, in declaration order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            /// The kebab-case name used by `--fault` and by a case's `proof`.
            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => $name,)* }
            }

            /// What the fault breaks, in one line.
            pub fn description(self) -> &'static str {
                match self { $(Fault::$variant => $desc,)* }
            }
        }
    };
}

faults! {
    // Token endpoint (RFC 6749 §2.3.1, §3.2, §5.1, §5.2).
    TokenMissingNoStore => "token-missing-no-store": "token responses lack `Cache-Control: no-store` (RFC 6749 §5.1)",
    TokenMissingPragma => "token-missing-pragma": "token responses lack `Pragma: no-cache` (RFC 6749 §5.1)",
    TokenMissingTokenType => "token-missing-token-type": "token responses omit `token_type` (RFC 6749 §5.1)",
    TokenNoExpiresIn => "token-no-expires-in": "token responses omit `expires_in` (RFC 6749 §5.1 RECOMMENDED)",
    TokenBasicFailure400 => "token-basic-failure-400": "failed HTTP Basic client authentication answers 400, not 401 (RFC 6749 §5.2)",
    TokenBasicNoWwwAuthenticate => "token-basic-no-www-authenticate": "the 401 for failed Basic authentication lacks `WWW-Authenticate` (RFC 6749 §5.2)",
    TokenBasicNoUrldecode => "token-basic-no-urldecode": "Basic credentials are compared without form-urldecoding them first (RFC 6749 §2.3.1)",
    TokenWrongSecretAccepted => "token-wrong-secret-accepted": "the token endpoint accepts any secret for a known client (RFC 6749 §3.2.1)",
    TokenUnsupportedGrantWrongCode => "token-unsupported-grant-wrong-code": "an unknown `grant_type` gets `invalid_request` instead of `unsupported_grant_type` (RFC 6749 §5.2)",
    TokenMissingGrantTypeAccepted => "token-missing-grant-type-accepted": "a request without `grant_type` is treated as client_credentials (RFC 6749 §5.2 invalid_request)",
    TokenDuplicateParamAccepted => "token-duplicate-param-accepted": "repeated request parameters are accepted, the last one winning (RFC 6749 §3.2)",
    TokenErrorNotJson => "token-error-not-json": "token endpoint errors are sent as text/plain, not JSON (RFC 6749 §5.2)",
    TokenScopeWidened => "token-scope-widened": "a client_credentials request for a scope the client lacks is granted (RFC 6749 §5.2 invalid_scope)",
    // Revocation (RFC 7009).
    RevokeUnknownToken400 => "revoke-unknown-token-400": "revoking an unknown or invalid token answers 400 instead of 200 (RFC 7009 §2.2)",
    RevokeRevokedToken400 => "revoke-revoked-token-400": "revoking an already revoked token answers 400 instead of 200 (RFC 7009 §2.2)",
    RevokeMissingToken200 => "revoke-missing-token-200": "a revocation request without `token` answers 200 (RFC 7009 §2.1)",
    RevokeNoClientAuth => "revoke-no-client-auth": "revocation without any client authentication is accepted (RFC 7009 §2.1)",
    RevokeWrongSecretAccepted => "revoke-wrong-secret-accepted": "revocation accepts a wrong client secret (RFC 7009 §2.1)",
    RevokeAccessTokenNoop => "revoke-access-token-noop": "revoking an access token answers 200 but the token stays valid (RFC 7009 §2)",
    RevokeHonoursHintStrictly => "revoke-honours-hint-strictly": "a token whose type differs from `token_type_hint` is not looked up, so not revoked (RFC 7009 §2.1)",
    RevokeRejectsUnknownHint => "revoke-rejects-unknown-hint": "an unknown `token_type_hint` value is rejected instead of ignored (RFC 7009 §2.2)",
    RevokeAnyClientsToken => "revoke-any-clients-token": "a client can revoke tokens issued to another client (RFC 7009 §2.1)",
    RevokeErrorNotJson => "revoke-error-not-json": "revocation errors are sent as text/plain, not JSON (RFC 7009 §2.2.1)",
    RevokeDelayed => "revoke-delayed": "revocation takes effect only 30 s later (RFC 7009 §2.1)",
    // Introspection (RFC 7662).
    IntrospectActiveAsString => "introspect-active-as-string": "`active` is the string \"true\"/\"false\", not a JSON boolean (RFC 7662 §2.2)",
    IntrospectActiveAlwaysFalse => "introspect-active-always-false": "every token is reported inactive (RFC 7662 §2.2)",
    IntrospectUnknownToken400 => "introspect-unknown-token-400": "an unknown token answers 400 instead of `{\"active\":false}` (RFC 7662 §2.2, §2.3)",
    IntrospectInactiveLeaksClaims => "introspect-inactive-leaks-claims": "inactive responses carry claims besides `active` (RFC 7662 §2.2 SHOULD NOT)",
    IntrospectIgnoresRevocation => "introspect-ignores-revocation": "revoked tokens are reported active (RFC 7662 §2.2, §4)",
    IntrospectIgnoresExpiry => "introspect-ignores-expiry": "expired tokens are reported active (RFC 7662 §2.2, §4)",
    IntrospectMissingTokenInactive => "introspect-missing-token-inactive": "a request without `token` answers 200 `{\"active\":false}` instead of 400 (RFC 7662 §2.1)",
    IntrospectNoClientAuth => "introspect-no-client-auth": "introspection without any client authentication is answered (RFC 7662 §2.1)",
    IntrospectWrongSecretAccepted => "introspect-wrong-secret-accepted": "introspection accepts a wrong client secret (RFC 7662 §2.3)",
    IntrospectHonoursHintStrictly => "introspect-honours-hint-strictly": "a token whose type differs from `token_type_hint` is reported inactive (RFC 7662 §2.1)",
    IntrospectExpAsString => "introspect-exp-as-string": "`exp` and `iat` are strings, not integer seconds (RFC 7662 §2.2)",
    IntrospectWrongClientId => "introspect-wrong-client-id": "`client_id` names the caller instead of the client the token was issued to (RFC 7662 §2.2)",
    IntrospectWrongScope => "introspect-wrong-scope": "`scope` is not the token's scope (RFC 7662 §2.2)",
    IntrospectWrongContentType => "introspect-wrong-content-type": "responses are sent as text/plain (RFC 7662 §2.2)",
    IntrospectCrossClient403 => "introspect-cross-client-403": "introspecting another client's token answers 403 instead of a JSON `active` answer (RFC 7662 §2.2, §2.3)",
    IntrospectMissingNoStore => "introspect-missing-no-store": "introspection responses lack `Cache-Control: no-store` (RFC 6749 §5.1 by analogy)",
    // Metadata (RFC 8414, OIDC Discovery) and JWKS.
    MetadataNoRfc8414Path => "metadata-no-rfc8414-path": "no metadata at the RFC 8414 §3 inserted well-known location",
    MetadataWrongContentType => "metadata-wrong-content-type": "metadata is sent as text/plain (RFC 8414 §3.2)",
    MetadataIssuerTrailingSlash => "metadata-issuer-trailing-slash": "`issuer` in the metadata has a trailing slash the issuer lacks (RFC 8414 §3.3)",
    MetadataIssuerWithQuery => "metadata-issuer-with-query": "`issuer` carries a query component (RFC 8414 §2)",
    MetadataMissingResponseTypes => "metadata-missing-response-types": "metadata omits `response_types_supported` (RFC 8414 §2 REQUIRED)",
    MetadataMissingTokenEndpoint => "metadata-missing-token-endpoint": "metadata omits `token_endpoint` (RFC 8414 §2)",
    MetadataEmptyArray => "metadata-empty-array": "metadata carries a member whose value is `[]` (RFC 8414 §3.2)",
    MetadataNoneAuthAlg => "metadata-none-auth-alg": "`none` appears in `token_endpoint_auth_signing_alg_values_supported` (RFC 8414 §2)",
    MetadataNoPkceMethods => "metadata-no-pkce-methods": "metadata omits `code_challenge_methods_supported` (RFC 8414 §2 + RFC 9700 §2.1.1)",
    MetadataArrayAsString => "metadata-array-as-string": "`grant_types_supported` is a space-separated string, not an array (RFC 8414 §2)",
    OidcConfigIssuerMismatch => "oidc-config-issuer-mismatch": "the OpenID configuration's `issuer` differs from the issuer (OIDC Discovery §4.3)",
    JwksLeaksPrivateKey => "jwks-leaks-private-key": "the JWKS carries private key material `d` (OIDC Discovery §3, RFC 7517)",
    JwksDuplicateKid => "jwks-duplicate-kid": "the JWKS holds two keys with the same `kid` (RFC 7517 §4.5)",
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name given to `--fault` or `proof` is not a known fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{0}`")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFault(s.to_string()))
    }
}
