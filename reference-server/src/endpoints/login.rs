//! The login page of the HTML style, an adapter of [`crate::interaction::flow`]:
//! `GET {prefix}/login?interaction=ID` shows the form, `POST {prefix}/login` logs the user
//! in (session cookie `oauth2spec_session`) and moves on to consent, or to the pending
//! error response. Also the HTML style's shared pieces: form field names, page URLs, the
//! expired page.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;

use crate::form::Form;
use crate::html::{self, escape};
use crate::interaction::flow::{self, LoggedIn};
use crate::interaction::{Interaction, Step, Style};
use crate::policy::PagePolicy;
use crate::response_mode::{self, RedirectStatus, redirect};
use crate::session::{SESSION_COOKIE, set_cookie};
use crate::state::{AppState, SharedState};

/// The form field carrying the interaction id.
pub const INTERACTION_FIELD: &str = "interaction";
/// The form field carrying the anti-CSRF token (RFC 6749 §10.12).
pub const CSRF_FIELD: &str = "csrf_token";

/// `GET {prefix}/login`.
pub async fn get(State(state): State<SharedState>, uri: Uri) -> Response {
    let query = Form::from_query(uri.query().unwrap_or(""));
    if !state.policy.interaction.next_ignored
        && let Some(next) = query.get("next")
    {
        return redirect(RedirectStatus::Found, next);
    }
    match query
        .get(INTERACTION_FIELD)
        .and_then(|id| flow::find(&state, id, Style::Html))
    {
        Some(interaction) => login_page(&state, &interaction, None, StatusCode::OK),
        None => expired(state.policy.pages),
    }
}

/// `POST {prefix}/login`.
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(form) = Form::parse(&headers, &body) else {
        return html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "The sign-in form must be posted form-encoded.",
        );
    };
    let Some(current) = form
        .get(INTERACTION_FIELD)
        .and_then(|id| flow::find(&state, id, Style::Html))
    else {
        return expired(state.policy.pages);
    };
    // RFC 6749 §10.12: the form must come from the page this server rendered.
    if !flow::csrf_matches(&current.csrf, form.get(CSRF_FIELD)) {
        return html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "The sign-in form is not valid any more. Start again from the application.",
        );
    }
    let Some(session) = flow::authenticate(
        &state,
        form.get("username").unwrap_or(""),
        form.get("password").unwrap_or(""),
    ) else {
        return login_page(
            &state,
            &current,
            Some("The username or password is not correct."),
            StatusCode::OK,
        );
    };
    // RFC 9700 §4.12: a redirect answering a POST that carried credentials is 303, never 307.
    let status = state.policy.interaction.post_redirect;
    let mut response = match flow::logged_in(&state, &current, &session) {
        LoggedIn::Answer(answer) => {
            response_mode::deliver(&state, &answer.target, &answer.outcome, status)
        }
        LoggedIn::Waiting(next) => redirect(status, &page_url(&state, &next)),
        LoggedIn::Gone => expired(state.policy.pages),
    };
    if let Some(cookie) = set_cookie(SESSION_COOKIE, &session.id) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The absolute URL of the page (login or consent) the HTML interaction waits on.
pub fn page_url(state: &AppState, interaction: &Interaction) -> String {
    let page = match interaction.awaits() {
        Step::Consent => "/consent",
        Step::Login | Step::Resume => "/login",
    };
    format!(
        "{}?{INTERACTION_FIELD}={}",
        state.url(&state.page_path(page)),
        interaction.id
    )
}

/// The page for an unknown or expired interaction.
pub fn expired(pages: PagePolicy) -> Response {
    html::error_page(
        pages,
        StatusCode::BAD_REQUEST,
        "This sign-in request is unknown or has expired. Start again from the application.",
    )
}

fn login_page(
    state: &AppState,
    interaction: &Interaction,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1>\n<p>to continue to <strong>{client}</strong></p>\n{error}\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"{INTERACTION_FIELD}\" value=\"{id}\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\n\
         <label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\" required></label>\n\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n\
         <button type=\"submit\">Sign in</button>\n</form>",
        client = escape(&interaction.pending.target().client_id),
        action = escape(&state.page_path("/login")),
        id = escape(&interaction.id),
        csrf = escape(&interaction.csrf),
    );
    html::respond(
        state.policy.pages,
        status,
        html::document("Sign in", "", &body),
    )
}
