//! Verifying a JWS against a JWK Set (RFC 7517 §5) or a key the harness holds: choosing
//! the key, refusing `alg` `none` and algorithm/key mismatches (RFC 8725 §3.1, §3.2),
//! and naming the reason a token fails as a [`VerifyFailure`].

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::{Map, Value};

use super::{JwtAlg, SigningKey, decode_unverified};

/// Why a token does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyFailure {
    #[error("not a well-formed JWS: {0}")]
    Malformed(String),
    #[error("the JOSE header has no `alg` (RFC 7515 §4.1.1)")]
    MissingAlg,
    #[error("`alg` is `none`: the token is unsigned (RFC 7519 §6; RFC 8725 §3.1)")]
    AlgNone,
    #[error("`alg` {0} is not an algorithm the harness verifies ({expected})", expected = JwtAlg::expected())]
    UnsupportedAlg(String),
    #[error(
        "the header marks {0:?} critical (`crit`), which the harness does not understand (RFC 7515 §4.1.11)"
    )]
    UnsupportedCritical(Vec<String>),
    #[error("the key set is not a JWK Set: {0} (RFC 7517 §5)")]
    NotAJwks(String),
    #[error("no key with `kid` `{kid}` in the JWKS (its kids: {published:?})")]
    NoKeyWithKid { kid: String, published: Vec<String> },
    #[error("the token has no `kid` and the JWKS has no key for `{alg}`")]
    NoKeyForAlg { alg: JwtAlg },
    #[error("{count} keys in the JWKS fit {} for `{alg}`; a verifier cannot tell which one signed it (RFC 7517 §4.5)", kid_text(.kid))]
    AmbiguousKey {
        kid: Option<String>,
        alg: JwtAlg,
        count: usize,
    },
    #[error("the key {} cannot verify `{alg}`: {reason}", kid_text(.kid))]
    KeyNotForAlg {
        kid: Option<String>,
        alg: JwtAlg,
        reason: String,
    },
    #[error("the key {} is for `{key_alg}` but the token says `{alg}` (RFC 7517 §4.4)", kid_text(.kid))]
    KeyAlgMismatch {
        kid: Option<String>,
        key_alg: String,
        alg: JwtAlg,
    },
    #[error("the key {} is not a usable JWK: {reason}", kid_text(.kid))]
    UnusableKey { kid: Option<String>, reason: String },
    #[error("the `{alg}` signature does not verify with the key {}", kid_text(.kid))]
    BadSignature { kid: Option<String>, alg: JwtAlg },
}

fn kid_text(kid: &Option<String>) -> String {
    match kid {
        Some(k) => format!("`{k}`"),
        None => "without `kid`".into(),
    }
}

/// Verifies `token` with the key `jwks` publishes for it and returns its claims.
///
/// The key is the one whose `kid` is the header's; a header without `kid` takes the one
/// key that fits the algorithm, if exactly one does. Time and audience claims are not
/// checked here.
pub fn verify_with_jwks(token: &str, jwks: &Value) -> Result<Map<String, Value>, VerifyFailure> {
    let (header, _) = decode_unverified(token).map_err(malformed)?;
    let alg = header_alg(&header)?;
    let keys = match jwks.get("keys") {
        Some(Value::Array(keys)) => keys,
        Some(_) => return Err(VerifyFailure::NotAJwks("`keys` is not an array".into())),
        None => return Err(VerifyFailure::NotAJwks("no `keys` member".into())),
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(k)) => Some(k.clone()),
        Some(_) => {
            return Err(VerifyFailure::Malformed(
                "`kid` is not a string (RFC 7515 §4.1.4)".into(),
            ));
        }
    };
    let candidates: Vec<&Value> = match &kid {
        Some(kid) => {
            let same: Vec<&Value> = keys
                .iter()
                .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid.as_str()))
                .collect();
            if same.is_empty() {
                return Err(VerifyFailure::NoKeyWithKid {
                    kid: kid.clone(),
                    published: keys
                        .iter()
                        .filter_map(|k| k.get("kid")?.as_str().map(str::to_string))
                        .collect(),
                });
            }
            let fitting: Vec<&Value> = same
                .iter()
                .copied()
                .filter(|k| fits(k, alg).is_ok())
                .collect();
            if fitting.is_empty() {
                // Name the first key's reason: with one key per kid that is the reason.
                let reason = fits(same[0], alg).err().unwrap_or_default();
                return Err(VerifyFailure::KeyNotForAlg {
                    kid: Some(kid.clone()),
                    alg,
                    reason,
                });
            }
            fitting
        }
        None => keys.iter().filter(|k| fits(k, alg).is_ok()).collect(),
    };
    match candidates.as_slice() {
        [] => Err(VerifyFailure::NoKeyForAlg { alg }),
        [jwk] => verify_against(token, alg, jwk),
        several => Err(VerifyFailure::AmbiguousKey {
            kid,
            alg,
            count: several.len(),
        }),
    }
}

