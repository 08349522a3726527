//! The server's signing key and its JSON Web Key Set (RFC 7517).
//!
//! One RSA 2048 key is generated with aws-lc-rs, once per process (see [`SigningKey::shared`]).
//! The private half stays in [`SigningKey`] as a `jsonwebtoken` encoding key (ID tokens are
//! signed with it); the JWKS carries only the public members `n` and `e` (OpenID Connect
//! Discovery §3 forbids private key material there), derived by `jsonwebtoken`.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value, json};

/// Key generation or encoding failed inside aws-lc-rs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("RSA key generation failed")]
    Generate,
    #[error("the generated key could not be encoded as PKCS#8")]
    Encode,
    #[error("the generated key's PKCS#8 encoding could not be read back")]
    Der,
    #[error("the public JWK or its thumbprint could not be derived")]
    Jwk,
}

/// An RSA signing key with its JWK representation.
pub struct SigningKey {
    encoding: EncodingKey,
    kid: String,
    /// The public JWK's key members (`kty`, `n`, `e`).
    public: Jwk,
    private: PrivateMembers,
}

/// The RFC 7518 §6.3.2 private members, base64url; only ever published under the
/// `jwks-leaks-private-key` fault.
struct PrivateMembers {
    d: String,
    p: String,
    q: String,
    dp: String,
    dq: String,
    qi: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private material.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The process's signing key, generated once. RSA key generation takes long enough
    /// (hundreds of milliseconds in a debug build) that the self-tests, which start a
    /// server per fault, would spend most of their time on it; a test server has no
    /// reason to hold a different key per instance.
    pub fn shared() -> Result<std::sync::Arc<SigningKey>, KeyError> {
        static KEY: std::sync::OnceLock<Result<std::sync::Arc<SigningKey>, KeyError>> =
            std::sync::OnceLock::new();
        KEY.get_or_init(|| SigningKey::generate().map(std::sync::Arc::new))
            .clone()
    }

    /// Generates a fresh RSA 2048 key.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let key_pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        let der = key_pair.as_der().map_err(|_| KeyError::Encode)?;
        let (rsa_private_key, private) = parse_pkcs8_rsa(der.as_ref()).ok_or(KeyError::Der)?;
        let encoding = EncodingKey::from_rsa_der(rsa_private_key);
        let public =
            Jwk::from_encoding_key(&encoding, Algorithm::RS256).map_err(|_| KeyError::Jwk)?;
        // The key id: the RFC 7638 SHA-256 JWK thumbprint.
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| KeyError::Jwk)?;
        Ok(SigningKey {
            encoding,
            kid,
            public,
            private,
        })
    }

    /// The key id: the RFC 7638 SHA-256 JWK thumbprint.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The `jsonwebtoken` key, for signing.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The public JWK: `kty`, `use`, `alg`, `kid`, `n`, `e` and nothing private.
    pub fn public_jwk(&self) -> Map<String, Value> {
        self.jwk_with_kid(&self.kid)
    }

    /// The public JWK under another `kid` (for the `jwks-duplicate-kid` fault).
    pub fn jwk_with_kid(&self, kid: &str) -> Map<String, Value> {
        let mut jwk = self.public.clone();
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        jwk.common.key_id = Some(kid.to_string());
        match serde_json::to_value(&jwk) {
            Ok(Value::Object(map)) => map,
            // A JWK always serialises to an object; an empty one would fail verification
            // visibly rather than publish something else.
            _ => Map::new(),
        }
    }

    /// Adds the private members to `jwk` (only for the `jwks-leaks-private-key` fault).
    pub fn add_private_members(&self, jwk: &mut Map<String, Value>) {
        let p = &self.private;
        for (name, value) in [
            ("d", &p.d),
            ("p", &p.p),
            ("q", &p.q),
            ("dp", &p.dp),
            ("dq", &p.dq),
            ("qi", &p.qi),
        ] {
            jwk.insert(name.into(), json!(value));
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads the RSAPrivateKey (RFC 8017 A.1.2) out of a PKCS#8 PrivateKeyInfo (RFC 5208):
/// `SEQUENCE { INTEGER version, SEQUENCE algorithm, OCTET STRING { RSAPrivateKey } }`.
/// Returns its DER (the PKCS#1 form `jsonwebtoken` signs with; aws-lc-rs writes only
/// PKCS#8) and its private members (the `jwks-leaks-private-key` fault publishes them).
fn parse_pkcs8_rsa(der: &[u8]) -> Option<(&[u8], PrivateMembers)> {
    let (info, _) = der_read(der, 0x30)?;
    let (_version, rest) = der_read(info, 0x02)?;
    let (_algorithm, rest) = der_read(rest, 0x30)?;
    let (octets, _) = der_read(rest, 0x04)?;
    let (rsa, _) = der_read(octets, 0x30)?;
    // version, n, e, d, p, q, dp, dq, qi
    let mut ints = Vec::with_capacity(9);
    let mut rest = rsa;
    for _ in 0..9 {
        let (value, next) = der_read(rest, 0x02)?;
        ints.push(unsigned(value));
        rest = next;
    }
    let [_version, _n, _e, d, p, q, dp, dq, qi] = ints.as_slice() else {
        return None;
    };
    Some((
        octets,
        PrivateMembers {
            d: b64(d),
            p: b64(p),
            q: b64(q),
            dp: b64(dp),
            dq: b64(dq),
            qi: b64(qi),
        },
    ))
}

/// One DER TLV with the expected tag: returns (contents, remaining input).
fn der_read(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len_byte, rest) = rest.split_first()?;
    let (len, rest) = if len_byte < 0x80 {
        (usize::from(len_byte), rest)
    } else {
        let count = usize::from(len_byte & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(count);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    Some(rest.split_at(len))
}

/// A DER INTEGER's magnitude without the sign-padding zero (JWK wants minimal unsigned).
fn unsigned(value: &[u8]) -> &[u8] {
    match value {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_key_has_public_jwk_only() {
        let key = SigningKey::generate().expect("keygen");
        let jwk = key.public_jwk();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk["kid"], key.kid());
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(!jwk.contains_key(private));
        }
        let n = URL_SAFE_NO_PAD
            .decode(jwk["n"].as_str().expect("n"))
            .expect("b64");
        assert_eq!(n.len(), 256);
        let mut leaked = jwk.clone();
        key.add_private_members(&mut leaked);
        let d = URL_SAFE_NO_PAD
            .decode(leaked["d"].as_str().expect("d"))
            .expect("b64");
        assert!(d.len() > 200);
        assert!(!format!("{key:?}").contains(leaked["d"].as_str().expect("d")));
    }

    #[test]
    fn kid_is_the_rfc7638_thumbprint() {
        use sha2::{Digest as _, Sha256};
        let key = SigningKey::generate().expect("keygen");
        let jwk = key.public_jwk();
        // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            jwk["e"].as_str().expect("e"),
            jwk["n"].as_str().expect("n")
        );
        assert_eq!(key.kid(), b64(&Sha256::digest(canonical.as_bytes())));
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["alg"], "RS256");
    }
}
