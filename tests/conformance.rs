//! Self-validation: the suites against the bundled reference server.
//!
//! One trial per (layout, case) expecting `pass` against the correct server, and one
//! trial per case against a server with the case's `proof` fault switched on, expecting
//! `fail` (or `warn` for SHOULD-level cases). A case whose proof does not make it fail
//! is unproven, and so is a fault no case names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use libtest_mimic::{Arguments, Failed, Trial};
use oauth2spec::app;
use oauth2spec::execute::RunOptions;
use oauth2spec::outcome::{CaseRecord, Status};
use oauth2spec::plan::Filter;
use oauth2spec::suite::{self, Case, Catalog, Severity};
use oauth2spec::target::{self, Resolved};
use reference_server::{Fault, Layout, RunningServer, ServerConfig};
use tokio::runtime::Runtime;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// A reference server and the resolved target describing it.
struct Served {
    _server: RunningServer,
    resolved: Resolved,
}

async fn serve(config: ServerConfig) -> Result<Served, String> {
    let reference = app::start_reference(config)
        .await
        .map_err(|e| e.to_string())?;
    let resolved = app::resolve(reference.target)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Served {
        _server: reference.server,
        resolved,
    })
}

/// One correct server per layout, shared by all pass trials of that layout.
fn layout_server(layout: Layout) -> Result<&'static Resolved, Failed> {
    static SERVERS: OnceLock<std::sync::Mutex<BTreeMap<&'static str, &'static Served>>> =
        OnceLock::new();
    let map = SERVERS.get_or_init(Default::default);
    let mut guard = map
        .lock()
        .map_err(|_| Failed::from("server map poisoned"))?;
    if let Some(s) = guard.get(layout.as_str()) {
        return Ok(&s.resolved);
    }
    let config = ServerConfig {
        layout,
        ..ServerConfig::default()
    };
    let served = runtime().block_on(serve(config)).map_err(Failed::from)?;
    let leaked: &'static Served = Box::leak(Box::new(served));
    guard.insert(layout.as_str(), leaked);
    Ok(&leaked.resolved)
}

fn run_one(catalog: &Catalog, case: &Case, resolved: &Resolved) -> CaseRecord {
    let filter = Filter::new(std::slice::from_ref(&case.id), &[]).expect("case id is a valid glob");
    let options = RunOptions::default();
    let record = runtime().block_on(app::run_resolved(
        catalog,
        resolved,
        &filter,
        &options,
        &|_| {},
    ));
    record
        .cases
        .into_iter()
        .find(|c| c.id == case.id)
        .expect("the planned case has a record")
}

fn explain(record: &CaseRecord) -> String {
    let mut s = format!("{}: {} — {}", record.id, record.status, record.message);
    for x in &record.exchanges {
        s.push_str(&format!(
            "\n  {} {} {} -> {}",
            x.label,
            x.request.method,
            x.request.url,
            x.response
                .as_ref()
                .map(|r| format!("{} {}", r.status, r.body.clone().unwrap_or_default()))
                .or_else(|| x.error.clone())
                .unwrap_or_default()
        ));
    }
    s
}

/// Faults the reference server has but no case can prove yet, each with what the suite
/// format lacks. The trial above fails for a fault here that a case does prove, so the list
/// shrinks as the format grows; it is the open work, not an exemption from it.
const PENDING: &[(&str, &str)] = &[
    (
        "form-post-no-auto-submit",
        "no check reads the HTML of a page (and FP §2 allows any submission technique)",
    ),
    (
        "consent-csrf-not-checked",
        "no step can request a URL or submit a form captured earlier",
    ),
    (
        "consent-not-bound-to-session",
        "no second cookie jar (second user) within one case",
    ),
    (
        "consent-get-accepted",
        "no step can request a URL captured earlier",
    ),
    (
        "login-open-redirect",
        "no step can request a URL captured earlier",
    ),
    (
        "code-long-lifetime",
        "a faithful case waits past the RFC's 10 minutes, beyond --max-wait",
    ),
    (
        "code-sequential",
        "no check compares values captured across many requests",
    ),
    (
        "userinfo-query-token-not-private",
        "the reference server does not accept query tokens (RFC 6750 §2.3 is optional), so nothing is cached",
    ),
];

