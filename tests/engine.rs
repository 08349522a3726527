//! The engine's format additions, proven against mock servers: the cases of
//! `fixtures/engine-suites` pass against a mock that behaves and fail (or end in `error`,
//! for a harness-side action) against one that does not. Polling is timed from the mock's
//! side: it must never be asked sooner than the interval the RFC demands.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use oauth2spec::app::run_target;
use oauth2spec::diagnostic::Source;
use oauth2spec::execute::{CaseOptions, RunOptions};
use oauth2spec::outcome::{CaseRecord, Status};
use oauth2spec::plan::Filter;
use oauth2spec::suite::{self, Catalog};
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn catalog() -> Catalog {
    suite::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/engine-suites"))
        .expect("engine suites load")
}

/// A target whose endpoints are the mock's, written as a user would write the file.
fn target(base: &str) -> oauth2spec::target::Target {
    let keys = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/keys")
        .display()
        .to_string();
    let text = format!(
        r#"
name = "engine"
base_url = "{base}"
layout = "custom"
discovery = false
[endpoints]
token = "/token"
introspection = "/introspection"
device_authorization = "/device_authorization"
backchannel_authentication = "/bc-authorize"
registration = "/registration"
jwks = "/jwks"
par = "/par"
[clients.jwt_key]
client_id = "jwt-key-client"
auth_method = "private_key_jwt"
key_file = "{keys}/rsa.pem"
[clients.jwt_secret]
client_id = "jwt-secret-client"
client_secret = "a-long-shared-secret-for-hs256-32b!"
auth_method = "client_secret_jwt"
[clients.confidential]
client_id = "conf"
client_secret = "conf-secret"
auth_method = "client_secret_basic"
scope = "read"
[hooks.approve]
driver = "http"
url = "{base}/approve?id={{id}}&action={{action}}"
method = "POST"
"#
    );
    let source = Source::new("engine-target.toml", text);
    oauth2spec::target::file::parse(&source, &|_| None)
        .unwrap_or_else(|d| panic!("target parses: {}", oauth2spec::diagnostic::render_all(&d)))
}

async fn run(base: &str, only: &str, max_wait: u64) -> Vec<CaseRecord> {
    let filter = Filter::new(&[only.to_string()], &[]).expect("glob");
    let options = RunOptions {
        case: CaseOptions {
            max_wait: Duration::from_secs(max_wait),
            ..Default::default()
        },
        ..RunOptions::default()
    };
    run_target(&catalog(), target(base), &filter, &options, &|_| {})
        .await
        .expect("run")
        .cases
}

fn one(records: &[CaseRecord], slug: &str) -> CaseRecord {
    records
        .iter()
        .find(|r| r.id.ends_with(slug))
        .cloned()
        .unwrap_or_else(|| panic!("no record for {slug}"))
}

/// Answers in turn from a list (the last repeats), noting when each request came.
struct Sequence {
    answers: Vec<ResponseTemplate>,
    seen: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().expect("lock");
        seen.push(Instant::now());
        let i = (seen.len() - 1).min(self.answers.len() - 1);
        self.answers[i].clone()
    }
}

fn pending(error: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(serde_json::json!({ "error": error }))
}

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

