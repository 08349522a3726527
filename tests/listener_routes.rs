//! The listener's shared notification path (CIBA Core §4: one notification endpoint per
//! client): notifications reach the case that claimed their `auth_req_id`, early ones are
//! held briefly, and unclaimed, malformed or hostile ones reach nobody.

use std::net::SocketAddr;
use std::time::Duration;

use oauth2spec::execute::listener::routes::{MAX_HELD, MAX_NOTIFY_BODY, NOTIFY_PATH};
use oauth2spec::execute::listener::{Listener, ListenerError, Respond};
use serde_json::json;

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn post(url: &str, body: impl Into<reqwest::Body>) -> u16 {
    reqwest::Client::new()
        .post(url)
        .bearer_auth("cnt-1")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("listener answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn notifications_reach_the_case_that_claimed_their_auth_req_id() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let url = listener.notification_url();
    assert!(url.ends_with(NOTIFY_PATH));
    let a = listener.mailbox("a");
    let b = listener.mailbox("b");
    assert_eq!(a.notification_url(), url);
    a.claim("req-a", None).expect("claim a");
    b.claim("req-b", None).expect("claim b");
    assert!(a.claimed("req-a") && !a.claimed("req-b"));
    assert_eq!(
        post(&url, json!({"auth_req_id": "req-b"}).to_string()).await,
        204
    );
    assert!(
        a.receive_routed("req-a", Duration::from_millis(300))
            .await
            .is_none()
    );
    let got = b
        .receive_routed("req-b", Duration::from_secs(2))
        .await
        .expect("b got its notification");
    assert_eq!(got.bearer_token(), Some("cnt-1"));
    assert_eq!(got.json(), Some(json!({"auth_req_id": "req-b"})));
    // A second case cannot take another's auth_req_id.
    assert!(matches!(
        b.claim("req-a", None),
        Err(ListenerError::RouteTaken(_))
    ));
}

#[tokio::test]
async fn an_early_notification_is_held_for_a_later_claim() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let url = listener.notification_url();
    assert_eq!(
        post(&url, json!({"auth_req_id": "early"}).to_string()).await,
        204
    );
    assert_eq!(listener.held_notifications(), 1);
    let m = listener.mailbox("late");
    m.claim("early", None).expect("claim");
    assert_eq!(listener.held_notifications(), 0);
    assert!(
        m.receive_routed("early", Duration::from_millis(100))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn the_claim_sets_the_answer() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("redirect");
    let respond = Respond {
        status: 307,
        headers: vec![("location".into(), m.url("moved"))],
        body: Vec::new(),
    };
    m.claim("r", Some(respond)).expect("claim");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = client
        .post(listener.notification_url())
        .body(json!({"auth_req_id": "r"}).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 307);
    assert_eq!(
        answer
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some(m.url("moved").as_str())
    );
}

#[tokio::test]
async fn hostile_or_malformed_notifications_reach_nobody() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let url = listener.notification_url();
    let m = listener.mailbox("victim");
    m.claim("x", None).expect("claim");
    for body in [
        "not json".to_string(),
        "[]".to_string(),
        json!({"auth_req_id": 7}).to_string(),
        json!({"auth_req_id": ""}).to_string(),
        json!({"auth_req_id": "a".repeat(2000)}).to_string(),
        "[".repeat(10_000),
    ] {
        assert_eq!(post(&url, body).await, 400);
    }
    let big = format!(
        "{{\"auth_req_id\":\"x\",\"pad\":\"{}\"}}",
        "a".repeat(MAX_NOTIFY_BODY)
    );
    assert_eq!(post(&url, big).await, 413);
    let get = reqwest::get(&url).await.expect("answer");
    assert_eq!(get.status().as_u16(), 405);
    assert!(
        m.receive_routed("x", Duration::from_millis(200))
            .await
            .is_none()
    );
    // Unclaimed notifications are bounded.
    for i in 0..MAX_HELD + 10 {
        post(&url, json!({"auth_req_id": format!("n{i}")}).to_string()).await;
    }
    assert_eq!(listener.held_notifications(), MAX_HELD);
}

#[tokio::test]
async fn closing_a_mailbox_releases_its_claims() {
    let listener = Listener::start(loopback(), None).await.expect("start");
    let m = listener.mailbox("first");
    m.claim("id", None).expect("claim");
    drop(m);
    let n = listener.mailbox("second");
    n.claim("id", None).expect("the id is free again");
}
