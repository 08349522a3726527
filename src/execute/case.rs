//! HOW one case runs: its steps in order, with its own client, cookies, variables and
//! redactor, ending in one verdict.

use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::auth;
use super::check::{self, Body, CheckError, Observed};
use super::context::Context;
use super::http::{Http, Request, Response};
use super::redact::Redactor;
use crate::outcome::{CaseRecord, Exchange, Finding, SkipReason, Status, verdict};
use crate::suite::{AuthMode, CaptureSource, Case, Catalog, RequestStep, Role, Severity, Step};
use crate::target::Resolved;

/// How often a polling step repeats its request.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

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
enum Abort {
    /// No verdict could be reached.
    Error(String),
    /// The case cannot run here (a wait beyond --max-wait).
    Skip(SkipReason),
    /// A checked step broke in a way later steps cannot go on from.
    Fail(String),
}

/// One case in progress: its client, variables, redactor and evidence.
pub(super) struct Runner<'a> {
    case: &'a Case,
    pub(super) target: &'a Resolved,
    options: &'a CaseOptions,
    limiter: &'a Semaphore,
    permit: Option<SemaphorePermit<'a>>,
    pub(super) http: Http,
    cx: Context<'a>,
    redactor: Redactor,
    exchanges: Vec<Exchange>,
    findings: Vec<Finding>,
    /// Method, URL and status of each hop of the current browser walk.
    pub(super) walk_hops: Vec<(String, String, u16)>,
}

