//! The device authorization grant (RFC 8628) end to end: the device authorization
//! endpoint, the verification page in each layout's login style, and polling.

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use serde_json::Value;

use super::flow::*;
use super::*;
use crate::config::DEFAULT_REALM;
use crate::grants::device_code::GRANT_TYPE;
use crate::layouts::LayoutPaths;

pub const DEVICE_ID: &str = "device-app";
const CHECK: &str = "application/vnd.pingidentity.usernamePassword.check+json";

/// The paths of `layout` with the default parameters.
pub fn paths(layout: Layout) -> LayoutPaths {
    LayoutPaths::new(layout, &ServerConfig::default().layout_params())
}

/// A server for `layout` with `faults` polling every 300 ms.
pub fn fast(layout: Layout, faults: &[Fault]) -> Router {
    build_router(
        ServerConfig {
            device_interval: Duration::from_millis(300),
            ..config_with(layout, faults)
        },
        BASE,
    )
}

/// Starts a device authorization for `auth` (RFC 8628 §3.1).
pub async fn start(
    router: &Router,
    layout: Layout,
    auth: Auth<'_>,
    pairs: &[(&str, &str)],
) -> Reply {
    post_form(router, &paths(layout).device_authorization, auth, pairs).await
}

/// A started authorization's response document (panics on an error).
pub async fn started(router: &Router, layout: Layout, auth: Auth<'_>) -> Value {
    let reply = start(router, layout, auth, &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

/// One poll (RFC 8628 §3.4).
pub async fn poll(router: &Router, layout: Layout, auth: Auth<'_>, device_code: &str) -> Reply {
    post_form(
        router,
        &paths(layout).token,
        auth,
        &[("grant_type", GRANT_TYPE), ("device_code", device_code)],
    )
    .await
}

/// Calls a test hook.
pub async fn hook(router: &Router, name: &str, args: Value) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/test/hooks/{name}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(args.to_string()))
        .expect("request");
    send(router, request).await
}

/// Approves (or denies) `user_code` through the `device_decision` hook.
pub async fn decide_by_hook(router: &Router, user_code: &str, action: &str) -> StatusCode {
    let args = serde_json::json!({"user_code": user_code, "action": action});
    hook(router, "device_decision", args).await.status
}

/// The device public client's approved device code.
pub async fn approved(router: &Router) -> String {
    let doc = started(router, Layout::Generic, Auth::ClientId(DEVICE_ID)).await;
    assert_eq!(
        decide_by_hook(router, str_of(&doc, "user_code"), "approve").await,
        StatusCode::NO_CONTENT
    );
    str_of(&doc, "device_code").to_string()
}

/// Opens `verification_uri_complete` and approves (or denies) in `layout`'s login style;
/// the final page.
async fn approve_in_style(
    router: &Router,
    layout: Layout,
    doc: &Value,
    decision: Decision,
) -> Reply {
    let complete = str_of(doc, "verification_uri_complete").to_string();
    let mut agent = Agent::new(router);
    match layout {
        Layout::Pingone => {
            let flow = agent
                .get(&format!("{complete}&response_mode=pi.flow"))
                .await;
            assert_eq!(flow.status, StatusCode::OK, "{}", flow.text());
            let flow = flow.json();
            assert_eq!(flow["status"], "USERNAME_PASSWORD_REQUIRED");
            let href = flow["_links"]["usernamePassword.check"]["href"]
                .as_str()
                .expect("check link")
                .to_string();
            let body = serde_json::json!({"username": ALICE.0, "password": ALICE.1});
            let done = agent
                .send(
                    Method::POST,
                    &href,
                    &[("content-type", CHECK)],
                    body.to_string().into_bytes(),
                )
                .await;
            assert_eq!(done.json()["status"], "COMPLETED", "{}", done.text());
            let confirm = agent.get(str_of(&done.json(), "resumeUrl")).await;
            agent.walk(confirm, decision).await
        }
        Layout::Aic => {
            let login = agent
                .send(
                    Method::POST,
                    &format!("/am/json/realms/{DEFAULT_REALM}/authenticate"),
                    &[
                        ("x-openam-username", ALICE.0),
                        ("x-openam-password", ALICE.1),
                    ],
                    Vec::new(),
                )
                .await;
            let token = str_of(&login.json(), "tokenId").to_string();
            // With the AM session the page shows the confirmation at once.
            let confirm = agent.get(&complete).await;
            assert!(
                confirm.text().contains(str_of(doc, "user_code")),
                "{}",
                confirm.text()
            );
            let value = if decision == Decision::Allow {
                "allow"
            } else {
                "deny"
            };
            agent
                .post_form(
                    &paths(layout).device_verification,
                    &[
                        ("user_code", str_of(doc, "user_code")),
                        ("csrf", &token),
                        ("decision", value),
                    ],
                )
                .await
        }
        Layout::Generic | Layout::Pingfederate | Layout::Custom => {
            let first = agent.get(&complete).await;
            assert!(
                first.text().contains("type=\"password\""),
                "{}",
                first.text()
            );
            agent.walk(first, decision).await
        }
    }
}

