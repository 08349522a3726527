//! Client roles in a target file (`[clients.<role>]`), with the grants each client is
//! registered for and the other clients that play the role for other grants.
//!
//! Many servers register one grant type per client (RFC 7591 §2 `grant_types`), so one
//! client cannot always serve client_credentials and the code grant at once. A role names
//! its main client and, under `[[clients.<role>.also]]`, alternatives; each may say
//! `grants = [...]`. A case gets, per role, the first of them registered for every grant it
//! exercises with that role (the planner chooses; see `plan`).
//!
//! ```toml
//! [clients.confidential]
//! client_id = "machine"
//! client_secret = "${env:MACHINE_SECRET}"
//! auth_method = "client_secret_basic"
//! grants = ["client_credentials"]
//!
//! [[clients.confidential.also]]
//! client_id = "web"
//! client_secret = "${env:WEB_SECRET}"
//! auth_method = "client_secret_basic"
//! redirect_uri = "https://app.example/callback"
//! grants = ["authorization_code", "refresh_token"]
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use super::ClientConfig;
use super::file::Cx;
use super::keys;
use crate::diagnostic::{self, Diagnostic};
use crate::suite::{AuthMethod, Grant, Role};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClient {
    client_id: Spanned<String>,
    #[serde(default)]
    client_secret: Option<Spanned<String>>,
    auth_method: Spanned<String>,
    #[serde(default)]
    scope: Option<Spanned<String>>,
    #[serde(default)]
    redirect_uri: Option<Spanned<String>>,
    #[serde(default)]
    key_file: Option<Spanned<String>>,
    #[serde(default)]
    key_alg: Option<Spanned<String>>,
    #[serde(default)]
    key_id: Option<Spanned<String>>,
    #[serde(default)]
    grants: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    also: Vec<Spanned<RawClient>>,
}

impl ClientConfig {
    /// The clients that may play the role, in the order they are tried: this one, then
    /// its `also` list.
    pub fn candidates(&self) -> impl Iterator<Item = &ClientConfig> {
        std::iter::once(self).chain(&self.also)
    }

    /// The candidate at `index` of [`ClientConfig::candidates`].
    pub fn candidate(&self, index: usize) -> Option<&ClientConfig> {
        self.candidates().nth(index)
    }

    /// Whether the client is registered for every one of `grants`; one that does not
    /// declare its grants is assumed to serve them all.
    pub fn serves<'a>(&self, grants: impl IntoIterator<Item = &'a Grant>) -> bool {
        match &self.grants {
            None => true,
            Some(declared) => grants.into_iter().all(|g| declared.contains(g)),
        }
    }

    /// Whether the target file says the client is not registered for `grant`.
    pub fn lacks(&self, grant: Grant) -> bool {
        self.grants.as_ref().is_some_and(|d| !d.contains(&grant))
    }
}

