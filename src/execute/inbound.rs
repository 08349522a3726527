//! What reaches the client from outside a request it sent: requests the server sends to
//! the callback listener (`receive`, `expect_none`) and the documents it serves them
//! (`host`), and out-of-band actions a hook driver performs (`hook`). While a step waits
//! for either it holds no concurrency slot.

use std::collections::BTreeMap;
use std::time::Duration;

use super::case::{Abort, Runner};
use super::check::Body;
use super::context::Context;
use super::http::{Request, Response};
use super::listener::{Received, Respond};
use super::step::Attempt;
use crate::outcome::Finding;
use crate::suite::{Answer, Case, Destination, HookCall, Host, Receive, Role};

/// What a `receive` step waited for and got.
struct Waited {
    url: String,
    timeout: Duration,
    answer: Respond,
    got: Option<Received>,
}

/// What the listener answers for a `respond` table (204 without one), its header values
/// and body rendered as `role`.
fn respond_of(a: Option<&Answer>, cx: &Context, role: Role) -> Result<Respond, String> {
    let Some(a) = a else {
        return Ok(Respond::default());
    };
    let mut headers = Vec::new();
    for (name, t) in &a.headers {
        headers.push((name.clone(), cx.render_required(t, role)?));
    }
    Ok(Respond {
        status: a.status,
        headers,
        body: match (&a.json, &a.body) {
            (Some(j), _) => j.to_string().into_bytes(),
            (None, Some(t)) => cx.render_required(t, role)?.into_bytes(),
            (None, None) => Vec::new(),
        },
    })
}

/// Sets the answers of the case's named `receive` steps when the case starts: the server
/// may call before the step runs. (`route` steps set theirs when they claim.)
pub(super) fn set_answers(case: &Case, cx: &Context) -> Result<(), String> {
    let Some(mailbox) = cx.mailbox.as_ref() else {
        return Ok(());
    };
    for s in &case.steps {
        if let Destination::Receive(r) = &s.request.to
            && r.route.is_none()
            && r.respond.is_some()
        {
            let respond = respond_of(r.respond.as_ref(), cx, s.client)
                .map_err(|e| format!("{}: {e}", s.label))?;
            mailbox
                .expect(&r.name, respond)
                .map_err(|e| format!("{}: {e}", s.label))?;
        }
    }
    Ok(())
}

