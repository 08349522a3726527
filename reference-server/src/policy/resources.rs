//! Policy of the endpoints around tokens: revocation (RFC 7009), introspection (RFC 7662),
//! userinfo (OIDC Core §5.3, RFC 6750), metadata (RFC 8414, OIDC Discovery) and the JWKS.

use axum::http::StatusCode;

use super::{ClientAuthPolicy, Faults};
use crate::errors::ErrorFormat;
use crate::faults::Fault;

/// Revocation (RFC 7009).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationPolicy {
    pub client_auth: ClientAuthPolicy,
    /// §2.2: an unknown or invalid token answers 200. Off: `revoke-unknown-token-400`.
    pub unknown_token_ok: bool,
    /// §2.2: an already revoked token answers 200. Off: `revoke-revoked-token-400`.
    pub revoked_token_ok: bool,
    /// §2.1: `token` is required. Off: `revoke-missing-token-200`.
    pub token_required: bool,
    /// §2.1: the client authenticates. Off: `revoke-no-client-auth`.
    pub client_auth_required: bool,
    /// §2: revoking an access token invalidates it. Off: `revoke-access-token-noop`.
    pub access_tokens_revocable: bool,
    /// §2.1: a token of another type than the hint is still found. Off:
    /// `revoke-honours-hint-strictly`.
    pub hint_advisory: bool,
    /// §2.2: an unknown hint is ignored. Off: `revoke-rejects-unknown-hint`.
    pub unknown_hint_ignored: bool,
    /// §2.1: a client revokes only its own tokens. Off: `revoke-any-clients-token`.
    pub own_tokens_only: bool,
    /// §2.2.1: errors are JSON; plain text under `revoke-error-not-json`.
    pub error_format: ErrorFormat,
    /// §2.1 SHOULD: revoking a refresh token revokes its grant's access tokens. Off:
    /// `revoke-refresh-no-cascade`.
    pub refresh_cascades: bool,
    /// §2: refresh tokens can be revoked. Off: `revoke-refresh-unsupported`.
    pub refresh_revocable: bool,
}

impl RevocationPolicy {
    pub(super) fn new(on: &Faults) -> RevocationPolicy {
        RevocationPolicy {
            client_auth: ClientAuthPolicy {
                secret_checked: !on(Fault::RevokeWrongSecretAccepted),
                basic_urldecoded: true,
            },
            unknown_token_ok: !on(Fault::RevokeUnknownToken400),
            revoked_token_ok: !on(Fault::RevokeRevokedToken400),
            token_required: !on(Fault::RevokeMissingToken200),
            client_auth_required: !on(Fault::RevokeNoClientAuth),
            access_tokens_revocable: !on(Fault::RevokeAccessTokenNoop),
            hint_advisory: !on(Fault::RevokeHonoursHintStrictly),
            unknown_hint_ignored: !on(Fault::RevokeRejectsUnknownHint),
            own_tokens_only: !on(Fault::RevokeAnyClientsToken),
            error_format: if on(Fault::RevokeErrorNotJson) {
                ErrorFormat::PlainText
            } else {
                ErrorFormat::Json
            },
            refresh_cascades: !on(Fault::RevokeRefreshNoCascade),
            refresh_revocable: !on(Fault::RevokeRefreshUnsupported),
        }
    }
}

/// Introspection (RFC 7662).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrospectionPolicy {
    pub client_auth: ClientAuthPolicy,
    /// §2.2: `active` is a JSON boolean. Off: `introspect-active-as-string`.
    pub active_as_boolean: bool,
    /// §2.2: active tokens are reported active. Off: `introspect-active-always-false`.
    pub activity_reported: bool,
    /// §2.2: an unknown token is `{"active":false}`. Off: `introspect-unknown-token-400`.
    pub unknown_token_inactive: bool,
    /// §2.2 SHOULD NOT: an inactive answer has no other claims. Off:
    /// `introspect-inactive-leaks-claims`.
    pub inactive_claims_hidden: bool,
    /// §4: revoked tokens are inactive. Off: `introspect-ignores-revocation`.
    pub revocation_honoured: bool,
    /// RFC 9700 §4.14.2: rotated-out refresh tokens are inactive. Off:
    /// `introspect-ignores-rotation`.
    pub rotation_honoured: bool,
    /// §4: expired tokens are inactive. Off: `introspect-ignores-expiry`.
    pub expiry_honoured: bool,
    /// §2.1: `token` is required. Off: `introspect-missing-token-inactive`.
    pub token_required: bool,
    /// §2.1: the caller authenticates. Off: `introspect-no-client-auth`.
    pub client_auth_required: bool,
    /// §2.1: a token of another type than the hint is still found. Off:
    /// `introspect-honours-hint-strictly`.
    pub hint_advisory: bool,
    /// §2.2: `exp` and `iat` are integer seconds. Off: `introspect-exp-as-string`.
    pub times_as_numbers: bool,
    /// §2.2: `client_id` is the token's client. Off: `introspect-wrong-client-id`.
    pub client_id_of_token: bool,
    /// §2.2: `scope` is the token's scope. Off: `introspect-wrong-scope`.
    pub scope_of_token: bool,
    /// §2.2: responses are application/json. Off: `introspect-wrong-content-type`.
    pub json_content_type: bool,
    /// §2.2, §2.3: another client's token gets a JSON `active` answer. Off:
    /// `introspect-cross-client-403`.
    pub cross_client_answered: bool,
    /// `Cache-Control: no-store` (RFC 6749 §5.1 by analogy). Off:
    /// `introspect-missing-no-store`.
    pub no_store: bool,
    /// §2.2: valid refresh tokens are active. Off: `introspect-refresh-inactive`.
    pub refresh_tokens_active: bool,
}

