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
    /// When the token stops working: the same instant (RFC 7009 §2.1 "immediately"; kept
    /// apart so that a propagation delay could be modelled again).
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
    /// A refresh token replaced by a newer one (RFC 9700 §4.14.2 rotation). Presenting it
    /// again is a replay that revokes the whole grant.
    pub rotated: bool,
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

    /// Not expired, not revoked and not rotated out: the token may be used.
    pub fn is_usable(&self, now: SystemTime) -> bool {
        !self.is_expired(now) && !self.is_revoked(now) && !self.rotated
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
    /// Grants revoked as a whole (a replayed code): a token issued for one of them later,
    /// by a request that raced the replay, is born revoked. Locked before `tokens`.
    revoked_grants: Mutex<HashMap<String, Revocation>>,
}

impl TokenStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a new token.
    pub fn insert(&self, token: String, mut record: TokenRecord) {
        let grants = self.grants();
        if let Some(revocation) = grants.get(&record.grant_id) {
            record.revocation.get_or_insert(*revocation);
        }
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

    /// Marks `token` revoked without touching any other token of its grant (the
    /// `revoke-refresh-no-cascade` fault). Returns whether `token` was known.
    pub fn revoke_single(&self, token: &str, revocation: Revocation) -> bool {
        match self.lock().get_mut(token) {
            Some(record) => {
                record.revocation.get_or_insert(revocation);
                true
            }
            None => false,
        }
    }

    /// Revokes every token of `grant_id`: RFC 6749 §4.1.2 (a replayed code) and RFC 9700
    /// §4.14.2 (a replayed refresh token). Returns how many tokens were affected.
    pub fn revoke_grant(&self, grant_id: &str, revocation: Revocation) -> usize {
        let mut grants = self.grants();
        grants.entry(grant_id.to_string()).or_insert(revocation);
        let mut count = 0;
        for record in self.lock().values_mut().filter(|r| r.grant_id == grant_id) {
            record.revocation.get_or_insert(revocation);
            count += 1;
        }
        count
    }

    /// Runs `f` with the whole map under the lock, so that a check and the update that
    /// depends on it (refresh-token rotation) happen atomically. `f` must not panic.
    pub fn transaction<R>(&self, f: impl FnOnce(&mut HashMap<String, TokenRecord>) -> R) -> R {
        f(&mut self.lock())
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

    fn grants(&self) -> MutexGuard<'_, HashMap<String, Revocation>> {
        self.revoked_grants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

/// A revocation that takes effect now.
pub fn revocation_now() -> Revocation {
    let now = SystemTime::now();
    Revocation {
        requested_at: now,
        effective_at: now,
    }
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
            rotated: false,
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
