//! ID tokens (OpenID Connect Core §2, §3.1.3.6): RS256 JWTs signed with the server's key,
//! whose public half the JWKS endpoint publishes under the same `kid`.

use std::time::{Duration, SystemTime};

use jsonwebtoken::{Algorithm, Header};
use serde_json::{Value, json};

use crate::keys::SigningKey;
use crate::state::AppState;
use crate::store::unix_seconds;

/// Signs `claims` as a compact JWS with RS256 (RFC 7515 §7.1, RFC 7518 §3.3), header
/// `{"typ": "JWT", "alg": "RS256", "kid"}`. `None` only if signing fails.
pub fn sign(key: &SigningKey, claims: &Value) -> Option<String> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid().to_string());
    jsonwebtoken::encode(&header, claims, key.encoding_key()).ok()
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
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{DecodingKey, Validation};

    #[test]
    fn signature_verifies_with_the_published_jwk() {
        let key = SigningKey::shared().expect("key");
        let jwt = sign(&key, &json!({"sub": "x"})).expect("signed");
        let header = jsonwebtoken::decode_header(&jwt).expect("header");
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), Some(key.kid()));
        let jwk: Jwk = serde_json::from_value(Value::Object(key.public_jwk())).expect("public JWK");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<Value>(
            &jwt,
            &DecodingKey::from_jwk(&jwk).expect("decoding key"),
            &validation,
        )
        .expect("verifies");
        assert_eq!(data.claims, json!({"sub": "x"}));
        // Another key under the same kid does not verify it.
        let other = SigningKey::generate().expect("keygen");
        let other_jwk: Jwk = serde_json::from_value(Value::Object(other.jwk_with_kid(key.kid())))
            .expect("other JWK");
        let err = jsonwebtoken::decode::<Value>(
            &jwt,
            &DecodingKey::from_jwk(&other_jwk).expect("decoding key"),
            &validation,
        )
        .expect_err("another key");
        assert_eq!(
            err.kind(),
            &jsonwebtoken::errors::ErrorKind::InvalidSignature
        );
    }
}
