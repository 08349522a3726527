//! Loading steps: a request step (`endpoint` or `url`, parameters, authentication, the
//! browser walk, waits and repetitions, checks, captures) or the use of a flow (`use`,
//! `as`, `client`, `with`).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::{Validator, parse_capture, toml_to_json};
use crate::diagnostic::Diagnostic;
use crate::suite::model::*;
use crate::suite::raw::{RawPollSpec, RawRepeat, RawStep};
use crate::suite::template::Template;
use crate::suite::vocab::{Endpoint, Role};

impl Validator<'_> {
    /// Request parameters. A `{ jwt = {...} }` value is built when the step runs: it
    /// becomes a `set` value read by the parameter.
    fn params(
        &mut self,
        raw: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
        set: &mut Vec<(String, SetValue)>,
    ) -> Vec<(String, Template)> {
        let mut out = Vec::new();
        let Some(raw) = raw else { return out };
        for (name, value) in raw.into_inner() {
            let span = value.span();
            match value.into_inner() {
                toml::Value::String(s) => {
                    if let Some(t) = self.template(&s, span) {
                        out.push((name, t));
                    }
                }
                // A list repeats the parameter: how duplicate-parameter cases are written.
                toml::Value::Array(items) => {
                    for item in items {
                        match item {
                            toml::Value::String(s) => {
                                if let Some(t) = self.template(&s, span.clone()) {
                                    out.push((name.clone(), t));
                                }
                            }
                            _ => self.error_expected(
                                span.clone(),
                                format!("parameter `{name}` has a non-string value"),
                                "a string",
                            ),
                        }
                    }
                }
                toml::Value::Integer(i) => out.push((name, Template::literal(&i.to_string()))),
                toml::Value::Table(t) if t.contains_key("jwt") => {
                    if let Some(spec) = self.jwt_value(toml::Value::Table(t), span) {
                        let var = format!("jwt_param_{name}");
                        set.push((var.clone(), SetValue::Jwt(Box::new(spec))));
                        self.defined.insert(var.clone());
                        if let Ok(t) = Template::parse(&format!("{{{{{var}}}}}")) {
                            out.push((name, t));
                        }
                    }
                }
                _ => self.error_expected(
                    span,
                    format!("parameter `{name}` has an unsupported value"),
                    "a string, an integer, a list of strings or `{ jwt = {...} }`",
                ),
            }
        }
        out
    }

    pub(super) fn step(&mut self, raw: Spanned<RawStep>, in_flow: bool) -> Option<Step> {
        let span = raw.span();
        let rs = raw.into_inner();
        if let Some(flow_name) = &rs.use_flow {
            return self.flow_use(span, rs.use_flow.clone()?, flow_name, &rs, in_flow);
        }
        if let Some(alias) = &rs.alias {
            self.error(alias.span(), "`as` only goes with `use`");
        }
        if rs.with.is_some() {
            self.error(span.clone(), "`with` only goes with `use`");
        }
        if rs.receive.is_some() || rs.hook.is_some() || rs.host.is_some() {
            return self.out_of_band(span, rs, in_flow);
        }
        for (key, given) in [
            ("timeout", rs.timeout.as_ref().map(|t| t.span())),
            ("respond", rs.respond.as_ref().map(|t| t.span())),
            ("args", rs.args.as_ref().map(|_| span.clone())),
            ("expect_none", rs.expect_none.map(|_| span.clone())),
        ] {
            if let Some(at) = given {
                self.error(
                    at,
                    format!("`{key}` goes with a `receive`, `host` or `hook` step"),
                );
            }
        }
        if let Some(r) = &rs.route {
            self.error(r.span(), "`route` goes with a `receive` step");
        }
        let (endpoint, url) = match (&rs.endpoint, &rs.url) {
            (Some(e), None) => {
                let endpoint = Endpoint::parse(e.get_ref());
                if endpoint.is_none() {
                    self.unknown_name(e, "endpoint", Endpoint::NAMES);
                }
                (endpoint, None)
            }
            (None, Some(u)) => (None, Some(self.template(u.get_ref(), u.span())?)),
            _ => {
                self.error_expected(
                    span,
                    "a step needs exactly one of `endpoint`, `url` or `use`",
                    "`endpoint = \"token\"`, `url = \"{{reg.registration_client_uri}}\"` or \
                     `use = \"<flow>\"`",
                );
                return None;
            }
        };
        let method = match &rs.method {
            Some(m) => {
                const METHODS: [&str; 7] =
                    ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
                if !METHODS.contains(&m.get_ref().as_str()) {
                    self.error_expected(
                        m.span(),
                        format!("unknown method `{}`", m.get_ref()),
                        "GET, POST, PUT, DELETE, PATCH, HEAD or OPTIONS",
                    );
                }
                m.get_ref().clone()
            }
            None if url.is_some() => "GET".to_string(),
            None => endpoint
                .map_or("POST", Endpoint::default_method)
                .to_string(),
        };
        let client = rs.client.as_ref().and_then(|c| self.role(c));
        let agent = rs.agent.as_ref().map(|a| a.get_ref().clone());
        let as_client = rs.as_client.as_ref().and_then(|c| self.as_client(c));
        let (auth, auth_spec) = self.auth(rs.auth);
        if rs.form.is_some() && rs.json.is_some() {
            let s = rs.json.as_ref().map(|j| j.span()).unwrap_or(span.clone());
            self.error(s, "a step sends either `form` or `json`, not both");
        }
        // `set` comes first: the request's own templates may read what it sets.
        let mut set = self.set_values(rs.set);
        let browser = match &rs.browser {
            None => None,
            Some(b) => {
                // Pages a person visits: the authorization request, the device
                // verification page (RFC 8628 §3.3), or any URL.
                if !matches!(
                    endpoint,
                    Some(Endpoint::Authorization | Endpoint::DeviceVerification)
                ) && url.is_none()
                {
                    self.error(
                        b.span(),
                        "`browser` goes with `endpoint = \"authorization\"`, \
                         `endpoint = \"device_verification\"` or a `url`",
                    );
                }
                let raw = b.get_ref();
                let login = match &raw.login {
                    None => Some("primary".to_string()),
                    Some(l) if l.get_ref() == "none" => None,
                    Some(l) => Some(l.get_ref().clone()),
                };
                let consent = match raw
                    .consent
                    .as_ref()
                    .map(|c| (c.get_ref().as_str(), c.span()))
                {
                    None | Some(("allow", _)) => Consent::Allow,
                    Some(("deny", _)) => Consent::Deny,
                    Some(("none", _)) => Consent::None,
                    Some((other, span)) => {
                        self.error_expected(
                            span,
                            format!("unknown consent `{other}`"),
                            "`allow`, `deny` or `none`",
                        );
                        Consent::Allow
                    }
                };
                let mut fill = Vec::new();
                for (name, value) in raw.fill.iter().flatten() {
                    if let Some(t) = self.template(value.get_ref(), value.span()) {
                        fill.push((name.clone(), t));
                    }
                }
                Some(Browser {
                    login,
                    consent,
                    fill,
                })
            }
        };
        let wait = rs.wait.as_ref().and_then(|w| self.seconds(w, "wait"));
        let repeat = self.repetition(rs.poll, rs.repeat);
        if wait.is_some() && !matches!(repeat, Repetition::Once) {
            self.error(
                span.clone(),
                "a step either waits or repeats (`poll`, `repeat`), not both",
            );
        }
        if method == "GET" && rs.form.is_some() {
            let s = rs.form.as_ref().map_or(span.clone(), |f| f.span());
            self.error_expected(
                s,
                "a GET request has no form body",
                "`query` instead of `form`",
            );
        }
        let form = self.params(rs.form, &mut set);
        let query = self.params(rs.query, &mut set);
        let mut headers = Vec::new();
        if let Some(h) = rs.headers {
            for (name, value) in h.into_inner() {
                let span = value.span();
                if let Some(t) = self.template(value.get_ref(), span) {
                    headers.push((name.to_ascii_lowercase(), t));
                }
            }
        }
        let json = rs.json.map(|j| {
            let span = j.span();
            let value = toml_to_json(j.into_inner());
            self.json_templates(&value, span);
            value
        });
        // Checks may read what this step's own request used, but not what it captures:
        // captures are taken after the checks pass.
        let mut checks = Vec::new();
        for check in rs.expect {
            if let Some(c) = self.check(check) {
                if c.attempts == Attempts::Any && !matches!(repeat, Repetition::Repeat { .. }) {
                    self.error(
                        span.clone(),
                        "`attempts = \"any\"` only goes with a step that has `repeat`",
                    );
                }
                if browser.is_none() && c.kind.needs_browser() {
                    self.error(
                        span.clone(),
                        "`callback`, `delivered` and `post_redirects_use` checks need a `browser` step",
                    );
                }
                checks.push(c);
            }
        }
        let captures = self.captures(
            rs.capture,
            "`json:/pointer`, `header:name`, `callback:name`, `jwt:/pointer:/claim`, \
             `html:<css selector>@<attribute>` or `status`, optionally ending in `?`",
        );
        let (line, _) = self.source.line_col(span.start);
        let to = match url {
            Some(u) => Destination::Url(u),
            None => Destination::Endpoint(endpoint?),
        };
        Some(Step::Request(Box::new(RequestStep {
            to,
            method,
            client,
            auth,
            form,
            query,
            headers,
            json,
            captures,
            wait,
            wait_extra: rs.wait_extra.unwrap_or(0.0),
            repeat,
            set,
            auth_spec,
            browser,
            setup: in_flow || rs.setup.unwrap_or(false) || rs.premise.unwrap_or(false),
            premise: rs.premise.unwrap_or(false),
            checks,
            agent,
            as_client,
            origin: Origin {
                file: self.source.path.display().to_string(),
                line,
            },
        })))
    }

    fn flow_use(
        &mut self,
        span: Range<usize>,
        name: Spanned<String>,
        _name_ref: &Spanned<String>,
        rs: &RawStep,
        in_flow: bool,
    ) -> Option<Step> {
        if in_flow {
            self.error(name.span(), "a flow cannot use another flow");
            return None;
        }
        let extra = [
            rs.endpoint.as_ref().map(|s| s.span()),
            rs.url.as_ref().map(|s| s.span()),
            rs.agent.as_ref().map(|s| s.span()),
            rs.as_client.as_ref().map(|s| s.span()),
            rs.receive.as_ref().map(|s| s.span()),
            rs.route.as_ref().map(|s| s.span()),
            rs.hook.as_ref().map(|s| s.span()),
            rs.host.as_ref().map(|s| s.span()),
            rs.repeat.as_ref().map(|s| s.span()),
            rs.method.as_ref().map(|s| s.span()),
            rs.auth.as_ref().map(|s| s.span()),
            rs.form.as_ref().map(|s| s.span()),
            rs.query.as_ref().map(|s| s.span()),
            rs.headers.as_ref().map(|s| s.span()),
            rs.json.as_ref().map(|s| s.span()),
            rs.wait.as_ref().map(|s| s.span()),
            rs.poll.as_ref().map(|s| s.span()),
            rs.browser.as_ref().map(|s| s.span()),
        ];
        if let Some(s) = extra.into_iter().flatten().next() {
            self.error(s, "a step with `use` takes only `as`, `client` and `with`");
        }
        if rs.capture.is_some()
            || !rs.expect.is_empty()
            || rs.setup.is_some()
            || rs.premise.is_some()
            || rs.set.is_some()
        {
            self.error(
                span,
                "a step with `use` takes only `as`, `client` and `with`",
            );
        }
        let client = rs.client.as_ref().and_then(|c| self.role(c));
        let alias = rs.alias.as_ref().map(|a| a.get_ref().clone());
        let catalog = self.catalog?;
        let Some(flow) = catalog.flow(name.get_ref()) else {
            let names: Vec<String> = catalog
                .flows
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect();
            let known: Vec<&str> = catalog.flows.iter().map(|f| f.name.as_str()).collect();
            let mut d = Diagnostic::new(
                self.source,
                name.span(),
                format!("unknown flow `{}`", name.get_ref()),
            )
            .expected(if names.is_empty() {
                "a flow defined in flows.toml (none are)".to_string()
            } else {
                names.join(", ")
            });
            if let Some(s) = super::did_you_mean(name.get_ref(), &known) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return None;
        };
        let mut with = Vec::new();
        for (arg, value) in rs.with.clone().unwrap_or_default() {
            if !flow.args.iter().any(|(n, _)| *n == arg) {
                let known: Vec<&str> = flow.args.iter().map(|(n, _)| n.as_str()).collect();
                let mut d = Diagnostic::new(
                    self.source,
                    value.span(),
                    format!("flow `{}` takes no argument `{arg}`", flow.name),
                )
                .expected(if known.is_empty() {
                    "no `with` (the flow declares no `args`)".to_string()
                } else {
                    format!("one of {}", known.join(", "))
                });
                if let Some(s) = super::did_you_mean(&arg, &known) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.diags.push(d);
                continue;
            }
            if let Some(t) = self.template(value.get_ref(), value.span()) {
                with.push((arg, t));
            }
        }
        for c in flow.names() {
            self.defined.insert(match &alias {
                Some(a) => format!("{a}.{c}"),
                None => c.to_string(),
            });
        }
        Some(Step::Flow(FlowUse {
            flow: name.into_inner(),
            alias,
            client,
            with,
        }))
    }

    /// A number of seconds, written as a number or a template.
    pub(super) fn seconds(&mut self, raw: &Spanned<toml::Value>, what: &str) -> Option<Template> {
        match raw.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => Some(Template::literal(&i.to_string())),
            toml::Value::Float(f) if *f >= 0.0 && f.is_finite() => {
                Some(Template::literal(&f.to_string()))
            }
            toml::Value::String(s) => self.template(s, raw.span()),
            _ => {
                self.error_expected(
                    raw.span(),
                    format!("invalid `{what}`"),
                    "a number of seconds or a template such as \"{{a.expires_in}}\"",
                );
                None
            }
        }
    }

    /// `as_client = "dyn"`: only the roles a case registers itself can be named.
    /// A step's `capture` table; each name is defined from here on. `expected` lists the
    /// sources that make sense for the kind of step.
    pub(super) fn captures(
        &mut self,
        raw: Option<BTreeMap<String, Spanned<String>>>,
        expected: &str,
    ) -> Vec<Capture> {
        let mut captures = Vec::new();
        for (name, source) in raw.unwrap_or_default() {
            match parse_capture(source.get_ref()) {
                Some((c, optional)) => {
                    self.defined.insert(name.clone());
                    captures.push(Capture {
                        name,
                        source: c,
                        optional,
                    });
                }
                None => self.error_expected(
                    source.span(),
                    format!("invalid capture source `{}`", source.get_ref()),
                    expected,
                ),
            }
        }
        captures
    }

    pub(super) fn as_client(&mut self, raw: &Spanned<String>) -> Option<Role> {
        let role = self.role(raw)?;
        if !matches!(role, Role::Dyn | Role::Dyn2) {
            self.error_expected(
                raw.span(),
                format!("`as_client` cannot replace the configured `{role}` client"),
                "`dyn` or `dyn2`",
            );
        }
        Some(role)
    }

    /// `poll` (seconds, or the RFC polling table) and `repeat`.
    fn repetition(
        &mut self,
        poll: Option<Spanned<RawPollSpec>>,
        repeat: Option<Spanned<RawRepeat>>,
    ) -> Repetition {
        match (poll, repeat) {
            (None, None) => Repetition::Once,
            (Some(p), Some(r)) => {
                let _ = p;
                self.error(r.span(), "a step either polls or repeats, not both");
                Repetition::Once
            }
            (None, Some(r)) => {
                let span = r.span();
                let r = r.into_inner();
                if !(2..=100).contains(&r.times) {
                    self.error_expected(span, "invalid `repeat.times`", "2 to 100");
                    return Repetition::Once;
                }
                let every = match &r.every {
                    Some(e) => self.seconds(e, "repeat.every"),
                    None => Some(Template::literal("0")),
                };
                match every {
                    Some(every) => Repetition::Repeat {
                        times: r.times,
                        every,
                    },
                    None => Repetition::Once,
                }
            }
            (Some(p), None) => {
                let span = p.span();
                match p.into_inner() {
                    RawPollSpec::Seconds(v) => self
                        .seconds(&Spanned::new(span, v), "poll")
                        .map_or(Repetition::Once, Repetition::UntilHolds),
                    RawPollSpec::Table(t) => {
                        let mut while_pending = Vec::new();
                        for c in t.while_pending {
                            if let Some(k) = self.bare_check(c, "a `while` check") {
                                while_pending.push(k);
                            }
                        }
                        if while_pending.is_empty() {
                            self.error(span.clone(), "`poll.while` needs at least one check");
                        }
                        let mut back_off = Vec::new();
                        for b in t.back_off {
                            if !(b.add.is_finite() && b.add >= 0.0) {
                                self.error(span.clone(), "`back_off.add` is a number of seconds");
                            }
                            if let Some(when) = self.bare_check(b.when, "a `back_off` guard") {
                                back_off.push(BackOff { when, add: b.add });
                            }
                        }
                        let every = self.seconds(&t.every, "poll.every");
                        let for_secs = self.seconds(&t.for_secs, "poll.for");
                        match (every, for_secs) {
                            (Some(every), Some(for_secs)) => Repetition::Poll(Poll {
                                while_pending,
                                every,
                                back_off,
                                for_secs,
                            }),
                            _ => Repetition::Once,
                        }
                    }
                }
            }
        }
    }
}
