//! `list --explain`: a case as it will run, in words: its steps with flows expanded, each
//! request with its templates, repetition and captures, and each check in the syntax a suite
//! writes it, with the level it is judged at and the verdict a broken one yields.
//!
//! Pure text from the loaded model; no target is needed. When the caller has one, its
//! `values` renders the expressions it can (client fields, the issuer) and the rest stay
//! `{{...}}`.

use std::fmt::Write as _;

use super::model::*;
use super::requirements;
use super::template::{Expr, Part, Template};
use super::vocab::{AuthMode, Level, Role, Severity};

/// Renders an expression for the step's client role, when the caller knows its value.
pub type Values<'a> = &'a dyn Fn(Role, &Expr) -> Option<String>;

/// The explanation of one case, ending in a newline.
pub fn explain(case: &Case, values: Option<Values<'_>>) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{}", case.id);
    let _ = writeln!(w, "  {}", case.title);
    let _ = writeln!(
        w,
        "  {} §{}, {} (a broken check: {})",
        case.spec,
        case.section,
        case.level,
        verdict(case.level.severity())
    );
    let catalog = match requirements::index().get(&case.requirement) {
        Some(r) => format!(" (catalog: {} §{}, {})", r.spec, r.section, r.level),
        None if case.requirement == requirements::NEW => " (not in the catalog)".to_string(),
        None => String::new(),
    };
    let _ = writeln!(w, "  requirement {}{catalog}", case.requirement);
    let needs: Vec<&str> = case.needs.iter().map(|n| n.as_str()).collect();
    let _ = writeln!(
        w,
        "  needs [{}], proof {}, {}:{}",
        needs.join(", "),
        case.proof,
        case.origin.file,
        case.origin.line
    );
    let cx = Cx {
        level: case.level,
        values,
    };
    for s in &case.steps {
        cx.step(w, s);
    }
    for s in &case.cleanup {
        cx.step(w, s);
    }
    out
}

fn verdict(s: Severity) -> &'static str {
    match s {
        Severity::Fail => "fail",
        Severity::Warn => "warn",
        Severity::Note => "note",
    }
}

struct Cx<'a> {
    level: Level,
    values: Option<Values<'a>>,
}

