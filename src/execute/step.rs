//! The step runner, in the order hurl uses: wait, set, send (once, polled or repeated),
//! gate on the checks (every check evaluated, guards first), then captures.
//!
//! Polling follows the specifications that define it: RFC 8628 §3.5 "the client MUST
//! wait at least the number of seconds specified by the `interval` ... if no value is
//! provided, clients MUST use 5 as the default" and, on `slow_down`, "the interval MUST
//! be increased by 5 seconds for this and all subsequent requests"; CIBA Core §7.3 says
//! the same of the poll mode. While a step waits, the case holds no concurrency slot.

use std::time::{Duration, Instant};

use super::browser::Callback;
use super::capture;
use super::case::{Abort, Runner};
use super::check::{self, Body, Broken, CheckError, Observed};
use super::http::Response;
use crate::outcome::{Finding, SkipReason};
use crate::suite::{
    Attempts, CheckKind, Destination, Level, Repetition, RequestStep, Role, SetValue,
};

/// How often a `poll = "{{seconds}}"` step (an effect that propagates) repeats.
const PROPAGATION_INTERVAL: Duration = Duration::from_millis(250);

/// What one attempt of a step observed.
pub(super) struct Attempt {
    pub resp: Response,
    pub body: Body,
    pub callback: Option<Callback>,
    pub ended_at: String,
    pub hops: Vec<(String, String, u16)>,
    /// For a received request: its method.
    pub method: Option<String>,
}

impl Attempt {
    fn observed<'a>(&'a self, jwks: Option<&'a serde_json::Value>) -> Observed<'a> {
        Observed {
            response: &self.resp,
            body: &self.body,
            callback: self.callback.as_ref(),
            ended_at: &self.ended_at,
            hops: &self.hops,
            method: self.method.as_deref(),
            jwks,
        }
    }
}

/// A broken check of a step: the index of the check and what broke.
type Failures = Vec<(usize, Broken)>;

