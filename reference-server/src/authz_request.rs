//! Checking an authorization request (RFC 6749 §3.1, §4.1.1, §4.2.1; RFC 7636 §4.3,
//! §4.4.1; OAuth 2.0 Multiple Response Types §2.1).
//!
//! The order matters. The client and the redirect URI come first: until both are known
//! good, nothing may be sent to the redirect URI (RFC 6749 §4.1.2.1, §3.1.2.4), so those
//! failures are an error page. Every later failure is an error response to the client, in
//! the response mode the request asked for.

use axum::http::StatusCode;

use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::layouts::Layout;
use crate::pkce::{self, Challenge, Method};
use crate::policy::{PkcePolicy, Policy, RedirectUriPolicy, RequestPolicy, ResponsePolicy};
use crate::response_mode::{AuthError, ResponseMode, ResponseType, Target};
use crate::scope;
use crate::state::AppState;

/// The scope every client allowed a user-facing flow may request besides its own.
pub const OPENID: &str = "openid";

/// The parameters this server knows at the authorization endpoint; others are ignored
/// (RFC 6749 §3.1: "The authorization server MUST ignore unrecognized request parameters").
const KNOWN_PARAMETERS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "response_mode",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "prompt",
    "max_age",
    "login_hint",
    "ui_locales",
    "display",
    "acr_values",
    "claims",
    "id_token_hint",
    "request",
    "request_uri",
    "resource",
    "csrf",
    "decision",
];

/// The OpenID Connect `prompt` values this server acts on (OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// No interaction: answer `login_required` / `consent_required` instead of asking.
    pub none: bool,
    /// Authenticate again even with a session.
    pub login: bool,
}

impl Prompt {
    fn parse(value: Option<&str>) -> Prompt {
        let values: Vec<&str> = value.unwrap_or("").split(' ').collect();
        Prompt {
            none: values.contains(&"none"),
            login: values.contains(&"login"),
        }
    }
}

/// A request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    pub target: Target,
    pub response_type: ResponseType,
    /// Granted scope tokens, in request order.
    pub scopes: Vec<String>,
    /// Whether `redirect_uri` was in the request: RFC 6749 §4.1.3 then requires it,
    /// identical, at the token endpoint.
    pub redirect_uri_sent: bool,
    pub challenge: Option<Challenge>,
    pub nonce: Option<String>,
}

impl AuthRequest {
    /// The granted scope as a space-separated string.
    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}

/// What waits for the user: a grant to approve, or an error to return once the user has
/// authenticated (RFC 9700 §4.11.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Grant(AuthRequest),
    Error(Target, AuthError),
}

impl Pending {
    pub fn target(&self) -> &Target {
        match self {
            Pending::Grant(request) => &request.target,
            Pending::Error(target, _) => target,
        }
    }
}

/// The result of checking a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// The client or the redirect URI cannot be trusted: show an error page, never
    /// redirect.
    Page { status: StatusCode, message: String },
    /// Only under faults: an error sent to a redirect URI that failed its checks.
    Untrusted(Target, AuthError),
    /// A trusted target: a grant or an error to deliver there.
    Trusted { pending: Pending, prompt: Prompt },
}

fn page(message: &str) -> Checked {
    Checked::Page {
        status: StatusCode::BAD_REQUEST,
        message: message.to_string(),
    }
}

/// Where an authorization request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The query or body of a request at the authorization endpoint.
    FrontChannel,
    /// Pushed to the PAR endpoint (RFC 9126 §2.1), checked at push time and again when
    /// its `request_uri` is used (§4). `lenient` is the `par-pushed-request-not-validated`
    /// fault: the redirect URI, response type, scope and PKCE method go unchecked.
    Pushed { lenient: bool },
}

/// Checks the authorization request `form` (query or POST body).
pub fn check(state: &AppState, form: &Form) -> Checked {
    check_as(state, form, Origin::FrontChannel)
}

