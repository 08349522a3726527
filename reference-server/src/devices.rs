//! Device authorizations (RFC 8628): each device code with its user code, client, scope,
//! lifetime, polling interval and the user's decision; the verification pages waiting for a
//! login or a decision; and the count of wrong user codes per session.
//!
//! Every state change happens under one lock, so a device code yields tokens once even when
//! several polls race (§3.5 and RFC 6749's one-grant-one-redemption), and a user code is
//! decided once even when two decisions race.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use rand::Rng as _;

use crate::policy::DevicePolicy;
use crate::store::new_opaque_token;

/// RFC 8628 §6.1: base-20 letters without vowels (no words) and without look-alikes.
pub const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
/// RFC 8628 §6.1: eight characters, ~34.5 bits, shown as `WDJB-MJHT`.
const USER_CODE_LEN: usize = 8;
/// §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests".
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// How long an expired or redeemed device code is remembered, so that late polls get
/// `expired_token` or `invalid_grant` rather than an unknown-code answer.
const GRACE: Duration = Duration::from_secs(600);
/// RFC 8628 §5.1: wrong user codes a session may enter before it is refused.
pub const MAX_WRONG_USER_CODES: u32 = 10;

/// What the user made of a device authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved(Decider),
    Denied(Decider),
    /// Tokens were issued; the device code is used up.
    Redeemed,
}

/// The user who decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    pub subject: String,
    pub auth_time: SystemTime,
}

/// One device authorization (RFC 8628 §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub client_id: String,
    /// Requested (or default) scope, space-separated.
    pub scope: String,
    /// The user code as shown to the user, e.g. `WDJB-MJHT`.
    pub user_code: String,
    pub expires_at: SystemTime,
    /// The current minimum time between polls; grows with each `slow_down`.
    pub interval: Duration,
    pub last_poll: Option<Instant>,
    pub status: Status,
    pub grant_id: String,
}

/// What a poll of the token endpoint found (RFC 8628 §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    Unknown,
    /// Issued to another client.
    OtherClient,
    Expired,
    /// Tokens were issued for it before.
    Redeemed,
    SlowDown,
    /// Polled too fast, under `device-fast-poll-refused`: refused as a bad request.
    TooFastRefused,
    Pending,
    Denied,
    /// Issue tokens for this approval; the record is marked redeemed (single use).
    Issue {
        decider: Decider,
        scope: String,
        grant_id: String,
    },
}

/// Why a user code cannot be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    Unknown,
    Expired,
    AlreadyDecided,
}

/// A user code's authorization, as the verification page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceView {
    pub client_id: String,
    pub scope: String,
    pub user_code: String,
}

/// A verification page waiting for the user: its anti-CSRF token (RFC 6749 §10.12), the
/// session that logged in and the user code entered so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub id: String,
    pub csrf: String,
    pub session_id: Option<String>,
    pub user_code: Option<String>,
    pub expires_at: SystemTime,
}

#[derive(Debug, Default)]
struct Devices {
    /// Device code -> record.
    by_device_code: HashMap<String, DeviceRecord>,
    /// Normalised user code -> device code.
    by_user_code: HashMap<String, String>,
    pages: HashMap<String, Verification>,
    /// Session id -> wrong user codes entered.
    wrong_codes: HashMap<String, u32>,
}

/// The device store of one server.
#[derive(Debug, Default)]
pub struct DeviceStore {
    devices: Mutex<Devices>,
    counter: AtomicU64,
}

