//! HOW a run is shown: `results.json` (the record itself), `junit.xml`, `report.html`,
//! `summary.md`, the cross-target comparison matrix, and terminal progress.
//!
//! The JSON record is the product; every other format here is a view rendered from a
//! [`RunRecord`] alone, so `oauth2spec report` can re-render them from a saved
//! `results.json` and get the same bytes. Nothing in this module decides a verdict.
//!
//! Renderers are pure (`&RunRecord -> String`); only [`write_all`] and [`json::read`]
//! touch the file system, and every failure they meet is a [`ReportError`] naming the file.

pub mod compare;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod terminal;

use std::path::{Path, PathBuf};

use crate::outcome::{CaseRecord, RunRecord, Status};

/// File name of the run record inside a report directory.
pub const RESULTS_JSON: &str = "results.json";
/// File name of the JUnit view.
pub const JUNIT_XML: &str = "junit.xml";
/// File name of the self-contained HTML view.
pub const REPORT_HTML: &str = "report.html";
/// File name of the CI job summary.
pub const SUMMARY_MD: &str = "summary.md";

/// A harness problem while reading or writing reports. A failing server never lands
/// here: that is a verdict inside the record.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot create report directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `line:column` as serde_json reports them (1-based), so editors can jump there.
    #[error("{}:{line}:{column}: not a valid run record: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}: schema_version {found} is not the one this oauth2spec reads ({expected}); \
         re-run the suites or use the oauth2spec that wrote it",
        path.display()
    )]
    SchemaVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// The embedded templates are tested, so this means a harness bug, not bad input.
    #[error("cannot render {what}: {message}")]
    Render { what: &'static str, message: String },
}

impl ReportError {
    /// minijinja's `Display` omits the cause chain and the template line; keep both so
    /// a template bug is diagnosable from the message alone.
    fn template(what: &'static str, err: &minijinja::Error) -> ReportError {
        let mut message = err.to_string();
        if let Some(line) = err.line() {
            message.push_str(&format!(" (template line {line})"));
        }
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        ReportError::Render { what, message }
    }
}

/// Writes every view of `record` into `dir` (created if missing): `results.json`,
/// `junit.xml`, `report.html`, `summary.md`, in that order, and returns their paths.
///
/// `results.json` goes first so that the truth is on disk even if a later view fails.
pub fn write_all(record: &RunRecord, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    // `vec!` evaluates in order, so results.json is on disk before any view is rendered.
    Ok(vec![
        write_file(dir, RESULTS_JSON, &json::render(record))?,
        write_file(dir, JUNIT_XML, &junit::render(record)?)?,
        write_file(dir, REPORT_HTML, &html::render(record)?)?,
        write_file(dir, SUMMARY_MD, &markdown::render(record))?,
    ])
}

fn write_file(dir: &Path, name: &str, contents: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    std::fs::write(&path, contents).map_err(|source| ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

// ---- helpers shared by the views -------------------------------------------------------

/// Renders one of the embedded HTML templates.
///
/// Auto-escaping is forced to HTML whatever the template's name, because the context
/// carries text from the servers under test (bodies, headers, error descriptions) and
/// none of it may become markup. Undefined values fail loudly when printed
/// (`SemiStrict`) so that a typo in a template is caught by the tests, not shipped as a
/// silently empty cell.
pub(crate) fn render_template(
    name: &'static str,
    source: &'static str,
    ctx: minijinja::Value,
) -> Result<String, ReportError> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| ReportError::template(name, &e))?;
    env.set_syntax(syntax);
    env.add_template(name, source)
        .map_err(|e| ReportError::template(name, &e))?;
    let template = env
        .get_template(name)
        .map_err(|e| ReportError::template(name, &e))?;
    template
        .render(ctx)
        .map_err(|e| ReportError::template(name, &e))
}

