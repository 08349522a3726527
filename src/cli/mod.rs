//! The command line: clap subcommands and their arguments, and dispatch to the commands
//! (`commands`, `list`), which call the pipeline (`app`) and the views. `main.rs` only
//! maps the result to an exit code.

mod commands;
mod list;

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
    /// Require this initial access token (a Bearer token) at the dynamic registration
    /// endpoint (RFC 7591 §3 protected registration); registration is open without it.
    #[arg(long, value_name = "TOKEN")]
    pub registration_token: Option<String>,
    /// Fetch request objects passed by reference (RFC 9101 §5.2 `request_uri`) from this
    /// origin, e.g. `http://127.0.0.1:8450` for a harness listener; repeatable. Without it
    /// `request_uri` by reference is not supported (RFC 9101 §10.4.1: expected locations).
    #[arg(long = "request-uri-origin", value_name = "ORIGIN")]
    pub request_uri_origins: Vec<String>,
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
        Command::Run(a) => commands::runtime()?.block_on(commands::run(a)),
        Command::Serve(a) => commands::runtime()?.block_on(commands::serve(a)),
        Command::List(a) => list::list(a),
        Command::Check(a) => commands::check(a),
        Command::Report(a) => commands::report(a),
        Command::Compare(a) => commands::compare(a),
    }
}
