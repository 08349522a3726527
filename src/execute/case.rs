//! HOW one case runs: its steps in order, with its own client, cookies, variables and
//! redactor, ending in one verdict.

use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::agent::UserAgents;
use super::context::Context;
use super::http::{Request, Response};
use super::listener::{ListenerHandle, Mailbox};
use super::redact::Redactor;
use crate::outcome::{CaseRecord, Exchange, Finding, SkipReason, Status, verdict};
use crate::plan::Choices;
use crate::suite::{Case, Role, Severity};
use crate::target::Resolved;

/// Run-wide settings a case needs.
#[derive(Debug, Clone)]
pub struct CaseOptions {
    /// The longest wait (expiry, polling) a case may take; longer ones skip.
    pub max_wait: Duration,
    /// How much of each response body the record keeps.
    pub body_excerpt: usize,
}

impl Default for CaseOptions {
    fn default() -> Self {
        CaseOptions {
            max_wait: Duration::from_secs(30),
            body_excerpt: 16 * 1024,
        }
    }
}

/// Why a case stopped before its last step.
pub(super) enum Abort {
    /// No verdict could be reached.
    Error(String),
    /// The case cannot run here (a wait beyond --max-wait).
    Skip(SkipReason),
    /// A checked step broke in a way later steps cannot go on from.
    Fail(String),
}

/// One case in progress: its client, variables, redactor and evidence.
pub(super) struct Runner<'a> {
    pub(super) case: &'a Case,
    pub(super) target: &'a Resolved,
    pub(super) options: &'a CaseOptions,
    pub(super) limiter: &'a Semaphore,
    pub(super) permit: Option<SemaphorePermit<'a>>,
    /// The case's browsers: cookie jars and the hops of the walk in progress.
    pub(super) ua: UserAgents,
    pub(super) cx: Context<'a>,
    redactor: Redactor,
    exchanges: Vec<Exchange>,
    pub(super) findings: Vec<Finding>,
    /// The target's JWKS, fetched by the first `signed_by` check of the case.
    pub(super) jwks: Option<serde_json::Value>,
}

/// Runs a case that the plan decided to run and returns its record (before known
/// failures are applied).
pub async fn run_case(
    case: &Case,
    target: &Resolved,
    choices: &Choices,
    options: &CaseOptions,
    limiter: &Semaphore,
    listener: &ListenerHandle,
) -> CaseRecord {
    let permit = limiter.acquire().await.ok();
    // Timed from the moment the case may run: the queue is not the target's latency.
    let started = Instant::now();
    let mut record = super::record_for(case, Status::Pass, String::new());
    let ua = match UserAgents::new(target.target.http) {
        Ok(ua) => ua,
        Err(e) => {
            record.status = Status::Error;
            record.message = format!("cannot build the HTTP client: {e}");
            return record;
        }
    };
    let mut cx = Context::new(target);
    cx.choices = choices.clone();
    if case.uses_listener() {
        match open_mailbox(case, listener).await {
            Ok(m) => cx.mailbox = Some(m),
            Err(e) => {
                record.status = Status::Error;
                record.message = e;
                return record;
            }
        }
        if let Err(e) = super::inbound::set_answers(case, &cx) {
            record.status = Status::Error;
            record.message = e;
            return record;
        }
    }
    let mut runner = Runner {
        case,
        target,
        options,
        limiter,
        permit,
        ua,
        cx,
        redactor: Redactor::new(target.target.secrets()),
        exchanges: Vec::new(),
        findings: Vec::new(),
        jwks: None,
    };
    let outcome = runner.steps().await;
    let cleanup_notes = runner.cleanup().await;
    let (status, message) = match outcome {
        Err(Abort::Error(m)) => (Status::Error, m),
        Err(Abort::Skip(reason)) => {
            let m = reason.to_string();
            record.skip_reason = Some(reason);
            (Status::Skip, m)
        }
        Err(Abort::Fail(m)) => {
            let mut msgs: Vec<String> = runner
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Fail)
                .map(Finding::message)
                .collect();
            msgs.push(m);
            (Status::Fail, msgs.join("; "))
        }
        Ok(()) => verdict::judge(&runner.findings),
    };
    // Messages quote what the server sent (a callback URL, a member's value): they are
    // evidence like the exchanges and are redacted the same way.
    record.status = status;
    record.message = runner.redactor.text(&message);
    record.notes = runner
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Note)
        .map(|f| runner.redactor.text(&f.message()))
        .collect();
    record
        .notes
        .extend(cleanup_notes.iter().map(|n| runner.redactor.text(n)));
    record.findings = runner
        .findings
        .iter()
        .map(|f| Finding {
            expected: runner.redactor.text(&f.expected),
            actual: runner.redactor.text(&f.actual),
            ..f.clone()
        })
        .collect();
    record.exchanges = runner.exchanges;
    record.duration_ms = started.elapsed().as_millis() as u64;
    record
}

