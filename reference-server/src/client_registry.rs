//! The clients one server knows: the fixture clients, fixed at start-up, and the clients
//! registered at run time through the RFC 7591 registration endpoint, which RFC 7592's
//! client configuration endpoint may read, replace and delete.
//!
//! Every lookup hands out an [`Arc`] of the client as it is at that moment, so a request
//! that started before an update or a deletion finishes with the client it authenticated.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::fixtures::{ClientFixture, Fixtures};

/// One client registered at run time.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The client as the other endpoints see it.
    pub client: Arc<ClientFixture>,
    /// Every registered metadata value, defaults included, as RFC 7591 §3.2.1 returns them
    /// (without `client_id`, the secret and the RFC 7592 management fields).
    pub metadata: Map<String, Value>,
    /// The names of the metadata values the server filled in itself (RFC 7591 §2 defaults).
    pub defaulted: Vec<&'static str>,
    /// RFC 7591 §3.2.1 `client_id_issued_at`.
    pub issued_at: u64,
    /// RFC 7592 §3 `registration_access_token`. Kept in clear because App. A.1 wants the
    /// current token in every read response.
    pub access_token: String,
}

impl Registration {
    /// RFC 7592 §2: the registration access token presented is this client's, compared in
    /// constant time (digests, so neither content nor length leaks).
    pub fn token_matches(&self, presented: &str) -> bool {
        Sha256::digest(presented.as_bytes())
            .ct_eq(&Sha256::digest(self.access_token.as_bytes()))
            .into()
    }
}

/// The fixture clients and the registered ones.
#[derive(Debug)]
pub struct ClientRegistry {
    fixtures: Vec<Arc<ClientFixture>>,
    registered: RwLock<HashMap<String, Registration>>,
    /// The counter behind the `registration-weak-rat` fault's tokens.
    serial: AtomicU64,
}

impl ClientRegistry {
    /// A registry holding `fixtures`' clients and nothing registered yet.
    pub fn new(fixtures: &Fixtures) -> ClientRegistry {
        ClientRegistry {
            fixtures: fixtures.clients.iter().cloned().map(Arc::new).collect(),
            registered: RwLock::new(HashMap::new()),
            serial: AtomicU64::new(1),
        }
    }

    /// The client `client_id`: a fixture client, else a registered one.
    pub fn client(&self, client_id: &str) -> Option<Arc<ClientFixture>> {
        self.fixtures
            .iter()
            .find(|c| c.client_id == client_id)
            .cloned()
            .or_else(|| self.read().get(client_id).map(|r| Arc::clone(&r.client)))
    }

    /// Whether `client_id` is taken, by a fixture or a registered client.
    pub fn contains(&self, client_id: &str) -> bool {
        self.client(client_id).is_some()
    }

    /// A copy of the registration of `client_id` (fixture clients have none).
    pub fn registration(&self, client_id: &str) -> Option<Registration> {
        self.read().get(client_id).cloned()
    }

    /// Adds a registration, or replaces the one with the same `client_id`.
    pub fn put(&self, registration: Registration) {
        self.write()
            .insert(registration.client.client_id.clone(), registration);
    }

    /// Forgets the registered client `client_id`; fixture clients cannot be removed.
    pub fn remove(&self, client_id: &str) -> Option<Registration> {
        self.write().remove(client_id)
    }

    /// How many clients are registered at run time (fixtures not counted).
    pub fn registered_count(&self) -> usize {
        self.read().len()
    }

    /// The next number of a counter (the `registration-weak-rat` fault's tokens).
    pub fn next_serial(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }

    /// A registered client whose registration access token is `presented`.
    pub fn by_access_token(&self, presented: &str) -> Option<Registration> {
        self.read()
            .values()
            .find(|r| r.token_matches(presented))
            .cloned()
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<String, Registration>> {
        // Nothing panics while the lock is held, so a poisoned lock holds a consistent map.
        self.registered
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<String, Registration>> {
        self.registered
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
