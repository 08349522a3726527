//! Login and consent pages as real servers write them, not as the harness would like: a
//! tiny axum server serves one authorization interaction per style, and the `html-form`
//! driver must get through each with nothing configured beyond `[users]`, granting or
//! denying as the case asks. A page it cannot read ends the case in `error`, with the page
//! described, never in `fail`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use oauth2spec::app::run_target;
use oauth2spec::diagnostic::Source;
use oauth2spec::execute::RunOptions;
use oauth2spec::outcome::{CaseRecord, Status};
use oauth2spec::plan::Filter;
use oauth2spec::suite::{self, Catalog};

const SUITE: &str = r#"
spec = "pages"

[[case]]
slug = "allow"
title = "The user logs in and grants consent"
section = "RFC 6749 4.1.2"
level = "MUST"
requirement = "new"
proof = "mock:no-code"
[[case.step]]
endpoint = "authorization"
set = { state = "{{random}}" }
query = { response_type = "code", client_id = "{{client.client_id}}", redirect_uri = "{{client.redirect_uri}}", state = "{{state}}" }
browser = { login = "primary", consent = "allow" }
expect = [{ callback = "/code", present = true }, { callback = "/state", equals = "{{state}}" }]

[[case]]
slug = "deny"
title = "The user logs in and denies consent"
section = "RFC 6749 4.1.2.1"
level = "MUST"
requirement = "new"
proof = "mock:code-after-deny"
[[case.step]]
endpoint = "authorization"
set = { state = "{{random}}" }
query = { response_type = "code", client_id = "{{client.client_id}}", redirect_uri = "{{client.redirect_uri}}", state = "{{state}}" }
browser = { login = "primary", consent = "deny" }
expect = [{ callback = "/error", equals = "access_denied" }, { callback = "/code", absent = true }]
"#;

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir: PathBuf = std::env::temp_dir()
            .join(format!("oauth2spec-pages-{}", std::process::id()))
            .join("pages");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("pages.toml");
        std::fs::write(&file, SUITE).expect("write suite");
        suite::load_files(None, &[file])
            .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)))
    })
}

