//! `summary.md`: a short Markdown view sized for a CI job summary (e.g. GitHub's
//! `$GITHUB_STEP_SUMMARY`, which caps at 1 MiB and renders inline HTML).
//!
//! Text that came from the server (messages quote response bodies) is escaped so that it
//! cannot break the tables or smuggle markup or links into the summary page.

use std::fmt::Write as _;

use super::{by_spec, human_duration, needs_attention, overall, spec_totals, stale_message};
use crate::outcome::{RunRecord, Status};

/// At most this many attention rows; a summary is for a glance, the HTML has the rest.
const MAX_ROWS: usize = 200;
/// Long messages are cut to keep the summary well under the CI size limit.
const MAX_MESSAGE_CHARS: usize = 300;

/// The record as GitHub-flavoured Markdown.
pub fn render(record: &RunRecord) -> String {
    let mut md = String::new();
    let s = &record.summary;
    // `write!` into a String cannot fail; the results are ignored deliberately.
    let _ = writeln!(
        md,
        "# oauth2spec: {} — {}\n",
        escape(&record.target.name),
        overall(record)
    );
    for alert in record.alerts() {
        let _ = writeln!(md, "> **Attention:** {}\n", escape(&alert));
    }
    let _ = writeln!(
        md,
        "`{}` ({} layout{}), {} cases in {}: **{} pass**, **{} fail**, {} warn, {} skip, {} error, \
         {} known failure, {} unexpected pass{}\n",
        code(&record.target.base_url),
        escape(&record.target.layout),
        if record.strict { ", strict" } else { "" },
        s.total,
        human_duration(record.duration_ms),
        s.pass,
        s.fail,
        s.warn,
        s.skip,
        s.error,
        s.known_failure,
        s.unexpected_pass,
        if record.strict && s.warn > 0 {
            " (strict: warnings fail the run)"
        } else {
            ""
        }
    );

    md.push_str("| Spec | Total | ");
    md.push_str(
        &Status::ALL
            .iter()
            .map(|st| st.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
    );
    md.push_str(" |\n|---|--:|");
    md.push_str(&"--:|".repeat(Status::ALL.len()));
    md.push('\n');
    for t in spec_totals(&record.cases) {
        let _ = write!(md, "| {} | {} |", escape(&t.spec), t.total);
        for c in t.counts {
            let _ = write!(md, " {c} |");
        }
        md.push('\n');
    }
    let _ = write!(md, "| **all** | **{}** |", s.total);
    for c in s.counts() {
        let _ = write!(md, " **{c}** |");
    }
    md.push_str("\n\n");

    let mut attention: Vec<_> = by_spec(&record.cases)
        .into_iter()
        .filter(|c| needs_attention(c.status))
        .collect();
    // Worst first, so that a flood of warnings cannot push failures past the cap; the
    // sort is stable, so spec and plan order hold within a verdict.
    attention.sort_by_key(|c| severity(c.status));
    if attention.is_empty() {
        md.push_str("No failures, errors, unexpected passes or warnings.\n");
        return md;
    }
    let _ = writeln!(md, "## Needs attention ({})\n", attention.len());
    md.push_str("| Status | Case | Section | Level | Message |\n|---|---|---|---|---|\n");
    for case in attention.iter().take(MAX_ROWS) {
        let message = match case.status {
            Status::UnexpectedPass => stale_message(case),
            _ => case.message.clone(),
        };
        let _ = writeln!(
            md,
            "| {} | `{}` {} | {} §{} | {} | {} |",
            status_label(case.status),
            code(&case.id),
            escape(&case.title),
            escape(&case.spec),
            escape(&case.section),
            escape(&case.level),
            escape(&truncate(&message, MAX_MESSAGE_CHARS)),
        );
    }
    if attention.len() > MAX_ROWS {
        let _ = writeln!(
            md,
            "\n... and {} more (see report.html)",
            attention.len() - MAX_ROWS
        );
    }
    md
}

fn severity(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::UnexpectedPass => 1,
        Status::Error => 2,
        Status::Warn => 3,
        Status::Pass | Status::Skip | Status::KnownFailure => 4,
    }
}

