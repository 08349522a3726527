//! Policy of the authorization endpoint and what follows it: request checks (RFC 6749
//! §3.1, §4.1.2.1), redirect URIs (§3.1.2), the response's parameters and modes (§4.1.2,
//! RFC 9207, Multiple Response Types, Form Post), the implicit grant (§4.2), the login and
//! consent interaction (§10.12, RFC 9700 §4.11, §4.12) and its pages (RFC 9700 §4.16).

use super::Faults;
use crate::faults::Fault;
use crate::response_mode::{RedirectStatus, ResponseMode};

/// Authorization request checks (RFC 6749 §3.1, §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPolicy {
    /// §3.1.1: `response_type` is required. Off: `authz-missing-response-type-accepted`.
    pub response_type_required: bool,
    /// §4.1.2.1: an unknown response type is `unsupported_response_type`. Off:
    /// `authz-unknown-response-type-wrong-code`.
    pub unknown_response_type_unsupported: bool,
    /// §4.1.2.1 unauthorized_client: only registered response types. Off:
    /// `authz-restricted-client-accepted` (for `code`).
    pub registered_response_types_only: bool,
    /// §4.1.2.1 invalid_scope: no scope beyond the client's. Off:
    /// `authz-invalid-scope-accepted`.
    pub scope_within_registration: bool,
    /// §3.1: repeated parameters are refused. Off: `authz-repeated-param-accepted`.
    pub repeated_params_refused: bool,
    /// §3.1: unrecognised parameters are ignored. Off: `authz-unknown-param-rejected`.
    pub unknown_params_ignored: bool,
    /// Deviation from §4.1.2.1 (MUST NOT redirect): an unknown client's error is redirected
    /// to the given `redirect_uri` (`authz-unknown-client-redirects`).
    pub unknown_client_redirected: bool,
    /// RFC 9700 §2.6: no CORS at the authorization endpoint. Off: `authz-cors-enabled`.
    pub cors_refused: bool,
}

impl RequestPolicy {
    pub(super) fn new(on: &Faults) -> RequestPolicy {
        RequestPolicy {
            response_type_required: !on(Fault::AuthzMissingResponseTypeAccepted),
            unknown_response_type_unsupported: !on(Fault::AuthzUnknownResponseTypeWrongCode),
            registered_response_types_only: !on(Fault::AuthzRestrictedClientAccepted),
            scope_within_registration: !on(Fault::AuthzInvalidScopeAccepted),
            repeated_params_refused: !on(Fault::AuthzRepeatedParamAccepted),
            unknown_params_ignored: !on(Fault::AuthzUnknownParamRejected),
            unknown_client_redirected: on(Fault::AuthzUnknownClientRedirects),
            cors_refused: !on(Fault::AuthzCorsEnabled),
        }
    }
}

/// Redirect URI checks (RFC 6749 §3.1.2, RFC 9700 §2.1). The strict comparison is exact;
/// each field named for a loosening or deviation is `false` in the strict server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUriPolicy {
    /// §3.1: `redirect_uri=` (empty) counts as absent. Off:
    /// `authz-empty-redirect-uri-rejected`.
    pub empty_as_absent: bool,
    /// Loosening: a trailing `/` is ignored (`authz-redirect-uri-trailing-slash`).
    pub ignores_trailing_slash: bool,
    /// Loosening: case is ignored (`authz-redirect-uri-case-insensitive`).
    pub ignores_case: bool,
    /// Loosening: an added query is ignored (`authz-redirect-uri-extra-query`).
    pub ignores_extra_query: bool,
    /// Loosening: any extension of a registered URI matches
    /// (`authz-redirect-uri-prefix-match`).
    pub prefix_match: bool,
    /// Loosening: a fragment is accepted and ignored (`authz-redirect-uri-fragment-accepted`).
    pub fragment_accepted: bool,
    /// Loosening of §3.1.2.3: without `redirect_uri`, a client with several registered URIs
    /// is sent to the first (`authz-redirect-uri-default-of-several`).
    pub first_of_several_by_default: bool,
    /// Deviation from §3.1.2.4 (MUST NOT redirect): the error for an unregistered URI is
    /// redirected to it (`authz-mismatch-error-redirects`).
    pub mismatch_redirected: bool,
}