#[tokio::test]
async fn happy_path_in_every_layout() {
    for &layout in Layout::WITH_PATHS {
        let router = router_with(layout, &[]);
        let p = paths(layout);
        for auth in [Auth::ClientId(DEVICE_ID), Auth::Basic(CONF_ID, CONF_SECRET)] {
            let reply = start(&router, layout, auth, &[("scope", "read")]).await;
            assert_eq!(reply.status, StatusCode::OK, "{layout}: {}", reply.text());
            assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
            let doc = reply.json();
            let user_code = str_of(&doc, "user_code");
            assert_eq!(
                doc["verification_uri"],
                format!("{BASE}{}", p.device_verification).as_str()
            );
            assert_eq!(
                str_of(&doc, "verification_uri_complete"),
                format!("{BASE}{}?user_code={user_code}", p.device_verification)
            );
            assert_eq!(doc["expires_in"], 15);
            assert_eq!(doc["interval"], 1);
            assert!(str_of(&doc, "device_code").len() >= 43);
            let device_code = str_of(&doc, "device_code").to_string();

            let pending = poll(&router, layout, auth, &device_code).await;
            assert_eq!(pending.error().as_deref(), Some("authorization_pending"));

            let last = approve_in_style(&router, layout, &doc, Decision::Allow).await;
            assert_eq!(last.status, StatusCode::OK, "{layout}: {}", last.text());
            assert!(
                last.text().contains("Device approved"),
                "{layout}: {}",
                last.text()
            );
            assert!(last.header(header::LOCATION).is_none());

            let tokens = poll(&router, layout, auth, &device_code).await;
            assert_eq!(tokens.status, StatusCode::OK, "{layout}: {}", tokens.text());
            assert_eq!(tokens.header(header::CACHE_CONTROL), Some("no-store"));
            assert_eq!(tokens.json()["scope"], "read");
            let again = poll(&router, layout, auth, &device_code).await;
            assert_eq!(again.error().as_deref(), Some("invalid_grant"));
        }
    }
}

#[tokio::test]
async fn html_login_works_in_every_layout_and_denial_is_final() {
    for &layout in Layout::WITH_PATHS {
        let router = router_with(layout, &[]);
        let doc = started(&router, layout, Auth::ClientId(DEVICE_ID)).await;
        let mut agent = Agent::new(&router);
        let first = agent.get(str_of(&doc, "verification_uri_complete")).await;
        let last = agent.walk(first, Decision::Deny).await;
        assert!(
            last.text().contains("Access denied"),
            "{layout}: {}",
            last.text()
        );
        let device_code = str_of(&doc, "device_code");
        for _ in 0..2 {
            let reply = poll(&router, layout, Auth::ClientId(DEVICE_ID), device_code).await;
            assert_eq!(reply.error().as_deref(), Some("access_denied"), "{layout}");
        }
    }
}

