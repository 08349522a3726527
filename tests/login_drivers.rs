//! Login drivers end to end against the reference server: the vendor styles of the three
//! layouts (the transcripts must show pi.flow and the AM REST login), a `command` driver
//! with a small script that completes the login by itself, and `manual` refusing to start
//! without a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use oauth2spec::app::run_target;
use oauth2spec::execute::RunOptions;
use oauth2spec::outcome::{RunRecord, Status};
use oauth2spec::plan::Filter;
use oauth2spec::suite::{self, Catalog};
use oauth2spec::target::{LoginDriver, Target};
use reference_server::{Layout, ServerConfig};

/// One code-flow case, written here so that the test does not depend on the shipped
/// suites: log in, consent, exchange the code, check state and the token response.
const CASE: &str = r#"
spec = "RFC 6749"
needs = ["authorization_code"]

[[case]]
slug = "code-flow"
title = "A code flow through the login driver yields tokens"
section = "4.1"
level = "MUST"
requirement = "new"
proof = "state-dropped"
[[case.step]]
endpoint = "authorization"
set = { state = "{{random}}" }
query = { response_type = "code", client_id = "{{client.client_id}}", redirect_uri = "{{client.redirect_uri}}", state = "{{state}}", scope = "read" }
browser = { login = "primary", consent = "allow" }
capture = { code = "callback:code" }
expect = [{ callback = "/state", equals = "{{state}}" }, { callback = "/code", present = true }]
[[case.step]]
endpoint = "token"
form = { grant_type = "authorization_code", code = "{{code}}", redirect_uri = "{{client.redirect_uri}}" }
expect = [{ status = 200 }, { json = "/access_token", type = "string" }]
"#;

/// Written and loaded once: the tests run in parallel threads of one process, and a file
/// rewritten by one while another reads it would be read half-written.
fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = std::env::temp_dir()
            .join(format!("oauth2spec-login-{}", std::process::id()))
            .join("login");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("drivers.toml");
        std::fs::write(&file, CASE).expect("write suite");
        suite::load_files(None, &[file])
            .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)))
    })
}

async fn run(layout: Layout, adjust: impl FnOnce(&mut Target)) -> RunRecord {
    let config = ServerConfig {
        layout,
        ..ServerConfig::default()
    };
    let oauth2spec::app::Reference {
        server,
        target: mut t,
        ..
    } = oauth2spec::app::start_reference(config)
        .await
        .expect("reference server");
    adjust(&mut t);
    let record = run_target(
        catalog(),
        t,
        &Filter::default(),
        &RunOptions::default(),
        &|_| {},
    )
    .await
    .expect("run starts");
    server.shutdown().await;
    record
}

fn only_case(record: &RunRecord) -> &oauth2spec::outcome::CaseRecord {
    let case = record.cases.first().expect("one case");
    assert_eq!(
        case.status,
        Status::Pass,
        "{}: {}\n{:#?}",
        case.id,
        case.message,
        case.exchanges
    );
    case
}

fn urls(case: &oauth2spec::outcome::CaseRecord) -> Vec<String> {
    case.exchanges
        .iter()
        .map(|x| x.request.url.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_form_logs_in_through_the_pages() {
    let record = run(Layout::Generic, |_| {}).await;
    let case = only_case(&record);
    assert!(
        case.exchanges.len() >= 4,
        "authorize, login, consent, token: {:?}",
        urls(case)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pingone_layout_goes_through_pi_flow() {
    let record = run(Layout::Pingone, |_| {}).await;
    let case = only_case(&record);
    let urls = urls(case);
    assert!(
        urls.iter().any(|u| u.contains("response_mode=pi.flow")),
        "{urls:?}"
    );
    assert!(urls.iter().any(|u| u.contains("/flows/")), "{urls:?}");
    assert!(
        urls.iter().any(|u| u.contains("/as/resume?flowId=")),
        "{urls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aic_layout_goes_through_the_rest_login() {
    let record = run(Layout::Aic, |_| {}).await;
    let case = only_case(&record);
    let urls = urls(case);
    assert!(
        urls.iter()
            .any(|u| u.contains("/am/json/realms/root/realms/alpha/authenticate")),
        "{urls:?}"
    );
    let authz = case
        .exchanges
        .iter()
        .find(|x| x.request.url.contains("/authorize"))
        .expect("an authorization request");
    assert_eq!(authz.request.method, "POST");
    let body = authz.request.body.clone().unwrap_or_default();
    assert!(
        body.contains("decision=allow") && body.contains("csrf="),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_driver_runs_a_script_that_completes_the_login() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/login/html-login.py");
    let record = run(Layout::Generic, |t| {
        t.login.driver = LoginDriver::Command;
        t.login.command = vec!["python3".into(), script.display().to_string()];
        t.login.timeout_secs = 30;
    })
    .await;
    let case = only_case(&record);
    assert!(
        case.exchanges
            .iter()
            .any(|x| x.label.contains("login command")),
        "{:?}",
        case.exchanges.iter().map(|x| &x.label).collect::<Vec<_>>()
    );
}

#[test]
fn manual_driver_refuses_without_a_terminal() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("oauth2spec-manual-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("manual.toml");
    std::fs::write(
        &target,
        "name = \"manual\"\nbase_url = \"http://127.0.0.1:9\"\nlayout = \"generic\"\n\n[login]\ndriver = \"manual\"\n",
    )
    .expect("write target");
    let out = Command::new(env!("CARGO_BIN_EXE_oauth2spec"))
        .args([
            "run",
            "--target",
            target.to_str().unwrap_or_default(),
            "--report-dir",
        ])
        .arg(dir.join("reports"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("`manual` login driver needs a terminal"),
        "{err}"
    );
}

/// The external-driver contract end to end with a JSON-API login: the program logs in by a
/// JSON POST, grants consent with a second call and continues the authorization request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_driver_runs_a_json_api_login_program() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/login/json-api-login.py");
    let record = run(Layout::Aic, |t| {
        t.login.driver = LoginDriver::Command;
        t.login.command = vec!["python3".into(), script.display().to_string()];
        t.login.timeout_secs = 30;
    })
    .await;
    let case = only_case(&record);
    assert_eq!(case.status, Status::Pass, "{}", case.message);
    assert!(
        case.exchanges
            .iter()
            .any(|x| x.label.contains("login command")),
        "{:?}",
        case.exchanges.iter().map(|x| &x.label).collect::<Vec<_>>()
    );
}
