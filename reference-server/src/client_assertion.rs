//! JWT client authentication: `private_key_jwt` and `client_secret_jwt` (RFC 7523 §2.2
//! and §3, RFC 7521 §4.2, OpenID Connect Core §9), shared by every endpoint that
//! authenticates clients through [`crate::client_auth::authenticate`].
//!
//! Which `aud` identifies this server: RFC 7523 §3 item 3 leaves the AS's identity to the
//! AS ("The token endpoint URL of the authorization server MAY be used as a value for an
//! `aud` element"), OIDC Core §9 says the audience "SHOULD be the URL of the Authorization
//! Server's Token Endpoint", and RFC 9126 §2 and CIBA §7.1 oblige the AS to accept its
//! issuer, its token endpoint URL and the receiving endpoint's URL. The server accepts
//! those three values at every endpoint: one rule everywhere, none of them refused where
//! another specification requires it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use crate::client_jwt::{self, KEY_ALGS, Rejection, SECRET_ALGS};
use crate::client_registry::ClientRegistry;
use crate::fixtures::{AuthMethod, ClientFixture};
use crate::policy::AssertionPolicy;

/// RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Seconds of clock skew allowed on `exp`, `nbf` and `iat` (RFC 7523 §3 items 4-5:
/// "allowing for a reasonable leeway to account for clock skew").
const LEEWAY: u64 = 30;

/// Algorithms accepted only under `assertion-alg-not-allowlisted`: not advertised.
const UNLISTED_ALGS: [Algorithm; 5] = [
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES384,
];

/// Everything an endpoint knows when it checks an assertion.
#[derive(Debug)]
pub struct AssertionContext<'a> {
    pub policy: AssertionPolicy,
    /// The values of `aud` that name this server (see the module docs).
    pub audiences: Vec<String>,
    /// The `jti` values already used.
    pub replay: &'a JtiCache,
}

/// `jti` values seen per client, kept until their assertion expires: after that the
/// assertion is refused for its `exp` anyway (RFC 7523 §3 item 7).
#[derive(Debug, Default)]
pub struct JtiCache {
    seen: Mutex<HashMap<(String, String), u64>>,
}

impl JtiCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `jti` for `client_id` until `expires`; `false` when it was already used.
    /// Check and insert happen under one lock, so two concurrent requests carrying the
    /// same assertion cannot both succeed (OIDC Core §9: "MUST only be used once").
    fn claim(&self, client_id: &str, jti: &str, expires: u64, now: u64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|_, exp| *exp + LEEWAY >= now);
        let key = (client_id.to_string(), jti.to_string());
        if seen.contains_key(&key) {
            return false;
        }
        seen.insert(key, expires);
        true
    }
}