/// Runs a case that the plan decided to run and returns its record (before known
/// failures are applied).
pub async fn run_case(
    case: &Case,
    catalog: &Catalog,
    target: &Resolved,
    options: &CaseOptions,
    limiter: &Semaphore,
) -> CaseRecord {
    let permit = limiter.acquire().await.ok();
    // Timed from the moment the case may run: the queue is not the target's latency.
    let started = Instant::now();
    let mut record = super::record_for(case, Status::Pass, String::new());
    let http = match Http::new(target.target.http) {
        Ok(h) => h,
        Err(e) => {
            record.status = Status::Error;
            record.message = format!("cannot build the HTTP client: {e}");
            return record;
        }
    };
    let mut runner = Runner {
        case,
        target,
        options,
        limiter,
        permit,
        http,
        cx: Context::new(target),
        redactor: Redactor::new(target.target.secrets()),
        exchanges: Vec::new(),
        findings: Vec::new(),
        walk_hops: Vec::new(),
    };
    let outcome = runner.steps(catalog).await;
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

/// The claims of a JWS compact serialization (RFC 7515 §7.1), unverified: a capture reads
/// what the server asserted; checking the signature is a case's business.
fn jwt_claims(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl<'a> Runner<'a> {
    async fn steps(&mut self, catalog: &Catalog) -> Result<(), Abort> {
        let case = self.case;
        for (i, step) in case.steps.iter().enumerate() {
            match step {
                Step::Flow(use_) => {
                    let Some(flow) = catalog.flow(&use_.flow) else {
                        return Err(Abort::Error(format!("unknown flow `{}`", use_.flow)));
                    };
                    let client = use_.client.unwrap_or(Role::Confidential);
                    self.cx.scope = use_.alias.clone();
                    for s in &flow.steps {
                        let label = format!("step {} · flow {} · {}", i + 1, flow.name, s.endpoint);
                        let done = self
                            .request(s, s.client.unwrap_or(client), use_.alias.as_deref(), &label)
                            .await;
                        if done.is_err() {
                            self.cx.scope = None;
                        }
                        done?;
                    }
                    self.cx.scope = None;
                }
                Step::Request(s) => {
                    let label = format!("step {} · {}", i + 1, s.endpoint);
                    self.request(s, s.client.unwrap_or(Role::Confidential), None, &label)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Renders, sends, records and judges one request step.
    async fn request(
        &mut self,
        step: &RequestStep,
        role: Role,
        alias: Option<&str>,
        label: &str,
    ) -> Result<(), Abort> {
        let err = |m: String| Abort::Error(format!("{label}: {m}"));
        if let Some(wait) = &step.wait {
            let secs = self.seconds(wait, role).map_err(err)?;
            let total = Duration::from_secs(secs + step.wait_extra);
            if total > self.options.max_wait {
                return Err(Abort::Skip(SkipReason::WaitTooLong {
                    needed_secs: total.as_secs(),
                    max_secs: self.options.max_wait.as_secs(),
                }));
            }
            self.pause(total).await;
        }
        for (name, t) in &step.set {
            let value = self.cx.render_required(t, role).map_err(err)?;
            self.cx.vars.insert(name.clone(), value);
        }
        let deadline = match &step.poll {
            Some(p) => {
                let secs = self.seconds(p, role).map_err(err)?;
                Some(Instant::now() + Duration::from_secs(secs).min(self.options.max_wait))
            }
            None => None,
        };
        let mut attempt = 1;
        let (resp, body, callback, failures) = loop {
            let label = if attempt > 1 {
                format!("{label} (attempt {attempt})")
            } else {
                label.to_string()
            };
            let (resp, callback, ended_at) = if step.browser.is_some() {
                let walk = self
                    .authorize(step, role, &label)
                    .await
                    .map_err(|m| Abort::Error(format!("{label}: {m}")))?;
                (walk.response, walk.callback, walk.ended_at)
            } else {
                let resp = self
                    .exchange(step, role, &label)
                    .await
                    .map_err(|m| Abort::Error(format!("{label}: {m}")))?;
                (resp, None, String::new())
            };
            let body = Body::of(&resp);
            let seen = Observed {
                response: &resp,
                body: &body,
                callback: callback.as_ref(),
                ended_at: &ended_at,
                hops: if step.browser.is_some() {
                    &self.walk_hops
                } else {
                    &[]
                },
            };
            let mut failures: Vec<(usize, check::Broken)> = Vec::new();
            for (i, c) in step.checks.iter().enumerate() {
                if let Some(guard) = &c.when {
                    let holds = check::guard_holds(guard, &seen, &self.cx, role).map_err(|m| {
                        Abort::Error(format!("{label}: cannot evaluate a guard: {m}"))
                    })?;
                    if !holds {
                        continue;
                    }
                }
                match check::evaluate(&c.kind, &seen, &self.cx, role) {
                    Ok(()) => {}
                    Err(CheckError::Broken(b)) => failures.push((i, b)),
                    Err(CheckError::Harness(m)) => {
                        return Err(Abort::Error(format!(
                            "{label}: cannot evaluate a check: {m}"
                        )));
                    }
                }
            }
            let again = deadline.is_some_and(|d| Instant::now() + POLL_INTERVAL < d);
            if failures.is_empty() || !again {
                break (resp, body, callback, failures);
            }
            attempt += 1;
            self.pause(POLL_INTERVAL).await;
        };
        for (i, broken) in failures {
            let c = &step.checks[i];
            let level = c.level.unwrap_or(self.case.level);
            let finding = Finding {
                level: level.to_string(),
                severity: level.severity(),
                step: label.to_string(),
                check: broken.check,
                expected: broken.expected,
                actual: broken.actual,
                note: c.note.clone(),
                own_level: c.level.is_some(),
            };
            if step.setup {
                return Err(Abort::Error(format!(
                    "prerequisite failed: {}",
                    finding.message()
                )));
            }
            self.findings.push(finding);
        }
        for (name, source) in &step.captures {
            let value = match source {
                CaptureSource::Status => Some(resp.status.to_string()),
                CaptureSource::Jwt { token, claim } => body.json().ok().and_then(|v| {
                    let jwt = check::select(v, token).into_iter().next()?.1?.as_str()?;
                    let claims = jwt_claims(jwt)?;
                    let leaf = check::select(&claims, claim).into_iter().next()?.1?.clone();
                    Some(match leaf {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    })
                }),
                CaptureSource::Callback(name) => callback
                    .as_ref()
                    .and_then(|c| c.param(name))
                    .map(str::to_string),
                CaptureSource::Header(h) => resp.header(h).map(str::to_string),
                CaptureSource::Json(p) => body.json().ok().and_then(|v| {
                    let leaf = check::select(v, p).into_iter().next()?.1?;
                    Some(match leaf {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                }),
            };
            let Some(value) = value else {
                let what = match source {
                    CaptureSource::Status => "status".to_string(),
                    CaptureSource::Callback(n) => format!("authorization response parameter `{n}`"),
                    CaptureSource::Jwt { token, claim } => {
                        format!("claim `{claim}` of the JWT at `{token}`")
                    }
                    CaptureSource::Header(h) => format!("header `{h}`"),
                    CaptureSource::Json(p) => format!("JSON `{p}`"),
                };
                let msg = format!("{label}: cannot capture `{name}`: {what} is missing");
                return Err(if step.setup {
                    Abort::Error(format!("prerequisite failed: {msg}"))
                } else {
                    Abort::Fail(msg)
                });
            };
            let key = match alias {
                Some(a) => format!("{a}.{name}"),
                None => name.clone(),
            };
            self.cx.vars.insert(key, value);
        }
        Ok(())
    }

    /// Sends one attempt of a step and records it (redacted). `Err`: no response.
    async fn exchange(
        &mut self,
        step: &RequestStep,
        role: Role,
        label: &str,
    ) -> Result<Response, String> {
        let req = self.build(step, role)?;
        self.send_recorded(&req, label).await
    }

    /// Sends a request and records the exchange, redacted. `Err`: no response.
    pub(super) async fn send_recorded(
        &mut self,
        req: &Request,
        label: &str,
    ) -> Result<Response, String> {
        match self.http.send(req).await {
            Ok((resp, elapsed)) => {
                // Learn the response's tokens first, so that the request that carried
                // an earlier one and the response itself are both masked.
                self.redactor.learn_from(&resp);
                self.record(req, Ok(&resp), label, elapsed);
                Ok(resp)
            }
            Err(e) => {
                let msg = e.to_string();
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
            Err(e) => (None, Some(e.to_string())),
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

    /// A rendered number of seconds.
    fn seconds(&self, t: &crate::suite::template::Template, role: Role) -> Result<u64, String> {
        let text = self.cx.render_required(t, role)?;
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| s.ceil() as u64)
            .ok_or_else(|| format!("`{text}` is not a number of seconds"))
    }

    /// Sleeps without holding a concurrency slot, so that waits overlap with other
    /// cases' work instead of adding up.
    async fn pause(&mut self, d: Duration) {
        self.permit = None;
        tokio::time::sleep(d).await;
        self.permit = self.limiter.acquire().await.ok();
    }

    /// Builds the HTTP request of a step: URL, query, headers, extra parameters, client
    /// authentication and body.
    pub(super) fn build(&self, step: &RequestStep, role: Role) -> Result<Request, String> {
        let endpoint = step.endpoint;
        let base = self.target.endpoint(endpoint).ok_or_else(|| {
            format!(
                "endpoint `{endpoint}` is not known for this target (no override in the \
                 target file, not in discovery metadata, no layout default)"
            )
        })?;
        let mut url = url::Url::parse(base).map_err(|e| format!("invalid URL `{base}`: {e}"))?;
        let render_all = |params: &[(String, crate::suite::template::Template)]| {
            let mut out = Vec::new();
            for (k, t) in params {
                if let Some(v) = self.cx.render(t, role)? {
                    out.push((k.clone(), v));
                }
            }
            Ok::<_, String>(out)
        };
        let mut query = render_all(&step.query)?;
        let mut form = render_all(&step.form)?;
        let mut headers = render_all(&step.headers)?;
        let extra = self
            .target
            .target
            .extra_params
            .get(&endpoint)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let body_is_form = step.json.is_none() && step.method != "GET";
        for (k, v) in extra {
            let into = if body_is_form { &mut form } else { &mut query };
            // The case's own value wins: it may be testing that very parameter.
            if !into.iter().any(|(n, _)| n == k) {
                into.push((k.clone(), v.clone()));
            }
        }
        let explicit = step.auth != AuthMode::Configured;
        if endpoint.authenticates_client() || explicit {
            let client = self
                .target
                .target
                .clients
                .get(&role)
                .ok_or_else(|| format!("no `{role}` client configured"))?;
            auth::apply(step.auth, client, &mut form, &mut headers);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(&query);
        }
        let body = if let Some(json) = &step.json {
            let v = self.cx.render_json(json, role)?;
            headers.push(("content-type".into(), "application/json".into()));
            Some(serde_json::to_vec(&v).map_err(|e| e.to_string())?)
        } else if body_is_form && (!form.is_empty() || step.method == "POST") {
            headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&form)
                .finish();
            Some(encoded.into_bytes())
        } else {
            None
        };
        if !headers.iter().any(|(n, _)| n == "accept") {
            headers.push(("accept".into(), "application/json".into()));
        }
        Ok(Request {
            method: step.method.clone(),
            url: url.to_string(),
            headers,
            body,
        })
    }
}
