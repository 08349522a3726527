//! The authorization endpoint (RFC 6749 §3.1): GET and POST, request checking, and the
//! hand-over of a trusted request to the interaction module ([`crate::interaction::flow`]).
//! The endpoint is the front door of every vendor style, so it picks the style's adapter
//! to render the result: a redirect to the HTML login or consent page, a PingOne flow, or
//! (AIC) the answer to a REST decision.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::authz_request::{self, AuthRequest, Checked, Origin, Pending, Prompt};
use crate::endpoints::par::{self, Resolved};
use crate::endpoints::{am_rest, login, pingone_flow};
use crate::form::Form;
use crate::html;
use crate::interaction::Style;
use crate::interaction::flow::{self, Started};
use crate::layouts::Layout;
use crate::policy::RequestPolicy;
use crate::request_uri::{self, Fetched};
use crate::response_mode::{
    self, AuthError, Outcome, RedirectStatus, ResponseMode, ResponseType, Target, redirect,
};
use crate::session;
use crate::state::{AppState, SharedState};

/// `GET` (RFC 6749 §3.1: "The authorization server MUST support the use of the HTTP "GET"
/// method for the authorization endpoint").
pub async fn get(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    let form = Form::from_query(uri.query().unwrap_or(""));
    let fetched = request_uri::fetch(&state, &form).await;
    with_cors(
        &state.policy.request,
        authorize(&state, &headers, &form, fetched, false),
    )
}

/// `POST` with a form body (RFC 6749 §3.1: "MAY support the use of the "POST" method").
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let response = match Form::parse(&headers, &body) {
        Ok(form) => {
            let fetched = request_uri::fetch(&state, &form).await;
            authorize(&state, &headers, &form, fetched, true)
        }
        Err(error) => html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            &error.to_string(),
        ),
    };
    with_cors(&state.policy.request, response)
}

