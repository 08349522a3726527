//! The authorization interaction: what happens between a checked authorization request
//! and the authorization response, whatever the vendor style the user agent speaks.
//!
//! This module owns the pending authorizations (a checked request waiting for the user to
//! log in and consent, or a PingOne `pi.flow` flow waiting for credentials and the resume
//! call). Each has a random id (the `interaction` form field or the `flowId`), its own
//! anti-CSRF token (RFC 6749 §10.12), and expires after `ServerConfig::interaction_ttl`.
//! [`flow`] owns the steps (start, log in, consent, complete, deny); the three vendor
//! styles (HTML forms in `endpoints::login` and `endpoints::consent`, `pi.flow` JSON in
//! `endpoints::pingone_flow`, AM REST in `endpoints::am_rest`) only translate their wire
//! format into calls of those steps.

pub mod flow;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use crate::authz_request::{Pending, Prompt};
use crate::store::new_opaque_token;

/// How the user is taken through the interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Login and consent pages.
    Html,
    /// PingOne JSON flow: credentials check, then resume; no consent step.
    PiFlow,
}

/// One pending authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub id: String,
    /// The anti-CSRF token of the login and consent forms.
    pub csrf: String,
    pub pending: Pending,
    pub prompt: Prompt,
    pub style: Style,
    /// The session the user logged in with (or arrived with); consent must come from it.
    pub session_id: Option<String>,
    /// pi.flow: the credentials were checked and the flow can be resumed.
    pub completed: bool,
    pub expires_at: SystemTime,
}

/// What a stored interaction waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The user's credentials.
    Login,
    /// The user's decision (HTML style, once logged in).
    Consent,
    /// The resume call that fetches the response (pi.flow style).
    Resume,
}

impl Interaction {
    /// A new interaction for `pending`, expiring after `ttl`.
    pub fn new(pending: Pending, prompt: Prompt, style: Style, ttl: Duration) -> Interaction {
        Interaction {
            id: new_opaque_token(),
            csrf: new_opaque_token(),
            pending,
            prompt,
            style,
            session_id: None,
            completed: false,
            expires_at: SystemTime::now() + ttl,
        }
    }

    /// The step this interaction waits for.
    pub fn awaits(&self) -> Step {
        match (&self.pending, self.style) {
            _ if self.completed => Step::Resume,
            (Pending::Grant(_), Style::Html) if self.session_id.is_some() => Step::Consent,
            _ => Step::Login,
        }
    }
}

/// Every pending authorization of one server.
#[derive(Debug, Default)]
pub struct InteractionStore {
    interactions: Mutex<HashMap<String, Interaction>>,
}

impl InteractionStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&self, interaction: Interaction) {
        let mut map = self.lock();
        let now = SystemTime::now();
        // Forget expired interactions as new ones arrive, so the map stays small.
        map.retain(|_, i| i.expires_at > now);
        map.insert(interaction.id.clone(), interaction);
    }

    /// A copy of the unexpired interaction `id`.
    pub fn get(&self, id: &str) -> Option<Interaction> {
        let now = SystemTime::now();
        self.lock().get(id).filter(|i| i.expires_at > now).cloned()
    }

    /// Applies `f` to the unexpired interaction `id` and returns the updated copy.
    pub fn update(&self, id: &str, f: impl FnOnce(&mut Interaction)) -> Option<Interaction> {
        let now = SystemTime::now();
        let mut map = self.lock();
        let interaction = map.get_mut(id).filter(|i| i.expires_at > now)?;
        f(interaction);
        Some(interaction.clone())
    }

    /// Removes and returns the unexpired interaction `id` if `accept` approves of it; a
    /// decision is taken once only, even when two arrive at the same time.
    pub fn take_if(
        &self,
        id: &str,
        accept: impl FnOnce(&Interaction) -> bool,
    ) -> Option<Interaction> {
        let now = SystemTime::now();
        let mut map = self.lock();
        let ok = map.get(id).is_some_and(|i| i.expires_at > now && accept(i));
        if ok { map.remove(id) } else { None }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Interaction>> {
        self.interactions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
