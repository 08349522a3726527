//! Login sessions: who is logged in at this server's user agent, since when, and which
//! scopes they have consented to per client. Sessions travel in cookies: the HTML login
//! sets `oauth2spec_session`; the AIC REST login's `tokenId` is sent back as
//! `iPlanetDirectoryPro`. Either cookie names a session of the same store.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, HeaderValue, header};

use crate::state::AppState;
use crate::store::new_opaque_token;

/// The cookie set by the HTML login and by a successful pi.flow credential check.
pub const SESSION_COOKIE: &str = "oauth2spec_session";
/// The cookie carrying the AIC REST login's `tokenId`.
pub const AM_COOKIE: &str = "iPlanetDirectoryPro";

/// One logged-in user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The cookie value (for AIC also the `tokenId` and the `csrf` value).
    pub id: String,
    pub username: String,
    /// The user's `sub`.
    pub subject: String,
    /// When the user authenticated (OIDC Core §2 `auth_time`).
    pub auth_time: SystemTime,
    pub expires_at: SystemTime,
    /// Client id -> scopes the user has allowed for it.
    pub consents: HashMap<String, BTreeSet<String>>,
}

impl Session {
    /// Whether the user already allowed `client_id` every one of `scopes`.
    pub fn has_consented(&self, client_id: &str, scopes: &[String]) -> bool {
        self.consents
            .get(client_id)
            .is_some_and(|granted| scopes.iter().all(|s| granted.contains(s)))
    }
}

/// Every session of one server.
#[derive(Debug, Default)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, Session>>,
}

impl SessionStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a session for `username`.
    pub fn create(&self, username: &str, subject: &str, ttl: Duration) -> Session {
        let now = SystemTime::now();
        let session = Session {
            id: new_opaque_token(),
            username: username.to_string(),
            subject: subject.to_string(),
            auth_time: now,
            expires_at: now + ttl,
            consents: HashMap::new(),
        };
        self.lock().insert(session.id.clone(), session.clone());
        session
    }

    /// The unexpired session `id`.
    pub fn get(&self, id: &str) -> Option<Session> {
        let now = SystemTime::now();
        let mut sessions = self.lock();
        match sessions.get(id) {
            Some(session) if now < session.expires_at => Some(session.clone()),
            Some(_) => {
                sessions.remove(id);
                None
            }
            None => None,
        }
    }

    /// Remembers that the user of session `id` allowed `client_id` the `scopes`.
    pub fn record_consent(&self, id: &str, client_id: &str, scopes: &[String]) {
        if let Some(session) = self.lock().get_mut(id) {
            session
                .consents
                .entry(client_id.to_string())
                .or_default()
                .extend(scopes.iter().cloned());
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `name=value` pairs of every `Cookie` header (RFC 6265 §5.4).
pub fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            Some((name.trim().to_string(), value.trim().to_string()))
        })
        .collect()
}

/// The session a request's cookies name, if it is valid.
pub fn from_request(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    cookies(headers)
        .into_iter()
        .filter(|(name, _)| name == SESSION_COOKIE || name == AM_COOKIE)
        .find_map(|(_, value)| state.sessions.get(&value))
}

/// A `Set-Cookie` value for a session cookie: HttpOnly, so scripts cannot read it;
/// SameSite=Lax, so cross-site POSTs do not carry it.
pub fn set_cookie(name: &str, id: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("{name}={id}; Path=/; HttpOnly; SameSite=Lax")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; oauth2spec_session=xyz ;b=="),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("c=3"));
        let all = cookies(&headers);
        assert_eq!(
            all,
            vec![
                ("a".into(), "1".into()),
                ("oauth2spec_session".into(), "xyz".into()),
                ("b".into(), "=".into()),
                ("c".into(), "3".into()),
            ]
        );
    }

    #[test]
    fn sessions_expire_and_record_consent() {
        let store = SessionStore::new();
        let s = store.create("alice", "u-1", Duration::from_secs(60));
        assert!(!s.has_consented("c", &["read".into()]));
        store.record_consent(&s.id, "c", &["read".into()]);
        let s = store.get(&s.id).expect("session");
        assert!(s.has_consented("c", &["read".into()]));
        assert!(!s.has_consented("c", &["read".into(), "write".into()]));
        let gone = store.create("bob", "u-2", Duration::ZERO);
        assert!(store.get(&gone.id).is_none());
    }
}
