//! The introspection endpoint (RFC 7662): which callers may ask, and what they are told.
//!
//! Callers are confidential clients registered with `may_introspect` (they act as resource
//! servers). Such a caller sees every token, whoever it was issued to.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::client_auth::{Caller, authenticate};
use crate::errors::{ErrorCode, ErrorFormat, OAuthError, json_ok, method_not_allowed};
use crate::form::Form;
use crate::policy::IntrospectionPolicy;
use crate::state::{AppState, SharedState};
use crate::store::{TokenKind, TokenRecord, unix_seconds};

/// `POST` on the introspection endpoint (RFC 7662 §2.1).
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let response = match introspect(&state, &headers, &body) {
        // RFC 7662 §2.2: the response is `application/json`.
        Ok(claims) => json_ok(claims, !state.policy.introspection.json_content_type),
        Err(error) => error.to_response(ErrorFormat::Json),
    };
    with_no_store(&state.policy.introspection, response)
}

/// Any other method: RFC 7662 §2.1 "The protected resource calls the introspection endpoint
/// using an HTTP POST request".
pub async fn other_method(State(state): State<SharedState>) -> Response {
    with_no_store(
        &state.policy.introspection,
        method_not_allowed("POST", ErrorFormat::Json),
    )
}

fn introspect(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, OAuthError> {
    let form =
        Form::parse(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if form.repeated().is_some() {
        // RFC 6749 §3.2, whose parameter rules RFC 7662 §2.1 builds on.
        return Err(OAuthError::invalid_request(
            "a request parameter is included more than once",
        ));
    }

    // RFC 7662 §2.1: "the endpoint MUST also require some form of authorization to access
    // this endpoint"; §4: to prevent token scanning.
    let caller = match authenticate(
        &state.clients,
        state.policy.introspection.client_auth,
        &state.assertion_context(&state.paths.introspection),
        headers,
        &form,
    ) {
        Ok(Caller::Client(client)) => {
            if !client.is_confidential() {
                // RFC 6749 §2.3: a public client's client_id proves nothing.
                return Err(OAuthError::invalid_client(
                    "introspection requires an authenticated confidential client",
                ));
            }
            if !client.may_introspect {
                // The caller is authenticated, so `invalid_client` (bad credentials) would be
                // wrong; RFC 7662 §2.3 leaves the code open and §4 says the AS SHOULD limit
                // introspection to authorised callers. 403 `access_denied` says "you are
                // known, but not allowed".
                return Err(OAuthError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::AccessDenied,
                    "the client is not allowed to introspect tokens",
                ));
            }
            Some(client)
        }
        Ok(Caller::Anonymous) if !state.policy.introspection.client_auth_required => None,
        Ok(Caller::Anonymous) => {
            return Err(OAuthError::invalid_client(
                "client authentication is required",
            ));
        }
        // RFC 7662 §2.3: invalid client credentials are answered as in RFC 6749 §5.2 (401).
        Err(failure) => return Err(failure.to_oauth_error()),
    };

    // RFC 7662 §2.1: `token` is REQUIRED.
    let Some(token) = form.get("token") else {
        if !state.policy.introspection.token_required {
            return Ok(inactive(state, None));
        }
        return Err(OAuthError::invalid_request("token is missing"));
    };

    let Some((_, record)) = crate::macaroon::lookup(state, token) else {
        if !state.policy.introspection.unknown_token_inactive {
            return Err(OAuthError::invalid_request("unknown token"));
        }
        // RFC 7662 §2.2: an unknown token is simply not active.
        return Ok(inactive(state, None));
    };

    // RFC 7662 §2.1: the hint may help the lookup, but a token of another type MUST still
    // be found. This server ignores the hint entirely.
    let hinted = form.get("token_type_hint").and_then(TokenKind::from_hint);
    if !state.policy.introspection.hint_advisory && hinted.is_some_and(|k| k != record.kind) {
        return Ok(inactive(state, Some(&record)));
    }

    if !state.policy.introspection.cross_client_answered
        && caller
            .as_ref()
            .is_some_and(|c| c.client_id != record.client_id)
    {
        return Err(OAuthError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::AccessDenied,
            "the token was issued to another client",
        ));
    }

    let now = SystemTime::now();
    // RFC 7662 §4: expiry and revocation are checked at every introspection.
    let expired = record.is_expired(now) && state.policy.introspection.expiry_honoured;
    let revoked = record.is_revoked(now) && state.policy.introspection.revocation_honoured;
    // A rotated-out refresh token is no longer valid (RFC 9700 §4.14.2).
    let refresh_hidden =
        record.kind == TokenKind::Refresh && !state.policy.introspection.refresh_tokens_active;
    if expired
        || revoked
        || (record.rotated && state.policy.introspection.rotation_honoured)
        || refresh_hidden
        || !state.policy.introspection.activity_reported
    {
        return Ok(inactive(state, Some(&record)));
    }
    Ok(active(
        state,
        &record,
        caller.as_ref().map(|c| c.client_id.as_str()),
    ))
}

