//! PingOne Advanced Identity Cloud / ForgeRock AM style (aic layout), an adapter of
//! [`crate::interaction::flow`]: REST login at
//! `POST /am/json/realms/{realm}/authenticate` with `X-OpenAM-Username` and
//! `X-OpenAM-Password`, answered with a session `tokenId` (also set as the
//! `iPlanetDirectoryPro` cookie); then a POST to the authorization endpoint carrying the
//! session cookie, the authorization parameters, `csrf` (the tokenId) and `decision`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::authz_request::Pending;
use crate::form::Form;
use crate::html;
use crate::interaction::flow::{self, Decision};
use crate::response_mode::{self, RedirectStatus};
use crate::session::{AM_COOKIE, Session, set_cookie};
use crate::state::{AppState, SharedState};

/// The path of the REST login for `realm` (such as `root/realms/alpha`).
pub fn authenticate_path(realm: &str) -> String {
    format!("/am/json/realms/{}/authenticate", realm.trim_matches('/'))
}

/// The `realm` value AM reports: the last realm name, e.g. `/alpha` for
/// `root/realms/alpha`, and `/` for the root realm.
fn realm_name(realm: &str) -> String {
    let realm = realm.trim_matches('/');
    match realm.rsplit_once("realms/") {
        Some((_, name)) => format!("/{name}"),
        None => "/".to_string(),
    }
}

/// `POST /am/json/realms/{realm}/authenticate`.
pub async fn authenticate(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let header_value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let session = match (
        header_value("x-openam-username"),
        header_value("x-openam-password"),
    ) {
        (Some(username), Some(password)) => flow::authenticate(&state, username, password),
        _ => None,
    };
    let Some(session) = session else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": 401, "reason": "Unauthorized", "message": "Login failure"})),
        )
            .into_response();
    };
    let mut response = (
        StatusCode::OK,
        axum::Json(json!({
            "tokenId": session.id,
            "successUrl": "/am/console",
            "realm": realm_name(&state.config.realm),
        })),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(cookie) = set_cookie(AM_COOKIE, &session.id) {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

/// The authorization endpoint's answer to a POST with a session, `csrf` and `decision`:
/// consent given over REST, with the session token as `csrf`.
pub fn decision(
    state: &AppState,
    form: &Form,
    session: &Session,
    pending: Pending,
    status: RedirectStatus,
) -> Response {
    // RFC 6749 §10.12: the decision must prove it comes from the session's holder.
    let csrf_ok = flow::csrf_matches(&session.id, form.get("csrf"));
    if !csrf_ok && state.policy.interaction.consent_csrf_checked {
        return html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "The csrf parameter does not match the session.",
        );
    }
    let decision = match (Decision::parse(form.get("decision")), &pending) {
        (Some(decision), _) => decision,
        // A pending error is delivered whatever the decision says.
        (None, Pending::Error(_, _)) => Decision::Deny,
        (None, Pending::Grant(_)) => {
            return html::error_page(
                state.policy.pages,
                StatusCode::BAD_REQUEST,
                "decision must be allow or deny.",
            );
        }
    };
    match flow::decide(state, pending, Some(session), decision) {
        Some(answer) => response_mode::deliver(state, &answer.target, &answer.outcome, status),
        // Unreachable with a session; answered like an expired interaction.
        None => html::error_page(
            state.policy.pages,
            StatusCode::BAD_REQUEST,
            "The session has ended. Start again from the application.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realm_names() {
        assert_eq!(realm_name("root/realms/alpha"), "/alpha");
        assert_eq!(realm_name("/root/realms/alpha/"), "/alpha");
        assert_eq!(realm_name("root"), "/");
        assert_eq!(
            authenticate_path("root/realms/alpha"),
            "/am/json/realms/root/realms/alpha/authenticate"
        );
    }
}
