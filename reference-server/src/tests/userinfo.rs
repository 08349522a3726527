//! The UserInfo endpoint as an RFC 6750 protected resource.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use super::flow::*;
use super::*;

async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    send(
        router,
        builder.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

async fn openid_token(router: &Router) -> String {
    let tokens = conf_tokens(router, &[("scope", "openid read")]).await;
    str_of(&tokens, "access_token").to_string()
}

#[tokio::test]
async fn the_three_accepted_ways() {
    let router = strict();
    let token = openid_token(&router).await;
    let bearer = format!("Bearer {token}");
    let lower = format!("bearer {token}");
    let body = format!("access_token={token}");
    for (method, headers, body) in [
        (Method::GET, vec![("authorization", bearer.as_str())], ""),
        (Method::GET, vec![("authorization", lower.as_str())], ""),
        (
            Method::POST,
            vec![("authorization", bearer.as_str()), FORM],
            "",
        ),
        (Method::POST, vec![FORM], body.as_str()),
    ] {
        let reply = call(&router, method.clone(), "/userinfo", &headers, body).await;
        assert_eq!(reply.status, StatusCode::OK, "{method} {headers:?}");
        assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
        let claims = reply.json();
        assert!(claims["sub"].as_str().is_some_and(|s| s.starts_with("u-")));
        assert_eq!(claims["name"], "Alice");
    }
}

#[tokio::test]
async fn missing_malformed_and_doubled_credentials() {
    let router = strict();
    let token = openid_token(&router).await;
    let reply = call(&router, Method::GET, "/userinfo", &[], "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header(header::WWW_AUTHENTICATE),
        Some("Bearer realm=\"oauth2spec-reference\"")
    );
    // The query method is not supported: no credentials.
    let reply = call(
        &router,
        Method::GET,
        &format!("/userinfo?access_token={token}"),
        &[],
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(
        !reply
            .header(header::WWW_AUTHENTICATE)
            .unwrap_or_default()
            .contains("error")
    );
    // A GET body is not read.
    let reply = call(
        &router,
        Method::GET,
        "/userinfo",
        &[FORM],
        &format!("access_token={token}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    let bearer = format!("Bearer {token}");
    for (uri, headers, body) in [
        (
            format!("/userinfo?access_token={token}"),
            vec![("authorization", bearer.as_str())],
            String::new(),
        ),
        (
            "/userinfo".to_string(),
            vec![("authorization", bearer.as_str()), FORM],
            format!("access_token={token}"),
        ),
        (
            "/userinfo".to_string(),
            vec![("authorization", "Bearer ")],
            String::new(),
        ),
        (
            "/userinfo".to_string(),
            vec![("authorization", "Bearer a b")],
            String::new(),
        ),
    ] {
        let reply = call(&router, Method::POST, &uri, &headers, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri} {headers:?}");
        assert!(
            reply
                .header(header::WWW_AUTHENTICATE)
                .is_some_and(|c| c.contains("error=\"invalid_request\""))
        );
    }
}

#[tokio::test]
async fn invalid_tokens_and_scope() {
    let router = strict();
    let tokens = conf_tokens(&router, &[("scope", "openid read")]).await;
    for token in ["no-such-token", str_of(&tokens, "refresh_token")] {
        let reply = userinfo(&router, token).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(
            reply
                .header(header::WWW_AUTHENTICATE)
                .is_some_and(|c| c.contains("error=\"invalid_token\""))
        );
    }
    let cc = token_for(&router, conf()).await;
    let reply = userinfo(&router, &cc).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.header(header::WWW_AUTHENTICATE),
        Some(
            "Bearer realm=\"oauth2spec-reference\", error=\"insufficient_scope\", error_description=\"the access token was not granted the openid scope\", scope=\"openid\""
        )
    );
    let at = str_of(&tokens, "access_token");
    post_form(&router, "/revoke", conf(), &[("token", at)]).await;
    assert_eq!(userinfo(&router, at).await.status, StatusCode::UNAUTHORIZED);
    let reply = call(&router, Method::PUT, "/userinfo", &[], "").await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}
