//! Signing keys the harness holds: loaded from a PKCS#8 PEM file or a private JWK
//! (RFC 7517, RFC 7518 §6), made from a client secret for the HMAC algorithms
//! (`client_secret_jwt`, OIDC Core §9), or generated as a throwaway key. The private
//! material stays in `jsonwebtoken`'s [`EncodingKey`]; `Debug` prints kind and `kid` only.

use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, Ed25519KeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::{CommonParameters, Jwk, ThumbprintHash};
use serde_json::{Map, Value};

use super::JwtAlg;

/// What kind of key a [`SigningKey`] is; it decides the algorithms it can sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    Ed25519,
    /// A shared secret (HMAC).
    Secret,
}

impl KeyKind {
    /// RFC 7518 §3.1: RSA keys sign RS*/PS*; an EC key signs with the algorithm of its
    /// curve (§3.4); Ed25519 signs EdDSA (RFC 8037 §3.1); a secret signs HS*.
    pub fn algorithms(self) -> &'static [JwtAlg] {
        match self {
            KeyKind::Rsa => &[
                JwtAlg::Rs256,
                JwtAlg::Rs384,
                JwtAlg::Rs512,
                JwtAlg::Ps256,
                JwtAlg::Ps384,
                JwtAlg::Ps512,
            ],
            KeyKind::EcP256 => &[JwtAlg::Es256],
            KeyKind::EcP384 => &[JwtAlg::Es384],
            KeyKind::Ed25519 => &[JwtAlg::EdDsa],
            KeyKind::Secret => &[JwtAlg::Hs256, JwtAlg::Hs384, JwtAlg::Hs512],
        }
    }

    /// The algorithm used when the target file names none: RS256 is the one every
    /// `private_key_jwt` server supports (OIDC Core §9 names it).
    pub fn default_alg(self) -> JwtAlg {
        match self {
            KeyKind::Rsa => JwtAlg::Rs256,
            KeyKind::EcP256 => JwtAlg::Es256,
            KeyKind::EcP384 => JwtAlg::Es384,
            KeyKind::Ed25519 => JwtAlg::EdDsa,
            KeyKind::Secret => JwtAlg::Hs256,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::EcP256 => "EC P-256",
            KeyKind::EcP384 => "EC P-384",
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::Secret => "shared-secret",
        }
    }
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key could not be read or is not one the harness can sign with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read key file `{}`: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("not a usable PEM private key: {0}")]
    Pem(String),
    #[error("not a usable private JWK: {0}")]
    Jwk(String),
    #[error("the client secret is empty")]
    EmptySecret,
    #[error("key generation failed: {0}")]
    Generate(String),
}

