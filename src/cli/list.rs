//! `list`: the cases a run would consider, as text or JSON; `--coverage` (catalog rows with
//! a case, per spec) and `--explain ID` (one case as it will run).

use super::*;

pub(super) fn list(a: ListArgs) -> Result<Exit, CliError> {
    let catalog = load_catalog(&a.suites.suites)?;
    if let Some(pattern) = &a.explain {
        return explain(&catalog, pattern, a.target.as_deref());
    }
    let filter = crate::app::inputs::filter(&catalog, &a.suites.only, &a.suites.skip)?;
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
fn explain(catalog: &Catalog, pattern: &str, target: Option<&Path>) -> Result<Exit, CliError> {
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
    // The client each role is played by, chosen as a run chooses it (plan::choose): the
    // one registered for the grants the case exercises with the role.
    let mut chosen = std::collections::BTreeMap::new();
    if let Some(t) = &target {
        let grants = case.grants();
        for role in case.roles() {
            let Some(client) = t.clients.get(&role) else {
                println!("note: the target has no `{role}` client; the case would be skipped");
                continue;
            };
            match crate::plan::choose(client, &grants.required(role), &grants.probed(role)) {
                Ok(i) => {
                    if let Some(c) = client.candidate(i) {
                        let which = if i == 0 {
                            "its main client".to_string()
                        } else {
                            format!("`clients.{role}.also[{i}]`")
                        };
                        println!("client {role}: {} ({which})", c.client_id);
                    }
                    chosen.insert(role, i);
                }
                Err(missing) => {
                    let names: Vec<String> = missing.iter().map(|g| g.to_string()).collect();
                    println!(
                        "note: no `{role}` client is registered for {}; the case would be skipped",
                        names.join(", ")
                    );
                }
            }
        }
    }
    let values = |role: suite::Role, e: &suite::template::Expr| -> Option<String> {
        use suite::template::{ClientField, Expr, TargetField};
        let t = target.as_ref()?;
        match e {
            Expr::Client(r, field) => {
                let role = r.unwrap_or(role);
                let c = t
                    .clients
                    .get(&role)?
                    .candidate(chosen.get(&role).copied().unwrap_or(0))?;
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
