//! OpenID CIBA Core 1.0: the backchannel endpoint, the CIBA grant, ping and push callbacks
//! (received by a local axum server), in every layout.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::ciba_support::*;
use super::*;

const WAIT: Duration = Duration::from_secs(3);
const QUIET: Duration = Duration::from_millis(300);

fn claims(jwt: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = jwt.split('.').nth(1).unwrap_or_default();
    URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn poll_happy_path_in_every_layout() {
    for layout in [
        Layout::Generic,
        Layout::Pingone,
        Layout::Aic,
        Layout::Pingfederate,
    ] {
        let s = ciba_server(layout, &[], None);
        let reply = s
            .bc(POLL, &[("scope", "openid read"), ("login_hint", "alice")])
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{layout:?} {:?}", reply.body);
        assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
        let ack = reply.json();
        assert_eq!(ack["expires_in"], 60);
        assert_eq!(ack["interval"], 1);
        let id = ack["auth_req_id"].as_str().expect("id").to_string();
        assert_eq!(
            s.poll(POLL, &id).await.error().as_deref(),
            Some("authorization_pending")
        );
        let shown = s.decide(&id, "approve").await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(shown.json()["user"], "alice");
        let tokens = s.poll(POLL, &id).await;
        assert_eq!(tokens.status, StatusCode::OK, "{:?}", tokens.body);
        assert_eq!(tokens.header(header::CACHE_CONTROL), Some("no-store"));
        let body = tokens.json();
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["refresh_token"].is_string());
        let id_token = claims(body["id_token"].as_str().expect("id_token"));
        assert_eq!(id_token["aud"], "ciba-poll");
        assert!(id_token["at_hash"].is_string());
        // §10.1.1: single use.
        assert_eq!(
            s.poll(POLL, &id).await.error().as_deref(),
            Some("invalid_grant")
        );
    }
}

#[tokio::test]
async fn metadata_advertises_ciba_at_the_layout_path() {
    for layout in [Layout::Generic, Layout::Pingone, Layout::Aic] {
        let s = ciba_server(layout, &[], None);
        let doc = get(&s.router, &s.paths.metadata_oidc).await.json();
        assert_eq!(
            doc["backchannel_authentication_endpoint"],
            format!("{BASE}{}", s.paths.backchannel_authentication)
        );
        assert_eq!(
            doc["backchannel_token_delivery_modes_supported"],
            json!(["poll", "ping", "push"])
        );
        assert_eq!(doc["backchannel_user_code_parameter_supported"], true);
        assert!(
            doc["grant_types_supported"]
                .as_array()
                .is_some_and(|g| g.contains(&json!(crate::ciba::GRANT_TYPE)))
        );
    }
    let pf = ciba_server(Layout::Pingfederate, &[], None);
    assert_eq!(pf.paths.backchannel_authentication, "/as/bc-auth.ciba");
    let aic = ciba_server(Layout::Aic, &[], None);
    assert_eq!(
        aic.paths.backchannel_authentication,
        "/am/oauth2/realms/root/realms/alpha/bc-authorize"
    );
}

/// A request and the error it must get.
type Probe<'a> = (Auth<'a>, Vec<(&'a str, &'a str)>, StatusCode, &'a str);

