//! `report.html`: one self-contained page (inline CSS and a little JS, no external
//! resources) showing the run header, totals per spec and verdict, and every case with
//! its evidence: the full transcript of each HTTP exchange.
//!
//! The page is rendered by minijinja from `report.html.j2` (embedded at build time) with
//! HTML auto-escaping forced on, because bodies and headers come from servers under
//! test and a hostile one must not be able to inject markup into the report.
//! The filter controls are hidden until the script runs, so without JS the page simply
//! shows everything.

use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::{
    ReportError, SpecTotals, by_spec, human_duration, is_failing, needs_attention, overall,
    render_template, spec_totals, stale_message,
};
use crate::outcome::{CaseRecord, Exchange, RunRecord, Status, TargetInfo, ToolInfo};

const TEMPLATE_NAME: &str = "report.html.j2";
const TEMPLATE: &str = include_str!("report.html.j2");

/// The record as one self-contained HTML page.
pub fn render(record: &RunRecord) -> Result<String, ReportError> {
    let page = Page::new(record);
    render_template(TEMPLATE_NAME, TEMPLATE, Value::from(Serde(&page)))
}

/// What the template sees: the record's facts plus the few things a template should not
/// compute (durations in words, verdict labels, transcripts as text).
#[derive(Serialize)]
struct Page<'a> {
    tool: &'a ToolInfo,
    target: &'a TargetInfo,
    started_at: &'a str,
    duration: String,
    strict: bool,
    overall: &'static str,
    /// What to know before the verdicts ([`RunRecord::alerts`]).
    alerts: Vec<String>,
    schema_version: u32,
    total: usize,
    statuses: Vec<StatusCount>,
    spec_totals: Vec<SpecTotals>,
    /// Column totals of `spec_totals`, in `Status::ALL` order.
    all_counts: Vec<usize>,
    groups: Vec<Group<'a>>,
}

#[derive(Serialize)]
struct StatusCount {
    name: &'static str,
    count: usize,
    /// Whether a reader must look at this verdict, for the "problems only" filter.
    problem: bool,
}

#[derive(Serialize)]
struct Group<'a> {
    spec: &'a str,
    cases: Vec<CaseView<'a>>,
}

#[derive(Serialize)]
struct CaseView<'a> {
    id: &'a str,
    spec: &'a str,
    section: &'a str,
    level: &'a str,
    requirement: &'a str,
    title: &'a str,
    status: Status,
    message: &'a str,
    proof: Option<&'a str>,
    known_failure_reason: Option<&'a str>,
    notes: &'a [String],
    /// The exchanges as ready-made transcript text (the raw ones are not passed twice).
    exchanges: Vec<ExchangeView<'a>>,
    failing: bool,
    duration: String,
    /// For `unexpected-pass`: what to do about it.
    stale: Option<String>,
}

#[derive(Serialize)]
struct ExchangeView<'a> {
    label: &'a str,
    method: &'a str,
    url: &'a str,
    /// `400`, or `error` when a transport failure stood in for the response.
    outcome: String,
    duration_ms: u64,
    request: String,
    response: Option<String>,
    truncated: bool,
    error: Option<&'a str>,
}

