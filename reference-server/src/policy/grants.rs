//! Policy of the token endpoint and its grants: RFC 6749 §3.2, §4.1.3, §5, §6; RFC 7636;
//! RFC 9700 §2.1.1, §4.14.2.

use std::time::Duration;

use axum::http::StatusCode;

use super::{ClientAuthPolicy, Faults};
use crate::errors::ErrorFormat;
use crate::faults::Fault;
use crate::pkce::Method;

/// How long codes live under the `code-long-lifetime` fault.
const LONG_CODE_TTL: Duration = Duration::from_secs(3600);

/// The token endpoint (RFC 6749 §3.2, §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPolicy {
    pub client_auth: ClientAuthPolicy,
    /// §5.1 `Cache-Control: no-store`. Off: `token-missing-no-store`.
    pub no_store: bool,
    /// §5.1 `Pragma: no-cache`. Off: `token-missing-pragma`.
    pub pragma_no_cache: bool,
    /// §5.1 `token_type`. Off: `token-missing-token-type`.
    pub token_type_sent: bool,
    /// §5.1 `expires_in`. Off: `token-no-expires-in`.
    pub expires_in_sent: bool,
    /// §5.2: 401 for failed Basic authentication; 400 under `token-basic-failure-400`.
    pub basic_failure_status: StatusCode,
    /// §5.2: the 401 carries `WWW-Authenticate`. Off: `token-basic-no-www-authenticate`.
    pub basic_failure_challenge: bool,
    /// §5.2: an unknown grant type is `unsupported_grant_type`, not `invalid_request`.
    /// Off: `token-unsupported-grant-wrong-code`.
    pub unknown_grant_unsupported: bool,
    /// §4.4.2: `grant_type` is required. Off: `token-missing-grant-type-accepted`.
    pub grant_type_required: bool,
    /// §3.2: repeated parameters are refused. Off: `token-duplicate-param-accepted`.
    pub repeated_params_refused: bool,
    /// §5.2: errors are JSON; plain text under `token-error-not-json`.
    pub error_format: ErrorFormat,
    /// §5.2 invalid_scope: client_credentials grants no more than the client's scope. Off:
    /// `token-scope-widened`.
    pub scope_within_registration: bool,
}

impl TokenPolicy {
    pub(super) fn new(on: &Faults) -> TokenPolicy {
        TokenPolicy {
            client_auth: ClientAuthPolicy {
                secret_checked: !on(Fault::TokenWrongSecretAccepted),
                basic_urldecoded: !on(Fault::TokenBasicNoUrldecode),
            },
            no_store: !on(Fault::TokenMissingNoStore),
            pragma_no_cache: !on(Fault::TokenMissingPragma),
            token_type_sent: !on(Fault::TokenMissingTokenType),
            expires_in_sent: !on(Fault::TokenNoExpiresIn),
            basic_failure_status: if on(Fault::TokenBasicFailure400) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNAUTHORIZED
            },
            basic_failure_challenge: !on(Fault::TokenBasicNoWwwAuthenticate),
            unknown_grant_unsupported: !on(Fault::TokenUnsupportedGrantWrongCode),
            grant_type_required: !on(Fault::TokenMissingGrantTypeAccepted),
            repeated_params_refused: !on(Fault::TokenDuplicateParamAccepted),
            error_format: if on(Fault::TokenErrorNotJson) {
                ErrorFormat::PlainText
            } else {
                ErrorFormat::Json
            },
            scope_within_registration: !on(Fault::TokenScopeWidened),
        }
    }
}

/// Authorization codes (RFC 6749 §4.1.2, §4.1.3, §10.5, §10.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePolicy {
    /// §4.1.2: a code is redeemed once. Off: `code-reuse-allowed`.
    pub single_use: bool,
    /// §4.1.2: a replay revokes the tokens issued from the code. Off:
    /// `code-replay-no-revoke`.
    pub replay_revokes_tokens: bool,
    /// §4.1.3: only the client the code was issued to redeems it. Off:
    /// `code-not-bound-to-client`.
    pub bound_to_client: bool,
    /// §4.1.3: the exchange's `redirect_uri` must equal the request's. Off:
    /// `code-redirect-uri-not-checked`.
    pub redirect_uri_compared: bool,
    /// §4.1.3: `redirect_uri` is required when the request had one. Off:
    /// `code-redirect-uri-not-required`.
    pub redirect_uri_required: bool,
    /// §5.2 invalid_grant for an unknown code. Off: `code-unknown-accepted`.
    pub unknown_refused: bool,
    /// How long a code stays redeemable: the configured lifetime, or an hour under
    /// `code-long-lifetime`.
    pub lifetime: Duration,
    /// §5.2: a missing `code` is `invalid_request`. Off: `code-missing-wrong-error`.
    pub missing_is_invalid_request: bool,
    /// §3.2.1: a confidential client authenticates to exchange a code. Off:
    /// `code-confidential-no-secret`.
    pub confidential_secret_required: bool,
    /// §4.1.3: a public client names itself with `client_id`. Off:
    /// `code-public-no-client-id`.
    pub public_client_id_required: bool,
    /// §10.10: codes are random, not a counter. Off: `code-sequential`.
    pub random: bool,
}

