//! The `oauth2spec` binary: parses the command line and maps the outcome to an exit
//! code (0 conformant, 1 failures, 2 invalid input, 3 harness could not run, 4 nothing
//! tested).

use clap::Parser;
use oauth2spec::cli::{self, Cli, Exit};
use oauth2spec::diagnostic::render_all_for_stderr;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap's own help and version requests are successes.
            let code = if e.use_stderr() {
                Exit::Invalid as i32
            } else {
                0
            };
            std::process::exit(code);
        }
    };
    let code = match cli::dispatch(cli) {
        Ok(exit) => exit as i32,
        Err(e) => {
            match &e {
                // In colour on a terminal; `Display` stays plain for logs and tests.
                cli::CliError::Diagnostics(d) => {
                    eprintln!("{}", render_all_for_stderr(d).trim_end());
                }
                _ => eprintln!("{e}"),
            }
            e.exit() as i32
        }
    };
    std::process::exit(code);
}
