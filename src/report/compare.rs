//! The comparison matrix: several run records side by side in one self-contained HTML
//! page, cases as rows and one column per target, in the manner of the Autobahn
//! testsuite's report. It answers "which servers meet which requirements".
//!
//! Rows are the union of case ids over all records, sorted by spec (natural order) then
//! id; a case a run did not contain shows as an empty cell, not as a failure. Each cell
//! carries the verdict as colour and text and the message as a tooltip.

use std::collections::{BTreeMap, HashMap};

use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::{
    ReportError, human_duration, natural_cmp, needs_attention, overall, render_template,
    stale_message,
};
use crate::outcome::{CaseRecord, RunRecord, Status};

const TEMPLATE_NAME: &str = "compare.html.j2";
const TEMPLATE: &str = include_str!("compare.html.j2");

/// The records as one HTML matrix; columns keep the order of `records`.
pub fn render(records: &[RunRecord]) -> Result<String, ReportError> {
    let matrix = Matrix::new(records);
    render_template(TEMPLATE_NAME, TEMPLATE, Value::from(Serde(&matrix)))
}

#[derive(Serialize)]
struct Matrix<'a> {
    statuses: Vec<&'static str>,
    columns: Vec<Column<'a>>,
    groups: Vec<Group<'a>>,
    rows: usize,
}

#[derive(Serialize)]
struct Column<'a> {
    name: &'a str,
    layout: &'a str,
    base_url: &'a str,
    started_at: &'a str,
    duration: String,
    strict: bool,
    tool: String,
    overall: &'static str,
    total: usize,
    /// Non-zero counts only, in `Status::ALL` order, to keep the header compact.
    counts: Vec<(&'static str, usize)>,
}

#[derive(Serialize)]
struct Group<'a> {
    spec: &'a str,
    rows: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    section: &'a str,
    level: &'a str,
    requirement: &'a str,
    cells: Vec<Cell>,
    /// The targets disagree (a missing case counts as a distinct value).
    differs: bool,
    /// Some target needs attention on this case.
    problem: bool,
}

#[derive(Serialize)]
struct Cell {
    /// `None` when the run did not contain the case.
    status: Option<Status>,
    tooltip: String,
}

