//! Hostile and broken targets (wiremock): garbage JSON, huge bodies, stalls, redirect
//! loops, HTML error pages. Each must end in an `error` or `fail` verdict with a clear
//! message, in bounded time, without a panic.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use oauth2spec::app::run_target;
use oauth2spec::execute::RunOptions;
use oauth2spec::outcome::{CaseRecord, Status};
use oauth2spec::plan::Filter;
use oauth2spec::suite::{self, AuthMethod, Capability, Catalog, Endpoint, Role};
use oauth2spec::target::{ClientConfig, HttpSettings, Layout, LayoutParams, Target};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TIMEOUT_MS: u64 = 400;

fn catalog() -> Catalog {
    suite::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("suites")).expect("suites load")
}

/// A target whose every endpoint is the mock server; every capability declared so that
/// nothing is skipped for want of discovery.
fn target(base: &str) -> Target {
    let endpoints = Endpoint::ALL
        .iter()
        .map(|e| (*e, format!("/{e}")))
        .collect();
    let client = |id: &str, method| ClientConfig {
        client_id: id.into(),
        client_secret: Some(format!("{id}-secret-value")),
        auth_method: method,
        scope: Some("read".into()),
        redirect_uri: None,
        key: None,
        grants: None,
        also: Vec::new(),
    };
    Target {
        name: "hostile".into(),
        base_url: base.into(),
        layout: Layout::Custom,
        params: LayoutParams::default(),
        discovery: false,
        issuer: Some(base.into()),
        endpoints,
        clients: BTreeMap::from([
            (
                Role::Confidential,
                client("conf", AuthMethod::ClientSecretBasic),
            ),
            (Role::Second, client("second", AuthMethod::ClientSecretPost)),
            (
                Role::ShortLived,
                client("short", AuthMethod::ClientSecretBasic),
            ),
        ]),
        users: BTreeMap::new(),
        extra_params: BTreeMap::new(),
        capabilities: Capability::ALL.iter().map(|c| (*c, true)).collect(),
        known_failures: BTreeMap::new(),
        http: HttpSettings {
            timeout_ms: TIMEOUT_MS,
            max_body_bytes: 1024 * 1024,
        },
        login: oauth2spec::target::Login::default(),
        listener: Default::default(),
        hooks: BTreeMap::new(),
        propagation_seconds: 1,
        source_path: None,
    }
}

async fn run(server: &MockServer, only: &str) -> Vec<CaseRecord> {
    let catalog = catalog();
    let filter = Filter::new(&[only.to_string()], &[]).expect("glob");
    let options = RunOptions {
        case: oauth2spec::execute::CaseOptions {
            max_wait: Duration::from_secs(5),
            ..Default::default()
        },
        ..RunOptions::default()
    };
    let record = run_target(&catalog, target(&server.uri()), &filter, &options, &|_| {})
        .await
        .expect("discovery is off, so the run starts");
    assert!(!record.cases.is_empty(), "`{only}` selects no case");
    record.cases
}

async fn mock(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn assert_verdict(cases: &[CaseRecord], allowed: &[Status], needle: &str) {
    for c in cases {
        assert!(
            allowed.contains(&c.status),
            "{}: status {} not in {allowed:?}: {}",
            c.id,
            c.status,
            c.message
        );
        assert!(
            c.message.to_lowercase().contains(&needle.to_lowercase()),
            "{}: message {:?} does not mention {needle:?}",
            c.id,
            c.message
        );
    }
}

#[tokio::test]
async fn garbage_json_with_json_content_type_fails() {
    let server =
        mock(ResponseTemplate::new(200).set_body_raw("{\"active\": tru", "application/json")).await;
    let cases = run(&server, "rfc7662/introspect/unknown-token-is-inactive").await;
    assert_verdict(&cases, &[Status::Fail], "not JSON");
}

#[tokio::test]
async fn garbage_in_a_prerequisite_is_an_error() {
    let server = mock(ResponseTemplate::new(200).set_body_raw("<<<>>>", "application/json")).await;
    let cases = run(&server, "rfc7662/introspect/valid-token-is-active").await;
    assert_verdict(&cases, &[Status::Error], "prerequisite failed");
}

#[tokio::test]
async fn ten_mib_body_is_cut_off() {
    let body = vec![b' '; 10 * 1024 * 1024];
    let server = mock(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
    let cases = run(&server, "rfc8414/document/response-is-json-object").await;
    assert_verdict(&cases, &[Status::Error], "cap");
}

#[tokio::test]
async fn stalled_response_times_out() {
    let server = mock(
        ResponseTemplate::new(200)
            .set_body_raw("{}", "application/json")
            .set_delay(Duration::from_secs(10)),
    )
    .await;
    let started = Instant::now();
    let cases = run(&server, "rfc7009/revoke/unknown-token-is-200").await;
    assert_verdict(&cases, &[Status::Error], "timeout");
    // The stall is 10 s; the verdict must come from the 400 ms timeout, not the stall.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn redirect_loop_is_not_followed() {
    let server = MockServer::start().await;
    let location = format!("{}/revocation", server.uri());
    Mock::given(any())
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .mount(&server)
        .await;
    let cases = run(&server, "rfc7009/revoke/unknown-token-is-200").await;
    assert_verdict(&cases, &[Status::Fail], "got 302");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1));
}

#[tokio::test]
async fn html_500_fails() {
    let server = mock(
        ResponseTemplate::new(500)
            .set_body_raw("<html><body>Internal error</body></html>", "text/html"),
    )
    .await;
    let cases = run(&server, "rfc7662/introspect/unknown-token-is-inactive").await;
    assert_verdict(&cases, &[Status::Fail], "500");
}

#[tokio::test]
async fn every_case_against_a_stalling_target_ends_in_bounded_time() {
    let server = mock(
        ResponseTemplate::new(200)
            .set_body_raw("{}", "application/json")
            .set_delay(Duration::from_secs(30)),
    )
    .await;
    let started = Instant::now();
    let cases = run(&server, "*").await;
    for c in &cases {
        assert!(
            matches!(c.status, Status::Error | Status::Fail | Status::Skip),
            "{}: {} {}",
            c.id,
            c.status,
            c.message
        );
    }
    // 8 at a time, each request cut at 400 ms: far below the 30 s stall.
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "took {:?}",
        started.elapsed()
    );
}
