//! HOW cases run: the only module with network I/O. HTTP client with limits, client
//! authentication, templating, captures, checks, redaction, waits and bounded
//! concurrency. Secrets are redacted before an exchange leaves this module.

mod agent;
pub mod assertion;
pub mod auth;
pub mod browser;
pub mod capture;
pub mod case;
pub mod check;
pub mod context;
pub mod discovery;
pub mod hooks;
pub mod http;
mod inbound;
pub mod jwt;
pub mod listener;
pub mod login;
pub mod redact;
mod request;
pub mod run;
mod step;

pub use case::CaseOptions;
pub use discovery::{Unreachable, discover};
pub use run::{RunOptions, run};

use crate::outcome::{CaseRecord, Status};
use crate::suite::Case;

/// A record for a case with its requirement fields filled in.
pub(crate) fn record_for(case: &Case, status: Status, message: String) -> CaseRecord {
    CaseRecord {
        id: case.id.clone(),
        spec: case.spec.clone(),
        section: case.section.clone(),
        level: case.level.to_string(),
        requirement: case.requirement.clone(),
        title: case.title.clone(),
        status,
        message,
        duration_ms: 0,
        proof: Some(case.proof.clone()),
        known_failure_reason: None,
        skip_reason: None,
        findings: Vec::new(),
        notes: Vec::new(),
        exchanges: Vec::new(),
    }
}
