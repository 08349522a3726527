//! The authorization response's delivery: response_mode (query, fragment, form_post) on the
//! code flow, and the implicit grant's fragment without a refresh token.

use axum::http::{StatusCode, header};

use super::flow::*;
use super::*;

#[tokio::test]
async fn response_modes() {
    let router = strict();
    let cb = callback_of(&router, &conf_request(&[("response_mode", "fragment")])).await;
    assert_eq!(cb.mode, "fragment");
    assert!(!cb.code().is_empty());
    assert_eq!(cb.get("iss"), Some(BASE));

    let mut agent = Agent::new(&router);
    let state = "\"><script>alert(1)</script>";
    let page = agent
        .authorize(
            &conf_request(&[("response_mode", "form_post"), ("state", state)]),
            Decision::Allow,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header(header::CACHE_CONTROL), Some("no-store"));
    let html = page.text();
    assert!(
        html.contains(&format!("<form method=\"post\" action=\"{CALLBACK}\">")),
        "{html}"
    );
    assert!(html.contains("onload=\"document.forms[0].submit()\""));
    assert!(!html.contains("<script>alert"), "{html}");
    let cb = callback(&page).expect("form_post");
    assert_eq!(cb.mode, "form_post");
    assert_eq!(cb.get("state"), Some(state));
    assert_eq!(cb.get("iss"), Some(BASE));
    assert!(!cb.code().is_empty());

    // Errors follow the requested mode (MRT §2.2).
    let mut agent = Agent::new(&router);
    let page = agent
        .authorize(
            &conf_request(&[("response_mode", "form_post"), ("scope", "nope")]),
            Decision::Allow,
        )
        .await;
    let cb = callback(&page).expect("form_post error");
    assert_eq!(
        (cb.mode, cb.get("error")),
        ("form_post", Some("invalid_scope"))
    );
}

#[tokio::test]
async fn implicit_uses_the_fragment_and_never_a_refresh_token() {
    let router = strict();
    let pairs = [
        ("response_type", "token"),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("state", "imp"),
        ("scope", "openid read"),
    ];
    let cb = callback_of(&router, &pairs).await;
    assert_eq!(cb.mode, "fragment");
    assert!(!cb.url.contains('?'));
    assert_eq!(cb.get("token_type"), Some("Bearer"));
    assert_eq!(cb.get("state"), Some("imp"));
    assert_eq!(cb.get("iss"), Some(BASE));
    assert!(cb.get("refresh_token").is_none());
    let token = cb.get("access_token").expect("token").to_string();
    assert_eq!(userinfo(&router, &token).await.status, StatusCode::OK);

    // response_mode=query is refused, in the fragment (MRT §5, §7).
    let mut with_query = pairs.to_vec();
    with_query.push(("response_mode", "query"));
    let cb = callback_of(&router, &with_query).await;
    assert_eq!(cb.mode, "fragment");
    assert_eq!(cb.get("error"), Some("invalid_request"));
    assert!(cb.get("access_token").is_none());

    // Errors go to the fragment as well.
    let bad_scope: Vec<(&str, &str)> = pairs
        .iter()
        .map(|&(k, v)| if k == "scope" { (k, "admin") } else { (k, v) })
        .collect();
    let cb = callback_of(&router, &bad_scope).await;
    assert_eq!(
        (cb.mode, cb.get("error")),
        ("fragment", Some("invalid_scope"))
    );
}