async fn page_server(session_enforced: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/page"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("set-cookie", "sid=s1; Path=/")
                .insert_header("content-type", "text/html")
                .set_body_string(
                    r#"<html><body><form id="other" action="/elsewhere"></form>
                    <form id="consent" method="post" action="submit">
                    <input type="hidden" name="csrf" value="c1"></form></body></html>"#,
                ),
        )
        .mount(&server)
        .await;
    let good = Mock::given(method("POST"))
        .and(path("/submit"))
        .and(body_string_contains("csrf=c1"));
    if session_enforced {
        good.and(header("cookie", "sid=s1"))
            .respond_with(ResponseTemplate::new(200))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/submit"))
            .respond_with(ResponseTemplate::new(403))
            .with_priority(2)
            .mount(&server)
            .await;
    } else {
        good.respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn a_captured_form_is_submitted_and_a_second_agent_has_no_session() {
    let server = page_server(true).await;
    let r = one(
        &run(&server.uri(), "engine/agents/captured-*", 5).await,
        "captured-form-needs-its-session",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    let posts: Vec<_> = r
        .exchanges
        .iter()
        .filter(|x| x.request.method == "POST")
        .collect();
    // The relative action was resolved against the page's URL.
    assert!(
        posts[0].request.url.ends_with("/submit"),
        "{}",
        posts[0].request.url
    );

    let server = page_server(false).await;
    let r = one(
        &run(&server.uri(), "engine/agents/captured-*", 5).await,
        "captured-form-needs-its-session",
    );
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    assert!(r.message.contains("step 3"), "{}", r.message);
}

async fn registration_server(token_ok: bool) -> MockServer {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/registration"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "client_id": "dyn-1", "client_secret": "dyn-secret",
            "token_endpoint_auth_method": "client_secret_basic",
            "registration_client_uri": format!("{base}/register/dyn-1"),
            "registration_access_token": "rat-1"
        })))
        .mount(&server)
        .await;
    // Basic dyn-1:dyn-secret (RFC 6749 §2.3.1).
    Mock::given(path("/token"))
        .and(header("authorization", "Basic ZHluLTE6ZHluLXNlY3JldA=="))
        .respond_with(if token_ok {
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "x", "token_type": "Bearer"}))
        } else {
            ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_client"}))
        })
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/register/dyn-1"))
        .and(header("authorization", "Bearer rat-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_registered_client_is_used_and_deleted_even_when_the_case_fails() {
    for (ok, want) in [(true, Status::Pass), (false, Status::Fail)] {
        let server = registration_server(ok).await;
        let r = one(
            &run(&server.uri(), "engine/agents/registered-*", 5).await,
            "registered-client-is-used-then-deleted",
        );
        assert_eq!(r.status, want, "{}", r.message);
        assert!(r.exchanges.iter().any(|x| x.request.method == "DELETE"));
        // `{{now + 120}}` went out as a JSON number in the future.
        let reqs = server.received_requests().await.unwrap_or_default();
        let reg = reqs
            .iter()
            .find(|q| q.url.path() == "/registration")
            .expect("registration request");
        let body: serde_json::Value = serde_json::from_slice(&reg.body).expect("JSON body");
        let exp = body["software_statement_exp"].as_u64().expect("a number");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        assert!(exp > now + 100 && exp <= now + 121, "exp {exp}, now {now}");
        drop(server); // verifies the DELETE expectation
    }
}

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

use oauth2spec::execute::jwt::{self as jose, JwtAlg, KeyKind, SigningKey};

/// The fixture key the `jwt_key` client signs with.
fn client_key() -> SigningKey {
    SigningKey::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/rsa.pem"))
        .expect("fixture key")
}

fn form_value(req: &Request, name: &str) -> Option<String> {
    url::form_urlencoded::parse(&req.body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn jwks_of(key: &SigningKey) -> serde_json::Value {
    serde_json::json!({ "keys": [jose::public_jwk(key).expect("public JWK")] })
}

/// A token endpoint that verifies client assertions as RFC 7523 §3 asks (signature by
/// the client's key or secret, `iss` = `sub` = client id) and answers with an ID token
/// signed by `signer`.
struct JwtTokenEndpoint {
    client: SigningKey,
    signer: SigningKey,
}

impl Respond for JwtTokenEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let refuse = ResponseTemplate::new(401)
            .set_body_json(serde_json::json!({ "error": "invalid_client" }));
        let Some(assertion) = form_value(req, "client_assertion") else {
            // Basic with the configured secret only.
            let ok = req
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                == Some(&oauth2spec::execute::auth::basic_header("conf", "conf-secret")[..]);
            return if ok {
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"access_token": "x", "token_type": "Bearer"}))
            } else {
                refuse
            };
        };
        if form_value(req, "client_assertion_type").as_deref()
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return refuse;
        }
        let hs = SigningKey::from_secret(b"a-long-shared-secret-for-hs256-32b!").expect("secret");
        let verified = jose::verify_with_key(&assertion, &self.client)
            .or_else(|_| jose::verify_with_key(&assertion, &hs));
        let Ok(claims) = verified else { return refuse };
        let iss = claims
            .get("iss")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        if claims.get("sub").and_then(|v| v.as_str()) != Some(&iss)
            || claims.get("jti").is_none()
            || claims
                .get("aud")
                .and_then(|v| v.as_str())
                .is_none_or(|a| !a.ends_with("/token"))
        {
            return refuse;
        }
        let id_token = jose::sign(
            JwtAlg::Es256,
            &self.signer,
            &serde_json::Map::new(),
            &serde_json::json!({ "iss": "x", "sub": "s", "aud": iss, "exp": 4_000_000_000u64 }),
        )
        .expect("sign");
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "x", "token_type": "Bearer", "id_token": id_token
        }))
    }
}

/// A PAR endpoint that accepts a request object only when the client's key signed it.
struct Par {
    client: SigningKey,
}

impl Respond for Par {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let ok = form_value(req, "request")
            .and_then(|r| jose::verify_with_key(&r, &self.client).ok())
            .and_then(|c| c.get("exp").and_then(|e| e.as_u64()))
            .is_some_and(|exp| exp > oauth2spec::execute::assertion::now());
        if ok {
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({ "request_uri": "urn:x", "expires_in": 60 }))
        } else {
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({ "error": "invalid_request_object" }))
        }
    }
}

async fn jwt_server(published: &SigningKey, signer: SigningKey) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/jwks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks_of(published)))
        .mount(&server)
        .await;
    Mock::given(path("/token"))
        .respond_with(JwtTokenEndpoint {
            client: client_key(),
            signer,
        })
        .mount(&server)
        .await;
    Mock::given(path("/par"))
        .respond_with(Par {
            client: client_key(),
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn assertions_jwt_values_and_signed_by_jwks() {
    let server_key = SigningKey::generate(KeyKind::EcP256)
        .expect("key")
        .with_kid("server-1");
    let server = jwt_server(&server_key, server_key.clone()).await;
    let r = one(
        &run(&server.uri(), "engine/jwt/*", 5).await,
        "assertions-values-and-signatures",
    );
    assert_eq!(r.status, Status::Pass, "{}", r.message);
    // Assertions are credentials: never in the record.
    let text = serde_json::to_string(&r).unwrap_or_default();
    assert!(!text.contains("client_assertion=ey"), "an assertion leaked");
}

#[tokio::test]
async fn signed_by_jwks_fails_on_a_token_signed_by_another_key() {
    let published = SigningKey::generate(KeyKind::EcP256)
        .expect("key")
        .with_kid("server-1");
    // Same kid, another key: only the signature gives it away.
    let other = SigningKey::generate(KeyKind::EcP256)
        .expect("key")
        .with_kid("server-1");
    let server = jwt_server(&published, other).await;
    let r = one(
        &run(&server.uri(), "engine/jwt/*", 5).await,
        "assertions-values-and-signatures",
    );
    assert_eq!(r.status, Status::Fail, "{}", r.message);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert!(
        r.findings[0].check.contains("signature"),
        "{:?}",
        r.findings
    );
}
