//! The JWKS endpoint (RFC 7517 §5): the public half of the server's signing key.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::errors::{ErrorFormat, method_not_allowed};
use crate::state::{AppState, SharedState};

/// `GET` on the JWKS endpoint.
pub async fn get(State(state): State<SharedState>) -> Response {
    axum::Json(key_set(&state)).into_response()
}

/// Any other method.
pub async fn other_method() -> Response {
    method_not_allowed("GET, HEAD", ErrorFormat::Json)
}

/// The JWK Set document.
pub fn key_set(state: &AppState) -> Value {
    let signing = &state.keys.signing;
    let mut jwk = signing.public_jwk();
    // OpenID Connect Discovery §3 (jwks_uri) and RFC 7517 §9.2: the set published for
    // verification never holds private key material.
    if !state.policy.jwks.public_members_only {
        signing.add_private_members(&mut jwk);
    }
    let mut keys = vec![Value::Object(jwk)];
    // RFC 7517 §4.5: kid values should be unique within a set; the fault breaks that with a
    // second, different key published under the same kid.
    if !state.policy.jwks.unique_kids
        && let Some(duplicate) = &state.keys.duplicate_kid
    {
        keys.push(Value::Object(duplicate.jwk_with_kid(signing.kid())));
    }
    json!({ "keys": keys })
}