/// The case's mailbox at the run's listener (started now if it is the first).
async fn open_mailbox(case: &Case, listener: &ListenerHandle) -> Result<Mailbox, String> {
    let l = listener
        .get_or_start()
        .await
        .map_err(|e| format!("cannot start the callback listener: {e}"))?;
    Ok(l.mailbox(&case.id))
}

impl Abort {
    pub(super) fn message(&self) -> String {
        match self {
            Abort::Error(m) | Abort::Fail(m) => m.clone(),
            Abort::Skip(r) => r.to_string(),
        }
    }
}

impl<'a> Runner<'a> {
    /// Sends a request and records the exchange, redacted. `Err`: no response.
    pub(super) async fn send_recorded(
        &mut self,
        req: &Request,
        label: &str,
    ) -> Result<Response, String> {
        self.redactor.learn_request(req);
        match self.ua.send(req).await {
            Ok((resp, elapsed)) => {
                // Learn the response's tokens first, so that the request that carried
                // an earlier one and the response itself are both masked.
                self.redactor.learn_from(&resp);
                self.record(req, Ok(&resp), label, elapsed);
                Ok(resp)
            }
            Err(e) => {
                // The message quotes the URL, which may carry a code or a token.
                let msg = self.redactor.error(&e.to_string(), &req.url);
                self.record(req, Err(&msg), label, Duration::ZERO);
                Err(msg)
            }
        }
    }

    /// Adds an exchange to the evidence, redacted.
    pub(super) fn record(
        &mut self,
        req: &Request,
        resp: Result<&Response, &str>,
        label: &str,
        elapsed: Duration,
    ) {
        let (response, error) = match resp {
            Ok(r) => (
                Some(self.redactor.response(r, self.options.body_excerpt)),
                None,
            ),
            Err(e) => (None, Some(self.redactor.error(e, &req.url))),
        };
        self.exchanges.push(Exchange {
            label: label.to_string(),
            request: self.redactor.request(req),
            response,
            error,
            duration_ms: elapsed.as_millis() as u64,
        });
    }

    /// Learns the credentials of a response that did not come through `send_recorded`.
    pub(super) fn learn(&mut self, resp: &Response) {
        self.redactor.learn_from(resp);
    }

    /// A rendered number of seconds (fractions allowed).
    pub(super) fn seconds(
        &self,
        t: &crate::suite::template::Template,
        role: Role,
    ) -> Result<f64, String> {
        let text = self.cx.render_required(t, role)?;
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
            .ok_or_else(|| format!("`{text}` is not a number of seconds"))
    }

    /// Sleeps without holding a concurrency slot, so that waits overlap with other
    /// cases' work instead of adding up.
    pub(super) async fn pause(&mut self, d: Duration) {
        self.permit = None;
        tokio::time::sleep(d).await;
        self.permit = self.limiter.acquire().await.ok();
    }
}