/// Other methods (OPTIONS included): 405. RFC 9700 §2.6: the authorization endpoint does
/// not support CORS, so no preflight succeeds.
pub async fn other_method(State(state): State<SharedState>) -> Response {
    if !state.policy.request.cors_refused {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        return with_cors(&state.policy.request, response);
    }
    let mut response = html::error_page(
        state.policy.pages,
        StatusCode::METHOD_NOT_ALLOWED,
        "The authorization endpoint accepts GET and POST only.",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

fn with_cors(policy: &RequestPolicy, mut response: Response) -> Response {
    if !policy.cors_refused {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    form: &Form,
    fetched: Option<Fetched>,
    is_post: bool,
) -> Response {
    let status = if is_post {
        RedirectStatus::SeeOther
    } else {
        RedirectStatus::Found
    };
    // RFC 9126 §4: a `request_uri` from the PAR endpoint stands for the pushed request;
    // RFC 9101 §5: a request object, by value or fetched by reference, for its parameters.
    let pushed;
    let (request, origin) = match par::resolve_with(state, form, fetched) {
        Resolved::FrontChannel => (form, Origin::FrontChannel),
        Resolved::Pushed(request) => {
            pushed = request;
            let lenient = !state.policy.par.validated;
            (&pushed, Origin::Pushed { lenient })
        }
        Resolved::ByValue(request) => {
            pushed = request;
            (&pushed, Origin::FrontChannel)
        }
        Resolved::ObjectError {
            client_id,
            code,
            description,
        } => return object_error(state, headers, &client_id, code, description, status),
        Resolved::UriUnsupported => return uri_unsupported(state, headers, form, status),
        Resolved::Refused(message) => {
            return html::error_page(state.policy.pages, StatusCode::BAD_REQUEST, message);
        }
    };
    match authz_request::check_as(state, request, origin) {
        Checked::Page { status, message } => {
            if state.config.layout == Layout::Pingone
                && form.get("response_mode") == Some("pi.flow")
            {
                return pingone_flow::request_error(status, &message);
            }
            html::error_page(state.policy.pages, status, &message)
        }
        Checked::Untrusted(target, error) => {
            response_mode::deliver(state, &target, &Outcome::Error(error), status)
        }
        // The `par-pushed-request-auto-approved` fault: no login, no consent.
        Checked::Trusted {
            pending: Pending::Grant(request),
            ..
        } if matches!(origin, Origin::Pushed { .. }) && !state.policy.par.interaction_required => {
            auto_approve(state, &request, status)
        }
        Checked::Trusted { pending, prompt } => {
            // AIC: consent given over REST, with the session token as `csrf`.
            if is_post
                && state.config.layout == Layout::Aic
                && form.get("decision").is_some()
                && let Some(session) = session::from_request(state, headers)
            {
                return am_rest::decision(state, form, &session, pending, status);
            }
            proceed(state, headers, pending, prompt, status)
        }
    }
}

/// RFC 9101 §6.2: a request object that failed verification is answered
/// `invalid_request_object` "to the client in response to the authorization request". The
/// redirect URI inside the object cannot be trusted, so the error goes to the client's only
/// registered redirect URI (RFC 6749 §3.1.2.3), after the user authenticates (RFC 9700
/// §4.11.2); a client with several gets an error page (RFC 6749 §4.1.2.1).
fn object_error(
    state: &AppState,
    headers: &HeaderMap,
    client_id: &str,
    code: &'static str,
    description: String,
    status: RedirectStatus,
) -> Response {
    let only = state
        .client(client_id)
        .and_then(|c| match c.redirect_uris.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        });
    let Some(redirect_uri) = only else {
        return html::error_page(state.policy.pages, StatusCode::BAD_REQUEST, &description);
    };
    let target = Target {
        client_id: client_id.to_string(),
        redirect_uri,
        mode: ResponseMode::Query,
        state: None,
        response_type: Some(ResponseType::Code),
    };
    let error = AuthError::new(code, description);
    proceed(
        state,
        headers,
        Pending::Error(target, error),
        Prompt::default(),
        status,
    )
}

/// A `request_uri` by reference at a server that fetches none: once the front-channel
/// request checks out and the user has logged in (RFC 9700 §4.11.2), the client gets
/// `request_uri_not_supported` (OpenID Connect Core §6.2; RFC 9101 §7).
fn uri_unsupported(
    state: &AppState,
    headers: &HeaderMap,
    form: &Form,
    status: RedirectStatus,
) -> Response {
    match authz_request::check_as(state, form, Origin::FrontChannel) {
        Checked::Trusted { pending, prompt } => {
            let error = AuthError::new(
                "request_uri_not_supported",
                "This server does not fetch request objects by reference.".to_string(),
            );
            let pending = Pending::Error(pending.target().clone(), error);
            proceed(state, headers, pending, prompt, status)
        }
        Checked::Untrusted(target, error) => {
            response_mode::deliver(state, &target, &Outcome::Error(error), status)
        }
        Checked::Page { status, message } => html::error_page(state.policy.pages, status, &message),
    }
}

/// Issues what `request` asks for as the first fixture user, asking nobody.
fn auto_approve(state: &AppState, request: &AuthRequest, status: RedirectStatus) -> Response {
    let Some(user) = state.config.fixtures.users.first() else {
        return html::error_page(state.policy.pages, StatusCode::BAD_REQUEST, "no user");
    };
    let ttl = std::time::Duration::from_secs(state.config.session_ttl);
    let session = state.sessions.create(&user.username, &user.subject(), ttl);
    let outcome = flow::complete(state, request, &session);
    response_mode::deliver(state, &request.target, &outcome, status)
}

/// Continues a trusted request: the interaction module decides whether to answer now or to
/// wait for the user, and the request's style renders that.
fn proceed(
    state: &AppState,
    headers: &HeaderMap,
    pending: Pending,
    prompt: Prompt,
    status: RedirectStatus,
) -> Response {
    let session = session::from_request(state, headers);
    match flow::start(state, session, pending, prompt) {
        Started::Answer(answer) => {
            response_mode::deliver(state, &answer.target, &answer.outcome, status)
        }
        Started::Waiting(interaction) => match interaction.style {
            Style::PiFlow => pingone_flow::started(state, &interaction),
            Style::Html => redirect(status, &login::page_url(state, &interaction)),
        },
    }
}