impl Cx<'_> {
    fn step(&self, w: &mut String, s: &RunStep) {
        let r = &s.request;
        let _ = writeln!(w, "\n{}", s.label);
        let mut about = vec![format!("client {}", s.client)];
        // Elsewhere than at these endpoints only an explicit `auth` sends credentials.
        if r.endpoint().is_some_and(|e| e.authenticates_client()) || r.auth != AuthMode::Configured
        {
            about.push(format!("auth {}", r.auth));
        }
        if let Some(scope) = &s.scope {
            about.push(format!("captures as {scope}.<name>"));
        }
        if let Some(a) = &r.agent {
            about.push(format!("agent {a}"));
        }
        if r.setup {
            about.push("setup: a broken check is an error".into());
        }
        let _ = writeln!(w, "  {}", about.join(", "));
        self.pairs(w, "with", &s.args, s.client);
        for (i, (k, v)) in r.set.iter().enumerate() {
            let head = if i == 0 { "set" } else { "" };
            let shown = match v {
                SetValue::Text(t) => quoted(&self.t(t, s.client)),
                SetValue::Jwt(j) => jwt_spec(j),
                SetValue::Macaroon(m) => {
                    let mut parts =
                        vec![format!("token = {}", quoted(&self.t(&m.token, s.client)))];
                    if let Some(c) = &m.caveat {
                        parts.push(format!("caveat = {c}"));
                    }
                    if m.drop_last_caveat {
                        parts.push("drop_last_caveat = true".into());
                    }
                    format!("{{ macaroon = {{ {} }} }}", parts.join(", "))
                }
            };
            let _ = writeln!(w, "  {head:7} {k} = {shown}");
        }
        if let Some(a) = &r.auth_spec {
            let _ = writeln!(w, "  auth    {}", auth_spec(a));
        }
        if let Some(t) = &r.wait {
            let _ = writeln!(w, "  wait {} s (+{} s)", self.t(t, s.client), r.wait_extra);
        }
        match &r.to {
            Destination::Endpoint(e) => {
                let _ = writeln!(w, "  {} {e}", r.method);
            }
            Destination::Url(t) => {
                let _ = writeln!(w, "  {} {}", r.method, self.t(t, s.client));
            }
            Destination::Receive(rc) => {
                let mut line = format!(
                    "  receive {} within {} s",
                    rc.name,
                    self.t(&rc.timeout, s.client)
                );
                if rc.expect_none {
                    line.push_str(", expecting none");
                }
                if let Some(a) = &rc.respond {
                    let _ = write!(line, ", answering {}", a.status);
                }
                let _ = writeln!(w, "{line}");
            }
            Destination::Host(h) => {
                let _ = writeln!(w, "  host {} (answering {})", h.name, h.respond.status);
            }
            Destination::Hook(h) => {
                let _ = writeln!(w, "  hook {}", h.name);
                self.pairs(w, "args", &h.args, s.client);
            }
        }
        self.pairs(w, "query", &r.query, s.client);
        self.pairs(w, "headers", &r.headers, s.client);
        self.pairs(w, "form", &r.form, s.client);
        if let Some(j) = &r.json {
            let _ = writeln!(w, "  json {j}");
        }
        if let Some(b) = &r.browser {
            let consent = match b.consent {
                Consent::Allow => "allow",
                Consent::Deny => "deny",
                Consent::None => "none",
            };
            let _ = writeln!(
                w,
                "  browser: log in as {}, consent {consent}",
                b.login.as_deref().unwrap_or("nobody")
            );
        }
        match &r.repeat {
            Repetition::Once => {}
            Repetition::UntilHolds(t) => {
                let _ = writeln!(
                    w,
                    "  repeated every 250 ms until the checks hold, for at most {} s",
                    self.t(t, s.client)
                );
            }
            Repetition::Poll(p) => {
                let whiles: Vec<String> = p
                    .while_pending
                    .iter()
                    .map(|c| format!("{{ {} }}", check_kind(c)))
                    .collect();
                let _ = writeln!(
                    w,
                    "  polled every {} s for at most {} s while {}",
                    self.t(&p.every, s.client),
                    self.t(&p.for_secs, s.client),
                    whiles.join(" and ")
                );
                for b in &p.back_off {
                    let _ = writeln!(w, "    +{} s after {{ {} }}", b.add, check_kind(&b.when));
                }
            }
            Repetition::Repeat { times, every } => {
                let _ = writeln!(
                    w,
                    "  sent {times} times, every {} s",
                    self.t(every, s.client)
                );
            }
        }
        for c in &r.captures {
            let optional = if c.optional { " (optional)" } else { "" };
            let _ = writeln!(
                w,
                "  capture {} = {}{optional}",
                c.name,
                capture_source(&c.source)
            );
        }
        if let Some(role) = r.as_client {
            let _ = writeln!(w, "  the registered client plays `{role}` from here on");
        }
        if !r.checks.is_empty() {
            let _ = writeln!(w, "  expect");
        }
        for c in &r.checks {
            let level = c.level.unwrap_or(self.level);
            let yields = if r.setup {
                "error"
            } else {
                verdict(level.severity())
            };
            let mut line = format!("    [{level} → {yields}] {{ {} }}", check_kind(&c.kind));
            if let Some(g) = &c.when {
                let _ = write!(line, " when {{ {} }}", check_kind(g));
            }
            if c.attempts == Attempts::Any {
                line.push_str(" on any attempt");
            }
            if let Some(n) = &c.note {
                let _ = write!(line, "  # {n}");
            }
            let _ = writeln!(w, "{line}");
        }
    }

    fn pairs(&self, w: &mut String, what: &str, pairs: &[(String, Template)], role: Role) {
        for (i, (k, t)) in pairs.iter().enumerate() {
            let head = if i == 0 { what } else { "" };
            let _ = writeln!(w, "  {head:7} {k} = {}", quoted(&self.t(t, role)));
        }
    }

    /// A template as written, or with what `values` knows rendered in.
    fn t(&self, t: &Template, role: Role) -> String {
        let Some(values) = self.values else {
            return t.to_string();
        };
        let mut out = String::new();
        for p in &t.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::Expr(e) => match values(role, e) {
                    Some(v) => out.push_str(&v),
                    None if t.optional => {
                        let _ = write!(out, "{{{{?{e}}}}}");
                    }
                    None => {
                        let _ = write!(out, "{{{{{e}}}}}");
                    }
                },
            }
        }
        out
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn capture_source(c: &CaptureSource) -> String {
    match c {
        CaptureSource::Json(p) => format!("json:{p}"),
        CaptureSource::Header(h) => format!("header:{h}"),
        CaptureSource::Status => "status".into(),
        CaptureSource::Callback(p) => format!("callback:{p}"),
        CaptureSource::Jwt { token, claim } => format!("jwt:{token}:{claim}"),
        CaptureSource::Html { selector, attr } => match attr {
            Some(a) => format!("html:{selector}@{a}"),
            None => format!("html:{selector}"),
        },
    }
}

