//! A run: every planned case against one target, with bounded concurrency, and the
//! known failures of the target file applied to the verdicts.

use std::sync::Arc;
use std::time::Instant;

use futures::stream::{FuturesUnordered, StreamExt};
use tokio::sync::Semaphore;

use super::case::{CaseOptions, run_case};
use super::listener::Listener;
use crate::outcome::{
    CaseRecord, RunRecord, SCHEMA_VERSION, Status, Summary, TargetInfo, ToolInfo,
};
use crate::plan::Decision;
use crate::suite::Case;
use crate::target::Resolved;

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How many cases may have a request in flight at once.
    pub concurrency: usize,
    pub strict: bool,
    pub case: CaseOptions,
    /// A callback listener already running (the default run starts one before the
    /// reference server, whose clients' notification endpoint is its shared path);
    /// without one the run starts its own when a case first needs it.
    pub listener: Option<Arc<Listener>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: 8,
            strict: false,
            case: CaseOptions::default(),
            listener: None,
        }
    }
}

/// Runs the plan; `on_case` sees each record as it is final (for progress output).
pub async fn run(
    target: &Resolved,
    planned: &[(&Case, Decision)],
    options: &RunOptions,
    on_case: &(dyn Fn(&CaseRecord) + Sync),
) -> RunRecord {
    let started_at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let started = Instant::now();
    let limiter = Semaphore::new(options.concurrency.max(1));
    // Started by the first case that needs it; stops when the run ends.
    let listener = super::listener::ListenerHandle::with(
        target.target.listener.clone(),
        options.listener.clone(),
    );
    let mut pending = FuturesUnordered::new();
    let mut records: Vec<Option<CaseRecord>> = vec![None; planned.len()];
    for (index, (case, decision)) in planned.iter().enumerate() {
        let limiter = &limiter;
        let listener = &listener;
        pending.push(async move {
            let record = match decision {
                Decision::Skip(reason) => {
                    let mut r = super::record_for(case, Status::Skip, reason.to_string());
                    r.skip_reason = Some(reason.clone());
                    r
                }
                Decision::Run(choices) => {
                    run_case(case, target, choices, &options.case, limiter, listener).await
                }
            };
            (index, apply_known_failure(record, target))
        });
    }
    while let Some((index, record)) = pending.next().await {
        on_case(&record);
        records[index] = Some(record);
    }
    let cases: Vec<CaseRecord> = records.into_iter().flatten().collect();
    RunRecord {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "oauth2spec".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        target: TargetInfo {
            name: target.target.name.clone(),
            base_url: target.target.base_url.clone(),
            layout: target.target.layout.to_string(),
            issuer: Some(target.issuer.clone()),
            discovery_url: target.discovery.url.clone(),
            discovery_merged: target.discovery.merged.clone(),
            discovery_failed: (target.target.discovery && target.discovery.url.is_none())
                .then(|| target.discovery.notes.join("; ")),
            endpoints: target
                .endpoints
                .iter()
                .map(|(e, u)| (e.to_string(), u.clone()))
                .collect(),
            capabilities: target
                .capabilities
                .iter()
                .map(|(c, (on, src))| {
                    (
                        c.to_string(),
                        format!("{} ({src})", if *on { "yes" } else { "no" }),
                    )
                })
                .collect(),
        },
        started_at,
        duration_ms: started.elapsed().as_millis() as u64,
        strict: options.strict,
        summary: Summary::of(&cases),
        cases,
    }
}

/// Applies the target file's known failure for the case, if it lists one.
fn apply_known_failure(mut record: CaseRecord, target: &Resolved) -> CaseRecord {
    if let Some((reason, _)) = target.target.known_failures.get(&record.id) {
        crate::outcome::verdict::apply_known_failure(&mut record, reason);
    }
    record
}