#[tokio::test]
async fn a_typed_code_is_case_and_dash_insensitive_and_a_wrong_one_shows_the_form_again() {
    let router = strict();
    let doc = started(&router, Layout::Generic, Auth::ClientId(DEVICE_ID)).await;
    let mut agent = Agent::new(&router);
    let login = agent.get("/device").await;
    let page = agent.submit_login(&login.text(), ALICE.0, ALICE.1).await;
    let html = page.text();
    assert!(html.contains("name=\"user_code\""), "{html}");
    let fields = |html: &str| {
        (
            hidden(html, "interaction").unwrap_or_default(),
            hidden(html, "csrf_token").unwrap_or_default(),
        )
    };
    let (id, csrf) = fields(&html);
    let wrong = agent
        .post_form(
            "/device",
            &[
                ("interaction", &id),
                ("csrf_token", &csrf),
                ("user_code", "BBBB-BBBB"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.text().contains("name=\"user_code\""));
    assert!(wrong.text().contains("not valid"));
    let typed = str_of(&doc, "user_code").replace('-', "").to_lowercase();
    let confirm = agent
        .post_form(
            "/device",
            &[
                ("interaction", &id),
                ("csrf_token", &csrf),
                ("user_code", &typed),
            ],
        )
        .await;
    assert!(
        confirm.text().contains(str_of(&doc, "user_code")),
        "{}",
        confirm.text()
    );
    assert!(!confirm.text().contains(str_of(&doc, "device_code")));
    // RFC 6749 §10.12: a decision without the page's token is refused.
    let forged = agent
        .post_form("/device", &[("interaction", &id), ("decision", "allow")])
        .await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);
    // So is one from another session.
    let mut other = Agent::new(&router);
    let stolen = other
        .post_form(
            "/device",
            &[
                ("interaction", &id),
                ("csrf_token", &csrf),
                ("decision", "allow"),
            ],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::BAD_REQUEST);
    let done = agent.submit_consent(&confirm.text(), "allow").await;
    assert!(done.text().contains("Device approved"));
    // The user code is decided once.
    let mut again = Agent::new(&router);
    let first = again.get(str_of(&doc, "verification_uri_complete")).await;
    let last = again.walk(first, Decision::Allow).await;
    assert!(last.text().contains("already been used"), "{}", last.text());
}

#[tokio::test]
async fn wrong_user_codes_are_throttled() {
    let router = strict();
    let mut agent = Agent::new(&router);
    let login = agent.get("/device?user_code=BBBB-BBBB").await;
    let mut page = agent.submit_login(&login.text(), ALICE.0, ALICE.1).await;
    for _ in 0..12 {
        let html = page.text();
        let id = hidden(&html, "interaction").unwrap_or_default();
        let csrf = hidden(&html, "csrf_token").unwrap_or_default();
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        page = agent
            .post_form(
                "/device",
                &[
                    ("interaction", &id),
                    ("csrf_token", &csrf),
                    ("user_code", "CCCC-CCCC"),
                ],
            )
            .await;
    }
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn polling_too_fast_is_slowed_down_and_the_interval_grows() {
    let router = fast(Layout::Generic, &[]);
    let doc = started(&router, Layout::Generic, Auth::ClientId(DEVICE_ID)).await;
    assert_eq!(doc["interval"], 0.3);
    let code = str_of(&doc, "device_code");
    let device = Auth::ClientId(DEVICE_ID);
    assert_eq!(
        poll(&router, Layout::Generic, device, code)
            .await
            .error()
            .as_deref(),
        Some("authorization_pending")
    );
    let fast_poll = poll(&router, Layout::Generic, device, code).await;
    assert_eq!(fast_poll.error().as_deref(), Some("slow_down"));
    assert_eq!(fast_poll.status, StatusCode::BAD_REQUEST);
    // The old interval is not enough any more: it grew by 5 s (RFC 8628 §3.5).
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        poll(&router, Layout::Generic, device, code)
            .await
            .error()
            .as_deref(),
        Some("slow_down")
    );
    // Approval is not rate-limited: slow_down is a variant of authorization_pending.
    assert_eq!(
        decide_by_hook(&router, str_of(&doc, "user_code"), "approve").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        poll(&router, Layout::Generic, device, code).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_device_code_is_redeemed_once_under_concurrent_polls() {
    let router = strict();
    for _ in 0..5 {
        let code = approved(&router).await;
        let polls = (0..16).map(|_| {
            let router = router.clone();
            let code = code.clone();
            tokio::spawn(async move {
                poll(&router, Layout::Generic, Auth::ClientId(DEVICE_ID), &code)
                    .await
                    .status
            })
        });
        let mut ok = 0;
        for handle in polls.collect::<Vec<_>>() {
            if handle.await.expect("poll task") == StatusCode::OK {
                ok += 1;
            }
        }
        assert_eq!(ok, 1);
    }
}

#[tokio::test]
async fn a_device_code_is_bound_to_its_client() {
    let router = strict();
    let code = approved(&router).await;
    let other = poll(&router, Layout::Generic, conf(), &code).await;
    assert_eq!(other.error().as_deref(), Some("invalid_grant"));
    let owner = poll(&router, Layout::Generic, Auth::ClientId(DEVICE_ID), &code).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text());
}

#[tokio::test]
async fn expired_codes_are_refused_at_the_token_endpoint_and_the_page() {
    let router = strict();
    let device = Auth::ClientId(DEVICE_ID);
    // Approved in time, redeemed too late.
    let code = approved(&router).await;
    let age = |code: &str| serde_json::json!({"device_code": code, "seconds": "16"});
    assert_eq!(
        hook(&router, "age_device_code", age(&code)).await.status,
        StatusCode::NO_CONTENT
    );
    let reply = poll(&router, Layout::Generic, device, &code).await;
    assert_eq!(reply.error().as_deref(), Some("expired_token"));
    // Never approved: expired_token at the token endpoint, refused on the page.
    let doc = started(&router, Layout::Generic, device).await;
    let code = str_of(&doc, "device_code");
    assert_eq!(
        hook(&router, "age_device_code", age(code)).await.status,
        StatusCode::NO_CONTENT
    );
    let reply = poll(&router, Layout::Generic, device, code).await;
    assert_eq!(reply.error().as_deref(), Some("expired_token"));
    let mut agent = Agent::new(&router);
    let first = agent.get(str_of(&doc, "verification_uri_complete")).await;
    let last = agent.walk(first, Decision::Allow).await;
    assert_eq!(last.status, StatusCode::BAD_REQUEST);
    assert!(last.text().contains("expired"), "{}", last.text());
    assert!(last.text().contains("name=\"user_code\""));
    assert_eq!(
        decide_by_hook(&router, str_of(&doc, "user_code"), "approve").await,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn device_authorization_errors() {
    let router = strict();
    let g = Layout::Generic;
    let reply = start(&router, g, Auth::ClientId("nobody"), &[]).await;
    assert_eq!(
        (reply.status, reply.error().as_deref()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let reply = start(&router, g, Auth::Basic(CONF_ID, "wrong"), &[]).await;
    assert_eq!(
        (reply.status, reply.error().as_deref()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    assert!(reply.header(header::WWW_AUTHENTICATE).is_some());
    let reply = start(&router, g, Auth::None, &[]).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_client"));
    // A confidential client naming itself only is not authenticated.
    let reply = start(&router, g, Auth::ClientId(CONF_ID), &[]).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_client"));
    let reply = start(
        &router,
        g,
        Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET),
        &[],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("unauthorized_client"));
    let reply = start(&router, g, Auth::ClientId(DEVICE_ID), &[("scope", "write")]).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_scope"));
    let reply = start(
        &router,
        g,
        Auth::ClientId(DEVICE_ID),
        &[("scope", "read"), ("scope", "read")],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    // Empty scope is no scope; unknown parameters are ignored (RFC 8628 §3.1).
    let reply = start(
        &router,
        g,
        Auth::ClientId(DEVICE_ID),
        &[("scope", ""), ("foo", "bar")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        get(&router, "/device/code").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn device_token_errors() {
    let router = strict();
    let g = Layout::Generic;
    let reply = poll(
        &router,
        g,
        Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET),
        "x",
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("unauthorized_client"));
    let reply = poll(&router, g, Auth::ClientId(DEVICE_ID), "no-such-code").await;
    assert_eq!(reply.error().as_deref(), Some("invalid_grant"));
    let reply = post_form(
        &router,
        "/token",
        Auth::ClientId(DEVICE_ID),
        &[("grant_type", GRANT_TYPE)],
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    // A public client must name itself; a confidential one must authenticate.
    let code = approved(&router).await;
    let reply = poll(&router, g, Auth::None, &code).await;
    assert_eq!(reply.error().as_deref(), Some("invalid_client"));
    let doc = started(&router, g, conf()).await;
    decide_by_hook(&router, str_of(&doc, "user_code"), "approve").await;
    let reply = poll(
        &router,
        g,
        Auth::ClientId(CONF_ID),
        str_of(&doc, "device_code"),
    )
    .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_client"));
    let reply = poll(&router, g, conf(), str_of(&doc, "device_code")).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn metadata_advertises_the_device_grant() {
    for &layout in Layout::WITH_PATHS {
        let router = router_with(layout, &[]);
        let p = paths(layout);
        let meta = get(&router, &p.metadata_oidc).await.json();
        assert_eq!(
            meta["device_authorization_endpoint"],
            format!("{BASE}{}", p.device_authorization).as_str()
        );
        let grants = meta["grant_types_supported"].as_array().expect("array");
        assert!(grants.iter().any(|g| g == GRANT_TYPE), "{layout}");
    }
}

#[tokio::test]
async fn hooks_check_their_arguments() {
    let router = strict();
    let reply = hook(
        &router,
        "device_decision",
        serde_json::json!({"user_code": "X", "action": "maybe"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = hook(
        &router,
        "device_decision",
        serde_json::json!({"user_code": "BBBB-BBBB", "action": "approve"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = hook(
        &router,
        "age_device_code",
        serde_json::json!({"device_code": "x", "seconds": "1"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    // The user the hook names is the one the tokens are for.
    let doc = started(&router, Layout::Generic, Auth::ClientId(DEVICE_ID)).await;
    let args = serde_json::json!({"user_code": str_of(&doc, "user_code"), "action": "approve", "user": "bob"});
    assert_eq!(
        hook(&router, "device_decision", args).await.status,
        StatusCode::NO_CONTENT
    );
    let tokens = poll(
        &router,
        Layout::Generic,
        Auth::ClientId(DEVICE_ID),
        str_of(&doc, "device_code"),
    )
    .await;
    let token = str_of(&tokens.json(), "access_token").to_string();
    let bob = crate::Fixtures::builtin().user("bob").map(|u| u.subject());
    assert_eq!(
        introspect(&router, &token).await.json()["sub"].as_str(),
        bob.as_deref()
    );
}
