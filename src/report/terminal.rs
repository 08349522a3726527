//! Terminal progress while a run goes on: an indicatif bar on stderr when stderr is a
//! terminal, one line per case that needs attention, and a one-line total at the end.
//!
//! stdout is left alone so that `oauth2spec list --format json` style output and pipes
//! stay clean. Without a TTY (CI logs, pipes) there is no bar and no ANSI colour, only
//! the plain lines, which is what a log file wants.

use std::io::{IsTerminal, Write};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

use super::{human_duration, overall, stale_message};
use crate::outcome::{CaseRecord, RunRecord, Status};

/// Server text quoted in messages is cut to this many characters on the terminal.
const MAX_LINE_MESSAGE: usize = 400;

/// Progress of one run against one target. Cheap to share by reference across the
/// executor's concurrent cases: the bar is internally synchronised.
pub struct Progress {
    bar: ProgressBar,
    /// Whether the plain lines may carry ANSI colour: stderr is a terminal and the user
    /// did not opt out through `NO_COLOR`.
    colour: bool,
}

impl Progress {
    /// A bar of `total` cases labelled with the target's name, one of `bars` when runs go
    /// on at the same time. indicatif's `ProgressDrawTarget::stderr()` hides itself when
    /// stderr is not a terminal (`is_hidden()` is then true), so nothing is drawn into logs.
    pub fn new(total: usize, target_name: &str, bars: Option<&MultiProgress>) -> Progress {
        // `AndClear`: should the run abort before `finish`, dropping the bar must not
        // leave a half-drawn bar above the error message.
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
            .with_finish(ProgressFinish::AndClear);
        let bar = match bars {
            Some(multi) => multi.add(bar),
            None => bar,
        };
        // The template is a constant, so this fails only if indicatif changes its syntax;
        // the default style is then a fine fallback.
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} {elapsed} {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(clean(target_name, 60));
        let colour = !bar.is_hidden()
            && std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Progress { bar, colour }
    }

    /// Counts one finished case; a case that needs attention also gets one line, printed
    /// above the bar (or straight to stderr when there is no bar).
    pub fn case_finished(&self, case: &CaseRecord) {
        self.bar.inc(1);
        self.bar.set_message(clean(&case.id, 120));
        if let Some(line) = case_line(case, self.colour) {
            self.print(&line);
        }
    }

    /// Clears the bar and prints the totals.
    pub fn finish(&self, record: &RunRecord) {
        self.bar.finish_and_clear();
        // Always to stderr directly: after `finish_and_clear` the bar no longer prints.
        let mut err = std::io::stderr();
        for alert in record.alerts() {
            let _ = writeln!(
                err,
                "{}: attention: {}",
                clean(&record.target.name, 60),
                clean(&alert, MAX_LINE_MESSAGE)
            );
        }
        let _ = writeln!(err, "{}", totals_line(record, self.colour));
    }

    fn print(&self, line: &str) {
        if self.bar.is_hidden() {
            // `ProgressBar::println` does nothing on a hidden bar, so write directly.
            // A closed stderr is not worth failing a run over.
            let _ = writeln!(std::io::stderr(), "{line}");
        } else {
            self.bar.println(line);
        }
    }
}

/// The one line for a case that needs attention, e.g. `FAIL  rfc7009/revoke/x: message`;
/// `None` for verdicts that need none (pass, skip, known failure).
pub(crate) fn case_line(case: &CaseRecord, colour: bool) -> Option<String> {
    let (label, ansi) = match case.status {
        Status::Fail => ("FAIL ", "31"),
        Status::Error => ("ERROR", "35"),
        Status::UnexpectedPass => ("STALE", "31"),
        Status::Warn => ("WARN ", "33"),
        Status::Pass | Status::Skip | Status::KnownFailure => return None,
    };
    let message = match case.status {
        Status::UnexpectedPass => stale_message(case),
        _ => case.message.clone(),
    };
    let label = if colour {
        format!("\x1b[1;{ansi}m{label}\x1b[0m")
    } else {
        label.to_string()
    };
    Some(format!(
        "{label} {}: {}",
        clean(&case.id, 200),
        clean(&message, MAX_LINE_MESSAGE)
    ))
}