impl IntrospectionPolicy {
    pub(super) fn new(on: &Faults) -> IntrospectionPolicy {
        IntrospectionPolicy {
            client_auth: ClientAuthPolicy {
                secret_checked: !on(Fault::IntrospectWrongSecretAccepted),
                basic_urldecoded: true,
            },
            active_as_boolean: !on(Fault::IntrospectActiveAsString),
            activity_reported: !on(Fault::IntrospectActiveAlwaysFalse),
            unknown_token_inactive: !on(Fault::IntrospectUnknownToken400),
            inactive_claims_hidden: !on(Fault::IntrospectInactiveLeaksClaims),
            revocation_honoured: !on(Fault::IntrospectIgnoresRevocation),
            rotation_honoured: !on(Fault::IntrospectIgnoresRotation),
            expiry_honoured: !on(Fault::IntrospectIgnoresExpiry),
            token_required: !on(Fault::IntrospectMissingTokenInactive),
            client_auth_required: !on(Fault::IntrospectNoClientAuth),
            hint_advisory: !on(Fault::IntrospectHonoursHintStrictly),
            times_as_numbers: !on(Fault::IntrospectExpAsString),
            client_id_of_token: !on(Fault::IntrospectWrongClientId),
            scope_of_token: !on(Fault::IntrospectWrongScope),
            json_content_type: !on(Fault::IntrospectWrongContentType),
            cross_client_answered: !on(Fault::IntrospectCrossClient403),
            no_store: !on(Fault::IntrospectMissingNoStore),
            refresh_tokens_active: !on(Fault::IntrospectRefreshInactive),
        }
    }
}

/// UserInfo (OIDC Core §5.3, RFC 6750).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserinfoPolicy {
    /// RFC 6750 §3: a 401 carries `WWW-Authenticate`. Off: `userinfo-no-www-authenticate`.
    pub challenge_on_401: bool,
    /// RFC 6750 §3.1 SHOULD NOT: no `error` without credentials. Off:
    /// `userinfo-error-without-credentials`.
    pub silent_without_credentials: bool,
    /// RFC 6750 §3.1 invalid_token for an unknown token. Off:
    /// `userinfo-invalid-token-accepted`.
    pub unknown_token_refused: bool,
    /// RFC 6750 §3.1: the status of `insufficient_scope`: 403, or 401 under
    /// `userinfo-insufficient-scope-401`.
    pub insufficient_scope_status: StatusCode,
    /// RFC 6750 §3.1: a token without `openid` gets no claims. Off: `userinfo-ignores-scope`.
    pub openid_scope_required: bool,
    /// A revoked token is refused. Off: `userinfo-revoked-accepted`.
    pub revoked_refused: bool,
    /// An expired token is refused. Off: `userinfo-expired-accepted`.
    pub expired_refused: bool,
    /// OIDC Core §5.3: POST is supported. Off: `userinfo-post-unsupported`.
    pub post_supported: bool,
    /// RFC 6750 §2: one way of presenting the token per request. Off:
    /// `userinfo-multiple-methods-accepted`.
    pub one_method_only: bool,
    /// RFC 9110 §11.1: the scheme is case-insensitive. Off: `userinfo-scheme-case-sensitive`.
    pub scheme_case_insensitive: bool,
    /// OIDC Core §5.3.2: application/json. Off: `userinfo-wrong-content-type`.
    pub json_content_type: bool,
    /// OIDC Core §5.3.2: `sub` is present. Off: `userinfo-no-sub`.
    pub sub_included: bool,
    /// OIDC Core §5.3.2: `sub` equals the ID token's. Off: `userinfo-sub-mismatch`.
    pub sub_matches_id_token: bool,
    /// RFC 6750 §3.1: a refresh token is no bearer token. Off:
    /// `userinfo-refresh-token-accepted`.
    pub refresh_token_refused: bool,
    /// RFC 6750 §2.3: a query-string token gets `Cache-Control: private`. Off:
    /// `userinfo-query-token-not-private`.
    pub query_token_private: bool,
}

