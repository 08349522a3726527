//! Hook drivers: `http` against a mock automation API (template filled and encoded,
//! headers sent, non-2xx an error), `reference` (the test-only endpoint's contract),
//! `command` with `sh -c` (args in the environment, exit status), `manual` refused
//! without a terminal, and the `[hooks.<name>]` tables' diagnostics.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use oauth2spec::diagnostic::Source;
use oauth2spec::execute::hooks::{HookError, run_hook, run_target_hook};
use oauth2spec::target::file::parse;
use oauth2spec::target::hooks::{HookBody, HookDriver};
use oauth2spec::target::{HookConfig, Target};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "automation-token-123456";

fn target(extra: &str) -> Result<Target, Vec<String>> {
    let text =
        format!("name = \"t\"\nbase_url = \"https://as.example\"\nlayout = \"generic\"\n{extra}");
    let env = |name: &str| (name == "AUTOMATION_TOKEN").then(|| TOKEN.to_string());
    parse(&Source::new(Path::new("t.toml"), text), &env).map_err(|ds| {
        ds.iter()
            .map(|d| {
                format!(
                    "{} [{}]",
                    d.headline(),
                    d.expected.clone().unwrap_or_default()
                )
            })
            .collect()
    })
}

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn http_target(server: &MockServer) -> Target {
    target(&format!(
        "[hooks.ciba_decision]\ndriver = \"http\"\nmethod = \"post\"\n\
         url = \"{}/approve?id={{auth_req_id}}&action={{action}}\"\n\
         headers = {{ Authorization = \"Bearer ${{env:AUTOMATION_TOKEN}}\", Accept = \"application/json\" }}\n\
         body = \"json\"\n",
        server.uri()
    ))
    .expect("valid target")
}

