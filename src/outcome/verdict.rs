//! Verdicts: how a case's findings become its status, why a case did not run
//! ([`SkipReason`]), known failures and stale entries, and the one exit-code policy that
//! `run`, `report` and the tests share.
//!
//! A finding is what the server answered against what the requirement demands; a check
//! that could not even be evaluated (a template that does not render) is a harness error
//! and never reaches this module as a finding.

use serde::{Deserialize, Serialize};

use super::{CaseRecord, RunRecord, Status};

/// What a broken expectation weighs, from the level it is judged at (design.md
/// § Verdicts): MUST and its kin fail, SHOULD and its kin warn, MAY and info are notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Never fails; the finding is kept as a note.
    Note,
    /// `warn`, or `fail` under `--strict`.
    Warn,
    /// `fail`.
    Fail,
}

/// One broken expectation: which step, which check, what was expected and what the server
/// did, judged at `level`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The level the check was judged at, as the spec words it (`MUST`, `SHOULD`, ...).
    pub level: String,
    pub severity: Severity,
    /// The step's label, e.g. `step 2 · token`.
    pub step: String,
    /// What was looked at: `status`, ``header `pragma` ``, ``JSON `/active` ``, ...
    pub check: String,
    pub expected: String,
    pub actual: String,
    /// The suite author's explanation of the check, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The check carries its own level, different from its case's: shown in the message.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub own_level: bool,
}

impl Finding {
    /// The one-line form used in messages and notes.
    pub fn message(&self) -> String {
        let mut s = format!(
            "{}: {}: expected {}, got {}",
            self.step, self.check, self.expected, self.actual
        );
        if let Some(note) = &self.note {
            s.push_str(&format!(" ({note})"));
        }
        if self.own_level {
            s.push_str(&format!(" [{}]", self.level));
        }
        s
    }
}

/// Why a case was not run. Closed: every reason a report can show is listed here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SkipReason {
    /// The target does not offer a capability the case needs; `why` says how that was
    /// learned (discovery metadata, the target file).
    NotOffered { capability: String, why: String },
    /// The case acts as a client role the target file does not configure.
    NoClient { role: String },
    /// The case's requests need a field of a client role that the target lacks.
    NoClientField { role: String, field: String },
    /// The case reads a `[users.<role>]` value (a CIBA `user_code`) the target lacks.
    NoUserField { role: String, field: String },
    /// A wait (expiry, polling) longer than `--max-wait`.
    WaitTooLong { needed_secs: u64, max_secs: u64 },
    /// A step has a hook performed (`hook = "<name>"`) that the target file has no
    /// `[hooks.<name>]` driver for.
    NoHook { hook: String },
    /// A `premise = true` step did not hold: the case's premise is false on this server,
    /// so it cannot judge what it tests there.
    Premise { detail: String },
    /// None of the clients the target file gives a role (the main one and its `also`
    /// list) is registered for every grant the case exercises with that role.
    NoClientForGrants { role: String, grants: Vec<String> },
    /// The server answered `unauthorized_client` (RFC 6749 §5.2, §4.1.2.1) to a grant the
    /// target file does not declare for the client that sent it: what the target said,
    /// not a finding.
    GrantNotRegistered {
        role: String,
        client_id: String,
        grant: String,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::NotOffered { why, .. } => f.write_str(why),
            SkipReason::NoClient { role } => {
                write!(f, "no `{role}` client configured in the target")
            }
            SkipReason::NoUserField { role, field } => {
                write!(f, "the target has no `{field}` for `[users.{role}]`")
            }
            SkipReason::NoClientField { role, field } => {
                write!(
                    f,
                    "client `{role}` has no `{field}` configured in the target"
                )
            }
            SkipReason::WaitTooLong {
                needed_secs,
                max_secs,
            } => write!(
                f,
                "needs a wait of {needed_secs} s, over --max-wait {max_secs} s"
            ),
            SkipReason::Premise { detail } => {
                write!(f, "the case's premise does not hold here: {detail}")
            }
            SkipReason::NoHook { hook } => write!(
                f,
                "no `[hooks.{hook}]` in the target file: the case needs a driver that performs \
                 the `{hook}` action"
            ),
            SkipReason::NoClientForGrants { role, grants } => {
                let names: Vec<String> = grants.iter().map(|g| format!("`{g}`")).collect();
                write!(
                    f,
                    "no `{role}` client in the target is registered for {}{}: name one with \
                     `grants` under `[clients.{role}]` or `[[clients.{role}.also]]`",
                    if names.len() > 1 { "all of " } else { "" },
                    names.join(", ")
                )
            }
            SkipReason::GrantNotRegistered {
                role,
                client_id,
                grant,
            } => write!(
                f,
                "the server answered `unauthorized_client` to `{grant}` from client \
                 `{client_id}` (`{role}`), which the target does not declare for that grant"
            ),
        }
    }
}