/// A check in the syntax of `expect = [{ ... }]`, without the braces.
fn check_kind(k: &CheckKind) -> String {
    match k {
        CheckKind::Status(StatusMatch::Exact(codes)) if codes.len() == 1 => {
            format!("status = {}", codes[0])
        }
        CheckKind::Status(StatusMatch::Exact(codes)) => format!("status = {codes:?}"),
        CheckKind::Status(StatusMatch::Class(c)) => format!("status = \"{c}xx\""),
        CheckKind::HeaderPresent(h) => format!("header = {}, present = true", quoted(h)),
        CheckKind::HeaderAbsent(h) => format!("header = {}, absent = true", quoted(h)),
        CheckKind::HeaderEquals(h, t) => header(h, "equals", t),
        CheckKind::HeaderContains(h, t) => header(h, "contains", t),
        CheckKind::HeaderNotContains(h, t) => header(h, "not_contains", t),
        CheckKind::ContentType(c) => format!("content_type = {}", quoted(c)),
        CheckKind::Json { pointer, test } => {
            format!("json = {}, {}", quoted(pointer), json_test(test))
        }
        CheckKind::Callback { pointer, test } => {
            format!("callback = {}, {}", quoted(pointer), json_test(test))
        }
        CheckKind::Delivered(list) if list.len() == 1 => {
            format!("delivered = {}", quoted(list[0].as_str()))
        }
        CheckKind::Delivered(list) => {
            let names: Vec<String> = list.iter().map(|d| quoted(d.as_str())).collect();
            format!("delivered = [{}]", names.join(", "))
        }
        CheckKind::PostRedirectsUse(codes) => format!("post_redirects_use = {codes:?}"),
        CheckKind::BodyContains(t) => format!("body_contains = {}", quoted(&t.to_string())),
        CheckKind::BodyNotContains(t) => {
            format!("body_not_contains = {}", quoted(&t.to_string()))
        }
        CheckKind::BodyMatches(p) => format!("body_matches = {}", quoted(p.0.as_str())),
        CheckKind::AnyOf(alts) => {
            let alts: Vec<String> = alts
                .iter()
                .map(|alt| {
                    let checks: Vec<String> = alt
                        .iter()
                        .map(|c| format!("{{ {} }}", check_kind(c)))
                        .collect();
                    format!("[{}]", checks.join(", "))
                })
                .collect();
            format!("any_of = [{}]", alts.join(", "))
        }
        CheckKind::Method(m) => format!("method = {}", quoted(m)),
        CheckKind::Value { template, test } => {
            format!(
                "value = {}, {}",
                quoted(&template.to_string()),
                json_test(test)
            )
        }
        CheckKind::JwtSigned { pointer } => {
            format!("jwt = {}, signed_by = \"jwks\"", quoted(pointer))
        }
        CheckKind::JwtHash { pointer, claim, of } => format!(
            "jwt = {}, claim = {}, hash_of = {}",
            quoted(pointer),
            quoted(claim),
            quoted(of)
        ),
        CheckKind::JwtClaim {
            pointer,
            claim,
            test,
        } => format!(
            "jwt = {}, claim = {}, {}",
            quoted(pointer),
            quoted(claim),
            json_test(test)
        ),
    }
}

