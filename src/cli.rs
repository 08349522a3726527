//! The command line: clap subcommands, and dispatch to the pipeline (`app`) and the
//! views. `main.rs` only maps the result to an exit code.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::app::inputs::{load_catalog, load_target, stale_known_failures};
use crate::app::run::{Settings, Targets, run_all};
use crate::diagnostic;
use crate::execute::{CaseOptions, RunOptions};
use crate::plan::Filter;
use crate::report;
use crate::suite::{self, Catalog, requirements};
use crate::target;

pub use crate::outcome::Exit;

/// Why a command could not do its job (the pipeline's error, one exit policy).
pub use crate::app::AppError as CliError;

#[derive(Debug, Parser)]
#[command(
    name = "oauth2spec",
    version,
    about = "Conformance and interoperability harness for OAuth 2.0 authorization servers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run suites against targets; with no --target, against the bundled reference
    /// server in the generic, pingone and aic layouts.
    Run(RunArgs),
    /// Run the reference server standalone.
    Serve(ServeArgs),
    /// List the cases that would run, after filters.
    List(ListArgs),
    /// Validate suite and target files without network.
    Check(CheckArgs),
    /// Re-render junit.xml, report.html and summary.md from a saved results.json.
    Report(ReportArgs),
    /// Put several results.json side by side in one HTML matrix.
    Compare(CompareArgs),
}

