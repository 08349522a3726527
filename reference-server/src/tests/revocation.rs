//! Revocation endpoint (RFC 7009).

use axum::http::{StatusCode, header};
use serde_json::json;

use super::*;

async fn revoke(router: &Router, auth: Auth<'_>, token: &str) -> Reply {
    post_form(router, "/revoke", auth, &[("token", token)]).await
}

#[tokio::test]
async fn revoking_an_own_token_deactivates_it_immediately() {
    let router = strict();
    let token = token_for(&router, conf()).await;
    let reply = revoke(&router, conf(), &token).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.is_empty());
    assert_eq!(
        introspect(&router, &token).await.json(),
        json!({"active": false})
    );
    // RFC 7009 §2.2: revoking it again is still 200.
    assert_eq!(revoke(&router, conf(), &token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn another_clients_token_is_refused_and_stays_valid() {
    let router = strict();
    let token = token_for(&router, conf()).await;
    let reply = revoke(&router, second(), &token).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().as_deref(), Some("unauthorized_client"));
    assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(introspect(&router, &token).await.json()["active"], true);
}

#[tokio::test]
async fn unknown_tokens_and_hints_are_200() {
    let router = strict();
    assert_eq!(
        revoke(&router, conf(), "no-such-token").await.status,
        StatusCode::OK
    );
    // A public client identifies with client_id (RFC 7009 §5).
    assert_eq!(
        revoke(&router, Auth::ClientId(PUBLIC_ID), "no-such-token")
            .await
            .status,
        StatusCode::OK
    );
    // RFC 7009 §2.2: unknown hint values are ignored; §2.1: a wrong hint still finds it.
    for hint in ["foo", "refresh_token"] {
        let token = token_for(&router, conf()).await;
        let reply = post_form(
            &router,
            "/revoke",
            conf(),
            &[("token", &token), ("token_type_hint", hint)],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{hint}");
        assert_eq!(
            introspect(&router, &token).await.json()["active"],
            false,
            "{hint}"
        );
    }
}

#[tokio::test]
async fn authentication_and_missing_token() {
    let router = strict();
    let token = token_for(&router, conf()).await;
    let anonymous = revoke(&router, Auth::None, &token).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.error().as_deref(), Some("invalid_client"));
    let wrong = revoke(&router, Auth::Basic(CONF_ID, "nope"), &token).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header(header::WWW_AUTHENTICATE).is_some());
    let confidential_id_only = revoke(&router, Auth::ClientId(CONF_ID), &token).await;
    assert_eq!(confidential_id_only.status, StatusCode::UNAUTHORIZED);
    assert_eq!(introspect(&router, &token).await.json()["active"], true);

    let missing = post_form(&router, "/revoke", conf(), &[]).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.error().as_deref(), Some("invalid_request"));
}
