//! `reference-server`: runs the oauth2spec reference authorization server standalone.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use reference_server::{Fault, Layout, ServerConfig};

/// The strict reference OAuth 2.0 authorization server of oauth2spec.
#[derive(Debug, Parser)]
#[command(name = "reference-server", version)]
struct Args {
    /// Path layout to serve.
    #[arg(long, default_value = "generic", value_parser = parse_layout)]
    layout: Layout,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8400")]
    bind: SocketAddr,
    /// Switch on a named fault (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME", value_parser = parse_fault)]
    faults: Vec<Fault>,
    /// Print every fault with what it breaks, then exit.
    #[arg(long)]
    list_faults: bool,
    /// Serve the test-only `POST /test/hooks/{hook}` endpoint.
    #[arg(long)]
    test_hooks: bool,
}

/// The layouts with a path table; `custom` has none to serve.
fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::parse(s)
        .filter(|l| Layout::WITH_PATHS.contains(l))
        .ok_or_else(|| {
            let names: Vec<&str> = Layout::WITH_PATHS.iter().map(|l| l.as_str()).collect();
            format!(
                "unknown layout `{s}` (expected one of: {})",
                names.join(", ")
            )
        })
}

/// Unknown names are rejected with the list of valid ones; clap exits with status 2.
fn parse_fault(s: &str) -> Result<Fault, String> {
    s.parse().map_err(|e: reference_server::UnknownFault| {
        let names: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        format!("{e}; valid faults are: {}", names.join(", "))
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.list_faults {
        let width = Fault::ALL.iter().map(|f| f.name().len()).max().unwrap_or(0);
        for fault in Fault::ALL {
            println!("{:width$}  {}", fault.name(), fault.description());
        }
        return ExitCode::SUCCESS;
    }

    let config = ServerConfig {
        layout: args.layout,
        faults: args.faults.into_iter().collect::<BTreeSet<_>>(),
        test_hooks: args.test_hooks,
        ..ServerConfig::default()
    };
    let faults: Vec<&str> = config.faults.iter().map(|f| f.name()).collect();
    let server = match reference_server::spawn(config, args.bind).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("reference-server: cannot serve on {}: {error}", args.bind);
            // The harness's convention: 3 = could not run.
            return ExitCode::from(3);
        }
    };
    println!("base URL: {}", server.base_url);
    println!("issuer:   {}", server.issuer);
    println!("layout:   {}", args.layout);
    if !faults.is_empty() {
        println!("faults:   {}", faults.join(", "));
    }
    println!("serving until Ctrl-C");
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("reference-server: cannot wait for Ctrl-C: {error}");
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}
