//! The device authorization endpoint (RFC 8628 §3.1, §3.2): client authentication as at the
//! token endpoint, the scope check, and the response with the device code, the user code and
//! where the user enters it.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::authz_request::OPENID;
use crate::client_auth::{Caller, authenticate};
use crate::errors::{OAuthError, method_not_allowed};
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{MAX_TOKEN_TTL, device_code};
use crate::policy::DevicePolicy;
use crate::scope;
use crate::state::{AppState, SharedState};

/// `POST` on the device authorization endpoint.
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let policy = &state.policy.device;
    let response = match device_authorization(&state, &headers, &body) {
        Ok(document) => (StatusCode::OK, axum::Json(Value::Object(document))).into_response(),
        Err(error) => error.to_response(policy.error_format),
    };
    with_cache_headers(policy, response)
}

/// Any other method: RFC 8628 §3.1 "the client makes an HTTP "POST" request".
pub async fn other_method(State(state): State<SharedState>) -> Response {
    let policy = &state.policy.device;
    with_cache_headers(policy, method_not_allowed("POST", policy.error_format))
}

fn device_authorization(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, OAuthError> {
    let policy = &state.policy.device;
    let form =
        Form::parse(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    // §3.1: "Request and response parameters MUST NOT be included more than once"; RFC 6749
    // §5.2 invalid_request: the request "repeats a parameter".
    if form.repeated().is_some() && policy.repeated_params_refused {
        return Err(OAuthError::invalid_request(
            "a request parameter is included more than once",
        ));
    }
    let jwt = state.assertion_context(&state.paths.device_authorization);
    let client = match authenticate(&state.clients, policy.client_auth, &jwt, headers, &form) {
        Ok(Caller::Client(client)) => client,
        // §3.1: client_id is REQUIRED "if the client is not authenticating with the
        // authorization server"; a request with neither identifies no client.
        Ok(Caller::Anonymous) if !policy.anonymous_refused => state
            .config
            .fixtures
            .client_by_role("device")
            .and_then(|c| state.client(&c.client_id))
            .ok_or_else(|| OAuthError::invalid_client("no default device client"))?,
        Ok(Caller::Anonymous) => {
            return Err(OAuthError::invalid_client(
                "client authentication or client_id is required",
            ));
        }
        // RFC 6749 §5.2: 401 with a challenge when the Authorization header was tried.
        Err(failure) => return Err(failure.to_oauth_error()),
    };
    if form.get("client_id").is_none() && !policy.basic_alone_accepted {
        return Err(OAuthError::invalid_request("client_id is missing"));
    }
    if !client.has_grant_type(device_code::GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(
            "the client is not registered for the device_code grant",
        ));
    }
    let scope = granted_scope(&client, form.get("scope"))?;
    let ttl = state
        .config
        .device_code_ttl
        .min(Duration::from_secs(MAX_TOKEN_TTL));
    let (device_code, record) = state.devices.create(
        policy,
        &client.client_id,
        &scope,
        ttl,
        state.config.device_interval,
    );
    let verification_uri = state.url(&state.paths.device_verification);
    let complete = format!("{verification_uri}?user_code={}", record.user_code);
    let mut document = Map::new();
    document.insert("device_code".into(), json!(device_code));
    document.insert("user_code".into(), json!(record.user_code));
    // §3.3: "the "verification_uri" ... NOT RECOMMENDED" to carry the user code.
    let shown_uri = if policy.verification_uri_plain {
        verification_uri
    } else {
        complete.clone()
    };
    document.insert("verification_uri".into(), json!(shown_uri));
    document.insert("verification_uri_complete".into(), json!(complete));
    let expires_in = seconds(ttl);
    document.insert(
        "expires_in".into(),
        if policy.expires_in_numeric {
            expires_in
        } else {
            json!(expires_in.to_string())
        },
    );
    document.insert("interval".into(), seconds(state.config.device_interval));
    Ok(document)
}

/// RFC 6749 §3.3: the requested scope, or the client's registered scope when none was asked
/// for; `openid` is allowed to every device client (an ID token comes with the tokens).
fn granted_scope(client: &ClientFixture, requested: Option<&str>) -> Result<String, OAuthError> {
    let Some(requested) = requested else {
        return Ok(client.scope.clone());
    };
    let invalid = || OAuthError::invalid_scope("the requested scope is not allowed");
    let tokens = scope::parse(requested).map_err(|_| invalid())?;
    if !scope::is_subset(&tokens, client.scopes().chain([OPENID])) {
        return Err(invalid());
    }
    Ok(scope::join(&tokens))
}

/// A duration as a JSON number of seconds: an integer when whole, else a fraction (test
/// servers poll every fraction of a second).
pub fn seconds(duration: Duration) -> Value {
    if duration.subsec_nanos() == 0 {
        json!(duration.as_secs())
    } else {
        json!(duration.as_secs_f64())
    }
}

/// RFC 6749 §5.1 (the response carries credentials): `Cache-Control: no-store` and
/// `Pragma: no-cache`.
fn with_cache_headers(policy: &DevicePolicy, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if policy.no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(5)), json!(5));
        assert_eq!(seconds(Duration::from_millis(250)), json!(0.25));
    }
}
