//! CIBA authentication requests (OpenID CIBA Core 1.0 §7.3, §10.1, §11): what each
//! `auth_req_id` was issued for, the user's decision, the polling pace (§11 `slow_down`),
//! expiry, and single-use redemption under concurrency.
//!
//! As in [`crate::codes`], a `std::sync::Mutex` is enough: no lock is held across an
//! `.await`, and every check and the update depending on it happen under one lock.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use rand::RngCore as _;

use crate::store::new_opaque_token;

/// The grant type of CIBA §4 and §10.1.
pub const GRANT_TYPE: &str = "urn:openid:params:grant-type:ciba";

/// RFC 8628 §3.5 (which CIBA §11 follows for `slow_down`): "the interval MUST be increased
/// by 5 seconds for this and all subsequent requests".
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// How long an expired request is remembered so that polls get `expired_token` rather
/// than `invalid_grant`.
const EXPIRED_MEMORY: Duration = Duration::from_secs(600);

/// CIBA §5 token delivery modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMode {
    Poll,
    Ping,
    Push,
}

impl DeliveryMode {
    pub fn parse(value: &str) -> Option<DeliveryMode> {
        match value {
            "poll" => Some(DeliveryMode::Poll),
            "ping" => Some(DeliveryMode::Ping),
            "push" => Some(DeliveryMode::Push),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMode::Poll => "poll",
            DeliveryMode::Ping => "ping",
            DeliveryMode::Push => "push",
        }
    }

    /// Every mode, as `backchannel_token_delivery_modes_supported` lists them.
    pub const ALL: [DeliveryMode; 3] = [DeliveryMode::Poll, DeliveryMode::Ping, DeliveryMode::Push];
}

/// What the user decided on the authentication device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    /// Approved at `auth_time`.
    Approved {
        auth_time: SystemTime,
    },
    Denied,
}

/// Everything an `auth_req_id` was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibaRequest {
    pub client_id: String,
    /// The hinted user's `sub`.
    pub subject: String,
    /// Granted scope, space-separated (contains `openid`).
    pub scope: String,
    pub mode: DeliveryMode,
    /// CIBA §7.1 `client_notification_token` (ping and push).
    pub notification_token: Option<String>,
    /// Where ping and push notifications go.
    pub notification_endpoint: Option<String>,
    /// CIBA §7.1 `binding_message`, shown on the authentication device.
    pub binding_message: Option<String>,
    /// The first `acr_values` value: the ID token's `acr` (CIBA §7.1 RECOMMENDED).
    pub acr: Option<String>,
    pub expires_at: SystemTime,
    /// The current minimum time between polls; grows with each `slow_down`.
    pub interval: Duration,
    pub last_poll: Option<Instant>,
    pub decision: Decision,
    /// The grant the request's tokens belong to.
    pub grant_id: String,
}

/// What the rules of §10.1 and §11 enforce for one poll (each is a fault switch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollRules {
    pub bound_to_client: bool,
    pub single_use: bool,
    pub expiry_enforced: bool,
    pub denial_enforced: bool,
}

/// The outcome of one poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// Approved: issue tokens for this request (it is used up now).
    Tokens(Box<CibaRequest>),
    /// §11 authorization_pending.
    Pending,
    /// §11 slow_down: polled sooner than the interval; the interval has grown by 5 s.
    SlowDown,
    /// §11 access_denied.
    Denied,
    /// §11 expired_token.
    Expired,
    /// §10.1.1: redeemed before, "no longer valid" (invalid_grant).
    Used,
    /// §11: "issued to another Client" (invalid_grant).
    ForeignClient,
    /// Never issued (invalid_grant).
    Unknown,
}

/// Why a decision on the authentication device was not recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecideError {
    #[error("no such auth_req_id")]
    Unknown,
    #[error("the request has expired")]
    Expired,
    #[error("the user has already decided")]
    AlreadyDecided,
}

#[derive(Debug, Default)]
struct Requests {
    live: HashMap<String, CibaRequest>,
    used: HashSet<String>,
}

/// The store of CIBA requests.
#[derive(Debug, Default)]
pub struct CibaStore {
    requests: Mutex<Requests>,
}

