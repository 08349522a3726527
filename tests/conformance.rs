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
use oauth2spec::execute::listener::Listener;
use oauth2spec::outcome::{CaseRecord, SkipReason, Status};
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

/// A reference server, the resolved target describing it, and the callback listener
/// (started first) that its ping and push clients notify.
struct Served {
    _server: RunningServer,
    resolved: Resolved,
    listener: Arc<Listener>,
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
        listener: reference.listener,
    })
}

/// One correct server per layout, shared by all pass trials of that layout.
fn layout_server(layout: Layout) -> Result<&'static Served, Failed> {
    static SERVERS: OnceLock<std::sync::Mutex<BTreeMap<&'static str, &'static Served>>> =
        OnceLock::new();
    let map = SERVERS.get_or_init(Default::default);
    let mut guard = map
        .lock()
        .map_err(|_| Failed::from("server map poisoned"))?;
    if let Some(s) = guard.get(layout.as_str()) {
        return Ok(s);
    }
    let config = ServerConfig {
        layout,
        ..ServerConfig::default()
    };
    let served = runtime().block_on(serve(config)).map_err(Failed::from)?;
    let leaked: &'static Served = Box::leak(Box::new(served));
    guard.insert(layout.as_str(), leaked);
    Ok(leaked)
}

fn run_one(catalog: &Catalog, case: &Case, served: &Served) -> CaseRecord {
    let filter = Filter::new(std::slice::from_ref(&case.id), &[]).expect("case id is a valid glob");
    let options = RunOptions {
        listener: Some(Arc::clone(&served.listener)),
        ..RunOptions::default()
    };
    let record = runtime().block_on(app::run_resolved(
        catalog,
        &served.resolved,
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

/// Capabilities a layout's target lacks by design, with why: a case needing one is skipped
/// there, and that skip counts as the pass trial's success. Any other skip fails the trial.
const LAYOUT_SKIPS: &[(Layout, &str, &str)] = &[
    (
        Layout::Pingone,
        "html_login",
        "PingOne logs in by pi.flow JSON: its target's driver reads no HTML pages",
    ),
    (
        Layout::Pingone,
        "registration",
        "PingOne has no dynamic client registration endpoint (layouts.md)",
    ),
    (
        Layout::Aic,
        "html_login",
        "AIC logs in by AM REST with csrf/decision: its target's driver reads no HTML pages",
    ),
    (
        Layout::Generic,
        "macaroon_tokens",
        "macaroon access tokens and their endpoint are PingOne AIC's (seed 000)",
    ),
    (
        Layout::Pingone,
        "macaroon_tokens",
        "macaroon access tokens and their endpoint are PingOne AIC's (seed 000)",
    ),
];

/// The layout a case's proof runs in: the first of generic, aic and pingone where
/// [`LAYOUT_SKIPS`] expects none of the capabilities the case needs to be missing.
fn proof_layout(case: &Case) -> Layout {
    [Layout::Generic, Layout::Aic, Layout::Pingone]
        .into_iter()
        .find(|l| {
            !LAYOUT_SKIPS
                .iter()
                .any(|(sl, c, _)| sl == l && case.needs.iter().any(|n| n.as_str() == *c))
        })
        .unwrap_or(Layout::Generic)
}

/// Whether `record` is a skip that [`LAYOUT_SKIPS`] expects in `layout`.
fn expected_skip(layout: Layout, record: &CaseRecord) -> bool {
    let Some(SkipReason::NotOffered { capability, .. }) = &record.skip_reason else {
        return false;
    };
    record.status == Status::Skip
        && LAYOUT_SKIPS
            .iter()
            .any(|(l, c, _)| *l == layout && c == capability)
}

/// Faults the reference server has but no case can prove yet, each with what the suite
/// format lacks. The trial above fails for a fault here that a case does prove, so the list
/// shrinks as the format grows; it is the open work, not an exemption from it.
const PENDING: &[(&str, &str)] = &[];

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
                    let served = layout_server(layout)?;
                    let record = run_one(&catalog, case, served);
                    if record.status == Status::Pass || expected_skip(layout, &record) {
                        Ok(())
                    } else {
                        Err(explain(&record).into())
                    }
                },
            ));
        }
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
                layout: proof_layout(case),
                faults: BTreeSet::from([fault]),
                ..ServerConfig::default()
            };
            let served = runtime().block_on(serve(config)).map_err(Failed::from)?;
            let record = run_one(&catalog, case, &served);
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
    // A case that has a hook performed is skipped, not errored, by a target without a
    // driver for it: the reference server started without its test-only hooks.
    for case in catalog.cases.iter().filter(|c| !c.hooks().is_empty()) {
        let catalog = Arc::clone(&catalog);
        let id = case.id.clone();
        trials.push(Trial::test(format!("no-hook-skips::{id}"), move || {
            let case = catalog
                .cases
                .iter()
                .find(|c| c.id == id)
                .ok_or("case vanished")?;
            let config = ServerConfig {
                test_hooks: false,
                ..ServerConfig::default()
            };
            let served = runtime().block_on(serve(config)).map_err(Failed::from)?;
            let record = run_one(&catalog, case, &served);
            runtime().block_on(async move { drop(served) });
            if record.status == Status::Skip && record.message.contains("[hooks.") {
                Ok(())
            } else {
                Err(format!(
                    "expected a skip for the missing hook, got {}",
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
