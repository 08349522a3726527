//! Loading suites: reads `flows.toml` and `<spec>/<group>.toml`, parses with spans and
//! validates into the [`Catalog`]. Every mistake becomes a [`Diagnostic`].

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

mod check;
mod inbound;
mod step;
mod values;

pub(crate) use crate::diagnostic::did_you_mean;

use super::model::*;
use super::raw;
use super::requirements;
use super::template::Template;
use super::vocab::{Capability, Fault, Level, Role};
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
        // Arguments are names the flow's steps may read, set before its first step.
        let mut args = Vec::new();
        for (arg, default) in raw_flow.args {
            if let Some(t) = cx.template(default.get_ref(), default.span()) {
                args.push((arg.clone(), t));
            }
            cx.defined.insert(arg);
        }
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
            args,
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
        // `mock:<behaviour>`: a case of an engine test suite (fixtures/engine-suites),
        // proven by the misbehaving mock server its test starts, not by a fault.
        if !rc.proof.get_ref().starts_with("mock:") && rc.proof.get_ref().parse::<Fault>().is_err()
        {
            let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
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
        cx.requirement(&rc.requirement);
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
        let steps = expand(steps, catalog);
        let mut cleanup = Vec::new();
        for step in rc.cleanup {
            if let Some(s) = cx.step(step, false) {
                cleanup.push(s);
            }
        }
        let cleanup: Vec<RunStep> = expand(cleanup, catalog)
            .into_iter()
            .map(|mut s| {
                s.label = s.label.replacen("step", "cleanup", 1);
                s
            })
            .collect();
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
            cleanup,
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

/// The steps of a case as they run: each flow use replaced by the flow's steps, labelled,
/// with its client, its `as` scope and its arguments (the `with` values over the flow's
/// defaults) set before its first step.
fn expand(steps: Vec<Step>, catalog: &Catalog) -> Vec<RunStep> {
    let mut out = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        match step {
            Step::Request(s) => out.push(RunStep {
                client: s.client.unwrap_or(Role::Confidential),
                label: format!("step {} · {}", i + 1, s.to),
                scope: None,
                args: Vec::new(),
                request: *s,
            }),
            Step::Flow(u) => {
                // Validated: the flow exists.
                let Some(flow) = catalog.flow(&u.flow) else {
                    continue;
                };
                let client = u.client.unwrap_or(Role::Confidential);
                let args: Vec<(String, Template)> = flow
                    .args
                    .iter()
                    .map(|(name, default)| {
                        let value = u.with.iter().find(|(n, _)| n == name).map(|(_, t)| t);
                        (name.clone(), value.unwrap_or(default).clone())
                    })
                    .collect();
                for (k, s) in flow.steps.iter().enumerate() {
                    out.push(RunStep {
                        client: s.client.unwrap_or(client),
                        label: format!("step {} · flow {} · {}", i + 1, flow.name, s.to),
                        scope: u.alias.clone(),
                        args: if k == 0 { args.clone() } else { Vec::new() },
                        request: s.clone(),
                    });
                }
            }
        }
    }
    out
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

    /// An unknown name of a closed vocabulary: the valid names, and the closest one.
    fn unknown_name(&mut self, raw: &Spanned<String>, what: &str, names: &[&str]) {
        let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let mut d = Diagnostic::new(
            self.source,
            raw.span(),
            format!("unknown {what} `{}`", raw.get_ref()),
        )
        .expected(list.join(", "));
        if let Some(s) = did_you_mean(raw.get_ref(), names) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
    }

    fn level(&mut self, raw: &Spanned<String>) -> Option<Level> {
        let level = Level::parse(raw.get_ref());
        if level.is_none() {
            self.unknown_name(raw, "level", Level::NAMES);
        }
        level
    }

    /// A case's `requirement` names a row of the catalog's index, or is `new`. (The row's
    /// level is not compared with the case's: the catalog's level column summarises a row,
    /// often with several keywords and its own verdicts, while a case cites the exact
    /// keyword of the sentence it tests.)
    fn requirement(&mut self, raw: &Spanned<String>) {
        let id = raw.get_ref().trim();
        let index = requirements::index();
        if id.is_empty() || id == requirements::NEW || index.get(id).is_some() {
            return;
        }
        let mut d = Diagnostic::new(
            self.source,
            raw.span(),
            format!("unknown requirement `{id}`"),
        )
        .expected("a row id of the requirements catalog (suites/requirements.tsv) or `new`");
        if let Some(s) = did_you_mean(id, &index.ids()) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        self.diags.push(d);
    }

    fn capabilities(&mut self, raw: &[Spanned<String>]) -> BTreeSet<Capability> {
        let mut set = BTreeSet::new();
        for r in raw {
            match Capability::parse(r.get_ref()) {
                Some(c) => {
                    set.insert(c);
                }
                None => self.unknown_name(r, "capability", Capability::NAMES),
            }
        }
        set
    }

    fn role(&mut self, raw: &Spanned<String>) -> Option<Role> {
        let role = Role::parse(raw.get_ref());
        if role.is_none() {
            self.unknown_name(raw, "client role", Role::NAMES);
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

fn parse_capture(s: &str) -> Option<(CaptureSource, bool)> {
    match s.strip_suffix('?') {
        Some(rest) => parse_source(rest).map(|c| (c, true)),
        None => parse_source(s).map(|c| (c, false)),
    }
}

fn parse_source(s: &str) -> Option<CaptureSource> {
    if let Some(rest) = s.strip_prefix("html:") {
        let (selector, attr) = match rest.rsplit_once('@') {
            Some((sel, a)) if !a.is_empty() => (sel, Some(a.to_string())),
            _ => (rest, None),
        };
        return scraper::Selector::parse(selector)
            .is_ok()
            .then(|| CaptureSource::Html {
                selector: selector.to_string(),
                attr,
            });
    }
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
