//! JWT building and verification with `jsonwebtoken` (aws-lc-rs backend): signing a
//! claim set with a key the harness holds ([`sign`]), building the unsecured tokens
//! negative cases send ([`unsecured`]), reading a token without trusting it
//! ([`decode_unverified`]) and verifying one against a JWK Set ([`verify_with_jwks`]).
//!
//! Time and audience claims are not validated here: whether `exp` has passed or `aud`
//! names the client are separate checks, so a signature failure and an expired token are
//! told apart.

mod key;
mod verify;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

pub use key::{KeyError, KeyKind, SigningKey, public_jwk};
pub use verify::{VerifyFailure, verify_with_jwks, verify_with_key};

/// A JSON object: a JOSE header or a claim set.
pub type JsonObject = Map<String, Value>;

/// The JWS algorithms the harness signs and verifies (RFC 7518 §3.1, RFC 8037 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JwtAlg {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    EdDsa,
    Hs256,
    Hs384,
    Hs512,
}

impl JwtAlg {
    pub const ALL: [JwtAlg; 12] = [
        JwtAlg::Rs256,
        JwtAlg::Rs384,
        JwtAlg::Rs512,
        JwtAlg::Ps256,
        JwtAlg::Ps384,
        JwtAlg::Ps512,
        JwtAlg::Es256,
        JwtAlg::Es384,
        JwtAlg::EdDsa,
        JwtAlg::Hs256,
        JwtAlg::Hs384,
        JwtAlg::Hs512,
    ];

    /// The `alg` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtAlg::Rs256 => "RS256",
            JwtAlg::Rs384 => "RS384",
            JwtAlg::Rs512 => "RS512",
            JwtAlg::Ps256 => "PS256",
            JwtAlg::Ps384 => "PS384",
            JwtAlg::Ps512 => "PS512",
            JwtAlg::Es256 => "ES256",
            JwtAlg::Es384 => "ES384",
            JwtAlg::EdDsa => "EdDSA",
            JwtAlg::Hs256 => "HS256",
            JwtAlg::Hs384 => "HS384",
            JwtAlg::Hs512 => "HS512",
        }
    }

    /// Parses an `alg` value; case-sensitive, as JOSE names are (RFC 7515 §4.1.1).
    pub fn parse(s: &str) -> Option<JwtAlg> {
        JwtAlg::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// The list of names, for diagnostics.
    pub fn expected() -> String {
        let names: Vec<String> = JwtAlg::ALL
            .iter()
            .map(|a| format!("`{}`", a.as_str()))
            .collect();
        names.join(", ")
    }

    /// Whether the algorithm is a MAC over a shared secret (RFC 7518 §3.2).
    pub fn is_symmetric(self) -> bool {
        matches!(self, JwtAlg::Hs256 | JwtAlg::Hs384 | JwtAlg::Hs512)
    }

    fn to_jsonwebtoken(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as A;
        match self {
            JwtAlg::Rs256 => A::RS256,
            JwtAlg::Rs384 => A::RS384,
            JwtAlg::Rs512 => A::RS512,
            JwtAlg::Ps256 => A::PS256,
            JwtAlg::Ps384 => A::PS384,
            JwtAlg::Ps512 => A::PS512,
            JwtAlg::Es256 => A::ES256,
            JwtAlg::Es384 => A::ES384,
            JwtAlg::EdDsa => A::EdDSA,
            JwtAlg::Hs256 => A::HS256,
            JwtAlg::Hs384 => A::HS384,
            JwtAlg::Hs512 => A::HS512,
        }
    }
}

impl std::fmt::Display for JwtAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Building or reading a token failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("a {kind} key cannot sign `{alg}`")]
    KeyCannotSign { alg: JwtAlg, kind: KeyKind },
    #[error("the extra header sets `alg` to {given}, but the token is signed with `{alg}`")]
    HeaderAlg { given: String, alg: JwtAlg },
    #[error("invalid JOSE header: {0}")]
    Header(String),
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("not a well-formed JWS: {0}")]
    Malformed(String),
}

/// Signs `claims` as a compact JWS (RFC 7515 §7.1) with `alg`.
///
/// The header is `{"alg", "typ": "JWT", "kid"}` (the key's `kid`, if it has one) with
/// `header_extra` merged over it; a `null` in `header_extra` removes a default member
/// (a token without `kid` or `typ`). `alg` itself cannot be overridden: `jsonwebtoken`
/// signs with the algorithm the header names; for unsigned tokens see [`unsecured`].
pub fn sign(
    alg: JwtAlg,
    key: &SigningKey,
    header_extra: &Map<String, Value>,
    claims: &Value,
) -> Result<String, JwtError> {
    if !key.kind().algorithms().contains(&alg) {
        return Err(JwtError::KeyCannotSign {
            alg,
            kind: key.kind(),
        });
    }
    let header =
        header_map(alg.as_str(), key.kid(), header_extra).map_err(|given| JwtError::HeaderAlg {
            given: given.to_string(),
            alg,
        })?;
    let header: jsonwebtoken::Header = serde_json::from_value(Value::Object(header))
        .map_err(|e| JwtError::Header(e.to_string()))?;
    jsonwebtoken::encode(&header, claims, key.encoding_key())
        .map_err(|e| JwtError::Sign(e.to_string()))
}

