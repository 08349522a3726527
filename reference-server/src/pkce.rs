//! Proof Key for Code Exchange (RFC 7636): challenge methods, the syntax of challenges and
//! verifiers, and verification.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// A `code_challenge_method` (RFC 7636 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    S256,
    Plain,
}

impl Method {
    /// RFC 7636 §4.3: the values are case-sensitive; `s256` is not `S256`.
    pub fn parse(value: &str) -> Option<Method> {
        match value {
            "S256" => Some(Method::S256),
            "plain" => Some(Method::Plain),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::S256 => "S256",
            Method::Plain => "plain",
        }
    }
}

/// The challenge recorded with an authorization code (RFC 7636 §4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub value: String,
    pub method: Method,
}

/// RFC 7636 §4.1 and §4.2: verifiers and challenges are 43 to 128 characters from
/// `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub fn is_well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636 §4.6: whether `verifier` matches `challenge` under the challenge's method,
/// compared in constant time.
pub fn verify(challenge: &Challenge, verifier: &str) -> bool {
    let derived = match challenge.method {
        Method::S256 => s256(verifier),
        Method::Plain => verifier.to_string(),
    };
    constant_time_eq(&derived, &challenge.value)
}

/// Compares two strings in constant time (digests first, so the length does not leak).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let challenge = Challenge {
            value: s256(verifier),
            method: Method::S256,
        };
        assert!(verify(&challenge, verifier));
        assert!(!verify(&challenge, &challenge.value));
        let plain = Challenge {
            value: verifier.into(),
            method: Method::Plain,
        };
        assert!(verify(&plain, verifier));
    }

    #[test]
    fn syntax() {
        assert!(is_well_formed(&"a".repeat(43)));
        assert!(!is_well_formed(&"a".repeat(42)));
        assert!(is_well_formed(&"a".repeat(128)));
        assert!(!is_well_formed(&"a".repeat(129)));
        assert!(!is_well_formed(&format!("{}+", "a".repeat(43))));
        assert_eq!(Method::parse("s256"), None);
        assert_eq!(Method::parse("S256"), Some(Method::S256));
    }
}
