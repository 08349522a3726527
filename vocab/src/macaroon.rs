//! The macaroon token format both sides speak: the reference server mints and verifies
//! macaroon access tokens (the PingOne AIC / AM feature of seed 000), and the harness
//! attenuates them locally, as any holder may, without a key.
//!
//! The construction is Birgisson et al., "Macaroons: Cookies with Contextual Caveats for
//! Decentralized Authorization in the Cloud" (NDSS 2014), §II and Fig. 2 and 5: the signature
//! is a chain of HMACs, `sig0 = HMAC(k, identifier)` and `sig_i = HMAC(sig_(i-1), caveat_i)`,
//! so anyone can append a caveat (extend the chain) but nobody without the key can remove one.
//! As in libmacaroons, `k` is derived from the root key with the fixed key
//! `macaroons-key-generator`. The wire format is libmacaroons' version 2 binary format,
//! base64url-encoded without padding (the parser also takes padded and standard base64).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The largest serialised macaroon accepted (a bound on hostile input).
const MAX_BYTES: usize = 64 * 1024;

// Field types of the version 2 format.
const EOS: u64 = 0;
const LOCATION: u64 = 1;
const IDENTIFIER: u64 = 2;
const VID: u64 = 4;
const SIGNATURE: u64 = 6;

/// One macaroon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macaroon {
    /// The location hint (not covered by the signature).
    pub location: Option<String>,
    pub identifier: Vec<u8>,
    pub caveats: Vec<Caveat>,
    pub signature: [u8; 32],
}

/// One caveat: first-party when it has no verifier id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caveat {
    pub identifier: Vec<u8>,
    pub location: Option<String>,
    /// The verifier id of a third-party caveat.
    pub vid: Option<Vec<u8>>,
}

impl Caveat {
    pub fn is_first_party(&self) -> bool {
        self.vid.is_none()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl Macaroon {
    /// A fresh macaroon with no caveats, signed with `root_key`.
    pub fn mint(root_key: &[u8], location: Option<&str>, identifier: &[u8]) -> Macaroon {
        let key = hmac(b"macaroons-key-generator", root_key);
        Macaroon {
            location: location.map(str::to_string),
            identifier: identifier.to_vec(),
            caveats: Vec::new(),
            signature: hmac(&key, identifier),
        }
    }

    /// This macaroon with one more first-party caveat: what any holder can do.
    pub fn with_caveat(&self, caveat: &[u8]) -> Macaroon {
        let mut m = self.clone();
        m.signature = hmac(&self.signature, caveat);
        m.caveats.push(Caveat {
            identifier: caveat.to_vec(),
            location: None,
            vid: None,
        });
        m
    }

    /// Whether the signature is the chain `root_key` yields over the identifier and the
    /// caveats, compared in constant time. Third-party caveats (which need discharge
    /// macaroons) never verify here.
    pub fn verify(&self, root_key: &[u8]) -> bool {
        if self.caveats.iter().any(|c| !c.is_first_party()) {
            return false;
        }
        let mut expected = Macaroon::mint(root_key, None, &self.identifier);
        for c in &self.caveats {
            expected = expected.with_caveat(&c.identifier);
        }
        let mut diff = 0u8;
        for (a, b) in expected.signature.iter().zip(self.signature.iter()) {
            diff |= a ^ b;
        }
        diff == 0
    }

    /// The version 2 binary format, base64url without padding.
    pub fn serialize(&self) -> String {
        let mut out = vec![2u8];
        if let Some(l) = &self.location {
            field(&mut out, LOCATION, l.as_bytes());
        }
        field(&mut out, IDENTIFIER, &self.identifier);
        varint(&mut out, EOS);
        for c in &self.caveats {
            if let Some(l) = &c.location {
                field(&mut out, LOCATION, l.as_bytes());
            }
            field(&mut out, IDENTIFIER, &c.identifier);
            if let Some(v) = &c.vid {
                field(&mut out, VID, v);
            }
            varint(&mut out, EOS);
        }
        varint(&mut out, EOS);
        field(&mut out, SIGNATURE, &self.signature);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Parses a serialised macaroon (version 2, base64url or base64, padded or not).
    pub fn parse(text: &str) -> Result<Macaroon, MacaroonError> {
        let text = text.trim();
        if text.len() > MAX_BYTES {
            return Err(MacaroonError("too long"));
        }
        let bytes = [URL_SAFE_NO_PAD, URL_SAFE, STANDARD_NO_PAD, STANDARD]
            .iter()
            .find_map(|e| e.decode(text).ok())
            .ok_or(MacaroonError("not base64"))?;
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
        };
        if r.byte()? != 2 {
            return Err(MacaroonError("not a version 2 macaroon"));
        }
        let (location, identifier, vid) = r.section()?;
        let identifier = identifier.ok_or(MacaroonError("no identifier"))?;
        if vid.is_some() {
            return Err(MacaroonError("a verifier id outside a caveat"));
        }
        let mut caveats = Vec::new();
        loop {
            if r.peek()? == EOS as u8 {
                r.at += 1;
                break;
            }
            let (location, identifier, vid) = r.section()?;
            caveats.push(Caveat {
                identifier: identifier.ok_or(MacaroonError("a caveat without identifier"))?,
                location: location.map(|l| String::from_utf8_lossy(&l).into_owned()),
                vid,
            });
        }
        let (kind, data) = r.field()?;
        if kind != SIGNATURE || data.len() != 32 || r.at != bytes.len() {
            return Err(MacaroonError("no 32-byte signature at the end"));
        }
        let mut signature = [0u8; 32];
        signature.copy_from_slice(data);
        Ok(Macaroon {
            location: location.map(|l| String::from_utf8_lossy(&l).into_owned()),
            identifier,
            caveats,
            signature,
        })
    }
}

/// Why a string is not a macaroon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacaroonError(pub &'static str);

impl std::fmt::Display for MacaroonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a macaroon: {}", self.0)
    }
}

