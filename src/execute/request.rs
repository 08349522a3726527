//! Building a step's request: its URL (an endpoint, a captured URL), query, headers,
//! form or JSON body, client authentication, and the JWTs the harness signs for it
//! (`{ jwt = {...} }` values); and the target's JWKS that `signed_by` checks read.

use super::assertion;
use super::case::{Abort, Runner};
use super::http::Request;
use crate::suite::{AuthMode, Destination, JwtSpec, KeyRef, MacaroonSpec, RequestStep, Role};
use oauth2spec_vocab::macaroon::Macaroon;

impl Runner<'_> {
    /// Builds the HTTP request of a step: URL, query, headers, extra parameters, client
    /// authentication and body.
    pub(super) fn build(&self, step: &RequestStep, role: Role) -> Result<Request, String> {
        let (base, endpoint) = match &step.to {
            Destination::Endpoint(e) => {
                let base = self.target.endpoint(*e).ok_or_else(|| {
                    format!(
                        "endpoint `{e}` is not known for this target (no override in the \
                         target file, not in discovery metadata, no layout default)"
                    )
                })?;
                (base.to_string(), Some(*e))
            }
            Destination::Url(t) => (self.cx.render_required(t, role)?, None),
            Destination::Receive(_) | Destination::Hook(_) | Destination::Host(_) => {
                return Err("a `receive`, `host` or `hook` step sends no request".into());
            }
        };
        let mut url = url::Url::parse(&base).map_err(|e| format!("invalid URL `{base}`: {e}"))?;
        let render_all = |params: &[(String, crate::suite::template::Template)]| {
            let mut out = Vec::new();
            for (k, t) in params {
                if let Some(v) = self.cx.render(t, role)? {
                    out.push((k.clone(), v));
                }
            }
            Ok::<_, String>(out)
        };
        let mut query = render_all(&step.query)?;
        let mut form = render_all(&step.form)?;
        let mut headers = render_all(&step.headers)?;
        let body_is_form = step.json.is_none() && step.method != "GET";
        if let Some(e) = endpoint {
            let extra = self
                .target
                .target
                .extra_params
                .get(&e)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for (k, v) in extra {
                let into = if body_is_form { &mut form } else { &mut query };
                // The case's own value wins: it may be testing that very parameter.
                if !into.iter().any(|(n, _)| n == k) {
                    into.push((k.clone(), v.clone()));
                }
            }
        }
        let explicit = step.auth != AuthMode::Configured || step.auth_spec.is_some();
        if endpoint.is_some_and(|e| e.authenticates_client()) || explicit {
            let client = self
                .cx
                .client(role)
                .ok_or_else(|| format!("no `{role}` client configured"))?;
            let spec = match &step.auth_spec {
                None => None,
                Some(s) => Some(super::auth::Explicit {
                    method: s.method,
                    secret: match &s.secret {
                        Some(t) => Some(self.cx.render_required(t, role)?),
                        None => None,
                    },
                    claims: match &s.claims {
                        Some(c) => Some(self.cx.render_json(c, role)?),
                        None => None,
                    },
                    wrong_key: s.wrong_key,
                }),
            };
            // OpenID Connect Core §9: "The Audience SHOULD be the URL of the
            // Authorization Server's Token Endpoint"; a case may set another `aud`.
            let audience = self
                .target
                .endpoint(crate::suite::Endpoint::Token)
                .map_or_else(|| base.clone(), str::to_string);
            super::auth::apply(
                step.auth,
                spec.as_ref(),
                client,
                &audience,
                &mut form,
                &mut headers,
            )?;
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(&query);
        }
        let body = if let Some(json) = &step.json {
            let v = self.cx.render_json(json, role)?;
            headers.push(("content-type".into(), "application/json".into()));
            Some(serde_json::to_vec(&v).map_err(|e| e.to_string())?)
        } else if body_is_form && (!form.is_empty() || step.method == "POST") {
            headers.push((
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&form)
                .finish();
            Some(encoded.into_bytes())
        } else {
            None
        };
        if !headers.iter().any(|(n, _)| n == "accept") {
            headers.push(("accept".into(), "application/json".into()));
        }
        Ok(Request {
            method: step.method.clone(),
            url: url.to_string(),
            headers,
            body,
        })
    }
}

impl Runner<'_> {
    /// Fetches the target's JWKS once per case, for `signed_by = "jwks"` checks. A JWKS
    /// that cannot be had is a premise that does not hold: an `error`, not a finding.
    pub(super) async fn fetch_jwks(&mut self, label: &str) -> Result<(), Abort> {
        if self.jwks.is_some() {
            return Ok(());
        }
        let err = |m: String| Abort::Error(format!("{label}: cannot verify signatures: {m}"));
        let url = self
            .target
            .endpoint(crate::suite::Endpoint::Jwks)
            .ok_or_else(|| err("the target has no `jwks` endpoint".into()))?
            .to_string();
        let req = Request {
            method: "GET".into(),
            url,
            headers: vec![("accept".into(), "application/json".into())],
            body: None,
        };
        let resp = self
            .send_recorded(&req, &format!("{label} · jwks for signed_by"))
            .await
            .map_err(err)?;
        let jwks: serde_json::Value = serde_json::from_slice(&resp.body)
            .ok()
            .filter(|_| resp.status == 200)
            .ok_or_else(|| {
                err(format!(
                    "the JWKS answered {} without a JSON body",
                    resp.status
                ))
            })?;
        self.jwks = Some(jwks);
        Ok(())
    }

    /// Builds a `{ macaroon = {...} }` value: the token with one more first-party caveat
    /// (the HMAC chain extended, as any holder can), or with its last caveat removed and
    /// its signature kept (tampered).
    pub(super) fn macaroon_value(&self, spec: &MacaroonSpec, role: Role) -> Result<String, String> {
        let token = self.cx.render_required(&spec.token, role)?;
        let mut m = Macaroon::parse(&token).map_err(|e| e.to_string())?;
        if let Some(c) = &spec.caveat {
            let caveat = self.cx.render_json(c, role)?;
            m = m.with_caveat(caveat.to_string().as_bytes());
        }
        if spec.drop_last_caveat && m.caveats.pop().is_none() {
            return Err("the macaroon has no caveat to drop".into());
        }
        Ok(m.serialize())
    }

    /// Builds a `{ jwt = {...} }` value: claims and header rendered (numeric templates as
    /// numbers), signed with the key it names.
    pub(super) fn jwt_value(&self, spec: &JwtSpec, role: Role) -> Result<String, String> {
        let claims = self.cx.render_json(&spec.claims, role)?;
        let header = self.cx.render_json(&spec.header, role)?;
        let key_role = match spec.key {
            KeyRef::Client(r) | KeyRef::Secret(r) => r.unwrap_or(role),
            KeyRef::Generated | KeyRef::Unsecured => role,
        };
        let key = assertion::key_for(spec.key, self.cx.client(key_role), key_role.as_str())?;
        assertion::sign(key, spec.alg.as_deref(), &header, &claims)
    }
}