impl RedirectUriPolicy {
    pub(super) fn new(on: &Faults) -> RedirectUriPolicy {
        RedirectUriPolicy {
            empty_as_absent: !on(Fault::AuthzEmptyRedirectUriRejected),
            ignores_trailing_slash: on(Fault::AuthzRedirectUriTrailingSlash),
            ignores_case: on(Fault::AuthzRedirectUriCaseInsensitive),
            ignores_extra_query: on(Fault::AuthzRedirectUriExtraQuery),
            prefix_match: on(Fault::AuthzRedirectUriPrefixMatch),
            fragment_accepted: on(Fault::AuthzRedirectUriFragmentAccepted),
            first_of_several_by_default: on(Fault::AuthzRedirectUriDefaultOfSeveral),
            mismatch_redirected: on(Fault::AuthzMismatchErrorRedirects),
        }
    }
}

/// The authorization response: parameters and response modes (RFC 6749 §4.1.2, §4.2.2,
/// RFC 9207 §2, Multiple Response Types §2.1, §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponsePolicy {
    /// §3.1.2: the registered URI's query is kept. Off: `authz-redirect-drops-query`.
    pub query_retained: bool,
    /// §4.1.2.1: `error_description` has no `"` or `\`. Off:
    /// `authz-error-description-quotes`.
    pub description_sanitized: bool,
    /// §4.1.2: `state` in successes. Off: `state-dropped`.
    pub state_on_success: bool,
    /// §4.1.2.1: `state` in errors. Off: `state-dropped-on-error`.
    pub state_on_error: bool,
    /// §4.1.2: `state` exactly as sent. Off: `state-altered`.
    pub state_exact: bool,
    /// §4.1.2: no `state` unless sent. Off: `state-invented`.
    pub state_only_if_sent: bool,
    /// RFC 9207 §2: `iss` in successes. Off: `iss-missing`.
    pub iss_on_success: bool,
    /// RFC 9207 §2: `iss` in errors. Off: `iss-missing-on-error`.
    pub iss_on_error: bool,
    /// RFC 9207 §2: `iss` is the issuer. Off: `iss-wrong-value`.
    pub iss_exact: bool,
    /// RFC 9207 §2: `iss` in fragment responses too. Off: `iss-missing-in-fragment`.
    pub iss_in_fragment: bool,
    /// RFC 9207 §2: `iss` in form_post responses too. Off: `iss-missing-in-form-post`.
    pub iss_in_form_post: bool,
    /// §4.1.2, MRT §2.1: the default mode of code responses: query, or fragment under
    /// `code-response-in-fragment`.
    pub code_default_mode: ResponseMode,
    /// §4.2.2, MRT §2.1: the default mode of token responses: fragment, or query under
    /// `implicit-token-in-query`.
    pub token_default_mode: ResponseMode,
    /// MRT §2.2 SHOULD: errors use the requested mode. Off: `error-ignores-response-mode`.
    pub errors_follow_mode: bool,
    /// §4.2.2.1: implicit errors go in the fragment. Off: `implicit-error-in-query`.
    pub token_errors_in_fragment: bool,
    /// MRT §5, §7: `response_type=token` with `response_mode=query` is refused. Off:
    /// `implicit-query-mode-accepted`.
    pub token_query_mode_refused: bool,
}

impl ResponsePolicy {
    pub(super) fn new(on: &Faults) -> ResponsePolicy {
        ResponsePolicy {
            query_retained: !on(Fault::AuthzRedirectDropsQuery),
            description_sanitized: !on(Fault::AuthzErrorDescriptionQuotes),
            state_on_success: !on(Fault::StateDropped),
            state_on_error: !on(Fault::StateDroppedOnError),
            state_exact: !on(Fault::StateAltered),
            state_only_if_sent: !on(Fault::StateInvented),
            iss_on_success: !on(Fault::IssMissing),
            iss_on_error: !on(Fault::IssMissingOnError),
            iss_exact: !on(Fault::IssWrongValue),
            iss_in_fragment: !on(Fault::IssMissingInFragment),
            iss_in_form_post: !on(Fault::IssMissingInFormPost),
            code_default_mode: if on(Fault::CodeResponseInFragment) {
                ResponseMode::Fragment
            } else {
                ResponseMode::Query
            },
            token_default_mode: if on(Fault::ImplicitTokenInQuery) {
                ResponseMode::Query
            } else {
                ResponseMode::Fragment
            },
            errors_follow_mode: !on(Fault::ErrorIgnoresResponseMode),
            token_errors_in_fragment: !on(Fault::ImplicitErrorInQuery),
            token_query_mode_refused: !on(Fault::ImplicitQueryModeAccepted),
        }
    }
}

