//! The UserInfo endpoint (OpenID Connect Core §5.3) as an RFC 6750 protected resource.
//!
//! Bearer tokens are accepted in the `Authorization` header (RFC 6750 §2.1) and in a
//! form-encoded POST body (§2.2). The URI query method (§2.3) is not supported: a query
//! `access_token` counts as no credentials, but still as a second method when another is
//! used (§2: "Clients MUST NOT use more than one method").

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::authz_request::OPENID;
use crate::errors::{json_ok, sanitize_description};
use crate::form::Form;
use crate::policy::UserinfoPolicy;
use crate::state::{AppState, SharedState};
use crate::store::TokenKind;

/// The realm of every `WWW-Authenticate: Bearer` challenge.
pub const REALM: &str = "oauth2spec-reference";

/// `GET` (OIDC Core §5.3: "The UserInfo Endpoint MUST support the use of the HTTP GET and
/// HTTP POST methods"). A GET's body is never read (RFC 6750 §2.2 forbids it for GET).
pub async fn get(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    userinfo(&state, &headers, uri.query(), None)
}

/// `POST`, with the token in the header or in a form body.
pub async fn post(
    State(state): State<SharedState>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if !state.policy.userinfo.post_supported {
        return other_method(State(state)).await;
    }
    // RFC 6750 §2.2: only a single-part application/x-www-form-urlencoded body.
    let form = Form::parse(&headers, &body).ok();
    userinfo(&state, &headers, uri.query(), form.as_ref())
}

/// Other methods: 405.
pub async fn other_method(State(_state): State<SharedState>) -> Response {
    let mut response = (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(json!({"error": "invalid_request", "error_description": "use GET or POST"})),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// The failures of RFC 6750 §3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// No credentials at all: 401 with a challenge and no error code.
    NoToken,
    /// 400 `invalid_request`.
    InvalidRequest(&'static str),
    /// 401 `invalid_token`.
    InvalidToken(&'static str),
    /// 403 `insufficient_scope`.
    InsufficientScope,
}

fn userinfo(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Option<&Form>,
) -> Response {
    let response = match claims(state, headers, query, body) {
        // OIDC Core §5.3.2: "The Content-Type of the HTTP response MUST be
        // application/json".
        Ok(claims) => json_ok(claims, !state.policy.userinfo.json_content_type),
        Err(failure) => failure_response(&state.policy.userinfo, failure),
    };
    // Under the `userinfo-query-token-not-private` fault a query-string token is served
    // with no Cache-Control at all (RFC 6750 §2.3 wants `private`).
    let query_only = !state.policy.userinfo.query_token_private
        && query
            .map(Form::from_query)
            .is_some_and(|q| q.get("access_token").is_some())
        && !headers.contains_key(header::AUTHORIZATION)
        && body.and_then(|f| f.get("access_token")).is_none();
    if query_only {
        return response;
    }
    no_store(response)
}

fn claims(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Option<&Form>,
) -> Result<Map<String, Value>, Failure> {
    let Some(token) = presented_token(&state.policy.userinfo, headers, query, body)? else {
        return Err(Failure::NoToken);
    };
    let now = SystemTime::now();
    let Some((_, record)) = crate::macaroon::lookup(state, &token) else {
        if !state.policy.userinfo.unknown_token_refused {
            let subject = state.config.fixtures.first_subject();
            return Ok(user_claims(state, &subject));
        }
        return Err(Failure::InvalidToken("the access token is not valid"));
    };
    // RFC 6750 §3.1 invalid_token: "expired, revoked, malformed, or invalid for other
    // reasons". A refresh token is not an access token.
    if record.kind != TokenKind::Access && state.policy.userinfo.refresh_token_refused {
        return Err(Failure::InvalidToken("the token is not an access token"));
    }
    if record.is_expired(now) && state.policy.userinfo.expired_refused {
        return Err(Failure::InvalidToken("the access token has expired"));
    }
    if record.is_revoked(now) && state.policy.userinfo.revoked_refused {
        return Err(Failure::InvalidToken("the access token was revoked"));
    }
    if record.rotated {
        return Err(Failure::InvalidToken("the token is not valid"));
    }
    // OIDC Core §5.3: the token must have been granted `openid`; RFC 6750 §3.1
    // insufficient_scope otherwise.
    let has_openid = record.scope.split(' ').any(|s| s == OPENID);
    if !has_openid && state.policy.userinfo.openid_scope_required {
        return Err(Failure::InsufficientScope);
    }
    Ok(user_claims(state, &record.subject))
}

/// The claims about `subject` (OIDC Core §5.1); `sub` always (§5.3.2).
fn user_claims(state: &AppState, subject: &str) -> Map<String, Value> {
    let user = state.config.fixtures.user_by_subject(subject);
    let mut claims = Map::new();
    if state.policy.userinfo.sub_included {
        let sub = match user {
            // The username instead of the ID token's opaque subject.
            Some(user) if !state.policy.userinfo.sub_matches_id_token => user.username.clone(),
            _ => subject.to_string(),
        };
        claims.insert("sub".into(), json!(sub));
    }
    if let Some(user) = user {
        claims.insert("name".into(), json!(user.display_name()));
        claims.insert("preferred_username".into(), json!(user.username));
    }
    claims
}

/// The bearer token of the request, by RFC 6750 §2.1 or §2.2; `Ok(None)` when there is
/// none.
fn presented_token(
    policy: &UserinfoPolicy,
    headers: &HeaderMap,
    query: Option<&str>,
    body: Option<&Form>,
) -> Result<Option<String>, Failure> {
    let from_header = header_token(policy, headers)?;
    let from_body = body.and_then(|f| f.get("access_token")).map(str::to_string);
    let from_query = query
        .map(Form::from_query)
        .and_then(|q| q.get("access_token").map(str::to_string));
    let methods = [&from_header, &from_body, &from_query]
        .iter()
        .filter(|t| t.is_some())
        .count();
    // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in
    // each request"; §3.1 invalid_request covers "uses more than one method".
    if methods > 1 && policy.one_method_only {
        return Err(Failure::InvalidRequest(
            "the access token was sent by more than one method",
        ));
    }
    if from_header.is_some() || from_body.is_some() {
        return Ok(from_header.or(from_body));
    }
    // RFC 6750 §2.3 (query) is optional and not supported here.
    if !policy.query_token_private {
        return Ok(from_query);
    }
    Ok(None)
}

/// `Authorization: Bearer <b64token>` (RFC 6750 §2.1; the scheme is case-insensitive,
/// RFC 9110 §11.1). Another scheme is no bearer credential at all.
fn header_token(policy: &UserinfoPolicy, headers: &HeaderMap) -> Result<Option<String>, Failure> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Failure::InvalidRequest(
            "more than one Authorization header",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| Failure::InvalidRequest("malformed Authorization header"))?
        .trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let is_bearer = if !policy.scheme_case_insensitive {
        scheme == "Bearer"
    } else {
        scheme.eq_ignore_ascii_case("bearer")
    };
    if !is_bearer {
        return Ok(None);
    }
    let token = rest.trim();
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    let body = token.trim_end_matches('=');
    let well_formed = !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        });
    if !well_formed {
        return Err(Failure::InvalidRequest("malformed bearer token"));
    }
    Ok(Some(token.to_string()))
}

