//! The authorization code exchange (RFC 6749 §4.1.3), PKCE (RFC 7636) and ID tokens.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::http::{StatusCode, header};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::flow::*;
use super::*;
use crate::state::AppState;

fn assert_token_error(reply: &Reply, error: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert_eq!(reply.error().as_deref(), Some(error), "{}", reply.text());
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
}

fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    let bytes = URL_SAFE_NO_PAD.decode(payload).unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

#[tokio::test]
async fn exchange_yields_tokens_and_an_id_token() {
    let router = strict();
    let code = conf_code(&router, &[("scope", "openid read"), ("nonce", "n-1")]).await;
    let reply = exchange(&router, conf(), &code, &[("redirect_uri", CALLBACK)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(reply.header(header::PRAGMA), Some("no-cache"));
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "openid read");
    assert!(body["refresh_token"].is_string());
    let claims = claims_of(str_of(&body, "id_token"));
    assert_eq!(claims["iss"], BASE);
    assert_eq!(claims["aud"], CONF_ID);
    assert_eq!(claims["nonce"], "n-1");
    let info = userinfo(&router, str_of(&body, "access_token"))
        .await
        .json();
    assert_eq!(info["sub"], claims["sub"]);
    assert_eq!(info["preferred_username"], "alice");

    // Without openid: no ID token.
    let body = conf_tokens(&router, &[]).await;
    assert!(body.get("id_token").is_none());
    assert_eq!(body["scope"], "read write");
}

#[tokio::test]
async fn sixteen_simultaneous_redemptions_one_winner() {
    let router = strict();
    let code = conf_code(&router, &[]).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let router = router.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            exchange(&router, conf(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .status
        }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.expect("task") == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn replay_is_refused_and_revokes_the_grant() {
    let router = strict();
    let code = conf_code(&router, &[]).await;
    let first = exchange(&router, conf(), &code, &[("redirect_uri", CALLBACK)])
        .await
        .json();
    let second = exchange(&router, conf(), &code, &[("redirect_uri", CALLBACK)]).await;
    assert_token_error(&second, "invalid_grant");
    let access = str_of(&first, "access_token");
    assert_eq!(introspect(&router, access).await.json()["active"], false);
    let reply = refresh(&router, conf(), str_of(&first, "refresh_token"), &[]).await;
    assert_token_error(&reply, "invalid_grant");
}

#[tokio::test]
async fn code_is_bound_to_client_and_redirect_uri() {
    let router = strict();
    let code = conf_code(&router, &[]).await;
    assert_token_error(
        &exchange(&router, second(), &code, &[("redirect_uri", CALLBACK)]).await,
        "invalid_grant",
    );
    assert_token_error(
        &exchange(&router, conf(), &code, &[]).await,
        "invalid_grant",
    );
    assert_token_error(
        &exchange(
            &router,
            conf(),
            &code,
            &[("redirect_uri", "http://127.0.0.1:8400/other")],
        )
        .await,
        "invalid_grant",
    );
    // The refusals did not burn the code for its client.
    let reply = exchange(&router, conf(), &code, &[("redirect_uri", CALLBACK)]).await;
    assert_eq!(reply.status, StatusCode::OK);

    // Without redirect_uri in the request, none is needed (and `redirect_uri=` is absent).
    let pairs = [("response_type", "code"), ("client_id", CONF_ID)];
    let code = callback_of(&router, &pairs).await.code();
    let reply = exchange(&router, conf(), &code, &[("redirect_uri", "")]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    // The second client's other registered URI is not the one the code went to.
    let pairs = [
        ("response_type", "code"),
        ("client_id", POST_ID),
        ("redirect_uri", TENANT_CALLBACK),
    ];
    let code = callback_of(&router, &pairs).await.code();
    assert_token_error(
        &exchange(&router, second(), &code, &[("redirect_uri", CALLBACK)]).await,
        "invalid_grant",
    );
}

#[tokio::test]
async fn bad_codes_and_missing_parameters() {
    let router = strict();
    assert_token_error(
        &exchange(&router, conf(), "no-such-code", &[]).await,
        "invalid_grant",
    );
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[("grant_type", "authorization_code")],
    )
    .await;
    assert_token_error(&reply, "invalid_request");
    let code = conf_code(&router, &[]).await;
    let mut flipped = code.clone();
    let last = if flipped.ends_with('A') { 'B' } else { 'A' };
    flipped.pop();
    flipped.push(last);
    assert_token_error(
        &exchange(&router, conf(), &flipped, &[("redirect_uri", CALLBACK)]).await,
        "invalid_grant",
    );
    // Restricted client: not registered for the grant.
    let reply = exchange(
        &router,
        Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET),
        &code,
        &[],
    )
    .await;
    assert_token_error(&reply, "unauthorized_client");
}

#[tokio::test]
async fn client_authentication_for_the_code_grant() {
    let router = strict();
    let code = conf_code(&router, &[]).await;
    let reply = exchange(
        &router,
        Auth::ClientId(CONF_ID),
        &code,
        &[("redirect_uri", CALLBACK)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error().as_deref(), Some("invalid_client"));

    let code = public_code(&router, &[]).await;
    let reply = exchange(
        &router,
        Auth::None,
        &code,
        &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = exchange(
        &router,
        Auth::ClientId(PUBLIC_ID),
        &code,
        &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn codes_expire() {
    let state = Arc::new(AppState::new(config_with(Layout::Generic, &[]), BASE).expect("state"));
    let router = crate::router(state.clone());
    assert_eq!(state.config.code_ttl, 60);
    let code = conf_code(&router, &[]).await;
    assert!(
        state
            .codes
            .set_expires_at(&code, SystemTime::now() - Duration::from_secs(1))
    );
    assert_token_error(
        &exchange(&router, conf(), &code, &[("redirect_uri", CALLBACK)]).await,
        "invalid_grant",
    );
}

#[tokio::test]
async fn pkce_s256() {
    let router = strict();
    let public = Auth::ClientId(PUBLIC_ID);
    let redirect = ("redirect_uri", CALLBACK);
    let code = public_code(&router, &[]).await;
    for (verifier, error) in [
        (OTHER_VERIFIER, "invalid_grant"),
        // The challenge itself: a plain-style downgrade (RFC 7636 §4.5).
        (CHALLENGE, "invalid_grant"),
        ("short", "invalid_request"),
    ] {
        let reply = exchange(
            &router,
            public,
            &code,
            &[redirect, ("code_verifier", verifier)],
        )
        .await;
        assert_token_error(&reply, error);
    }
    assert_token_error(
        &exchange(&router, public, &code, &[redirect]).await,
        "invalid_grant",
    );
    let reply = exchange(
        &router,
        public,
        &code,
        &[redirect, ("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);

    // A confidential client with S256 too.
    let code = conf_code(
        &router,
        &[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let reply = exchange(&router, conf(), &code, &[redirect]).await;
    assert_token_error(&reply, "invalid_grant");
    let reply = exchange(
        &router,
        conf(),
        &code,
        &[redirect, ("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn pkce_plain_is_the_default_method() {
    let router = strict();
    let public = Auth::ClientId(PUBLIC_ID);
    let redirect = ("redirect_uri", CALLBACK);
    let pairs = [
        ("response_type", "code"),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("code_challenge", VERIFIER),
    ];
    let code = callback_of(&router, &pairs).await.code();
    // A verifier whose S256 hash is the challenge is not the plain verifier.
    let pairs2 = [
        ("response_type", "code"),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("code_challenge", CHALLENGE),
    ];
    let code2 = callback_of(&router, &pairs2).await.code();
    let reply = exchange(
        &router,
        public,
        &code2,
        &[redirect, ("code_verifier", VERIFIER)],
    )
    .await;
    assert_token_error(&reply, "invalid_grant");
    let reply = exchange(
        &router,
        public,
        &code,
        &[redirect, ("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn pkce_downgrade_and_swapped_verifiers() {
    let router = strict();
    let code = conf_code(&router, &[]).await;
    let reply = exchange(
        &router,
        conf(),
        &code,
        &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
    )
    .await;
    assert_token_error(&reply, "invalid_grant");

    // Two flows, verifiers swapped: both fail.
    let other_challenge = crate::pkce::s256(OTHER_VERIFIER);
    let code_a = public_code(&router, &[]).await;
    let code_b = public_code(&router, &[("code_challenge", &other_challenge)]).await;
    let public = Auth::ClientId(PUBLIC_ID);
    let redirect = ("redirect_uri", CALLBACK);
    let a = exchange(
        &router,
        public,
        &code_a,
        &[redirect, ("code_verifier", OTHER_VERIFIER)],
    )
    .await;
    let b = exchange(
        &router,
        public,
        &code_b,
        &[redirect, ("code_verifier", VERIFIER)],
    )
    .await;
    assert_token_error(&a, "invalid_grant");
    assert_token_error(&b, "invalid_grant");
}