/// The status and message of a case whose steps all ran: the worst severity decides, and
/// the message lists the findings of that severity. Notes never change a pass.
pub fn judge(findings: &[Finding]) -> (Status, String) {
    let worst = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Note);
    let status = match worst {
        Severity::Fail => Status::Fail,
        Severity::Warn => Status::Warn,
        Severity::Note => return (Status::Pass, String::new()),
    };
    let msgs: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == worst)
        .map(Finding::message)
        .collect();
    (status, msgs.join("; "))
}

/// A listed failure that fails is expected; one that passes is a stale entry.
pub fn apply_known_failure(record: &mut CaseRecord, reason: &str) {
    match record.status {
        Status::Fail | Status::Warn => {
            record.status = Status::KnownFailure;
            record.known_failure_reason = Some(reason.to_string());
        }
        Status::Pass => {
            record.status = Status::UnexpectedPass;
            record.known_failure_reason = Some(reason.to_string());
            record.message = "listed as a known failure but passed: remove the stale entry from \
                              the target file"
                .into();
        }
        Status::Skip | Status::Error | Status::KnownFailure | Status::UnexpectedPass => {}
    }
}

/// Exit codes, as design.md fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// No MUST failures (and with --strict no SHOULD failures).
    Ok = 0,
    /// Conformance failures (or stale known failures).
    Failures = 1,
    /// Invalid suites, target file or command line.
    Invalid = 2,
    /// The harness could not run: target unreachable, report not writable, cases ended
    /// in `error`.
    Harness = 3,
    /// Nothing was tested: every case of a target's run was skipped, or it had none (as
    /// cargo-nextest exits 4 when no tests run).
    NothingRan = 4,
}

impl Exit {
    /// The one exit policy for finished runs: any failure (with `--strict`, any warning;
    /// any stale known failure) is 1; otherwise any case without a verdict is 3; otherwise
    /// a target against which no case ran (all skipped, or none) is 4; else 0. With
    /// failures and errors both, the failures decide (1): they are findings, the errors
    /// only leave the picture incomplete. `run` applies it to every target's record,
    /// `report` to the record it re-renders.
    pub fn of_runs<'a>(records: impl IntoIterator<Item = &'a RunRecord>) -> Exit {
        let mut exit = Exit::Ok;
        for r in records {
            if r.has_failures() {
                return Exit::Failures;
            }
            if r.has_errors() {
                exit = Exit::Harness;
            } else if r.nothing_ran() && exit == Exit::Ok {
                exit = Exit::NothingRan;
            }
        }
        exit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, actual: &str) -> Finding {
        Finding {
            level: "MUST".into(),
            severity,
            step: "step 1 · token".into(),
            check: "status".into(),
            expected: "200".into(),
            actual: actual.into(),
            note: None,
            own_level: false,
        }
    }

    #[test]
    fn worst_severity_decides_and_notes_pass() {
        assert_eq!(judge(&[]).0, Status::Pass);
        assert_eq!(judge(&[finding(Severity::Note, "400")]).0, Status::Pass);
        let (s, m) = judge(&[
            finding(Severity::Warn, "401"),
            finding(Severity::Fail, "400"),
        ]);
        assert_eq!(s, Status::Fail);
        assert_eq!(m, "step 1 · token: status: expected 200, got 400");
    }
}
