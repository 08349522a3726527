//! Verifying a JWT signed by a registered client: the signature (or MAC) and its algorithm,
//! nothing else.
//!
//! Used for client assertions (RFC 7523 §3, OpenID Connect Core §9) by
//! [`crate::client_assertion`], and meant for request objects (RFC 9101 §6.2) as well: the
//! claims each profile requires differ, so they are the caller's business. What is common is
//! here: a private_key_jwt client's JWT verifies with one of its registered public keys
//! (`jwks`), a client_secret_jwt client's with an HMAC keyed by the UTF-8 octets of its
//! secret (OIDC Core §9), and `alg` must be in the caller's allow-list (`none` never is:
//! RFC 7523 §3 item 9, "The JWT MUST be digitally signed or have a Message Authentication
//! Code (MAC) applied by the issuer").

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::fixtures::{AuthMethod, ClientFixture};

/// The asymmetric algorithms a private_key_jwt client may use (RFC 7523 §5: RS256 is
/// mandatory to implement; the others are the ones the harness and common clients sign with).
pub const KEY_ALGS: [Algorithm; 4] = [
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::EdDSA,
];

/// The MAC algorithm a client_secret_jwt client may use (OIDC Core §9: HS256).
pub const SECRET_ALGS: [Algorithm; 1] = [Algorithm::HS256];

/// Why a client's JWT was not accepted. The text goes into `error_description`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("the JWT is malformed")]
    Malformed,
    #[error("unsecured JWTs (alg none) are not accepted")]
    Unsecured,
    #[error("the JWT's alg is not allowed for this client")]
    AlgorithmNotAllowed,
    #[error("the client has no registered key for the JWT's alg")]
    NoKey,
    #[error("the JWT's signature does not verify")]
    BadSignature,
}

/// A JWT split into its decoded parts, signature unchecked.
#[derive(Debug, Clone)]
pub struct Unverified {
    /// The header's `alg` as written (`none` included).
    pub alg: String,
    pub claims: Map<String, Value>,
}

/// Decodes header and payload without checking anything else: for reading `iss`/`sub` to
/// find the client before verifying, and for the faults that skip verification.
pub fn decode_unverified(token: &str) -> Result<Unverified, Rejection> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Rejection::Malformed);
    };
    let object = |part: &str| -> Result<Map<String, Value>, Rejection> {
        let bytes = URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| Rejection::Malformed)?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(Rejection::Malformed),
        }
    };
    let header = object(header)?;
    let claims = object(payload)?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(Rejection::Malformed)?
        .to_string();
    Ok(Unverified { alg, claims })
}

/// Verifies `token` as signed by `client` with one of `allowed`, and returns its claims.
///
/// The client's registered method decides the key: a private_key_jwt client's registered
/// public keys, a client_secret_jwt client's secret. Any other client has no key, so a
/// secret-based client cannot switch to a key it never registered and vice versa (key
/// confusion: an HS256 JWT "keyed" with a public key never verifies for a key client,
/// because HMAC is not in its allow-list and it has no secret).
pub fn verify(
    client: &ClientFixture,
    token: &str,
    allowed: &[Algorithm],
) -> Result<Map<String, Value>, Rejection> {
    let unverified = decode_unverified(token)?;
    if unverified.alg.eq_ignore_ascii_case("none") {
        return Err(Rejection::Unsecured);
    }
    let alg: Algorithm = unverified
        .alg
        .parse()
        .map_err(|_| Rejection::AlgorithmNotAllowed)?;
    if !allowed.contains(&alg) {
        return Err(Rejection::AlgorithmNotAllowed);
    }
    let keys = decoding_keys(client, alg);
    if keys.is_empty() {
        return Err(Rejection::NoKey);
    }
    // Claims are the caller's to check: each profile has its own rules (RFC 7523 §3,
    // RFC 9101 §6), so the library's claim validation is switched off.
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    for key in &keys {
        if let Ok(data) = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
            return Ok(data.claims);
        }
    }
    Err(Rejection::BadSignature)
}

