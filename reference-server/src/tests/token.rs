//! Token endpoint: client authentication, parameters, client_credentials, headers.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;

use super::*;

fn assert_cache_headers(reply: &Reply) {
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    assert_eq!(reply.header(header::PRAGMA), Some("no-cache"));
}

fn assert_error(reply: &Reply, status: StatusCode, error: &str) {
    assert_eq!(reply.status, status, "{:?}", reply.body);
    assert_eq!(reply.error().as_deref(), Some(error), "{:?}", reply.body);
    assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
    assert_cache_headers(reply);
}

#[tokio::test]
async fn basic_auth_with_reserved_character_secret_gets_a_token() {
    let router = strict();
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
    assert_cache_headers(&reply);
    let body = reply.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["scope"], "read write");
    assert!(body.get("refresh_token").is_none(), "RFC 6749 §4.4.3");
    assert_eq!(body["access_token"].as_str().map(str::len), Some(43));
}

#[tokio::test]
async fn unencoded_basic_secret_is_rejected_with_a_challenge() {
    let router = strict();
    let reply = post_form(
        &router,
        "/token",
        Auth::RawBasic(CONF_ID, CONF_SECRET),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_error(&reply, StatusCode::UNAUTHORIZED, "invalid_client");
    assert_eq!(
        reply.header(header::WWW_AUTHENTICATE),
        Some(r#"Basic realm="oauth2spec-reference""#)
    );
}

#[tokio::test]
async fn client_secret_post_and_its_ttl() {
    let router = strict();
    let reply = post_form(
        &router,
        "/token",
        second(),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["scope"], "read");

    let short = post_form(
        &router,
        "/token",
        Auth::Basic("conf-short", "short-lived-secret-91c2"),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(short.json()["expires_in"], 2);
}

#[tokio::test]
async fn repeated_parameters_are_invalid_request() {
    let router = strict();
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[
            ("grant_type", "client_credentials"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_request");
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "read"),
            ("scope", "read"),
        ],
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn grant_type_errors() {
    let router = strict();
    let reply = post_form(&router, "/token", conf(), &[("scope", "read")]).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_request");
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[("grant_type", "urn:example:nope")],
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "unsupported_grant_type");
    // RFC 6749 §5.2: the grant's required parameter is missing.
    for grant in ["authorization_code", "refresh_token"] {
        let reply = post_form(&router, "/token", conf(), &[("grant_type", grant)]).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_request");
    }
}

#[tokio::test]
async fn client_authentication_failures() {
    let router = strict();
    let cc = [("grant_type", "client_credentials")];
    let wrong = post_form(&router, "/token", Auth::Basic(CONF_ID, "wrong"), &cc).await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "invalid_client");
    assert!(wrong.header(header::WWW_AUTHENTICATE).is_some());

    let none = post_form(&router, "/token", Auth::None, &cc).await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "invalid_client");

    let unknown = post_form(&router, "/token", Auth::Basic("nobody", "x"), &cc).await;
    assert_error(&unknown, StatusCode::UNAUTHORIZED, "invalid_client");

    // conf-basic is registered for client_secret_basic, not client_secret_post.
    let method = post_form(&router, "/token", Auth::Post(CONF_ID, CONF_SECRET), &cc).await;
    assert_error(&method, StatusCode::UNAUTHORIZED, "invalid_client");

    // RFC 6749 §3.2.1: a confidential client naming itself only is not authenticated.
    let id_only = post_form(&router, "/token", Auth::ClientId(POST_ID), &cc).await;
    assert_error(&id_only, StatusCode::UNAUTHORIZED, "invalid_client");

    // RFC 6749 §2.3: two methods at once.
    let both = post_form(
        &router,
        "/token",
        conf(),
        &[
            ("grant_type", "client_credentials"),
            ("client_secret", CONF_SECRET),
        ],
    )
    .await;
    assert_error(&both, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn client_credentials_is_for_registered_confidential_clients() {
    let router = strict();
    let reply = post_form(
        &router,
        "/token",
        Auth::ClientId(PUBLIC_ID),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "unauthorized_client");
}

#[tokio::test]
async fn scope_rules() {
    let router = strict();
    let with_scope = |scope: &'static str| {
        let router = router.clone();
        async move {
            post_form(
                &router,
                "/token",
                conf(),
                &[("grant_type", "client_credentials"), ("scope", scope)],
            )
            .await
        }
    };
    assert_eq!(with_scope("read").await.json()["scope"], "read");
    // RFC 6749 §3.2: an empty parameter is treated as omitted: the default scope.
    assert_eq!(with_scope("").await.json()["scope"], "read write");
    assert_error(
        &with_scope("admin").await,
        StatusCode::BAD_REQUEST,
        "invalid_scope",
    );
    assert_error(
        &with_scope("READ").await,
        StatusCode::BAD_REQUEST,
        "invalid_scope",
    );
    assert_error(
        &with_scope("read  write").await,
        StatusCode::BAD_REQUEST,
        "invalid_scope",
    );
}

#[tokio::test]
async fn unknown_parameters_are_ignored_and_charset_is_accepted() {
    let router = strict();
    let reply = post_form(
        &router,
        "/token",
        conf(),
        &[("grant_type", "client_credentials"), ("foo", "bar")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_method_and_media_type() {
    let router = strict();
    let reply = get(&router, "/token?grant_type=client_credentials").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header(header::ALLOW), Some("POST"));
    assert_cache_headers(&reply);
    assert!(reply.json().get("access_token").is_none());

    let request = Request::builder()
        .method(Method::POST)
        .uri("/token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"grant_type":"client_credentials"}"#))
        .expect("request");
    let reply = send(&router, request).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn hostile_bodies_do_not_panic() {
    let router = strict();
    for body in [
        &b"%%%=%%%&&&=="[..],
        b"\xff\xfe=\x00",
        b"grant_type",
        b"=&=",
    ] {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_vec()))
            .expect("request");
        let reply = send(&router, request).await;
        assert!(reply.status.is_client_error());
        assert!(matches!(reply.json(), Value::Object(_)));
    }
}
