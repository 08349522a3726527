//! The pipeline's inputs: the suites catalog and target files, loaded and checked
//! against each other (a known failure must name a case) before anything runs.

use std::path::Path;

use super::AppError;
use crate::diagnostic::{self, Diagnostic};
use crate::plan::Filter;
use crate::suite::{self, Catalog};
use crate::target::{self, Target};

/// The `--only`/`--skip` filter, refused when a pattern selects no case of the catalog:
/// a run that tests nothing (or less than asked) must not look green.
pub fn filter(catalog: &Catalog, only: &[String], skip: &[String]) -> Result<Filter, AppError> {
    let filter = Filter::new(only, skip).map_err(|e| AppError::Invalid(e.to_string()))?;
    let unmatched = filter.unmatched(catalog.cases.iter().map(|c| c.id.as_str()));
    if !unmatched.is_empty() {
        return Err(AppError::Invalid(format!(
            "{} {} no case of the {} loaded; `oauth2spec list` shows the case ids",
            unmatched.join(", "),
            if unmatched.len() == 1 {
                "matches"
            } else {
                "match"
            },
            catalog.cases.len()
        )));
    }
    Ok(filter)
}

pub fn load_catalog(dir: &Path) -> Result<Catalog, AppError> {
    suite::load_dir(dir).map_err(AppError::Diagnostics)
}

pub fn load_target(path: &Path, catalog: &Catalog) -> Result<Target, AppError> {
    let t = target::file::load(path).map_err(AppError::Diagnostics)?;
    stale_known_failures(&t, catalog, path).map_err(AppError::Diagnostics)?;
    Ok(t)
}

/// A known failure naming no case is an error: baselines must not rot.
pub fn stale_known_failures(
    t: &Target,
    catalog: &Catalog,
    path: &Path,
) -> Result<(), Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let source = diagnostic::Source::new(path, text);
    let diags: Vec<Diagnostic> = t
        .known_failures
        .iter()
        .filter(|(id, _)| !catalog.cases.iter().any(|c| &c.id == *id))
        .map(|(id, (_, line))| {
            let offset: usize = source
                .text
                .lines()
                .take(line.saturating_sub(1))
                .map(|l| l.len() + 1)
                .sum();
            Diagnostic::new(
                &source,
                offset..offset,
                format!("known failure `{id}` names no case"),
            )
            .expected("a case id listed by `oauth2spec list`")
        })
        .collect();
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}