/// A private key (or shared secret) with its `kid`.
#[derive(Clone)]
pub struct SigningKey {
    kind: KeyKind,
    encoding: EncodingKey,
    kid: Option<String>,
    /// The public JWK's key members (no `kid`, `use` or `alg`); `None` for a secret.
    public: Option<Jwk>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print private material.
        f.debug_struct("SigningKey")
            .field("kind", &self.kind)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads a key file: a private JWK when the file is a JSON object, else PEM.
    pub fn from_file(path: &Path) -> Result<SigningKey, KeyError> {
        let bytes = std::fs::read(path).map_err(|e| KeyError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if bytes.trim_ascii_start().starts_with(b"{") {
            let jwk: Value = serde_json::from_slice(&bytes)
                .map_err(|e| KeyError::Jwk(format!("not JSON: {e}")))?;
            SigningKey::from_jwk(&jwk)
        } else {
            SigningKey::from_pem(&bytes)
        }
    }

    /// A PKCS#8 `PRIVATE KEY` (RFC 5208) of an RSA, EC P-256/P-384 or Ed25519 key, or a
    /// PKCS#1 `RSA PRIVATE KEY`. The `kid` is the RFC 7638 thumbprint.
    pub fn from_pem(pem: &[u8]) -> Result<SigningKey, KeyError> {
        // jsonwebtoken classifies a PKCS#8 block by its algorithm OID, so at most one of
        // these accepts it.
        if let Ok(key) = EncodingKey::from_ed_pem(pem) {
            let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(key.as_bytes())
                .map_err(|e| KeyError::Pem(format!("Ed25519 key rejected: {e}")))?;
            return SigningKey::ed25519(&pair).map_err(KeyError::Pem);
        }
        if let Ok(key) = EncodingKey::from_ec_pem(pem) {
            for (kind, alg) in [
                (KeyKind::EcP256, JwtAlg::Es256),
                (KeyKind::EcP384, JwtAlg::Es384),
            ] {
                if let Ok(public) = Jwk::from_encoding_key(&key, alg.to_jsonwebtoken()) {
                    return Ok(SigningKey::asymmetric(kind, key, public));
                }
            }
            return Err(KeyError::Pem(
                "an EC key not on P-256 or P-384 (ES256 and ES384 are supported)".into(),
            ));
        }
        if let Ok(key) = EncodingKey::from_rsa_pem(pem) {
            let public = Jwk::from_encoding_key(&key, JwtAlg::Rs256.to_jsonwebtoken())
                .map_err(|e| KeyError::Pem(format!("RSA private key rejected: {e}")))?;
            return Ok(SigningKey::asymmetric(KeyKind::Rsa, key, public));
        }
        let text = String::from_utf8_lossy(pem);
        Err(KeyError::Pem(if text.contains("BEGIN EC PRIVATE KEY") {
            "a SEC1 `EC PRIVATE KEY`; convert it with `openssl pkcs8 -topk8 -nocrypt`".into()
        } else if text.contains("BEGIN ENCRYPTED PRIVATE KEY") {
            "an encrypted key; decrypt it with `openssl pkcs8 -nocrypt`".into()
        } else if text.contains("PUBLIC KEY") || text.contains("CERTIFICATE") {
            "a public key or certificate; signing needs the private key".into()
        } else {
            "no PKCS#8 `PRIVATE KEY` block of an RSA, EC or Ed25519 key".into()
        }))
    }

    /// A private JWK: `RSA` (RFC 7518 §6.3.2, all CRT members), `EC` P-256/P-384
    /// (§6.2.2), `OKP` Ed25519 (RFC 8037 §2) or `oct` (§6.4). Its `kid`, if any, is kept;
    /// else the RFC 7638 thumbprint.
    pub fn from_jwk(jwk: &Value) -> Result<SigningKey, KeyError> {
        let Some(members) = jwk.as_object() else {
            return Err(KeyError::Jwk("not a JSON object".into()));
        };
        let mut key = match members.get("kty").and_then(Value::as_str) {
            Some("RSA") => rsa_from_jwk(members)?,
            Some("EC") => ec_from_jwk(members)?,
            Some("OKP") => {
                match members.get("crv").and_then(Value::as_str) {
                    Some("Ed25519") => {}
                    other => {
                        return Err(KeyError::Jwk(format!(
                            "OKP curve {other:?}; only Ed25519 is supported"
                        )));
                    }
                }
                let pair = Ed25519KeyPair::from_seed_and_public_key(
                    &member(members, "d")?,
                    &member(members, "x")?,
                )
                .map_err(|e| KeyError::Jwk(format!("Ed25519 members rejected: {e}")))?;
                SigningKey::ed25519(&pair).map_err(KeyError::Jwk)?
            }
            Some("oct") => SigningKey::from_secret(&member(members, "k")?)?,
            Some(other) => return Err(KeyError::Jwk(format!("unsupported `kty` `{other}`"))),
            None => return Err(KeyError::Jwk("no `kty` (RFC 7517 §4.1)".into())),
        };
        if let Some(kid) = members.get("kid").and_then(Value::as_str) {
            key.kid = Some(kid.to_string());
        }
        Ok(key)
    }

    /// An HMAC key over the octets of a client secret (OIDC Core §9 `client_secret_jwt`,
    /// RFC 7518 §3.2). No `kid`.
    pub fn from_secret(secret: &[u8]) -> Result<SigningKey, KeyError> {
        let encoding = EncodingKey::from_secret(secret).map_err(|_| KeyError::EmptySecret)?;
        Ok(SigningKey {
            kind: KeyKind::Secret,
            encoding,
            kid: None,
            public: None,
        })
    }

    /// A fresh key of `kind` (RSA 2048), for a token that must come from a key the
    /// target does not know.
    pub fn generate(kind: KeyKind) -> Result<SigningKey, KeyError> {
        let failed = |e: aws_lc_rs::error::Unspecified| KeyError::Generate(e.to_string());
        match kind {
            KeyKind::Rsa => {
                let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                    .map_err(failed)?;
                let der = pair.as_der().map_err(failed)?;
                rsa_from_pkcs8(der.as_ref()).map_err(KeyError::Generate)
            }
            KeyKind::EcP256 | KeyKind::EcP384 => {
                let pair = EcdsaKeyPair::generate(ec_algorithm(kind)).map_err(failed)?;
                SigningKey::ec(kind, &pair).map_err(KeyError::Generate)
            }
            KeyKind::Ed25519 => {
                let pair = Ed25519KeyPair::generate().map_err(failed)?;
                SigningKey::ed25519(&pair).map_err(KeyError::Generate)
            }
            KeyKind::Secret => {
                let mut secret = [0u8; 32];
                aws_lc_rs::rand::fill(&mut secret).map_err(failed)?;
                SigningKey::from_secret(&secret)
            }
        }
    }

    /// The same key under another `kid` (a configured one, or a test's collision).
    pub fn with_kid(mut self, kid: impl Into<String>) -> SigningKey {
        self.kid = Some(kid.into());
        self
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key; `None` for a secret.
    pub fn thumbprint(&self) -> Option<String> {
        thumbprint(self.public.as_ref()?)
    }

    pub(super) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The JWK a verifier uses: the public JWK, or for a secret the `oct` JWK of it.
    pub(super) fn verification_jwk(&self) -> Value {
        match public_jwk(self) {
            Some(jwk) => jwk,
            None => serde_json::json!({
                "kty": "oct",
                "k": URL_SAFE_NO_PAD.encode(self.encoding.as_bytes()),
            }),
        }
    }

    fn asymmetric(kind: KeyKind, encoding: EncodingKey, mut public: Jwk) -> SigningKey {
        public.common = CommonParameters::default();
        let kid = thumbprint(&public);
        SigningKey {
            kind,
            encoding,
            kid,
            public: Some(public),
        }
    }

    /// Normalised to PKCS#8 v1, the form `jsonwebtoken` derives Ed25519 JWKs from.
    fn ed25519(pair: &Ed25519KeyPair) -> Result<SigningKey, String> {
        let der = pair.to_pkcs8v1().map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_ed_der(der.as_ref());
        let public = Jwk::from_encoding_key(&encoding, JwtAlg::EdDsa.to_jsonwebtoken())
            .map_err(|e| e.to_string())?;
        Ok(SigningKey::asymmetric(KeyKind::Ed25519, encoding, public))
    }

    fn ec(kind: KeyKind, pair: &EcdsaKeyPair) -> Result<SigningKey, String> {
        let der = pair.to_pkcs8v1().map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_ec_der(der.as_ref());
        let public = Jwk::from_encoding_key(&encoding, kind.default_alg().to_jsonwebtoken())
            .map_err(|e| e.to_string())?;
        Ok(SigningKey::asymmetric(kind, encoding, public))
    }
}

/// The public JWK of `key` with its `kid` and `use` `sig` (RFC 7517 §4.2), for a JWKS
/// the harness hosts; `None` for a shared secret, which has no public part.
pub fn public_jwk(key: &SigningKey) -> Option<Value> {
    let mut jwk = match serde_json::to_value(key.public.as_ref()?) {
        Ok(Value::Object(map)) => map,
        _ => return None,
    };
    if let Some(kid) = &key.kid {
        jwk.insert("kid".into(), Value::from(kid.as_str()));
    }
    jwk.insert("use".into(), Value::from("sig"));
    Some(Value::Object(jwk))
}

fn thumbprint(public: &Jwk) -> Option<String> {
    public.thumbprint(ThumbprintHash::SHA256).ok()
}

/// A base64url member of a JWK, decoded.
fn member(members: &Map<String, Value>, name: &str) -> Result<Vec<u8>, KeyError> {
    let text = members
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::Jwk(format!("no `{name}` member")))?;
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| KeyError::Jwk(format!("`{name}` is not base64url: {e}")))
}