impl Runner<'_> {
    /// Has the listener serve the step's document at `{{listener.<name>}}` from now on:
    /// the server under test may fetch it while a later step runs.
    pub(super) fn host(&mut self, h: &Host, role: Role, label: &str) -> Result<(), Abort> {
        let err = |m: String| Abort::Error(format!("{label}: {m}"));
        let answer = respond_of(Some(&h.respond), &self.cx, role).map_err(err)?;
        let Some(mailbox) = self.cx.mailbox.as_ref() else {
            return Err(err(
                "the callback listener is not running for this case".into()
            ));
        };
        mailbox
            .host(&h.name, answer)
            .map_err(|e| err(e.to_string()))
    }

    /// Waits for the request the server sends to `{{listener.<name>}}` and records it
    /// with the listener's answer. Nothing arriving is a finding: the server did not call.
    pub(super) async fn receive(
        &mut self,
        r: &Receive,
        role: Role,
        label: &str,
    ) -> Result<Attempt, Abort> {
        let w = self.await_mailbox(r, role, label).await?;
        let Some(got) = w.got else {
            let about = match &r.route {
                Some(_) => " about this auth_req_id",
                None => "",
            };
            return Err(Abort::Fail(format!(
                "{label}: no request{about} arrived at {} within {} s",
                w.url,
                w.timeout.as_secs_f64()
            )));
        };
        Ok(self.record_received(&w.url, &w.answer, got, label))
    }

    /// Waits up to the step's timeout (capped by --max-wait) for the first request sent to
    /// `{{listener.<name>}}` (or, with `route`, for the notification about that
    /// `auth_req_id` at the shared path), holding no concurrency slot meanwhile. Returns
    /// the URL, the wait, what the listener answered and what arrived, if anything.
    async fn await_mailbox(
        &mut self,
        r: &Receive,
        role: Role,
        label: &str,
    ) -> Result<Waited, Abort> {
        let err = |m: String| Abort::Error(format!("{label}: {m}"));
        let timeout = Duration::from_secs_f64(self.seconds(&r.timeout, role).map_err(err)?)
            .min(self.options.max_wait);
        let answer = respond_of(r.respond.as_ref(), &self.cx, role).map_err(err)?;
        let route = match &r.route {
            Some(t) => Some(self.cx.render_required(t, role).map_err(err)?),
            None => None,
        };
        let Some(mailbox) = self.cx.mailbox.as_ref() else {
            return Err(err(
                "the callback listener is not running for this case".into()
            ));
        };
        let url = match &route {
            Some(id) => {
                if !mailbox.claimed(id) {
                    mailbox
                        .claim(id, Some(answer.clone()))
                        .map_err(|e| err(e.to_string()))?;
                }
                mailbox.notification_url()
            }
            None => mailbox.url(&r.name),
        };
        self.permit = None;
        let got = match &route {
            Some(id) => mailbox.receive_routed(id, timeout).await,
            None => mailbox.receive(&r.name, timeout).await,
        };
        self.permit = self.limiter.acquire().await.ok();
        Ok(Waited {
            url,
            timeout,
            answer,
            got,
        })
    }

    /// Claims, at the shared notification path, the `auth_req_id` of every `route` step
    /// whose template renders now (after the step that captured it), so that a
    /// notification sent before its `receive` step runs still reaches the case with the
    /// step's answer.
    pub(super) fn claim_routes(&mut self) -> Result<(), Abort> {
        let case = self.case;
        let Some(mailbox) = self.cx.mailbox.as_ref() else {
            return Ok(());
        };
        let saved = self.cx.scope.take();
        let mut claimed = Ok(());
        for step in &case.steps {
            let Destination::Receive(r) = &step.request.to else {
                continue;
            };
            let Some(t) = &r.route else { continue };
            self.cx.scope = step.scope.clone();
            // Not renderable yet (not captured yet): a later step will.
            let Ok(Some(id)) = self.cx.render(t, step.client) else {
                continue;
            };
            let Ok(answer) = respond_of(r.respond.as_ref(), &self.cx, step.client) else {
                continue;
            };
            if id.is_empty() || mailbox.claimed(&id) {
                continue;
            }
            if let Err(e) = mailbox.claim(&id, Some(answer)) {
                claimed = Err(Abort::Error(format!("{}: {e}", step.label)));
                break;
            }
        }
        self.cx.scope = saved;
        claimed
    }

    /// A received request as an exchange (the listener's answer as its response) and as
    /// what the step's checks and captures read.
    fn record_received(
        &mut self,
        url: &str,
        answer: &Respond,
        got: Received,
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
        let answered = Response {
            url: url.to_string(),
            status: answer.status,
            headers: answer.headers.clone(),
            body: answer.body.clone(),
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
    pub(super) async fn expect_nothing(
        &mut self,
        r: &Receive,
        role: Role,
        label: &str,
    ) -> Result<(), Abort> {
        let Waited {
            url,
            timeout: window,
            answer,
            got,
        } = self.await_mailbox(r, role, label).await?;
        if let Some(got) = got {
            let method = got.method.clone();
            self.record_received(&url, &answer, got, label);
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
    /// performed is the harness's problem, never a finding about the server. Returns the
    /// driver's answer when it has one (the `http` and `reference` drivers).
    pub(super) async fn hook(
        &mut self,
        h: &HookCall,
        role: Role,
        label: &str,
    ) -> Result<Option<Response>, Abort> {
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
        Ok(outcome.exchange.map(|(_, resp)| resp))
    }
}