/// Why an assertion was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Any `invalid_client` reason.
    Invalid(&'static str),
    /// Under `assertion-malformed-500`: the server "crashes".
    Crash,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Authenticates the client of a request carrying `client_assertion`.
pub fn authenticate(
    clients: &ClientRegistry,
    cx: &AssertionContext<'_>,
    assertion_type: Option<&str>,
    assertion: &str,
    client_id: Option<&str>,
) -> Result<Arc<ClientFixture>, Failure> {
    let policy = cx.policy;
    // RFC 7521 §4.2: "client_assertion_type ... The value MUST be an absolute URI".
    if policy.type_checked && assertion_type != Some(JWT_BEARER) {
        return Err(Failure::Invalid(
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ));
    }
    // RFC 7523 §3 item 10 and RFC 7521 §4.2: "MUST NOT contain more than one JWT".
    let unverified = client_jwt::decode_unverified(assertion).map_err(|_| {
        if policy.malformed_rejected_cleanly {
            Failure::Invalid("client_assertion is not a single well-formed JWT")
        } else {
            Failure::Crash
        }
    })?;
    let claims = &unverified.claims;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    // Find the client: `sub` names it (RFC 7523 §3 item 2), `iss` too for a self-issued
    // assertion (RFC 7521 §5.2).
    let named = [text("sub"), text("iss")]
        .into_iter()
        .flatten()
        .find_map(|id| clients.client(id));
    let client = match client_id {
        // RFC 7521 §4.2: client_id "MUST identify the same client as is identified by the
        // client assertion".
        Some(id) if policy.client_id_checked => match named {
            Some(c) if c.client_id == id => c,
            _ => return Err(Failure::Invalid("client_id does not match the assertion")),
        },
        _ => named.ok_or(Failure::Invalid("the assertion names no known client"))?,
    };
    let method = client.auth_method();
    if !matches!(
        method,
        Some(AuthMethod::PrivateKeyJwt | AuthMethod::ClientSecretJwt)
    ) {
        return Err(Failure::Invalid(
            "the client is not registered for JWT client authentication",
        ));
    }
    check_signature(&client, cx, assertion, &unverified.alg)?;
    check_claims(&client, cx, claims)?;
    Ok(client)
}

/// RFC 7523 §3 item 9: "The JWT MUST be digitally signed or have a Message Authentication
/// Code (MAC) applied by the issuer. The authorization server MUST reject JWTs with an
/// invalid signature or MAC."
fn check_signature(
    client: &ClientFixture,
    cx: &AssertionContext<'_>,
    assertion: &str,
    alg: &str,
) -> Result<(), Failure> {
    let policy = cx.policy;
    if alg.eq_ignore_ascii_case("none") && !policy.unsecured_refused {
        return Ok(());
    }
    let secret_client = client.auth_method() == Some(AuthMethod::ClientSecretJwt);
    if secret_client && !policy.mac_checked || !secret_client && !policy.signature_checked {
        return Ok(());
    }
    // The client's registered method decides the algorithm family: a key client cannot
    // present a MAC and a secret client cannot present a signature.
    let mut allowed: Vec<Algorithm> = if secret_client {
        SECRET_ALGS.to_vec()
    } else {
        KEY_ALGS.to_vec()
    };
    if !policy.alg_allowlisted && !secret_client {
        allowed.extend(UNLISTED_ALGS);
    }
    client_jwt::verify(client, assertion, &allowed)
        .map(|_| ())
        .map_err(|r| {
            Failure::Invalid(match r {
                Rejection::Malformed => "client_assertion is malformed",
                Rejection::Unsecured => "unsecured client assertions are not accepted",
                Rejection::AlgorithmNotAllowed => {
                    "the assertion's alg is not accepted for this client"
                }
                Rejection::NoKey => "the client has no key for the assertion's alg",
                Rejection::BadSignature => "the assertion's signature does not verify",
            })
        })
}

/// RFC 7523 §3 items 1-7 and OIDC Core §9.
fn check_claims(
    client: &ClientFixture,
    cx: &AssertionContext<'_>,
    claims: &Map<String, Value>,
) -> Result<(), Failure> {
    let policy = cx.policy;
    let now = now();
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let number = |name: &str| claims.get(name).map(|v| v.as_u64());
    // Items 1-2, OIDC Core §9: iss and sub "MUST contain the client_id".
    if policy.iss_sub_checked
        && (text("iss") != Some(&client.client_id) || text("sub") != Some(&client.client_id))
    {
        return Err(Failure::Invalid("iss and sub must both be the client_id"));
    }
    // Item 3: "The authorization server MUST reject any JWT that does not contain its own
    // identity as the intended audience."
    if policy.aud_checked {
        let audiences: Vec<&str> = match claims.get("aud") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let ours = |aud: &&str| {
            cx.audiences.iter().enumerate().any(|(i, mine)| {
                // Index 0 is the issuer; the others are endpoint URLs.
                mine == aud && (i == 0 || policy.token_endpoint_aud_accepted)
            })
        };
        if !audiences.iter().any(ours) {
            return Err(Failure::Invalid(
                "aud does not name this authorization server",
            ));
        }
    }
    // Item 4: "The JWT MUST contain an exp (expiration time) claim ... The authorization
    // server MUST reject any JWT with an expiration time that has passed".
    let exp = match number("exp") {
        Some(Some(exp)) => exp,
        _ if !policy.exp_checked => now + 60,
        _ => return Err(Failure::Invalid("exp is missing or not a number")),
    };
    if policy.exp_checked && exp + LEEWAY < now {
        return Err(Failure::Invalid("the assertion has expired"));
    }
    // Item 5: "the authorization server MUST reject any JWT that is not yet valid" (nbf).
    match number("nbf") {
        Some(None) => return Err(Failure::Invalid("nbf is not a number")),
        Some(Some(nbf)) if policy.nbf_checked && nbf > now + LEEWAY => {
            return Err(Failure::Invalid("the assertion is not valid yet (nbf)"));
        }
        _ => {}
    }
    // Item 6: iat is a number when present; one from the future is a forgery or a clock
    // far out of step.
    match number("iat") {
        Some(None) => return Err(Failure::Invalid("iat is not a number")),
        Some(Some(iat)) if iat > now + LEEWAY => {
            return Err(Failure::Invalid("iat is in the future"));
        }
        _ => {}
    }
    // OIDC Core §9: jti "REQUIRED ... These tokens MUST only be used once" (RFC 7523 §3
    // item 7 lets the AS track jti values to that end).
    if policy.jti_checked {
        let jti = text("jti").ok_or(Failure::Invalid("jti is missing"))?;
        if !cx.replay.claim(&client.client_id, jti, exp, now) {
            return Err(Failure::Invalid("the assertion's jti was already used"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jti_is_single_use_until_it_expires() {
        let cache = JtiCache::new();
        assert!(cache.claim("c", "j", 1_000, 900));
        assert!(!cache.claim("c", "j", 1_000, 950));
        // Another client may use the same value.
        assert!(cache.claim("d", "j", 1_000, 950));
        // Long expired: forgotten (the assertion's exp refuses it anyway).
        assert!(cache.claim("c", "j", 5_000, 2_000));
    }
}