impl Cx<'_> {
    /// The `[clients]` table: every role with its main client and alternatives.
    pub(super) fn clients(
        &mut self,
        raw: &BTreeMap<String, Spanned<RawClient>>,
    ) -> BTreeMap<Role, ClientConfig> {
        let mut clients = BTreeMap::new();
        for (key, raw_client) in raw {
            let Some(role) = Role::parse(key) else {
                self.error(
                    raw_client.span(),
                    format!("unknown client role `{key}`"),
                    Some(&Role::expected()),
                );
                continue;
            };
            if matches!(role, Role::Dyn | Role::Dyn2) {
                self.error(
                    raw_client.span(),
                    format!("client `{key}` is registered by the cases themselves (`as_client`)"),
                    Some("another role"),
                );
            }
            let Some(mut main) = self.client(key, raw_client) else {
                continue;
            };
            for (i, alt) in raw_client.get_ref().also.iter().enumerate() {
                let name = format!("{key}.also[{}]", i + 1);
                if !alt.get_ref().also.is_empty() {
                    self.error(
                        alt.span(),
                        format!("client `{name}` has its own `also`"),
                        Some("every alternative of the role listed under `[clients.<role>]`"),
                    );
                }
                if alt.get_ref().grants.is_none() {
                    self.error(
                        alt.span(),
                        format!("client `{name}` does not say which grants it is for"),
                        Some("`grants = [\"authorization_code\", ...]`: a case uses it only for those"),
                    );
                }
                if let Some(c) = self.client(&name, alt) {
                    main.also.push(c);
                }
            }
            clients.insert(role, main);
        }
        clients
    }

    /// One client table (`also` aside).
    fn client(&mut self, name: &str, raw: &Spanned<RawClient>) -> Option<ClientConfig> {
        let span = raw.span();
        let rc = raw.get_ref();
        let Some(auth_method) = AuthMethod::parse(rc.auth_method.get_ref()) else {
            self.error(
                rc.auth_method.span(),
                format!("unknown auth_method `{}`", rc.auth_method.get_ref()),
                Some(&AuthMethod::expected()),
            );
            return None;
        };
        let client_secret = rc.client_secret.as_ref().map(|s| self.string(s));
        // A private_key_jwt client authenticates with its key, every other with a secret
        // (client_secret_jwt signs with it, OpenID Connect Core §9).
        let needs_secret = !matches!(auth_method, AuthMethod::None | AuthMethod::PrivateKeyJwt);
        if auth_method == AuthMethod::PrivateKeyJwt && rc.key_file.is_none() {
            self.error(
                span.clone(),
                format!("client `{name}` uses `private_key_jwt` but has no `key_file`"),
                None,
            );
        }
        if needs_secret && client_secret.is_none() {
            self.error(
                span.clone(),
                format!("client `{name}` uses `{auth_method}` but has no `client_secret`"),
                None,
            );
        }
        let mut setting = |s: &Option<Spanned<String>>| {
            s.as_ref().map(|s| keys::Setting {
                value: self.string(s),
                span: s.span(),
            })
        };
        let settings = keys::KeySettings {
            file: setting(&rc.key_file),
            alg: setting(&rc.key_alg),
            id: setting(&rc.key_id),
        };
        let key =
            keys::load(self.source, &settings, client_secret.as_deref()).unwrap_or_else(|d| {
                self.diags.extend(d);
                None
            });
        let grants = rc.grants.as_ref().map(|g| self.grants(name, g));
        Some(ClientConfig {
            client_id: self.string(&rc.client_id),
            client_secret,
            auth_method,
            scope: rc.scope.as_ref().map(|s| self.string(s)),
            redirect_uri: rc.redirect_uri.as_ref().map(|s| self.string(s)),
            key,
            grants,
            also: Vec::new(),
        })
    }

    /// `grants = [...]`: RFC 7591 §2 grant type names.
    fn grants(&mut self, key: &str, raw: &Spanned<Vec<Spanned<String>>>) -> BTreeSet<Grant> {
        if raw.get_ref().is_empty() {
            self.error(
                raw.span(),
                format!("client `{key}` is registered for no grant"),
                Some("at least one grant type, or no `grants` (then it is assumed to serve all)"),
            );
        }
        let mut out = BTreeSet::new();
        for g in raw.get_ref() {
            match Grant::parse(g.get_ref()) {
                Some(grant) => {
                    out.insert(grant);
                }
                None => {
                    let mut d = Diagnostic::new(
                        self.source,
                        g.span(),
                        format!("unknown grant type `{}`", g.get_ref()),
                    )
                    .expected(Grant::expected());
                    // The URNs are long: `device_code` names the last part of one.
                    let by_tail = Grant::NAMES
                        .iter()
                        .copied()
                        .find(|n| n.rsplit(':').next() == Some(g.get_ref().as_str()));
                    let close = diagnostic::did_you_mean(g.get_ref(), Grant::NAMES);
                    if let Some(s) = by_tail.or(close) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    self.diags.push(d);
                }
            }
        }
        out
    }
}
