//! PingOne Advanced Identity Cloud / ForgeRock AM style (aic layout): REST login at
//! `POST /am/json/realms/{realm}/authenticate` with `X-OpenAM-Username` and
//! `X-OpenAM-Password`, answered with a session `tokenId` (also set as the
//! `iPlanetDirectoryPro` cookie); then a POST to the authorization endpoint carrying the
//! session cookie, the authorization parameters, `csrf` (the tokenId) and `decision`.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::authz_request::Pending;
use crate::endpoints::authorization::complete;
use crate::endpoints::consent::denied;
use crate::endpoints::login::check_credentials;
use crate::faults::Fault;
use crate::form::Form;
use crate::html;
use crate::pkce::constant_time_eq;
use crate::response_mode::{self, Outcome, RedirectStatus};
use crate::session::{AM_COOKIE, Session, set_cookie};
use crate::state::SharedState;

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
    let user = match (
        header_value("x-openam-username"),
        header_value("x-openam-password"),
    ) {
        (Some(username), Some(password)) => check_credentials(&state, username, password),
        _ => None,
    };
    let Some(user) = user else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"code": 401, "reason": "Unauthorized", "message": "Login failure"})),
        )
            .into_response();
    };
    let session = state.sessions.create(
        &user.username,
        &user.subject(),
        Duration::from_secs(state.config.session_ttl),
    );
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

/// The authorization endpoint's answer to a POST with a session, `csrf` and `decision`.
pub fn decide(
    state: &crate::state::AppState,
    form: &Form,
    session: &Session,
    pending: Pending,
    status: RedirectStatus,
) -> Response {
    // RFC 6749 §10.12: the decision must prove it comes from the session's holder.
    let csrf_ok = form
        .get("csrf")
        .is_some_and(|csrf| constant_time_eq(csrf, &session.id));
    if !csrf_ok && !state.has(Fault::ConsentCsrfNotChecked) {
        return html::error_page(
            state,
            StatusCode::BAD_REQUEST,
            "The csrf parameter does not match the session.",
        );
    }
    match pending {
        Pending::Error(target, error) => {
            response_mode::deliver(state, &target, &Outcome::Error(error), status)
        }
        Pending::Grant(request) => match form.get("decision") {
            Some("allow") => {
                state.sessions.record_consent(
                    &session.id,
                    &request.target.client_id,
                    &request.scopes,
                );
                let outcome = complete(state, &request, session);
                response_mode::deliver(state, &request.target, &outcome, status)
            }
            Some("deny") => response_mode::deliver(
                state,
                &request.target,
                &Outcome::Error(denied(state)),
                status,
            ),
            _ => html::error_page(
                state,
                StatusCode::BAD_REQUEST,
                "decision must be allow or deny.",
            ),
        },
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