fn status_label(status: Status) -> &'static str {
    match status {
        Status::Fail => "❌ fail",
        Status::Error => "💥 error",
        Status::UnexpectedPass => "❗ unexpected-pass",
        Status::Warn => "⚠️ warn",
        Status::Pass => "✅ pass",
        Status::Skip => "⏭️ skip",
        Status::KnownFailure => "🔕 known-failure",
    }
}

/// Escapes text for a table cell: pipes and newlines would break the row, `<`/`>`/`&`
/// would be rendered as HTML, and Markdown punctuation could create links or emphasis.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: backticks would end it and a pipe still ends a table
/// cell (GFM splits cells before parsing code spans), so both are replaced.
fn code(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '`' => '\'',
            '|' => '¦',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Summary;
    use crate::report::testdata;

    #[test]
    fn summary_has_title_totals_table_and_attention_rows() {
        let md = render(&testdata::record());
        assert!(
            md.starts_with("# oauth2spec: reference-generic — FAILED\n"),
            "{md}"
        );
        assert!(md.contains("7 cases in 1 min 5 s: **1 pass**, **1 fail**, 1 warn, 1 skip, 1 error, 1 known failure, 1 unexpected pass"), "{md}");
        assert!(md.contains(
            "| Spec | Total | pass | fail | warn | skip | error | known-failure | unexpected-pass |"
        ));
        assert!(
            md.contains("| RFC 7009 | 3 | 0 | 1 | 0 | 0 | 0 | 1 | 1 |"),
            "{md}"
        );
        assert!(
            md.contains("| RFC 6749 | 2 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |"),
            "{md}"
        );
        assert!(md.contains("## Needs attention (4)"));
        // Worst first: fail, stale entry, error, then the warning.
        let order: Vec<usize> = ["❌ fail", "❗ unexpected-pass", "💥 error", "⚠️ warn"]
            .iter()
            .map(|l| md.find(l).expect(l))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{md}");
        // The pipe in the message is escaped so the row keeps five cells.
        let fail_row = md
            .lines()
            .find(|l| l.contains("unknown-token-is-200"))
            .expect("fail row");
        assert!(
            fail_row.contains(r#"got 400 \| body {"error":"invalid\_token"}"#),
            "{fail_row}"
        );
        assert_eq!(
            fail_row.replace("\\|", "").matches('|').count(),
            6,
            "{fail_row}"
        );
        assert!(fail_row.contains("| RFC 7009 §2.2 | MUST |"), "{fail_row}");
        assert!(md.contains("❗ unexpected-pass | `rfc7009/revoke/unsupported-token-type`"));
        assert!(md.contains("(listed because: fixed in 2024.3)"));
        assert!(md.contains("⚠️ warn | `rfc6749/token/cache-control-no-store`"));
        assert!(md.contains("| RFC 6749 §5.1 | SHOULD | Cache-Control missing |"));
        assert!(md.contains("💥 error"));
        // Passing, skipped and known failures are not listed.
        assert!(!md.contains("`rfc6749/token/client-credentials`"));
        assert!(!md.contains("`rfc7009/revoke/refresh-revokes-access`"));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let e = escape("<img src=x onerror=alert(1)> [link](http://evil) a|b\nnext");
        assert_eq!(
            e,
            r"&lt;img src=x onerror=alert(1)&gt; \[link\](http://evil) a\|b next"
        );
    }

    #[test]
    fn long_lists_are_capped() {
        let mut record = testdata::record();
        let template = record.cases[1].clone();
        record.cases = (0..250)
            .map(|i| {
                let mut c = template.clone();
                c.id = format!("rfc7009/revoke/case-{i:03}");
                c
            })
            .collect();
        record.summary = Summary::of(&record.cases);
        let md = render(&record);
        assert_eq!(md.matches("❌ fail").count(), 200);
        assert!(md.contains("... and 50 more"), "{md}");
    }

    #[test]
    fn clean_run_says_so() {
        let mut record = testdata::record();
        record.cases.retain(|c| c.status == Status::Pass);
        record.summary = Summary::of(&record.cases);
        let md = render(&record);
        assert!(md.starts_with("# oauth2spec: reference-generic — PASSED"));
        assert!(md.contains("No failures, errors, unexpected passes or warnings."));
    }
}