/// The keys of `client` that can check `alg`. Every registered key of the right type is
/// tried: `kid` is only a hint (RFC 7515 §4.1.4), and all of them belong to the client.
fn decoding_keys(client: &ClientFixture, alg: Algorithm) -> Vec<DecodingKey> {
    match client.auth_method() {
        Some(AuthMethod::ClientSecretJwt) if alg == Algorithm::HS256 => client
            .client_secret
            .as_deref()
            .and_then(|s| DecodingKey::from_secret(s.as_bytes()).ok())
            .into_iter()
            .collect(),
        Some(AuthMethod::PrivateKeyJwt) => {
            let kty = match alg {
                Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512 => "RSA",
                Algorithm::ES256 | Algorithm::ES384 => "EC",
                Algorithm::EdDSA => "OKP",
                _ => return Vec::new(),
            };
            client
                .public_keys()
                .filter(|k| k.get("kty").and_then(Value::as_str) == Some(kty))
                .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
                .filter_map(|jwk| DecodingKey::from_jwk(&jwk).ok())
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use jsonwebtoken::{EncodingKey, Header};

    const RSA_PEM: &[u8] = include_bytes!("../../fixtures/keys/rsa.pem");
    const EC_PEM: &[u8] = include_bytes!("../../fixtures/keys/ec-p256.pem");
    const ED_PEM: &[u8] = include_bytes!("../../fixtures/keys/ed25519.pem");

    fn sign(alg: Algorithm, key: &EncodingKey) -> String {
        let claims = serde_json::json!({ "iss": "x" });
        jsonwebtoken::encode(&Header::new(alg), &claims, key).expect("sign")
    }

    #[test]
    fn registered_keys_verify_each_algorithm() {
        let fixtures = Fixtures::builtin();
        let client = fixtures.client_by_role("jwt_key").expect("jwt_key");
        let rsa = EncodingKey::from_rsa_pem(RSA_PEM).expect("rsa");
        let ec = EncodingKey::from_ec_pem(EC_PEM).expect("ec");
        let ed = EncodingKey::from_ed_pem(ED_PEM).expect("ed");
        for (alg, key) in [
            (Algorithm::RS256, &rsa),
            (Algorithm::PS256, &rsa),
            (Algorithm::ES256, &ec),
            (Algorithm::EdDSA, &ed),
        ] {
            let token = sign(alg, key);
            assert!(verify(client, &token, &KEY_ALGS).is_ok(), "{alg:?}");
            // Outside the allow-list: refused even though the signature is good.
            assert_eq!(
                verify(client, &token, &[Algorithm::HS256]),
                Err(Rejection::AlgorithmNotAllowed)
            );
        }
        // A secret-based client has no key: its secret does not open a key client's JWT.
        let secret = fixtures.client_by_role("jwt_secret").expect("jwt_secret");
        let token = sign(Algorithm::RS256, &rsa);
        assert_eq!(verify(secret, &token, &KEY_ALGS), Err(Rejection::NoKey));
    }

    #[test]
    fn secret_jwt_uses_the_client_secret() {
        let fixtures = Fixtures::builtin();
        let client = fixtures.client_by_role("jwt_secret").expect("jwt_secret");
        let secret = client.client_secret.as_deref().expect("secret");
        let good = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(secret.as_bytes()).expect("key"),
        );
        assert!(verify(client, &good, &SECRET_ALGS).is_ok());
        let bad = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(b"wrong").expect("key"),
        );
        assert_eq!(
            verify(client, &bad, &SECRET_ALGS),
            Err(Rejection::BadSignature)
        );
        // A key client cannot be "MACed" at all.
        let key_client = fixtures.client_by_role("jwt_key").expect("jwt_key");
        assert_eq!(
            verify(key_client, &good, &SECRET_ALGS),
            Err(Rejection::NoKey)
        );
    }

    #[test]
    fn unsecured_and_garbage_are_refused() {
        let fixtures = Fixtures::builtin();
        let client = fixtures.client_by_role("jwt_key").expect("jwt_key");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"iss":"x"}"#);
        let none = format!("{header}.{payload}.");
        assert_eq!(verify(client, &none, &KEY_ALGS), Err(Rejection::Unsecured));
        for garbage in ["", "a.b", "a.b.c", "!!.!!.!!", "a.b.c.d"] {
            assert_eq!(
                verify(client, garbage, &KEY_ALGS),
                Err(Rejection::Malformed),
                "{garbage}"
            );
        }
    }
}