impl Runner<'_> {
    /// Runs every step of the case in order; the first abort ends the case.
    pub(super) async fn steps(&mut self) -> Result<(), Abort> {
        let case = self.case;
        for step in &case.steps {
            self.run_step(step).await?;
            self.claim_routes()?;
        }
        Ok(())
    }

    /// The case's `[[case.cleanup]]` steps, every one of them whatever happened before:
    /// what they find (or fail at) becomes a note, never the case's verdict.
    pub(super) async fn cleanup(&mut self) -> Vec<String> {
        let case = self.case;
        let mut notes = Vec::new();
        for step in &case.cleanup {
            // A cleanup step addressed to an optional template that is unset (`url =
            // "{{?reg_uri}}"` after a registration the server refused) has nothing to
            // clean up: it is left out, without a note.
            if let crate::suite::Destination::Url(t) = &step.request.to
                && t.optional
                && matches!(self.cx.render(t, step.client), Ok(None))
            {
                continue;
            }
            let before = self.findings.len();
            if let Err(abort) = self.run_step(step).await {
                notes.push(format!("cleanup did not complete: {}", abort.message()));
            }
            for f in self.findings.drain(before..) {
                notes.push(format!("cleanup: {}", f.message()));
            }
        }
        notes
    }

    async fn run_step(&mut self, step: &crate::suite::RunStep) -> Result<(), Abort> {
        self.ua
            .select(
                step.request
                    .agent
                    .as_deref()
                    .unwrap_or(super::agent::FIRST_AGENT),
            )
            .map_err(|m| Abort::Error(format!("{}: {m}", step.label)))?;
        self.cx.scope = step.scope.clone();
        let done = match self.flow_args(step).await {
            Ok(()) => {
                self.request(
                    &step.request,
                    step.client,
                    step.scope.as_deref(),
                    &step.label,
                )
                .await
            }
            Err(e) => Err(e),
        };
        self.cx.scope = None;
        done
    }

    /// Sets a flow's arguments (rendered as its client) before its first step.
    async fn flow_args(&mut self, step: &crate::suite::RunStep) -> Result<(), Abort> {
        for (name, t) in &step.args {
            let key = scoped(step.scope.as_deref(), name);
            match self.cx.render(t, step.client) {
                Ok(Some(v)) if !v.is_empty() => {
                    self.cx.vars.insert(key, v);
                }
                // An empty argument (or an optional one without a value) leaves the name
                // unset, so that the flow's `{{?name}}` parameters are left out.
                Ok(_) => {
                    self.cx.vars.remove(&key);
                }
                Err(m) => {
                    return Err(Abort::Error(format!(
                        "{}: flow argument `{name}`: {m}",
                        step.label
                    )));
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
            let secs = self.seconds(wait, role).map_err(err)? + step.wait_extra;
            let total = Duration::from_secs_f64(secs);
            if total > self.options.max_wait {
                return Err(Abort::Skip(SkipReason::WaitTooLong {
                    needed_secs: total.as_secs_f64().ceil() as u64,
                    max_secs: self.options.max_wait.as_secs(),
                }));
            }
            self.pause(total).await;
        }
        for (name, v) in &step.set {
            let value = match v {
                SetValue::Text(t) => self.cx.render_required(t, role).map_err(err)?,
                SetValue::Jwt(spec) => self.jwt_value(spec, role).map_err(err)?,
                SetValue::Macaroon(spec) => self.macaroon_value(spec, role).map_err(err)?,
            };
            // Inside a flow used with `as`, like its captures: `<as>.<name>`.
            self.cx.vars.insert(scoped(alias, name), value);
        }
        match &step.to {
            // A hook whose answer nobody reads is only performed.
            Destination::Hook(h) if step.checks.is_empty() && step.captures.is_empty() => {
                return self.hook(h, role, label).await.map(|_| ());
            }
            Destination::Receive(r) if r.expect_none => {
                return self.expect_nothing(r, role, label).await;
            }
            Destination::Host(h) => return self.host(h, role, label),
            _ => {}
        }
        if step.checks.iter().any(|c| c.kind.needs_jwks()) {
            self.fetch_jwks(label).await?;
        }
        let (last, failures) = match &step.repeat {
            Repetition::Once => {
                let a = self.attempt(step, role, label).await?;
                let f = self.judge(step, &a, role, label)?;
                (a, f)
            }
            Repetition::UntilHolds(t) => {
                let secs = self.seconds(t, role).map_err(err)?;
                let deadline =
                    Instant::now() + Duration::from_secs_f64(secs).min(self.options.max_wait);
                let mut n = 1;
                loop {
                    let a = self.attempt(step, role, &numbered(label, n)).await?;
                    let f = self.judge(step, &a, role, label)?;
                    if f.is_empty() || Instant::now() + PROPAGATION_INTERVAL >= deadline {
                        break (a, f);
                    }
                    n += 1;
                    self.pause(PROPAGATION_INTERVAL).await;
                }
            }
            Repetition::Poll(p) => {
                let mut interval = self.seconds(&p.every, role).map_err(err)?;
                let limit = Duration::from_secs_f64(self.seconds(&p.for_secs, role).map_err(err)?)
                    .min(self.options.max_wait);
                let started = Instant::now();
                let mut n = 1;
                let a = loop {
                    let a = self.attempt(step, role, &numbered(label, n)).await?;
                    let seen = a.observed(None);
                    let mut pending = true;
                    for c in &p.while_pending {
                        pending &= check::guard_holds(c, &seen, &self.cx, role).map_err(err)?;
                    }
                    if !pending {
                        break a;
                    }
                    // RFC 8628 §3.5: a back-off applies to this and all later requests.
                    for b in &p.back_off {
                        if check::guard_holds(&b.when, &seen, &self.cx, role).map_err(err)? {
                            interval += b.add;
                        }
                    }
                    let next = Duration::from_secs_f64(interval);
                    if started.elapsed() + next > limit {
                        // Still pending when the time is up: the checks judge this answer.
                        break a;
                    }
                    n += 1;
                    self.pause(next).await;
                };
                let f = self.judge(step, &a, role, label)?;
                (a, f)
            }
            Repetition::Repeat { times, every } => {
                let pause = Duration::from_secs_f64(self.seconds(every, role).map_err(err)?);
                let mut all: Vec<Failures> = Vec::new();
                let mut last = None;
                for n in 1..=*times {
                    if n > 1 {
                        self.pause(pause).await;
                    }
                    let a = self.attempt(step, role, &numbered(label, n)).await?;
                    all.push(self.judge(step, &a, role, label)?);
                    last = Some(a);
                }
                let Some(last) = last else {
                    return Err(err("`repeat` sent nothing".into()));
                };
                (last, over_attempts(step, all, *times))
            }
        };
        if !failures.is_empty() {
            self.unregistered_grant(step, role, &last)?;
        }
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
                note: c.note.clone().filter(|_| !broken.unseen),
                own_level: c.level.is_some(),
            };
            if step.premise {
                return Err(Abort::Skip(SkipReason::Premise {
                    detail: finding.message(),
                }));
            }
            if step.setup {
                return Err(Abort::Error(format!(
                    "prerequisite failed: {}",
                    finding.message()
                )));
            }
            self.findings.push(finding);
        }
        self.captures(step, alias, label, &last)?;
        if let Some(role) = step.as_client {
            let client = registered(&last).map_err(|m| {
                let msg = format!("{label}: {m}");
                if step.setup {
                    Abort::Error(format!("prerequisite failed: {msg}"))
                } else {
                    Abort::Fail(msg)
                }
            })?;
            self.cx.dynamic.insert(role, client);
        }
        Ok(())
    }

    /// A step that broke its checks because the server answered `unauthorized_client`
    /// (RFC 6749 §4.1.2.1, §5.2) to a grant the target file does not declare for the
    /// client: the target said the client lacks it, so the refusal is no finding and the
    /// case is skipped with that reason.
    fn unregistered_grant(&self, step: &RequestStep, role: Role, a: &Attempt) -> Result<(), Abort> {
        let Some(client) = self.cx.client(role) else {
            return Ok(());
        };
        let Some(grant) = step.grants().into_iter().find(|g| client.lacks(*g)) else {
            return Ok(());
        };
        let error = match &a.callback {
            Some(cb) => cb
                .params
                .iter()
                .find(|(k, _)| k == "error")
                .map(|(_, v)| v.as_str()),
            None => a.body.json().ok().and_then(|j| j.get("error")?.as_str()),
        };
        if error != Some("unauthorized_client") {
            return Ok(());
        }
        Err(Abort::Skip(SkipReason::GrantNotRegistered {
            role: role.to_string(),
            client_id: client.client_id.clone(),
            grant: grant.to_string(),
        }))
    }

    /// Sends one attempt: through the user agent for a `browser` step, else directly.
    async fn attempt(
        &mut self,
        step: &RequestStep,
        role: Role,
        label: &str,
    ) -> Result<Attempt, Abort> {
        let err = |m: String| Abort::Error(format!("{label}: {m}"));
        if let Destination::Receive(r) = &step.to {
            return self.receive(r, role, label).await;
        }
        if let Destination::Hook(h) = &step.to {
            // What the out-of-band action reports (the device's screen, say) is judged
            // like a response.
            let Some(resp) = self.hook(h, role, label).await? else {
                return Err(err(
                    "the hook driver gives no answer for `expect` or `capture` to read".into(),
                ));
            };
            return Ok(Attempt {
                body: Body::of(&resp),
                resp,
                callback: None,
                ended_at: String::new(),
                hops: Vec::new(),
                method: None,
            });
        }
        if step.browser.is_some() {
            let walk = self.authorize(step, role, label).await.map_err(err)?;
            Ok(Attempt {
                body: Body::of(&walk.response),
                resp: walk.response,
                callback: walk.callback,
                ended_at: walk.ended_at,
                hops: self.ua.hops.clone(),
                method: None,
            })
        } else {
            let req = self.build(step, role).map_err(err)?;
            let resp = self.send_recorded(&req, label).await.map_err(err)?;
            Ok(Attempt {
                body: Body::of(&resp),
                resp,
                callback: None,
                ended_at: String::new(),
                hops: Vec::new(),
                method: None,
            })
        }
    }

    /// Every check of the step on one attempt, guards first. A check that cannot be
    /// evaluated ends the case in `error`.
    fn judge(
        &self,
        step: &RequestStep,
        a: &Attempt,
        role: Role,
        label: &str,
    ) -> Result<Failures, Abort> {
        let seen = a.observed(self.jwks.as_ref());
        let mut failures = Vec::new();
        for (i, c) in step.checks.iter().enumerate() {
            if let Some(guard) = &c.when {
                let holds = check::guard_holds(guard, &seen, &self.cx, role)
                    .map_err(|m| Abort::Error(format!("{label}: cannot evaluate a guard: {m}")))?;
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
        // A premise that does not hold makes the rest unjudgeable: skip before any finding.
        if let Some((i, broken)) = failures.iter().find(|(i, _)| step.checks[*i].premise) {
            let c = &step.checks[*i];
            let mut detail = format!("{label}: {} is {}", broken.check, broken.actual);
            if let Some(note) = &c.note {
                detail.push_str(&format!(" ({note})"));
            }
            return Err(Abort::Skip(SkipReason::Premise { detail }));
        }
        Ok(one_cause(step, failures, self.case.level))
    }

    /// The step's captures from its last attempt.
    fn captures(
        &mut self,
        step: &RequestStep,
        alias: Option<&str>,
        label: &str,
        a: &Attempt,
    ) -> Result<(), Abort> {
        for c in &step.captures {
            let key = scoped(alias, &c.name);
            let Some(value) = capture::value(&c.source, &a.resp, &a.body, a.callback.as_ref())
            else {
                if c.optional {
                    // Unset, so that `{{name ?? default}}` falls back.
                    self.cx.vars.remove(&key);
                    continue;
                }
                let msg = format!(
                    "{label}: cannot capture `{}`: {} is missing",
                    c.name,
                    capture::describe(&c.source)
                );
                return Err(if step.setup {
                    Abort::Error(format!("prerequisite failed: {msg}"))
                } else {
                    Abort::Fail(msg)
                });
            };
            self.cx.vars.insert(key, value);
        }
        Ok(())
    }
}

/// The client an RFC 7591 §3.2.1 registration response describes: `client_id` is
/// REQUIRED; `token_endpoint_auth_method` defaults to `client_secret_basic` (§2).
fn registered(a: &Attempt) -> Result<crate::target::ClientConfig, String> {
    let body = a
        .body
        .json()
        .map_err(|e| format!("cannot register a client from {e}"))?;
    let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let client_id = text("client_id")
        .ok_or("the registration response has no `client_id` (RFC 7591 §3.2.1)")?;
    let auth_method = match text("token_endpoint_auth_method") {
        None => crate::suite::AuthMethod::ClientSecretBasic,
        Some(m) => crate::suite::AuthMethod::parse(&m)
            .ok_or_else(|| format!("the harness cannot authenticate a client with `{m}`"))?,
    };
    Ok(crate::target::ClientConfig {
        client_id,
        client_secret: text("client_secret"),
        auth_method,
        scope: text("scope"),
        redirect_uri: body
            .get("redirect_uris")
            .and_then(|r| r.get(0))
            .and_then(|v| v.as_str())
            .map(str::to_string),
        key: None,
        grants: None,
        also: Vec::new(),
    })
}

/// A captured name as stored: `<scope>.<name>` inside a flow used with `as`.
/// One root cause, one finding: when the status check of a step broke, the step's other
/// broken checks mostly restate it (an error body has no `access_token`), so only those
/// judged more severely than the status check are kept beside it.
fn one_cause(step: &RequestStep, failures: Failures, case_level: Level) -> Failures {
    let severity = |i: usize| step.checks[i].level.unwrap_or(case_level).severity();
    let is_status = |i: usize| matches!(step.checks[i].kind, CheckKind::Status(_));
    let Some(status) = failures
        .iter()
        .filter(|(i, _)| is_status(*i))
        .map(|(i, _)| severity(*i))
        .max()
    else {
        return failures;
    };
    failures
        .into_iter()
        .filter(|(i, _)| is_status(*i) || severity(*i) > status)
        .collect()
}

fn scoped(scope: Option<&str>, name: &str) -> String {
    match scope {
        Some(s) => format!("{s}.{name}"),
        None => name.to_string(),
    }
}

fn numbered(label: &str, n: u32) -> String {
    if n > 1 {
        format!("{label} (attempt {n})")
    } else {
        label.to_string()
    }
}

/// The failures of a repeated step: a check with `attempts = "all"` fails on its first
/// broken attempt; one with `attempts = "any"` fails only when it broke on every attempt.
fn over_attempts(step: &RequestStep, all: Vec<Failures>, times: u32) -> Failures {
    let mut out = Vec::new();
    for (i, c) in step.checks.iter().enumerate() {
        let broken: Vec<(usize, &Broken)> = all
            .iter()
            .enumerate()
            .filter_map(|(n, f)| f.iter().find(|(k, _)| *k == i).map(|(_, b)| (n + 1, b)))
            .collect();
        let Some((first, b)) = broken.first() else {
            continue;
        };
        match c.attempts {
            Attempts::All => out.push((
                i,
                Broken {
                    actual: format!("{} (attempt {first} of {times})", b.actual),
                    ..(*b).clone()
                },
            )),
            Attempts::Any if broken.len() == times as usize => out.push((
                i,
                Broken {
                    expected: format!("{} on at least one of {times} attempts", b.expected),
                    ..(*b).clone()
                },
            )),
            Attempts::Any => {}
        }
    }
    out
}
