//! Which grant types a case exercises, per client role: read once from its steps so that
//! the planner can give each role the client the target registered for those grants.
//!
//! A step exercises a grant when it asks for it and expects it to work: an authorization
//! request's `response_type` (RFC 7591 §2.1 pairs `code` with `authorization_code` and
//! `token` with `implicit`; OpenID Connect Registration pairs `id_token` with `implicit`),
//! a token request's literal `grant_type`, a device authorization request (RFC 8628 §3.1)
//! or a backchannel authentication request (CIBA Core §7.1). A step whose checks expect an
//! error only probes its grant: a case that shows a client without the grant is refused
//! (`unauthorized_client`, RFC 6749 §5.2) must keep that client.

use std::collections::{BTreeMap, BTreeSet};

use super::{Case, CheckKind, Delivery, JsonTest, RequestStep, StatusMatch};
use crate::suite::vocab::{Endpoint, Grant, Role};

/// The grants a case's steps use, per role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantUse {
    /// Grants a step expects to succeed with: the role's client must be registered for
    /// them.
    pub required: BTreeMap<Role, BTreeSet<Grant>>,
    /// Grants only sent in steps that expect an error: a client registered for them is
    /// preferred (the error is then the one the case is about), but not needed.
    pub probed: BTreeMap<Role, BTreeSet<Grant>>,
}

impl GrantUse {
    pub fn required(&self, role: Role) -> BTreeSet<Grant> {
        self.required.get(&role).cloned().unwrap_or_default()
    }

    pub fn probed(&self, role: Role) -> BTreeSet<Grant> {
        self.probed.get(&role).cloned().unwrap_or_default()
    }
}

impl Case {
    /// The grants the case's steps (flows expanded, cleanup aside) exercise, per role.
    pub fn grants(&self) -> GrantUse {
        let mut out = GrantUse::default();
        for step in &self.steps {
            let grants = step.request.grants();
            if grants.is_empty() {
                continue;
            }
            let slot = if step.request.expects_error() {
                &mut out.probed
            } else {
                &mut out.required
            };
            slot.entry(step.client).or_default().extend(grants);
        }
        out
    }
}

impl RequestStep {
    /// The grant types this request asks for, whatever it expects of the answer.
    pub fn grants(&self) -> BTreeSet<Grant> {
        let param = |name: &str| {
            self.query
                .iter()
                .chain(&self.form)
                .find(|(n, _)| n == name)
                .and_then(|(_, t)| t.as_literal())
        };
        let mut out = BTreeSet::new();
        match self.endpoint() {
            Some(Endpoint::Authorization | Endpoint::Par) => {
                for word in param("response_type").unwrap_or_default().split(' ') {
                    match word {
                        "code" => {
                            out.insert(Grant::AuthorizationCode);
                        }
                        "token" | "id_token" => {
                            out.insert(Grant::Implicit);
                        }
                        _ => {}
                    }
                }
            }
            Some(Endpoint::Token) => {
                if let Some(g) = param("grant_type").and_then(|g| Grant::parse(&g)) {
                    out.insert(g);
                }
            }
            Some(Endpoint::DeviceAuthorization) => {
                out.insert(Grant::DeviceCode);
            }
            Some(Endpoint::BackchannelAuthentication) => {
                out.insert(Grant::Ciba);
            }
            _ => {}
        }
        out
    }

    /// Whether the step's checks expect the server to refuse: an unguarded check (at a
    /// level that can fail or warn) for a 4xx/5xx status, for an `error` member or
    /// authorization-response parameter, or that no authorization response is delivered.
    pub fn expects_error(&self) -> bool {
        let names_error = |pointer: &str, test: &JsonTest| {
            pointer == "/error"
                && matches!(
                    test,
                    JsonTest::Equals(_)
                        | JsonTest::OneOf(_)
                        | JsonTest::Present
                        | JsonTest::Type(_)
                )
        };
        self.checks
            .iter()
            .filter(|c| c.when.is_none())
            .filter(|c| {
                c.level
                    .is_none_or(|l| l.severity() != crate::outcome::Severity::Note)
            })
            .any(|c| match &c.kind {
                CheckKind::Status(StatusMatch::Exact(list)) => {
                    !list.is_empty() && list.iter().all(|s| *s >= 400)
                }
                CheckKind::Status(StatusMatch::Class(class)) => *class >= 4,
                CheckKind::Json { pointer, test } | CheckKind::Callback { pointer, test } => {
                    names_error(pointer, test)
                }
                CheckKind::Delivered(ways) => ways.as_slice() == [Delivery::None],
                _ => false,
            })
    }
}
