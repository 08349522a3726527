//! Policy of dynamic client registration (RFC 7591) and of the client configuration
//! endpoint (RFC 7592). Each field names the fault that changes it.

use super::Faults;
use crate::errors::ErrorFormat;
use crate::faults::Fault;

/// How registrations are validated, answered and managed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationPolicy {
    /// RFC 7591 §3.2.1: success is 201 Created. 200 under `registration-wrong-status`.
    pub created: bool,
    /// §3.2.1: `client_secret_expires_at` accompanies a secret. Off:
    /// `registration-secret-no-expiry`.
    pub secret_expiry_sent: bool,
    /// §3.2.1: defaults the server filled in are returned. Off:
    /// `registration-defaults-not-echoed`.
    pub defaults_echoed: bool,
    /// §3.2.1: the registered metadata is returned. Off: `registration-metadata-not-echoed`.
    pub metadata_echoed: bool,
    /// §3.2.1: a replaced value is shown as stored. Off:
    /// `registration-scope-replaced-silently`.
    pub replacements_shown: bool,
    /// §2: an omitted `token_endpoint_auth_method` is client_secret_basic. Off:
    /// `registration-default-method-post`.
    pub default_method_basic: bool,
    /// §2: `none` makes a public client. Off: `registration-none-needs-secret`.
    pub none_is_public: bool,
    /// §2: `jwks` and `jwks_uri` never both. Off: `registration-jwks-both-kept`.
    pub jwks_exclusive: bool,
    /// RFC 6749 §3.1.2: absolute redirect URIs without fragment. Off:
    /// `registration-redirect-syntax-unchecked`.
    pub redirect_syntax_checked: bool,
    /// RFC 7591 §5, RFC 9700 §2.6: `http` only on the local machine. Off:
    /// `registration-http-redirect-accepted`.
    pub http_redirect_refused: bool,
    /// §5: `javascript:` and `data:` are no redirect URIs. Off:
    /// `registration-redirect-scheme-unchecked`.
    pub redirect_scheme_checked: bool,
    /// §5: redirect-based grants need redirect URIs. Off: `registration-redirect-not-required`.
    pub redirect_required: bool,
    /// §2: unknown members are ignored. Off: `registration-unknown-member-rejected`.
    pub unknown_ignored: bool,
    /// §3.2.2: metadata types and values are checked. Off:
    /// `registration-bad-metadata-accepted`.
    pub metadata_checked: bool,
    /// §2.1: `response_types` must match `grant_types`. Off:
    /// `registration-inconsistent-types-kept`.
    pub types_consistent: bool,
    /// §3.2.2: errors are JSON; plain text under `registration-error-not-json`.
    pub error_format: ErrorFormat,
    /// §3.2.1, §6: the server chooses `client_id`. Off: `registration-client-chosen-id`.
    pub server_chosen_id: bool,
    /// RFC 6749 §5.1 by analogy: `Cache-Control: no-store`. Off: `registration-cacheable`.
    pub no_store: bool,
    /// §3.2.1: secrets are unique per client. Off: `registration-shared-secret`.
    pub unique_secrets: bool,
    /// §3: a registered client exists at once. Off: `registration-not-stored`.
    pub stored: bool,
    /// RFC 7592 §3: `registration_client_uri` is fully qualified. Off:
    /// `registration-relative-client-uri`.
    pub absolute_client_uri: bool,
    /// RFC 7592 §5: registration access tokens are random. Off: `registration-weak-rat`.
    pub random_tokens: bool,
    /// RFC 7592 §2.1, App. B: a token opens only its own client's URI. Off:
    /// `registration-rat-cross-client`.
    pub token_bound: bool,
    /// RFC 7592 App. A.1: reads return the secret and the token. Off:
    /// `registration-read-without-secret`.
    pub read_complete: bool,
    /// RFC 6750 §3: a 401 carries `WWW-Authenticate: Bearer`. Off:
    /// `registration-no-www-authenticate`.
    pub challenge_sent: bool,
    /// RFC 6750 §3.1: a wrong token's challenge says `error="invalid_token"`. Off:
    /// `registration-invalid-token-unflagged`.
    pub invalid_token_flagged: bool,
    /// RFC 7592 §2.2: an update replaces. Off: `registration-update-augments`.
    pub update_replaces: bool,
    /// §2.2: the update's `client_id` must be the client's. Off:
    /// `registration-update-client-id-ignored`.
    pub update_client_id_checked: bool,
    /// §2.2: server-managed fields in an update are refused. Off:
    /// `registration-update-fields-applied`.
    pub update_managed_fields_refused: bool,
    /// §2.2: the client never chooses its secret. Off: `registration-update-secret-chosen`.
    pub update_secret_refused: bool,
    /// §2.2: an invalid update changes nothing. Off: `registration-update-invalid-applied`.
    pub update_validated: bool,
    /// §2.3: DELETE removes the client. Off: `registration-delete-keeps-client`.
    pub delete_removes: bool,
    /// §2.3: the deleted client's tokens are revoked. Off: `registration-delete-keeps-tokens`.
    pub delete_revokes_tokens: bool,
    /// §2: unsupported methods get 405. Off: `registration-patch-accepted`.
    pub patch_refused: bool,
}

