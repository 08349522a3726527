//! Pushed authorization requests (RFC 9126): the PAR endpoint's answers and the resolution of
//! its request URIs at the authorization endpoint.

use axum::http::{StatusCode, header};

use super::*;

const CALLBACK: &str = "http://127.0.0.1:8400/callback";

async fn push(router: &Router, auth: Auth<'_>, extra: &[(&str, &str)]) -> Reply {
    let mut pairs = vec![
        ("response_type", "code"),
        ("redirect_uri", CALLBACK),
        ("state", "s1"),
    ];
    pairs.extend_from_slice(extra);
    post_form(router, "/par", auth, &pairs).await
}

fn request_uri(reply: &Reply) -> String {
    reply.json()["request_uri"]
        .as_str()
        .expect("request_uri")
        .to_string()
}

#[tokio::test]
async fn push_answers_201_with_a_urn_and_no_store() {
    let router = strict();
    let reply = push(&router, conf(), &[]).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert!(request_uri(&reply).starts_with("urn:ietf:params:oauth:request_uri:"));
    assert!(reply.json()["expires_in"].as_u64().is_some_and(|s| s > 0));
    assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
}

#[tokio::test]
async fn push_refusals_are_json_errors() {
    let router = strict();
    let wrong = push(&router, Auth::Basic(CONF_ID, "wrong"), &[]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.error().as_deref(), Some("invalid_client"));
    let bare = push(&router, Auth::ClientId(POST_ID), &[]).await;
    assert_eq!(bare.error().as_deref(), Some("invalid_client"));
    let nested = push(&router, conf(), &[("request_uri", "urn:x")]).await;
    assert_eq!(nested.status, StatusCode::BAD_REQUEST);
    assert_eq!(nested.error().as_deref(), Some("invalid_request"));
    let unknown = push(&router, conf(), &[("response_type", "x")]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let restricted = push(&router, Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET), &[]).await;
    assert_eq!(restricted.error().as_deref(), Some("unauthorized_client"));
    assert_eq!(
        get(&router, "/par").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn a_request_uri_is_used_once_and_by_its_client_only() {
    let router = strict();
    let uri = request_uri(&push(&router, conf(), &[]).await);
    let path = |client: &str| {
        format!(
            "/authorize?client_id={client}&request_uri={}",
            urlencode(&uri)
        )
    };
    // Another client: refused, and the URI is spent.
    let other = get(&router, &path(POST_ID)).await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    let uri = request_uri(&push(&router, conf(), &[]).await);
    let path = format!(
        "/authorize?client_id={CONF_ID}&request_uri={}",
        urlencode(&uri)
    );
    let first = get(&router, &path).await;
    assert_eq!(first.status, StatusCode::FOUND, "{:?}", first.body);
    let again = get(&router, &path).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_par_required_client_cannot_skip_the_push() {
    let router = strict();
    let path = format!(
        "/authorize?response_type=code&client_id=conf-par&redirect_uri={}&state=s",
        urlencode(CALLBACK)
    );
    // RFC 9700 §4.11.2: the error waits for the user to log in; the page comes first.
    let reply = get(&router, &path).await;
    let location = reply.header(header::LOCATION).unwrap_or_default();
    assert!(location.contains("/login?"), "{location}");
    let pushed = push(
        &router,
        Auth::Basic("conf-par", "par-required-secret-2e6b"),
        &[],
    )
    .await;
    assert_eq!(pushed.status, StatusCode::CREATED, "{:?}", pushed.body);
}
