//! ID tokens (OpenID Connect Core §2, §3.1.3.6): RS256 JWTs signed with the server's key,
//! whose public half the JWKS endpoint publishes under the same `kid`.

use std::time::{Duration, SystemTime};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::keys::SigningKey;
use crate::state::AppState;
use crate::store::unix_seconds;

/// Signs `claims` as a compact JWS with RS256 (RFC 7515 §7.1, RFC 7518 §3.3). `None` only
/// if aws-lc-rs fails to sign.
pub fn sign(key: &SigningKey, claims: &Value) -> Option<String> {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": key.kid()});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let pair = key.key_pair();
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .ok()?;
    Some(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// What an ID token says about one authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenClaims<'a> {
    pub client_id: &'a str,
    pub subject: &'a str,
    pub nonce: Option<&'a str>,
    pub auth_time: SystemTime,
    /// Lifetime in seconds.
    pub ttl: u64,
}

/// An ID token for `claims` (OIDC Core §2: iss, sub, aud, exp, iat REQUIRED; nonce when the
/// request had one; auth_time).
pub fn issue(state: &AppState, claims: &IdTokenClaims<'_>) -> Option<String> {
    let now = SystemTime::now();
    let mut body = json!({
        "iss": state.issuer,
        "sub": claims.subject,
        "aud": claims.client_id,
        "azp": claims.client_id,
        "iat": unix_seconds(now),
        "exp": unix_seconds(now + Duration::from_secs(claims.ttl)),
        "auth_time": unix_seconds(claims.auth_time),
    });
    if let (Some(nonce), Some(object)) = (claims.nonce, body.as_object_mut()) {
        object.insert("nonce".into(), json!(nonce));
    }
    sign(&state.keys.signing, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    #[test]
    fn signature_verifies_with_the_public_key() {
        let key = SigningKey::shared().expect("key");
        let jwt = sign(&key, &json!({"sub": "x"})).expect("signed");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("b64")).expect("json");
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], key.kid());
        let public = UnparsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA256,
            key.key_pair().public_key().as_ref().to_vec(),
        );
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
        let input = format!("{}.{}", parts[0], parts[1]);
        assert!(public.verify(input.as_bytes(), &signature).is_ok());
    }
}
