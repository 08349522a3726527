//! The client registration endpoint (RFC 7591 §3) and the client configuration endpoint
//! (RFC 7592 §2): POST registers a client; GET, PUT and DELETE on
//! `{registration}/{client_id}` read, replace and delete it, each with the client's
//! registration access token as a Bearer token (RFC 6750 §2.1). Registration is open unless
//! the configuration names an initial access token (RFC 7591 §3).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::client_registry::Registration;
use crate::errors::{ErrorFormat, method_not_allowed, sanitize_description};
use crate::registration::metadata::{self, MANAGED, MetadataError};
use crate::registration::{self, client_fixture, information};
use crate::state::{AppState, SharedState};
use crate::store::revocation_now;

/// The realm of the Bearer challenges.
const REALM: &str = "oauth2spec-registration";

/// POST on the registration endpoint (RFC 7591 §3.1).
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let policy = &state.policy.registration;
    // §3: "The client registration endpoint MAY be an OAuth 2.0 protected resource and
    // accept an initial access token"; a missing or wrong one is refused as RFC 6750 §3
    // describes (configured with `ServerConfig::registration_token`).
    if let Some(expected) = &state.config.registration_token {
        let presented = bearer(&headers);
        let valid: bool = presented.as_ref().is_some_and(|t| {
            Sha256::digest(t.as_bytes())
                .ct_eq(&Sha256::digest(expected.as_bytes()))
                .into()
        });
        if !valid {
            return unauthorized(&state, presented.map(|_| "invalid_token"));
        }
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the body is not JSON",
        );
    };
    let validated = match metadata::validate(policy, &request) {
        Ok(m) => m,
        Err(e) => return metadata_error(&state, &e),
    };
    let requested_id = request.get("client_id").and_then(Value::as_str);
    let registration = registration::register(&state, validated, requested_id);
    let body = information(&state, &registration, true);
    if policy.stored {
        state.clients.put(registration);
    }
    // §3.2.1: "HTTP 201 Created".
    let status = if policy.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    with_secrets(&state, (status, Json(body)).into_response())
}

/// Any other method on the registration endpoint.
pub async fn other_method(State(state): State<SharedState>) -> Response {
    method_not_allowed("POST", state.policy.registration.error_format)
}

/// GET on the client configuration endpoint (RFC 7592 §2.1): the current registration,
/// with "the client's current registration access token and client credentials" (App. A.1).
pub async fn read(
    State(state): State<SharedState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let registration = match authorize(&state, &headers, &client_id) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let body = information(
        &state,
        &registration,
        state.policy.registration.read_complete,
    );
    with_secrets(&state, (StatusCode::OK, Json(body)).into_response())
}

/// PUT on the client configuration endpoint (RFC 7592 §2.2): the body replaces the
/// registered metadata.
pub async fn update(
    State(state): State<SharedState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let current = match authorize(&state, &headers, &client_id) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    let policy = &state.policy.registration;
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return error(
            &state,
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "the body is not a JSON object",
        );
    };
    // §2.2: "The client MUST include its client_id field in the request, and it MUST be the
    // same as its currently issued client identifier."
    let same_id = request.get("client_id").and_then(Value::as_str) == Some(client_id.as_str());
    if !same_id && policy.update_client_id_checked {
        return invalid_request(&state, "client_id must be the client's current identifier");
    }
    // §2.2: "The client MUST NOT include the registration_access_token,
    // registration_client_uri, client_secret_expires_at, or client_id_issued_at fields".
    let managed = [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ];
    if policy.update_managed_fields_refused && managed.iter().any(|m| request.contains_key(*m)) {
        return invalid_request(&state, "server-managed fields cannot be updated");
    }
    // §2.2: "If the client includes the client_secret field in the request, the value of
    // this field MUST match the currently issued client secret for that client. The client
    // MUST NOT be allowed to overwrite its existing client secret with its own chosen value."
    let sent_secret = request
        .get("client_secret")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mismatch =
        sent_secret.is_some() && sent_secret.as_deref() != current.client.client_secret.as_deref();
    if mismatch && policy.update_secret_refused {
        return invalid_request(&state, "client_secret does not match the issued secret");
    }
    let unmanaged: serde_json::Map<String, Value> = request
        .iter()
        .filter(|(k, _)| !MANAGED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let validated = match metadata::validate(policy, &Value::Object(unmanaged.clone())) {
        Ok(m) => m,
        // The `registration-update-invalid-applied` fault: redirect URIs are not checked.
        Err(_) if !policy.update_validated => {
            let mut lenient = policy.clone();
            lenient.redirect_syntax_checked = false;
            lenient.http_redirect_refused = false;
            lenient.redirect_scheme_checked = false;
            match metadata::validate(&lenient, &Value::Object(unmanaged)) {
                Ok(m) => m,
                Err(e) => return metadata_error(&state, &e),
            }
        }
        // "the server MUST NOT" apply an invalid update: nothing changes.
        Err(e) => return metadata_error(&state, &e),
    };
    let mut validated = validated;
    if !policy.update_replaces {
        // The `registration-update-augments` fault: new redirect URIs join the old ones.
        let mut uris = current.client.redirect_uris.clone();
        for uri in &validated.redirect_uris {
            if !uris.contains(uri) {
                uris.push(uri.clone());
            }
        }
        validated.echoed.insert("redirect_uris".into(), json!(uris));
        validated.redirect_uris = uris;
    }
    // The secret stays, unless the method no longer uses one or now needs one; the
    // `registration-update-secret-chosen` fault takes the client's value.
    let needs_secret = matches!(
        validated.auth_method.as_str(),
        "client_secret_basic" | "client_secret_post" | "client_secret_jwt"
    );
    let secret = match (needs_secret, current.client.client_secret.clone()) {
        (false, _) => None,
        (true, _) if mismatch && !policy.update_secret_refused => sent_secret,
        (true, Some(s)) => Some(s),
        (true, None) => Some(registration::new_secret(&state)),
    };
    let mut updated = Registration {
        client: std::sync::Arc::new(client_fixture(&state, &client_id, secret, &validated)),
        metadata: validated.echoed,
        defaulted: validated.defaulted,
        issued_at: current.issued_at,
        access_token: current.access_token.clone(),
    };
    if !policy.update_managed_fields_refused {
        // The `registration-update-fields-applied` fault.
        if let Some(token) = request
            .get("registration_access_token")
            .and_then(Value::as_str)
        {
            updated.access_token = token.to_string();
        }
        if let Some(at) = request.get("client_id_issued_at").and_then(Value::as_u64) {
            updated.issued_at = at;
        }
    }
    let body = information(&state, &updated, true);
    state.clients.put(updated);
    with_secrets(&state, (StatusCode::OK, Json(body)).into_response())
}

