//! The refresh token grant (RFC 6749 §6), rotation and reuse detection (RFC 9700
//! §4.14.2), and refresh tokens at revocation and introspection (RFC 7009, RFC 7662).

use axum::http::StatusCode;

use super::flow::*;
use super::*;

fn assert_invalid_grant(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert_eq!(
        reply.error().as_deref(),
        Some("invalid_grant"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn public_clients_rotate_and_reuse_revokes_the_family() {
    let router = strict();
    let public = Auth::ClientId(PUBLIC_ID);
    let first = public_tokens(&router, &[]).await;
    let rt1 = str_of(&first, "refresh_token").to_string();
    let reply = refresh(&router, public, &rt1, &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let second = reply.json();
    let rt2 = str_of(&second, "refresh_token").to_string();
    assert!(!rt2.is_empty() && rt2 != rt1);
    let at2 = str_of(&second, "access_token").to_string();
    assert_eq!(introspect(&router, &rt1).await.json()["active"], false);

    // Replaying RT1 fails and kills RT2 and its access token.
    assert_invalid_grant(&refresh(&router, public, &rt1, &[]).await);
    assert_invalid_grant(&refresh(&router, public, &rt2, &[]).await);
    assert_eq!(introspect(&router, &at2).await.json()["active"], false);
}

#[tokio::test]
async fn confidential_clients_keep_their_refresh_token() {
    let router = strict();
    let tokens = conf_tokens(&router, &[("scope", "read write")]).await;
    let rt = str_of(&tokens, "refresh_token").to_string();
    let reply = refresh(&router, conf(), &rt, &[("scope", "read")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["scope"], "read");
    assert_eq!(reply.json()["refresh_token"], rt.as_str());
    // RFC 6749 §6: the refresh token keeps the full scope.
    let reply = refresh(&router, conf(), &rt, &[("scope", "read write")]).await;
    assert_eq!(reply.json()["scope"], "read write");
    let reply = refresh(&router, conf(), &rt, &[]).await;
    assert_eq!(reply.json()["scope"], "read write");
    // Confidential clients must authenticate (RFC 6749 §6).
    let reply = refresh(&router, Auth::ClientId(CONF_ID), &rt, &[]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn scope_cannot_grow_and_tokens_are_bound() {
    let router = strict();
    let tokens = conf_tokens(&router, &[("scope", "read")]).await;
    let rt = str_of(&tokens, "refresh_token").to_string();
    let reply = refresh(&router, conf(), &rt, &[("scope", "read write")]).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_scope"));
    assert_invalid_grant(&refresh(&router, second(), &rt, &[]).await);
    assert_invalid_grant(&refresh(&router, conf(), "no-such-token", &[]).await);
    assert_invalid_grant(&refresh(&router, conf(), str_of(&tokens, "access_token"), &[]).await);
    let reply = refresh(
        &router,
        Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET),
        &rt,
        &[],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("unauthorized_client"));
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[("grant_type", "refresh_token")],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
}

#[tokio::test]
async fn revoking_a_refresh_token_cascades() {
    let router = strict();
    let tokens = conf_tokens(&router, &[]).await;
    let rt = str_of(&tokens, "refresh_token");
    let at = str_of(&tokens, "access_token");
    let introspected = introspect(&router, rt).await.json();
    assert_eq!(introspected["active"], true);
    assert!(introspected.get("token_type").is_none());
    // The hint is only a hint (RFC 7009 §2.1).
    let reply = post_form(
        &router,
        "/revoke",
        conf(),
        &[("token", rt), ("token_type_hint", "access_token")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_invalid_grant(&refresh(&router, conf(), rt, &[]).await);
    assert_eq!(introspect(&router, at).await.json()["active"], false);
    assert_eq!(userinfo(&router, at).await.status, StatusCode::UNAUTHORIZED);
}
