//! The step runner, in the order hurl uses: wait, set, send (once, polled or repeated),
//! gate on the checks (every check evaluated, guards first), then captures.
//!
//! Polling follows the specifications that define it: RFC 8628 §3.5 "the client MUST
//! wait at least the number of seconds specified by the `interval` ... if no value is
//! provided, clients MUST use 5 as the default" and, on `slow_down`, "the interval MUST
//! be increased by 5 seconds for this and all subsequent requests"; CIBA Core §7.3 says
//! the same of the poll mode. While a step waits, the case holds no concurrency slot.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::assertion;
use super::browser::Callback;
use super::capture;
use super::case::{Abort, Runner};
use super::check::{self, Body, Broken, CheckError, Observed};
use super::http::{Request, Response};
use crate::outcome::{Finding, SkipReason};
use crate::suite::{
    Attempts, AuthMode, Destination, HookCall, JwtSpec, KeyRef, Receive, Repetition, RequestStep,
    Role, SetValue,
};

/// How often a `poll = "{{seconds}}"` step (an effect that propagates) repeats.
const PROPAGATION_INTERVAL: Duration = Duration::from_millis(250);

/// What one attempt of a step observed.
struct Attempt {
    resp: Response,
    body: Body,
    callback: Option<Callback>,
    ended_at: String,
    hops: Vec<(String, String, u16)>,
    /// For a received request: its method.
    method: Option<String>,
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
        }
        Ok(())
    }

    /// The case's `[[case.cleanup]]` steps, every one of them whatever happened before:
    /// what they find (or fail at) becomes a note, never the case's verdict.
    pub(super) async fn cleanup(&mut self) -> Vec<String> {
        let case = self.case;
        let mut notes = Vec::new();
        for step in &case.cleanup {
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
        self.use_agent(
            step.request
                .agent
                .as_deref()
                .unwrap_or(super::case::FIRST_AGENT),
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
            };
            // Inside a flow used with `as`, like its captures: `<as>.<name>`.
            self.cx.vars.insert(scoped(alias, name), value);
        }
        match &step.to {
            Destination::Hook(h) => return self.hook(h, role, label).await,
            Destination::Receive(r) if r.expect_none => {
                return self.expect_nothing(r, role, label).await;
            }
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
        if step.browser.is_some() {
            let walk = self.authorize(step, role, label).await.map_err(err)?;
            Ok(Attempt {
                body: Body::of(&walk.response),
                resp: walk.response,
                callback: walk.callback,
                ended_at: walk.ended_at,
                hops: self.walk_hops.clone(),
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

    /// Waits for the request the server sends to `{{listener.<name>}}` and records it
    /// with the listener's answer. Nothing arriving is a finding: the server did not call.
    async fn receive(&mut self, r: &Receive, role: Role, label: &str) -> Result<Attempt, Abort> {
        let (url, timeout, got) = self.await_mailbox(r, role, label).await?;
        let Some(got) = got else {
            return Err(Abort::Fail(format!(
                "{label}: no request arrived at {url} within {} s",
                timeout.as_secs_f64()
            )));
        };
        Ok(self.record_received(r, &url, got, label))
    }

    /// Waits up to the step's timeout (capped by --max-wait) for the first request sent to
    /// `{{listener.<name>}}`, holding no concurrency slot meanwhile. Returns the URL, the
    /// wait and what arrived, if anything.
    async fn await_mailbox(
        &mut self,
        r: &Receive,
        role: Role,
        label: &str,
    ) -> Result<(String, Duration, Option<super::listener::Received>), Abort> {
        let err = |m: String| Abort::Error(format!("{label}: {m}"));
        let timeout = Duration::from_secs_f64(self.seconds(&r.timeout, role).map_err(err)?)
            .min(self.options.max_wait);
        let Some(mailbox) = self.cx.mailbox.as_ref() else {
            return Err(err(
                "the callback listener is not running for this case".into()
            ));
        };
        let url = mailbox.url(&r.name);
        self.permit = None;
        let got = mailbox.receive(&r.name, timeout).await;
        self.permit = self.limiter.acquire().await.ok();
        Ok((url, timeout, got))
    }

    /// A received request as an exchange (the listener's answer as its response) and as
    /// what the step's checks and captures read.
    fn record_received(
        &mut self,
        r: &Receive,
        url: &str,
        got: super::listener::Received,
        label: &str,
    ) -> Attempt {
        let req = Request {
            method: got.method.clone(),
            url: url.to_string(),
            headers: got.headers.clone(),
            body: Some(got.body.clone()),
        };
        let seen = Response {
            url: url.to_string(),
            status: 0,
            headers: got.headers.clone(),
            body: got.body.clone(),
        };
        // A push delivery carries tokens: learn them so the record masks them.
        self.learn(&seen);
        let answer = r.respond.clone().unwrap_or(crate::suite::Answer {
            status: 204,
            headers: Vec::new(),
            json: None,
        });
        let answered = Response {
            url: url.to_string(),
            status: answer.status,
            headers: answer.headers.clone(),
            body: answer
                .json
                .as_ref()
                .map(|j| j.to_string().into_bytes())
                .unwrap_or_default(),
        };
        self.record(
            &req,
            Ok(&answered),
            &format!("{label} (received)"),
            Duration::ZERO,
        );
        Attempt {
            body: Body::of(&seen),
            resp: seen,
            callback: None,
            ended_at: String::new(),
            hops: Vec::new(),
            method: Some(got.method),
        }
    }

    /// `expect_none`: nothing may arrive within the timeout.
    async fn expect_nothing(&mut self, r: &Receive, role: Role, label: &str) -> Result<(), Abort> {
        let (url, window, got) = self.await_mailbox(r, role, label).await?;
        if let Some(got) = got {
            let method = got.method.clone();
            self.record_received(r, &url, got, label);
            let level = self.case.level;
            self.findings.push(Finding {
                level: level.to_string(),
                severity: level.severity(),
                step: label.to_string(),
                check: format!("requests to {url}"),
                expected: format!("none within {} s", window.as_secs_f64()),
                actual: format!("a {method} request"),
                note: None,
                own_level: false,
            });
        }
        Ok(())
    }

    /// Has the target's hook driver perform an out-of-band action. A hook that cannot be
    /// performed is the harness's problem, never a finding about the server.
    async fn hook(&mut self, h: &HookCall, role: Role, label: &str) -> Result<(), Abort> {
        let err = |m: String| Abort::Error(format!("{label}: {m}"));
        let mut args = BTreeMap::new();
        for (name, t) in &h.args {
            args.insert(name.clone(), self.cx.render_required(t, role).map_err(err)?);
        }
        // A person may be acting: hold no concurrency slot meanwhile.
        self.permit = None;
        let done = super::hooks::run_target_hook(
            &self.target.target,
            &h.name,
            &args,
            self.options.max_wait,
        )
        .await;
        self.permit = self.limiter.acquire().await.ok();
        let outcome = done.map_err(|e| err(e.to_string()))?;
        if let Some((req, resp)) = &outcome.exchange {
            self.learn(resp);
            self.record(
                req,
                Ok(resp),
                &format!("{label} ({})", outcome.driver),
                outcome.duration,
            );
        }
        Ok(())
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
        Ok(failures)
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

    /// Builds the HTTP request of a step: URL, query, headers, extra parameters, client
    /// authentication and body.
    pub(super) fn build(&self, step: &RequestStep, role: Role) -> Result<Request, String> {
        let (base, endpoint) = match &step.to {
            Destination::Endpoint(e) => {
                let base = self.target.endpoint(*e).ok_or_else(|| {
                    format!(
                        "endpoint `{e}` is not known for this target (no override in the \
                         target file, not in discovery metadata, no layout default)"
                    )
                })?;
                (base.to_string(), Some(*e))
            }
            Destination::Url(t) => (self.cx.render_required(t, role)?, None),
            Destination::Receive(_) | Destination::Hook(_) => {
                return Err("a `receive` or `hook` step sends no request".into());
            }
        };
        let mut url = url::Url::parse(&base).map_err(|e| format!("invalid URL `{base}`: {e}"))?;
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
        let body_is_form = step.json.is_none() && step.method != "GET";
        if let Some(e) = endpoint {
            let extra = self
                .target
                .target
                .extra_params
                .get(&e)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for (k, v) in extra {
                let into = if body_is_form { &mut form } else { &mut query };
                // The case's own value wins: it may be testing that very parameter.
                if !into.iter().any(|(n, _)| n == k) {
                    into.push((k.clone(), v.clone()));
                }
            }
        }
        let explicit = step.auth != AuthMode::Configured || step.auth_spec.is_some();
        if endpoint.is_some_and(|e| e.authenticates_client()) || explicit {
            let client = self
                .cx
                .client(role)
                .ok_or_else(|| format!("no `{role}` client configured"))?;
            let spec = match &step.auth_spec {
                None => None,
                Some(s) => Some(super::auth::Explicit {
                    method: s.method,
                    secret: match &s.secret {
                        Some(t) => Some(self.cx.render_required(t, role)?),
                        None => None,
                    },
                    claims: match &s.claims {
                        Some(c) => Some(self.cx.render_json(c, role)?),
                        None => None,
                    },
                    wrong_key: s.wrong_key,
                }),
            };
            // OpenID Connect Core §9: "The Audience SHOULD be the URL of the
            // Authorization Server's Token Endpoint"; a case may set another `aud`.
            let audience = self
                .target
                .endpoint(crate::suite::Endpoint::Token)
                .map_or_else(|| base.clone(), str::to_string);
            super::auth::apply(
                step.auth,
                spec.as_ref(),
                client,
                &audience,
                &mut form,
                &mut headers,
            )?;
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

impl Runner<'_> {
    /// Fetches the target's JWKS once per case, for `signed_by = "jwks"` checks. A JWKS
    /// that cannot be had is a premise that does not hold: an `error`, not a finding.
    async fn fetch_jwks(&mut self, label: &str) -> Result<(), Abort> {
        if self.jwks.is_some() {
            return Ok(());
        }
        let err = |m: String| Abort::Error(format!("{label}: cannot verify signatures: {m}"));
        let url = self
            .target
            .endpoint(crate::suite::Endpoint::Jwks)
            .ok_or_else(|| err("the target has no `jwks` endpoint".into()))?
            .to_string();
        let req = Request {
            method: "GET".into(),
            url,
            headers: vec![("accept".into(), "application/json".into())],
            body: None,
        };
        let resp = self
            .send_recorded(&req, &format!("{label} · jwks for signed_by"))
            .await
            .map_err(err)?;
        let jwks: serde_json::Value = serde_json::from_slice(&resp.body)
            .ok()
            .filter(|_| resp.status == 200)
            .ok_or_else(|| {
                err(format!(
                    "the JWKS answered {} without a JSON body",
                    resp.status
                ))
            })?;
        self.jwks = Some(jwks);
        Ok(())
    }

    /// Builds a `{ jwt = {...} }` value: claims and header rendered (numeric templates as
    /// numbers), signed with the key it names.
    fn jwt_value(&self, spec: &JwtSpec, role: Role) -> Result<String, String> {
        let claims = self.cx.render_json(&spec.claims, role)?;
        let header = self.cx.render_json(&spec.header, role)?;
        let key_role = match spec.key {
            KeyRef::Client(r) | KeyRef::Secret(r) => r.unwrap_or(role),
            KeyRef::Generated | KeyRef::Unsecured => role,
        };
        let key = assertion::key_for(spec.key, self.cx.client(key_role), key_role.as_str())?;
        assertion::sign(key, spec.alg.as_deref(), &header, &claims)
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
    })
}

/// A captured name as stored: `<scope>.<name>` inside a flow used with `as`.
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
