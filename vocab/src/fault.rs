//! The names of the reference server's faults: each breaks exactly one requirement that a
//! suite case proves.
//!
//! The self-tests run every case that names a fault as its `proof` against a server
//! with that fault switched on and require the case to fail (or warn, for SHOULD).
//! A fault that no case names is dead weight; a case without a fault is unproven.
//!
//! This list is the one definition of the names: the harness validates `proof` against it
//! without depending on the server, and the server (`reference-server/src/policy/`) gives
//! each fault its behaviour.

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
    // Macaroon access tokens and the macaroon endpoint (PingOne AIC, seed 000).
    MacaroonSignatureNotVerified => "macaroon-signature-not-verified": "a macaroon whose caveat was removed (its HMAC chain broken) is accepted (AIC macaroons; Birgisson et al. §II)", // new
    MacaroonLocalAttenuationRefused => "macaroon-local-attenuation-refused": "a macaroon its holder restricted locally is refused; only server-made ones work (AIC macaroons: \"manipulate macaroons locally\")", // new
    MacaroonRevocationNotCascaded => "macaroon-revocation-not-cascaded": "macaroons derived from a revoked token stay active (AIC macaroons)", // new
    MacaroonScopeCaveatIgnored => "macaroon-scope-caveat-ignored": "a `scope` caveat does not narrow the token's scope (AIC macaroons, supported first-party caveats)", // new
    MacaroonScopeCaveatWidens => "macaroon-scope-caveat-widens": "a `scope` caveat replaces the scope instead of intersecting it, so it can widen it (AIC macaroons)", // new
    MacaroonExpCaveatIgnored => "macaroon-exp-caveat-ignored": "an `exp` caveat does not shorten the token's life (AIC macaroons)", // new
    MacaroonUnknownCaveatIgnored => "macaroon-unknown-caveat-ignored": "a caveat the server does not understand is taken as satisfied (Birgisson et al.: every caveat must hold)", // new
    MacaroonRestrictUnchanged => "macaroon-restrict-unchanged": "the macaroon endpoint's `restrict` returns the macaroon without the caveat (AIC /json/token/macaroon)", // new
    MacaroonInspectWithoutCaveats => "macaroon-inspect-without-caveats": "`inspect` does not list the macaroon's caveats (AIC /json/token/macaroon)", // new
    MacaroonInspectIncomplete => "macaroon-inspect-incomplete": "`inspect` omits the identifier and signature (AIC /json/token/macaroon)", // new
    MacaroonMalformedServerError => "macaroon-malformed-server-error": "a malformed macaroon sent to the macaroon endpoint is a 500 (AIC /json/token/macaroon)", // new

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
    // Authorization endpoint requests (RFC 6749 §3.1, §3.1.2, §4.1.1, §4.1.2.1).
    AuthzMissingResponseTypeAccepted => "authz-missing-response-type-accepted": "a request without `response_type` is treated as `code` (RFC 6749 §3.1.1 invalid_request)",
    AuthzUnknownResponseTypeWrongCode => "authz-unknown-response-type-wrong-code": "an unknown `response_type` gets `invalid_request` instead of `unsupported_response_type` (RFC 6749 §4.1.2.1)",
    AuthzRestrictedClientAccepted => "authz-restricted-client-accepted": "a client not registered for the code grant is issued a code (RFC 6749 §4.1.2.1 unauthorized_client)",
    AuthzInvalidScopeAccepted => "authz-invalid-scope-accepted": "a scope the client may not have is granted at the authorization endpoint (RFC 6749 §4.1.2.1 invalid_scope)",
    AuthzRepeatedParamAccepted => "authz-repeated-param-accepted": "repeated authorization parameters are accepted, the last one winning (RFC 6749 §3.1)",
    AuthzUnknownParamRejected => "authz-unknown-param-rejected": "unrecognised authorization parameters are answered with `invalid_request` (RFC 6749 §3.1 MUST ignore)",
    AuthzEmptyRedirectUriRejected => "authz-empty-redirect-uri-rejected": "`redirect_uri=` (empty) is treated as a mismatching URI, not as absent (RFC 6749 §3.1)",
    AuthzUnknownClientRedirects => "authz-unknown-client-redirects": "an unknown `client_id` is answered with a redirect to the given `redirect_uri` (RFC 6749 §4.1.2.1 MUST NOT)",
    AuthzRedirectUriTrailingSlash => "authz-redirect-uri-trailing-slash": "a `redirect_uri` differing from the registered one by a trailing `/` is accepted (RFC 6749 §3.1.2.3, RFC 9700 §2.1)",
    AuthzRedirectUriCaseInsensitive => "authz-redirect-uri-case-insensitive": "`redirect_uri` is compared ignoring case (RFC 6749 §3.1.2.3 simple string comparison)",
    AuthzRedirectUriExtraQuery => "authz-redirect-uri-extra-query": "a `redirect_uri` with an added query parameter is accepted (RFC 6749 §3.1.2.3, RFC 9700 §2.1)",
    AuthzRedirectUriPrefixMatch => "authz-redirect-uri-prefix-match": "any `redirect_uri` starting with a registered one is accepted (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3)",
    AuthzRedirectUriFragmentAccepted => "authz-redirect-uri-fragment-accepted": "a `redirect_uri` with a fragment is accepted, the fragment ignored when matching (RFC 6749 §3.1.2)",
    AuthzRedirectUriDefaultOfSeveral => "authz-redirect-uri-default-of-several": "without `redirect_uri`, a client with several registered URIs is sent to the first (RFC 6749 §3.1.2.3)",
    AuthzMismatchErrorRedirects => "authz-mismatch-error-redirects": "the error for an unregistered `redirect_uri` is redirected to that URI (RFC 6749 §3.1.2.4, RFC 9700 §4.11.2 open redirector)",
    AuthzRedirectDropsQuery => "authz-redirect-drops-query": "the query of the registered redirect URI is dropped from the response (RFC 6749 §3.1.2 MUST retain)",
    AuthzErrorDescriptionQuotes => "authz-error-description-quotes": "authorization `error_description` carries `\"` and `\\` (RFC 6749 §4.1.2.1 character set)",
    AuthzErrorBeforeLogin => "authz-error-before-login": "error responses are redirected before the user has authenticated (RFC 9700 §4.11.2 MUST authenticate first)",
    AuthzCorsEnabled => "authz-cors-enabled": "the authorization endpoint answers with `Access-Control-Allow-Origin: *` (RFC 9700 §2.6 MUST NOT support CORS)",
    AuthzPagesFrameable => "authz-pages-frameable": "login, consent and error pages carry neither CSP `frame-ancestors` nor `X-Frame-Options` (RFC 9700 §4.16)",
    // State and issuer in authorization responses (RFC 6749 §4.1.2, RFC 9207 §2).
    StateDropped => "state-dropped": "`state` is missing from successful authorization responses (RFC 6749 §4.1.2 REQUIRED if sent)",
    StateDroppedOnError => "state-dropped-on-error": "`state` is missing from authorization error responses (RFC 6749 §4.1.2.1 REQUIRED if sent)",
    StateAltered => "state-altered": "`state` is form-decoded once more before it is echoed, so `+` and `%XX` change (RFC 6749 §4.1.2 exact value)",
    StateInvented => "state-invented": "a response to a request without `state` carries one anyway (RFC 6749 §4.1.2)",
    IssMissing => "iss-missing": "successful authorization responses lack `iss` (RFC 9207 §2)",
    IssMissingOnError => "iss-missing-on-error": "authorization error responses lack `iss` (RFC 9207 §2)",
    IssWrongValue => "iss-wrong-value": "`iss` in authorization responses differs from the issuer (trailing `/`) (RFC 9207 §2, §2.3)",
    IssMissingInFragment => "iss-missing-in-fragment": "`iss` is left out of fragment-encoded responses (RFC 9207 §2 every response mode)",
    IssMissingInFormPost => "iss-missing-in-form-post": "`iss` is left out of form_post responses (RFC 9207 §2 every response mode)",
    // Response modes (OAuth 2.0 Multiple Response Types, Form Post Response Mode).
    CodeResponseInFragment => "code-response-in-fragment": "code responses are put in the fragment by default (RFC 6749 §4.1.2, MRT §2.1 default query)",
    ErrorIgnoresResponseMode => "error-ignores-response-mode": "error responses always go in the query, whatever `response_mode` asked (MRT §2.2 SHOULD)",
    FormPostNoAutoSubmit => "form-post-no-auto-submit": "the form_post page has no script or onload that submits it (Form Post §2 auto-submitted)",
    FormPostWrongAction => "form-post-wrong-action": "the form_post form's action is not the client's redirect URI (Form Post §2)",
    FormPostGetMethod => "form-post-get-method": "the form_post form uses method GET (Form Post §2 MUST POST)",
    FormPostNoState => "form-post-no-state": "`state` is missing from the form_post form (Form Post §2, RFC 6749 §4.1.2)",
    FormPostNoStore => "form-post-no-store": "the form_post page is sent without `Cache-Control: no-store` or `Pragma: no-cache` (Form Post §2 MUST NOT be cached)",
    FormPostNotEscaped => "form-post-not-escaped": "values in the form_post page are not HTML-escaped (RFC 6749 §10.14)",
    FormPostParamsInAction => "form-post-params-in-action": "the form_post action URL repeats the response parameters in its query (Form Post §2, derived)",
    // Implicit grant (RFC 6749 §4.2).
    ImplicitTokenInQuery => "implicit-token-in-query": "implicit responses are put in the query by default (RFC 6749 §4.2.2 fragment)",
    ImplicitQueryModeAccepted => "implicit-query-mode-accepted": "`response_type=token` with `response_mode=query` puts the access token in the query (MRT §5, §7 MUST NOT)",
    ImplicitRefreshToken => "implicit-refresh-token": "implicit responses include a `refresh_token` (RFC 6749 §4.2.2 MUST NOT)",
    ImplicitErrorInQuery => "implicit-error-in-query": "implicit error responses are put in the query (RFC 6749 §4.2.2.1 fragment)",
    // Login and consent (RFC 6749 §10.12, RFC 9700 §4.11, §4.12).
    ConsentCsrfNotChecked => "consent-csrf-not-checked": "a consent (or AIC decision) POST without the right anti-CSRF token is accepted (RFC 6749 §10.12)",
    ConsentNotBoundToSession => "consent-not-bound-to-session": "a consent form can be submitted from another user's session (RFC 6749 §10.12)",
    ConsentGetAccepted => "consent-get-accepted": "consent can be given with a plain GET (RFC 6749 §10.12)",
    ConsentDenyWrongError => "consent-deny-wrong-error": "a denial is answered with `invalid_request` instead of `access_denied` (RFC 6749 §4.1.2.1)",
    LoginRedirect307 => "login-redirect-307": "the login and consent POSTs are answered with 307 (RFC 9700 §4.12 MUST NOT)",
    LoginOpenRedirect => "login-open-redirect": "the login page redirects to any URL in its `next` parameter (RFC 9700 §2.1, §4.11)",
    // Authorization code exchange (RFC 6749 §4.1.3, §10.5).
    CodeReuseAllowed => "code-reuse-allowed": "an authorization code can be redeemed more than once (RFC 6749 §4.1.2, §10.5)",
    CodeReplayNoRevoke => "code-replay-no-revoke": "a replayed code is refused but the tokens issued from it stay valid (RFC 6749 §4.1.2 SHOULD revoke)",
    CodeNotBoundToClient => "code-not-bound-to-client": "a code can be redeemed by another client (RFC 6749 §4.1.3)",
    CodeRedirectUriNotChecked => "code-redirect-uri-not-checked": "the exchange's `redirect_uri` is not compared with the authorization request's (RFC 6749 §4.1.3)",
    CodeRedirectUriNotRequired => "code-redirect-uri-not-required": "the exchange may omit `redirect_uri` although the authorization request had one (RFC 6749 §4.1.3)",
    CodeUnknownAccepted => "code-unknown-accepted": "an unknown or tampered code is exchanged for tokens (RFC 6749 §4.1.3, §5.2 invalid_grant)",
    CodeLongLifetime => "code-long-lifetime": "authorization codes stay redeemable for an hour (RFC 6749 §4.1.2, 10 minutes at most)",
    CodeMissingWrongError => "code-missing-wrong-error": "an exchange without `code` gets `invalid_grant` instead of `invalid_request` (RFC 6749 §5.2)",
    CodeConfidentialNoSecret => "code-confidential-no-secret": "a confidential client exchanges a code with only its `client_id` (RFC 6749 §3.2.1, §4.1.3)",
    CodePublicNoClientId => "code-public-no-client-id": "a public client's code is exchanged without `client_id` (RFC 6749 §4.1.3)",
    CodeSequential => "code-sequential": "authorization codes are a guessable counter (RFC 6749 §10.10)",
    // PKCE (RFC 7636, RFC 9700 §2.1.1).
    PkceS256NotVerified => "pkce-s256-not-verified": "the S256 `code_verifier` is not checked against the challenge (RFC 7636 §4.6)",
    PkcePlainDowngrade => "pkce-plain-downgrade": "with an S256 challenge, the challenge itself is accepted as verifier (RFC 7636 §4.5, §4.6)",
    PkceVerifierWithoutChallenge => "pkce-verifier-without-challenge": "a `code_verifier` is accepted for a code issued without a challenge (RFC 9700 §2.1.1, §4.8.2)",
    PkceMissingVerifierAccepted => "pkce-missing-verifier-accepted": "a code issued with a challenge is exchanged without `code_verifier` (RFC 7636 §4.6)",
    PkcePublicWithoutChallenge => "pkce-public-without-challenge": "a public client's authorization request without `code_challenge` is accepted (RFC 9700 §2.1.1, RFC 7636 §4.4.1)",
    PkceUnsupportedMethodAccepted => "pkce-unsupported-method-accepted": "an unknown `code_challenge_method` (S512, s256) is accepted as plain (RFC 7636 §4.4.1 invalid_request)",
    PkceDefaultS256 => "pkce-default-s256": "a challenge without `code_challenge_method` is treated as S256 (RFC 7636 §4.3 default plain)",
    PkceVerifierSyntaxUnchecked => "pkce-verifier-syntax-unchecked": "verifiers outside 43-128 unreserved characters are accepted (RFC 7636 §4.1)",
    PkceChallengeSyntaxUnchecked => "pkce-challenge-syntax-unchecked": "challenges outside 43-128 unreserved characters are accepted (RFC 7636 §4.2)",
    PkceChallengeInCode => "pkce-challenge-in-code": "the authorization code carries the challenge in readable form (RFC 7636 §4.4 MUST NOT be extractable)",
    PkceVerifierAnyFlow => "pkce-verifier-any-flow": "a verifier of any of the client's flows is accepted for a code (RFC 7636 §4.4, §4.6 per code)",
    // Refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2).
    RefreshNoRotationPublic => "refresh-no-rotation-public": "public clients get no new refresh token when refreshing (RFC 9700 §4.14.2 rotate or sender-constrain)",
    IntrospectIgnoresRotation => "introspect-ignores-rotation": "introspection reports a rotated-out refresh token active, though the token endpoint refuses it (RFC 7662 §2.2, RFC 9700 §4.14.2)",
    RefreshOldValidAfterRotation => "refresh-old-valid-after-rotation": "a public client's refresh token stays valid after it was rotated (RFC 9700 §4.14.2)",
    RefreshReuseNotDetected => "refresh-reuse-not-detected": "replaying a rotated-out refresh token does not revoke the active one (RFC 9700 §4.14.2)",
    RefreshNotBoundToClient => "refresh-not-bound-to-client": "another client can use a refresh token (RFC 6749 §6, §10.4)",
    RefreshScopeExpansion => "refresh-scope-expansion": "a refresh may add scopes beyond the original grant (RFC 6749 §6 MUST NOT)",
    RefreshRevokedAccepted => "refresh-revoked-accepted": "a revoked refresh token still gets new access tokens (RFC 6749 §6, RFC 7009 §2)",
    RefreshConfidentialNoSecret => "refresh-confidential-no-secret": "a confidential client refreshes with only its `client_id` (RFC 6749 §6 MUST authenticate)",
    RefreshRotatedScopeNarrowed => "refresh-rotated-scope-narrowed": "a refresh with a narrower scope also narrows the refresh token (RFC 6749 §6 identical scope)",
    RefreshRestrictedWrongError => "refresh-restricted-wrong-error": "a client without the refresh_token grant gets `invalid_request`, neither §5.2 code that applies (`unauthorized_client`, or `invalid_grant` for its token) (RFC 6749 §5.2)",
    // Refresh tokens at revocation and introspection (RFC 7009, RFC 7662).
    RevokeRefreshNoCascade => "revoke-refresh-no-cascade": "revoking a refresh token leaves its grant's access tokens valid (RFC 7009 §2.1 SHOULD)",
    RevokeRefreshUnsupported => "revoke-refresh-unsupported": "revoking a refresh token answers `unsupported_token_type` (RFC 7009 §2 MUST support)",
    IntrospectRefreshInactive => "introspect-refresh-inactive": "valid refresh tokens are reported inactive (RFC 7662 §2.2)",
    // UserInfo (OpenID Connect Core §5.3, RFC 6750).
    UserinfoNoWwwAuthenticate => "userinfo-no-www-authenticate": "the userinfo 401 lacks `WWW-Authenticate` (RFC 6750 §3)",
    UserinfoErrorWithoutCredentials => "userinfo-error-without-credentials": "the challenge to a request without credentials carries an `error` (RFC 6750 §3.1 SHOULD NOT)",
    UserinfoInvalidTokenAccepted => "userinfo-invalid-token-accepted": "userinfo answers 200 to an unknown bearer token (RFC 6750 §3.1 invalid_token)",
    UserinfoInsufficientScope401 => "userinfo-insufficient-scope-401": "a token without `openid` gets 401 instead of 403 `insufficient_scope` (RFC 6750 §3.1 SHOULD 403)",
    UserinfoIgnoresScope => "userinfo-ignores-scope": "a token without `openid` gets the user's claims (RFC 6750 §3.1 insufficient_scope)",
    UserinfoRevokedAccepted => "userinfo-revoked-accepted": "a revoked access token still gets claims (RFC 6750 §3.1, RFC 7009 §2.1)",
    UserinfoExpiredAccepted => "userinfo-expired-accepted": "an expired access token still gets claims (RFC 6750 §3.1)",
    UserinfoPostUnsupported => "userinfo-post-unsupported": "POST on userinfo answers 405 (OIDC Core §5.3 MUST support GET and POST)",
    UserinfoMultipleMethodsAccepted => "userinfo-multiple-methods-accepted": "a token in both header and body is accepted (RFC 6750 §2 / §3.1 invalid_request)",
    UserinfoSchemeCaseSensitive => "userinfo-scheme-case-sensitive": "`Authorization: bearer` (lower case) is refused (RFC 6750 §2.1, RFC 9110 §11.1 case-insensitive scheme)",
    UserinfoWrongContentType => "userinfo-wrong-content-type": "userinfo answers with text/plain (OIDC Core §5.3.2 application/json)",
    UserinfoNoSub => "userinfo-no-sub": "the userinfo response lacks `sub` (OIDC Core §5.3.2 MUST)",
    UserinfoSubMismatch => "userinfo-sub-mismatch": "the userinfo `sub` differs from the ID token's (OIDC Core §5.3.2)",
    UserinfoRefreshTokenAccepted => "userinfo-refresh-token-accepted": "a refresh token is accepted as a bearer access token (RFC 6750 §3.1 invalid_token)",
    UserinfoQueryTokenNotPrivate => "userinfo-query-token-not-private": "a query-string `access_token` is accepted without `Cache-Control: private` (RFC 6750 §2.3 SHOULD)",
    // Device grant (RFC 8628). Each names the requirements.md row its case proves.
    DeviceGrantNotInMetadata => "device-grant-not-in-metadata": "the metadata advertises `device_authorization_endpoint` but leaves the device-code URN out of `grant_types_supported` (RFC 8628 §4)", // DEVICE-4-metadata
    DeviceDuplicateParamAccepted => "device-duplicate-param-accepted": "repeated device authorization parameters are accepted, the last one winning (RFC 8628 §3.1, RFC 6749 §5.2)", // DEVICE-3.1-param-rules
    DeviceBasicNeedsClientId => "device-basic-needs-client-id": "a client authenticating with HTTP Basic alone (no `client_id` in the body) is refused at the device authorization endpoint (RFC 8628 §3.1, RFC 6749 §2.3.1)", // DEVICE-3.1-client-identification
    DeviceExpiresInString => "device-expires-in-string": "`expires_in` of the device authorization response is a string, not a number (RFC 8628 §3.2)", // DEVICE-3.2-response
    DeviceAnonymousAccepted => "device-anonymous-accepted": "a device authorization request that neither authenticates nor sends `client_id` gets codes, issued to the default device client (RFC 8628 §3.1 client_id REQUIRED)", // DEVICE-3.1-client-identification
    DeviceWrongSecretAccepted => "device-wrong-secret-accepted": "the device authorization endpoint does not check the client secret (RFC 8628 §3.2, RFC 6749 §5.2 invalid_client)", // DEVICE-3.2-error
    DeviceErrorNotJson => "device-error-not-json": "device authorization errors are sent as text/plain, not JSON (RFC 8628 §3.2, RFC 6749 §5.2)", // DEVICE-3.2-error
    DeviceResponseCacheable => "device-response-cacheable": "the device authorization response lacks `Cache-Control: no-store` (RFC 6749 §5.1)", // RFC6749-5.1-no-store
    DeviceUserCodeInVerificationUri => "device-user-code-in-verification-uri": "`verification_uri` embeds the user code (RFC 8628 §3.3 NOT RECOMMENDED)", // DEVICE-3.3-code-not-in-uri
    DeviceTypedUserCodeRefused => "device-typed-user-code-refused": "the verification page refuses every user code typed into its form, so only `verification_uri_complete` works (RFC 8628 §3.3)", // DEVICE-3.3-interaction
    DeviceCompleteAutoApproves => "device-complete-auto-approves": "opening `verification_uri_complete` approves the device without asking the user (RFC 8628 §3.3.1 SHOULD confirm)", // DEVICE-3.3.1-complete-confirm
    DeviceConfidentialNoSecret => "device-confidential-no-secret": "a confidential client redeems a device code with only its `client_id` (RFC 8628 §3.4, RFC 6749 §3.2.1)", // DEVICE-3.4-grant-request
    DevicePublicNoClientId => "device-public-no-client-id": "a public client's device code is redeemed without `client_id` (RFC 8628 §3.4 REQUIRED)", // DEVICE-3.4-public-client-id
    DeviceCodeNotClientBound => "device-code-not-client-bound": "another client can redeem a device code (RFC 6749 §5.2 invalid_grant, derived)", // DEVICE-3.4-bound-client
    DevicePendingAsInvalidGrant => "device-pending-as-invalid-grant": "a pending device authorization is answered `invalid_grant` instead of `authorization_pending` (RFC 8628 §3.5)", // DEVICE-3.5-pending
    // No fault drops `slow_down` or the 5 s increase: §3.5 obliges the client, not the server,
    // so a server that never sends it breaks no requirement (DEVICE-3.5-slow-down is info).
    DeviceMissingCodeWrongError => "device-missing-code-wrong-error": "a device_code grant request without `device_code` gets `invalid_grant` instead of `invalid_request` (RFC 6749 §5.2)", // RFC6749-5.2-missing-param
    DeviceFastPollRefused => "device-fast-poll-refused": "a poll faster than the interval is answered `invalid_request` instead of a pending-type error (RFC 8628 §3.5: slow_down is \"a variant of authorization_pending\")", // DEVICE-3.5-slow-down
    DeviceDeniedStillIssues => "device-denied-still-issues": "a device authorization the user denied still yields tokens (RFC 8628 §3.5 access_denied)", // DEVICE-3.5-denied
    DeviceExpiredStillIssues => "device-expired-still-issues": "device codes never expire at the token endpoint (RFC 8628 §3.5 expired_token)", // DEVICE-3.5-expired
    DeviceUnknownCodePending => "device-unknown-code-pending": "an unknown `device_code` is answered `authorization_pending` (RFC 8628 §3.5, RFC 6749 §5.2 invalid_grant)", // DEVICE-3.5-invalid-device-code
    DeviceCodeReusable => "device-code-reusable": "an approved device code can be redeemed more than once (derived from RFC 6749 grant semantics)", // DEVICE-3.5-single-use
    DeviceCodeLowEntropy => "device-code-low-entropy": "device codes are a short guessable counter (RFC 8628 §5.2 SHOULD high entropy)", // DEVICE-5.2-device-code-entropy
    DeviceExpiredUserCodeAccepted => "device-expired-user-code-accepted": "the verification page accepts an expired user code (RFC 8628 §3.2, §3.3, derived)", // DEVICE-3.3-expired-user-code
    DeviceUserCodeReusable => "device-user-code-reusable": "a user code that was already approved can be approved again (RFC 8628 §3.3, derived)", // DEVICE-3.3-user-code-once
    // CIBA (OpenID CIBA Core 1.0). Each names the requirements.md row a case proves.
    // Row CIBA-4-metadata.
    CibaMetadataMissingModes => "ciba-metadata-missing-modes": "metadata lacks `backchannel_token_delivery_modes_supported` (CIBA §4 REQUIRED)",
    // Row CIBA-7.1-client-auth.
    CibaWrongSecretAccepted => "ciba-wrong-secret-accepted": "the backchannel endpoint accepts any secret for a known client (CIBA §7.1 MUST authenticate)",
    // Row CIBA-13-error-shape.
    CibaInvalidClient400 => "ciba-invalid-client-400": "failed client authentication at the backchannel endpoint answers 400, not 401 (CIBA §13)",
    // Row CIBA-13-unauthorized-client.
    CibaGrantNotChecked => "ciba-grant-not-checked": "a client not registered for the CIBA grant may start a backchannel request (CIBA §13 unauthorized_client)",
    // Row CIBA-7.1-exactly-one-hint.
    CibaAcceptsTwoHints => "ciba-accepts-two-hints": "a request with more than one hint is accepted, the first one winning (CIBA §7.1 invalid_request)",
    // Row CIBA-7.1-notification-token.
    CibaNotificationTokenOptional => "ciba-notification-token-optional": "ping and push requests without `client_notification_token` are accepted (CIBA §7.1 REQUIRED)",
    // Row CIBA-13-unknown-user.
    CibaUnknownUserAccepted => "ciba-unknown-user-accepted": "a `login_hint` naming no user is acknowledged and bound to the first user (CIBA §7.2, §13 unknown_user_id)",
    // Row CIBA-7.1-id-token-hint.
    CibaIdTokenHintRefused => "ciba-id-token-hint-refused": "a valid `id_token_hint` the server issued is refused (CIBA §7.2 step 4)",
    // Row CIBA-7.1-user-code.
    CibaUserCodeNotChecked => "ciba-user-code-not-checked": "a wrong `user_code` is accepted (CIBA §13 invalid_user_code)",
    // Row CIBA-7.1-binding-message.
    CibaBindingMessageIgnored => "ciba-binding-message-ignored": "the authentication device never shows the `binding_message` (CIBA §7.1)",
    // Row CIBA-7.2-ignore-unknown-params.
    CibaUnknownParamsRejected => "ciba-unknown-params-rejected": "unrecognised request parameters are refused with invalid_request (CIBA §7.2 MUST ignore)",
    // Row CIBA-13-error-code-from-list.
    CibaRequestObjectErrorCode => "ciba-request-object-error-code": "a `request` parameter gets `invalid_request_object`, a code outside the §13 list (CIBA §13)",
    // Row CIBA-7.3-ack-shape.
    CibaAckNoExpiresIn => "ciba-ack-no-expires-in": "the acknowledgement omits `expires_in` (CIBA §7.3 REQUIRED)",
    // Row CIBA-7.3-auth-req-id-entropy.
    CibaAuthReqIdLowEntropy => "ciba-auth-req-id-low-entropy": "`auth_req_id` carries 32 random bits (CIBA §7.3 MUST be at least 128)",
    // Row RFC6749-5.1-no-store (the CIBA acknowledgement).
    CibaMissingNoStore => "ciba-missing-no-store": "backchannel responses lack `Cache-Control: no-store` (RFC 6749 §5.1, CIBA §7.3)",
    // Row CIBA-10.1.1-token-response.
    CibaTokenNoIdToken => "ciba-token-no-id-token": "the CIBA token response lacks `id_token` (CIBA §10.1.1, OIDC Core §3.1.3.3)",
    // Row CIBA-11-expired.
    CibaExpiredStillIssues => "ciba-expired-still-issues": "an expired `auth_req_id` is still pending, and yields tokens once approved (CIBA §11 expired_token)",
    // Row CIBA-11-access-denied.
    CibaDeniedStillIssues => "ciba-denied-still-issues": "a denied request yields tokens (CIBA §11 access_denied)",
    // Row CIBA-11-invalid-grant.
    CibaAuthReqIdNotClientBound => "ciba-auth-req-id-not-client-bound": "another client can redeem an `auth_req_id` (CIBA §10.1, §11 invalid_grant)",
    // Row CIBA-10.1.1-single-use.
    CibaAuthReqIdReusable => "ciba-auth-req-id-reusable": "an `auth_req_id` can be redeemed more than once (CIBA §10.1.1)",
    // Row CIBA-11-push-no-token-endpoint.
    CibaPushTokensStillAtTokenEndpoint => "ciba-push-tokens-still-at-token-endpoint": "a push client also gets its tokens at the token endpoint (CIBA §10, §11 unauthorized_client)",
    // Row CIBA-10.2-ping-may-poll.
    CibaPingPollRefused => "ciba-ping-poll-refused": "a ping client polling the token endpoint gets `unauthorized_client` (CIBA §10.1)",
    // Row CIBA-10.2-ping-request.
    CibaPingWithoutBearer => "ciba-ping-without-bearer": "the ping callback carries no `Authorization: Bearer` (CIBA §10.2, §9)",
    // Row CIBA-10.2-ping-request.
    CibaPingExtraBody => "ciba-ping-extra-body": "the ping body carries more than `auth_req_id` (CIBA §10.2)",
    // Row CIBA-10.2-ping-request (the denial run).
    CibaPingNotOnDenial => "ciba-ping-not-on-denial": "no ping is sent when the user denies (CIBA §10.2 successful or failed)",
    // Row CIBA-10.2-ping-not-early.
    CibaPingBeforeDecision => "ciba-ping-before-decision": "the ping is sent at once, before the user has acted (CIBA §10.2)",
    // Row CIBA-10.2-no-redirect-follow.
    CibaNotificationFollowsRedirects => "ciba-notification-follows-redirects": "ping and push callbacks follow 3xx redirects (CIBA §10.2, §10.3)",
    // Row CIBA-10.3-push-payload.
    CibaPushWithoutBearer => "ciba-push-without-bearer": "the push callback carries no `Authorization: Bearer` (CIBA §10.3, §9)",
    // Row CIBA-10.3.1-push-id-token.
    CibaPushIdTokenMissingAuthReqIdClaim => "ciba-push-id-token-missing-auth-req-id-claim": "the pushed ID token lacks `urn:openid:params:jwt:claim:auth_req_id` (CIBA §10.3.1)",
    // Row CIBA-10.3.1-push-id-token.
    CibaPushIdTokenMissingAtHash => "ciba-push-id-token-missing-at-hash": "the pushed ID token lacks `at_hash` (CIBA §10.3.1)",
    // Row CIBA-12-push-error.
    CibaPushErrorNotSent => "ciba-push-error-not-sent": "a denial is never delivered to a push client (CIBA §12)",
    // Pushed authorization requests (RFC 9126). Each names the requirements.md row its case proves.
    ParWrongStatus => "par-wrong-status": "a successful push answers 200 instead of 201 Created (RFC 9126 §2.2)", // PAR-2.2-201
    ParExpiresInString => "par-expires-in-string": "`expires_in` of the push response is a string, not a number (RFC 9126 §2.2)", // PAR-2.2-201
    ParRequestUriGuessable => "par-request-uri-guessable": "request URIs are a short sequential counter (RFC 9126 §2.2, §7.1)", // PAR-2.2-entropy
    ParGetAccepted => "par-get-accepted": "the PAR endpoint accepts GET with the parameters in the query (RFC 9126 §2)", // PAR-2-post-only
    ParWrongSecretAccepted => "par-wrong-secret-accepted": "the PAR endpoint accepts any secret for a known client (RFC 9126 §2.1)", // PAR-2-client-auth
    ParUnauthenticatedAccepted => "par-unauthenticated-accepted": "a confidential client naming itself with `client_id` alone may push (RFC 9126 §2.1)", // PAR-2-client-auth
    ParRequestUriParamAccepted => "par-request-uri-param-accepted": "a push carrying `request_uri` is accepted (RFC 9126 §2.1)", // PAR-2.1-no-request-uri
    ParPushedRequestNotValidated => "par-pushed-request-not-validated": "pushed requests are validated neither at push time nor at the authorization endpoint: any redirect URI, response type or PKCE method goes (RFC 9126 §2.1, §4)", // PAR-2.1-validated
    ParErrorNotJson => "par-error-not-json": "PAR endpoint errors are sent as text/plain, not JSON (RFC 9126 §2.3)", // PAR-2.3-error-shape
    ParPushedChallengeDropped => "par-pushed-challenge-dropped": "a pushed `code_challenge` is dropped, so the code is not bound to it (RFC 9126 §2, RFC 7636 §4.6)", // PAR-2-extensions-honoured
    ParRequestUriReusable => "par-request-uri-reusable": "a request URI can be used again after a completed authorization (RFC 9126 §4, §7.3)", // PAR-4-one-time
    ParRequestUriNotBoundToClient => "par-request-uri-not-bound-to-client": "another client's `client_id` may redeem a request URI (RFC 9126 §2.2)", // PAR-2.2-bound-client
    ParRequestUriNeverExpires => "par-request-uri-never-expires": "request URIs are honoured after `expires_in` (RFC 9126 §4)", // PAR-4-expired-rejected
    ParUnknownRequestUriIgnored => "par-unknown-request-uri-ignored": "an unknown `request_uri` is ignored and the front-channel parameters are used (RFC 9126 §4)", // PAR-4-unknown-request-uri
    ParFrontChannelOverrides => "par-front-channel-overrides": "front-channel parameters beside `request_uri` override the pushed ones (RFC 9126 §4, RFC 9101 §6.3)", // PAR-4-pushed-params-authoritative
    ParRequiredNotEnforced => "par-required-not-enforced": "a client registered with `require_pushed_authorization_requests` may still send plain authorization requests (RFC 9126 §6)", // PAR-4-required
    ParRequireFlagNotBoolean => "par-require-flag-not-boolean": "metadata `require_pushed_authorization_requests` is the string \"false\" (RFC 9126 §5)", // PAR-5-metadata
    ParPushedRequestAutoApproved => "par-pushed-request-auto-approved": "a pushed request is approved at the authorization endpoint without user authentication or consent (RFC 9126 §4, RFC 6749 §3.1)", // PAR-4-full-validation
    // Request objects (RFC 9101; RFC 9126 §3 at the PAR endpoint).
    JarSignatureNotVerified => "jar-signature-not-verified": "a request object's signature is not verified (RFC 9101 §6.2)", // JAR-6.2-signature, PAR-3-request-object-validated
    JarAlgNoneAccepted => "jar-alg-none-accepted": "an unsecured (`alg: none`) request object is accepted (RFC 9101 §5, §10.1, §10.5)", // JAR-10.5-no-none
    JarAudNotChecked => "jar-aud-not-checked": "a request object whose `aud` names another server is accepted (RFC 7519 §4.1.3)", // JAR-4-aud
    JarLifetimeNotChecked => "jar-lifetime-not-checked": "request objects are accepted after `exp` and before `nbf` (RFC 7519 §4.1.4, §4.1.5)", // JAR-4-jwt-validity
    JarClientIdMismatchAccepted => "jar-client-id-mismatch-accepted": "a request object whose `client_id` differs from the request's is accepted (RFC 9101 §6.3, RFC 9126 §3)", // JAR-6.3-client-id-match, PAR-3-client-id-match
    JarQueryParamsOverride => "jar-query-params-override": "parameters outside a request object override its claims, also beside a pushed one (RFC 9101 §6.3, RFC 9126 §3)", // JAR-6.3-only-object-params, PAR-3-only-jwt-params
    JarRequestAndUriAccepted => "jar-request-and-uri-accepted": "a request with both `request` and `request_uri` is processed, `request_uri` ignored (RFC 9101 §5)", // JAR-5-request-and-uri
    JarNestedRequestUriAccepted => "jar-nested-request-uri-accepted": "a request object carrying `request_uri` is accepted (RFC 9101 §4)", // JAR-4-no-nested
    JarUnsupportedRequestIgnored => "jar-unsupported-request-ignored": "the server advertises no request object support and silently ignores `request` instead of answering request_not_supported (OpenID Connect Core §6.1)", // JAR-7-error-codes
    JarRequestUriFailureIgnored => "jar-request-uri-failure-ignored": "a `request_uri` whose request object cannot be fetched is ignored and the parameters beside it used (RFC 9101 §5.2.3, §6.3, §7 invalid_request_uri)", // JAR-7-error-codes, JAR-6.3-only-object-params
    JarRequestUriPosted => "jar-request-uri-posted": "the request object at a `request_uri` is fetched with POST (RFC 9101 §5.2.3: GET)", // new
    JarUnsupportedRequestUriIgnored => "jar-unsupported-request-uri-ignored": "the server advertises no `request_uri` support and silently ignores it instead of answering request_uri_not_supported (OpenID Connect Core §6.2)", // JAR-7-error-codes
    JarClientIdOutsideOptional => "jar-client-id-outside-optional": "a request with `request` but no `client_id` parameter is processed (RFC 9101 §5)", // JAR-5-client-id-outside
    ParAssertionOwnUrlRefused => "par-assertion-own-url-refused": "a client assertion whose `aud` is the PAR endpoint's URL is refused there (RFC 9126 §2: the issuer, the token endpoint URL and the PAR endpoint URL are all audiences)", // PAR-2-assertion-audiences
    ParClientIdOptional => "par-client-id-optional": "the authorization endpoint resolves a request URI sent without `client_id` (RFC 9126 §4)", // new
    // JWT client authentication (RFC 7523, RFC 7521 §4.2, OIDC Core §9). Each names the
    // requirements.md row a case proves.
    // Row JWTAUTH-7523-2.2-assertion-type.
    AssertionTypeNotChecked => "assertion-type-not-checked": "any `client_assertion_type` is accepted with a valid assertion (RFC 7521 §4.2)",
    // Row JWTAUTH-7523-2.2-assertion-type.
    AssertionMixedMethodsInvalidRequest => "assertion-mixed-methods-invalid-request": "an assertion sent with another authentication mechanism gets `invalid_request` (RFC 7521 §4.2.1 MUST invalid_client)",
    // Row JWTAUTH-7521-4.2-client-id-consistent.
    AssertionClientIdIgnored => "assertion-client-id-ignored": "a `client_id` naming another client than the assertion is ignored (RFC 7521 §4.2)",
    // Row JWTAUTH-7523-3-iss-sub.
    AssertionIssSubNotChecked => "assertion-iss-sub-not-checked": "`iss` and `sub` need not be the client_id (RFC 7523 §3 items 1-2)",
    // Row JWTAUTH-7523-3-aud.
    AssertionAudNotChecked => "assertion-aud-not-checked": "any `aud` is accepted (RFC 7523 §3 item 3)",
    // Row JWTAUTH-7523-3-aud.
    AssertionAudIssuerOnly => "assertion-aud-issuer-only": "only the issuer is accepted as `aud`, not the token endpoint URL (RFC 7523 §3 item 3, OIDC Core §9)",
    // Row JWTAUTH-7523-3-exp.
    AssertionExpNotChecked => "assertion-exp-not-checked": "assertions without `exp` or past it are accepted (RFC 7523 §3 item 4)",
    // Row JWTAUTH-7523-3-nbf.
    AssertionNbfNotChecked => "assertion-nbf-not-checked": "assertions are accepted before their `nbf` (RFC 7523 §3 item 5)",
    // Row JWTAUTH-7523-3-jti-replay.
    AssertionJtiNotChecked => "assertion-jti-not-checked": "`jti` is neither required nor single use (OIDC Core §9)",
    // Row JWTAUTH-7523-3-signature.
    AssertionSignatureNotChecked => "assertion-signature-not-checked": "private_key_jwt signatures are not verified (RFC 7523 §3 item 9)",
    // Row JWTAUTH-7523-3-alg-none.
    AssertionAlgNoneAccepted => "assertion-alg-none-accepted": "unsecured (`alg` none) assertions are accepted (RFC 7523 §3 item 9)",
    // Row JWTAUTH-secretjwt.
    AssertionSecretNotChecked => "assertion-secret-not-checked": "client_secret_jwt MACs are not verified (OIDC Core §9, RFC 7523 §3 item 9)",
    // Row JWTAUTH-7523-3-malformed.
    AssertionMalformed500 => "assertion-malformed-500": "a malformed assertion answers 500 (RFC 7523 §3 item 10)",
    // Row JWTAUTH-alg-advertised.
    AssertionAlgNotAllowlisted => "assertion-alg-not-allowlisted": "assertions signed with an algorithm the metadata does not list are accepted (RFC 8414 §2, derived)",
    // Row JWTAUTH-7523-3.2-error-code.
    AssertionWrongErrorCode => "assertion-wrong-error-code": "invalid assertions get 400 `invalid_request` (RFC 7523 §3.2, RFC 7521 §4.2.1 invalid_client)",
    // Row JWTAUTH-method-binding.
    JwtClientSecretAccepted => "jwt-client-secret-accepted": "a client_secret_jwt client may also send its secret with Basic or in the body (RFC 7591 §2, derived)",
    // Dynamic client registration (RFC 7591) and its management (RFC 7592). Each names the
    // requirements.md row a case proves.
    // Row DCR-3-post-json, DCR-3.2.1-201-shape.
    RegistrationWrongStatus => "registration-wrong-status": "a successful registration answers 200 instead of 201 Created (RFC 7591 §3.2.1)",
    // Row DCR-3.2.1-secret-expiry.
    RegistrationSecretNoExpiry => "registration-secret-no-expiry": "a registration response with `client_secret` lacks `client_secret_expires_at` (RFC 7591 §3.2.1 REQUIRED)",
    // Row DCR-3.2.1-echo-all.
    RegistrationDefaultsNotEchoed => "registration-defaults-not-echoed": "defaults the server filled in (`token_endpoint_auth_method`, `grant_types`, `response_types`) are left out of the response (RFC 7591 §3.2.1)",
    // Row DCR-3.2.1-echo-all.
    RegistrationMetadataNotEchoed => "registration-metadata-not-echoed": "the registration response returns only the credentials, none of the registered metadata (RFC 7591 §3.2.1 MUST)",
    // Row DCR-3.2.1-replace-visible.
    RegistrationScopeReplacedSilently => "registration-scope-replaced-silently": "a requested scope value the server does not offer is left out of the response but kept for the client, so the response hides what was stored (RFC 7591 §3.2.1)",
    // Row DCR-2-defaults.
    RegistrationDefaultMethodPost => "registration-default-method-post": "an omitted `token_endpoint_auth_method` defaults to client_secret_post (RFC 7591 §2: client_secret_basic)",
    // Row DCR-2-public-none.
    RegistrationNoneNeedsSecret => "registration-none-needs-secret": "a client registered with `token_endpoint_auth_method` none must still authenticate with a secret (RFC 7591 §2)",
    // Row DCR-2-jwks-exclusive.
    RegistrationJwksBothKept => "registration-jwks-both-kept": "`jwks` and `jwks_uri` are registered and returned together (RFC 7591 §2 MUST NOT)",
    // Rows DCR-3.2.2-invalid-redirect, RFC6749-3.1.2-absolute-no-fragment.
    RegistrationRedirectSyntaxUnchecked => "registration-redirect-syntax-unchecked": "relative redirect URIs and ones with a fragment are registered (RFC 6749 §3.1.2, RFC 7591 §3.2.2)",
    // Row BCP-2.6-no-http-redirect.
    RegistrationHttpRedirectAccepted => "registration-http-redirect-accepted": "a non-loopback `http` redirect URI is registered (RFC 7591 §5, RFC 9700 §2.6)",
    // Row DCR-3.2.2-invalid-redirect.
    RegistrationRedirectSchemeUnchecked => "registration-redirect-scheme-unchecked": "`javascript:` and `data:` redirect URIs are registered (RFC 7591 §5, §3.2.2)",
    // Rows DCR-5-redirect-required, RFC6749-3.1.2.2-public-register.
    RegistrationRedirectNotRequired => "registration-redirect-not-required": "clients of redirect-based grants are registered without `redirect_uris` (RFC 7591 §5, RFC 6749 §3.1.2.2)",
    // Row DCR-2-ignore-unknown.
    RegistrationUnknownMemberRejected => "registration-unknown-member-rejected": "a registration carrying a metadata member the server does not understand is refused (RFC 7591 §2 MUST ignore)",
    // Row DCR-3.2.2-invalid-metadata.
    RegistrationBadMetadataAccepted => "registration-bad-metadata-accepted": "metadata of the wrong type or with unknown values is registered as sent (RFC 7591 §3.2.2 invalid_client_metadata)",
    // Row DCR-2.1-grant-response-consistency.
    RegistrationInconsistentTypesKept => "registration-inconsistent-types-kept": "`response_types` that do not match `grant_types` are registered as sent (RFC 7591 §2.1 SHOULD)",
    // Row DCR-3.2.2-error-shape.
    RegistrationErrorNotJson => "registration-error-not-json": "registration errors are sent as text/plain, not a JSON object (RFC 7591 §3.2.2)",
    // Rows DCR-sec-client-id-assigned, BCP-4.15-client-id-influence.
    RegistrationClientChosenId => "registration-client-chosen-id": "a `client_id` in the registration request becomes the client's identifier (RFC 7591 §3.2.1, §6; RFC 9700 §4.15)",
    // Row DCR-sec-no-store.
    RegistrationCacheable => "registration-cacheable": "registration and client configuration responses carrying secrets lack `Cache-Control: no-store` (RFC 6749 §5.1 by analogy)",
    // Row DCR-3.2.1-unique-credentials.
    RegistrationSharedSecret => "registration-shared-secret": "every registered client gets the same `client_secret` (RFC 7591 §3.2.1, §5)",
    // Row DCR-usable.
    RegistrationNotStored => "registration-not-stored": "a registration answers 201 but the client is never stored, so its credentials do not work (RFC 7591 §3, derived)",
    // Row DCR-7592-3-management-fields.
    RegistrationRelativeClientUri => "registration-relative-client-uri": "`registration_client_uri` is a path, not a fully qualified URL (RFC 7592 §3)",
    // Row DCR-7592-5-rat-entropy.
    RegistrationWeakRat => "registration-weak-rat": "registration access tokens are a short sequential counter (RFC 7592 §5)",
    // Row DCR-7592-2.1-cross-client.
    RegistrationRatCrossClient => "registration-rat-cross-client": "any client's registration access token opens every client configuration endpoint (RFC 7592 §2.1, App. B)",
    // Row DCR-7592-2.1-read.
    RegistrationReadWithoutSecret => "registration-read-without-secret": "the read response leaves out `client_secret` and `registration_access_token` (RFC 7592 App. A.1 MUST)",
    // Row DCR-7592-2.1-bad-token.
    RegistrationNoWwwAuthenticate => "registration-no-www-authenticate": "a client configuration request without a valid token gets 401 without `WWW-Authenticate` (RFC 6750 §3)",
    // Row DCR-7592-2.1-bad-token.
    RegistrationInvalidTokenUnflagged => "registration-invalid-token-unflagged": "the Bearer challenge for a wrong registration access token carries no `error=\"invalid_token\"` (RFC 6750 §3.1 SHOULD)",
    // Row DCR-7592-2.2-update-replaces.
    RegistrationUpdateAugments => "registration-update-augments": "an update adds to the stored `redirect_uris` instead of replacing them (RFC 7592 §2.2 MUST replace)",
    // Row DCR-7592-2.2-client-id.
    RegistrationUpdateClientIdIgnored => "registration-update-client-id-ignored": "an update whose `client_id` is missing or names another client is applied (RFC 7592 §2.2)",
    // Row DCR-7592-2.2-forbidden-fields.
    RegistrationUpdateFieldsApplied => "registration-update-fields-applied": "`registration_access_token` and `client_id_issued_at` sent in an update are applied (RFC 7592 §2.2)",
    // Row DCR-7592-2.2-secret-rules.
    RegistrationUpdateSecretChosen => "registration-update-secret-chosen": "an update sets the `client_secret` the client chose (RFC 7592 §2.2 MUST NOT)",
    // Row DCR-7592-2.2-invalid.
    RegistrationUpdateInvalidApplied => "registration-update-invalid-applied": "an update with an invalid redirect URI is applied (RFC 7592 §2.2)",
    // Row DCR-7592-2.3-delete.
    RegistrationDeleteKeepsClient => "registration-delete-keeps-client": "DELETE answers 204 but the client, its secret and its registration access token keep working (RFC 7592 §2.3 MUST)",
    // Row DCR-7592-2.3-delete.
    RegistrationDeleteKeepsTokens => "registration-delete-keeps-tokens": "tokens issued to a deleted client stay active (RFC 7592 §2.3 SHOULD)",
    // Row DCR-7592-2-unsupported-method.
    RegistrationPatchAccepted => "registration-patch-accepted": "PATCH on the client configuration endpoint is answered 200 (RFC 7592 §2)",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &fault in Fault::ALL {
            let name = fault.name();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
            assert!(!fault.description().is_empty(), "{name}");
            assert_eq!(name.parse::<Fault>(), Ok(fault));
            assert_eq!(fault.to_string(), name);
        }
        assert_eq!(
            "no-such-fault".parse::<Fault>(),
            Err(UnknownFault("no-such-fault".into()))
        );
    }
}
