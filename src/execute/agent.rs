//! The case's user agents: each one an HTTP client with its own cookie jar, as separate
//! browsers would have (`agent = "b"` steps use another, with no session), and the hops of
//! the browser walk in progress. The case runner sends through the agent in use and
//! records what it sent; the agents know nothing of evidence or verdicts.

use std::collections::BTreeMap;
use std::time::Duration;

use super::http::{Http, Request, Response, TransportError};
use crate::target::HttpSettings;

/// The name of the case's first user agent.
pub(super) const FIRST_AGENT: &str = "a";

/// One hop of a browser walk: method, URL and the status it answered.
pub(super) type Hop = (String, String, u16);

pub(super) struct UserAgents {
    settings: HttpSettings,
    /// The agent in use and its client.
    current: String,
    http: Http,
    /// The others, by name, made on first use.
    others: BTreeMap<String, Http>,
    /// Each hop of the current browser walk, cleared when a walk starts.
    pub hops: Vec<Hop>,
}

impl UserAgents {
    pub fn new(settings: HttpSettings) -> Result<UserAgents, TransportError> {
        Ok(UserAgents {
            settings,
            current: FIRST_AGENT.to_string(),
            http: Http::new(settings)?,
            others: BTreeMap::new(),
            hops: Vec::new(),
        })
    }

    /// Switches to the named agent, making it on first use.
    pub fn select(&mut self, name: &str) -> Result<(), String> {
        if self.current == name {
            return Ok(());
        }
        let next = match self.others.remove(name) {
            Some(h) => h,
            None => Http::new(self.settings)
                .map_err(|e| format!("cannot build user agent `{name}`: {e}"))?,
        };
        let previous = std::mem::replace(&mut self.http, next);
        let previous_name = std::mem::replace(&mut self.current, name.to_string());
        self.others.insert(previous_name, previous);
        Ok(())
    }

    /// Sends with the agent in use (its cookies, its connection pool).
    pub async fn send(&self, req: &Request) -> Result<(Response, Duration), TransportError> {
        self.http.send(req).await
    }

    /// Puts a cookie in the jar of the agent in use, as a browser holding a session would.
    pub fn add_cookie(&self, cookie: &str, url: &str) {
        self.http.add_cookie(cookie, url);
    }
}