#[derive(Debug, clap::Args)]
pub struct SuiteArgs {
    /// The suites folder.
    #[arg(long, default_value = "suites")]
    pub suites: PathBuf,
    /// Only cases whose id matches one of these globs (e.g. `rfc7009/*`).
    #[arg(long)]
    pub only: Vec<String>,
    /// Leave out cases whose id matches one of these globs.
    #[arg(long)]
    pub skip: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suites: SuiteArgs,
    /// Target files; repeat for several targets.
    #[arg(long)]
    pub target: Vec<PathBuf>,
    /// Reports go to DIR/<target-name>/.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// SHOULD failures fail the run.
    #[arg(long)]
    pub strict: bool,
    /// Cases with a request in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Per-request timeout, overriding the target file.
    #[arg(long)]
    pub timeout_ms: Option<u64>,
    /// Response body cap in bytes, overriding the target file.
    #[arg(long)]
    pub max_body_bytes: Option<u64>,
    /// The longest wait (token expiry, polling) a case may take, in seconds.
    #[arg(long, default_value_t = 30)]
    pub max_wait: u64,
    /// Default run only: the reference layouts to run (default generic, pingone, aic).
    #[arg(long, value_enum)]
    pub layout: Vec<LayoutArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LayoutArg {
    Generic,
    Pingone,
    Aic,
    Pingfederate,
}

impl LayoutArg {
    fn server(self) -> reference_server::Layout {
        match self {
            LayoutArg::Generic => reference_server::Layout::Generic,
            LayoutArg::Pingone => reference_server::Layout::Pingone,
            LayoutArg::Aic => reference_server::Layout::Aic,
            LayoutArg::Pingfederate => reference_server::Layout::Pingfederate,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[arg(long, value_enum, default_value = "generic")]
    pub layout: LayoutArg,
    #[arg(long, default_value = "127.0.0.1:8400")]
    pub bind: SocketAddr,
    /// Switch on a named fault; repeatable. `--fault list` prints them.
    #[arg(long)]
    pub fault: Vec<String>,
    /// Serve the test-only `POST /test/hooks/{hook}` endpoint (the `reference` hook driver's),
    /// so that target files can use `[hooks.<name>] driver = "reference"`.
    #[arg(long)]
    pub test_hooks: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub suites: SuiteArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Per spec, how many rows of the requirements catalog the listed cases test.
    #[arg(long)]
    pub coverage: bool,
    /// Print one case (an id, or a glob matching one case) as it will run: its steps,
    /// requests and checks, each with its level and the verdict a broken one yields.
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
    /// With --explain: render the templates this target file can (client fields).
    #[arg(long, requires = "explain")]
    pub target: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The suites folder (its flows are used for FILES too).
    #[arg(long, default_value = "suites")]
    pub suites: PathBuf,
    /// Target files to validate as well.
    #[arg(long)]
    pub target: Vec<PathBuf>,
    /// Suite files to check instead of the whole folder.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results.json written by `run`.
    pub results: PathBuf,
    /// Where to write; by default beside results.json.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// results.json files, one per target.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    #[arg(long, default_value = "reports/compare.html")]
    pub out: PathBuf,
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<Exit, CliError> {
    match cli.command {
        Command::Run(a) => runtime()?.block_on(cmd_run(a)),
        Command::Serve(a) => runtime()?.block_on(cmd_serve(a)),
        Command::List(a) => cmd_list(a),
        Command::Check(a) => cmd_check(a),
        Command::Report(a) => cmd_report(a),
        Command::Compare(a) => cmd_compare(a),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Harness(format!("cannot start the async runtime: {e}")))
}

fn run_options(a: &RunArgs) -> RunOptions {
    RunOptions {
        concurrency: a.concurrency,
        strict: a.strict,
        case: CaseOptions {
            max_wait: Duration::from_secs(a.max_wait),
            ..CaseOptions::default()
        },
    }
}

async fn cmd_run(a: RunArgs) -> Result<Exit, CliError> {
    let catalog = load_catalog(&a.suites.suites)?;
    let filter = Filter::new(&a.suites.only, &a.suites.skip)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let targets = if a.target.is_empty() {
        Targets::Reference(if a.layout.is_empty() {
            target::reference::DEFAULT_LAYOUTS.to_vec()
        } else {
            a.layout.iter().map(|l| l.server()).collect()
        })
    } else {
        let mut targets = Vec::new();
        for path in &a.target {
            targets.push(load_target(path, &catalog)?);
        }
        Targets::Files(targets)
    };
    let settings = Settings {
        options: run_options(&a),
        report_dir: a.report_dir.clone(),
        timeout_ms: a.timeout_ms,
        max_body_bytes: a.max_body_bytes,
    };
    let records = run_all(&catalog, targets, &filter, &settings).await?;
    Ok(Exit::of_runs(&records))
}

async fn cmd_serve(a: ServeArgs) -> Result<Exit, CliError> {
    if a.fault.iter().any(|f| f == "list") {
        for f in reference_server::Fault::ALL {
            println!("{:40} {}", f.name(), f.description());
        }
        return Ok(Exit::Ok);
    }
    let mut faults = std::collections::BTreeSet::new();
    for f in &a.fault {
        let fault = f
            .parse::<reference_server::Fault>()
            .map_err(|e| CliError::Invalid(format!("{e}; `--fault list` shows the valid names")))?;
        faults.insert(fault);
    }
    let config = reference_server::ServerConfig {
        layout: a.layout.server(),
        faults,
        test_hooks: a.test_hooks,
        ..reference_server::ServerConfig::default()
    };
    let server = reference_server::spawn(config, a.bind)
        .await
        .map_err(|e| CliError::Harness(format!("cannot bind {}: {e}", a.bind)))?;
    println!(
        "reference server ({}) at {}",
        a.layout.server().as_str(),
        server.base_url
    );
    println!("issuer {}", server.issuer);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Harness(e.to_string()))?;
    server.shutdown().await;
    Ok(Exit::Ok)
}

fn cmd_list(a: ListArgs) -> Result<Exit, CliError> {
    let catalog = load_catalog(&a.suites.suites)?;
    if let Some(pattern) = &a.explain {
        return cmd_explain(&catalog, pattern, a.target.as_deref());
    }
    let filter = Filter::new(&a.suites.only, &a.suites.skip)
        .map_err(|e| CliError::Invalid(e.to_string()))?;
    let cases: Vec<&suite::Case> = catalog
        .cases
        .iter()
        .filter(|c| filter.excludes(&c.id).is_none())
        .collect();
    if a.coverage {
        print_coverage(&cases, a.format);
        return Ok(Exit::Ok);
    }
    match a.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "spec": c.spec,
                        "section": c.section,
                        "level": c.level.as_str(),
                        "requirement": c.requirement,
                        "title": c.title,
                        "needs": c.needs.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                        "roles": c.roles().iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                        "proof": c.proof,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        Format::Text => {
            for c in &cases {
                let needs: Vec<&str> = c.needs.iter().map(|n| n.as_str()).collect();
                println!(
                    "{:58} {:9} §{:8} {:12} {:34} needs [{}] proof {}",
                    c.id,
                    c.spec,
                    c.section,
                    c.level.as_str(),
                    c.requirement,
                    needs.join(","),
                    c.proof
                );
            }
            eprintln!("{} cases", cases.len());
        }
    }
    Ok(Exit::Ok)
}

/// `list --explain ID`: one case, found by id or by a glob that matches only it.
fn cmd_explain(catalog: &Catalog, pattern: &str, target: Option<&Path>) -> Result<Exit, CliError> {
    let case = match catalog.cases.iter().find(|c| c.id == pattern) {
        Some(c) => c,
        None => {
            let filter = Filter::new(&[pattern.to_string()], &[])
                .map_err(|e| CliError::Invalid(e.to_string()))?;
            let matches: Vec<&suite::Case> = catalog
                .cases
                .iter()
                .filter(|c| filter.excludes(&c.id).is_none())
                .collect();
            match matches.as_slice() {
                [one] => *one,
                [] => {
                    let ids: Vec<&str> = catalog.cases.iter().map(|c| c.id.as_str()).collect();
                    let hint = diagnostic::did_you_mean(pattern, &ids)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(CliError::Invalid(format!(
                        "no case matches `{pattern}`{hint}"
                    )));
                }
                many => {
                    let ids: Vec<&str> = many.iter().take(10).map(|c| c.id.as_str()).collect();
                    return Err(CliError::Invalid(format!(
                        "`{pattern}` matches {} cases, --explain takes one: {}{}",
                        many.len(),
                        ids.join(", "),
                        if many.len() > 10 { ", ..." } else { "" }
                    )));
                }
            }
        }
    };
    let target = target.map(|p| load_target(p, catalog)).transpose()?;
    let values = |role: suite::Role, e: &suite::template::Expr| -> Option<String> {
        use suite::template::{ClientField, Expr, TargetField};
        let t = target.as_ref()?;
        match e {
            Expr::Client(r, field) => {
                let c = t.clients.get(&r.unwrap_or(role))?;
                match field {
                    ClientField::ClientId => Some(c.client_id.clone()),
                    ClientField::Scope => c.scope.clone(),
                    ClientField::RedirectUri => c.redirect_uri.clone(),
                }
            }
            // The issuer may come from discovery: only a configured one is known here.
            Expr::Target(TargetField::Issuer) => t.issuer.clone(),
            Expr::Target(TargetField::BaseUrl) => Some(t.base_url.clone()),
            Expr::Target(TargetField::PropagationSeconds) => {
                Some(t.propagation_seconds.to_string())
            }
            _ => None,
        }
    };
    let values: Option<suite::explain::Values<'_>> = target.is_some().then_some(&values as _);
    print!("{}", suite::explain::explain(case, values));
    Ok(Exit::Ok)
}

/// `list --coverage`: catalog rows with at least one case, per spec.
fn print_coverage(cases: &[&suite::Case], format: Format) {
    let (specs, new) = requirements::coverage(requirements::index(), cases.iter().copied());
    match format {
        Format::Json => {
            let doc = serde_json::json!({ "specs": specs, "new_cases": new });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Text => {
            let (mut rows, mut covered) = (0, 0);
            for s in &specs {
                rows += s.rows;
                covered += s.covered.len();
                println!(
                    "{:52} {:>3} / {:>3} rows {:>4}%",
                    s.spec,
                    s.covered.len(),
                    s.rows,
                    percent(s.covered.len(), s.rows)
                );
            }
            println!(
                "{:52} {:>3} / {:>3} rows {:>4}%",
                "total",
                covered,
                rows,
                percent(covered, rows)
            );
            eprintln!(
                "{} cases; {new} test requirements the catalog lacks (`new`)",
                cases.len()
            );
        }
    }
}

fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

fn cmd_check(a: CheckArgs) -> Result<Exit, CliError> {
    let loaded = if a.files.is_empty() {
        suite::load_dir(&a.suites)
    } else {
        suite::load_files(Some(&a.suites), &a.files)
    };
    let mut diags = Vec::new();
    let catalog = match loaded {
        Ok(c) => Some(c),
        Err(d) => {
            diags.extend(d);
            None
        }
    };
    for path in &a.target {
        match target::file::load(path) {
            Ok(t) => {
                if let Some(catalog) = &catalog
                    && a.files.is_empty()
                    && let Err(d) = stale_known_failures(&t, catalog, path)
                {
                    diags.extend(d);
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(CliError::Diagnostics(diags));
    }
    if let Some(c) = catalog {
        eprintln!("ok: {} cases, {} flows", c.cases.len(), c.flows.len());
    }
    Ok(Exit::Ok)
}

fn cmd_report(a: ReportArgs) -> Result<Exit, CliError> {
    let record = report::json::read(&a.results).map_err(|e| CliError::Invalid(e.to_string()))?;
    let dir = a
        .out
        .clone()
        .or_else(|| a.results.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let written = report::write_all(&record, &dir).map_err(|e| CliError::Harness(e.to_string()))?;
    for p in written {
        println!("{}", p.display());
    }
    Ok(Exit::of_runs([&record]))
}

fn cmd_compare(a: CompareArgs) -> Result<Exit, CliError> {
    let mut records = Vec::new();
    for p in &a.results {
        records.push(report::json::read(p).map_err(|e| CliError::Invalid(e.to_string()))?);
    }
    let html = report::compare::render(&records).map_err(|e| CliError::Harness(e.to_string()))?;
    if let Some(parent) = a.out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| CliError::Harness(e.to_string()))?;
    }
    std::fs::write(&a.out, html)
        .map_err(|e| CliError::Harness(format!("cannot write {}: {e}", a.out.display())))?;
    println!("{}", a.out.display());
    Ok(Exit::Ok)
}
