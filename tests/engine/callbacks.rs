//! The callback listener (each case sees only its own notifications) and hook drivers.

use super::*;

/// A fake CIBA server (axum): answers the backchannel request, then notifies the client
/// endpoint it was given, as CIBA Core §10.2 says: a POST with the notification token as
/// a bearer token and `auth_req_id` alone in the body; `bad` adds a member and pings twice.
async fn ciba_server(bad: bool) -> SocketAddr {
    use axum::{Form, Json, Router, routing::post};
    use std::collections::HashMap;
    let app = Router::new().route(
        "/bc-authorize",
        post(move |Form(f): Form<HashMap<String, String>>| async move {
            let endpoint = f
                .get("client_notification_endpoint")
                .cloned()
                .unwrap_or_default();
            let token = f
                .get("client_notification_token")
                .cloned()
                .unwrap_or_default();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let body = if bad {
                    serde_json::json!({ "auth_req_id": "r1", "extra": 1 })
                } else {
                    serde_json::json!({ "auth_req_id": "r1" })
                };
                let client = reqwest::Client::new();
                for _ in 0..(if bad { 2 } else { 1 }) {
                    let _ = client
                        .post(&endpoint)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                }
            });
            Json(serde_json::json!({ "auth_req_id": "r1", "expires_in": 60 }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test]
async fn a_notification_reaches_its_own_case_only() {
    let addr = ciba_server(false).await;
    let records = run(&format!("http://{addr}"), "engine/callbacks/*-case*", 5).await;
    assert_eq!(records.len(), 2);
    for r in &records {
        assert_eq!(r.status, Status::Pass, "{}: {}", r.id, r.message);
    }
    let ping = one(&records, "ping-reaches-its-case");
    let received = ping
        .exchanges
        .iter()
        .find(|x| x.label.contains("received"))
        .expect("the notification is in the record");
    assert_eq!(received.response.as_ref().map(|r| r.status), Some(204));
    // The notification token is a bearer credential: masked in the record.
    assert!(
        !serde_json::to_string(&ping)
            .unwrap_or_default()
            .contains("notify-123"),
        "the notification token leaked into the record"
    );
}

#[tokio::test]
async fn extra_members_and_a_second_notification_fail() {
    let addr = ciba_server(true).await;
    let records = run(&format!("http://{addr}"), "engine/callbacks/*-case*", 5).await;
    let ping = one(&records, "ping-reaches-its-case");
    assert_eq!(ping.status, Status::Fail, "{}", ping.message);
    assert!(
        ping.findings
            .iter()
            .any(|f| f.expected.contains("no members besides"))
    );
    assert!(
        ping.findings
            .iter()
            .any(|f| f.expected.starts_with("none within"))
    );
    let quiet = one(&records, "quiet-case-sees-nothing");
    assert_eq!(quiet.status, Status::Pass, "{}", quiet.message);
}

#[tokio::test]
async fn a_hook_is_performed_by_its_driver_and_a_refused_one_is_an_error() {
    for (status, want) in [(204, Status::Pass), (500, Status::Error)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/approve"))
            .and(query_param("id", "req-42"))
            .and(query_param("action", "allow"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let r = one(
            &run(&server.uri(), "engine/callbacks/hook-*", 5).await,
            "hook-is-performed",
        );
        assert_eq!(r.status, want, "{}", r.message);
    }
}
