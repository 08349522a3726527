//! The authorization endpoint (RFC 6749 §3.1): GET and POST, request checking, and the
//! hand-over to login, consent, a PingOne flow or an AIC decision.
//!
//! RFC 9700 §4.11.2: "The authorization server MUST always authenticate the user first
//! and, with the exception of the silent authentication use case, prompt the user for
//! credentials when needed, before redirecting the user." So an error found after the
//! client and redirect URI were trusted is delivered only once the user has logged in (or
//! at once with a session, or with `prompt=none`).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::authz_request::{self, AuthRequest, Checked, Pending, Prompt};
use crate::endpoints::{am_rest, pingone_flow};
use crate::faults::Fault;
use crate::form::Form;
use crate::grants::{authorization_code, implicit};
use crate::html;
use crate::interaction::{Interaction, Style};
use crate::layouts::Layout;
use crate::response_mode::{
    self, AuthError, Outcome, RedirectStatus, ResponseMode, ResponseType, redirect,
};
use crate::session::{self, Session};
use crate::state::{AppState, SharedState};

/// `GET` (RFC 6749 §3.1: "The authorization server MUST support the use of the HTTP "GET"
/// method for the authorization endpoint").
pub async fn get(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    let form = Form::from_query(uri.query().unwrap_or(""));
    with_cors(&state, authorize(&state, &headers, &form, false))
}

/// `POST` with a form body (RFC 6749 §3.1: "MAY support the use of the "POST" method").
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let response = match Form::parse(&headers, &body) {
        Ok(form) => authorize(&state, &headers, &form, true),
        Err(error) => html::error_page(&state, StatusCode::BAD_REQUEST, &error.to_string()),
    };
    with_cors(&state, response)
}

/// Other methods (OPTIONS included): 405. RFC 9700 §2.6: the authorization endpoint does
/// not support CORS, so no preflight succeeds.
pub async fn other_method(State(state): State<SharedState>) -> Response {
    if state.has(Fault::AuthzCorsEnabled) {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        return with_cors(&state, response);
    }
    let mut response = html::error_page(
        &state,
        StatusCode::METHOD_NOT_ALLOWED,
        "The authorization endpoint accepts GET and POST only.",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

fn with_cors(state: &AppState, mut response: Response) -> Response {
    if state.has(Fault::AuthzCorsEnabled) {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

fn authorize(state: &AppState, headers: &HeaderMap, form: &Form, is_post: bool) -> Response {
    let status = if is_post {
        RedirectStatus::SeeOther
    } else {
        RedirectStatus::Found
    };
    match authz_request::check(state, form) {
        Checked::Page { status, message } => {
            if state.config.layout == Layout::Pingone
                && form.get("response_mode") == Some("pi.flow")
            {
                return pingone_flow::request_error(status, &message);
            }
            html::error_page(state, status, &message)
        }
        Checked::Untrusted(target, error) => {
            response_mode::deliver(state, &target, &Outcome::Error(error), status)
        }
        Checked::Trusted { pending, prompt } => {
            // AIC: consent given over REST, with the session token as `csrf`.
            if is_post
                && state.config.layout == Layout::Aic
                && form.get("decision").is_some()
                && let Some(session) = session::from_request(state, headers)
            {
                return am_rest::decide(state, form, &session, pending, status);
            }
            proceed(state, headers, pending, prompt, status)
        }
    }
}

/// Continues a trusted request: answer now, or start a login / consent interaction or a
/// pi.flow flow.
pub fn proceed(
    state: &AppState,
    headers: &HeaderMap,
    pending: Pending,
    prompt: Prompt,
    status: RedirectStatus,
) -> Response {
    // OIDC Core §3.1.2.1: prompt=login re-authenticates even with a session.
    let session = if prompt.login {
        None
    } else {
        session::from_request(state, headers)
    };
    let style = if pending.target().mode == ResponseMode::PiFlow {
        Style::PiFlow
    } else {
        Style::Html
    };
    // OIDC Core §3.1.2.6: with prompt=none the server answers at once, login_required or
    // consent_required when it would have had to ask.
    let pending = match (pending, &session) {
        (Pending::Grant(request), None) if prompt.none => Pending::Error(
            request.target,
            AuthError::new("login_required", "the user is not logged in"),
        ),
        (Pending::Grant(request), Some(s))
            if prompt.none
                && style == Style::Html
                && !s.has_consented(&request.target.client_id, &request.scopes) =>
        {
            Pending::Error(
                request.target,
                AuthError::new("consent_required", "the user has not consented"),
            )
        }
        (pending, _) => pending,
    };
    if style == Style::PiFlow {
        return pingone_flow::start(state, pending, prompt, session.as_ref());
    }
    match (pending, session) {
        (Pending::Error(target, error), session)
            if prompt.none || session.is_some() || state.has(Fault::AuthzErrorBeforeLogin) =>
        {
            response_mode::deliver(state, &target, &Outcome::Error(error), status)
        }
        (Pending::Grant(request), Some(session)) if prompt.none => {
            let outcome = complete(state, &request, &session);
            response_mode::deliver(state, &request.target, &outcome, status)
        }
        (pending, session) => {
            let page = match (&pending, &session) {
                (Pending::Grant(_), Some(_)) => "/consent",
                _ => "/login",
            };
            let mut interaction = Interaction::new(
                pending,
                prompt,
                Style::Html,
                Duration::from_secs(state.config.interaction_ttl),
            );
            interaction.session_id = session.map(|s| s.id);
            let location = interaction_url(state, page, &interaction.id);
            state.interactions.insert(interaction);
            redirect(status, &location)
        }
    }
}

/// The absolute URL of a login or consent page for interaction `id`.
pub fn interaction_url(state: &AppState, page: &str, id: &str) -> String {
    format!("{}?interaction={id}", state.url(&state.page_path(page)))
}

/// Issues what an approved request asked for.
pub fn complete(state: &AppState, request: &AuthRequest, session: &Session) -> Outcome {
    match request.response_type {
        ResponseType::Code => authorization_code::issue_code(state, request, session),
        ResponseType::Token => implicit::issue(state, request, session),
    }
}