/// The login page of a style: its username field name and how it is submitted.
fn login_page(style: &str, q: &HashMap<String, String>) -> String {
    let keep = format!(
        r#"<input type="hidden" name="state" value="{}"><input type="hidden" name="redirect_uri" value="{}">"#,
        q.get("state").cloned().unwrap_or_default(),
        q.get("redirect_uri").cloned().unwrap_or_default()
    );
    let (user, submit) = match style {
        // A nameless <button>, and a "Cancel" beside it that must not be pressed.
        "buttons-and-link" => (
            "login",
            r#"<button type="submit" name="op" value="cancel">Cancel</button><button>Sign in</button>"#,
        ),
        "input-submits" => ("email", r#"<input type="submit" value="Log in">"#),
        "lone-form" => ("j_username", ""),
        _ => ("user", r#"<button type="submit">Next</button>"#),
    };
    format!(
        r#"<html><body><h1>Sign in</h1><a href="/help">Help</a>
        <form method="post" action="/{style}/login">{keep}
        <label>User <input type="text" name="{user}"></label>
        <label>Password <input type="password" name="secret"></label>{submit}</form></body></html>"#
    )
}

/// The consent page of a style.
fn consent_page(style: &str, keep: &str) -> String {
    let body = match style {
        // Allow by a nameless button; deny only as a link.
        "buttons-and-link" => format!(
            r#"<form method="post" action="/{style}/decide">{keep}<input type="hidden" name="op" value="1">
            <button>Continue</button></form>
            <p><a href="/{style}/abort?{keep_q}">Back to the application</a></p>"#,
            keep_q = keep_query(keep)
        ),
        "input-submits" => format!(
            r#"<form method="post" action="/{style}/decide">{keep}
            <input type="submit" name="a" value="Approve"><input type="submit" name="r" value="Reject"></form>"#
        ),
        // One form, no button at all: submitting it is the approval.
        "lone-form" => format!(
            r#"<form method="post" action="/{style}/decide">{keep}<input type="hidden" name="ok" value="1"></form>"#
        ),
        // The confirm-first style asks again after the login, as node-oidc-provider does.
        "confirm-first" => format!(
            r#"<form method="post" action="/{style}/decide">{keep}
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button></form>"#
        ),
        "hidden-decision" => format!(
            r#"<form method="post" action="/{style}/decide">{keep}<input type="hidden" name="decision" value="approve"><button>Submit</button></form>
            <form method="post" action="/{style}/decide">{keep}<input type="hidden" name="decision" value="reject"><button>Submit</button></form>"#
        ),
        // Nothing reads like a decision: the driver must say so, not guess.
        _ => format!(
            r#"<form method="post" action="/{style}/decide">{keep}<button name="go" value="1">Proceed</button></form>
            <form method="post" action="/{style}/decide">{keep}<button name="go" value="0">Leave</button></form>"#
        ),
    };
    format!("<html><body><h1>Access request</h1>{body}</body></html>")
}

/// The hidden fields as a query string (the deny link carries them).
fn keep_query(keep: &str) -> String {
    let doc = keep.replace('"', "");
    let mut out = Vec::new();
    for part in doc.split("name=").skip(1) {
        let name = part.split_whitespace().next().unwrap_or("");
        let value = part
            .split("value=")
            .nth(1)
            .and_then(|v| v.split('>').next())
            .unwrap_or("");
        out.push(format!("{name}={}", urlencode(value)));
    }
    out.join("&amp;")
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn back(f: &HashMap<String, String>, params: &str) -> Response {
    let redirect = f.get("redirect_uri").cloned().unwrap_or_default();
    let state = urlencode(f.get("state").map(String::as_str).unwrap_or(""));
    Redirect::to(&format!("{redirect}?{params}&state={state}")).into_response()
}

async fn authorize(
    Path(style): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Html<String> {
    if style == "confirm-first" {
        return Html(confirm_page(&q));
    }
    Html(login_page(&style, &q))
}

/// node-oidc-provider's device confirmation, in its shape: a form with hidden fields only,
/// and its "Continue" and "[ Abort ]" buttons outside it, tied to it by HTML's `form`
/// attribute; the login and consent follow.
fn confirm_page(q: &HashMap<String, String>) -> String {
    format!(
        r#"<html><body><h1>Confirm Device</h1>
        <form id="op.confirm" method="post" action="/confirm-first/confirm">
        <input type="hidden" name="state" value="{}"><input type="hidden" name="redirect_uri" value="{}">
        <input type="hidden" name="confirm" value="yes"></form>
        <button autofocus type="submit" form="op.confirm">Continue</button>
        <div><button type="submit" form="op.confirm" value="yes" name="abort">[ Abort ]</button></div>
        </body></html>"#,
        q.get("state").cloned().unwrap_or_default(),
        q.get("redirect_uri").cloned().unwrap_or_default()
    )
}

async fn confirm(Form(f): Form<HashMap<String, String>>) -> Response {
    if f.contains_key("abort") {
        return back(&f, "error=access_denied");
    }
    Html(login_page("confirm-first", &f)).into_response()
}

async fn login(Path(style): Path<String>, Form(f): Form<HashMap<String, String>>) -> Response {
    let user_field = match style.as_str() {
        "buttons-and-link" => "login",
        "input-submits" => "email",
        "lone-form" => "j_username",
        _ => "user",
    };
    if f.get("op").map(String::as_str) == Some("cancel")
        || f.get(user_field).map(String::as_str) != Some("alice")
        || f.get("secret").map(String::as_str) != Some("alice-pw")
    {
        return (axum::http::StatusCode::UNAUTHORIZED, Html("bad login")).into_response();
    }
    let keep = format!(
        r#"<input type="hidden" name="state" value="{}"><input type="hidden" name="redirect_uri" value="{}">"#,
        f.get("state").cloned().unwrap_or_default(),
        f.get("redirect_uri").cloned().unwrap_or_default()
    );
    Html(consent_page(&style, &keep)).into_response()
}

async fn decide(Form(f): Form<HashMap<String, String>>) -> Response {
    let allow = f.get("op").is_some_and(|v| v == "1")
        || f.contains_key("a")
        || f.contains_key("ok")
        || f.get("decision")
            .is_some_and(|v| v == "approve" || v == "allow")
        || f.get("go").is_some_and(|v| v == "1");
    if allow {
        back(&f, "code=c0de")
    } else {
        back(&f, "error=access_denied")
    }
}

async fn abort(Query(q): Query<HashMap<String, String>>) -> Response {
    back(&q, "error=access_denied")
}

async fn serve() -> SocketAddr {
    let app = Router::new()
        .route("/{style}/authorize", get(authorize))
        .route("/{style}/login", post(login))
        .route("/{style}/decide", post(decide))
        .route("/{style}/abort", get(abort))
        .route("/confirm-first/confirm", post(confirm));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn run(addr: SocketAddr, style: &str) -> Vec<CaseRecord> {
    let text = format!(
        r#"
name = "pages-{style}"
base_url = "http://{addr}"
layout = "custom"
discovery = false
[endpoints]
authorization = "/{style}/authorize"
[clients.confidential]
client_id = "app"
client_secret = "app-secret"
auth_method = "client_secret_basic"
redirect_uri = "http://127.0.0.1:9/cb"
[users.primary]
username = "alice"
password = "alice-pw"
"#
    );
    run_text(text).await
}

/// Every case of the suite against the target file `text`.
async fn run_text(text: String) -> Vec<CaseRecord> {
    let target = oauth2spec::target::file::parse(&Source::new("pages.toml", text), &|_| None)
        .unwrap_or_else(|d| panic!("{}", oauth2spec::diagnostic::render_all(&d)));
    run_target(
        catalog(),
        target,
        &Filter::default(),
        &RunOptions::default(),
        &|_| {},
    )
    .await
    .expect("run")
    .cases
}

fn status(records: &[CaseRecord], slug: &str) -> (Status, String) {
    let r = records
        .iter()
        .find(|r| r.id.ends_with(slug))
        .unwrap_or_else(|| panic!("no {slug}"));
    (r.status, r.message.clone())
}

#[tokio::test]
async fn the_driver_gets_through_pages_in_each_style() {
    let addr = serve().await;
    for style in [
        "buttons-and-link",
        "input-submits",
        "hidden-decision",
        "confirm-first",
    ] {
        let records = run(addr, style).await;
        for slug in ["allow", "deny"] {
            let (st, msg) = status(&records, slug);
            assert_eq!(st, Status::Pass, "{style} {slug}: {msg}");
        }
    }
    // A lone form has no way to refuse: granting works, denying is the driver's limit.
    let records = run(addr, "lone-form").await;
    let (st, msg) = status(&records, "allow");
    assert_eq!(st, Status::Pass, "lone-form allow: {msg}");
    let (st, msg) = status(&records, "deny");
    assert_eq!(st, Status::Error, "lone-form deny: {msg}");
}

#[tokio::test]
async fn a_page_the_driver_cannot_read_is_an_error_that_describes_it() {
    let addr = serve().await;
    let records = run(addr, "unreadable").await;
    for slug in ["allow", "deny"] {
        let (st, msg) = status(&records, slug);
        assert_eq!(st, Status::Error, "{slug}: {msg}");
        assert!(msg.contains("could not go on at http://"), "{msg}");
        assert!(msg.contains("/unreadable/login (200)"), "{msg}");
        assert!(
            msg.contains("\"Proceed\" (go=1)") && msg.contains("\"Leave\" (go=0)"),
            "{msg}"
        );
        assert!(
            !msg.contains("absent"),
            "no finding about the server: {msg}"
        );
    }
}

/// The page-style server's target with the `command` driver running `program`.
async fn run_command(addr: SocketAddr, program: &[&str]) -> Vec<CaseRecord> {
    let text = format!(
        r#"
name = "pages-command"
base_url = "http://{addr}"
layout = "custom"
discovery = false
[endpoints]
authorization = "/hidden-decision/authorize"
[clients.confidential]
client_id = "app"
client_secret = "app-secret"
auth_method = "client_secret_basic"
redirect_uri = "http://127.0.0.1:9/cb"
[users.primary]
username = "alice"
password = "alice-pw"
[login]
driver = "command"
command = [{}]
timeout_secs = 20
"#,
        program
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    run_text(text).await
}

/// A login program that answers as the environment asks, without a browser: the redirect
/// with a code for `allow` by alice, with `access_denied` for `deny`.
const ENV_PROGRAM: &str = r#"
import os, sys, urllib.parse
q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(sys.argv[1]).query))
consent, user = os.environ["OAUTH2SPEC_CONSENT"], os.environ["OAUTH2SPEC_USER"]
if user != "alice" or os.environ.get("OAUTH2SPEC_PASSWORD") != "alice-pw":
    sys.exit("no user")
params = "code=c0de" if consent == "allow" else "error=access_denied"
print("log in... done")
print(q["redirect_uri"] + "?" + params + "&state=" + urllib.parse.quote(q["state"]))
"#;

#[tokio::test]
async fn the_command_driver_gets_the_case_request_and_its_failures_are_errors() {
    let addr = serve().await;
    let records = run_command(addr, &["python3", "-c", ENV_PROGRAM]).await;
    for slug in ["allow", "deny"] {
        let (st, msg) = status(&records, slug);
        assert_eq!(st, Status::Pass, "{slug}: {msg}");
    }
    // A program that gives up is the harness's problem, not a finding.
    let records = run_command(
        addr,
        &["sh", "-c", "echo cannot find the button >&2; exit 7"],
    )
    .await;
    for slug in ["allow", "deny"] {
        let (st, msg) = status(&records, slug);
        assert_eq!(st, Status::Error, "{slug}: {msg}");
        assert!(
            msg.contains("failed (exit status: 7): cannot find the button"),
            "{msg}"
        );
    }
    // A walk that ended on a page: no authorization response, the page named.
    let records = run_command(addr, &["sh", "-c", "echo http://127.0.0.1:9/error-page"]).await;
    let (st, msg) = status(&records, "allow");
    assert_eq!(st, Status::Fail, "{msg}");
    assert!(
        msg.contains("the walk ended at http://127.0.0.1:9/error-page"),
        "{msg}"
    );
}