/// E.g. `reference-generic: FAILED — 7 cases in 1.2 s: 1 pass, 1 fail, ...`.
pub(crate) fn totals_line(record: &RunRecord, colour: bool) -> String {
    let s = &record.summary;
    let verdict = overall(record);
    let verdict = if colour {
        let ansi = match verdict {
            "PASSED" => "32",
            "INCOMPLETE" => "35",
            _ => "31",
        };
        format!("\x1b[1;{ansi}m{verdict}\x1b[0m")
    } else {
        verdict.to_string()
    };
    let mut line = format!(
        "{}: {verdict} — {} cases in {}: {} pass, {} fail, {} warn, {} skip, {} error",
        clean(&record.target.name, 60),
        s.total,
        human_duration(record.duration_ms),
        s.pass,
        s.fail,
        s.warn,
        s.skip,
        s.error,
    );
    if s.known_failure > 0 {
        line.push_str(&format!(", {} known failure", s.known_failure));
    }
    if s.unexpected_pass > 0 {
        line.push_str(&format!(", {} unexpected pass", s.unexpected_pass));
    }
    line
}

/// One line of printable text: messages quote server responses, and a hostile server
/// must not be able to move the cursor or recolour the terminal through them.
fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars + 4));
    for (n, c) in text.chars().enumerate() {
        if n == max_chars {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    fn line_for(status: Status) -> Option<String> {
        let record = testdata::record();
        let case = record
            .cases
            .iter()
            .find(|c| c.status == status)
            .expect("case");
        case_line(case, false)
    }

    #[test]
    fn lines_only_for_cases_needing_attention() {
        assert_eq!(
            line_for(Status::Fail).as_deref(),
            Some(
                "FAIL  rfc7009/revoke/unknown-token-is-200: expected status 200, got 400 | body {\"error\":\"invalid_token\"}"
            )
        );
        assert!(
            line_for(Status::Error)
                .expect("error")
                .starts_with("ERROR rfc7662/")
        );
        assert!(
            line_for(Status::Warn)
                .expect("warn")
                .starts_with("WARN  rfc6749/")
        );
        let stale = line_for(Status::UnexpectedPass).expect("stale");
        assert!(
            stale.starts_with(
                "STALE rfc7009/revoke/unsupported-token-type: listed as a known failure"
            )
        );
        assert_eq!(line_for(Status::Pass), None);
        assert_eq!(line_for(Status::Skip), None);
        assert_eq!(line_for(Status::KnownFailure), None);
    }

    #[test]
    fn plain_lines_have_no_escape_codes_and_hostile_ones_are_defused() {
        let mut case = testdata::case(
            "a/b/c",
            "RFC 6749",
            Status::Fail,
            "x\x1b[2J\x1b]0;pwned\x07\ny",
        );
        case.id = "a/b/c".to_string();
        let line = case_line(&case, false).expect("line");
        assert!(!line.contains('\x1b'), "{line:?}");
        assert!(!line.contains('\n'));
        let coloured = case_line(&case, true).expect("line");
        assert!(
            coloured.starts_with("\x1b[1;31mFAIL \x1b[0m a/b/c: "),
            "{coloured:?}"
        );
        assert_eq!(coloured.matches('\x1b').count(), 2);
    }

    #[test]
    fn totals_line_counts_everything() {
        let line = totals_line(&testdata::record(), false);
        assert_eq!(
            line,
            "reference-generic: FAILED — 7 cases in 1 min 5 s: 1 pass, 1 fail, 1 warn, 1 skip, \
             1 error, 1 known failure, 1 unexpected pass"
        );
    }

    #[test]
    fn progress_can_be_shared_across_threads() {
        // The executor finishes cases concurrently and reports through `&Progress`.
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Progress>();
    }

    #[test]
    fn hidden_without_a_terminal() {
        // Under `cargo test` stderr is captured or piped in CI; when it is not a terminal
        // the bar must hide itself and the lines go straight to stderr.
        if std::io::stderr().is_terminal() {
            return;
        }
        let p = Progress::new(2, "t", None);
        assert!(p.bar.is_hidden());
        assert!(!p.colour);
        // A pass and a known failure: counted, but nothing printed into the test output.
        let record = testdata::record();
        p.case_finished(&record.cases[0]);
        p.case_finished(&record.cases[5]);
        assert_eq!(p.bar.position(), 2);
        p.bar.finish_and_clear();
    }
}
