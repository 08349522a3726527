//! Loading the values a request step sends beyond its parameters: `set` values (text or
//! a JWT the harness signs), `{ jwt = {...} }` specs, and `auth` tables (deliberate client
//! authentication variants, JWT assertions).

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::{Validator, toml_to_json};
use crate::suite::model::*;
use crate::suite::raw::{RawAuth, RawJwt};
use crate::suite::vocab::{AuthMethod, AuthMode, Role};

impl Validator<'_> {
    /// `set = { name = "template" | { jwt = {...} } }`; each name is defined from here on.
    pub(super) fn set_values(
        &mut self,
        raw: Option<BTreeMap<String, Spanned<toml::Value>>>,
    ) -> Vec<(String, SetValue)> {
        let mut out = Vec::new();
        for (name, value) in raw.unwrap_or_default() {
            let span = value.span();
            match value.into_inner() {
                toml::Value::String(s) => {
                    if let Some(t) = self.template(&s, span) {
                        out.push((name.clone(), SetValue::Text(t)));
                    }
                }
                toml::Value::Table(t) if t.contains_key("macaroon") => {
                    if let Some(spec) = self.macaroon_value(t, span) {
                        out.push((name.clone(), SetValue::Macaroon(Box::new(spec))));
                    }
                }
                v @ toml::Value::Table(_) => {
                    if let Some(spec) = self.jwt_value(v, span) {
                        out.push((name.clone(), SetValue::Jwt(Box::new(spec))));
                    }
                }
                _ => self.error_expected(
                    span,
                    format!("`set.{name}` has an unsupported value"),
                    "a string (a template), `{ jwt = { key, alg, header, claims } }` or \
                     `{ macaroon = { token, caveat, drop_last_caveat } }`",
                ),
            }
            self.defined.insert(name);
        }
        out
    }

    /// `{ macaroon = { token = "{{t}}", caveat = {...}, drop_last_caveat = true } }`.
    fn macaroon_value(&mut self, mut t: toml::Table, span: Range<usize>) -> Option<MacaroonSpec> {
        let expected =
            "`{ macaroon = { token = \"{{...}}\", caveat = {...}, drop_last_caveat = true } }`";
        let (Some(toml::Value::Table(mut inner)), true) = (t.remove("macaroon"), t.is_empty())
        else {
            self.error_expected(span, "a macaroon value has one table, `macaroon`", expected);
            return None;
        };
        let Some(toml::Value::String(token)) = inner.remove("token") else {
            self.error_expected(
                span,
                "a macaroon value needs `token` (a template)",
                expected,
            );
            return None;
        };
        let token = self.template(&token, span.clone())?;
        let caveat = inner.remove("caveat").map(|c| {
            let v = toml_to_json(c);
            self.json_templates(&v, span.clone());
            v
        });
        let drop_last_caveat = match inner.remove("drop_last_caveat") {
            None => false,
            Some(toml::Value::Boolean(b)) => b,
            Some(_) => {
                self.error(span.clone(), "`drop_last_caveat` is true or false");
                false
            }
        };
        if let Some(k) = inner.keys().next() {
            self.error_expected(
                span,
                format!("unknown key `{k}` in a macaroon value"),
                expected,
            );
            return None;
        }
        if caveat.is_none() && !drop_last_caveat {
            self.error_expected(
                span,
                "a macaroon value adds a `caveat` or drops one",
                expected,
            );
            return None;
        }
        Some(MacaroonSpec {
            token,
            caveat,
            drop_last_caveat,
        })
    }

    /// `{ jwt = { key = "client", alg = "PS256", header = {...}, claims = {...} } }`.
    pub(super) fn jwt_value(&mut self, v: toml::Value, span: Range<usize>) -> Option<JwtSpec> {
        let expected = "`{ jwt = { key, alg, header, claims } }`";
        let toml::Value::Table(mut t) = v else {
            self.error_expected(span, "not a JWT value", expected);
            return None;
        };
        let (Some(inner), true) = (t.remove("jwt"), t.is_empty()) else {
            self.error_expected(span, "a JWT value has one key, `jwt`", expected);
            return None;
        };
        let raw: RawJwt = match inner.try_into() {
            Ok(r) => r,
            Err(e) => {
                self.error_expected(span, format!("invalid `jwt`: {e}"), expected);
                return None;
            }
        };
        let key = match raw.key.as_deref().unwrap_or("client") {
            "client" => KeyRef::Client(None),
            "secret" => KeyRef::Secret(None),
            "generated" => KeyRef::Generated,
            "none" => KeyRef::Unsecured,
            other => {
                let role = |r: &str| Role::parse(r);
                match other.split_once('.') {
                    Some(("clients", r)) if role(r).is_some() => KeyRef::Client(role(r)),
                    Some(("secrets", r)) if role(r).is_some() => KeyRef::Secret(role(r)),
                    _ => {
                        self.error_expected(
                            span,
                            format!("unknown JWT key `{other}`"),
                            "`client`, `clients.<role>`, `secret`, `secrets.<role>`, `generated` \
                             or `none`",
                        );
                        return None;
                    }
                }
            }
        };
        let object = |this: &mut Self, v: Option<toml::Value>, what: &str| {
            let v = toml_to_json(v.unwrap_or(toml::Value::Table(Default::default())));
            if !v.is_object() {
                this.error(span.clone(), format!("`jwt.{what}` is a table"));
            }
            this.json_templates(&v, span.clone());
            v
        };
        let header = object(self, raw.header, "header");
        let claims = object(self, raw.claims, "claims");
        Some(JwtSpec {
            key,
            alg: raw.alg,
            header,
            claims,
        })
    }

    /// `auth = "mode"` or `auth = { method, secret, claims, wrong_key }`.
    pub(super) fn auth(&mut self, raw: Option<Spanned<RawAuth>>) -> (AuthMode, Option<AuthSpec>) {
        let Some(raw) = raw else {
            return (AuthMode::Configured, None);
        };
        let span = raw.span();
        match raw.into_inner() {
            RawAuth::Mode(m) => match AuthMode::parse(&m) {
                Some(mode) => (mode, None),
                None => {
                    self.unknown_name(&Spanned::new(span, m), "auth mode", AuthMode::NAMES);
                    (AuthMode::Configured, None)
                }
            },
            RawAuth::Spec(s) => {
                let method = match s.method.get_ref().as_str() {
                    // The short names of the string modes.
                    "basic" => Some(AuthMethod::ClientSecretBasic),
                    "post" => Some(AuthMethod::ClientSecretPost),
                    m => AuthMethod::parse(m),
                };
                let Some(method) = method else {
                    self.unknown_name(&s.method, "auth method", AuthMethod::NAMES);
                    return (AuthMode::Configured, None);
                };
                let secret = s
                    .secret
                    .as_ref()
                    .and_then(|t| self.template(t.get_ref(), t.span()));
                let claims = s.claims.map(|c| {
                    let cspan = c.span();
                    let v = toml_to_json(c.into_inner());
                    self.json_templates(&v, cspan);
                    v
                });
                if claims.is_some()
                    && !matches!(
                        method,
                        AuthMethod::PrivateKeyJwt | AuthMethod::ClientSecretJwt
                    )
                {
                    self.error(span, "`claims` goes with a JWT method");
                }
                let spec = AuthSpec {
                    method,
                    secret,
                    claims,
                    wrong_key: s.wrong_key.unwrap_or(false),
                };
                (AuthMode::Configured, Some(spec))
            }
        }
    }
}
