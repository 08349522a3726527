//! The test-only hook endpoint: `POST /test/hooks/{hook}` with the hook's arguments as one
//! JSON object of strings, the contract of the harness's `reference` hook driver
//! (`src/execute/hooks.rs`). It performs what a deployment would need an operator, a second
//! device or the passing of time for. Routed only when `ServerConfig::test_hooks` is on: the
//! in-process servers of the default run and the self-tests, or `serve --test-hooks`.
//!
//! Hooks:
//! - `age_code` `{ "code": "...", "seconds": "601" }`: the code is made `seconds` older, as
//!   if that much time had passed for it alone (RFC 6749 §4.1.2 lifetime cases). Only that
//!   code ages: cases running beside it on the same server keep real time, which a global
//!   clock jump would break (their tokens and pending logins would expire under them).
//! - `age_device_code` `{ "device_code": "...", "seconds": "16" }`: the same for a device
//!   code and its user code (RFC 8628 §3.5 `expired_token` cases).
//! - `device_decision` `{ "user_code": "...", "action": "approve" | "deny", "user": "bob" }`:
//!   the user (`user` optional: the first user) approves or denies the device authorization
//!   on the verification page (RFC 8628 §3.3), for cases that need a decision without a
//!   browser. 404 `unknown_request` for a user code that cannot be decided.
//! - `ciba_decision` `{ "auth_req_id": "...", "action": "approve" | "deny" }`: the user
//!   decides on the authentication device (OpenID CIBA Core 1.0 §1 "AD"); ping and push
//!   clients are notified. Answers 200 with what the device showed: `{"auth_req_id",
//!   "action", "user", "binding_message"}` (`binding_message` absent when none is shown),
//!   or 400 `invalid_request` when the request expired or was already decided.
//! - `age_ciba` `{ "auth_req_id": "...", "seconds": "61" }`: the request is made `seconds`
//!   older (fractions allowed), like `age_code`, for the expiry cases of CIBA §11.
//!
//! Answers: 204 once done; 404 `unknown_hook` or `unknown_request` (no such live code);
//! 400 `invalid_request` for a body or argument that is missing or malformed.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::ciba::DecideError;
use crate::devices::{Decider, Status};
use crate::endpoints::ciba::deliver;
use crate::errors::plain_error;
use crate::state::SharedState;

/// The route, the same in every layout (it belongs to no vendor).
pub const PATH: &str = "/test/hooks/{hook}";

/// `POST /test/hooks/{hook}`.
pub async fn post(
    State(state): State<SharedState>,
    Path(hook): Path<String>,
    body: Bytes,
) -> Response {
    let args: BTreeMap<String, String> = if body.is_empty() {
        BTreeMap::new()
    } else {
        match serde_json::from_slice(&body) {
            Ok(args) => args,
            Err(_) => return invalid("the body must be a JSON object of strings"),
        }
    };
    match hook.as_str() {
        "age_code" => age_code(&state, &args),
        "age_device_code" => age_device_code(&state, &args),
        "device_decision" => device_decision(&state, &args),
        "ciba_decision" => ciba_decision(&state, &args),
        "age_ciba" => age_ciba(&state, &args),
        _ => plain_error(StatusCode::NOT_FOUND, "unknown_hook"),
    }
}

fn age_code(state: &SharedState, args: &BTreeMap<String, String>) -> Response {
    let Some(code) = args.get("code") else {
        return invalid("`code` is missing");
    };
    let Some(seconds) = args
        .get("seconds")
        .and_then(|s| s.trim().parse::<u64>().ok())
    else {
        return invalid("`seconds` must be a whole number of seconds");
    };
    let aged = state
        .codes
        .expires_at(code)
        .and_then(|t| t.checked_sub(Duration::from_secs(seconds)))
        .is_some_and(|t| state.codes.set_expires_at(code, t));
    if aged {
        StatusCode::NO_CONTENT.into_response()
    } else {
        plain_error(StatusCode::NOT_FOUND, "unknown_request")
    }
}

fn age_device_code(state: &SharedState, args: &BTreeMap<String, String>) -> Response {
    let Some(code) = args.get("device_code") else {
        return invalid("`device_code` is missing");
    };
    let Some(seconds) = args
        .get("seconds")
        .and_then(|s| s.trim().parse::<u64>().ok())
    else {
        return invalid("`seconds` must be a whole number of seconds");
    };
    if state.devices.age(code, Duration::from_secs(seconds)) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        plain_error(StatusCode::NOT_FOUND, "unknown_request")
    }
}

fn device_decision(state: &SharedState, args: &BTreeMap<String, String>) -> Response {
    let Some(user_code) = args.get("user_code") else {
        return invalid("`user_code` is missing");
    };
    let fixtures = &state.config.fixtures;
    let user = match args.get("user") {
        Some(name) => fixtures.user(name),
        None => fixtures.users.first(),
    };
    let Some(user) = user else {
        return invalid("`user` is not a known user");
    };
    let decider = Decider {
        subject: user.subject(),
        auth_time: SystemTime::now(),
    };
    let status = match args.get("action").map(String::as_str) {
        Some("approve") => Status::Approved(decider),
        Some("deny") => Status::Denied(decider),
        _ => return invalid("`action` must be approve or deny"),
    };
    match state
        .devices
        .decide(&state.policy.device, user_code, status)
    {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => plain_error(StatusCode::NOT_FOUND, "unknown_request"),
    }
}

fn ciba_decision(state: &SharedState, args: &BTreeMap<String, String>) -> Response {
    let Some(id) = args.get("auth_req_id") else {
        return invalid("`auth_req_id` is missing");
    };
    let approve = match args.get("action").map(String::as_str) {
        Some("approve") => true,
        Some("deny") => false,
        _ => return invalid("`action` must be `approve` or `deny`"),
    };
    let record = match state
        .ciba
        .decide(id, approve, state.policy.ciba.expiry_enforced)
    {
        Ok(record) => record,
        Err(DecideError::Unknown) => return plain_error(StatusCode::NOT_FOUND, "unknown_request"),
        Err(error @ (DecideError::Expired | DecideError::AlreadyDecided)) => {
            return invalid(&error.to_string());
        }
    };
    deliver(state, id, &record);
    let mut shown = serde_json::Map::new();
    shown.insert("auth_req_id".into(), json!(id));
    shown.insert(
        "action".into(),
        json!(if approve { "approve" } else { "deny" }),
    );
    if let Some(user) = state.config.fixtures.user_by_subject(&record.subject) {
        shown.insert("user".into(), json!(user.username));
    }
    // CIBA §7.1: the binding message is "intended to be displayed on both the consumption
    // device and the authentication device".
    if let Some(message) = record
        .binding_message
        .filter(|_| state.policy.ciba.binding_message_shown)
    {
        shown.insert("binding_message".into(), json!(message));
    }
    (StatusCode::OK, axum::Json(serde_json::Value::Object(shown))).into_response()
}

fn age_ciba(state: &SharedState, args: &BTreeMap<String, String>) -> Response {
    let Some(id) = args.get("auth_req_id") else {
        return invalid("`auth_req_id` is missing");
    };
    let Some(by) = args
        .get("seconds")
        .and_then(|s| s.trim().parse::<f64>().ok())
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
    else {
        return invalid("`seconds` must be a non-negative number of seconds");
    };
    if state.ciba.age(id, by) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        plain_error(StatusCode::NOT_FOUND, "unknown_request")
    }
}

fn invalid(description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_request", "error_description": description})),
    )
        .into_response()
}