impl<'a> Matrix<'a> {
    fn new(records: &'a [RunRecord]) -> Matrix<'a> {
        // id -> case, per record; the first occurrence wins should a record repeat an id.
        let index: Vec<HashMap<&'a str, &'a CaseRecord>> = records
            .iter()
            .map(|r| {
                let mut m = HashMap::with_capacity(r.cases.len());
                for c in &r.cases {
                    m.entry(c.id.as_str()).or_insert(c);
                }
                m
            })
            .collect();

        // The union of ids, described by the first record that has each case.
        let mut union: BTreeMap<&'a str, &'a CaseRecord> = BTreeMap::new();
        for r in records {
            for c in &r.cases {
                union.entry(c.id.as_str()).or_insert(c);
            }
        }
        let mut described: Vec<&'a CaseRecord> = union.into_values().collect();
        described.sort_by(|a, b| natural_cmp(&a.spec, &b.spec).then_with(|| a.id.cmp(&b.id)));

        let mut groups: Vec<Group<'a>> = Vec::new();
        for case in &described {
            let cells: Vec<Cell> = index
                .iter()
                .map(|m| match m.get(case.id.as_str()) {
                    Some(c) => Cell {
                        status: Some(c.status),
                        tooltip: tooltip(c),
                    },
                    None => Cell {
                        status: None,
                        tooltip: "not in this run".to_string(),
                    },
                })
                .collect();
            let differs = cells.windows(2).any(|w| w[0].status != w[1].status);
            let problem = cells.iter().any(|c| c.status.is_some_and(needs_attention));
            let row = Row {
                id: &case.id,
                title: &case.title,
                section: &case.section,
                level: &case.level,
                requirement: &case.requirement,
                cells,
                differs,
                problem,
            };
            match groups.last_mut() {
                Some(g) if g.spec == case.spec => g.rows.push(row),
                _ => groups.push(Group {
                    spec: &case.spec,
                    rows: vec![row],
                }),
            }
        }

        let columns = records
            .iter()
            .map(|r| {
                let s = &r.summary;
                let all = s.counts();
                Column {
                    name: &r.target.name,
                    layout: &r.target.layout,
                    base_url: &r.target.base_url,
                    started_at: &r.started_at,
                    duration: human_duration(r.duration_ms),
                    strict: r.strict,
                    tool: format!("{} {}", r.tool.name, r.tool.version),
                    overall: overall(r),
                    total: s.total,
                    counts: Status::ALL
                        .iter()
                        .zip(all)
                        .filter(|(_, n)| *n > 0)
                        .map(|(st, n)| (st.as_str(), n))
                        .collect(),
                }
            })
            .collect();

        Matrix {
            statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
            columns,
            rows: described.len(),
            groups,
        }
    }
}

/// The tooltip of a cell: the verdict and why, as a reader hovering wants it.
fn tooltip(case: &CaseRecord) -> String {
    let why = match case.status {
        Status::UnexpectedPass => stale_message(case),
        Status::KnownFailure => format!(
            "known failure ({}): {}",
            case.known_failure_reason
                .as_deref()
                .unwrap_or("no reason given"),
            case.message
        ),
        _ => case.message.clone(),
    };
    // Tooltips are not scrollable; keep them to a readable size.
    let why: String = if why.chars().count() > 600 {
        why.chars().take(600).chain(std::iter::once('…')).collect()
    } else {
        why
    };
    if why.is_empty() {
        case.status.as_str().to_string()
    } else {
        format!("{}: {why}", case.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Summary;
    use crate::report::testdata;

    fn second() -> RunRecord {
        let mut r = testdata::record();
        r.target.name = "pingone-staging".to_string();
        r.target.layout = "pingone".to_string();
        // Drop one case, add one the first run lacks, and flip one verdict.
        r.cases.retain(|c| c.id != "rfc8628/device/poll-slow-down");
        r.cases.push(testdata::case(
            "ciba/poll/auth-req-id",
            "OpenID CIBA",
            Status::Pass,
            "",
        ));
        for c in &mut r.cases {
            if c.id == "rfc7009/revoke/unknown-token-is-200" {
                c.status = Status::Pass;
                c.message.clear();
            }
        }
        r.summary = Summary::of(&r.cases);
        r
    }

    #[test]
    fn matrix_has_union_of_rows_and_a_column_per_target() {
        let records = [testdata::record(), second()];
        let html = render(&records).expect("render");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("reference-generic"));
        assert!(html.contains("pingone-staging"));
        // 7 cases in the first, one more only in the second.
        assert_eq!(html.matches("<tr class=\"case").count(), 8);
        // Spec order: OpenID CIBA < RFC 6749 < RFC 7009 < RFC 7662 < RFC 8628.
        let pos = |s: &str| html.find(s).unwrap_or_else(|| panic!("missing {s}"));
        assert!(pos(">OpenID CIBA<") < pos(">RFC 6749<"));
        assert!(pos(">RFC 6749<") < pos(">RFC 7009<"));
        assert!(pos(">RFC 7662<") < pos(">RFC 8628<"));
        // Ids sorted within a spec.
        assert!(
            pos("rfc7009&#x2f;revoke&#x2f;refresh-revokes-access")
                < pos("rfc7009&#x2f;revoke&#x2f;unknown-token-is-200")
        );
        // Missing cells and tooltips.
        assert_eq!(html.matches("title=\"not in this run\"").count(), 2);
        assert!(html.contains(
            "title=\"fail: expected status 200, got 400 | body {&quot;error&quot;:&quot;invalid_token&quot;}\""
        ), "{html}");
        assert!(html.contains("title=\"known-failure: known failure (vendor ticket ABC-1): access token still active\""));
        // Per-target totals in the header.
        assert!(
            html.contains("<span class=\"n st-fail\">1 fail</span>"),
            "{html}"
        );
        // The flipped and the missing rows differ; the rest agree.
        assert_eq!(html.matches("data-differs=\"true\"").count(), 3);
    }

    #[test]
    fn escapes_hostile_messages_in_tooltips() {
        let mut r = testdata::record();
        r.cases[1].message = "\"><script>alert(1)</script>".to_string();
        let html = render(&[r]).expect("render");
        assert!(!html.contains("<script>alert(1)"));
        assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn no_records_still_renders() {
        let html = render(&[]).expect("render");
        assert!(html.contains("No runs to compare"));
    }
}
