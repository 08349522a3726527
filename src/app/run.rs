//! The `run` command's work: each target (the bundled reference server once per layout,
//! or target files) through the pipeline, with terminal progress, and its reports written.
//! The reference layouts are independent servers, so they run at the same time: their
//! waits (expiry, polling) overlap instead of adding up.

use std::path::PathBuf;

use indicatif::{MultiProgress, ProgressDrawTarget};

use super::{AppError, start_reference};
use crate::execute::RunOptions;
use crate::outcome::RunRecord;
use crate::plan::Filter;
use crate::report::{self, terminal::Progress};
use crate::suite::Catalog;
use crate::target::Target;

/// Who a run tests.
pub enum Targets {
    /// The bundled reference server, started once per layout.
    Reference(Vec<reference_server::Layout>),
    /// Loaded target files.
    Files(Vec<Target>),
}

/// Settings of a run beyond the executor's options.
#[derive(Debug, Clone)]
pub struct Settings {
    pub options: RunOptions,
    /// Reports go to `<report_dir>/<target name>/`.
    pub report_dir: PathBuf,
    /// Overrides of the target files' HTTP limits.
    pub timeout_ms: Option<u64>,
    pub max_body_bytes: Option<u64>,
}

/// Runs every target and writes its reports; the records, in the order given, for the exit
/// policy. Reference layouts run concurrently (each case run keeps its own concurrency
/// bound), target files one after the other.
pub async fn run_all(
    catalog: &Catalog,
    targets: Targets,
    filter: &Filter,
    settings: &Settings,
) -> Result<Vec<RunRecord>, AppError> {
    let mut records = Vec::new();
    match targets {
        Targets::Reference(layouts) => {
            let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let runs = layouts.into_iter().map(|layout| {
                let bars = &bars;
                async move {
                    let config = reference_server::ServerConfig {
                        layout,
                        ..reference_server::ServerConfig::default()
                    };
                    let reference = start_reference(config).await?;
                    let mut settings = settings.clone();
                    settings.options.listener = Some(reference.listener);
                    let record =
                        run_and_report(catalog, reference.target, filter, &settings, Some(bars))
                            .await;
                    reference.server.shutdown().await;
                    record
                }
            });
            for record in futures::future::join_all(runs).await {
                records.push(record?);
            }
        }
        Targets::Files(targets) => {
            for t in targets {
                records.push(run_and_report(catalog, t, filter, settings, None).await?);
            }
        }
    }
    Ok(records)
}

async fn run_and_report(
    catalog: &Catalog,
    mut t: Target,
    filter: &Filter,
    settings: &Settings,
    bars: Option<&MultiProgress>,
) -> Result<RunRecord, AppError> {
    if let Some(ms) = settings.timeout_ms {
        t.http.timeout_ms = ms;
    }
    if let Some(b) = settings.max_body_bytes {
        t.http.max_body_bytes = b;
    }
    let name = t.name.clone();
    let total = catalog
        .cases
        .iter()
        .filter(|c| filter.excludes(&c.id).is_none())
        .count();
    let progress = Progress::new(total, &name, bars);
    let record = super::run_target(catalog, t, filter, &settings.options, &|c| {
        progress.case_finished(c)
    })
    .await
    .map_err(|e| AppError::Harness(e.to_string()))?;
    progress.finish(&record);
    let dir = settings.report_dir.join(&name);
    let written = report::write_all(&record, &dir).map_err(|e| {
        AppError::Harness(format!("cannot write reports to {}: {e}", dir.display()))
    })?;
    eprintln!(
        "{name}: reports in {}",
        written
            .first()
            .and_then(|p| p.parent())
            .unwrap_or(&dir)
            .display()
    );
    Ok(record)
}
