//! The login page of the HTML style: `GET {prefix}/login?interaction=ID` shows the form,
//! `POST {prefix}/login` checks the credentials, starts a session (cookie
//! `oauth2spec_session`) and moves on to consent, or to the pending error response.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;

use crate::authz_request::Pending;
use crate::endpoints::authorization::interaction_url;
use crate::faults::Fault;
use crate::fixtures::UserFixture;
use crate::form::Form;
use crate::html::{self, escape};
use crate::interaction::{Interaction, Style};
use crate::pkce::constant_time_eq;
use crate::response_mode::{self, Outcome, RedirectStatus, redirect};
use crate::session::{SESSION_COOKIE, set_cookie};
use crate::state::{AppState, SharedState};

/// The form field carrying the interaction id.
pub const INTERACTION_FIELD: &str = "interaction";
/// The form field carrying the anti-CSRF token (RFC 6749 §10.12).
pub const CSRF_FIELD: &str = "csrf_token";

/// `GET {prefix}/login`.
pub async fn get(State(state): State<SharedState>, uri: Uri) -> Response {
    let query = Form::from_query(uri.query().unwrap_or(""));
    if state.has(Fault::LoginOpenRedirect)
        && let Some(next) = query.get("next")
    {
        return redirect(RedirectStatus::Found, next);
    }
    match query
        .get(INTERACTION_FIELD)
        .and_then(|id| interaction(&state, id))
    {
        Some(interaction) => login_page(&state, &interaction, None, StatusCode::OK),
        None => expired(&state),
    }
}

/// `POST {prefix}/login`.
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(form) = Form::parse(&headers, &body) else {
        return html::error_page(
            &state,
            StatusCode::BAD_REQUEST,
            "The sign-in form must be posted form-encoded.",
        );
    };
    let Some(current) = form
        .get(INTERACTION_FIELD)
        .and_then(|id| interaction(&state, id))
    else {
        return expired(&state);
    };
    // RFC 6749 §10.12: the form must come from the page this server rendered.
    if !form
        .get(CSRF_FIELD)
        .is_some_and(|token| constant_time_eq(token, &current.csrf))
    {
        return html::error_page(
            &state,
            StatusCode::BAD_REQUEST,
            "The sign-in form is not valid any more. Start again from the application.",
        );
    }
    let Some(user) = check_credentials(
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
    let session = state.sessions.create(
        &user.username,
        &user.subject(),
        Duration::from_secs(state.config.session_ttl),
    );
    let status = post_redirect_status(&state);
    let mut response = match current.pending {
        // RFC 9700 §4.11.2: the user has authenticated; the error may now be delivered.
        Pending::Error(_, _) => match state.interactions.take_if(&current.id, |_| true) {
            Some(Interaction {
                pending: Pending::Error(target, error),
                ..
            }) => response_mode::deliver(&state, &target, &Outcome::Error(error), status),
            _ => expired(&state),
        },
        Pending::Grant(_) => {
            let bound = state
                .interactions
                .update(&current.id, |i| i.session_id = Some(session.id.clone()));
            match bound {
                Some(_) => redirect(status, &interaction_url(&state, "/consent", &current.id)),
                None => expired(&state),
            }
        }
    };
    if let Some(cookie) = set_cookie(SESSION_COOKIE, &session.id) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// RFC 9700 §4.12: a redirect answering a POST that carried credentials is 303, never 307.
pub fn post_redirect_status(state: &AppState) -> RedirectStatus {
    if state.has(Fault::LoginRedirect307) {
        RedirectStatus::Temporary
    } else {
        RedirectStatus::SeeOther
    }
}

/// The user with these credentials; passwords are compared in constant time, and a digest
/// comparison is made even for an unknown username.
pub fn check_credentials<'a>(
    state: &'a AppState,
    username: &str,
    password: &str,
) -> Option<&'a UserFixture> {
    let user = state.config.fixtures.user(username);
    let expected = user.map_or("\u{0}no-such-user", |u| u.password.as_str());
    let matches = constant_time_eq(password, expected);
    user.filter(|_| matches)
}

fn interaction(state: &AppState, id: &str) -> Option<Interaction> {
    state
        .interactions
        .get(id)
        .filter(|i| i.style == Style::Html)
}

/// The page for an unknown or expired interaction.
pub fn expired(state: &AppState) -> Response {
    html::error_page(
        state,
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
    html::respond(state, status, html::document("Sign in", "", &body))
}
