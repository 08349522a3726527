//! PingOne's `pi.flow` response mode (pingone layout only), an adapter of
//! [`crate::interaction::flow`]: the authorization endpoint answers 200 with a JSON flow
//! instead of redirecting; the client posts the user's credentials to
//! `/{env}/flows/{flowId}` and fetches the authorization response from
//! `/{env}/as/resume?flowId={flowId}`. There is no consent step in this style.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::interaction::flow::{self, LoggedIn, Resumed};
use crate::interaction::{Interaction, Step, Style};
use crate::response_mode;
use crate::session::{SESSION_COOKIE, set_cookie};
use crate::state::{AppState, SharedState};

/// The media type of a credentials check.
pub const USERNAME_PASSWORD_CHECK: &str =
    "application/vnd.pingidentity.usernamePassword.check+json";

/// The authorization endpoint's answer to a pi.flow request: the flow [`flow::start`]
/// stored, as JSON.
pub fn started(state: &AppState, flow: &Interaction) -> Response {
    json_response(StatusCode::OK, flow_json(state, flow))
}

/// A request whose client or redirect URI cannot be trusted: 400, never a flow.
pub fn request_error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        json!({
            "code": "INVALID_REQUEST",
            "message": message,
            "error": "invalid_request",
            "error_description": crate::errors::sanitize_description(message),
        }),
    )
}

/// The flow resource: its status, links and resume URL.
fn flow_json(state: &AppState, flow: &Interaction) -> Value {
    let env = state.config.env_id.trim_matches('/');
    let flow_url = state.url(&format!("/{env}/flows/{}", flow.id));
    let resume_url = state.url(&format!("/{env}/as/resume?flowId={}", flow.id));
    if flow.awaits() == Step::Resume {
        json!({
            "id": flow.id,
            "status": "COMPLETED",
            "_links": {"self": {"href": flow_url}},
            "resumeUrl": resume_url,
        })
    } else {
        json!({
            "id": flow.id,
            "status": "USERNAME_PASSWORD_REQUIRED",
            "_links": {
                "usernamePassword.check": {"href": flow_url},
                "self": {"href": flow_url},
            },
            "resumeUrl": resume_url,
        })
    }
}

#[derive(Debug, Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

/// `POST /{env}/flows/{flowId}` with `Content-Type:
/// application/vnd.pingidentity.usernamePassword.check+json`.
pub async fn check(
    State(state): State<SharedState>,
    Path(flow_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    // RFC 9110 §8.3.1: media types are case-insensitive.
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case(USERNAME_PASSWORD_CHECK)) {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_REQUEST",
            "Send the credentials as application/vnd.pingidentity.usernamePassword.check+json.",
        );
    }
    let Ok(credentials) = serde_json::from_slice::<Credentials>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "The request body must be {\"username\": ..., \"password\": ...}.",
        );
    };
    let Some(flow) = flow::find(&state, &flow_id, Style::PiFlow) else {
        return not_found();
    };
    if flow.awaits() == Step::Resume {
        return problem(
            StatusCode::BAD_REQUEST,
            "REQUEST_FAILED",
            "The flow is not waiting for credentials.",
        );
    }
    let Some(session) = flow::authenticate(&state, &credentials.username, &credentials.password)
    else {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({
                "id": flow.id,
                "code": "INVALID_DATA",
                "message": "The request could not be completed. One or more validation errors were in the request.",
                "details": [{
                    "code": "INVALID_VALUE",
                    "target": "password",
                    "message": "Invalid username and/or password",
                }],
            }),
        );
    };
    let updated = match flow::logged_in(&state, &flow, &session) {
        LoggedIn::Waiting(updated) => updated,
        // A pi.flow login never answers at once: the response waits for resume.
        LoggedIn::Answer(_) | LoggedIn::Gone => return not_found(),
    };
    let mut response = json_response(StatusCode::OK, flow_json(&state, &updated));
    if let Some(cookie) = set_cookie(SESSION_COOKIE, &session.id) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

#[derive(Debug, Deserialize)]
pub struct ResumeQuery {
    #[serde(rename = "flowId")]
    flow_id: Option<String>,
}

/// `GET /{env}/as/resume?flowId={flowId}`: the authorization response, once.
pub async fn resume(
    State(state): State<SharedState>,
    Query(query): Query<ResumeQuery>,
) -> Response {
    let Some(flow_id) = query.flow_id else {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "flowId is missing.",
        );
    };
    let (target, outcome) = match flow::resume(&state, &flow_id) {
        Resumed::Answer(answer) => (answer.target, answer.outcome),
        Resumed::NotReady => {
            return problem(
                StatusCode::BAD_REQUEST,
                "REQUEST_FAILED",
                "The flow is not completed.",
            );
        }
        Resumed::Unknown => return not_found(),
    };
    let mode = response_mode::effective_mode(&state.policy.response, &target, &outcome);
    let params = response_mode::params(&state, &target, &outcome, mode);
    json_response(
        StatusCode::OK,
        json!({
            "id": flow_id,
            "status": "COMPLETED",
            "authorizeResponse": response_mode::params_object(&params),
        }),
    )
}

fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The flow is unknown or has expired.",
    )
}

pub(crate) fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, json!({"code": code, "message": message}))
}

/// JSON, never cached: flows carry codes and tokens.
pub(crate) fn json_response(status: StatusCode, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