/// Whether a case counts against the run, as [`RunRecord::has_failures`] counts it.
pub(crate) fn is_failing(status: Status, strict: bool) -> bool {
    match status {
        Status::Fail | Status::UnexpectedPass => true,
        Status::Warn => strict,
        Status::Pass | Status::Skip | Status::Error | Status::KnownFailure => false,
    }
}

/// The cases a reader must look at: failures, errors, stale known failures and warnings.
pub(crate) fn needs_attention(status: Status) -> bool {
    match status {
        Status::Fail | Status::Error | Status::UnexpectedPass | Status::Warn => true,
        Status::Pass | Status::Skip | Status::KnownFailure => false,
    }
}

/// One-word verdict of the whole run, as the exit code will see it.
pub(crate) fn overall(record: &RunRecord) -> &'static str {
    match crate::outcome::Exit::of_runs([record]) {
        crate::outcome::Exit::Failures => "FAILED",
        crate::outcome::Exit::Harness => "INCOMPLETE",
        crate::outcome::Exit::NothingRan => "UNTESTED",
        crate::outcome::Exit::Ok | crate::outcome::Exit::Invalid => "PASSED",
    }
}

/// The explanation shown for an `unexpected-pass`, shared so every view words it alike.
pub(crate) fn stale_message(case: &CaseRecord) -> String {
    let reason = case
        .known_failure_reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .unwrap_or("no reason given");
    format!(
        "listed as a known failure but passed; remove the stale entry from the target file \
         (listed because: {reason})"
    )
}

/// `1234` -> `1.234 s`, `75000` -> `1 min 15 s`: readable at a glance, exact enough.
pub(crate) fn human_duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{:03} s", ms / 1_000, ms % 1_000)
    } else {
        let secs = ms / 1_000;
        let (h, m, s) = (secs / 3_600, (secs % 3_600) / 60, secs % 60);
        if h > 0 {
            format!("{h} h {m} min {s} s")
        } else {
            format!("{m} min {s} s")
        }
    }
}

/// Orders spec names so that `RFC 9126` < `RFC 10000` (digit runs compare as numbers),
/// which a plain string sort gets wrong.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut prev: Option<bool> = None;
        for (i, c) in s.char_indices() {
            let digit = c.is_ascii_digit();
            if prev.is_some_and(|p| p != digit) {
                out.push((prev == Some(true), &s[start..i]));
                start = i;
            }
            prev = Some(digit);
        }
        if start < s.len() {
            out.push((prev == Some(true), &s[start..]));
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(cb.iter()) {
        let ord = match (x, y) {
            ((true, xs), (true, ys)) => {
                let xs = xs.trim_start_matches('0');
                let ys = ys.trim_start_matches('0');
                xs.len().cmp(&ys.len()).then_with(|| xs.cmp(ys))
            }
            ((_, xs), (_, ys)) => xs.cmp(ys),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len()).then_with(|| a.cmp(b))
}

/// Counts per verdict for one spec.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct SpecTotals {
    pub spec: String,
    pub total: usize,
    /// Indexed like [`Status::ALL`].
    pub counts: [usize; 7],
}

pub(crate) fn status_index(status: Status) -> usize {
    match status {
        Status::Pass => 0,
        Status::Fail => 1,
        Status::Warn => 2,
        Status::Skip => 3,
        Status::Error => 4,
        Status::KnownFailure => 5,
        Status::UnexpectedPass => 6,
    }
}

/// Per-spec counts, specs in natural order. Counted from the cases (not the stored
/// summary) because the summary has no per-spec split.
pub(crate) fn spec_totals(cases: &[CaseRecord]) -> Vec<SpecTotals> {
    let mut by_spec: std::collections::BTreeMap<&str, [usize; 7]> = Default::default();
    for case in cases {
        by_spec.entry(case.spec.as_str()).or_default()[status_index(case.status)] += 1;
    }
    let mut out: Vec<SpecTotals> = by_spec
        .into_iter()
        .map(|(spec, counts)| SpecTotals {
            spec: spec.to_string(),
            total: counts.iter().sum(),
            counts,
        })
        .collect();
    out.sort_by(|a, b| natural_cmp(&a.spec, &b.spec));
    out
}

