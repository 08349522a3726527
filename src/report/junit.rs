//! `junit.xml`: the record as JUnit XML (via quick-junit) for CI test tabs.
//!
//! One `<testsuite>` per spec, one `<testcase>` per case. The mapping of verdicts follows
//! what fails the run ([`RunRecord::has_failures`]): `fail` and `unexpected-pass` are
//! failures, `warn` is one only under `--strict`, `error` is an error, `skip` is skipped,
//! and `known-failure` passes with the reason in `system-out` so that CI stays green on a
//! documented deviation yet still shows it. No clock is read here: the output is a pure
//! function of the record, so snapshots are stable.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{ReportError, by_spec, stale_message};
use crate::outcome::{CaseRecord, RunRecord, Status};

/// The record as a JUnit XML document.
pub fn render(record: &RunRecord) -> Result<String, ReportError> {
    let mut report = Report::new("oauth2spec");
    report.set_time(Duration::from_millis(record.duration_ms));

    // Suites in natural spec order, cases in plan order within a suite, as in report.html.
    let cases = by_spec(&record.cases);
    for group in cases.chunk_by(|a, b| a.spec == b.spec) {
        let mut suite = TestSuite::new(group[0].spec.as_str());
        let mut suite_ms = 0u64;
        for case in group {
            suite_ms = suite_ms.saturating_add(case.duration_ms);
            suite.add_test_case(test_case(case, record.strict));
        }
        suite.set_time(Duration::from_millis(suite_ms));
        suite.add_property(Property::new("target", record.target.name.as_str()));
        suite.add_property(Property::new("base_url", record.target.base_url.as_str()));
        report.add_test_suite(suite);
    }

    report.to_string().map_err(|e| ReportError::Render {
        what: "junit.xml",
        message: e.to_string(),
    })
}

fn test_case(case: &CaseRecord, strict: bool) -> TestCase {
    let status = match case.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Fail => non_success(NonSuccessKind::Failure, &case.message, "fail"),
        Status::Error => non_success(NonSuccessKind::Error, &case.message, "error"),
        Status::UnexpectedPass => non_success(
            NonSuccessKind::Failure,
            &stale_message(case),
            "unexpected-pass",
        ),
        Status::Warn if strict => non_success(NonSuccessKind::Failure, &case.message, "warn"),
        Status::Warn | Status::KnownFailure => TestCaseStatus::success(),
        Status::Skip => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(case.message.as_str());
            s
        }
    };

    let mut tc = TestCase::new(case.id.as_str(), status);
    tc.set_classname(case.spec.as_str());
    tc.set_time(Duration::from_millis(case.duration_ms));
    tc.add_properties([
        Property::new("title", case.title.as_str()),
        Property::new("section", case.section.as_str()),
        Property::new("level", case.level.as_str()),
        Property::new("requirement", case.requirement.as_str()),
        Property::new("status", case.status.as_str()),
    ]);
    if let Some(proof) = &case.proof {
        tc.add_property(Property::new("proof", proof.as_str()));
    }

    let mut out: Vec<String> = Vec::new();
    match case.status {
        Status::KnownFailure => out.push(format!(
            "known failure: {}: {}",
            case.known_failure_reason
                .as_deref()
                .unwrap_or("no reason given"),
            case.message
        )),
        Status::Warn if !strict => out.push(format!("warning: {}", case.message)),
        _ => {}
    }
    for note in &case.notes {
        out.push(format!("note: {note}"));
    }
    // A short transcript outline helps triage in CI UIs that show system-out; the full
    // bodies live in report.html and results.json.
    for ex in &case.exchanges {
        let outcome = match (&ex.response, &ex.error) {
            (Some(resp), _) => resp.status.to_string(),
            (None, Some(err)) => format!("error: {err}"),
            (None, None) => "no response".to_string(),
        };
        out.push(format!(
            "{}: {} {} -> {}",
            ex.label, ex.request.method, ex.request.url, outcome
        ));
    }
    if !out.is_empty() {
        tc.set_system_out(out.join("\n"));
    }
    tc
}

fn non_success(kind: NonSuccessKind, message: &str, ty: &str) -> TestCaseStatus {
    let mut s = TestCaseStatus::non_success(kind);
    s.set_message(message);
    s.set_type(ty);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    #[test]
    fn maps_each_verdict() {
        let xml = render(&testdata::record()).expect("render");
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert!(
            xml.contains(r#"<testsuites name="oauth2spec" tests="7" failures="2" errors="1""#),
            "{xml}"
        );
        // One suite per spec, in natural order.
        let rfc6749 = xml.find(r#"<testsuite name="RFC 6749""#).expect("6749");
        let rfc7009 = xml.find(r#"<testsuite name="RFC 7009""#).expect("7009");
        assert!(rfc6749 < rfc7009);
        assert_eq!(count(&xml, "<testsuite "), 4);
        assert!(xml.contains(
            r#"<testcase name="rfc7009/revoke/unknown-token-is-200" classname="RFC 7009" time="0.012">"#
        ), "{xml}");
        assert_eq!(count(&xml, "<failure "), 2);
        assert!(xml.contains(r#"type="fail""#));
        assert!(xml.contains(r#"type="unexpected-pass""#));
        assert!(xml.contains("listed as a known failure but passed"));
        assert!(xml.contains("fixed in 2024.3"));
        assert_eq!(count(&xml, "<error "), 1);
        assert!(
            xml.contains(r#"<skipped message="target lacks capability device_authorization""#),
            "{xml}"
        );
        assert!(xml.contains("known failure: vendor ticket ABC-1: access token still active"));
        assert!(xml.contains("warning: Cache-Control missing"));
        assert!(
            xml.contains(r#"<property name="requirement" value="REVOKE-2.2-invalid-token-200"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<property name="level" value="SHOULD"/>"#));
        // Hostile text is XML-escaped, not injected.
        assert!(
            xml.contains("expected status 200, got 400 | body {&quot;error&quot;"),
            "{xml}"
        );
    }

    #[test]
    fn strict_turns_warnings_into_failures() {
        let mut record = testdata::record();
        record.strict = true;
        let xml = render(&record).expect("render");
        assert_eq!(count(&xml, "<failure "), 3);
        assert!(xml.contains(r#"type="warn""#));
        assert!(!xml.contains("warning: Cache-Control missing"));
    }

    #[test]
    fn is_deterministic() {
        let record = testdata::record();
        assert_eq!(render(&record).expect("a"), render(&record).expect("b"));
    }
}
