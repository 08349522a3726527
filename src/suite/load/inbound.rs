//! Loading the steps that do not send a request: `receive` (a request the server sends
//! to the callback listener, with its answer or `expect_none`; with `route`, a CIBA
//! notification at the shared path chosen by its `auth_req_id`), `host` (a document the
//! listener serves from then on) and `hook` (an out-of-band action a hook driver performs).

use std::ops::Range;

use super::{Validator, toml_to_json};
use crate::suite::model::*;
use crate::suite::raw::{RawAnswer, RawStep};
use crate::suite::template::Template;
use crate::suite::vocab::AuthMode;
use toml::Spanned;

impl Validator<'_> {
    /// A `receive` step (judge a request the server sends to the listener), a `host` step
    /// (serve a document there) or a `hook` step (an out-of-band action). None sends a
    /// request of its own.
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
                    format!("`{key}` does not go with a `receive`, `host` or `hook` step"),
                );
            }
        }
        let client = rs.client.as_ref().and_then(|c| self.role(c));
        let agent = rs.agent.as_ref().map(|a| a.get_ref().clone());
        let as_client = rs.as_client.as_ref().and_then(|c| self.as_client(c));
        let set = self.set_values(rs.set);
        let to = match (rs.receive, rs.hook, rs.host) {
            (None, None, Some(h)) => {
                for (key, given) in [
                    ("timeout", rs.timeout.is_some()),
                    ("route", rs.route.is_some()),
                    ("expect_none", rs.expect_none.is_some()),
                    ("args", rs.args.is_some()),
                    ("capture", rs.capture.is_some()),
                    ("expect", !rs.expect.is_empty()),
                ] {
                    if given {
                        self.error(
                            span.clone(),
                            format!("`{key}` does not go with a `host` step"),
                        );
                    }
                }
                let Some(a) = rs.respond else {
                    self.error_expected(
                        span,
                        "a `host` step needs `respond`",
                        "`respond = { headers = { content-type = \"...\" }, body = \"{{...}}\" }`",
                    );
                    return None;
                };
                let respond = self.answer(a, 200)?;
                Destination::Host(Host {
                    name: h.into_inner(),
                    respond,
                })
            }
            (Some(r), None, None) => {
                if rs.args.is_some() {
                    self.error(span.clone(), "`args` goes with a `hook` step");
                }
                let timeout = match &rs.timeout {
                    Some(t) => self.seconds(t, "timeout")?,
                    None => Template::literal("10"),
                };
                let respond = match rs.respond {
                    Some(a) => Some(self.answer(a, 204)?),
                    None => None,
                };
                let route = match &rs.route {
                    Some(t) => Some(self.template(t.get_ref(), t.span())?),
                    None => None,
                };
                Destination::Receive(Receive {
                    name: r.into_inner(),
                    route,
                    timeout,
                    expect_none: rs.expect_none.unwrap_or(false),
                    respond,
                })
            }
            (None, Some(h), None) => {
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
                self.error(
                    span,
                    "a step receives, hosts or runs a hook: one of `receive`, `host`, `hook`",
                );
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

    /// A `respond` table: status (`default` unless given), header and body templates.
    fn answer(&mut self, a: Spanned<RawAnswer>, default: u16) -> Option<Answer> {
        let at = a.span();
        let a = a.into_inner();
        let mut headers = Vec::new();
        for (name, value) in a.headers {
            if let Some(t) = self.template(&value, at.clone()) {
                headers.push((name, t));
            }
        }
        let status = a.status.unwrap_or(default);
        if !(100..=599).contains(&status) {
            self.error(at.clone(), "`respond.status` is an HTTP status code");
        }
        if a.json.is_some() && a.body.is_some() {
            self.error(at.clone(), "`respond` takes `json` or `body`, not both");
        }
        let body = match &a.body {
            Some(b) => Some(self.template(b, at)?),
            None => None,
        };
        Some(Answer {
            status,
            headers,
            json: a.json.map(toml_to_json),
            body,
        })
    }
}