/// An unsecured JWT (RFC 7519 §6.1): `alg` `none` and an empty signature. Only negative
/// cases send one (a server must refuse it, RFC 8725 §3.1); `jsonwebtoken` has no `none`.
pub fn unsecured(header_extra: &Map<String, Value>, claims: &Value) -> Result<String, JwtError> {
    let header = header_map("none", None, header_extra).map_err(|given| {
        JwtError::Header(format!(
            "`alg` is `none` in an unsecured token, not {given}"
        ))
    })?;
    let header =
        serde_json::to_vec(&Value::Object(header)).map_err(|e| JwtError::Header(e.to_string()))?;
    let claims = serde_json::to_vec(claims).map_err(|e| JwtError::Sign(e.to_string()))?;
    Ok(format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    ))
}

/// The default header merged with `extra`; `Err` with the offending value when `extra`
/// sets a different `alg`.
fn header_map<'a>(
    alg: &str,
    kid: Option<&str>,
    extra: &'a Map<String, Value>,
) -> Result<Map<String, Value>, &'a Value> {
    let mut header = Map::new();
    header.insert("alg".into(), Value::from(alg));
    header.insert("typ".into(), Value::from("JWT"));
    if let Some(kid) = kid {
        header.insert("kid".into(), Value::from(kid));
    }
    for (name, value) in extra {
        if name == "alg" {
            if value.as_str() != Some(alg) {
                return Err(value);
            }
        } else if value.is_null() {
            header.remove(name);
        } else {
            header.insert(name.clone(), value.clone());
        }
    }
    Ok(header)
}

/// The header and claims of a compact JWS, without checking the signature.
///
/// The header is read as plain JSON rather than `jsonwebtoken::Header`, which rejects an
/// `alg` it does not know (`none` included): the harness must still read and report such
/// a token. Claims must be a JSON object (RFC 7519 §7.2 step 10).
/// A token hash of OpenID Connect Core §3.1.3.6 (`at_hash`), §3.3.2.11 (`c_hash`) and
/// CIBA §10.3.1 (`rt_hash`): "the base64url encoding of the left-most half of the hash of
/// the octets of the ASCII representation of the ... value, where the hash algorithm used
/// is the hash algorithm used in the alg Header Parameter". `None` for an `alg` whose
/// hash is not known (`none`, for one). EdDSA (Ed25519) hashes with SHA-512, as the
/// OpenID Connect errata set says.
pub fn token_hash(alg: &str, value: &str) -> Option<String> {
    use sha2::Digest as _;
    let digest: Vec<u8> = match alg {
        "EdDSA" => sha2::Sha512::digest(value).to_vec(),
        a if a.ends_with("256") => sha2::Sha256::digest(value).to_vec(),
        a if a.ends_with("384") => sha2::Sha384::digest(value).to_vec(),
        a if a.ends_with("512") => sha2::Sha512::digest(value).to_vec(),
        _ => return None,
    };
    Some(URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]))
}

pub fn decode_unverified(token: &str) -> Result<(JsonObject, JsonObject), JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => {
            return Err(JwtError::Malformed(
                "five parts: a JWE (RFC 7516), not a JWS".into(),
            ));
        }
        n => {
            return Err(JwtError::Malformed(format!(
                "{n} part(s); a JWS in compact serialization has three (RFC 7515 §7.1)"
            )));
        }
    }
    let header = URL_SAFE_NO_PAD
        .decode(parts[0])
        .map_err(|e| JwtError::Malformed(format!("the header is not base64url: {e}")))?;
    let header = match serde_json::from_slice::<Value>(&header) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return Err(JwtError::Malformed(
                "the header is not a JSON object".into(),
            ));
        }
        Err(e) => return Err(JwtError::Malformed(format!("the header is not JSON: {e}"))),
    };
    let claims = match jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return Err(JwtError::Malformed(
                "the claims are not a JSON object (RFC 7519 §7.2)".into(),
            ));
        }
        Err(e) => {
            return Err(JwtError::Malformed(format!(
                "the claims cannot be read: {e}"
            )));
        }
    };
    Ok((header, claims))
}

#[cfg(test)]
mod tests;