/// A `{ jwt = {...} }` value as a suite writes it.
fn jwt_spec(j: &JwtSpec) -> String {
    let key = match j.key {
        KeyRef::Client(None) => "client".to_string(),
        KeyRef::Client(Some(r)) => format!("clients.{r}"),
        KeyRef::Secret(None) => "secret".to_string(),
        KeyRef::Secret(Some(r)) => format!("secrets.{r}"),
        KeyRef::Generated => "generated".to_string(),
        KeyRef::Unsecured => "none".to_string(),
    };
    let mut parts = vec![format!("key = {}", quoted(&key))];
    if let Some(alg) = &j.alg {
        parts.push(format!("alg = {}", quoted(alg)));
    }
    if !j.header.as_object().is_some_and(|o| o.is_empty()) {
        parts.push(format!("header = {}", j.header));
    }
    parts.push(format!("claims = {}", j.claims));
    format!("{{ jwt = {{ {} }} }}", parts.join(", "))
}

/// An `auth = {...}` table as a suite writes it.
fn auth_spec(a: &AuthSpec) -> String {
    let mut parts = vec![format!("method = {}", quoted(a.method.as_str()))];
    if let Some(s) = &a.secret {
        parts.push(format!("secret = {}", quoted(&s.to_string())));
    }
    if let Some(c) = &a.claims {
        parts.push(format!("claims = {c}"));
    }
    if a.wrong_key {
        parts.push("wrong_key = true".into());
    }
    format!("{{ {} }}", parts.join(", "))
}

fn header(name: &str, test: &str, value: &Template) -> String {
    format!(
        "header = {}, {test} = {}",
        quoted(name),
        quoted(&value.to_string())
    )
}

fn json_test(t: &JsonTest) -> String {
    match t {
        JsonTest::Equals(v) => format!("equals = {v}"),
        JsonTest::NotEquals(v) => format!("not_equals = {v}"),
        JsonTest::OneOf(vs) => format!("one_of = {}", serde_json::Value::from(vs.clone())),
        JsonTest::Type(ty) => format!("type = {}", quoted(ty.as_str())),
        JsonTest::Present => "present = true".into(),
        JsonTest::Absent => "absent = true".into(),
        JsonTest::Contains(v) => format!("contains = {v}"),
        JsonTest::NotContains(v) => format!("not_contains = {v}"),
        JsonTest::IncludesQueryOf(v) => format!("includes_query_of = {v}"),
        JsonTest::OnlyKeys(keys) => {
            format!("only_keys = {}", serde_json::Value::from(keys.clone()))
        }
        JsonTest::NoEmptyArrays => "no_empty_arrays = true".into(),
        JsonTest::Unique => "unique = true".into(),
        JsonTest::GreaterThan(v) => format!("greater_than = {v}"),
        JsonTest::LessThan(v) => format!("less_than = {v}"),
        JsonTest::Matches(p) => format!("matches = {}", quoted(p.0.as_str())),
        JsonTest::WordsInclude(v) => format!("words_include = {v}"),
        JsonTest::WordsExclude(v) => format!("words_exclude = {v}"),
    }
}
