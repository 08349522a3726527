//! Macaroon access tokens (PingOne AIC / AM, seed 000): minted for clients registered with
//! `macaroon_tokens`, resolved wherever an access token is presented, and attenuated by
//! their holders.
//!
//! A macaroon's identifier is the key of its record in the token store, so every macaroon
//! derived from one token (by the macaroon endpoint or locally by the client) shares that
//! record: revoking the token revokes them all. Its first-party caveats use AM's JSON syntax
//! ("AM uses a JSON-based syntax that mirrors the existing JWT-based token restrictions"):
//! `{"scope": ...}` ("The resulting scope is the intersection of the original scopes and any
//! scope caveats") and `{"exp": ...}` ("Restricts the expiry time of the token"). As the
//! macaroon paper requires, a caveat the server cannot evaluate is unsatisfied, and a
//! macaroon with an unsatisfied caveat or a broken signature chain is no token at all.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use oauth2spec_vocab::macaroon::Macaroon;
use serde_json::Value;

use crate::state::AppState;
use crate::store::TokenRecord;

/// The root key every macaroon of this process is signed with (the identifier, a random
/// store key, makes each macaroon's chain its own).
fn root_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(rand::random)
}

/// Signatures of macaroons this server minted or restricted: kept and consulted only under
/// the `macaroon-local-attenuation-refused` fault (the strict server needs no record, and
/// would otherwise grow it with every token).
fn issued() -> &'static Mutex<HashSet<[u8; 32]>> {
    static ISSUED: OnceLock<Mutex<HashSet<[u8; 32]>>> = OnceLock::new();
    ISSUED.get_or_init(Mutex::default)
}

fn remember(state: &AppState, m: &Macaroon) {
    if state.policy.macaroon.local_attenuation_accepted {
        return;
    }
    if let Ok(mut set) = issued().lock() {
        set.insert(m.signature);
    }
}

/// A fresh macaroon whose identifier is the store key `id`.
pub fn mint(state: &AppState, id: &str) -> String {
    let m = Macaroon::mint(root_key(), Some(&state.issuer), id.as_bytes());
    remember(state, &m);
    m.serialize()
}

/// `macaroon` with one more first-party caveat, as the macaroon endpoint's `restrict`
/// action adds it. Under `macaroon-restrict-unchanged` the caveat is dropped.
pub fn restrict(state: &AppState, macaroon: &Macaroon, caveat: &[u8]) -> Macaroon {
    if !state.policy.macaroon.restrict_adds_caveat {
        return macaroon.clone();
    }
    let m = macaroon.with_caveat(caveat);
    remember(state, &m);
    m
}

/// The store key and the record a presented access token stands for: the token itself
/// when it is not a macaroon; for a macaroon, its identifier's record with the caveats
/// applied, or nothing when the chain or a caveat fails.
pub fn lookup(state: &AppState, token: &str) -> Option<(String, TokenRecord)> {
    if let Some(record) = state.store.get(token) {
        return Some((token.to_string(), record));
    }
    let m = Macaroon::parse(token).ok()?;
    let policy = &state.policy.macaroon;
    if policy.signature_verified && !m.verify(root_key()) {
        return None;
    }
    if !policy.local_attenuation_accepted
        && !issued().lock().is_ok_and(|set| set.contains(&m.signature))
    {
        return None;
    }
    let id = String::from_utf8(m.identifier.clone()).ok()?;
    let mut record = state.store.get(&id)?;
    if !m.caveats.is_empty() && !policy.revocation_cascades {
        // The fault: derived macaroons outlive the revocation of their token.
        record.revocation = None;
    }
    for caveat in &m.caveats {
        apply(state, &caveat.identifier, &mut record)?;
    }
    Some((id, record))
}

/// Narrows `record` by one first-party caveat; `None` when the caveat is not understood.
fn apply(state: &AppState, caveat: &[u8], record: &mut TokenRecord) -> Option<()> {
    let policy = &state.policy.macaroon;
    let Ok(Value::Object(c)) = serde_json::from_slice::<Value>(caveat) else {
        return policy.unknown_caveats_ignored.then_some(());
    };
    for (name, value) in c {
        match name.as_str() {
            "scope" if policy.scope_enforced => {
                let allowed: Vec<String> = match value {
                    Value::String(s) => s.split(' ').map(str::to_string).collect(),
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    _ => return None,
                };
                record.scope = if policy.scope_intersected {
                    record
                        .scope
                        .split(' ')
                        .filter(|s| allowed.iter().any(|a| a == s))
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    // The fault: the caveat replaces the scope, and so can widen it.
                    allowed.join(" ")
                };
            }
            "scope" => {}
            "exp" if policy.exp_enforced => {
                let exp = UNIX_EPOCH + Duration::from_secs(value.as_u64()?);
                record.expires_at = record.expires_at.min(exp);
            }
            "exp" => {}
            _ if policy.unknown_caveats_ignored => {}
            _ => return None,
        }
    }
    Some(())
}

/// What `inspect` shows of a caveat: its JSON, or its text when it is not JSON.
pub fn caveat_json(identifier: &[u8]) -> Value {
    serde_json::from_slice(identifier)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(identifier).into_owned()))
}
