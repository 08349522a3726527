//! The in-memory token store: every access and refresh token the server has issued.
//!
//! A `std::sync::Mutex` is enough because no lock is ever held across an `.await`; every
//! method takes the lock, copies what it needs and releases it.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    /// The `token_type_hint` value naming this kind (RFC 7009 §2.1, RFC 7662 §2.1).
    pub fn hint_name(self) -> &'static str {
        match self {
            TokenKind::Access => "access_token",
            TokenKind::Refresh => "refresh_token",
        }
    }

    /// The kind a `token_type_hint` names; `None` for values this server does not know.
    pub fn from_hint(hint: &str) -> Option<TokenKind> {
        match hint {
            "access_token" => Some(TokenKind::Access),
            "refresh_token" => Some(TokenKind::Refresh),
            _ => None,
        }
    }
}

/// When a token was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// When the revocation request was accepted.
    pub requested_at: SystemTime,
    /// When the token stops working: the same instant for a correct server; later under the
    /// `revoke-delayed` fault.
    pub effective_at: SystemTime,
}

/// Everything the server remembers about one issued token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub kind: TokenKind,
    /// The client the token was issued to.
    pub client_id: String,
    /// The resource owner: the client itself for client_credentials (RFC 6749 §4.4).
    pub subject: String,
    /// Granted scope, space-separated.
    pub scope: String,
    pub issued_at: SystemTime,
    pub expires_at: SystemTime,
    /// Unique id of the token, reported as `jti` at introspection.
    pub jti: String,
    /// Tokens issued under one grant share this id, so that revoking a refresh token can
    /// revoke the grant's access tokens as well (RFC 7009 §2.1).
    pub grant_id: String,
    pub revocation: Option<Revocation>,
}

impl TokenRecord {
    /// RFC 7662 §4: expiry is checked at every use.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        now >= self.expires_at
    }

    /// Whether a revocation has taken effect by `now`.
    pub fn is_revoked(&self, now: SystemTime) -> bool {
        self.revocation.is_some_and(|r| now >= r.effective_at)
    }

    /// A revocation was requested, whether or not it has taken effect yet.
    pub fn revocation_requested(&self) -> bool {
        self.revocation.is_some()
    }
}

/// The token store.
#[derive(Debug, Default)]
pub struct TokenStore {
    tokens: Mutex<HashMap<String, TokenRecord>>,
}

impl TokenStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a new token.
    pub fn insert(&self, token: String, record: TokenRecord) {
        self.lock().insert(token, record);
    }

    /// A copy of the record of `token`.
    pub fn get(&self, token: &str) -> Option<TokenRecord> {
        self.lock().get(token).cloned()
    }

    /// Marks `token` revoked; for a refresh token also every other token of its grant
    /// (RFC 7009 §2.1: revoking a refresh token SHOULD also invalidate the access tokens
    /// issued under the same authorization grant). Returns whether `token` was known.
    pub fn revoke(&self, token: &str, revocation: Revocation) -> bool {
        let mut tokens = self.lock();
        let Some(record) = tokens.get_mut(token) else {
            return false;
        };
        record.revocation.get_or_insert(revocation);
        if record.kind == TokenKind::Refresh {
            let grant_id = record.grant_id.clone();
            for other in tokens.values_mut().filter(|r| r.grant_id == grant_id) {
                other.revocation.get_or_insert(revocation);
            }
        }
        true
    }

    /// Changes the expiry of a token (tests use it to age tokens without sleeping).
    pub fn set_expires_at(&self, token: &str, expires_at: SystemTime) -> bool {
        match self.lock().get_mut(token) {
            Some(record) => {
                record.expires_at = expires_at;
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, TokenRecord>> {
        // Nothing panics while the lock is held, so a poisoned lock still holds a
        // consistent map.
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fresh opaque token: 32 random bytes, base64url (256 bits, above the 2^-128 guessing
/// bound of RFC 6749 §10.10).
pub fn new_opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Seconds since the Unix epoch, as the integer claims of RFC 7662 §2.2 want them.
pub fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: TokenKind, grant: &str) -> TokenRecord {
        let now = SystemTime::now();
        TokenRecord {
            kind,
            client_id: "c".into(),
            subject: "c".into(),
            scope: "read".into(),
            issued_at: now,
            expires_at: now + Duration::from_secs(60),
            jti: "j".into(),
            grant_id: grant.into(),
            revocation: None,
        }
    }

    #[test]
    fn revoking_a_refresh_token_revokes_its_grant() {
        let store = TokenStore::new();
        store.insert("at".into(), record(TokenKind::Access, "g1"));
        store.insert("rt".into(), record(TokenKind::Refresh, "g1"));
        store.insert("other".into(), record(TokenKind::Access, "g2"));
        let now = SystemTime::now();
        assert!(store.revoke(
            "rt",
            Revocation {
                requested_at: now,
                effective_at: now
            }
        ));
        assert!(store.get("at").is_some_and(|r| r.is_revoked(now)));
        assert!(store.get("other").is_some_and(|r| !r.is_revoked(now)));
        assert!(!store.revoke(
            "nope",
            Revocation {
                requested_at: now,
                effective_at: now
            }
        ));
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_opaque_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_opaque_token());
    }
}
