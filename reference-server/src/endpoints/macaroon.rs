//! The AIC / AM macaroon endpoint, `/am/json/realms/{realm}/token/macaroon` (seed 000:
//! "Retrieve metadata about a macaroon, and add caveats"). Two actions, chosen by the query's
//! `_action`: `inspect` answers the macaroon's `identifier`, `location`, `caveats` and
//! `signature`; `restrict` adds `{"type": "first-party", "identifier": {...}}` as a caveat
//! and answers the new `macaroon`. No key is needed for either ("Anyone in possession of a
//! macaroon token can inspect and restrict the macaroon securely"), so the endpoint takes no
//! client authentication. Errors use AM's JSON error body (`code`, `reason`, `message`).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use oauth2spec_vocab::macaroon::Macaroon;
use serde_json::{Value, json};

use crate::macaroon;
use crate::state::SharedState;

/// AM's error body.
fn error(status: StatusCode, message: &str) -> Response {
    let body = json!({
        "code": status.as_u16(),
        "reason": status.canonical_reason().unwrap_or_default(),
        "message": message,
    });
    (status, Json(body)).into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST ...?_action=inspect|restrict` with a JSON body.
pub async fn post(
    State(state): State<SharedState>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let policy = &state.policy.macaroon;
    let malformed = |message: &str| {
        if policy.malformed_is_bad_request {
            error(StatusCode::BAD_REQUEST, message)
        } else {
            // The fault: the parse failure escapes as a server error.
            error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    };
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "The body must be a JSON object");
    };
    let Some(Ok(m)) = request
        .get("macaroon")
        .and_then(Value::as_str)
        .map(Macaroon::parse)
    else {
        return malformed("Invalid macaroon");
    };
    match query.get("_action").map(String::as_str) {
        Some("inspect") => {
            let caveats: Vec<Value> = if policy.inspect_lists_caveats {
                m.caveats
                    .iter()
                    .map(|c| match &c.vid {
                        None => json!({
                            "type": "first-party",
                            "identifier": macaroon::caveat_json(&c.identifier),
                        }),
                        Some(_) => json!({
                            "type": "third-party",
                            "location": c.location,
                            "identifier": String::from_utf8_lossy(&c.identifier),
                        }),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let mut out = json!({ "caveats": caveats });
            if policy.inspect_complete {
                out["identifier"] = json!(String::from_utf8_lossy(&m.identifier));
                out["location"] = json!(m.location);
                out["signature"] = json!(hex(&m.signature));
            }
            Json(out).into_response()
        }
        Some("restrict") => {
            let caveat = request.get("caveat");
            if caveat.and_then(|c| c.get("type")).and_then(Value::as_str) != Some("first-party") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "Only first-party caveats can be added here",
                );
            }
            let identifier = match caveat.and_then(|c| c.get("identifier")) {
                Some(Value::String(s)) => s.clone().into_bytes(),
                Some(v @ Value::Object(_)) => v.to_string().into_bytes(),
                _ => return error(StatusCode::BAD_REQUEST, "The caveat has no identifier"),
            };
            let restricted = macaroon::restrict(&state, &m, &identifier);
            Json(json!({ "macaroon": restricted.serialize() })).into_response()
        }
        _ => error(
            StatusCode::BAD_REQUEST,
            "Unknown action: use _action=inspect or _action=restrict",
        ),
    }
}