#[tokio::test]
async fn request_errors() {
    let s = ciba_server(Layout::Generic, &[], None);
    let base = [("scope", "openid"), ("login_hint", "alice")];
    let cases: Vec<Probe<'_>> = vec![
        (
            Auth::None,
            base.to_vec(),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            Auth::Basic("ciba-poll", "wrong"),
            base.to_vec(),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            Auth::ClientId(PUBLIC_ID),
            base.to_vec(),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET),
            base.to_vec(),
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
        ),
        (
            POLL,
            vec![("scope", "openid")],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            POLL,
            vec![
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("login_hint_token", "x"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            POLL,
            vec![("scope", "read"), ("login_hint", "alice")],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            POLL,
            vec![("scope", "openid write"), ("login_hint", "alice")],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
        ),
        (
            POLL,
            vec![("scope", "openid"), ("login_hint", "mallory")],
            StatusCode::BAD_REQUEST,
            "unknown_user_id",
        ),
        (
            POLL,
            vec![("scope", "openid"), ("login_hint", "bob")],
            StatusCode::BAD_REQUEST,
            "missing_user_code",
        ),
        (
            POLL,
            vec![
                ("scope", "openid"),
                ("login_hint", "bob"),
                ("user_code", "nope"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_user_code",
        ),
        (
            POLL,
            vec![
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("binding_message", "a\u{7}b"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_binding_message",
        ),
        (
            POLL,
            vec![
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("requested_expiry", "-5"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            PING,
            base.to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            POLL,
            vec![
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("request", "eyJ.x.y"),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
    ];
    for (auth, pairs, status, error) in cases {
        let reply = s.bc(auth, &pairs).await;
        assert_eq!(
            (reply.status, reply.error().as_deref()),
            (status, Some(error)),
            "{pairs:?}"
        );
        assert_eq!(reply.header(header::CACHE_CONTROL), Some("no-store"));
    }
    let long = "x".repeat(200);
    let reply = s
        .bc(
            POLL,
            &[
                ("scope", "openid"),
                ("login_hint", "alice"),
                ("binding_message", &long),
            ],
        )
        .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_binding_message"));
    // The right user code, a requested expiry and unknown parameters are fine.
    let reply = s
        .bc(
            POLL,
            &[
                ("scope", "openid"),
                ("login_hint", "bob"),
                ("user_code", "bob-code-4471"),
                ("requested_expiry", "30"),
                ("foo", "bar"),
                ("resource", "https://unknown.example/api"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.json()["expires_in"], 30);
    // GET is not the method.
    assert_eq!(
        get(&s.router, "/bc-authorize").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn id_token_hint_is_verified() {
    let s = ciba_server(Layout::Generic, &[], None);
    let id = s.start(POLL, &[]).await;
    s.decide(&id, "approve").await;
    let id_token = s.poll(POLL, &id).await.json()["id_token"]
        .as_str()
        .expect("id_token")
        .to_string();
    let hinted = [("scope", "openid"), ("id_token_hint", id_token.as_str())];
    let reply = s.bc(POLL, &hinted).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    // Issued to another client: refused.
    let reply = s
        .bc(
            PING,
            &[
                ("scope", "openid"),
                ("id_token_hint", id_token.as_str()),
                ("client_notification_token", NOTIFY_TOKEN),
            ],
        )
        .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
    // A corrupted signature: refused.
    let mut corrupted = id_token.clone();
    corrupted.push('A');
    let reply = s
        .bc(POLL, &[("scope", "openid"), ("id_token_hint", &corrupted)])
        .await;
    assert_eq!(reply.error().as_deref(), Some("invalid_request"));
}

#[tokio::test]
async fn slow_down_denial_expiry_and_client_binding() {
    let s = ciba_server(Layout::Generic, &[], None);
    let id = s.start(POLL, &[]).await;
    assert_eq!(
        s.poll(POLL, &id).await.error().as_deref(),
        Some("authorization_pending")
    );
    assert_eq!(
        s.poll(POLL, &id).await.error().as_deref(),
        Some("slow_down")
    );
    // Another client's poll: invalid_grant, and the id stays its owner's.
    let other = Auth::Basic("ciba-push", "ciba-push-secret-9a27");
    assert_eq!(
        s.poll(other, &id).await.error().as_deref(),
        Some("unauthorized_client")
    );
    let ping_client = s.poll(PING, &id).await;
    assert_eq!(ping_client.error().as_deref(), Some("invalid_grant"));
    assert_eq!(
        s.poll(POLL, "no-such-id").await.error().as_deref(),
        Some("invalid_grant")
    );
    // Denial.
    assert_eq!(s.decide(&id, "deny").await.status, StatusCode::OK);
    assert_eq!(
        s.decide(&id, "approve").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.poll(POLL, &id).await.error().as_deref(),
        Some("access_denied")
    );
    // Expiry, pending and approved alike.
    let pending = s.start(POLL, &[]).await;
    let approved = s.start(POLL, &[]).await;
    s.decide(&approved, "approve").await;
    for id in [&pending, &approved] {
        let aged = s
            .hook("age_ciba", json!({"auth_req_id": id, "seconds": "61"}))
            .await;
        assert_eq!(aged.status, StatusCode::NO_CONTENT);
        assert_eq!(
            s.poll(POLL, id).await.error().as_deref(),
            Some("expired_token")
        );
    }
    assert_eq!(
        s.decide(&pending, "approve").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.decide("nope", "approve").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.hook("age_ciba", json!({"auth_req_id": pending, "seconds": "x"}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn single_use_under_concurrent_redemption() {
    let s = Arc::new(ciba_server(Layout::Generic, &[], None));
    let id = s.start(POLL, &[]).await;
    s.decide(&id, "approve").await;
    let polls = (0..16).map(|_| {
        let s = s.clone();
        let id = id.clone();
        tokio::spawn(async move { s.poll(POLL, &id).await.status })
    });
    let mut ok = 0;
    for poll in polls {
        if poll.await.expect("task") == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 1);
}

#[tokio::test]
async fn ping_notifies_then_the_client_fetches_tokens() {
    let receiver = Receiver::start().await;
    let s = ciba_server(Layout::Pingone, &[], Some(&receiver.notify_url()));
    let id = s.start(PING, &[("binding_message", "W4SCT")]).await;
    assert!(
        receiver.next(QUIET).await.is_none(),
        "no ping before the decision"
    );
    // §10.1: a ping client may poll.
    assert_eq!(
        s.poll(PING, &id).await.error().as_deref(),
        Some("authorization_pending")
    );
    let shown = s.decide(&id, "approve").await.json();
    assert_eq!(shown["binding_message"], "W4SCT");
    let ping = receiver.next(WAIT).await.expect("ping");
    assert_eq!(ping.path, "/notify");
    assert_eq!(
        ping.authorization.as_deref(),
        Some(format!("Bearer {NOTIFY_TOKEN}").as_str())
    );
    assert_eq!(ping.content_type.as_deref(), Some("application/json"));
    assert_eq!(ping.body, json!({ "auth_req_id": id }));
    let tokens = s.poll(PING, &id).await;
    assert_eq!(tokens.status, StatusCode::OK, "{:?}", tokens.body);
    // A denial is pinged too.
    let denied = s.start(PING, &[]).await;
    s.decide(&denied, "deny").await;
    let ping = receiver.next(WAIT).await.expect("ping after denial");
    assert_eq!(ping.body, json!({ "auth_req_id": denied }));
    assert_eq!(
        s.poll(PING, &denied).await.error().as_deref(),
        Some("access_denied")
    );
}

#[tokio::test]
async fn push_delivers_tokens_and_errors() {
    let receiver = Receiver::start().await;
    let s = ciba_server(Layout::Aic, &[], Some(&receiver.notify_url()));
    let reply = s
        .bc(
            PUSH,
            &[
                ("scope", "openid read"),
                ("login_hint", "alice"),
                ("client_notification_token", NOTIFY_TOKEN),
            ],
        )
        .await;
    let ack = reply.json();
    assert!(ack.get("interval").is_none(), "{ack}");
    let id = ack["auth_req_id"].as_str().expect("id").to_string();
    s.decide(&id, "approve").await;
    let push = receiver.next(WAIT).await.expect("push");
    assert_eq!(
        push.authorization.as_deref(),
        Some(format!("Bearer {NOTIFY_TOKEN}").as_str())
    );
    let body = push.body;
    assert_eq!(body["auth_req_id"], json!(id));
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().expect("access_token");
    let id_token = claims(body["id_token"].as_str().expect("id_token"));
    assert_eq!(
        id_token["urn:openid:params:jwt:claim:auth_req_id"],
        json!(id)
    );
    assert_eq!(
        id_token["at_hash"],
        json!(crate::grants::ciba::left_half_hash(access))
    );
    assert!(id_token["urn:openid:params:jwt:claim:rt_hash"].is_string());
    // §11: the token endpoint refuses push clients.
    assert_eq!(
        s.poll(PUSH, &id).await.error().as_deref(),
        Some("unauthorized_client")
    );
    // §12: a denial is pushed as an error.
    let denied = s.start(PUSH, &[]).await;
    s.decide(&denied, "deny").await;
    let push = receiver.next(WAIT).await.expect("push error");
    assert_eq!(push.body["error"], "access_denied");
    assert_eq!(push.body["auth_req_id"], json!(denied));
}

#[tokio::test]
async fn notifications_do_not_follow_redirects() {
    let receiver = Receiver::start().await;
    let redirect = format!("{}/redirect", receiver.url);
    let s = ciba_server(Layout::Generic, &[], Some(&redirect));
    let id = s.start(PING, &[]).await;
    s.decide(&id, "approve").await;
    assert_eq!(
        receiver.next(WAIT).await.map(|r| r.path).as_deref(),
        Some("/redirect")
    );
    assert!(receiver.next(QUIET).await.is_none());
}
