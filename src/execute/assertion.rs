//! JWTs the harness builds: `{ jwt = {...} }` values of a suite (request objects, login
//! hint tokens, software statements) and client assertions (RFC 7523 §2.2 with OpenID
//! Connect Core §9), one fresh assertion per request.

use serde_json::{Map, Value};

pub use super::context::now;
use super::context::random;
use super::jwt::{self, JwtAlg, KeyKind, SigningKey};
use crate::suite::{AuthMethod, KeyRef};
use crate::target::ClientConfig;

/// RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion the harness makes is valid.
const ASSERTION_LIFETIME_SECS: u64 = 60;

/// The key (and default algorithm) a `key = "..."` of a JWT value names.
pub fn key_for(
    key: KeyRef,
    client: Option<&ClientConfig>,
    role: &str,
) -> Result<Option<(SigningKey, JwtAlg)>, String> {
    match key {
        KeyRef::Unsecured => Ok(None),
        KeyRef::Client(_) => {
            let c = client.ok_or_else(|| format!("no `{role}` client configured"))?;
            let k = c
                .key
                .as_ref()
                .ok_or_else(|| format!("client `{role}` has no key configured (`key_file`)"))?;
            Ok(Some((k.key.clone(), k.alg)))
        }
        KeyRef::Secret(_) => {
            let c = client.ok_or_else(|| format!("no `{role}` client configured"))?;
            let secret = c
                .client_secret
                .as_deref()
                .ok_or_else(|| format!("client `{role}` has no `client_secret`"))?;
            let k = SigningKey::from_secret(secret.as_bytes()).map_err(|e| e.to_string())?;
            Ok(Some((k, JwtAlg::Hs256)))
        }
        KeyRef::Generated => {
            // A key nobody registered, wearing the client key's `kid` when it has one,
            // so that only the signature gives it away.
            let (kind, alg, kid) = match client.and_then(|c| c.key.as_ref()) {
                Some(k) if !k.alg.is_symmetric() => {
                    (k.key.kind(), k.alg, k.key.kid().map(str::to_string))
                }
                _ => (KeyKind::EcP256, JwtAlg::Es256, None),
            };
            let mut k = SigningKey::generate(kind).map_err(|e| e.to_string())?;
            if let Some(kid) = kid {
                k = k.with_kid(kid);
            }
            Ok(Some((k, alg)))
        }
    }
}

/// Signs (or, without a key, leaves unsecured) `claims` with `header` members merged in.
pub fn sign(
    key: Option<(SigningKey, JwtAlg)>,
    alg: Option<&str>,
    header: &Value,
    claims: &Value,
) -> Result<String, String> {
    let extra: Map<String, Value> = header.as_object().cloned().unwrap_or_default();
    match key {
        None => jwt::unsecured(&extra, claims).map_err(|e| e.to_string()),
        Some((k, default_alg)) => {
            let alg = match alg {
                Some(a) => JwtAlg::parse(a).ok_or_else(|| {
                    format!("unknown JWS algorithm `{a}`: {}", JwtAlg::expected())
                })?,
                None => default_alg,
            };
            jwt::sign(alg, &k, &extra, claims).map_err(|e| e.to_string())
        }
    }
}

/// What a request's JWT client authentication should present.
pub struct AssertionInput<'a> {
    pub method: AuthMethod,
    pub client: &'a ClientConfig,
    /// The client id the assertion claims (`iss`, `sub`): the client's, or an unknown one.
    pub client_id: &'a str,
    /// The HMAC secret for `client_secret_jwt` (the configured one unless overridden).
    pub secret: Option<&'a str>,
    /// RFC 7523 §3: "The JWT MUST contain an `aud` (audience) claim containing a value
    /// that identifies the authorization server as an intended audience"; OpenID Connect
    /// Core §9: "The Audience SHOULD be the URL of the Authorization Server's Token
    /// Endpoint."
    pub audience: &'a str,
    /// Claims merged over the defaults; `null` removes one.
    pub claims: Option<&'a Value>,
    /// Sign with a key nobody registered.
    pub wrong_key: bool,
}

/// A fresh client assertion: `iss` = `sub` = the client id, `aud`, `jti` (RFC 7523 §3:
/// the server may refuse a replayed one), `iat` and `exp` a minute later.
pub fn client_assertion(input: &AssertionInput<'_>) -> Result<String, String> {
    let now = now();
    let mut claims = serde_json::json!({
        "iss": input.client_id,
        "sub": input.client_id,
        "aud": input.audience,
        "jti": random(32),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECS,
    });
    if let (Some(Value::Object(over)), Some(base)) = (input.claims, claims.as_object_mut()) {
        for (k, v) in over {
            if v.is_null() {
                base.remove(k);
            } else {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    let key = match input.method {
        AuthMethod::PrivateKeyJwt if input.wrong_key => {
            key_for(KeyRef::Generated, Some(input.client), "client")?
        }
        AuthMethod::PrivateKeyJwt => key_for(KeyRef::Client(None), Some(input.client), "client")?,
        AuthMethod::ClientSecretJwt => {
            let secret = input
                .secret
                .ok_or("`client_secret_jwt` needs a client secret")?;
            let secret = if input.wrong_key {
                format!("wrong-{}", random(32))
            } else {
                secret.to_string()
            };
            let k = SigningKey::from_secret(secret.as_bytes()).map_err(|e| e.to_string())?;
            // A configured HMAC key says which HS algorithm the client registered.
            let alg = input
                .client
                .key
                .as_ref()
                .filter(|k| k.alg.is_symmetric())
                .map_or(JwtAlg::Hs256, |k| k.alg);
            Some((k, alg))
        }
        other => return Err(format!("`{other}` is not a JWT authentication method")),
    };
    sign(key, None, &Value::Object(Map::new()), &claims)
}