impl std::error::Error for MacaroonError {}

fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn field(out: &mut Vec<u8>, kind: u64, data: &[u8]) {
    varint(out, kind);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// A section's location, identifier and verifier id.
type Section = (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);

impl<'a> Reader<'a> {
    fn peek(&self) -> Result<u8, MacaroonError> {
        self.bytes
            .get(self.at)
            .copied()
            .ok_or(MacaroonError("truncated"))
    }

    fn byte(&mut self) -> Result<u8, MacaroonError> {
        let b = self.peek()?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, MacaroonError> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(MacaroonError("varint too long"))
    }

    fn field(&mut self) -> Result<(u64, &'a [u8]), MacaroonError> {
        let kind = self.varint()?;
        let len = usize::try_from(self.varint()?).map_err(|_| MacaroonError("field too long"))?;
        let end = self
            .at
            .checked_add(len)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(MacaroonError("truncated field"))?;
        let data = &self.bytes[self.at..end];
        self.at = end;
        Ok((kind, data))
    }

    /// Fields up to and including an end-of-section marker, in the order the format fixes.
    fn section(&mut self) -> Result<Section, MacaroonError> {
        let (mut location, mut identifier, mut vid) = (None, None, None);
        let mut last = 0;
        loop {
            if self.peek()? == EOS as u8 {
                self.at += 1;
                return Ok((location, identifier, vid));
            }
            let (kind, data) = self.field()?;
            if kind <= last {
                return Err(MacaroonError("fields out of order"));
            }
            last = kind;
            match kind {
                LOCATION => location = Some(data.to_vec()),
                IDENTIFIER => identifier = Some(data.to_vec()),
                VID => vid = Some(data.to_vec()),
                _ => return Err(MacaroonError("unknown field")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caveat_extends_the_chain_and_round_trips() {
        let m = Macaroon::mint(b"root", Some("https://as.example"), b"id-1");
        assert!(m.verify(b"root"));
        let narrowed = m.with_caveat(br#"{"scope":"read"}"#);
        assert_ne!(narrowed.signature, m.signature);
        let parsed = Macaroon::parse(&narrowed.serialize()).expect("parses");
        assert_eq!(parsed, narrowed);
        assert!(parsed.verify(b"root"));
        assert!(!parsed.verify(b"other root"));
    }

    #[test]
    fn removing_or_changing_a_caveat_breaks_the_signature() {
        let m = Macaroon::mint(b"root", None, b"id")
            .with_caveat(b"a")
            .with_caveat(b"b");
        let mut removed = m.clone();
        removed.caveats.pop();
        assert!(!removed.verify(b"root"));
        let mut changed = m.clone();
        changed.caveats[0].identifier = b"z".to_vec();
        assert!(!changed.verify(b"root"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for s in ["", "!!!", "AA", "AgIA", &"A".repeat(100_000)] {
            assert!(Macaroon::parse(s).is_err(), "{s:.20}");
        }
    }
}
