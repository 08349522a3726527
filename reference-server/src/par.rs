//! Pushed authorization requests (RFC 9126): the requests clients pushed, each under the
//! `request_uri` the PAR endpoint issued, with the client it is bound to and its expiry.
//!
//! Redemption removes the entry under the store's one lock, so a request URI yields one
//! authorization even when two user agents race to use it (§4: "the client MUST only use a
//! request_uri value once"; §7.3: one-time use keeps a leaked URI from being replayed).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::form::Form;
use crate::policy::ParPolicy;
use crate::store::new_opaque_token;

/// §2.2: the example prefix, a URN the AS mints (RFC 9101 §5.2 allows a URN it resolves).
pub const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// One pushed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// §2.2: "The request_uri value MUST be bound to the client that posted the
    /// authorization request."
    pub client_id: String,
    /// The pushed parameters, `client_id` included.
    pub form: Form,
    pub expires_at: Instant,
}

/// Why a request URI cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeem {
    Unknown,
    Expired,
}

/// The pushed requests of one server.
#[derive(Debug, Default)]
pub struct ParStore {
    entries: Mutex<HashMap<String, Pushed>>,
    /// The counter behind `par-request-uri-guessable`.
    counter: AtomicU64,
}

impl ParStore {
    pub fn new() -> ParStore {
        ParStore::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Pushed>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `form` for `client_id` and returns its new request URI.
    pub fn push(&self, policy: &ParPolicy, client_id: &str, form: Form, ttl: Duration) -> String {
        let random = if policy.random_uris {
            // §7.1: 256 random bits, base64url.
            new_opaque_token()
        } else {
            (self.counter.fetch_add(1, Ordering::Relaxed) + 1).to_string()
        };
        let uri = format!("{REQUEST_URI_PREFIX}{random}");
        let now = Instant::now();
        let mut entries = self.lock();
        // Expired entries are evicted here rather than by a timer; a never-expiring server
        // (a fault) keeps them.
        if policy.expiring {
            entries.retain(|_, pushed| pushed.expires_at > now);
        }
        entries.insert(
            uri.clone(),
            Pushed {
                client_id: client_id.to_string(),
                form,
                expires_at: now + ttl,
            },
        );
        uri
    }

    /// Takes the request pushed under `uri`: removed (single use) unless the policy lets
    /// it be reused.
    pub fn redeem(&self, policy: &ParPolicy, uri: &str) -> Result<Pushed, Redeem> {
        let mut entries = self.lock();
        let pushed = if policy.single_use {
            entries.remove(uri)
        } else {
            entries.get(uri).cloned()
        }
        .ok_or(Redeem::Unknown)?;
        if policy.expiring && pushed.expires_at <= Instant::now() {
            return Err(Redeem::Expired);
        }
        Ok(pushed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServerConfig;
    use crate::policy::Policy;

    fn strict() -> ParPolicy {
        Policy::new(&ServerConfig::default()).par
    }

    #[test]
    fn a_request_uri_is_redeemed_once_even_under_concurrency() {
        let store = std::sync::Arc::new(ParStore::new());
        let policy = strict();
        let uri = store.push(&policy, "c", Form::default(), Duration::from_secs(60));
        assert!(uri.starts_with(REQUEST_URI_PREFIX) && uri.len() > REQUEST_URI_PREFIX.len() + 40);
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (store, policy, uri) = (store.clone(), policy.clone(), uri.clone());
                std::thread::spawn(move || store.redeem(&policy, &uri).is_ok())
            })
            .collect();
        let wins = handles
            .into_iter()
            .map(|h| h.join().unwrap_or(false))
            .filter(|won| *won)
            .count();
        assert_eq!(wins, 1);
    }

    #[test]
    fn expired_and_unknown_uris_are_refused() {
        let store = ParStore::new();
        let policy = strict();
        let uri = store.push(&policy, "c", Form::default(), Duration::ZERO);
        assert_eq!(store.redeem(&policy, &uri), Err(Redeem::Expired));
        assert_eq!(store.redeem(&policy, &uri), Err(Redeem::Unknown));
    }
}
