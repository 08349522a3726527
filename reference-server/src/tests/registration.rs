//! Dynamic client registration (RFC 7591) and the client configuration endpoint (RFC 7592)
//! through the router: registration, use at the token endpoint, read, update, delete.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use super::*;

pub(super) async fn send_json(
    router: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(b) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    send(router, builder.body(body).expect("request")).await
}

pub(super) async fn register(router: &Router, body: Value) -> Reply {
    send_json(router, Method::POST, "/register", None, Some(body)).await
}

/// The path of a registration's client configuration endpoint.
pub(super) fn path_of(reply: &Reply) -> String {
    let uri = text(reply, "registration_client_uri");
    uri.strip_prefix(BASE).unwrap_or(&uri).to_string()
}

pub(super) fn text(reply: &Reply, member: &str) -> String {
    reply.json()[member]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn registration_answers_201_with_defaults_and_management_fields() {
    let router = strict();
    let reply = register(
        &router,
        json!({ "redirect_uris": ["https://client.example/cb"], "client_id": "admin", "x_unknown": 1 }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    let body = reply.json();
    assert_ne!(body["client_id"], "admin");
    assert_eq!(body["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(body["grant_types"], json!(["authorization_code"]));
    assert_eq!(body["response_types"], json!(["code"]));
    assert_eq!(body["client_secret_expires_at"], 0);
    assert!(body.get("x_unknown").is_none());
    assert!(text(&reply, "registration_access_token").len() >= 43);
    assert!(text(&reply, "registration_client_uri").starts_with(BASE));
}

#[tokio::test]
async fn invalid_metadata_is_refused() {
    let router = strict();
    for (body, code) in [
        (
            json!({ "redirect_uris": ["https://c.example/cb#x"] }),
            "invalid_redirect_uri",
        ),
        (json!({ "redirect_uris": ["/cb"] }), "invalid_redirect_uri"),
        (
            json!({ "redirect_uris": ["http://c.example/cb"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": ["javascript:alert(1)"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "grant_types": ["authorization_code"] }),
            "invalid_redirect_uri",
        ),
        (
            json!({ "redirect_uris": ["https://c.example/cb"], "grant_types": "authorization_code" }),
            "invalid_client_metadata",
        ),
        (
            json!({ "redirect_uris": ["https://c.example/cb"], "response_types": ["token"] }),
            "invalid_client_metadata",
        ),
        (
            json!({ "redirect_uris": ["https://c.example/cb"], "token_endpoint_auth_method": "x" }),
            "invalid_client_metadata",
        ),
    ] {
        let reply = register(&router, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.error().as_deref(), Some(code), "{body}");
    }
    // Loopback http is allowed (RFC 7591 §5).
    let reply = register(
        &router,
        json!({ "redirect_uris": ["http://127.0.0.1:8080/cb"] }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
}

#[tokio::test]
async fn registered_client_works_and_is_managed_until_deleted() {
    let router = strict();
    let reply = register(
        &router,
        json!({ "grant_types": ["client_credentials"], "response_types": [] }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let id = text(&reply, "client_id");
    let secret = text(&reply, "client_secret");
    let rat = text(&reply, "registration_access_token");
    let path = path_of(&reply);
    let token = token_for(&router, Auth::Basic(&id, &secret)).await;

    // Read (RFC 7592 §2.1, App. A.1).
    let read = send_json(&router, Method::GET, &path, Some(&rat), None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(text(&read, "client_secret"), secret);
    // No token: a bare challenge; a junk token: invalid_token.
    let none = send_json(&router, Method::GET, &path, None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let challenge = none.header(header::WWW_AUTHENTICATE).expect("challenge");
    assert!(challenge.starts_with("Bearer") && !challenge.contains("error="));
    let junk = send_json(&router, Method::GET, &path, Some("junk"), None).await;
    assert!(
        junk.header(header::WWW_AUTHENTICATE)
            .is_some_and(|c| c.contains("invalid_token"))
    );
    // PATCH is not offered.
    let patch = send_json(&router, Method::PATCH, &path, Some(&rat), Some(json!({}))).await;
    assert_eq!(patch.status, StatusCode::METHOD_NOT_ALLOWED);

    // Update: a mismatched client_id, a chosen secret, managed fields are refused.
    for body in [
        json!({ "client_id": "other", "grant_types": ["client_credentials"] }),
        json!({ "client_id": id, "client_secret": "mine", "grant_types": ["client_credentials"] }),
        json!({ "client_id": id, "registration_access_token": "mine", "grant_types": ["client_credentials"] }),
    ] {
        let reply = send_json(&router, Method::PUT, &path, Some(&rat), Some(body.clone())).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
    }
    let update = json!({ "client_id": id, "grant_types": ["client_credentials"], "response_types": [], "client_name": "renamed" });
    let reply = send_json(&router, Method::PUT, &path, Some(&rat), Some(update)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(text(&reply, "client_name"), "renamed");
    assert_eq!(text(&reply, "client_secret"), secret);

    // Delete: 204, then the token, the credentials and the issued tokens stop working.
    let delete = send_json(&router, Method::DELETE, &path, Some(&rat), None).await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT);
    let read = send_json(&router, Method::GET, &path, Some(&rat), None).await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    let denied = post_form(
        &router,
        "/token",
        Auth::Basic(&id, &secret),
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(denied.error().as_deref(), Some("invalid_client"));
    assert_eq!(introspect(&router, &token).await.json()["active"], false);
}

/// Registers two clients, C2 and T, and reads C2's configuration with T's registration
/// access token.
async fn read_other_client(router: &Router) -> Reply {
    let c2 = register(router, json!({ "redirect_uris": ["https://c.example/cb"] })).await;
    let t = register(router, json!({ "redirect_uris": ["https://c.example/cb"] })).await;
    let t_rat = text(&t, "registration_access_token");
    send_json(router, Method::GET, &path_of(&c2), Some(&t_rat), None).await
}

#[tokio::test]
async fn a_token_opens_only_its_own_client() {
    let read = read_other_client(&strict()).await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    assert!(read.json().get("client_secret").is_none());
    // Under the fault the same token opens C2.
    let faulty = router_with(Layout::Generic, &[Fault::RegistrationRatCrossClient]);
    assert_eq!(read_other_client(&faulty).await.status, StatusCode::OK);
}

#[tokio::test]
async fn pingone_has_no_registration_endpoint() {
    let router = router_with(Layout::Pingone, &[]);
    let meta = get(
        &router,
        "/.well-known/oauth-authorization-server/8f1c2d3e-0000-4000-8000-000000000ef1/as",
    )
    .await;
    assert_eq!(meta.status, StatusCode::OK);
    assert!(meta.json().get("registration_endpoint").is_none());
    let generic = get(&strict(), "/.well-known/oauth-authorization-server").await;
    assert_eq!(
        generic.json()["registration_endpoint"],
        format!("{BASE}/register")
    );
}

#[tokio::test]
async fn protected_registration_wants_the_initial_access_token() {
    let mut config = config_with(Layout::Generic, &[]);
    config.registration_token = Some("initial-token-0123456789".into());
    let router = crate::build_router(config, BASE);
    let body = json!({ "redirect_uris": ["https://client.example/cb"] });
    // RFC 6750 §3.1: no token, no error attribute; a wrong one, invalid_token.
    let none = send_json(&router, Method::POST, "/register", None, Some(body.clone())).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let challenge = none.header(header::WWW_AUTHENTICATE).unwrap_or_default();
    assert!(challenge.starts_with("Bearer") && !challenge.contains("error="));
    let junk = send_json(
        &router,
        Method::POST,
        "/register",
        Some("junk"),
        Some(body.clone()),
    )
    .await;
    assert!(
        junk.header(header::WWW_AUTHENTICATE)
            .is_some_and(|c| c.contains("error=\"invalid_token\""))
    );
    let good = send_json(
        &router,
        Method::POST,
        "/register",
        Some("initial-token-0123456789"),
        Some(body),
    )
    .await;
    assert_eq!(good.status, StatusCode::CREATED);
}