/// The claims of an active token (RFC 7662 §2.2).
fn active(state: &AppState, record: &TokenRecord, caller: Option<&str>) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert(
        "active".into(),
        active_value(&state.policy.introspection, true),
    );
    let scope = if !state.policy.introspection.scope_of_token {
        // Always differs from the token's scope: one scope the token was not granted.
        format!("{} admin", record.scope).trim().to_string()
    } else {
        record.scope.clone()
    };
    if !scope.is_empty() {
        claims.insert("scope".into(), json!(scope));
    }
    // RFC 7662 §2.2 client_id: "Client identifier for the OAuth 2.0 client that requested
    // this token", not the caller.
    let client_id = match caller {
        Some(caller) if !state.policy.introspection.client_id_of_token => caller,
        _ => record.client_id.as_str(),
    };
    claims.insert("client_id".into(), json!(client_id));
    // RFC 7662 §2.2 token_type: "Type of the token as defined in Section 5.1 of OAuth 2.0":
    // an access token's type. Refresh tokens have none.
    if record.kind == TokenKind::Access {
        claims.insert("token_type".into(), json!("Bearer"));
    }
    let (exp, iat) = (
        unix_seconds(record.expires_at),
        unix_seconds(record.issued_at),
    );
    // RFC 7662 §2.2: exp and iat are integer timestamps in seconds since the epoch.
    if !state.policy.introspection.times_as_numbers {
        claims.insert("exp".into(), json!(exp.to_string()));
        claims.insert("iat".into(), json!(iat.to_string()));
    } else {
        claims.insert("exp".into(), json!(exp));
        claims.insert("iat".into(), json!(iat));
    }
    claims.insert("iss".into(), json!(state.issuer));
    claims.insert("sub".into(), json!(record.subject));
    // RFC 7662 §2.2 username: the resource owner who authorized the token.
    if let Some(user) = state.config.fixtures.user_by_subject(&record.subject) {
        claims.insert("username".into(), json!(user.username));
    }
    claims.insert("jti".into(), json!(record.jti));
    claims
}

/// RFC 7662 §2.2: for an inactive token "the authorization server SHOULD NOT include any
/// additional information about an inactive token", so the answer is `{"active":false}`.
fn inactive(state: &AppState, record: Option<&TokenRecord>) -> Map<String, Value> {
    if !state.policy.introspection.inactive_claims_hidden {
        let mut claims = match record {
            Some(record) => active(state, record, None),
            None => Map::new(),
        };
        claims.insert("iss".into(), json!(state.issuer));
        claims.insert(
            "active".into(),
            active_value(&state.policy.introspection, false),
        );
        return claims;
    }
    let mut claims = Map::new();
    claims.insert(
        "active".into(),
        active_value(&state.policy.introspection, false),
    );
    claims
}

/// RFC 7662 §2.2: `active` is a JSON boolean.
fn active_value(policy: &IntrospectionPolicy, active: bool) -> Value {
    if !policy.active_as_boolean {
        json!(active.to_string())
    } else {
        json!(active)
    }
}

/// `Cache-Control: no-store`: introspection output is as sensitive as a token response
/// (RFC 6749 §5.1 by analogy; RFC 7662 §4 on caching).
fn with_no_store(policy: &IntrospectionPolicy, mut response: Response) -> Response {
    if policy.no_store {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