/// Cases grouped by spec (natural order), keeping the record's order within a spec: that
/// is the plan's order, so every single-run view lists cases alike.
pub(crate) fn by_spec(cases: &[CaseRecord]) -> Vec<&CaseRecord> {
    let mut v: Vec<&CaseRecord> = cases.iter().collect();
    // `sort_by` is stable, which is what keeps the plan order inside a spec.
    v.sort_by(|a, b| natural_cmp(&a.spec, &b.spec));
    v
}

#[cfg(test)]
pub(crate) mod testdata {
    //! A small hand-built record with one case per status, shared by the renderers' tests.

    use crate::outcome::*;

    pub fn case(id: &str, spec: &str, status: Status, message: &str) -> CaseRecord {
        CaseRecord {
            id: id.to_string(),
            spec: spec.to_string(),
            section: "2.2".to_string(),
            level: "MUST".to_string(),
            requirement: "REVOKE-2.2-invalid-token-200".to_string(),
            title: format!("title of {id}"),
            status,
            message: message.to_string(),
            duration_ms: 12,
            proof: None,
            known_failure_reason: None,
            skip_reason: None,
            findings: vec![],
            notes: vec![],
            exchanges: vec![],
        }
    }

    pub fn record() -> RunRecord {
        let mut fail = case(
            "rfc7009/revoke/unknown-token-is-200",
            "RFC 7009",
            Status::Fail,
            "expected status 200, got 400 | body {\"error\":\"invalid_token\"}",
        );
        fail.proof = Some("revoke-unknown-400".to_string());
        fail.exchanges = vec![Exchange {
            label: "step 1".to_string(),
            request: RecordedRequest {
                method: "POST".to_string(),
                url: "http://127.0.0.1:9999/revoke".to_string(),
                headers: vec![(
                    "content-type".to_string(),
                    "application/x-www-form-urlencoded".to_string(),
                )],
                body: Some("token=[redacted]".to_string()),
            },
            response: Some(RecordedResponse {
                status: 400,
                headers: vec![("content-type".to_string(), "text/html".to_string())],
                body: Some("<script>alert(1)</script>".to_string()),
                truncated: true,
            }),
            error: None,
            duration_ms: 3,
        }];
        let mut warn = case(
            "rfc6749/token/cache-control-no-store",
            "RFC 6749",
            Status::Warn,
            "Cache-Control missing",
        );
        warn.level = "SHOULD".to_string();
        warn.section = "5.1".to_string();
        let mut pass = case(
            "rfc6749/token/client-credentials",
            "RFC 6749",
            Status::Pass,
            "",
        );
        pass.notes = vec!["MAY: refresh token not issued".to_string()];
        let skip = case(
            "rfc8628/device/poll-slow-down",
            "RFC 8628",
            Status::Skip,
            "target lacks capability device_authorization",
        );
        let mut error = case(
            "rfc7662/introspect/active-token",
            "RFC 7662",
            Status::Error,
            "prerequisite flow client-credentials-token failed",
        );
        error.exchanges = vec![Exchange {
            label: "flow client-credentials-token".to_string(),
            request: RecordedRequest {
                method: "POST".to_string(),
                url: "http://127.0.0.1:9999/token".to_string(),
                headers: vec![],
                body: None,
            },
            response: None,
            error: Some("connection refused".to_string()),
            duration_ms: 1,
        }];
        let mut known = case(
            "rfc7009/revoke/refresh-revokes-access",
            "RFC 7009",
            Status::KnownFailure,
            "access token still active",
        );
        known.known_failure_reason = Some("vendor ticket ABC-1".to_string());
        let mut stale = case(
            "rfc7009/revoke/unsupported-token-type",
            "RFC 7009",
            Status::UnexpectedPass,
            "",
        );
        stale.known_failure_reason = Some("fixed in 2024.3".to_string());
        let cases = vec![pass, fail, warn, skip, error, known, stale];
        RunRecord {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "oauth2spec".to_string(),
                version: "0.1.0".to_string(),
            },
            target: TargetInfo {
                name: "reference-generic".to_string(),
                base_url: "http://127.0.0.1:9999".to_string(),
                layout: "generic".to_string(),
                issuer: Some("http://127.0.0.1:9999".to_string()),
                discovery_url: None,
                discovery_failed: None,
                discovery_merged: Default::default(),
                endpoints: Default::default(),
                capabilities: Default::default(),
            },
            started_at: "2025-01-02T03:04:05Z".to_string(),
            duration_ms: 65_432,
            strict: false,
            summary: Summary::of(&cases),
            cases,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_specs() {
        let mut v = vec![
            "RFC 9126",
            "RFC 10000",
            "OpenID CIBA",
            "RFC 6749",
            "RFC 7009",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "OpenID CIBA",
                "RFC 6749",
                "RFC 7009",
                "RFC 9126",
                "RFC 10000"
            ]
        );
    }

