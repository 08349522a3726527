//! Client authentication on a request: as the role is configured, or deliberately wrong
//! (a named mode, or an `auth = { method, secret, claims, wrong_key }` table).

use base64::Engine as _;

use super::assertion::{self, AssertionInput, JWT_BEARER};
use super::context::random;
use crate::suite::{AuthMethod, AuthMode};
use crate::target::ClientConfig;

/// RFC 6749 §2.3.1: "The client identifier is encoded using the
/// application/x-www-form-urlencoded encoding algorithm per Appendix B, and the encoded
/// value is used as the username; the client password is encoded using the same
/// algorithm and used as the password."
pub fn basic_header(id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// An `auth = {...}` table with its templates rendered.
#[derive(Debug, Clone)]
pub struct Explicit {
    pub method: AuthMethod,
    /// `"wrong"` stands for a fresh wrong secret.
    pub secret: Option<String>,
    pub claims: Option<serde_json::Value>,
    pub wrong_key: bool,
}

/// Adds the client's credentials to the form and headers: by the named `mode`, or by an
/// explicit table. `audience` is the `aud` of a JWT assertion.
pub fn apply(
    mode: AuthMode,
    explicit: Option<&Explicit>,
    client: &ClientConfig,
    audience: &str,
    form: &mut Vec<(String, String)>,
    headers: &mut Vec<(String, String)>,
) -> Result<(), String> {
    let configured = client.client_secret.clone().unwrap_or_default();
    let mut wrong_key = false;
    let mut claims = None;
    let (method, id, secret) = if let Some(e) = explicit {
        wrong_key = e.wrong_key;
        claims = e.claims.as_ref();
        let secret = match e.secret.as_deref() {
            Some("wrong") => format!("wrong-{}", random(24)),
            Some(s) => s.to_string(),
            None => configured,
        };
        (e.method, client.client_id.clone(), secret)
    } else {
        match mode {
            AuthMode::None => return Ok(()),
            AuthMode::ClientIdOnly => (AuthMethod::None, client.client_id.clone(), configured),
            AuthMode::Configured => (client.auth_method, client.client_id.clone(), configured),
            AuthMode::Basic => (
                AuthMethod::ClientSecretBasic,
                client.client_id.clone(),
                configured,
            ),
            AuthMode::Post => (
                AuthMethod::ClientSecretPost,
                client.client_id.clone(),
                configured,
            ),
            AuthMode::WrongSecret => {
                // A public client has no secret to get wrong; sending one by post is the
                // nearest "wrong credentials" it can present. A JWT client signs with a
                // key (or secret) the server does not know.
                let method = match client.auth_method {
                    AuthMethod::None => AuthMethod::ClientSecretPost,
                    m => m,
                };
                wrong_key = true;
                (
                    method,
                    client.client_id.clone(),
                    format!("wrong-{}", random(24)),
                )
            }
            AuthMode::UnknownClient => {
                let id = format!("unknown-client-{}", random(16));
                let secret = if configured.is_empty() {
                    random(24)
                } else {
                    configured
                };
                (client.auth_method, id, secret)
            }
        }
    };
    // A case that writes the same `client_id` into its form itself (RFC 9126 §2.1's
    // example sends it beside HTTP Basic) must not see it twice: RFC 6749 §3.2 forbids
    // repeated parameters. A different value is the case's point and is kept.
    let same_id =
        |form: &[(String, String)]| form.iter().any(|(n, v)| n == "client_id" && *v == id);
    match method {
        AuthMethod::ClientSecretBasic => {
            headers.push(("authorization".into(), basic_header(&id, &secret)));
        }
        AuthMethod::ClientSecretPost => {
            if !same_id(form.as_slice()) {
                form.push(("client_id".into(), id));
            }
            form.push(("client_secret".into(), secret));
        }
        AuthMethod::None if same_id(form.as_slice()) => {}
        AuthMethod::None => form.push(("client_id".into(), id)),
        AuthMethod::PrivateKeyJwt | AuthMethod::ClientSecretJwt => {
            let jwt = assertion::client_assertion(&AssertionInput {
                method,
                client,
                client_id: &id,
                secret: Some(&secret).filter(|s| !s.is_empty()).map(String::as_str),
                audience,
                claims,
                wrong_key,
            })?;
            form.push(("client_assertion_type".into(), JWT_BEARER.into()));
            form.push(("client_assertion".into(), jwt));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_encodes_before_base64() {
        let h = basic_header("a:b", "s p+%");
        let b64 = h.strip_prefix("Basic ").unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), "a%3Ab:s+p%2B%25");
    }
}