#[tokio::test]
async fn the_http_driver_fills_encodes_and_sends() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/approve"))
        .and(query_param("id", "a b&c/d=é"))
        .and(query_param("action", "approve"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .and(body_json(
            json!({"auth_req_id": "a b&c/d=é", "action": "approve"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let t = http_target(&server);
    let hook = &t.hooks["ciba_decision"];
    let HookDriver::Http(h) = &hook.driver else {
        panic!("http driver expected: {hook:?}")
    };
    assert_eq!(h.method, "POST");
    assert_eq!(h.body, HookBody::Json);
    // The token from the environment is a secret of the target.
    assert!(t.secrets().contains(&TOKEN.to_string()));
    let a = args(&[("auth_req_id", "a b&c/d=é"), ("action", "approve")]);
    let out = run_target_hook(&t, "ciba_decision", &a, Duration::from_secs(5))
        .await
        .expect("hook succeeds");
    assert_eq!(out.driver, "http");
    assert!(out.summary.ends_with("-> 204"), "{}", out.summary);
    let (req, resp) = out.exchange.expect("exchange kept for the record");
    assert_eq!(resp.status, 204);
    // Every reserved character of the arg is percent-encoded: it cannot add parameters.
    assert!(
        req.url.contains("id=a%20b%26c%2Fd%3D%C3%A9&action=approve"),
        "{}",
        req.url
    );
}

#[tokio::test]
async fn a_non_2xx_answer_is_a_harness_error_with_secrets_masked() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403).set_body_string(format!("token {TOKEN} not allowed")),
        )
        .mount(&server)
        .await;
    let t = http_target(&server);
    let a = args(&[("auth_req_id", "r1"), ("action", "deny")]);
    let err = run_target_hook(&t, "ciba_decision", &a, Duration::from_secs(5))
        .await
        .expect_err("403 is an error");
    match &err {
        HookError::Status { status, body, .. } => {
            assert_eq!(*status, 403);
            assert!(
                body.contains("not allowed") && !body.contains(TOKEN),
                "{body}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!err.to_string().contains(TOKEN));
    // A template argument the step does not give.
    let err = run_target_hook(
        &t,
        "ciba_decision",
        &args(&[("action", "x")]),
        Duration::from_secs(5),
    )
    .await
    .expect_err("missing arg");
    assert!(
        matches!(&err, HookError::MissingArg { arg, .. } if arg == "auth_req_id"),
        "{err:?}"
    );
    // A hook the target does not configure.
    let err = run_target_hook(&t, "enter_user_code", &a, Duration::from_secs(5))
        .await
        .expect_err("not configured");
    assert!(matches!(err, HookError::NotConfigured(_)), "{err:?}");
    // Nobody listening.
    let dead =
        target("[hooks.h]\ndriver = \"http\"\nurl = \"http://127.0.0.1:9/x\"\nmethod = \"GET\"\n")
            .expect("valid");
    let err = run_target_hook(&dead, "h", &a, Duration::from_secs(2))
        .await
        .expect_err("refused");
    assert!(matches!(err, HookError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn the_reference_driver_posts_the_args_to_the_test_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/test/hooks/ciba_decision"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"auth_req_id": "r1", "action": "approve"})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/test/hooks/unknown"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": "unknown_hook"})))
        .mount(&server)
        .await;
    let a = args(&[("auth_req_id", "r1"), ("action", "approve")]);
    let base = format!("{}/", server.uri());
    let out = run_hook(
        "ciba_decision",
        &a,
        &HookConfig::reference(),
        &base,
        Duration::from_secs(5),
    )
    .await
    .expect("applied");
    assert_eq!(out.driver, "reference");
    let err = run_hook(
        "unknown",
        &a,
        &HookConfig::reference(),
        &base,
        Duration::from_secs(5),
    )
    .await
    .expect_err("404");
    assert!(
        matches!(&err, HookError::Status { status: 404, body, .. } if body.contains("unknown_hook")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_command_driver_passes_args_in_the_environment() {
    let t = target(
        r#"[hooks.enter_user_code]
driver = "command"
command = ["sh", "-c", "test \"$OAUTH2SPEC_HOOK\" = enter_user_code && test \"$OAUTH2SPEC_ARG_USER_CODE\" = 'WDJB-MJHT' && test \"$OAUTH2SPEC_ARG_VERIFICATION_URI\" = 'https://as.example/device' && echo entered \"$OAUTH2SPEC_ARGS\""]

[hooks.fails]
driver = "command"
command = ["sh", "-c", "echo starting; echo 'no such user code' >&2; exit 3"]

[hooks.slow]
driver = "command"
command = ["sleep", "5"]
"#,
    )
    .expect("valid");
    let a = args(&[
        ("user_code", "WDJB-MJHT"),
        ("verification-uri", "https://as.example/device"),
    ]);
    let out = run_target_hook(&t, "enter_user_code", &a, Duration::from_secs(5))
        .await
        .expect("the script succeeds");
    assert_eq!(out.driver, "command");
    assert!(out.output.starts_with("entered {"), "{}", out.output);
    assert!(
        out.output.contains("\"user_code\":\"WDJB-MJHT\""),
        "{}",
        out.output
    );
    let err = run_target_hook(&t, "fails", &a, Duration::from_secs(5))
        .await
        .expect_err("exit 3");
    match &err {
        HookError::Exit { stderr, status, .. } => {
            assert_eq!(stderr, "no such user code");
            assert!(status.contains('3'), "{status}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let started = Instant::now();
    let err = run_target_hook(&t, "slow", &a, Duration::from_millis(200))
        .await
        .expect_err("timeout");
    assert!(matches!(err, HookError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let missing = target("[hooks.x]\ndriver = \"command\"\ncommand = [\"/nonexistent/hook\"]\n")
        .expect("valid");
    let err = run_target_hook(&missing, "x", &a, Duration::from_secs(2))
        .await
        .expect_err("no program");
    assert!(matches!(err, HookError::Spawn { .. }), "{err:?}");
}

/// Re-runs this test in a child process whose standard input is not a terminal, so the
/// refusal is tested even when `cargo test` runs at one.
#[test]
fn the_manual_driver_is_refused_without_a_terminal() {
    const CHILD: &str = "OAUTH2SPEC_TEST_MANUAL_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let exe = std::env::current_exe().expect("test binary");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "the_manual_driver_is_refused_without_a_terminal",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("1 passed"), "{text}");
        return;
    }
    let t = target("[hooks.approve]\ndriver = \"manual\"\n").expect("valid");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let err = rt
        .block_on(run_target_hook(
            &t,
            "approve",
            &args(&[]),
            Duration::from_secs(1),
        ))
        .expect_err("refused");
    assert!(
        matches!(&err, HookError::ManualRefused(m) if m.contains("needs a terminal")),
        "{err:?}"
    );
}

#[test]
fn bad_hook_tables_are_diagnosed_with_their_line() {
    let errs = target(
        r#"[hooks.a]
driver = "carrier-pigeon"

[hooks.b]
driver = "http"

[hooks.c]
driver = "command"
url = "https://x.example/"

[hooks.d]
driver = "http"
url = "https://x.example/{auth req}"
body = "xml"

[hooks.e]
driver = "http"
url = "/relative/{id}"
headers = { "bad header" = "v" }

[hooks."f g"]
driver = "manual"

[hooks.h]
driver = "reference"
headers = { Authorization = "Bearer ${env:MISSING}" }
"#,
    )
    .expect_err("invalid");
    let expect = [
        ("t.toml:5:", "unknown hook driver `carrier-pigeon`"),
        ("t.toml:8:", "needs `url`"),
        ("t.toml:11:", "needs `command`"),
        ("t.toml:12:", "`url` does not apply"),
        ("t.toml:16:", "invalid hook url"),
        ("t.toml:17:", "unknown hook body `xml`"),
        ("t.toml:21:", "is not an absolute http(s) URL"),
        ("t.toml:22:", "invalid header `bad header`"),
        ("t.toml:24:", "invalid hook name `f g`"),
        ("t.toml:29:", "`headers` does not apply"),
    ];
    for (at, what) in expect {
        assert!(
            errs.iter().any(|e| e.starts_with(at) && e.contains(what)),
            "no `{what}` at {at} in {errs:#?}"
        );
    }
}