fn rsa_from_jwk(members: &Map<String, Value>) -> Result<SigningKey, KeyError> {
    let components = KeyPairComponents {
        public_key: PublicKeyComponents {
            n: member(members, "n")?,
            e: member(members, "e")?,
        },
        d: member(members, "d")?,
        p: member(members, "p")?,
        q: member(members, "q")?,
        dP: member(members, "dp")?,
        dQ: member(members, "dq")?,
        qInv: member(members, "qi")?,
    };
    let pair = aws_lc_rs::rsa::KeyPair::from_components(&components)
        .map_err(|e| KeyError::Jwk(format!("RSA members rejected: {e}")))?;
    let der = pair.as_der().map_err(|e| KeyError::Jwk(e.to_string()))?;
    rsa_from_pkcs8(der.as_ref()).map_err(KeyError::Jwk)
}

/// `jsonwebtoken` takes an RSA key as PKCS#1, which aws-lc-rs does not write; its PEM
/// reader unwraps PKCS#8, so the key goes through PEM.
fn rsa_from_pkcs8(der: &[u8]) -> Result<SigningKey, String> {
    let body = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for (i, c) in body.chars().enumerate() {
        if i > 0 && i % 64 == 0 {
            pem.push('\n');
        }
        pem.push(c);
    }
    pem.push_str("\n-----END PRIVATE KEY-----\n");
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
    let public = Jwk::from_encoding_key(&encoding, JwtAlg::Rs256.to_jsonwebtoken())
        .map_err(|e| e.to_string())?;
    Ok(SigningKey::asymmetric(KeyKind::Rsa, encoding, public))
}

fn ec_algorithm(kind: KeyKind) -> &'static EcdsaSigningAlgorithm {
    match kind {
        KeyKind::EcP384 => &ECDSA_P384_SHA384_FIXED_SIGNING,
        _ => &ECDSA_P256_SHA256_FIXED_SIGNING,
    }
}

fn ec_from_jwk(members: &Map<String, Value>) -> Result<SigningKey, KeyError> {
    let kind = match members.get("crv").and_then(Value::as_str) {
        Some("P-256") => KeyKind::EcP256,
        Some("P-384") => KeyKind::EcP384,
        other => {
            return Err(KeyError::Jwk(format!(
                "EC curve {other:?}; P-256 and P-384 are supported"
            )));
        }
    };
    // SEC 1 §2.3.3 uncompressed point: 0x04 || x || y.
    let mut point = vec![0x04];
    point.extend(member(members, "x")?);
    point.extend(member(members, "y")?);
    let pair = EcdsaKeyPair::from_private_key_and_public_key(
        ec_algorithm(kind),
        &member(members, "d")?,
        &point,
    )
    .map_err(|e| KeyError::Jwk(format!("EC members rejected: {e}")))?;
    SigningKey::ec(kind, &pair).map_err(KeyError::Jwk)
}