    #[test]
    fn one_exit_policy_failures_then_errors_then_nothing_ran() {
        use crate::outcome::Exit;
        let mixed = testdata::record(); // a failure and an error
        assert_eq!(Exit::of_runs([&mixed]), Exit::Failures);
        let keep = |statuses: &[Status]| {
            let mut r = testdata::record();
            r.cases.retain(|c| statuses.contains(&c.status));
            r.summary = crate::outcome::Summary::of(&r.cases);
            r
        };
        let errors = keep(&[Status::Pass, Status::Error, Status::Skip]);
        assert_eq!(Exit::of_runs([&errors]), Exit::Harness);
        let skipped = keep(&[Status::Skip]);
        assert_eq!(Exit::of_runs([&skipped]), Exit::NothingRan);
        assert_eq!(overall(&skipped), "UNTESTED");
        assert!(skipped.alerts()[0].starts_with("every case was skipped"));
        let passed = keep(&[Status::Pass, Status::KnownFailure]);
        assert_eq!(Exit::of_runs([&passed]), Exit::Ok);
        assert!(passed.alerts().is_empty());
        // One target that ran nothing beside one that passed: still 4.
        assert_eq!(Exit::of_runs([&passed, &skipped]), Exit::NothingRan);
        let mut lost = passed.clone();
        lost.target.discovery_failed = Some("http://x/.well-known: status 404".into());
        assert!(lost.alerts()[0].contains("status 404"));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(12), "12 ms");
        assert_eq!(human_duration(1_234), "1.234 s");
        assert_eq!(human_duration(75_000), "1 min 15 s");
        assert_eq!(human_duration(3_725_000), "1 h 2 min 5 s");
    }

    #[test]
    fn write_all_writes_four_files_and_json_reads_back() {
        let dir = std::env::temp_dir().join(format!("oauth2spec-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let record = testdata::record();
        let paths = write_all(&record, &dir.join("nested")).expect("write");
        let names: Vec<_> = paths
            .iter()
            .map(|p| p.file_name().and_then(|n| n.to_str()).unwrap_or(""))
            .collect();
        assert_eq!(names, [RESULTS_JSON, JUNIT_XML, REPORT_HTML, SUMMARY_MD]);
        for p in &paths {
            assert!(std::fs::metadata(p).expect("exists").len() > 0);
        }
        let back = json::read(&paths[0]).expect("read back");
        assert_eq!(back, record);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn write_all_names_the_directory_it_cannot_create() {
        let file = std::env::temp_dir().join(format!("oauth2spec-notadir-{}", std::process::id()));
        std::fs::write(&file, "x").expect("setup");
        let err = write_all(&testdata::record(), &file.join("sub")).expect_err("must fail");
        assert!(matches!(err, ReportError::CreateDir { .. }));
        assert!(err.to_string().contains("oauth2spec-notadir"), "{err}");
        let _ = std::fs::remove_file(&file);
    }
}
