//! RFC polling: the interval, the slow_down back-off, the first non-pending answer, and a
//! poll that runs out of time.

use super::*;

async fn device_server(
    expires_in: u64,
    answers: Vec<ResponseTemplate>,
) -> (MockServer, Arc<Mutex<Vec<Instant>>>) {
    let server = MockServer::start().await;
    Mock::given(path("/device_authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "device_code": "dc", "user_code": "ABCD-EFGH", "verification_uri": "https://x/device",
            "expires_in": expires_in, "interval": 1
        })))
        .mount(&server)
        .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(path("/token"))
        .respond_with(Sequence {
            answers,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    (server, seen)
}

#[tokio::test]
async fn poll_waits_interval_plus_five_after_slow_down_and_stops_at_first_answer() {
    let token = ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({ "access_token": "at", "token_type": "Bearer" }));
    let (server, seen) = device_server(
        30,
        vec![
            pending("authorization_pending"),
            pending("slow_down"),
            token,
            ResponseTemplate::new(500),
        ],
    )
    .await;
    let records = run(&server.uri(), "engine/poll/*", 30).await;
    let r = one(&records, "device-poll-honours-slow-down");
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    let seen = seen.lock().expect("lock").clone();
    // Stops at the first answer that is not pending: the 500 is never asked for.
    assert_eq!(seen.len(), 3, "token requests: {}", seen.len());
    let gap1 = seen[1] - seen[0];
    let gap2 = seen[2] - seen[1];
    // RFC 8628 §3.5: the interval (1 s), then 1 + 5 s after `slow_down`; never faster.
    assert!(gap1 >= Duration::from_secs(1), "first wait {gap1:?}");
    assert!(
        gap2 >= Duration::from_secs(6),
        "wait after slow_down {gap2:?}"
    );
    assert!(
        gap2 < Duration::from_secs(9),
        "wait after slow_down {gap2:?}"
    );
}

#[tokio::test]
async fn poll_that_never_ends_fails_when_its_time_is_up() {
    let (server, seen) = device_server(3, vec![pending("authorization_pending")]).await;
    let records = run(&server.uri(), "engine/poll/*", 30).await;
    let r = one(&records, "device-poll-honours-slow-down");
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    assert!(r.message.contains("authorization_pending"), "{}", r.message);
    let seen = seen.lock().expect("lock").clone();
    assert!(
        seen.len() >= 3 && seen.len() <= 5,
        "{} requests",
        seen.len()
    );
    for w in seen.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_secs(1),
            "polled faster than the interval"
        );
    }
}
