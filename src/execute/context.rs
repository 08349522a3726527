//! A case's variables and the rendering of templates against them and the target.

use std::collections::BTreeMap;

use rand::Rng;
use rand::distr::Alphanumeric;

use crate::plan::Choices;
use crate::suite::Role;
use crate::suite::template::{ClientField, Expr, Op, Part, TargetField, Template};
use crate::target::{ClientConfig, Resolved};

/// What templates read: the case's captures, the target, and the step's client.
pub struct Context<'a> {
    pub target: &'a Resolved,
    pub vars: BTreeMap<String, String>,
    /// While a flow used with `as` runs, its steps read their own captures, which are
    /// stored as `<alias>.<name>`.
    pub scope: Option<String>,
    /// The case's own mailbox at the callback listener, when the case uses it.
    pub mailbox: Option<super::listener::Mailbox>,
    /// Clients the case registered (`as_client`), by the role they play from then on.
    pub dynamic: BTreeMap<Role, ClientConfig>,
    /// Which of the target's clients for a role the plan chose for this case (by the
    /// grants it exercises); a role not listed plays its main client.
    pub choices: Choices,
}

impl<'a> Context<'a> {
    pub fn new(target: &'a Resolved) -> Context<'a> {
        Context {
            target,
            vars: BTreeMap::new(),
            scope: None,
            mailbox: None,
            dynamic: BTreeMap::new(),
            choices: Choices::new(),
        }
    }

    /// The client playing `role`: one the case registered, else the target's client the
    /// plan chose for the case.
    pub fn client(&self, role: Role) -> Option<&ClientConfig> {
        self.dynamic.get(&role).or_else(|| {
            let index = self.choices.get(&role).copied().unwrap_or(0);
            self.target.target.clients.get(&role)?.candidate(index)
        })
    }

    /// Renders a template for a step acting as `client`. `Ok(None)`: an optional value
    /// that is empty or unset, so the parameter is left out.
    pub fn render(&self, t: &Template, client: Role) -> Result<Option<String>, String> {
        let mut out = String::new();
        for part in &t.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Expr(e) => match self.expr(e, client) {
                    Ok(v) => out.push_str(&v),
                    Err(_) if t.optional => return Ok(None),
                    Err(msg) => return Err(msg),
                },
            }
        }
        if t.optional && out.is_empty() {
            return Ok(None);
        }
        Ok(Some(out))
    }

    /// Renders a template that must have a value.
    pub fn render_required(&self, t: &Template, client: Role) -> Result<String, String> {
        Ok(self.render(t, client)?.unwrap_or_default())
    }

    /// Renders the templates inside the strings of a JSON value.
    pub fn render_json(
        &self,
        v: &serde_json::Value,
        client: Role,
    ) -> Result<serde_json::Value, String> {
        use serde_json::Value as J;
        Ok(match v {
            J::String(s) => match Template::parse(s) {
                // A whole value that is arithmetic or `now` is a number (`exp`, `iat`).
                Ok(t) if is_numeric(&t) => {
                    let text = self.render_required(&t, client)?;
                    serde_json::from_str::<serde_json::Number>(&text)
                        .map(J::Number)
                        .unwrap_or(J::String(text))
                }
                Ok(t) => J::String(self.render_required(&t, client)?),
                // Validated at load; a literal that merely looks odd stays as written.
                Err(_) => J::String(s.clone()),
            },
            J::Array(items) => J::Array(
                items
                    .iter()
                    .map(|i| self.render_json(i, client))
                    .collect::<Result<_, _>>()?,
            ),
            J::Object(map) => J::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_json(v, client)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    /// A captured value, looked up in the running flow's scope first.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.scope
            .as_ref()
            .and_then(|s| self.vars.get(&format!("{s}.{name}")))
            .or_else(|| self.vars.get(name))
            .map(String::as_str)
    }

    fn expr(&self, e: &Expr, client: Role) -> Result<String, String> {
        match e {
            Expr::Var(name) => self
                .var(name)
                .map(str::to_string)
                .ok_or_else(|| format!("`{name}` was not captured")),
            Expr::Upper(inner) => Ok(self.expr(inner, client)?.to_ascii_uppercase()),
            Expr::First(inner) => Ok(self
                .expr(inner, client)?
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()),
            Expr::Literal(s) => Ok(s.clone()),
            Expr::Listener(name) => self
                .mailbox
                .as_ref()
                .map(|m| m.url(name))
                .ok_or_else(|| "the callback listener is not running for this case".to_string()),
            Expr::Now => Ok(now().to_string()),
            Expr::Default(a, b) => self.expr(a, client).or_else(|_| self.expr(b, client)),
            Expr::Arith(a, op, b) => {
                let num = |e: &Expr| -> Result<f64, String> {
                    let v = self.expr(e, client)?;
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(|| format!("`{v}` is not a number"))
                };
                let (x, y) = (num(a)?, num(b)?);
                let r = match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                };
                // Whole numbers print without a fraction: `exp` claims and seconds.
                Ok(if r.fract() == 0.0 && r.abs() < 1e15 {
                    format!("{}", r as i64)
                } else {
                    r.to_string()
                })
            }
            Expr::S256(name) => {
                use base64::Engine as _;
                use sha2::Digest as _;
                let value = self
                    .var(name)
                    .ok_or_else(|| format!("`{name}` was not captured"))?;
                // RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
                Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(sha2::Sha256::digest(value.as_bytes())))
            }
            Expr::Random => Ok(random(32)),
            Expr::User(role, field) => self
                .target
                .target
                .users
                .get(role)
                .and_then(|u| u.field(*field))
                .map(str::to_string)
                .ok_or_else(|| format!("no `{}` in `[users.{role}]`", field.name())),
            Expr::Target(TargetField::Issuer) => Ok(self.target.issuer.clone()),
            Expr::Target(TargetField::BaseUrl) => Ok(self.target.target.base_url.clone()),
            Expr::Target(TargetField::PropagationSeconds) => {
                Ok(self.target.target.propagation_seconds.to_string())
            }
            Expr::Endpoint(ep) => self
                .target
                .endpoint(*ep)
                .map(str::to_string)
                .ok_or_else(|| format!("endpoint `{ep}` is not known for this target")),
            Expr::Client(role, field) => {
                let role = role.unwrap_or(client);
                let c = self
                    .client(role)
                    .ok_or_else(|| format!("no `{role}` client configured"))?;
                let v = match field {
                    ClientField::ClientId => Some(c.client_id.clone()),
                    ClientField::Scope => c.scope.clone(),
                    ClientField::RedirectUri => c.redirect_uri.clone(),
                };
                v.ok_or_else(|| format!("client `{role}` has no `{}` configured", field.name()))
            }
        }
    }
}

/// Whether a template is one numeric expression (`{{now + 60}}`, `{{now}}`).
fn is_numeric(t: &Template) -> bool {
    matches!(
        t.parts.as_slice(),
        [Part::Expr(Expr::Now | Expr::Arith(..))]
    )
}

/// `n` random URL-safe characters: `{{random}}`, and the harness's own nonces (`jti`,
/// wrong secrets, unknown client ids).
pub fn random(n: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// The Unix time in seconds: `{{now}}`, and the `iat`/`exp` of assertions.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