impl UserinfoPolicy {
    pub(super) fn new(on: &Faults) -> UserinfoPolicy {
        UserinfoPolicy {
            challenge_on_401: !on(Fault::UserinfoNoWwwAuthenticate),
            silent_without_credentials: !on(Fault::UserinfoErrorWithoutCredentials),
            unknown_token_refused: !on(Fault::UserinfoInvalidTokenAccepted),
            insufficient_scope_status: if on(Fault::UserinfoInsufficientScope401) {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            },
            openid_scope_required: !on(Fault::UserinfoIgnoresScope),
            revoked_refused: !on(Fault::UserinfoRevokedAccepted),
            expired_refused: !on(Fault::UserinfoExpiredAccepted),
            post_supported: !on(Fault::UserinfoPostUnsupported),
            one_method_only: !on(Fault::UserinfoMultipleMethodsAccepted),
            scheme_case_insensitive: !on(Fault::UserinfoSchemeCaseSensitive),
            json_content_type: !on(Fault::UserinfoWrongContentType),
            sub_included: !on(Fault::UserinfoNoSub),
            sub_matches_id_token: !on(Fault::UserinfoSubMismatch),
            refresh_token_refused: !on(Fault::UserinfoRefreshTokenAccepted),
            query_token_private: !on(Fault::UserinfoQueryTokenNotPrivate),
        }
    }
}

/// How the metadata's `issuer` member relates to the issuer (RFC 8414 §3.3: identical).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuerClaim {
    Exact,
    /// `metadata-issuer-trailing-slash`.
    TrailingSlash,
    /// `metadata-issuer-with-query` (RFC 8414 §2: no query).
    WithQuery,
}

/// Metadata (RFC 8414, OIDC Discovery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataPolicy {
    /// §3: served at the inserted well-known location. Off: `metadata-no-rfc8414-path`.
    pub rfc8414_path: bool,
    /// §3.2: application/json. Off: `metadata-wrong-content-type`.
    pub json_content_type: bool,
    /// §3.3: the `issuer` member.
    pub issuer: IssuerClaim,
    /// OIDC Discovery §4.3: the OpenID configuration's issuer is the issuer. Off:
    /// `oidc-config-issuer-mismatch`.
    pub oidc_issuer_exact: bool,
    /// §2 REQUIRED `response_types_supported`. Off: `metadata-missing-response-types`.
    pub response_types_listed: bool,
    /// §2 `token_endpoint`. Off: `metadata-missing-token-endpoint`.
    pub token_endpoint_listed: bool,
    /// §3.2: members with zero elements are omitted. Off: `metadata-empty-array`.
    pub empty_arrays_omitted: bool,
    /// §2: no `none` in `token_endpoint_auth_signing_alg_values_supported`. Off: `metadata-none-auth-alg`.
    pub none_auth_alg_omitted: bool,
    /// §2 + RFC 9700 §2.1.1: `code_challenge_methods_supported`. Off:
    /// `metadata-no-pkce-methods`.
    pub pkce_methods_listed: bool,
    /// §2: list members are JSON arrays. Off: `metadata-array-as-string`.
    pub lists_as_arrays: bool,
}

impl MetadataPolicy {
    pub(super) fn new(on: &Faults) -> MetadataPolicy {
        MetadataPolicy {
            rfc8414_path: !on(Fault::MetadataNoRfc8414Path),
            json_content_type: !on(Fault::MetadataWrongContentType),
            issuer: if on(Fault::MetadataIssuerTrailingSlash) {
                IssuerClaim::TrailingSlash
            } else if on(Fault::MetadataIssuerWithQuery) {
                IssuerClaim::WithQuery
            } else {
                IssuerClaim::Exact
            },
            oidc_issuer_exact: !on(Fault::OidcConfigIssuerMismatch),
            response_types_listed: !on(Fault::MetadataMissingResponseTypes),
            token_endpoint_listed: !on(Fault::MetadataMissingTokenEndpoint),
            empty_arrays_omitted: !on(Fault::MetadataEmptyArray),
            none_auth_alg_omitted: !on(Fault::MetadataNoneAuthAlg),
            pkce_methods_listed: !on(Fault::MetadataNoPkceMethods),
            lists_as_arrays: !on(Fault::MetadataArrayAsString),
        }
    }
}

/// The JWK Set (RFC 7517, OIDC Discovery §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksPolicy {
    /// Only public key members are published. Off: `jwks-leaks-private-key`.
    pub public_members_only: bool,
    /// RFC 7517 §4.5: one key per `kid`. Off: `jwks-duplicate-kid` (a second key is then
    /// generated at start-up).
    pub unique_kids: bool,
}

impl JwksPolicy {
    pub(super) fn new(on: &Faults) -> JwksPolicy {
        JwksPolicy {
            public_members_only: !on(Fault::JwksLeaksPrivateKey),
            unique_kids: !on(Fault::JwksDuplicateKid),
        }
    }
}
