//! Introspection endpoint (RFC 7662).

use axum::http::{StatusCode, header};
use serde_json::json;

use super::*;

#[tokio::test]
async fn active_token_claims() {
    let router = strict();
    let token = token_for(&router, second()).await;
    let reply = introspect(&router, &token).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    let body = reply.json();
    assert_eq!(body["active"], true);
    assert_eq!(body["scope"], "read");
    // Issued to conf-post, introspected by conf-basic: client_id names the token's client.
    assert_eq!(body["client_id"], POST_ID);
    assert_eq!(body["sub"], POST_ID);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["iss"], BASE);
    let (exp, iat) = (body["exp"].as_u64(), body["iat"].as_u64());
    assert!(matches!((exp, iat), (Some(e), Some(i)) if e == i + 300));
    assert!(body["jti"].is_string());
}

#[tokio::test]
async fn unknown_expired_and_hinted_tokens() {
    let router = strict();
    let reply = introspect(&router, "no-such-token").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"active": false}));

    // RFC 7662 §2.1: a wrong hint does not hide the token.
    let token = token_for(&router, conf()).await;
    let reply = post_form(
        &router,
        "/introspect",
        conf(),
        &[("token", &token), ("token_type_hint", "refresh_token")],
    )
    .await;
    assert_eq!(reply.json()["active"], true);

    let mut config = config_with(Layout::Generic, &[]);
    config.access_token_ttl = 0;
    let expiring = build_router(config, BASE);
    let token = token_for(&expiring, conf()).await;
    assert_eq!(
        introspect(&expiring, &token).await.json(),
        json!({"active": false})
    );
}

#[tokio::test]
async fn caller_must_be_an_allowed_confidential_client() {
    let router = strict();
    let token = token_for(&router, conf()).await;
    let form = [("token", token.as_str())];

    let anonymous = post_form(&router, "/introspect", Auth::None, &form).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.error().as_deref(), Some("invalid_client"));
    assert!(anonymous.header(header::WWW_AUTHENTICATE).is_some());
    assert!(anonymous.json().get("active").is_none());

    let wrong = post_form(&router, "/introspect", Auth::Basic(CONF_ID, "nope"), &form).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error().as_deref(), Some("invalid_client"));

    let public = post_form(&router, "/introspect", Auth::ClientId(PUBLIC_ID), &form).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);

    let restricted = post_form(
        &router,
        "/introspect",
        Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET),
        &form,
    )
    .await;
    assert_eq!(restricted.status, StatusCode::FORBIDDEN);
    assert_eq!(restricted.error().as_deref(), Some("access_denied"));
}

#[tokio::test]
async fn missing_token_and_repeats_are_invalid_request() {
    let router = strict();
    let reply = post_form(&router, "/introspect", conf(), &[]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    let reply = post_form(
        &router,
        "/introspect",
        conf(),
        &[("token", "a"), ("token", "b")],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
}
