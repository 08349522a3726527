//! The CIBA grant (OpenID CIBA Core 1.0 §10.1, §11): redeeming an `auth_req_id` at the
//! token endpoint in poll and ping mode, and the token response that poll, ping and push
//! (§10.3.1) deliver, with its ID token.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::ciba::{CibaRequest, Decision, DeliveryMode, GRANT_TYPE, Poll, PollRules};
use crate::errors::{ErrorCode, OAuthError};
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{
    TokenResponse, access_token_ttl, issue_access_token_in_grant, issue_refresh_token,
};
use crate::id_token;
use crate::state::AppState;
use crate::store::unix_seconds;

/// The ID token claim of CIBA §10.3.1 naming the request a pushed ID token answers.
pub const AUTH_REQ_ID_CLAIM: &str = "urn:openid:params:jwt:claim:auth_req_id";

/// The token request with `grant_type=urn:openid:params:grant-type:ciba` (CIBA §10.1) of
/// the authenticated `client`.
pub fn grant(
    state: &AppState,
    client: &ClientFixture,
    form: &Form,
) -> Result<TokenResponse, OAuthError> {
    let policy = &state.policy.ciba;
    let mode = client
        .backchannel_token_delivery_mode
        .as_deref()
        .and_then(DeliveryMode::parse);
    // RFC 6749 §5.2 unauthorized_client: the client may not use this grant type.
    if !client.has_grant_type(GRANT_TYPE) || mode.is_none() {
        return Err(OAuthError::unauthorized_client(
            "the client is not registered for the CIBA grant",
        ));
    }
    match mode {
        // §11: a push client "MUST NOT call the Token Endpoint with the CIBA Grant Type and
        // the following error is returned: unauthorized_client"; §10: the OP "MUST only
        // deliver the Authentication Result to the Client through the registered mode".
        Some(DeliveryMode::Push) if policy.push_refused_at_token_endpoint => {
            return Err(OAuthError::unauthorized_client(
                "push clients receive their tokens at their notification endpoint",
            ));
        }
        // §10.1: "A Client configured in Ping mode may also poll the token endpoint. The
        // OpenID Provider must treat such a Client as if it had been registered to use the
        // Poll mode."
        Some(DeliveryMode::Ping) if !policy.ping_may_poll => {
            return Err(OAuthError::unauthorized_client(
                "ping clients wait for the ping",
            ));
        }
        _ => {}
    }
    // §10.1: auth_req_id is REQUIRED.
    let Some(id) = form.get("auth_req_id") else {
        return Err(OAuthError::invalid_request("auth_req_id is missing"));
    };
    let rules = PollRules {
        bound_to_client: policy.bound_to_client,
        single_use: policy.single_use,
        expiry_enforced: policy.expiry_enforced,
        denial_enforced: policy.denial_enforced,
    };
    match state.ciba.poll(id, &client.client_id, rules) {
        Poll::Tokens(record) => Ok(tokens(state, client, &record, None)),
        // §11 (the codes of RFC 8628 §3.5).
        Poll::Pending => Err(OAuthError::bad_request(
            ErrorCode::AuthorizationPending,
            "the user has not decided yet",
        )),
        Poll::SlowDown => Err(OAuthError::bad_request(
            ErrorCode::SlowDown,
            "polling too fast: wait 5 seconds longer between polls",
        )),
        Poll::Denied => Err(OAuthError::bad_request(
            ErrorCode::AccessDenied,
            "the user denied the request",
        )),
        Poll::Expired => Err(OAuthError::bad_request(
            ErrorCode::ExpiredToken,
            "the auth_req_id has expired",
        )),
        // §11: "If the auth_req_id is invalid or was issued to another Client, an
        // invalid_grant error MUST be returned"; §10.1.1: once redeemed it "is no longer
        // valid".
        Poll::Used => Err(OAuthError::invalid_grant(
            "the auth_req_id was already redeemed",
        )),
        Poll::ForeignClient => Err(OAuthError::invalid_grant(
            "the auth_req_id was issued to another client",
        )),
        Poll::Unknown => Err(OAuthError::invalid_grant("the auth_req_id is not valid")),
    }
}

/// The token response for an approved `record` (CIBA §10.1.1: OIDC Core §3.1.3.3).
/// `pushed` is the `auth_req_id` when the response is pushed (§10.3.1): its ID token then
/// carries that id and `at_hash`, and `rt_hash` with a refresh token.
pub fn tokens(
    state: &AppState,
    client: &ClientFixture,
    record: &CibaRequest,
    pushed: Option<&str>,
) -> TokenResponse {
    let policy = &state.policy.ciba;
    let subject = record.subject.as_str();
    let access =
        issue_access_token_in_grant(state, client, subject, &record.scope, &record.grant_id);
    let refresh_token = client
        .has_grant_type(super::refresh_token::GRANT_TYPE)
        .then(|| issue_refresh_token(state, client, subject, &record.scope, &record.grant_id));
    let auth_time = match record.decision {
        Decision::Approved { auth_time } => auth_time,
        Decision::Pending | Decision::Denied => SystemTime::now(),
    };
    let now = SystemTime::now();
    let mut claims = json!({
        "iss": state.issuer,
        "sub": subject,
        "aud": client.client_id,
        "azp": client.client_id,
        "iat": unix_seconds(now),
        "exp": unix_seconds(now + Duration::from_secs(access_token_ttl(state, client))),
        "auth_time": unix_seconds(auth_time),
    });
    if let Some(object) = claims.as_object_mut() {
        // CIBA §7.1: "it is highly RECOMMENDED" that the ID token carries `acr` when
        // `acr_values` was requested.
        if let Some(acr) = &record.acr {
            object.insert("acr".into(), json!(acr));
        }
        let hash_access = pushed.is_none() || policy.push_at_hash;
        if hash_access {
            object.insert("at_hash".into(), json!(left_half_hash(&access.token)));
        }
        if let Some(id) = pushed {
            if policy.push_auth_req_id_claim {
                object.insert(AUTH_REQ_ID_CLAIM.into(), json!(id));
            }
            if let Some(refresh) = &refresh_token {
                object.insert(
                    "urn:openid:params:jwt:claim:rt_hash".into(),
                    json!(left_half_hash(refresh)),
                );
            }
        }
    }
    let id_token = policy
        .id_token_issued
        .then(|| id_token::sign(&state.keys.signing, &claims))
        .flatten();
    TokenResponse {
        access_token: access.token,
        token_type: Some("Bearer"),
        expires_in: Some(access.expires_in),
        refresh_token,
        scope: Some(record.scope.clone()),
        id_token,
    }
}

/// OIDC Core §3.1.3.6 `at_hash` (and CIBA §10.3.1 `rt_hash`) for RS256: the left half of
/// the SHA-256 of the token's ASCII, base64url-encoded.
pub fn left_half_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// The push payload of CIBA §10.3.1: the token response plus `auth_req_id`.
pub fn push_payload(response: &TokenResponse, auth_req_id: &str) -> Value {
    let mut body = serde_json::to_value(response).unwrap_or_else(|_| json!({}));
    if let Some(object) = body.as_object_mut() {
        object.insert("auth_req_id".into(), json!(auth_req_id));
    }
    body
}