/// Verifies `token` with `key` (its public half, or the secret for HMAC), whatever the
/// header's `kid`, and returns its claims.
pub fn verify_with_key(token: &str, key: &SigningKey) -> Result<Map<String, Value>, VerifyFailure> {
    let (header, _) = decode_unverified(token).map_err(malformed)?;
    let alg = header_alg(&header)?;
    let jwk = key.verification_jwk();
    if let Err(reason) = fits(&jwk, alg) {
        return Err(VerifyFailure::KeyNotForAlg {
            kid: key.kid().map(str::to_string),
            alg,
            reason,
        });
    }
    verify_against(token, alg, &jwk)
}

fn malformed(e: super::JwtError) -> VerifyFailure {
    match e {
        super::JwtError::Malformed(reason) => VerifyFailure::Malformed(reason),
        other => VerifyFailure::Malformed(other.to_string()),
    }
}

/// The header's `alg`, refusing `none` (in any case: RFC 8725 §3.1 warns of libraries
/// that honour `None`) and `crit` extensions.
fn header_alg(header: &Map<String, Value>) -> Result<JwtAlg, VerifyFailure> {
    let alg = match header.get("alg") {
        None => return Err(VerifyFailure::MissingAlg),
        Some(Value::String(a)) => a,
        Some(other) => return Err(VerifyFailure::UnsupportedAlg(other.to_string())),
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(VerifyFailure::AlgNone);
    }
    let Some(parsed) = JwtAlg::parse(alg) else {
        return Err(VerifyFailure::UnsupportedAlg(format!("`{alg}`")));
    };
    if let Some(crit) = header.get("crit") {
        let names = match crit {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
            other => vec![other.to_string()],
        };
        return Err(VerifyFailure::UnsupportedCritical(names));
    }
    Ok(parsed)
}

/// Whether the JWK can verify `alg`: its `kty` (and curve) must be the algorithm's
/// (RFC 7518 §3.1; RFC 8725 §3.1 on key/algorithm confusion) and its `use`, if any,
/// `sig` (RFC 7517 §4.2).
fn fits(jwk: &Value, alg: JwtAlg) -> Result<(), String> {
    let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or_default();
    let crv = jwk.get("crv").and_then(Value::as_str);
    let (want_kty, want_crv) = match alg {
        JwtAlg::Rs256
        | JwtAlg::Rs384
        | JwtAlg::Rs512
        | JwtAlg::Ps256
        | JwtAlg::Ps384
        | JwtAlg::Ps512 => ("RSA", None),
        JwtAlg::Es256 => ("EC", Some("P-256")),
        JwtAlg::Es384 => ("EC", Some("P-384")),
        JwtAlg::EdDsa => ("OKP", Some("Ed25519")),
        JwtAlg::Hs256 | JwtAlg::Hs384 | JwtAlg::Hs512 => ("oct", None),
    };
    if kty != want_kty {
        return Err(format!("its `kty` is `{kty}`, `{alg}` needs `{want_kty}`"));
    }
    if let Some(want) = want_crv
        && crv != Some(want)
    {
        return Err(format!("its `crv` is {crv:?}, `{alg}` needs `{want}`"));
    }
    match jwk.get("use").and_then(Value::as_str) {
        None | Some("sig") => Ok(()),
        Some(other) => Err(format!("its `use` is `{other}`, not `sig`")),
    }
}

fn verify_against(
    token: &str,
    alg: JwtAlg,
    jwk: &Value,
) -> Result<Map<String, Value>, VerifyFailure> {
    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
    if let Some(key_alg) = jwk.get("alg").and_then(Value::as_str)
        && key_alg != alg.as_str()
    {
        return Err(VerifyFailure::KeyAlgMismatch {
            kid,
            key_alg: key_alg.to_string(),
            alg,
        });
    }
    let unusable = |reason: String| VerifyFailure::UnusableKey {
        kid: kid.clone(),
        reason,
    };
    let parsed: Jwk = serde_json::from_value(jwk.clone()).map_err(|e| unusable(e.to_string()))?;
    let key = DecodingKey::from_jwk(&parsed).map_err(|e| unusable(e.to_string()))?;
    let mut validation = Validation::new(alg.to_jsonwebtoken());
    // Time and audience are separate checks: a bad signature and an expired token are
    // different findings.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    match jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) => Err(match e.kind() {
            ErrorKind::InvalidSignature => VerifyFailure::BadSignature { kid, alg },
            ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat => unusable(e.to_string()),
            _ => VerifyFailure::Malformed(e.to_string()),
        }),
    }
}
