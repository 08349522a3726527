//! The commands that run or serve (`run`, `serve`), check files (`check`), and render
//! results (`report`, `compare`).

use super::*;

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
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
        listener: None,
    }
}

pub(super) async fn run(a: RunArgs) -> Result<Exit, CliError> {
    let catalog = load_catalog(&a.suites.suites)?;
    let filter = crate::app::inputs::filter(&catalog, &a.suites.only, &a.suites.skip)?;
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

pub(super) async fn serve(a: ServeArgs) -> Result<Exit, CliError> {
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
        registration_token: a.registration_token,
        request_uri_origins: a.request_uri_origins,
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

pub(super) fn check(a: CheckArgs) -> Result<Exit, CliError> {
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

pub(super) fn report(a: ReportArgs) -> Result<Exit, CliError> {
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

pub(super) fn compare(a: CompareArgs) -> Result<Exit, CliError> {
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