/// Checks `form`, which came from `origin`.
pub fn check_as(state: &AppState, form: &Form, origin: Origin) -> Checked {
    let lenient = origin == Origin::Pushed { lenient: true };
    let repeated = form.repeated();
    let state_param = form.get("state").map(str::to_string);
    let response_type = form.get("response_type").and_then(ResponseType::parse);

    // The client (RFC 6749 §4.1.2.1: "If the request fails due to a missing, invalid, or
    // mismatching redirection URI, or if the client identifier is missing or invalid, the
    // authorization server ... MUST NOT automatically redirect").
    if repeated == Some("client_id") {
        return page("The client_id parameter is repeated.");
    }
    let Some(client_id) = form.get("client_id") else {
        return page("The request has no client_id.");
    };
    let Some(client) = state.client(client_id) else {
        if state.policy.request.unknown_client_redirected
            && let Some(uri) = form.get("redirect_uri").filter(|u| is_absolute(u))
        {
            let target = Target {
                client_id: client_id.to_string(),
                redirect_uri: uri.to_string(),
                mode: ResponseMode::Query,
                state: state_param,
                response_type,
            };
            return Checked::Untrusted(target, AuthError::new("invalid_request", "unknown client"));
        }
        return page("The client is not known to this server.");
    };

    // The redirect URI (RFC 6749 §3.1.2, §3.1.2.3).
    if repeated == Some("redirect_uri") {
        return page("The redirect_uri parameter is repeated.");
    }
    if form.has_empty("redirect_uri") && !state.policy.redirect_uri.empty_as_absent {
        return page("The redirect_uri is not registered for this client.");
    }
    let (redirect_uri, redirect_uri_sent) = match form.get("redirect_uri") {
        Some(uri) => {
            // §3.1.2: "The redirection endpoint URI MUST be an absolute URI" and "MUST NOT
            // include a fragment component".
            if !is_absolute(uri) {
                return page("The redirect_uri is not an absolute URI.");
            }
            if uri.contains('#') && !state.policy.redirect_uri.fragment_accepted {
                return page("The redirect_uri has a fragment component.");
            }
            if !client
                .redirect_uris
                .iter()
                .any(|registered| redirect_matches(&state.policy.redirect_uri, registered, uri))
                && !lenient
            {
                if state.policy.redirect_uri.mismatch_redirected {
                    let target = Target {
                        client_id: client.client_id.clone(),
                        redirect_uri: uri.to_string(),
                        mode: ResponseMode::Query,
                        state: state_param,
                        response_type,
                    };
                    return Checked::Untrusted(
                        target,
                        AuthError::invalid_request("the redirect_uri is not registered"),
                    );
                }
                return page("The redirect_uri is not registered for this client.");
            }
            (uri.to_string(), true)
        }
        // §3.1.2.3: without the parameter, a client with exactly one registered URI is
        // sent there; with several, the request cannot be honoured.
        None => match client.redirect_uris.as_slice() {
            [] => return page("The client has no registered redirect URI."),
            [only] => (only.clone(), false),
            [first, ..] if state.policy.redirect_uri.first_of_several_by_default => {
                (first.clone(), false)
            }
            [_, ..] => {
                return page(
                    "The client has several registered redirect URIs and the request names none.",
                );
            }
        },
    };

    // From here on errors go to the client, in the mode it asked for.
    let (mode, mode_error) = response_mode(
        &state.policy.response,
        state.config.layout,
        form.get("response_mode"),
        response_type,
    );
    let target = Target {
        client_id: client.client_id.clone(),
        redirect_uri,
        mode,
        state: state_param,
        response_type,
    };
    let prompt = Prompt::parse(form.get("prompt"));
    // RFC 9126 §5, §6: a server or client that requires PAR "will refuse, using the
    // invalid_request error code" any other authorization request.
    let par_required = client.require_pushed_authorization_requests || state.config.require_par;
    if origin == Origin::FrontChannel && par_required && state.policy.par.required_enforced {
        let error =
            AuthError::invalid_request("this client must use pushed authorization requests");
        return Checked::Trusted {
            pending: Pending::Error(target, error),
            prompt,
        };
    }
    let checked = check_parameters(&state.policy, form, &client, mode_error, repeated, lenient);
    let pending = match checked {
        Ok((response_type, scopes, challenge)) => Pending::Grant(AuthRequest {
            target,
            response_type,
            scopes,
            redirect_uri_sent,
            challenge,
            nonce: form.get("nonce").map(str::to_string),
        }),
        Err(error) => Pending::Error(target, error),
    };
    Checked::Trusted { pending, prompt }
}

