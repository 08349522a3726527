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
//!
//! Answers: 204 once done; 404 `unknown_hook` or `unknown_request` (no such live code);
//! 400 `invalid_request` for a body or argument that is missing or malformed.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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

fn invalid(description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": "invalid_request", "error_description": description})),
    )
        .into_response()
}
