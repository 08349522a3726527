//! oauth2spec: a conformance and interoperability harness for OAuth 2.0 authorization
//! servers. Suites (what to test) are data; targets (who is tested) are data; the plan
//! decides what runs; `execute` is the only module that talks to the network; outcomes
//! are recorded as data and reports are views of that record.

pub mod app;
pub mod cli;
pub mod diagnostic;
pub mod execute;
pub mod outcome;
pub mod plan;
pub mod report;
pub mod suite;
pub mod target;
