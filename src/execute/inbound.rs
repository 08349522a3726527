//! What reaches the client from outside a request it sent: requests the server sends to
//! the callback listener (`receive`, `expect_none`), and out-of-band actions a hook driver
//! performs (`hook`). While a step waits for either it holds no concurrency slot.

use std::collections::BTreeMap;
use std::time::Duration;

use super::case::{Abort, Runner};
use super::check::Body;
use super::http::{Request, Response};
use super::step::Attempt;
use crate::outcome::Finding;
use crate::suite::{HookCall, Receive, Role};

impl Runner<'_> {
    /// Waits for the request the server sends to `{{listener.<name>}}` and records it
    /// with the listener's answer. Nothing arriving is a finding: the server did not call.
    pub(super) async fn receive(
        &mut self,
        r: &Receive,
        role: Role,
        label: &str,
    ) -> Result<Attempt, Abort> {
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
    pub(super) async fn expect_nothing(
        &mut self,
        r: &Receive,
        role: Role,
        label: &str,
    ) -> Result<(), Abort> {
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
