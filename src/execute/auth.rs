//! Client authentication on a request: as the role is configured, or deliberately wrong.

use base64::Engine as _;
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::suite::{AuthMethod, AuthMode};
use crate::target::ClientConfig;

fn random(n: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

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

/// Adds the client's credentials to the form and headers per `mode`.
pub fn apply(
    mode: AuthMode,
    client: &ClientConfig,
    form: &mut Vec<(String, String)>,
    headers: &mut Vec<(String, String)>,
) {
    let secret = client.client_secret.clone().unwrap_or_default();
    let (method, id, secret) = match mode {
        AuthMode::None => return,
        AuthMode::ClientIdOnly => (AuthMethod::None, client.client_id.clone(), secret),
        AuthMode::Configured => (client.auth_method, client.client_id.clone(), secret),
        AuthMode::Basic => (
            AuthMethod::ClientSecretBasic,
            client.client_id.clone(),
            secret,
        ),
        AuthMode::Post => (
            AuthMethod::ClientSecretPost,
            client.client_id.clone(),
            secret,
        ),
        AuthMode::WrongSecret => {
            // A public client has no secret to get wrong; sending one by post is the
            // nearest "wrong credentials" it can present.
            let method = match client.auth_method {
                AuthMethod::None => AuthMethod::ClientSecretPost,
                m => m,
            };
            (
                method,
                client.client_id.clone(),
                format!("wrong-{}", random(24)),
            )
        }
        AuthMode::UnknownClient => {
            let id = format!("unknown-client-{}", random(16));
            let secret = if secret.is_empty() {
                random(24)
            } else {
                secret
            };
            (client.auth_method, id, secret)
        }
    };
    match method {
        AuthMethod::ClientSecretBasic => {
            headers.push(("authorization".into(), basic_header(&id, &secret)));
        }
        AuthMethod::ClientSecretPost => {
            form.push(("client_id".into(), id));
            form.push(("client_secret".into(), secret));
        }
        AuthMethod::None => form.push(("client_id".into(), id)),
    }
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