impl CodePolicy {
    pub(super) fn new(on: &Faults, code_ttl: u64) -> CodePolicy {
        CodePolicy {
            single_use: !on(Fault::CodeReuseAllowed),
            replay_revokes_tokens: !on(Fault::CodeReplayNoRevoke),
            bound_to_client: !on(Fault::CodeNotBoundToClient),
            redirect_uri_compared: !on(Fault::CodeRedirectUriNotChecked),
            redirect_uri_required: !on(Fault::CodeRedirectUriNotRequired),
            unknown_refused: !on(Fault::CodeUnknownAccepted),
            lifetime: if on(Fault::CodeLongLifetime) {
                LONG_CODE_TTL
            } else {
                Duration::from_secs(code_ttl)
            },
            missing_is_invalid_request: !on(Fault::CodeMissingWrongError),
            confidential_secret_required: !on(Fault::CodeConfidentialNoSecret),
            public_client_id_required: !on(Fault::CodePublicNoClientId),
            random: !on(Fault::CodeSequential),
        }
    }
}

/// PKCE (RFC 7636; RFC 9700 §2.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkcePolicy {
    /// §4.6: the S256 verifier is checked. Off: `pkce-s256-not-verified`.
    pub s256_verified: bool,
    /// §4.6: with an S256 challenge, the challenge itself is no verifier. Off:
    /// `pkce-plain-downgrade`.
    pub plain_downgrade_refused: bool,
    /// RFC 9700 §4.8.2: a verifier needs a challenge. Off: `pkce-verifier-without-challenge`.
    pub verifier_needs_challenge: bool,
    /// §4.6: a code with a challenge needs the verifier. Off:
    /// `pkce-missing-verifier-accepted`.
    pub verifier_required: bool,
    /// RFC 9700 §2.1.1: public clients send a challenge. Off:
    /// `pkce-public-without-challenge`.
    pub required_for_public: bool,
    /// §4.4.1: an unknown method is refused. Off: `pkce-unsupported-method-accepted`.
    pub unknown_method_refused: bool,
    /// §4.3: the method without `code_challenge_method`: plain, or S256 under
    /// `pkce-default-s256`.
    pub default_method: Method,
    /// §4.1: verifier syntax. Off: `pkce-verifier-syntax-unchecked`.
    pub verifier_syntax_checked: bool,
    /// §4.2: challenge syntax. Off: `pkce-challenge-syntax-unchecked`.
    pub challenge_syntax_checked: bool,
    /// §4.4: the code does not carry the challenge. Off: `pkce-challenge-in-code`.
    pub challenge_hidden: bool,
    /// §4.6: the verifier is checked against this code's challenge only. Off:
    /// `pkce-verifier-any-flow`.
    pub verifier_bound_to_code: bool,
}

impl PkcePolicy {
    pub(super) fn new(on: &Faults) -> PkcePolicy {
        PkcePolicy {
            s256_verified: !on(Fault::PkceS256NotVerified),
            plain_downgrade_refused: !on(Fault::PkcePlainDowngrade),
            verifier_needs_challenge: !on(Fault::PkceVerifierWithoutChallenge),
            verifier_required: !on(Fault::PkceMissingVerifierAccepted),
            required_for_public: !on(Fault::PkcePublicWithoutChallenge),
            unknown_method_refused: !on(Fault::PkceUnsupportedMethodAccepted),
            default_method: if on(Fault::PkceDefaultS256) {
                Method::S256
            } else {
                Method::Plain
            },
            verifier_syntax_checked: !on(Fault::PkceVerifierSyntaxUnchecked),
            challenge_syntax_checked: !on(Fault::PkceChallengeSyntaxUnchecked),
            challenge_hidden: !on(Fault::PkceChallengeInCode),
            verifier_bound_to_code: !on(Fault::PkceVerifierAnyFlow),
        }
    }
}

/// Refresh tokens (RFC 6749 §6; RFC 9700 §4.14.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// RFC 9700 §4.14.2: public clients get a new refresh token. Off:
    /// `refresh-no-rotation-public`.
    pub rotated_for_public: bool,
    /// RFC 9700 §4.14.2: a rotated-out token is invalid. Off:
    /// `refresh-old-valid-after-rotation`.
    pub old_invalid_after_rotation: bool,
    /// RFC 9700 §4.14.2: replaying a rotated-out token revokes the active one. Off:
    /// `refresh-reuse-not-detected`.
    pub reuse_detected: bool,
    /// §6, §10.4: only the client it was issued to uses it. Off:
    /// `refresh-not-bound-to-client`.
    pub bound_to_client: bool,
    /// §6: no scope beyond the original grant. Off: `refresh-scope-expansion`.
    pub scope_within_grant: bool,
    /// §6: a revoked refresh token is refused. Off: `refresh-revoked-accepted`.
    pub revoked_refused: bool,
    /// §6: a confidential client authenticates to refresh. Off:
    /// `refresh-confidential-no-secret`.
    pub confidential_secret_required: bool,
    /// §6: the new refresh token keeps the original scope. Off:
    /// `refresh-rotated-scope-narrowed`.
    pub rotated_scope_kept: bool,
    /// §5.2: a client without the grant gets `unauthorized_client`. Off:
    /// `refresh-restricted-wrong-error`.
    pub restricted_is_unauthorized_client: bool,
}

impl RefreshPolicy {
    pub(super) fn new(on: &Faults) -> RefreshPolicy {
        RefreshPolicy {
            rotated_for_public: !on(Fault::RefreshNoRotationPublic),
            old_invalid_after_rotation: !on(Fault::RefreshOldValidAfterRotation),
            reuse_detected: !on(Fault::RefreshReuseNotDetected),
            bound_to_client: !on(Fault::RefreshNotBoundToClient),
            scope_within_grant: !on(Fault::RefreshScopeExpansion),
            revoked_refused: !on(Fault::RefreshRevokedAccepted),
            confidential_secret_required: !on(Fault::RefreshConfidentialNoSecret),
            rotated_scope_kept: !on(Fault::RefreshRotatedScopeNarrowed),
            restricted_is_unauthorized_client: !on(Fault::RefreshRestrictedWrongError),
        }
    }
}
