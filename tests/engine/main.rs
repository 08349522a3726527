//! The engine's format additions, proven against mock servers: the cases of
//! `fixtures/engine-suites` pass against a mock that behaves and fail (or end in `error`,
//! for a harness-side action) against one that does not. Polling is timed from the mock's
//! side: it must never be asked sooner than the interval the RFC demands.

mod agents;
mod callbacks;
mod checks;
mod jwt;
mod poll;

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

pub fn catalog() -> Catalog {
    suite::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/engine-suites"))
        .expect("engine suites load")
}

/// A target whose endpoints are the mock's, written as a user would write the file.
pub fn target(base: &str) -> oauth2spec::target::Target {
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
[users.primary]
username = "alice"
password = "alice-pw"
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

pub async fn run(base: &str, only: &str, max_wait: u64) -> Vec<CaseRecord> {
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

pub fn one(records: &[CaseRecord], slug: &str) -> CaseRecord {
    records
        .iter()
        .find(|r| r.id.ends_with(slug))
        .cloned()
        .unwrap_or_else(|| panic!("no record for {slug}"))
}

/// Answers in turn from a list (the last repeats), noting when each request came.
pub struct Sequence {
    pub answers: Vec<ResponseTemplate>,
    pub seen: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().expect("lock");
        seen.push(Instant::now());
        let i = (seen.len() - 1).min(self.answers.len() - 1);
        self.answers[i].clone()
    }
}

pub fn pending(error: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(serde_json::json!({ "error": error }))
}