impl RegistrationPolicy {
    pub(super) fn new(on: &Faults<'_>) -> RegistrationPolicy {
        RegistrationPolicy {
            created: !on(Fault::RegistrationWrongStatus),
            secret_expiry_sent: !on(Fault::RegistrationSecretNoExpiry),
            defaults_echoed: !on(Fault::RegistrationDefaultsNotEchoed),
            metadata_echoed: !on(Fault::RegistrationMetadataNotEchoed),
            replacements_shown: !on(Fault::RegistrationScopeReplacedSilently),
            default_method_basic: !on(Fault::RegistrationDefaultMethodPost),
            none_is_public: !on(Fault::RegistrationNoneNeedsSecret),
            jwks_exclusive: !on(Fault::RegistrationJwksBothKept),
            redirect_syntax_checked: !on(Fault::RegistrationRedirectSyntaxUnchecked),
            http_redirect_refused: !on(Fault::RegistrationHttpRedirectAccepted),
            redirect_scheme_checked: !on(Fault::RegistrationRedirectSchemeUnchecked),
            redirect_required: !on(Fault::RegistrationRedirectNotRequired),
            unknown_ignored: !on(Fault::RegistrationUnknownMemberRejected),
            metadata_checked: !on(Fault::RegistrationBadMetadataAccepted),
            types_consistent: !on(Fault::RegistrationInconsistentTypesKept),
            error_format: if on(Fault::RegistrationErrorNotJson) {
                ErrorFormat::PlainText
            } else {
                ErrorFormat::Json
            },
            server_chosen_id: !on(Fault::RegistrationClientChosenId),
            no_store: !on(Fault::RegistrationCacheable),
            unique_secrets: !on(Fault::RegistrationSharedSecret),
            stored: !on(Fault::RegistrationNotStored),
            absolute_client_uri: !on(Fault::RegistrationRelativeClientUri),
            random_tokens: !on(Fault::RegistrationWeakRat),
            token_bound: !on(Fault::RegistrationRatCrossClient),
            read_complete: !on(Fault::RegistrationReadWithoutSecret),
            challenge_sent: !on(Fault::RegistrationNoWwwAuthenticate),
            invalid_token_flagged: !on(Fault::RegistrationInvalidTokenUnflagged),
            update_replaces: !on(Fault::RegistrationUpdateAugments),
            update_client_id_checked: !on(Fault::RegistrationUpdateClientIdIgnored),
            update_managed_fields_refused: !on(Fault::RegistrationUpdateFieldsApplied),
            update_secret_refused: !on(Fault::RegistrationUpdateSecretChosen),
            update_validated: !on(Fault::RegistrationUpdateInvalidApplied),
            delete_removes: !on(Fault::RegistrationDeleteKeepsClient),
            delete_revokes_tokens: !on(Fault::RegistrationDeleteKeepsTokens),
            patch_refused: !on(Fault::RegistrationPatchAccepted),
        }
    }
}
