//! WHICH cases run and why not: `--only`/`--skip` filters, then the target's
//! capabilities, configured client roles and hook drivers decide run or skip (with the
//! reason), and which of a role's clients a case uses (the one registered for the grants
//! it exercises).

use std::collections::{BTreeMap, BTreeSet};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::outcome::SkipReason;
use crate::suite::template::ClientField;
use crate::suite::{Case, Catalog, Grant, Role};
use crate::target::{ClientConfig, Resolved};

/// Glob filters on case ids (`rfc7009/*`, `*/revoke/*`).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    only: Option<GlobSet>,
    skip: Option<GlobSet>,
    /// Every pattern with its own matcher, to name the ones that select nothing.
    patterns: Vec<(String, globset::GlobMatcher)>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{glob}`: {source}")]
pub struct FilterError {
    glob: String,
    source: globset::Error,
}

impl Filter {
    pub fn new(only: &[String], skip: &[String]) -> Result<Filter, FilterError> {
        let build = |globs: &[String]| -> Result<Option<GlobSet>, FilterError> {
            if globs.is_empty() {
                return Ok(None);
            }
            let mut b = GlobSetBuilder::new();
            for g in globs {
                // `*` may cross `/`: `rfc7009*` should select a whole spec.
                b.add(Glob::new(g).map_err(|source| FilterError {
                    glob: g.clone(),
                    source,
                })?);
            }
            b.build().map(Some).map_err(|source| FilterError {
                glob: globs.join(" "),
                source,
            })
        };
        let mut patterns = Vec::new();
        for (flag, globs) in [("--only", only), ("--skip", skip)] {
            for g in globs {
                let m = Glob::new(g)
                    .map_err(|source| FilterError {
                        glob: g.clone(),
                        source,
                    })?
                    .compile_matcher();
                patterns.push((format!("{flag} `{g}`"), m));
            }
        }
        Ok(Filter {
            only: build(only)?,
            skip: build(skip)?,
            patterns,
        })
    }

    /// The patterns (as `--only \`glob\``) that match none of `ids`: a typo that would
    /// otherwise make a run test nothing, or less than asked, and still look green.
    pub fn unmatched<'a>(&self, ids: impl IntoIterator<Item = &'a str> + Clone) -> Vec<String> {
        self.patterns
            .iter()
            .filter(|(_, m)| !ids.clone().into_iter().any(|id| m.is_match(id)))
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// `None` when the case is selected, else why not.
    pub fn excludes(&self, id: &str) -> Option<&'static str> {
        if let Some(only) = &self.only
            && !only.is_match(id)
        {
            return Some("not selected by --only");
        }
        if let Some(skip) = &self.skip
            && skip.is_match(id)
        {
            return Some("left out by --skip");
        }
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Run, with the client chosen for each role (see [`Choices`]).
    Run(Choices),
    Skip(SkipReason),
}

/// Per role, which of the target's clients for it a case uses: the index into
/// [`crate::target::ClientConfig::candidates`] (0, the main client, unless listed).
pub type Choices = BTreeMap<Role, usize>;

/// The cases selected by the filter, each with its decision. Cases a filter leaves out
/// are not listed at all (they are not part of the run); cases the target cannot run
/// are listed as skips so the report shows the gap.
pub fn plan<'a>(
    catalog: &'a Catalog,
    target: &Resolved,
    filter: &Filter,
) -> Vec<(&'a Case, Decision)> {
    catalog
        .cases
        .iter()
        .filter(|c| filter.excludes(&c.id).is_none())
        .map(|case| (case, decide(case, target)))
        .collect()
}

fn decide(case: &Case, target: &Resolved) -> Decision {
    for &need in &case.needs {
        if let Err(why) = target.offers(need) {
            return Decision::Skip(SkipReason::NotOffered {
                capability: need.to_string(),
                why,
            });
        }
    }
    let grants = case.grants();
    let mut choices = Choices::new();
    for role in case.roles() {
        let Some(client) = target.target.clients.get(&role) else {
            return Decision::Skip(SkipReason::NoClient {
                role: role.to_string(),
            });
        };
        match choose(client, &grants.required(role), &grants.probed(role)) {
            Ok(0) => {}
            Ok(i) => {
                choices.insert(role, i);
            }
            Err(missing) => {
                return Decision::Skip(SkipReason::NoClientForGrants {
                    role: role.to_string(),
                    grants: missing.iter().map(|g| g.to_string()).collect(),
                });
            }
        }
    }
    for (role, field) in case.user_fields() {
        let has = target
            .target
            .users
            .get(&role)
            .is_some_and(|u| u.field(field).is_some());
        if !has {
            return Decision::Skip(SkipReason::NoUserField {
                role,
                field: field.name().to_string(),
            });
        }
    }
    for (role, field) in case.client_fields() {
        let Some(client) = target
            .target
            .clients
            .get(&role)
            .and_then(|c| c.candidate(choices.get(&role).copied().unwrap_or(0)))
        else {
            continue;
        };
        let present = match field {
            ClientField::ClientId => true,
            ClientField::Scope => client.scope.is_some(),
            ClientField::RedirectUri => client.redirect_uri.is_some(),
        };
        if !present {
            return Decision::Skip(SkipReason::NoClientField {
                role: role.to_string(),
                field: field.name().to_string(),
            });
        }
    }
    // A hook is an action outside the protocol (an operator, a second device, time
    // passing): a target that names no driver for it cannot run the case, which is no
    // fault of the server.
    for hook in case.hooks() {
        if !target.target.hooks.contains_key(hook) {
            return Decision::Skip(SkipReason::NoHook {
                hook: hook.to_string(),
            });
        }
    }
    Decision::Run(choices)
}

/// The client a case plays a role with: the first candidate registered for every grant
/// the case needs of the role, preferring one also registered for the grants it only
/// probes (so that a refusal it expects is about what the case tests, not the grant).
/// `Err`: the grants no single candidate serves.
pub fn choose(
    client: &ClientConfig,
    required: &BTreeSet<Grant>,
    probed: &BTreeSet<Grant>,
) -> Result<usize, BTreeSet<Grant>> {
    let able: Vec<(usize, &ClientConfig)> = client
        .candidates()
        .enumerate()
        .filter(|(_, c)| c.serves(required))
        .collect();
    let Some(&(first, _)) = able.first() else {
        return Err(required.clone());
    };
    Ok(able
        .iter()
        .find(|(_, c)| c.serves(probed))
        .map_or(first, |(i, _)| *i))
}
