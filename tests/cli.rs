//! The binary's contract: exit codes, `check` diagnostics, `list --format json`,
//! `list --coverage`.

use std::process::Command;

fn oauth2spec(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oauth2spec"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_on_a_broken_file_names_file_line_col_and_exits_2() {
    let (code, _, err) = oauth2spec(&["check", "fixtures/broken-suites/unknown-key.toml"]);
    assert_eq!(code, 2, "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("fixtures/broken-suites/unknown-key.toml:6:1: unknown field `titel`"),
        "{first}"
    );
}

#[test]
fn check_passes_on_the_shipped_suites_and_targets() {
    let (code, _, err) = oauth2spec(&[
        "check",
        "--target",
        "fixtures/targets/reference-generic.toml",
        "--target",
        "fixtures/targets/oidc-provider.toml",
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_missing_environment_variable_is_invalid_input() {
    let (code, _, err) = oauth2spec(&[
        "run",
        "--target",
        "fixtures/broken-targets/missing-env.toml",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("OAUTH2SPEC_TEST_SURELY_UNSET_SECRET"), "{err}");
}

#[test]
fn list_json_has_every_case_with_its_proof() {
    let (code, out, err) = oauth2spec(&["list", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("JSON array");
    assert!(rows.len() >= 26);
    for row in &rows {
        for field in ["id", "spec", "section", "level", "requirement", "proof"] {
            assert!(
                row[field].as_str().is_some_and(|s| !s.is_empty()),
                "{field} missing in {row}"
            );
        }
    }
    for (spec, min) in [("rfc7009/", 10), ("rfc7662/", 10), ("rfc8414/", 6)] {
        let n = rows
            .iter()
            .filter(|r| r["id"].as_str().is_some_and(|id| id.starts_with(spec)))
            .count();
        assert!(n >= min, "{spec}: {n} cases, want at least {min}");
    }
}

#[test]
fn an_unreachable_target_exits_3() {
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    let dir = std::env::temp_dir().join(format!("oauth2spec-unreachable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("unreachable.toml");
    std::fs::write(
        &target,
        "name = \"unreachable\"\nbase_url = \"http://127.0.0.1:9\"\nlayout = \"generic\"\n",
    )
    .expect("write target");
    let report_dir = dir.join("reports");
    let (code, _, err) = oauth2spec(&[
        "run",
        "--target",
        target.to_str().unwrap_or_default(),
        "--report-dir",
        report_dir.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("unreachable"), "{err}");
}

#[test]
fn list_coverage_counts_catalog_rows_per_spec() {
    let (code, out, err) = oauth2spec(&["list", "--coverage", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let specs = doc["specs"].as_array().expect("specs");
    let rfc7009 = specs
        .iter()
        .find(|s| s["spec"] == "RFC 7009")
        .expect("RFC 7009 is in the catalog");
    let covered = rfc7009["covered"].as_array().expect("covered ids");
    assert!(
        covered
            .iter()
            .any(|id| id == "REVOKE-2.2-invalid-token-200")
    );
    let rows: u64 = specs.iter().filter_map(|s| s["rows"].as_u64()).sum();
    assert!(rows >= 400, "every catalog row is counted once: {rows}");
}

#[test]
fn list_explain_shows_steps_checks_levels_and_verdicts() {
    // An engine fixture: it exercises most check kinds, a flow with `as` and arguments,
    // and stays put while the shipped suites evolve.
    let (code, out, err) = oauth2spec(&[
        "list",
        "--suites",
        "fixtures/engine-suites",
        "--explain",
        "engine/checks/token-response-*",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("explain-token-response-predicates", out);

    // A check with its own level is judged at it: an info check never fails.
    let (code, out, err) = oauth2spec(&[
        "list",
        "--explain",
        "rfc6750/bearer/no-token-gets-bearer-challenge",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(catalog: RFC 6750"), "{out}");
    assert!(
        out.contains("[MUST → fail] { header = \"www-authenticate\", contains = \"bearer\" }"),
        "{out}"
    );
    assert!(
        out.contains("[info → note] { status = 401 }  # RFC 6750 §3 example"),
        "{out}"
    );

    // A glob must pick one case.
    let (code, _, err) = oauth2spec(&["list", "--explain", "rfc7009/*"]);
    assert_eq!(code, 2);
    assert!(err.contains("--explain takes one"), "{err}");
}

#[test]
fn a_filter_that_matches_no_case_exits_2_naming_the_pattern() {
    let (code, _, err) = oauth2spec(&["run", "--only", "nothing/*", "--skip", "rfc6749/*"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--only `nothing/*` matches no case"), "{err}");
    // The pattern that does match is not named.
    assert!(!err.contains("rfc6749/*"), "{err}");
    let (code, _, err) = oauth2spec(&["list", "--skip", "rfc6479/*"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_run_where_every_case_is_skipped_exits_4_and_says_why() {
    let dir = std::env::temp_dir().join(format!("oauth2spec-skipped-{}", std::process::id()));
    let report_dir = dir.join("reports");
    // PingOne's login is a pi.flow JSON flow: the HTML consent-form case cannot run there.
    let (code, _, err) = oauth2spec(&[
        "run",
        "--layout",
        "pingone",
        "--only",
        "rfc6749/csrf/consent-not-granted-by-get",
        "--report-dir",
        report_dir.to_str().unwrap_or_default(),
    ]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("UNTESTED"), "{err}");
    assert!(
        err.contains(
            "attention: every case was skipped: nothing was tested; most common reasons: 1 ×"
        ),
        "{err}"
    );
    let summary = std::fs::read_to_string(report_dir.join("reference-pingone/summary.md"))
        .expect("summary.md written");
    assert!(
        summary.contains("> **Attention:** every case was skipped"),
        "{summary}"
    );
    let html = std::fs::read_to_string(report_dir.join("reference-pingone/report.html"))
        .expect("report.html written");
    assert!(html.contains("<strong>Attention:</strong> every case was skipped"));
}

/// `list --explain` with a target shows the client each role is played by, chosen as a run
/// chooses it: here the `also` client registered for the code grant.
#[test]
fn list_explain_names_the_client_chosen_for_the_grant() {
    let dir = std::env::temp_dir().join(format!("oauth2spec-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("per-grant.toml");
    std::fs::write(
        &file,
        r#"name = "per-grant"
base_url = "https://auth.example.com"
layout = "generic"

[clients.confidential]
client_id = "machine"
client_secret = "m"
auth_method = "client_secret_basic"
grants = ["client_credentials"]

[[clients.confidential.also]]
client_id = "web"
client_secret = "w"
auth_method = "client_secret_basic"
redirect_uri = "https://app.example/callback"
grants = ["authorization_code", "refresh_token"]
"#,
    )
    .expect("write target");
    let path = file.display().to_string();
    let (code, out, err) = oauth2spec(&[
        "list",
        "--explain",
        "rfc6749/refresh/refresh-cannot-widen-scope",
        "--target",
        &path,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("client confidential: web (`clients.confidential.also[1]`)"),
        "{out}"
    );
    let (code, out, err) = oauth2spec(&[
        "list",
        "--explain",
        "rfc6749/token-endpoint/no-store-on-token-response",
        "--target",
        &path,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("client confidential: machine (its main client)"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
