//! Authorization codes (RFC 6749 §4.1.2, §10.5): what each code was issued for, single use
//! under concurrency, and the memory of redeemed codes that makes a replay detectable.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use crate::pkce::Challenge;

/// Everything a code was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRecord {
    pub client_id: String,
    /// The user's `sub`.
    pub subject: String,
    /// Granted scope, space-separated.
    pub scope: String,
    /// The redirect URI the code was sent to.
    pub redirect_uri: String,
    /// Whether the authorization request carried `redirect_uri` (RFC 6749 §4.1.3).
    pub redirect_uri_sent: bool,
    pub challenge: Option<Challenge>,
    pub nonce: Option<String>,
    pub auth_time: SystemTime,
    pub expires_at: SystemTime,
    /// The grant the code's tokens will belong to; revoked as a whole on replay.
    pub grant_id: String,
}

/// What became of a redemption attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption<E> {
    /// The code was valid and `check` approved: it is used up now.
    Redeemed(CodeRecord),
    /// `check` refused; the code stays redeemable by its rightful client.
    Refused(E),
    /// The code was redeemed before: a replay (RFC 6749 §4.1.2, §10.5).
    Replayed { grant_id: String },
    /// The code expired; it is gone now.
    Expired,
    /// Never issued.
    Unknown,
}

#[derive(Debug, Default)]
struct Codes {
    live: HashMap<String, CodeRecord>,
    /// Redeemed code -> its grant id.
    used: HashMap<String, String>,
    /// Client id -> every challenge issued to it (for the `pkce-verifier-any-flow` fault).
    challenges: HashMap<String, Vec<Challenge>>,
}

/// The code store.
#[derive(Debug, Default)]
pub struct CodeStore {
    codes: Mutex<Codes>,
}

impl CodeStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a new code.
    pub fn insert(&self, code: String, record: CodeRecord) {
        let mut codes = self.lock();
        let now = SystemTime::now();
        codes.live.retain(|_, r| r.expires_at > now);
        if let Some(challenge) = &record.challenge {
            codes
                .challenges
                .entry(record.client_id.clone())
                .or_default()
                .push(challenge.clone());
        }
        codes.live.insert(code, record);
    }

    /// The client a live code was issued to.
    pub fn client_of(&self, code: &str) -> Option<String> {
        self.lock().live.get(code).map(|r| r.client_id.clone())
    }

    /// Redeems `code`: looks it up, runs `check` on it and, if `check` approves, marks it
    /// used, all under one lock, so of any number of simultaneous redemptions exactly one
    /// succeeds. `keep` leaves the code redeemable (the `code-reuse-allowed` fault).
    /// `check` gets the client's challenge history and must not panic.
    pub fn redeem<E>(
        &self,
        code: &str,
        keep: bool,
        check: impl FnOnce(&CodeRecord, &[Challenge]) -> Result<(), E>,
    ) -> Redemption<E> {
        let mut codes = self.lock();
        let Some(record) = codes.live.get(code) else {
            return match codes.used.get(code) {
                Some(grant_id) => Redemption::Replayed {
                    grant_id: grant_id.clone(),
                },
                None => Redemption::Unknown,
            };
        };
        if SystemTime::now() >= record.expires_at {
            codes.live.remove(code);
            return Redemption::Expired;
        }
        let history = codes
            .challenges
            .get(&record.client_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Err(error) = check(record, history) {
            return Redemption::Refused(error);
        }
        let record = record.clone();
        if !keep {
            codes.live.remove(code);
            codes.used.insert(code.to_string(), record.grant_id.clone());
        }
        Redemption::Redeemed(record)
    }

    /// When a live code expires.
    pub fn expires_at(&self, code: &str) -> Option<SystemTime> {
        self.lock().live.get(code).map(|r| r.expires_at)
    }

    /// Changes a code's expiry (tests age codes without sleeping).
    pub fn set_expires_at(&self, code: &str, expires_at: SystemTime) -> bool {
        match self.lock().live.get_mut(code) {
            Some(record) => {
                record.expires_at = expires_at;
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Codes> {
        self.codes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
