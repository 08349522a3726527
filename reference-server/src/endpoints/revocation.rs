//! The revocation endpoint (RFC 7009): who may revoke what, and the always-200 rule for
//! tokens that are not (or no longer) valid.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::client_auth::{Caller, authenticate};
use crate::errors::{ErrorCode, OAuthError, method_not_allowed};
use crate::form::Form;
use crate::policy::RevocationPolicy;
use crate::state::{AppState, SharedState};
use crate::store::{Revocation, TokenKind};

/// `POST` on the revocation endpoint (RFC 7009 §2.1).
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    match revoke(&state, &headers, &body) {
        // RFC 7009 §2.2: "The content of the response body is ignored by the client".
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error_response(&state.policy.revocation, &error),
    }
}

/// Any other method: RFC 7009 §2.1 "The client requests the revocation ... by sending ...
/// using an HTTP POST request".
pub async fn other_method(State(state): State<SharedState>) -> Response {
    with_no_store(method_not_allowed(
        "POST",
        state.policy.revocation.error_format,
    ))
}

fn revoke(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    let form =
        Form::parse(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if form.repeated().is_some() {
        // RFC 6749 §3.2, whose parameter rules RFC 7009 §2.1 builds on.
        return Err(OAuthError::invalid_request(
            "a request parameter is included more than once",
        ));
    }

    // RFC 7009 §2.1: "The authorization server first validates the client credentials (in
    // case of a confidential client)"; public clients identify with client_id (§5).
    let caller = match authenticate(
        &state.clients,
        state.policy.revocation.client_auth,
        &state.assertion_context(&state.paths.revocation),
        headers,
        &form,
    ) {
        Ok(Caller::Client(client)) => Some(client),
        Ok(Caller::Anonymous) if !state.policy.revocation.client_auth_required => None,
        Ok(Caller::Anonymous) => {
            return Err(OAuthError::invalid_client(
                "client authentication is required",
            ));
        }
        Err(failure) => return Err(failure.to_oauth_error()),
    };

    // RFC 7009 §2.1: `token` is REQUIRED; RFC 7009 §2.2.1 points to RFC 6749 §5.2.
    let Some(token) = form.get("token") else {
        if !state.policy.revocation.token_required {
            return Ok(());
        }
        return Err(OAuthError::invalid_request("token is missing"));
    };

    let hint = form.get("token_type_hint");
    let hinted = hint.and_then(TokenKind::from_hint);
    if hint.is_some() && hinted.is_none() && !state.policy.revocation.unknown_hint_ignored {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnsupportedTokenType,
            "unknown token_type_hint",
        ));
    }
    // RFC 7009 §2.2: "An invalid token type hint value is ignored by the authorization
    // server and does not influence the revocation response." RFC 7009 §2.1: if the token
    // is not found under the hinted type, the search MUST extend to all types; this server
    // never restricts it.

    let now = SystemTime::now();
    // A macaroon stands for its identifier's record (crate::macaroon).
    let found = crate::macaroon::lookup(state, token);
    let key = found.as_ref().map(|(k, _)| k.clone()).unwrap_or_default();
    let token = key.as_str();
    let record = found.map(|(_, r)| r).filter(|record| {
        let hidden_by_hint = !state.policy.revocation.hint_advisory
            && hinted.is_some_and(|kind| kind != record.kind);
        // A rotated-out refresh token is already invalid (RFC 9700 §4.14.2).
        !hidden_by_hint && !record.is_expired(now) && !record.rotated
    });
    let Some(record) = record else {
        if !state.policy.revocation.unknown_token_ok {
            return Err(OAuthError::invalid_request("unknown or invalid token"));
        }
        // RFC 7009 §2.2: "invalid tokens do not cause an error response since the client
        // cannot handle such an error in a reasonable way".
        return Ok(());
    };

    // RFC 7009 §2.1: "The authorization server ... verifies whether the token was issued to
    // the client making the revocation request. If this validation fails, the request is
    // refused and the client is informed of the error".
    if let Some(client) = caller
        && client.client_id != record.client_id
        && state.policy.revocation.own_tokens_only
    {
        return Err(OAuthError::unauthorized_client(
            "the token was not issued to this client",
        ));
    }

    if record.revocation_requested() {
        if !state.policy.revocation.revoked_token_ok {
            return Err(OAuthError::invalid_request("the token is already revoked"));
        }
        // RFC 7009 §2.2: a revoked token is an invalid token: 200 again.
        return Ok(());
    }

    if record.kind == TokenKind::Access && !state.policy.revocation.access_tokens_revocable {
        return Ok(());
    }
    // RFC 7009 §2: "Implementations MUST support the revocation of refresh tokens".
    if record.kind == TokenKind::Refresh && !state.policy.revocation.refresh_revocable {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnsupportedTokenType,
            "refresh tokens cannot be revoked",
        ));
    }

    // RFC 7009 §2.1: "the token ... [is] invalidated immediately", and the store cascades
    // from a refresh token to its grant's access tokens.
    let effective_at = now;
    let revocation = Revocation {
        requested_at: now,
        effective_at,
    };
    // RFC 7009 §2.1: "If the token passed to the request is a refresh token and the
    // authorization server supports the revocation of access tokens, then the
    // authorization server SHOULD also invalidate all access tokens based on the same
    // authorization grant".
    if state.policy.revocation.refresh_cascades {
        state.store.revoke(token, revocation);
    } else {
        state.store.revoke_single(token, revocation);
    }
    Ok(())
}

/// RFC 7009 §2.2.1: errors use the RFC 6749 §5.2 JSON format.
fn error_response(policy: &RevocationPolicy, error: &OAuthError) -> Response {
    with_no_store(error.to_response(policy.error_format))
}

/// Error bodies carry no secrets, but the answer depends on credentials: never cache it.
fn with_no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
