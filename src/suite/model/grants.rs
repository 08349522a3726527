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
        // An `error` member judged at a level that counts, even behind a guard (`when = {
        // status = "4xx" }`), says the author probes a refusal.
        let judged = |c: &&crate::suite::Check| {
            c.level
                .is_none_or(|l| l.severity() != crate::outcome::Severity::Note)
        };
        let guarded_error = self.checks.iter().filter(judged).any(|c| {
            matches!(&c.kind, CheckKind::Json { pointer, test } | CheckKind::Callback { pointer, test }
                if names_error(pointer, test))
        });
        guarded_error
            || self
                .checks
                .iter()
                .filter(|c| c.when.is_none())
                .filter(judged)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn uses(id: &str) -> GrantUse {
        static CATALOG: std::sync::OnceLock<crate::suite::Catalog> = std::sync::OnceLock::new();
        let catalog = CATALOG.get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("suites");
            crate::suite::load_dir(&root).expect("shipped suites load")
        });
        let case = catalog.cases.iter().find(|c| c.id == id);
        case.unwrap_or_else(|| panic!("no case {id}")).grants()
    }

    fn set(grants: &[Grant]) -> BTreeSet<Grant> {
        grants.iter().copied().collect()
    }

    #[test]
    fn grants_come_from_response_types_and_literal_grant_types() {
        use Grant::*;
        let cc = uses("rfc6749/token-endpoint/no-store-on-token-response");
        assert_eq!(cc.required(Role::Confidential), set(&[ClientCredentials]));
        // A code flow through a flow, then its code exchanged and refreshed.
        let refresh = uses("rfc6749/refresh/refresh-issues-access-token");
        assert_eq!(
            refresh.required(Role::Confidential),
            set(&[AuthorizationCode, RefreshToken])
        );
        let implicit = uses("rfc6749/implicit/token-delivered-in-fragment");
        assert_eq!(implicit.required(Role::Public), set(&[Implicit]));
        // A template or an unknown `grant_type` names no grant.
        let unknown = uses("rfc6749/token-endpoint/unknown-grant-type-is-unsupported-grant-type");
        assert_eq!(unknown, GrantUse::default());
    }

    #[test]
    fn a_step_expecting_an_error_only_probes_its_grant() {
        use Grant::*;
        // The point of the case is a client without the code grant: it keeps its client.
        let restricted =
            uses("rfc6749/authorization-request/restricted-client-is-unauthorized-client");
        assert!(restricted.required(Role::Restricted).is_empty());
        assert_eq!(
            restricted.probed(Role::Restricted),
            set(&[AuthorizationCode])
        );
        let wrong = uses("rfc6749/token-endpoint/wrong-secret-refused");
        assert!(wrong.required(Role::Confidential).is_empty());
        assert_eq!(wrong.probed(Role::Confidential), set(&[ClientCredentials]));
        // A denied consent is an error delivered to the client.
        let denied = uses("rfc6749/authorization-request/consent-denied-is-access-denied");
        assert_eq!(denied.probed(Role::Confidential), set(&[AuthorizationCode]));
    }
}