/// DELETE on the client configuration endpoint (RFC 7592 §2.3): 204, after which the
/// client_id, its secret and its registration access token stop working.
pub async fn delete(
    State(state): State<SharedState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(response) = authorize(&state, &headers, &client_id) {
        return *response;
    }
    let policy = &state.policy.registration;
    if policy.delete_removes {
        state.clients.remove(&client_id);
    }
    // §2.3: "the authorization server SHOULD immediately invalidate all existing
    // authorization grants and currently-active tokens associated with this client."
    if policy.delete_revokes_tokens {
        let revocation = revocation_now();
        state.store.transaction(|tokens| {
            for record in tokens.values_mut().filter(|r| r.client_id == client_id) {
                record.revocation.get_or_insert(revocation);
            }
        });
    }
    StatusCode::NO_CONTENT.into_response()
}

/// Any other method on the client configuration endpoint. RFC 7592 §2: "If the server does
/// not support a particular method, it MUST respond with the appropriate error code";
/// 405 with `Allow`. The `registration-patch-accepted` fault answers like a read.
pub async fn other_client_method(
    State(state): State<SharedState>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !state.policy.registration.patch_refused {
        return read(State(state), Path(client_id), headers).await;
    }
    method_not_allowed("GET, PUT, DELETE", state.policy.registration.error_format)
}

/// RFC 7592 §2: the registration access token of `client_id`, compared in constant time.
/// No token: 401 with a bare `Bearer` challenge (RFC 6750 §3.1: "SHOULD NOT include an
/// error code"); a wrong one: 401 `invalid_token`. A token of another client opens nothing
/// (App. B: the server must match the client of the URL with the token's client).
fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    client_id: &str,
) -> Result<Registration, Box<Response>> {
    check_token(state, headers, client_id).map_err(|error| Box::new(unauthorized(state, error)))
}

/// The registration of `client_id` if the request's Bearer token opens it; else the
/// `error` attribute of the challenge (`None` when no token was sent).
fn check_token(
    state: &AppState,
    headers: &HeaderMap,
    client_id: &str,
) -> Result<Registration, Option<&'static str>> {
    let policy = &state.policy.registration;
    let Some(token) = bearer(headers) else {
        return Err(None);
    };
    let addressed = state.clients.registration(client_id);
    let allowed = match &addressed {
        Some(r) if r.token_matches(&token) => true,
        // The `registration-rat-cross-client` fault: any client's token will do.
        Some(_) => !policy.token_bound && state.clients.by_access_token(&token).is_some(),
        None => false,
    };
    match addressed {
        Some(registration) if allowed => Ok(registration),
        _ => Err(Some("invalid_token")),
    }
}

/// The token of an `Authorization: Bearer` header (RFC 6750 §2.1).
fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn unauthorized(state: &AppState, error: Option<&str>) -> Response {
    let flagged = error.filter(|_| state.policy.registration.invalid_token_flagged);
    let challenge = match flagged {
        None => format!("Bearer realm=\"{REALM}\""),
        Some(e) => format!("Bearer realm=\"{REALM}\", error=\"{e}\""),
    };
    let mut response = match error {
        None => StatusCode::UNAUTHORIZED.into_response(),
        Some(e) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": e, "error_description": "the registration access token is not valid for this client" })),
        )
            .into_response(),
    };
    if state.policy.registration.challenge_sent
        && let Ok(value) = HeaderValue::from_str(&challenge)
    {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn metadata_error(state: &AppState, e: &MetadataError) -> Response {
    error(
        state,
        StatusCode::BAD_REQUEST,
        e.code.as_str(),
        e.description,
    )
}

fn invalid_request(state: &AppState, description: &str) -> Response {
    error(
        state,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        description,
    )
}

/// RFC 7591 §3.2.2: "HTTP 400 status code ... with a content type of application/json",
/// `error` and `error_description`.
fn error(state: &AppState, status: StatusCode, code: &str, description: &str) -> Response {
    let description = sanitize_description(description);
    let response = match state.policy.registration.error_format {
        ErrorFormat::Json => (
            status,
            Json(json!({ "error": code, "error_description": description })),
        )
            .into_response(),
        ErrorFormat::PlainText => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{code}: {description}\n"),
        )
            .into_response(),
    };
    with_secrets(state, response)
}

/// RFC 6749 §5.1 by analogy: responses carrying credentials are not cached.
fn with_secrets(state: &AppState, mut response: Response) -> Response {
    if state.policy.registration.no_store {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}
