//! The pipeline, assembled once: discover -> resolve -> plan -> execute (-> report, in
//! [`run`]). The CLI, the default run against the bundled reference server and the tests
//! all call these functions, so that what the self-tests prove is what users run.

use std::net::SocketAddr;
use std::sync::Arc;

use reference_server::{RunningServer, ServerConfig};

use crate::diagnostic::Diagnostic;
use crate::execute::listener::Listener;
use crate::execute::{self, RunOptions};
use crate::outcome::{CaseRecord, RunRecord};
use crate::plan::{self, Filter};
use crate::suite::Catalog;
use crate::target::{self, Resolved, Target};

pub mod inputs;
pub mod run;

/// Why a command could not do its job; `exit` maps each kind to its exit code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Invalid suite or target files.
    #[error("{}", crate::diagnostic::render_all(.0).trim_end())]
    Diagnostics(Vec<Diagnostic>),
    /// An invalid command line (a glob, an option value).
    #[error("{0}")]
    Invalid(String),
    /// The harness could not run: target unreachable, reports not writable.
    #[error("{0}")]
    Harness(String),
}

impl AppError {
    pub fn exit(&self) -> crate::outcome::Exit {
        use crate::outcome::Exit;
        match self {
            AppError::Diagnostics(_) | AppError::Invalid(_) => Exit::Invalid,
            AppError::Harness(_) => Exit::Harness,
        }
    }
}

/// Why a run against one target could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Unreachable(#[from] execute::Unreachable),
    #[error("{0}")]
    ManualNeedsTerminal(String),
}

/// Discovery (RFC 8414 / OIDC) and resolution: the target as the run sees it.
pub async fn resolve(target: Target) -> Result<Resolved, RunError> {
    // The manual login driver reads a pasted URL: refuse before any request is sent.
    if target.login.driver == target::LoginDriver::Manual
        && let Some(refusal) = execute::login::manual_refusal()
    {
        return Err(RunError::ManualNeedsTerminal(refusal));
    }
    let discovery = execute::discover(&target).await?;
    Ok(target::resolve(target, discovery))
}

/// Plans the catalog for a resolved target (filter, capabilities, roles) and runs it.
pub async fn run_resolved(
    catalog: &Catalog,
    resolved: &Resolved,
    filter: &Filter,
    options: &RunOptions,
    on_case: &(dyn Fn(&CaseRecord) + Sync),
) -> RunRecord {
    let planned = plan::plan(catalog, resolved, filter);
    execute::run(resolved, &planned, options, on_case).await
}

/// The whole pipeline for one target: resolve, plan, run.
pub async fn run_target(
    catalog: &Catalog,
    target: Target,
    filter: &Filter,
    options: &RunOptions,
    on_case: &(dyn Fn(&CaseRecord) + Sync),
) -> Result<RunRecord, RunError> {
    let resolved = resolve(target).await?;
    Ok(run_resolved(catalog, &resolved, filter, options, on_case).await)
}

/// A bundled reference server on an ephemeral loopback port, the target describing it,
/// and the callback listener its ping and push clients notify.
pub struct Reference {
    pub server: RunningServer,
    pub target: Target,
    /// Pass it in [`RunOptions::listener`] so that the run receives the notifications.
    pub listener: Arc<Listener>,
}

/// Starts the reference server with `config` (layout, faults) on 127.0.0.1, after a
/// callback listener whose shared notification URL becomes the server's
/// `ciba_notification_endpoint` (CIBA §4: one URL per client), unless `config` names one,
/// and whose origin is where the server fetches request objects by reference (RFC 9101
/// §10.4.1: an expected location), unless `config` lists origins.
pub async fn start_reference(mut config: ServerConfig) -> Result<Reference, AppError> {
    let listener = Listener::start(SocketAddr::from(([127, 0, 0, 1], 0)), None)
        .await
        .map_err(|e| AppError::Harness(e.to_string()))?;
    if config.ciba_notification_endpoint.is_none() {
        config.ciba_notification_endpoint = Some(listener.notification_url());
    }
    if config.request_uri_origins.is_empty() {
        config.request_uri_origins = vec![listener.public_url().origin().ascii_serialization()];
    }
    let server = reference_server::spawn(config.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| AppError::Harness(format!("cannot start the reference server: {e}")))?;
    let target = target::reference::target(&config, &server.base_url);
    Ok(Reference {
        server,
        target,
        listener: Arc::new(listener),
    })
}