/// RFC 6750 §3: the challenge and status of each failure.
fn failure_response(policy: &UserinfoPolicy, failure: Failure) -> Response {
    let (status, error, description) = match failure {
        Failure::NoToken => (StatusCode::UNAUTHORIZED, None, ""),
        Failure::InvalidRequest(d) => (StatusCode::BAD_REQUEST, Some("invalid_request"), d),
        Failure::InvalidToken(d) => (StatusCode::UNAUTHORIZED, Some("invalid_token"), d),
        Failure::InsufficientScope => (
            policy.insufficient_scope_status,
            Some("insufficient_scope"),
            "the access token was not granted the openid scope",
        ),
    };
    // RFC 6750 §3.1: "If the request lacks any authentication information ..., the resource
    // server SHOULD NOT include an error code or other error information."
    let error = match (failure, error) {
        (Failure::NoToken, _) if !policy.silent_without_credentials => Some("invalid_token"),
        (_, error) => error,
    };
    let mut challenge = format!("Bearer realm=\"{REALM}\"");
    if let Some(error) = error {
        challenge.push_str(&format!(", error=\"{error}\""));
        if !description.is_empty() {
            challenge.push_str(&format!(
                ", error_description=\"{}\"",
                sanitize_description(description)
            ));
        }
    }
    if failure == Failure::InsufficientScope {
        // RFC 6750 §3: the scope needed.
        challenge.push_str(&format!(", scope=\"{OPENID}\""));
    }
    let mut response = match error {
        Some(error) if failure != Failure::NoToken => (
            status,
            axum::Json(json!({"error": error, "error_description": description})),
        )
            .into_response(),
        _ => status.into_response(),
    };
    let skip = status == StatusCode::UNAUTHORIZED && !policy.challenge_on_401;
    if !skip && let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Claims are personal data: never cached.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