/// The form_post page (Form Post Response Mode §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPostPolicy {
    /// Auto-submitted. Off: `form-post-no-auto-submit`.
    pub auto_submit: bool,
    /// The action is the redirect URI. Off: `form-post-wrong-action`.
    pub action_is_redirect_uri: bool,
    /// Method POST. Off: `form-post-get-method`.
    pub post_method: bool,
    /// `state` is among the fields. Off: `form-post-no-state`.
    pub state_included: bool,
    /// Not cached. Off: `form-post-no-store`.
    pub no_store: bool,
    /// RFC 6749 §10.14: values are HTML-escaped. Off: `form-post-not-escaped`.
    pub escaped: bool,
    /// The action's query does not repeat the parameters. Off: `form-post-params-in-action`.
    pub action_without_params: bool,
}

impl FormPostPolicy {
    pub(super) fn new(on: &Faults) -> FormPostPolicy {
        FormPostPolicy {
            auto_submit: !on(Fault::FormPostNoAutoSubmit),
            action_is_redirect_uri: !on(Fault::FormPostWrongAction),
            post_method: !on(Fault::FormPostGetMethod),
            state_included: !on(Fault::FormPostNoState),
            no_store: !on(Fault::FormPostNoStore),
            escaped: !on(Fault::FormPostNotEscaped),
            action_without_params: !on(Fault::FormPostParamsInAction),
        }
    }
}

/// The implicit grant (RFC 6749 §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImplicitPolicy {
    /// §4.2.2: "MUST NOT issue a refresh token". Off: `implicit-refresh-token`.
    pub refresh_token_withheld: bool,
}

impl ImplicitPolicy {
    pub(super) fn new(on: &Faults) -> ImplicitPolicy {
        ImplicitPolicy {
            refresh_token_withheld: !on(Fault::ImplicitRefreshToken),
        }
    }
}

/// The login and consent interaction (RFC 6749 §10.12, RFC 9700 §4.11, §4.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionPolicy {
    /// RFC 9700 §4.11.2: errors wait until the user has authenticated. Off:
    /// `authz-error-before-login`.
    pub errors_wait_for_login: bool,
    /// §10.12: consent (or an AIC decision) carries the anti-CSRF token. Off:
    /// `consent-csrf-not-checked`.
    pub consent_csrf_checked: bool,
    /// §10.12: consent comes from the session that logged in. Off:
    /// `consent-not-bound-to-session`.
    pub consent_bound_to_session: bool,
    /// §10.12: a plain GET never grants. Off: `consent-get-accepted`.
    pub consent_post_only: bool,
    /// §4.1.2.1: a denial is `access_denied`. Off: `consent-deny-wrong-error`.
    pub denial_is_access_denied: bool,
    /// RFC 9700 §4.12: the redirect answering a login or consent POST: 303, or 307 under
    /// `login-redirect-307`.
    pub post_redirect: RedirectStatus,
    /// RFC 9700 §4.11: the login page ignores a `next` URL. Off: `login-open-redirect`.
    pub next_ignored: bool,
}

impl InteractionPolicy {
    pub(super) fn new(on: &Faults) -> InteractionPolicy {
        InteractionPolicy {
            errors_wait_for_login: !on(Fault::AuthzErrorBeforeLogin),
            consent_csrf_checked: !on(Fault::ConsentCsrfNotChecked),
            consent_bound_to_session: !on(Fault::ConsentNotBoundToSession),
            consent_post_only: !on(Fault::ConsentGetAccepted),
            denial_is_access_denied: !on(Fault::ConsentDenyWrongError),
            post_redirect: if on(Fault::LoginRedirect307) {
                RedirectStatus::Temporary
            } else {
                RedirectStatus::SeeOther
            },
            next_ignored: !on(Fault::LoginOpenRedirect),
        }
    }
}

/// The interaction pages (login, consent, error, form_post).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePolicy {
    /// RFC 9700 §4.16: CSP `frame-ancestors` and `X-Frame-Options`. Off:
    /// `authz-pages-frameable`.
    pub frame_protected: bool,
}

impl PagePolicy {
    pub(super) fn new(on: &Faults) -> PagePolicy {
        PagePolicy {
            frame_protected: !on(Fault::AuthzPagesFrameable),
        }
    }
}
