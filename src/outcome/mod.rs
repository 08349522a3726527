//! WHAT happened: the serialisable run record (`results.json`) and the verdicts.
//!
//! The JSON record is the product; every other report is a view of it. Nothing in
//! here performs I/O: the executor fills a [`RunRecord`], reporters read one.

use serde::{Deserialize, Serialize};

pub mod verdict;

pub use verdict::{Exit, Finding, Severity, SkipReason};

/// Bumped whenever a field of `results.json` changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// One run of the selected cases against one target.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub target: TargetInfo,
    /// RFC 3339 UTC timestamp of the start of the run.
    pub started_at: String,
    pub duration_ms: u64,
    /// Whether `--strict` was on: SHOULD failures then count as failures.
    pub strict: bool,
    pub summary: Summary,
    pub cases: Vec<CaseRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TargetInfo {
    pub name: String,
    pub base_url: String,
    pub layout: String,
    /// The issuer identifier the run compared metadata against, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The metadata document the endpoints and capabilities were read from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_url: Option<String>,
    /// Metadata members taken from a second document (the OpenID configuration when the
    /// RFC 8414 document lacked them, or the reverse), with that document's URL.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub discovery_merged: std::collections::BTreeMap<String, String>,
    /// Discovery was requested and no document served: what was tried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_failed: Option<String>,
    /// Resolved logical endpoint -> URL, as used by the run.
    #[serde(default)]
    pub endpoints: std::collections::BTreeMap<String, String>,
    /// Capabilities the run considered offered, and where each came from.
    #[serde(default)]
    pub capabilities: std::collections::BTreeMap<String, String>,
}

/// Counts per verdict. `known_failure` and `unexpected_pass` are counted apart from
/// `fail` and `pass` so that a reader sees both what broke and what was expected to.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub skip: usize,
    pub error: usize,
    pub known_failure: usize,
    pub unexpected_pass: usize,
}

impl Summary {
    /// The counts in the order of [`Status::ALL`].
    pub fn counts(&self) -> [usize; 7] {
        [
            self.pass,
            self.fail,
            self.warn,
            self.skip,
            self.error,
            self.known_failure,
            self.unexpected_pass,
        ]
    }

    pub fn of(cases: &[CaseRecord]) -> Summary {
        let mut s = Summary {
            total: cases.len(),
            ..Summary::default()
        };
        for case in cases {
            match case.status {
                Status::Pass => s.pass += 1,
                Status::Fail => s.fail += 1,
                Status::Warn => s.warn += 1,
                Status::Skip => s.skip += 1,
                Status::Error => s.error += 1,
                Status::KnownFailure => s.known_failure += 1,
                Status::UnexpectedPass => s.unexpected_pass += 1,
            }
        }
        s
    }
}

/// The verdict of one case.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The requirement holds.
    Pass,
    /// A MUST / MUST NOT / REQUIRED (or descriptive) requirement is broken.
    Fail,
    /// A SHOULD / RECOMMENDED requirement is broken; `--strict` turns it into a failure.
    Warn,
    /// Not run: the target lacks the feature, a client or user, or a filter left it out.
    Skip,
    /// The harness could not reach a verdict (network failure, timeout, failed prerequisite).
    Error,
    /// A failure the target file lists as known; it does not fail the run.
    KnownFailure,
    /// Listed as a known failure but passed: a stale entry, which fails the run.
    UnexpectedPass,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Skip,
        Status::Error,
        Status::KnownFailure,
        Status::UnexpectedPass,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::KnownFailure => "known-failure",
            Status::UnexpectedPass => "unexpected-pass",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One case's outcome, with the evidence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaseRecord {
    /// Stable id, `<spec folder>/<file stem>/<slug>`, e.g. `rfc7009/revoke/unknown-token-is-200`.
    pub id: String,
    /// The specification, e.g. `RFC 7009`.
    pub spec: String,
    pub section: String,
    /// The level exactly as the spec uses it: `MUST`, `SHOULD`, `descriptive`, ...
    pub level: String,
    /// The id of the requirements-catalog row this case tests, or `new`.
    pub requirement: String,
    pub title: String,
    pub status: Status,
    /// Why the case has its status; empty for a plain pass.
    pub message: String,
    pub duration_ms: u64,
    /// The reference-server fault that makes this case fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<String>,
    /// The reason the target file gives, for `known-failure` and `unexpected-pass`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_failure_reason: Option<String>,
    /// Why the case was not run, for `skip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<SkipReason>,
    /// Every broken expectation, structured, at every severity (notes included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Observations that do not change the verdict (MAY-level findings, info checks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Every HTTP exchange the case made, secrets redacted.
    #[serde(default)]
    pub exchanges: Vec<Exchange>,
}

/// One request and its response (or the error that stood in for a response).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exchange {
    /// What the step was for, e.g. `flow client-credentials-token` or `step 2`.
    pub label: String,
    pub request: RecordedRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// A transport failure instead of a response (timeout, refused, body over the cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body was longer than the recorded excerpt (or the cap) and was cut.
    #[serde(default)]
    pub truncated: bool,
}

impl RunRecord {
    /// Whether the run as a whole failed: any failure, any stale known failure, or with
    /// `--strict` any warning.
    pub fn has_failures(&self) -> bool {
        let s = &self.summary;
        s.fail > 0 || s.unexpected_pass > 0 || (self.strict && s.warn > 0)
    }

    /// Whether some case ended without a verdict.
    pub fn has_errors(&self) -> bool {
        self.summary.error > 0
    }

    /// Whether no case was tested: all skipped, or none planned.
    pub fn nothing_ran(&self) -> bool {
        self.summary.total == self.summary.skip
    }

    /// What a reader must know before the verdicts, in the order to read it: discovery
    /// that was asked for and found nothing, and a run that skipped most of its cases
    /// (with the commonest reasons). Empty for an ordinary run. The terminal, summary.md
    /// and report.html all show these at the top.
    pub fn alerts(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(d) = &self.target.discovery_failed {
            out.push(format!(
                "discovery was requested but found no metadata document ({d}); endpoints and \
                 capabilities come from the target file alone"
            ));
        }
        let s = &self.summary;
        if s.total == 0 {
            out.push("no case was planned: nothing was tested".into());
        } else if s.skip * 2 > s.total {
            let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
            for c in self.cases.iter().filter(|c| c.status == Status::Skip) {
                let why = match &c.skip_reason {
                    Some(r) => r.to_string(),
                    None => c.message.clone(),
                };
                *reasons.entry(why).or_default() += 1;
            }
            let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
            reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let top: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|(why, n)| format!("{n} × {why}"))
                .collect();
            let head = if s.skip == s.total {
                "every case was skipped: nothing was tested".to_string()
            } else {
                format!("{} of {} cases were skipped", s.skip, s.total)
            };
            out.push(format!("{head}; most common reasons: {}", top.join("; ")));
        }
        out
    }
}
