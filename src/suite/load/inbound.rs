//! Loading the steps that do not send a request: `receive` (a request the server sends
//! to the callback listener, with its answer or `expect_none`; with `route`, a CIBA
//! notification at the shared path chosen by its `auth_req_id`) and `hook` (an
//! out-of-band action a hook driver performs).

use std::ops::Range;

use super::{Validator, toml_to_json};
use crate::suite::model::*;
use crate::suite::raw::RawStep;
use crate::suite::template::Template;
use crate::suite::vocab::AuthMode;

impl Validator<'_> {
    /// A `receive` step (judge a request the server sends to the listener) or a `hook`
    /// step (an out-of-band action). Neither sends a request of its own.
    pub(super) fn out_of_band(
        &mut self,
        span: Range<usize>,
        rs: RawStep,
        in_flow: bool,
    ) -> Option<Step> {
        let request_keys = [
            ("endpoint", rs.endpoint.as_ref().map(|s| s.span())),
            ("url", rs.url.as_ref().map(|s| s.span())),
            ("method", rs.method.as_ref().map(|s| s.span())),
            ("auth", rs.auth.as_ref().map(|s| s.span())),
            ("form", rs.form.as_ref().map(|s| s.span())),
            ("query", rs.query.as_ref().map(|s| s.span())),
            ("headers", rs.headers.as_ref().map(|s| s.span())),
            ("json", rs.json.as_ref().map(|s| s.span())),
            ("browser", rs.browser.as_ref().map(|s| s.span())),
            ("poll", rs.poll.as_ref().map(|s| s.span())),
            ("repeat", rs.repeat.as_ref().map(|s| s.span())),
        ];
        for (key, at) in request_keys {
            if let Some(at) = at {
                self.error(
                    at,
                    format!("`{key}` does not go with a `receive` or `hook` step"),
                );
            }
        }
        let client = rs.client.as_ref().and_then(|c| self.role(c));
        let agent = rs.agent.as_ref().map(|a| a.get_ref().clone());
        let as_client = rs.as_client.as_ref().and_then(|c| self.as_client(c));
        let set = self.set_values(rs.set);
        let to = match (rs.receive, rs.hook) {
            (Some(r), None) => {
                if rs.args.is_some() {
                    self.error(span.clone(), "`args` goes with a `hook` step");
                }
                let timeout = match &rs.timeout {
                    Some(t) => self.seconds(t, "timeout")?,
                    None => Template::literal("10"),
                };
                let respond = rs.respond.map(|a| {
                    let at = a.span();
                    let a = a.into_inner();
                    let mut headers = Vec::new();
                    for (name, value) in a.headers {
                        if let Some(t) = self.template(&value, at.clone()) {
                            headers.push((name, t));
                        }
                    }
                    Answer {
                        status: a.status.unwrap_or(204),
                        headers,
                        json: a.json.map(toml_to_json),
                    }
                });
                let route = match &rs.route {
                    Some(t) => Some(self.template(t.get_ref(), t.span())?),
                    None => None,
                };
                if respond
                    .as_ref()
                    .is_some_and(|a| !(100..=599).contains(&a.status))
                {
                    self.error(span.clone(), "`respond.status` is an HTTP status code");
                }
                Destination::Receive(Receive {
                    name: r.into_inner(),
                    route,
                    timeout,
                    expect_none: rs.expect_none.unwrap_or(false),
                    respond,
                })
            }
            (None, Some(h)) => {
                for (key, given) in [
                    ("timeout", rs.timeout.is_some()),
                    ("respond", rs.respond.is_some()),
                    ("route", rs.route.is_some()),
                    ("expect_none", rs.expect_none.is_some()),
                ] {
                    if given {
                        self.error(
                            span.clone(),
                            format!("`{key}` does not go with a `hook` step"),
                        );
                    }
                }
                let mut args = Vec::new();
                for (name, value) in rs.args.unwrap_or_default() {
                    if let Some(t) = self.template(value.get_ref(), value.span()) {
                        args.push((name, t));
                    }
                }
                Destination::Hook(HookCall {
                    name: h.into_inner(),
                    args,
                })
            }
            _ => {
                self.error(span, "a step either receives or runs a hook, not both");
                return None;
            }
        };
        let mut checks = Vec::new();
        for check in rs.expect {
            if let Some(c) = self.check(check) {
                if c.kind.needs_browser() {
                    self.error(
                        span.clone(),
                        "a `receive` or `hook` step has no authorization response",
                    );
                }
                checks.push(c);
            }
        }
        let captures = self.captures(
            rs.capture,
            "`json:/pointer`, `header:name` or `status`, optionally ending in `?`",
        );
        let (line, _) = self.source.line_col(span.start);
        Some(Step::Request(Box::new(RequestStep {
            to,
            method: "POST".into(),
            client,
            auth: AuthMode::Configured,
            form: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            json: None,
            captures,
            wait: rs.wait.as_ref().and_then(|w| self.seconds(w, "wait")),
            wait_extra: rs.wait_extra.unwrap_or(0.0),
            repeat: Repetition::Once,
            set,
            auth_spec: None,
            browser: None,
            setup: in_flow || rs.setup.unwrap_or(false),
            premise: false,
            checks,
            agent,
            as_client,
            origin: Origin {
                file: self.source.path.display().to_string(),
                line,
            },
        })))
    }
}