impl CibaStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a new request under a fresh `auth_req_id` and returns the id.
    ///
    /// CIBA §7.3: the id "MUST contain sufficient entropy (a minimum of 128 bits while 160
    /// bits is recommended)" and uses only URL-safe characters; `strong` ids carry 256
    /// random bits in base64url. `!strong` is the `ciba-auth-req-id-low-entropy` fault.
    pub fn insert(&self, record: CibaRequest, strong: bool) -> String {
        let mut requests = self.lock();
        let now = SystemTime::now();
        requests
            .live
            .retain(|_, r| r.expires_at + EXPIRED_MEMORY > now);
        let id = loop {
            let id = if strong {
                new_opaque_token()
            } else {
                format!("{:08x}", rand::rng().next_u32())
            };
            if !requests.live.contains_key(&id) && !requests.used.contains(&id) {
                break id;
            }
        };
        requests.live.insert(id.clone(), record);
        id
    }

    /// A copy of the live request `id`.
    pub fn get(&self, id: &str) -> Option<CibaRequest> {
        self.lock().live.get(id).cloned()
    }

    /// One poll of `id` by `client_id` (CIBA §10.1, §11), checked and applied under one
    /// lock: of any number of simultaneous redemptions of an approved request exactly one
    /// gets [`Poll::Tokens`].
    pub fn poll(&self, id: &str, client_id: &str, rules: PollRules) -> Poll {
        let mut requests = self.lock();
        let Some(record) = requests.live.get_mut(id) else {
            return if requests.used.contains(id) {
                Poll::Used
            } else {
                Poll::Unknown
            };
        };
        // §10.1: "The OP MUST check whether the auth_req_id was issued to this Client".
        if rules.bound_to_client && record.client_id != client_id {
            return Poll::ForeignClient;
        }
        // §11 expired_token: "The auth_req_id has expired", whether approved or not.
        if rules.expiry_enforced && SystemTime::now() >= record.expires_at {
            return Poll::Expired;
        }
        match record.decision {
            Decision::Denied if rules.denial_enforced => Poll::Denied,
            Decision::Pending => {
                let now = Instant::now();
                let too_soon = record
                    .last_poll
                    .is_some_and(|last| now.duration_since(last) < record.interval);
                record.last_poll = Some(now);
                if too_soon {
                    record.interval += SLOW_DOWN_STEP;
                    Poll::SlowDown
                } else {
                    Poll::Pending
                }
            }
            Decision::Approved { .. } | Decision::Denied => {
                let record = Box::new(record.clone());
                if rules.single_use {
                    requests.live.remove(id);
                    requests.used.insert(id.to_string());
                }
                Poll::Tokens(record)
            }
        }
    }

    /// Records the user's decision. An expired request cannot be decided unless
    /// `expiry_enforced` is off (the `ciba-expired-still-issues` fault).
    pub fn decide(
        &self,
        id: &str,
        approve: bool,
        expiry_enforced: bool,
    ) -> Result<CibaRequest, DecideError> {
        let mut requests = self.lock();
        let record = requests.live.get_mut(id).ok_or(DecideError::Unknown)?;
        let now = SystemTime::now();
        if expiry_enforced && now >= record.expires_at {
            return Err(DecideError::Expired);
        }
        if record.decision != Decision::Pending {
            return Err(DecideError::AlreadyDecided);
        }
        record.decision = if approve {
            Decision::Approved { auth_time: now }
        } else {
            Decision::Denied
        };
        Ok(record.clone())
    }

    /// Makes request `id` `by` older (the `age_ciba` test hook). Returns whether it exists.
    pub fn age(&self, id: &str, by: Duration) -> bool {
        match self.lock().live.get_mut(id) {
            Some(record) => {
                record.expires_at = record
                    .expires_at
                    .checked_sub(by)
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Requests> {
        // Nothing panics while the lock is held, so a poisoned lock holds consistent data.
        self.requests.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whole seconds for `expires_in` and `interval` (CIBA §7.3 "a JSON number with a positive
/// integer value"): rounded up, at least 1.
pub fn whole_seconds(duration: Duration) -> u64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: PollRules = PollRules {
        bound_to_client: true,
        single_use: true,
        expiry_enforced: true,
        denial_enforced: true,
    };

    fn request(client: &str) -> CibaRequest {
        CibaRequest {
            client_id: client.into(),
            subject: "u-1".into(),
            scope: "openid".into(),
            mode: DeliveryMode::Poll,
            notification_token: None,
            notification_endpoint: None,
            binding_message: None,
            acr: None,
            expires_at: SystemTime::now() + Duration::from_secs(60),
            interval: Duration::from_millis(200),
            last_poll: None,
            decision: Decision::Pending,
            grant_id: "g".into(),
        }
    }

    #[test]
    fn pending_slow_down_then_tokens_once() {
        let store = CibaStore::new();
        let id = store.insert(request("a"), true);
        assert_eq!(store.poll(&id, "a", STRICT), Poll::Pending);
        assert_eq!(store.poll(&id, "a", STRICT), Poll::SlowDown);
        assert_eq!(
            store.get(&id).map(|r| r.interval),
            Some(Duration::from_millis(5200))
        );
        assert_eq!(store.poll(&id, "b", STRICT), Poll::ForeignClient);
        assert!(store.decide(&id, true, true).is_ok());
        assert_eq!(
            store.decide(&id, false, true),
            Err(DecideError::AlreadyDecided)
        );
        assert!(matches!(store.poll(&id, "a", STRICT), Poll::Tokens(_)));
        assert_eq!(store.poll(&id, "a", STRICT), Poll::Used);
        assert_eq!(store.poll("nope", "a", STRICT), Poll::Unknown);
    }

    #[test]
    fn expiry_and_denial() {
        let store = CibaStore::new();
        let id = store.insert(request("a"), true);
        assert!(store.decide(&id, false, true).is_ok());
        assert_eq!(store.poll(&id, "a", STRICT), Poll::Denied);
        assert!(store.age(&id, Duration::from_secs(61)));
        assert_eq!(store.poll(&id, "a", STRICT), Poll::Expired);
        assert_eq!(whole_seconds(Duration::from_millis(200)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(2500)), 3);
        assert_eq!(whole_seconds(Duration::from_secs(60)), 60);
    }

    #[test]
    fn weak_ids_are_short_and_strong_ones_are_url_safe() {
        let store = CibaStore::new();
        assert_eq!(store.insert(request("a"), false).len(), 8);
        let strong = store.insert(request("a"), true);
        assert!(strong.len() >= 43);
        assert!(
            strong
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        );
    }
}