/// What the case's proof must turn it into.
fn expected_under_fault(case: &Case) -> Status {
    match case.level.severity() {
        Severity::Fail => Status::Fail,
        Severity::Warn => Status::Warn,
        // A MAY-level case cannot fail; it needs a stronger level to be proven.
        Severity::Note => Status::Fail,
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("suites");
    let catalog = match suite::load_dir(&root) {
        Ok(c) => Arc::new(c),
        Err(diags) => {
            eprintln!("{}", oauth2spec::diagnostic::render_all(&diags));
            std::process::exit(2);
        }
    };
    let mut trials = Vec::new();
    for layout in target::reference::DEFAULT_LAYOUTS {
        for case in &catalog.cases {
            let catalog = Arc::clone(&catalog);
            let id = case.id.clone();
            trials.push(Trial::test(
                format!("pass::{}::{}", layout.as_str(), id),
                move || {
                    let case = catalog
                        .cases
                        .iter()
                        .find(|c| c.id == id)
                        .ok_or("case vanished")?;
                    let resolved = layout_server(layout)?;
                    let record = run_one(&catalog, case, resolved);
                    if record.status == Status::Pass {
                        Ok(())
                    } else {
                        Err(explain(&record).into())
                    }
                },
            ));
        }
        trials.push(Trial::test(
            format!(
                "layout::{}::discovered-endpoints-match-layout-table",
                layout.as_str()
            ),
            move || {
                let resolved = layout_server(layout)?;
                let meta = resolved
                    .discovery
                    .metadata
                    .as_ref()
                    .ok_or("no metadata discovered")?;
                let mut wrong = Vec::new();
                for &e in suite::Endpoint::ALL {
                    let (Some(member), Some(path)) = (
                        e.metadata_member(),
                        target::layout::default_path(
                            resolved.target.layout,
                            e,
                            &resolved.target.params,
                        ),
                    ) else {
                        continue;
                    };
                    if let Some(advertised) = meta.get(member).and_then(|v| v.as_str()) {
                        let expected = format!("{}{}", resolved.target.base_url, path);
                        if advertised != expected {
                            wrong.push(format!(
                                "{e}: metadata {advertised}, layout table {expected}"
                            ));
                        }
                    }
                }
                if wrong.is_empty() {
                    Ok(())
                } else {
                    Err(wrong.join("\n").into())
                }
            },
        ));
    }
    for case in &catalog.cases {
        let catalog = Arc::clone(&catalog);
        let id = case.id.clone();
        trials.push(Trial::test(format!("proof::{id}"), move || {
            let case = catalog
                .cases
                .iter()
                .find(|c| c.id == id)
                .ok_or("case vanished")?;
            let fault: Fault = case
                .proof
                .parse()
                .map_err(|e| format!("{}: proof: {e}", case.id))?;
            let config = ServerConfig {
                layout: Layout::Generic,
                faults: BTreeSet::from([fault]),
                ..ServerConfig::default()
            };
            let served = runtime().block_on(serve(config)).map_err(Failed::from)?;
            let record = run_one(&catalog, case, &served.resolved);
            let want = expected_under_fault(case);
            runtime().block_on(async move { drop(served) });
            if record.status == want {
                Ok(())
            } else {
                Err(format!(
                    "with fault `{fault}` expected {want}, got {}",
                    explain(&record)
                )
                .into())
            }
        }));
    }
    let used: BTreeSet<String> = catalog.cases.iter().map(|c| c.proof.clone()).collect();
    for fault in Fault::ALL {
        let name = fault.name().to_string();
        let used = used.contains(&name);
        let pending = PENDING.iter().any(|(n, _)| *n == name);
        trials.push(Trial::test(
            format!("fault-is-proof-of-a-case::{name}"),
            move || {
                match (used, pending) {
                (true, false) | (false, true) => Ok(()),
                (false, false) => Err(format!("fault `{name}` is the proof of no case").into()),
                // Like a stale known failure: the list must not outlive its reason.
                (true, true) => Err(format!(
                    "fault `{name}` is proven now: remove it from PENDING in tests/conformance.rs"
                )
                .into()),
            }
            },
        ));
    }
    libtest_mimic::run(&args, trials).exit();
}
