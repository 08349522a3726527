//! Loading suites: reads `flows.toml` and `<spec>/<group>.toml`, parses with spans and
//! validates into the [`Catalog`]. Every mistake becomes a [`Diagnostic`].

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

mod check;

use super::model::*;
use super::raw::{self, RawStep};
use super::template::Template;
use super::vocab::{AuthMode, Capability, Endpoint, Level, Role};
use crate::diagnostic::{self, Diagnostic, Source};

const FLOWS_FILE: &str = "flows.toml";

/// Loads every suite under `root` (one folder per specification) and its flows.
pub fn load_dir(root: &Path) -> Result<Catalog, Vec<Diagnostic>> {
    let mut files = Vec::new();
    let entries = std::fs::read_dir(root).map_err(|e| {
        vec![Diagnostic::whole_file(
            root,
            format!("cannot read suites folder: {e}"),
        )]
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut toml_files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        toml_files.sort();
        files.extend(toml_files);
    }
    load_files(Some(root), &files)
}

/// Loads the given suite files, with the flows of `root` (if any). Used by `check FILE`.
pub fn load_files(root: Option<&Path>, files: &[PathBuf]) -> Result<Catalog, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut catalog = Catalog::default();
    if let Some(root) = root {
        let path = root.join(FLOWS_FILE);
        if path.exists() {
            match read_source(&path) {
                Ok(source) => catalog.flows = load_flows(&source, &mut diags),
                Err(d) => diags.push(d),
            }
        }
    }
    let mut seen: BTreeMap<String, Origin> = BTreeMap::new();
    for path in files {
        let source = match read_source(path) {
            Ok(s) => s,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        for case in load_suite(&source, &catalog, &mut diags) {
            if let Some(first) = seen.get(&case.id) {
                diags.push(Diagnostic::new(
                    &source,
                    0..0,
                    format!(
                        "duplicate case id `{}` (first defined at {}:{})",
                        case.id, first.file, first.line
                    ),
                ));
                continue;
            }
            seen.insert(case.id.clone(), case.origin.clone());
            catalog.cases.push(case);
        }
    }
    if diags.is_empty() {
        Ok(catalog)
    } else {
        Err(diags)
    }
}

fn read_source(path: &Path) -> Result<Source, Diagnostic> {
    std::fs::read_to_string(path)
        .map(|text| Source::new(path, text))
        .map_err(|e| Diagnostic::whole_file(path, format!("cannot read file: {e}")))
}

/// Parses and validates the flows file.
pub fn load_flows(source: &Source, diags: &mut Vec<Diagnostic>) -> Vec<Flow> {
    let file: raw::FlowsFile = match toml::from_str(&source.text) {
        Ok(f) => f,
        Err(e) => {
            diags.push(diagnostic::from_toml(source, &e));
            return Vec::new();
        }
    };
    let mut flows = Vec::new();
    let mut names = BTreeSet::new();
    for raw_flow in file.flows {
        let raw_flow = raw_flow.into_inner();
        let name = raw_flow.name.get_ref().clone();
        if !names.insert(name.clone()) {
            diags.push(Diagnostic::new(
                source,
                raw_flow.name.span(),
                format!("duplicate flow `{name}`"),
            ));
        }
        let mut cx = Validator {
            source,
            diags,
            defined: BTreeSet::new(),
            catalog: None,
        };
        let mut steps = Vec::new();
        for step in raw_flow.steps {
            match cx.step(step, true) {
                Some(Step::Request(s)) => steps.push(*s),
                Some(Step::Flow(_)) => {} // reported by `step`
                None => {}
            }
        }
        if steps.is_empty() {
            cx.error(
                raw_flow.name.span(),
                "a flow needs at least one `[[flow.step]]`",
            );
        }
        flows.push(Flow {
            name,
            description: raw_flow.description,
            steps,
        });
    }
    flows
}

/// Parses and validates one suite file; its cases are returned even if some are broken
/// (their diagnostics are pushed), so that one run reports everything.
pub fn load_suite(source: &Source, catalog: &Catalog, diags: &mut Vec<Diagnostic>) -> Vec<Case> {
    let file: raw::SuiteFile = match toml::from_str(&source.text) {
        Ok(f) => f,
        Err(e) => {
            diags.push(diagnostic::from_toml(source, &e));
            return Vec::new();
        }
    };
    let folder = source
        .path
        .parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = source
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let before = diags.len();
    let mut cx = Validator {
        source,
        diags,
        defined: BTreeSet::new(),
        catalog: Some(catalog),
    };
    let file_needs = cx.capabilities(&file.needs);
    if file.cases.is_empty() {
        cx.error(0..0, "a suite file needs at least one `[[case]]`");
    }
    let mut cases = Vec::new();
    for raw_case in file.cases {
        let case_span = raw_case.span();
        let rc = raw_case.into_inner();
        cx.defined.clear();
        let slug = rc.slug.get_ref();
        if slug.is_empty()
            || !slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            cx.error_expected(
                rc.slug.span(),
                format!("invalid slug `{slug}`"),
                "lowercase letters, digits and `-`",
            );
        }
        let level = cx.level(&rc.level).unwrap_or(Level::Must);
        let mut needs = file_needs.clone();
        needs.extend(cx.capabilities(&rc.needs));
        if rc
            .proof
            .get_ref()
            .parse::<reference_server::Fault>()
            .is_err()
        {
            let names: Vec<&str> = reference_server::Fault::ALL
                .iter()
                .map(|f| f.name())
                .collect();
            cx.error_expected(
                rc.proof.span(),
                format!("unknown fault `{}`", rc.proof.get_ref()),
                format!("a reference-server fault such as `{}`", names[0]),
            );
        }
        for (field, value) in [
            ("title", &rc.title),
            ("section", &rc.section),
            ("requirement", &rc.requirement),
        ] {
            if value.get_ref().trim().is_empty() {
                cx.error(value.span(), format!("`{field}` must not be empty"));
            }
        }
        if rc.steps.is_empty() {
            cx.error(
                case_span.clone(),
                "a case needs at least one `[[case.step]]`",
            );
        }
        let mut steps = Vec::new();
        for step in rc.steps {
            if let Some(s) = cx.step(step, false) {
                steps.push(s);
            }
        }
        let (line, _) = source.line_col(case_span.start);
        cases.push(Case {
            id: format!("{folder}/{stem}/{slug}"),
            spec: file.spec.get_ref().clone(),
            section: rc.section.into_inner(),
            level,
            requirement: rc.requirement.into_inner(),
            title: rc.title.into_inner(),
            description: rc.description,
            needs,
            proof: rc.proof.into_inner(),
            steps,
            origin: Origin {
                file: source.path.display().to_string(),
                line,
            },
        });
    }
    if diags.len() > before {
        // Broken cases are not handed on: the caller fails the load anyway.
        return Vec::new();
    }
    cases
}