/// RFC 8628 §6.1: the entered code with dashes, spaces and other punctuation removed and
/// letters upper-cased, so `wdjb mjht` and `WDJBMJHT` match `WDJB-MJHT`.
pub fn normalise_user_code(entered: &str) -> String {
    entered
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn new_user_code() -> String {
    let mut rng = rand::rng();
    (0..USER_CODE_LEN)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

/// `WDJBMJHT` -> `WDJB-MJHT`.
fn display(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a}-{b}")
}

impl DeviceStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a device authorization; returns the device code and the record.
    pub fn create(
        &self,
        policy: &DevicePolicy,
        client_id: &str,
        scope: &str,
        ttl: Duration,
        interval: Duration,
    ) -> (String, DeviceRecord) {
        let device_code = if policy.random_device_code {
            // §5.2: 256 random bits.
            new_opaque_token()
        } else {
            format!("dc-{}", self.counter.fetch_add(1, Ordering::Relaxed) + 1000)
        };
        let now = SystemTime::now();
        let mut devices = self.lock();
        devices.evict(now);
        let user_code = loop {
            let code = new_user_code();
            if !devices.by_user_code.contains_key(&code) {
                break code;
            }
        };
        let record = DeviceRecord {
            client_id: client_id.to_string(),
            scope: scope.to_string(),
            user_code: display(&user_code),
            expires_at: now + ttl,
            interval,
            last_poll: None,
            status: Status::Pending,
            grant_id: uuid::Uuid::new_v4().to_string(),
        };
        devices.by_user_code.insert(user_code, device_code.clone());
        devices
            .by_device_code
            .insert(device_code.clone(), record.clone());
        (device_code, record)
    }

    /// The client a device code was issued to.
    pub fn client_of(&self, device_code: &str) -> Option<String> {
        self.lock()
            .by_device_code
            .get(device_code)
            .map(|r| r.client_id.clone())
    }

    /// A poll by `client_id` (RFC 8628 §3.4, §3.5), decided and applied under the lock.
    pub fn poll(&self, policy: &DevicePolicy, device_code: &str, client_id: &str) -> Poll {
        let now = SystemTime::now();
        let mut devices = self.lock();
        let Some(record) = devices.by_device_code.get_mut(device_code) else {
            return Poll::Unknown;
        };
        if record.client_id != client_id && policy.bound_to_client {
            return Poll::OtherClient;
        }
        if now >= record.expires_at && policy.expiry_enforced {
            return Poll::Expired;
        }
        let decider = match &record.status {
            Status::Redeemed => return Poll::Redeemed,
            Status::Denied(_) if policy.denial_final => return Poll::Denied,
            Status::Approved(decider) | Status::Denied(decider) => decider.clone(),
            Status::Pending => {
                // §3.5: slow_down is "a variant of authorization_pending", so only a
                // pending authorization is rate-limited.
                let polled = Instant::now();
                let too_fast = record
                    .last_poll
                    .is_some_and(|last| polled.duration_since(last) < record.interval);
                record.last_poll = Some(polled);
                if too_fast && !policy.slow_down {
                    return Poll::TooFastRefused;
                }
                if too_fast {
                    record.interval += SLOW_DOWN_STEP;
                    return Poll::SlowDown;
                }
                return Poll::Pending;
            }
        };
        if policy.single_use {
            record.status = Status::Redeemed;
        }
        Poll::Issue {
            decider,
            scope: record.scope.clone(),
            grant_id: record.grant_id.clone(),
        }
    }

    /// The authorization an entered user code belongs to, if the user may still decide it.
    pub fn find_user_code(
        &self,
        policy: &DevicePolicy,
        entered: &str,
    ) -> Result<DeviceView, CodeRefused> {
        let devices = self.lock();
        let record = devices.decidable(policy, entered)?;
        Ok(view(record))
    }

    /// Records the user's decision on the user code `entered`, once.
    pub fn decide(
        &self,
        policy: &DevicePolicy,
        entered: &str,
        status: Status,
    ) -> Result<DeviceView, CodeRefused> {
        let mut devices = self.lock();
        devices.decidable(policy, entered)?;
        let device_code = devices
            .by_user_code
            .get(&normalise_user_code(entered))
            .cloned()
            .ok_or(CodeRefused::Unknown)?;
        let record = devices
            .by_device_code
            .get_mut(&device_code)
            .ok_or(CodeRefused::Unknown)?;
        // A redeemed code stays redeemed even where decisions may be repeated.
        if record.status != Status::Redeemed {
            record.status = status;
        }
        Ok(view(record))
    }

    /// Makes a device code `by` older (the `age_device_code` test hook).
    pub fn age(&self, device_code: &str, by: Duration) -> bool {
        let mut devices = self.lock();
        let Some(record) = devices.by_device_code.get_mut(device_code) else {
            return false;
        };
        match record.expires_at.checked_sub(by) {
            Some(t) => {
                record.expires_at = t;
                true
            }
            None => false,
        }
    }

    /// Stores a verification page.
    pub fn insert_page(&self, page: Verification) {
        let now = SystemTime::now();
        let mut devices = self.lock();
        devices.pages.retain(|_, p| p.expires_at > now);
        devices.pages.insert(page.id.clone(), page);
    }

    /// The unexpired verification page `id`.
    pub fn page(&self, id: &str) -> Option<Verification> {
        let now = SystemTime::now();
        self.lock()
            .pages
            .get(id)
            .filter(|p| p.expires_at > now)
            .cloned()
    }

    /// Applies `f` to the unexpired page `id` and returns the updated copy.
    pub fn update_page(&self, id: &str, f: impl FnOnce(&mut Verification)) -> Option<Verification> {
        let now = SystemTime::now();
        let mut devices = self.lock();
        let page = devices.pages.get_mut(id).filter(|p| p.expires_at > now)?;
        f(page);
        Some(page.clone())
    }

    /// Forgets page `id` (its decision is taken).
    pub fn remove_page(&self, id: &str) {
        self.lock().pages.remove(id);
    }

    /// Counts a wrong user code for `session_id`; the count so far.
    pub fn wrong_code(&self, session_id: &str) -> u32 {
        let mut devices = self.lock();
        let count = devices
            .wrong_codes
            .entry(session_id.to_string())
            .or_insert(0);
        *count += 1;
        *count
    }

    /// Whether `session_id` has entered too many wrong user codes (RFC 8628 §5.1).
    pub fn throttled(&self, session_id: &str) -> bool {
        self.lock()
            .wrong_codes
            .get(session_id)
            .is_some_and(|n| *n >= MAX_WRONG_USER_CODES)
    }

    fn lock(&self) -> MutexGuard<'_, Devices> {
        // Nothing panics under the lock, so a poisoned lock still holds consistent maps.
        self.devices.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Devices {
    /// Forgets device codes that expired more than [`GRACE`] ago.
    fn evict(&mut self, now: SystemTime) {
        self.by_device_code
            .retain(|_, r| r.expires_at.checked_add(GRACE).is_none_or(|t| t > now));
        let live = &self.by_device_code;
        self.by_user_code.retain(|_, d| live.contains_key(d));
    }

    /// The record of `entered` if the user may decide it now.
    fn decidable(
        &self,
        policy: &DevicePolicy,
        entered: &str,
    ) -> Result<&DeviceRecord, CodeRefused> {
        let record = self
            .by_user_code
            .get(&normalise_user_code(entered))
            .and_then(|d| self.by_device_code.get(d))
            .ok_or(CodeRefused::Unknown)?;
        if SystemTime::now() >= record.expires_at && policy.user_code_expiry_enforced {
            return Err(CodeRefused::Expired);
        }
        if record.status != Status::Pending && policy.user_code_single_use {
            return Err(CodeRefused::AlreadyDecided);
        }
        Ok(record)
    }
}

fn view(record: &DeviceRecord) -> DeviceView {
    DeviceView {
        client_id: record.client_id.clone(),
        scope: record.scope.clone(),
        user_code: record.user_code.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_normalise_and_use_the_alphabet() {
        assert_eq!(normalise_user_code(" wdjb-mjht "), "WDJBMJHT");
        assert_eq!(normalise_user_code("WDJB MJHT"), "WDJBMJHT");
        let code = new_user_code();
        assert_eq!(code.len(), USER_CODE_LEN);
        assert!(code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)));
        assert_eq!(display("WDJBMJHT"), "WDJB-MJHT");
    }
}
