//! The test-only hook endpoint (`endpoints::test_hooks`).

use axum::http::{Method, StatusCode};

use super::flow::*;
use super::*;

async fn hook(router: &Router, name: &str, body: &str) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/test/hooks/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    send(router, request).await
}

#[tokio::test]
async fn an_aged_code_is_expired_and_a_fresh_one_is_not() {
    let router = strict();
    let aged = conf_code(&router, &[]).await;
    let fresh = conf_code(&router, &[]).await;
    let body = serde_json::json!({"code": aged, "seconds": "601"}).to_string();
    assert_eq!(
        hook(&router, "age_code", &body).await.status,
        StatusCode::NO_CONTENT
    );
    let reply = exchange(&router, conf(), &aged, &[("redirect_uri", CALLBACK)]).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
    let reply = exchange(&router, conf(), &fresh, &[("redirect_uri", CALLBACK)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn unknown_hooks_codes_and_bad_args_are_refused() {
    let router = strict();
    let reply = hook(&router, "no_such_hook", "{}").await;
    assert_eq!(
        (reply.status, reply.error().as_deref()),
        (StatusCode::NOT_FOUND, Some("unknown_hook"))
    );
    let reply = hook(&router, "age_code", r#"{"code":"nope","seconds":"5"}"#).await;
    assert_eq!(
        (reply.status, reply.error().as_deref()),
        (StatusCode::NOT_FOUND, Some("unknown_request"))
    );
    for body in [r#"{"code":"x"}"#, r#"{"code":"x","seconds":"soon"}"#, "[1]"] {
        let reply = hook(&router, "age_code", body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn not_routed_unless_configured() {
    let config = ServerConfig {
        test_hooks: false,
        ..ServerConfig::default()
    };
    let router = build_router(config, BASE);
    let reply = hook(&router, "age_code", r#"{"code":"x","seconds":"5"}"#).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error().as_deref(), Some("not_found"));
}