/// The checks after client and redirect URI, in RFC 6749 §4.1.2.1 order.
fn check_parameters(
    policy: &Policy,
    form: &Form,
    client: &ClientFixture,
    mode_error: Option<AuthError>,
    repeated: Option<&str>,
    lenient: bool,
) -> Result<(ResponseType, Vec<String>, Option<Challenge>), AuthError> {
    // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
    if repeated.is_some() && policy.request.repeated_params_refused {
        return Err(AuthError::invalid_request(
            "a request parameter is included more than once",
        ));
    }
    if !policy.request.unknown_params_ignored
        && form
            .pairs()
            .iter()
            .any(|(name, _)| !KNOWN_PARAMETERS.contains(&name.as_str()))
    {
        return Err(AuthError::invalid_request("unknown request parameter"));
    }
    // RFC 6749 §3.1.1: response_type is REQUIRED.
    let response_type = match form.get("response_type") {
        None if !policy.request.response_type_required => ResponseType::Code,
        None => return Err(AuthError::invalid_request("response_type is missing")),
        Some(value) => match ResponseType::parse(value) {
            Some(response_type) => response_type,
            None if lenient => ResponseType::Code,
            None if !policy.request.unknown_response_type_unsupported => {
                return Err(AuthError::invalid_request(
                    "the response type is not supported",
                ));
            }
            None => {
                return Err(AuthError::new(
                    "unsupported_response_type",
                    "the response type is not supported",
                ));
            }
        },
    };
    if let Some(error) = mode_error {
        return Err(error);
    }
    // RFC 6749 §4.1.2.1 unauthorized_client: "The client is not authorized to request an
    // authorization code using this method."
    let restricted_ok = (response_type == ResponseType::Code
        && !policy.request.registered_response_types_only)
        || lenient;
    if !client.may_use_response_type(response_type.as_str()) && !restricted_ok {
        return Err(AuthError::new(
            "unauthorized_client",
            "the client may not use this response type",
        ));
    }
    let scopes = requested_scope(&policy.request, form, client, lenient)?;
    let challenge = match response_type {
        ResponseType::Code => pkce_challenge(&policy.pkce, form, client, lenient)?,
        ResponseType::Token => None,
    };
    let prompt = form.get("prompt").unwrap_or("");
    if prompt.split(' ').any(|p| p == "none") && prompt.split(' ').count() > 1 {
        // OIDC Core §3.1.2.1: "none" with any other value is an error.
        return Err(AuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok((response_type, scopes, challenge))
}

/// RFC 6749 §3.3: the requested scope, or the client's registered scope by default.
fn requested_scope(
    policy: &RequestPolicy,
    form: &Form,
    client: &ClientFixture,
    lenient: bool,
) -> Result<Vec<String>, AuthError> {
    let Some(requested) = form.get("scope") else {
        return Ok(client.scopes().map(str::to_string).collect());
    };
    let tokens = scope::parse(requested)
        .map_err(|_| AuthError::new("invalid_scope", "the scope parameter is malformed"))?;
    let allowed = client.scopes().chain(std::iter::once(OPENID));
    // RFC 6749 §4.1.2.1 invalid_scope: "The requested scope is invalid, unknown, or
    // malformed."
    if !scope::is_subset(&tokens, allowed) && policy.scope_within_registration && !lenient {
        return Err(AuthError::new(
            "invalid_scope",
            "the requested scope exceeds the client's registered scope",
        ));
    }
    Ok(tokens.into_iter().map(str::to_string).collect())
}

/// RFC 7636 §4.3 and §4.4.1; RFC 9700 §2.1.1 for public clients.
fn pkce_challenge(
    policy: &PkcePolicy,
    form: &Form,
    client: &ClientFixture,
    lenient: bool,
) -> Result<Option<Challenge>, AuthError> {
    let method = form.get("code_challenge_method");
    let Some(value) = form.get("code_challenge") else {
        if method.is_some() {
            return Err(AuthError::invalid_request(
                "code_challenge_method was sent without code_challenge",
            ));
        }
        // RFC 9700 §2.1.1: public clients MUST use PKCE; RFC 7636 §4.4.1: the server
        // answers invalid_request when it requires PKCE and none was sent.
        if !client.is_confidential() && policy.required_for_public {
            return Err(AuthError::invalid_request(
                "PKCE is required for public clients: send code_challenge and code_challenge_method=S256",
            ));
        }
        return Ok(None);
    };
    let method = match method {
        // RFC 7636 §4.3: "Defaults to "plain" if not present in the request."
        None => policy.default_method,
        Some(name) => match Method::parse(name) {
            Some(method) => method,
            None if !policy.unknown_method_refused || lenient => Method::Plain,
            None => {
                return Err(AuthError::invalid_request(
                    "unsupported code_challenge_method; use S256",
                ));
            }
        },
    };
    if !pkce::is_well_formed(value) && policy.challenge_syntax_checked {
        return Err(AuthError::invalid_request(
            "code_challenge must be 43 to 128 unreserved characters",
        ));
    }
    Ok(Some(Challenge {
        value: value.to_string(),
        method,
    }))
}

/// The response mode and, when the request's choice is not acceptable, the error to send
/// in the default mode instead (MRT §2.1; §5 and §7 forbid tokens in the query).
fn response_mode(
    policy: &ResponsePolicy,
    layout: Layout,
    requested: Option<&str>,
    response_type: Option<ResponseType>,
) -> (ResponseMode, Option<AuthError>) {
    let default = match response_type {
        // RFC 6749 §4.2.2, MRT §2.1: token responses default to the fragment.
        Some(ResponseType::Token) => policy.token_default_mode,
        // RFC 6749 §4.1.2, MRT §2.1: code responses default to the query.
        Some(ResponseType::Code) => policy.code_default_mode,
        None => ResponseMode::Query,
    };
    match requested {
        None => (default, None),
        Some("query")
            if response_type == Some(ResponseType::Token) && policy.token_query_mode_refused =>
        {
            (
                default,
                Some(AuthError::invalid_request(
                    "response_type=token must not use the query response mode",
                )),
            )
        }
        Some("query") => (ResponseMode::Query, None),
        Some("fragment") => (ResponseMode::Fragment, None),
        Some("form_post") => (ResponseMode::FormPost, None),
        Some("pi.flow") if layout == Layout::Pingone => (ResponseMode::PiFlow, None),
        Some(_) => (
            default,
            Some(AuthError::invalid_request("unsupported response_mode")),
        ),
    }
}

/// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI". Only URIs with
/// an authority are taken, which also keeps `javascript:` and `data:` out (§10.14).
fn is_absolute(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| u.has_host())
}

/// RFC 6749 §3.1.2.3 and RFC 9700 §2.1: "simple string comparison" with the registered
/// URI. The faults each loosen the comparison in one way.
fn redirect_matches(policy: &RedirectUriPolicy, registered: &str, sent: &str) -> bool {
    if registered == sent {
        return true;
    }
    let path_part = |u: &str| u.split(['?', '#']).next().unwrap_or(u).to_string();
    (policy.ignores_trailing_slash
        && registered.trim_end_matches('/') == sent.trim_end_matches('/'))
        || (policy.ignores_case && registered.eq_ignore_ascii_case(sent))
        || (policy.ignores_extra_query
            && !sent.contains('#')
            && path_part(registered) == path_part(sent))
        || (policy.prefix_match && sent.starts_with(registered))
        || (policy.fragment_accepted && sent.split('#').next() == Some(registered))
}
