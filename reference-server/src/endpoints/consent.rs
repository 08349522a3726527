//! The consent page of the HTML style, an adapter of [`crate::interaction::flow`]:
//! `GET {prefix}/consent?interaction=ID` shows what the client asks for,
//! `POST {prefix}/consent` with `decision=allow` or `decision=deny` answers the client. The
//! decision must come from the session that logged in and carry the page's anti-CSRF token
//! (RFC 6749 §10.12).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use crate::authz_request::Pending;
use crate::endpoints::login::{CSRF_FIELD, INTERACTION_FIELD, expired};
use crate::form::Form;
use crate::html::{self, escape};
use crate::interaction::flow::{self, Decision, NotYours};
use crate::interaction::{Interaction, Style};
use crate::response_mode::{self, RedirectStatus};
use crate::session;
use crate::state::{AppState, SharedState};

/// `GET {prefix}/consent`.
pub async fn get(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    let query = Form::from_query(uri.query().unwrap_or(""));
    let Some(current) = query
        .get(INTERACTION_FIELD)
        .and_then(|id| flow::find(&state, id, Style::Html))
    else {
        return expired(state.policy.pages);
    };
    if let Some(response) = check_session(&state, &headers, &current) {
        return response;
    }
    // RFC 6749 §10.12: a plain GET never grants anything.
    if !state.policy.interaction.consent_post_only && query.get("decision").is_some() {
        return decide(
            &state,
            &current,
            query.get("decision"),
            RedirectStatus::Found,
        );
    }
    consent_page(&state, &current)
}

/// `POST {prefix}/consent`.
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let Ok(form) = Form::parse(&headers, &body) else {
        return html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "The consent form must be posted form-encoded.",
        );
    };
    let Some(current) = form
        .get(INTERACTION_FIELD)
        .and_then(|id| flow::find(&state, id, Style::Html))
    else {
        return expired(state.policy.pages);
    };
    if let Some(response) = check_session(&state, &headers, &current) {
        return response;
    }
    let csrf_ok = flow::csrf_matches(&current.csrf, form.get(CSRF_FIELD));
    if !csrf_ok && state.policy.interaction.consent_csrf_checked {
        return html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "The consent form is not valid. Start again from the application.",
        );
    }
    decide(
        &state,
        &current,
        form.get("decision"),
        state.policy.interaction.post_redirect,
    )
}

/// The interaction must be logged in, by the session the request carries; `Some` is the
/// page refusing it.
fn check_session(state: &AppState, headers: &HeaderMap, current: &Interaction) -> Option<Response> {
    let session = session::from_request(state, headers);
    let message =
        match flow::check_consent_session(&state.policy.interaction, current, session.as_ref()) {
            Ok(()) => return None,
            Err(NotYours::NotLoggedIn) => "Sign in before answering this request.",
            Err(NotYours::OtherSession) => "This request belongs to another sign-in session.",
        };
    Some(html::error_page(
        state.policy.pages,
        StatusCode::BAD_REQUEST,
        message,
    ))
}

/// Applies the user's decision, once.
fn decide(
    state: &AppState,
    current: &Interaction,
    decision: Option<&str>,
    status: RedirectStatus,
) -> Response {
    let Some(decision) = Decision::parse(decision) else {
        return html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "Choose Allow or Deny.",
        );
    };
    match flow::decide_interaction(state, &current.id, decision) {
        Some(answer) => response_mode::deliver(state, &answer.target, &answer.outcome, status),
        None => expired(state.policy.pages),
    }
}

fn consent_page(state: &AppState, current: &Interaction) -> Response {
    let (client, scopes) = match &current.pending {
        Pending::Grant(request) => (request.target.client_id.as_str(), request.scopes.clone()),
        Pending::Error(target, _) => (target.client_id.as_str(), Vec::new()),
    };
    let items: String = scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>\n", escape(s)))
        .collect();
    let body = format!(
        "<h1>Allow access?</h1>\n<p><strong>{client}</strong> asks for:</p>\n<ul>\n{items}</ul>\n\
         <form method=\"post\" action=\"{action}\">\n\
         <input type=\"hidden\" name=\"{INTERACTION_FIELD}\" value=\"{id}\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\n\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
        client = escape(client),
        action = escape(&state.page_path("/consent")),
        id = escape(&current.id),
        csrf = escape(&current.csrf),
    );
    html::respond(
        state.policy.pages,
        StatusCode::OK,
        html::document("Allow access?", "", &body),
    )
}