struct Validator<'a> {
    source: &'a Source,
    diags: &'a mut Vec<Diagnostic>,
    /// Captured names set so far in the case, in step order.
    defined: BTreeSet<String>,
    /// `None` while loading flows (flows cannot use flows).
    catalog: Option<&'a Catalog>,
}

impl Validator<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diags.push(Diagnostic::new(self.source, span, message));
    }

    fn error_expected(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::new(self.source, span, message).expected(expected));
    }

    fn level(&mut self, raw: &Spanned<String>) -> Option<Level> {
        let level = Level::parse(raw.get_ref());
        if level.is_none() {
            self.error_expected(
                raw.span(),
                format!("unknown level `{}`", raw.get_ref()),
                Level::expected(),
            );
        }
        level
    }

    fn capabilities(&mut self, raw: &[Spanned<String>]) -> BTreeSet<Capability> {
        let mut set = BTreeSet::new();
        for r in raw {
            match Capability::parse(r.get_ref()) {
                Some(c) => {
                    set.insert(c);
                }
                None => self.error_expected(
                    r.span(),
                    format!("unknown capability `{}`", r.get_ref()),
                    Capability::expected(),
                ),
            }
        }
        set
    }

    fn role(&mut self, raw: &Spanned<String>) -> Option<Role> {
        let role = Role::parse(raw.get_ref());
        if role.is_none() {
            self.error_expected(
                raw.span(),
                format!("unknown client role `{}`", raw.get_ref()),
                Role::expected(),
            );
        }
        role
    }

    /// Parses a template at `span` (the span of a quoted TOML string) and checks that the
    /// captured names it reads are already set.
    fn template(&mut self, text: &str, span: Range<usize>) -> Option<Template> {
        match Template::parse(text) {
            Ok(t) => {
                let missing: Vec<String> = t
                    .vars()
                    .filter(|v| !self.defined.contains(*v))
                    .map(str::to_string)
                    .collect();
                for v in missing {
                    let known = if self.defined.is_empty() {
                        "nothing has been captured yet".to_string()
                    } else {
                        let names: Vec<&str> = self.defined.iter().map(String::as_str).collect();
                        format!("captured so far: {}", names.join(", "))
                    };
                    self.error(
                        span.clone(),
                        format!("`{{{{{v}}}}}` is used before it is captured ({known})"),
                    );
                }
                Some(t)
            }
            Err(e) => {
                // +1 skips the opening quote of a basic string.
                let at = span.start + 1 + e.offset;
                let d = Diagnostic::new(self.source, at..at + 2, e.message);
                self.diags.push(match e.expected {
                    Some(x) => d.expected(x),
                    None => d,
                });
                None
            }
        }
    }

    fn params(
        &mut self,
        raw: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
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
                _ => self.error_expected(
                    span,
                    format!("parameter `{name}` has an unsupported value"),
                    "a string, an integer or a list of strings",
                ),
            }
        }
        out
    }

    fn step(&mut self, raw: Spanned<RawStep>, in_flow: bool) -> Option<Step> {
        let span = raw.span();
        let rs = raw.into_inner();
        if let Some(flow_name) = &rs.use_flow {
            return self.flow_use(span, rs.use_flow.clone()?, flow_name, &rs, in_flow);
        }
        if let Some(alias) = &rs.alias {
            self.error(alias.span(), "`as` only goes with `use`");
        }
        let Some(endpoint_raw) = &rs.endpoint else {
            self.error_expected(
                span,
                "a step needs `endpoint` or `use`",
                "`endpoint = \"token\"` or `use = \"<flow>\"`",
            );
            return None;
        };
        let endpoint = Endpoint::parse(endpoint_raw.get_ref());
        if endpoint.is_none() {
            self.error_expected(
                endpoint_raw.span(),
                format!("unknown endpoint `{}`", endpoint_raw.get_ref()),
                Endpoint::expected(),
            );
        }
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
            None => endpoint
                .map_or("POST", Endpoint::default_method)
                .to_string(),
        };
        let client = rs.client.as_ref().and_then(|c| self.role(c));
        let auth = match &rs.auth {
            Some(a) => AuthMode::parse(a.get_ref()).or_else(|| {
                self.error_expected(
                    a.span(),
                    format!("unknown auth mode `{}`", a.get_ref()),
                    AuthMode::expected(),
                );
                None
            })?,
            None => AuthMode::Configured,
        };
        if rs.form.is_some() && rs.json.is_some() {
            let s = rs.json.as_ref().map(|j| j.span()).unwrap_or(span.clone());
            self.error(s, "a step sends either `form` or `json`, not both");
        }
        // `set` comes first: the request's own templates may read what it sets.
        let mut set = Vec::new();
        for (name, value) in rs.set.unwrap_or_default() {
            if let Some(t) = self.template(value.get_ref(), value.span()) {
                set.push((name.clone(), t));
            }
            self.defined.insert(name);
        }
        let browser = match &rs.browser {
            None => None,
            Some(b) => {
                if endpoint.is_some_and(|e| e != Endpoint::Authorization) {
                    self.error(
                        b.span(),
                        "`browser` goes with `endpoint = \"authorization\"`",
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
                Some(Browser { login, consent })
            }
        };
        let wait = rs.wait.as_ref().and_then(|w| self.seconds(w, "wait"));
        let poll = rs.poll.as_ref().and_then(|w| self.seconds(w, "poll"));
        if wait.is_some() && poll.is_some() {
            let span = rs.poll.as_ref().map_or(span.clone(), |p| p.span());
            self.error(span, "a step either waits or polls, not both");
        }
        let form = self.params(rs.form);
        let query = self.params(rs.query);
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
                checks.push(c);
            }
        }
        let mut captures = Vec::new();
        for (name, source) in rs.capture.unwrap_or_default() {
            let parsed = parse_capture(source.get_ref());
            match parsed {
                Some(c) => {
                    self.defined.insert(name.clone());
                    captures.push((name, c));
                }
                None => self.error_expected(
                    source.span(),
                    format!("invalid capture source `{}`", source.get_ref()),
                    "`json:/pointer`, `header:name`, `callback:name`, `jwt:/pointer:/claim` or `status`",
                ),
            }
        }
        let (line, _) = self.source.line_col(span.start);
        Some(Step::Request(Box::new(RequestStep {
            endpoint: endpoint?,
            method,
            client,
            auth,
            form,
            query,
            headers,
            json,
            captures,
            wait,
            wait_extra: rs.wait_extra.unwrap_or(0),
            poll,
            set,
            browser,
            setup: in_flow || rs.setup.unwrap_or(false),
            checks,
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
            self.error(s, "a step with `use` takes only `as` and `client`");
        }
        if rs.capture.is_some() || !rs.expect.is_empty() || rs.setup.is_some() || rs.set.is_some() {
            self.error(span, "a step with `use` takes only `as` and `client`");
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
            self.error_expected(
                name.span(),
                format!("unknown flow `{}`", name.get_ref()),
                if names.is_empty() {
                    "a flow defined in flows.toml (none are)".to_string()
                } else {
                    names.join(", ")
                },
            );
            return None;
        };
        for c in flow.captures() {
            self.defined.insert(match &alias {
                Some(a) => format!("{a}.{c}"),
                None => c.to_string(),
            });
        }
        Some(Step::Flow(FlowUse {
            flow: name.into_inner(),
            alias,
            client,
        }))
    }

    /// A number of seconds, written as a number or a template.
    fn seconds(&mut self, raw: &Spanned<toml::Value>, what: &str) -> Option<Template> {
        match raw.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => Some(Template::literal(&i.to_string())),
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

    fn json_templates(&mut self, value: &serde_json::Value, span: Range<usize>) {
        match value {
            serde_json::Value::String(s) => {
                self.template(s, span);
            }
            serde_json::Value::Array(items) => {
                for i in items {
                    self.json_templates(i, span.clone());
                }
            }
            serde_json::Value::Object(map) => {
                for v in map.values() {
                    self.json_templates(v, span.clone());
                }
            }
            _ => {}
        }
    }
}

fn parse_capture(s: &str) -> Option<CaptureSource> {
    if s == "status" {
        return Some(CaptureSource::Status);
    }
    if let Some(p) = s.strip_prefix("json:") {
        return (p.is_empty() || p.starts_with('/')).then(|| CaptureSource::Json(p.to_string()));
    }
    if let Some(rest) = s.strip_prefix("jwt:") {
        let (token, claim) = rest.split_once(":")?;
        let ok = |p: &str| p.is_empty() || p.starts_with('/');
        return (ok(token) && ok(claim)).then(|| CaptureSource::Jwt {
            token: token.to_string(),
            claim: claim.to_string(),
        });
    }
    if let Some(p) = s.strip_prefix("callback:") {
        return (!p.is_empty()).then(|| CaptureSource::Callback(p.to_string()));
    }
    if let Some(h) = s.strip_prefix("header:") {
        return (!h.is_empty()).then(|| CaptureSource::Header(h.to_ascii_lowercase()));
    }
    None
}

/// TOML values become JSON values; datetimes (which JSON lacks) become strings.
pub fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}
