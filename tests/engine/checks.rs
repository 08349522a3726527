//! Predicates, guards, alternatives and repetition, each shown to hold and to fail.

use super::*;

#[tokio::test]
async fn predicates_guards_and_alternatives_hold_on_a_good_response() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .and(body_string_contains("scope=read+write"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "abc.def", "token_type": "Bearer", "expires_in": 3600,
            "scope": "write read"
        })))
        .mount(&server)
        .await;
    let r = one(
        &run(&server.uri(), "engine/checks/token-*", 5).await,
        "token-response-predicates",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[tokio::test]
async fn each_predicate_fails_on_a_bad_response() {
    let server = MockServer::start().await;
    Mock::given(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "a b!", "token_type": "mac", "expires_in": 0,
            "scope": "read admin", "password": "x"
        })))
        .mount(&server)
        .await;
    let r = one(
        &run(&server.uri(), "engine/checks/token-*", 5).await,
        "token-response-predicates",
    );
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    let checks: Vec<(String, String)> = r
        .findings
        .iter()
        .map(|f| (f.check.clone(), f.expected.clone()))
        .collect();
    let has = |check: &str, expected: &str| {
        checks
            .iter()
            .any(|(c, e)| c.contains(check) && e.contains(expected))
    };
    assert!(has("/expires_in", "greater than 0"), "{checks:?}");
    assert!(has("/access_token", "matching"), "{checks:?}");
    assert!(has("/scope", "words including"), "{checks:?}");
    assert!(has("/scope", "none of the words"), "{checks:?}");
    assert!(has("body", "not containing \"password\""), "{checks:?}");
    assert!(has("body", "matching"), "{checks:?}");
    assert!(has("alternatives", "one of 2"), "{checks:?}");
    // `less_than now` and `body_contains` hold; the `when = status 401` guard does not.
    assert_eq!(checks.len(), 7, "{checks:?}");
}

/// Answers `{"n": k}` to the k-th request; stuck at 1 when told to.
struct Counter {
    n: Mutex<u64>,
    stuck: bool,
}

impl Respond for Counter {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut n = self.n.lock().expect("lock");
        if !self.stuck {
            *n += 1;
        }
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "n": *n }))
    }
}

#[tokio::test]
async fn repeat_judges_any_over_the_attempts() {
    for (stuck, want) in [(false, Status::Pass), (true, Status::Fail)] {
        let server = MockServer::start().await;
        Mock::given(path("/introspection"))
            .respond_with(Counter {
                n: Mutex::new(if stuck { 1 } else { 0 }),
                stuck,
            })
            .expect(3)
            .mount(&server)
            .await;
        let r = one(
            &run(&server.uri(), "engine/checks/repeated-*", 5).await,
            "repeated-attempts",
        );
        assert_eq!(r.status, want, "stuck={stuck}: {}", r.message);
        assert_eq!(r.exchanges.len(), 3);
    }
}

#[tokio::test]
async fn a_premise_that_does_not_hold_skips_and_one_that_holds_runs_on() {
    for (status, want) in [(500, Status::Skip), (200, Status::Fail)] {
        let server = MockServer::start().await;
        Mock::given(path("/token"))
            .respond_with(ResponseTemplate::new(status).set_body_json(serde_json::json!({})))
            .mount(&server)
            .await;
        let r = one(
            &run(&server.uri(), "engine/checks/premise-*", 5).await,
            "premise-that-does-not-hold-skips",
        );
        assert_eq!(r.status, want, "{}", r.message);
        if want == Status::Skip {
            assert!(
                r.message
                    .starts_with("the case's premise does not hold here: step 1 · token: status"),
                "{}",
                r.message
            );
        }
    }
}

/// `premise = true` on one check, testing a rendered value: when the grant already holds the
/// word, the case is skipped with the note, and the step's failing check is not reported;
/// otherwise the case is judged on the response.
#[tokio::test]
async fn a_check_premise_on_a_value_skips_before_findings() {
    for (granted, want) in [("openid profile", Status::Skip), ("profile", Status::Fail)] {
        let server = MockServer::start().await;
        Mock::given(path("/token"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({ "scope": granted })),
            )
            .mount(&server)
            .await;
        let r = one(
            &run(&server.uri(), "engine/checks/check-premise-*", 5).await,
            "check-premise-on-a-value",
        );
        assert_eq!(r.status, want, "{granted}: {}", r.message);
        if want == Status::Skip {
            assert!(
                r.message.contains("the grant holds openid"),
                "{}",
                r.message
            );
            assert!(r.findings.is_empty(), "{:?}", r.findings);
        }
    }
}