impl<'a> Page<'a> {
    fn new(record: &'a RunRecord) -> Page<'a> {
        let totals = spec_totals(&record.cases);
        let mut all_counts = vec![0usize; Status::ALL.len()];
        for t in &totals {
            for (sum, n) in all_counts.iter_mut().zip(t.counts) {
                *sum += n;
            }
        }
        let statuses = Status::ALL
            .iter()
            .zip(&all_counts)
            .map(|(&st, &count)| StatusCount {
                name: st.as_str(),
                count,
                problem: needs_attention(st),
            })
            .collect();

        let mut groups: Vec<Group<'a>> = Vec::new();
        for case in by_spec(&record.cases) {
            let view = CaseView::new(case, record.strict);
            match groups.last_mut() {
                Some(g) if g.spec == case.spec => g.cases.push(view),
                _ => groups.push(Group {
                    spec: &case.spec,
                    cases: vec![view],
                }),
            }
        }

        Page {
            tool: &record.tool,
            target: &record.target,
            started_at: &record.started_at,
            duration: human_duration(record.duration_ms),
            strict: record.strict,
            overall: overall(record),
            alerts: record.alerts(),
            schema_version: record.schema_version,
            total: record.cases.len(),
            statuses,
            spec_totals: totals,
            all_counts,
            groups,
        }
    }
}

impl<'a> CaseView<'a> {
    fn new(case: &'a CaseRecord, strict: bool) -> CaseView<'a> {
        CaseView {
            id: &case.id,
            spec: &case.spec,
            section: &case.section,
            level: &case.level,
            requirement: &case.requirement,
            title: &case.title,
            status: case.status,
            message: &case.message,
            proof: case.proof.as_deref(),
            known_failure_reason: case.known_failure_reason.as_deref(),
            notes: &case.notes,
            exchanges: case.exchanges.iter().map(ExchangeView::new).collect(),
            failing: is_failing(case.status, strict),
            duration: human_duration(case.duration_ms),
            stale: (case.status == Status::UnexpectedPass).then(|| stale_message(case)),
        }
    }
}

impl<'a> ExchangeView<'a> {
    fn new(ex: &'a Exchange) -> ExchangeView<'a> {
        let req = &ex.request;
        let mut request = format!("{} {}\n", req.method, req.url);
        push_headers(&mut request, &req.headers);
        push_body(&mut request, req.body.as_deref());

        let response = ex.response.as_ref().map(|resp| {
            let mut text = format!("HTTP {}\n", resp.status);
            push_headers(&mut text, &resp.headers);
            push_body(&mut text, resp.body.as_deref());
            text
        });
        let outcome = match (&ex.response, &ex.error) {
            (Some(resp), _) => resp.status.to_string(),
            (None, Some(_)) => "error".to_string(),
            (None, None) => "no response".to_string(),
        };
        ExchangeView {
            label: &ex.label,
            method: &req.method,
            url: &req.url,
            outcome,
            duration_ms: ex.duration_ms,
            request,
            response,
            truncated: ex.response.as_ref().is_some_and(|r| r.truncated),
            error: ex.error.as_deref(),
        }
    }
}

fn push_headers(out: &mut String, headers: &[(String, String)]) {
    for (name, value) in headers {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    }
}

fn push_body(out: &mut String, body: Option<&str>) {
    match body {
        Some(body) if !body.is_empty() => {
            out.push('\n');
            out.push_str(body);
        }
        _ => out.push_str("\n(no body)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn escapes_hostile_bodies() {
        let html = render(&testdata::record()).expect("render");
        assert!(
            !html.contains("<script>alert(1)</script>"),
            "raw script survived"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        // The only script is ours.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn escapes_hostile_text_everywhere() {
        let mut record = testdata::record();
        record.target.name = "\"><img src=x onerror=alert(2)>".to_string();
        record.cases[0].id = "x\" onmouseover=\"alert(3)".to_string();
        record.cases[0].notes = vec!["<b>note</b>".to_string()];
        let html = render(&record).expect("render");
        assert!(!html.contains("<img"), "markup from target name");
        assert!(!html.contains("\" onmouseover"), "attribute break-out");
        assert!(!html.contains("<b>note"), "markup from notes");
    }

    #[test]
    fn shows_header_totals_and_every_case() {
        let record = testdata::record();
        let html = render(&record).expect("render");
        assert!(html.starts_with("<!DOCTYPE html>"));
        for needle in [
            "reference-generic",
            "http:&#x2f;&#x2f;127.0.0.1:9999",
            "generic",
            "2025-01-02T03:04:05Z",
            "1 min 5 s",
            "FAILED",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        // Self-contained: no external resources.
        assert!(!html.contains("src=\"http"));
        assert!(!html.contains("<link"));
        // Totals row per spec, with the fail count.
        assert!(html.contains("<th scope=\"row\">RFC 7009</th>"), "{html}");
        // Every case once, with its status for the filter.
        for case in &record.cases {
            let needle = format!("data-status=\"{}\"", case.status);
            assert!(html.contains(&needle), "missing {needle}");
            assert!(
                html.contains(&case.id.replace('/', "&#x2f;")),
                "missing {}",
                case.id
            );
        }
        assert_eq!(
            html.matches("<details class=\"case").count(),
            record.cases.len()
        );
        // Evidence of the failing case.
        for needle in [
            "REVOKE-2.2-invalid-token-200",
            "revoke-unknown-400",
            "token=[redacted]",
            "HTTP 400",
            "content-type: text&#x2f;html",
            "body truncated",
            "connection refused",
            "vendor ticket ABC-1",
            "listed as a known failure but passed",
            "MAY: refresh token not issued",
            "§2.2",
        ] {
            assert!(html.contains(needle), "missing {needle}");
        }
        // Filter controls exist but start hidden, so no-JS readers see every case.
        assert!(html.contains("id=\"filters\" hidden"));
        // The "problems only" button reads these as JS strings.
        assert!(html.contains("value=\"fail\" data-problem=\"true\""));
        assert!(html.contains("value=\"pass\" data-problem=\"false\""));
    }

    #[test]
    fn clean_run_passes() {
        let mut record = testdata::record();
        record.cases.retain(|c| c.status == Status::Pass);
        record.summary = crate::outcome::Summary::of(&record.cases);
        record.target.issuer = None;
        let html = render(&record).expect("render");
        assert!(html.contains("PASSED"));
    }
}
