//! The shared notification path: one URL, [`NOTIFY_PATH`] under the listener's public URL,
//! for every CIBA ping and push notification of a run, routed to cases by the body's
//! `auth_req_id`.
//!
//! OpenID CIBA Core 1.0 §4 registers one `backchannel_client_notification_endpoint` per
//! client, and §10.2, §10.3 and §12 send every notification there as a JSON POST that
//! carries the `auth_req_id` it is about. So the harness cannot tell cases apart by URL:
//! a case claims the `auth_req_id` it got in its acknowledgement ([`Routes::claim`]) and
//! receives what arrives for it. A notification nobody has claimed yet is held for
//! [`HOLD_FOR`] (at most [`MAX_HELD`] of them, the oldest dropped first), because the
//! server may call before the case has read its acknowledgement; after that it is dropped
//! and reaches nobody.
//!
//! Answers: the claiming case's answer (204 by default, as §10.2 asks of a client); 204 for
//! a held one; 400 for a body that is not a JSON object with a string `auth_req_id`; 405
//! for another method than POST; 413 for a body over [`MAX_NOTIFY_BODY`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::time::Instant;

use super::{BoxState, ListenerError, Prepared, Received, lock};

/// The path of the shared notification endpoint, after the listener's public URL's path.
pub const NOTIFY_PATH: &str = "/ciba/notify";
/// How long an unclaimed notification waits for its case.
pub const HOLD_FOR: Duration = Duration::from_secs(5);
/// Unclaimed notifications kept at once.
pub const MAX_HELD: usize = 64;
/// Largest notification body: a push of tokens (§10.3.1) is a few kilobytes.
pub const MAX_NOTIFY_BODY: usize = 64 * 1024;
/// Longest `auth_req_id` routed; §7.3 only asks for 128 bits of entropy.
const MAX_ROUTE_LEN: usize = 1024;

/// The mailbox queue key of the notifications about `route`. A space never appears in
/// the percent-encoded names of the per-case paths, so the two cannot collide.
pub(super) fn route_key(route: &str) -> String {
    format!("route {route}")
}

/// Claims and held notifications.
#[derive(Default)]
pub(super) struct Routes {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    claims: HashMap<String, Claim>,
    held: VecDeque<Held>,
}

struct Claim {
    state: Arc<BoxState>,
    answer: Option<Prepared>,
}

struct Held {
    route: String,
    received: Received,
    until: Instant,
}

impl Inner {
    fn evict_expired(&mut self, now: Instant) {
        self.held.retain(|h| h.until > now);
    }
}

impl Routes {
    /// `state`'s mailbox receives the notifications about `route` from now on, and those
    /// held for it.
    pub(super) fn claim(
        &self,
        route: &str,
        state: &Arc<BoxState>,
        answer: Option<Prepared>,
    ) -> Result<(), ListenerError> {
        let mine = {
            let mut inner = lock(&self.inner);
            if let Some(c) = inner.claims.get(route)
                && !Arc::ptr_eq(&c.state, state)
            {
                return Err(ListenerError::RouteTaken(route.to_string()));
            }
            inner.claims.insert(
                route.to_string(),
                Claim {
                    state: Arc::clone(state),
                    answer,
                },
            );
            inner.evict_expired(Instant::now());
            let (mine, rest): (VecDeque<Held>, VecDeque<Held>) =
                inner.held.drain(..).partition(|h| h.route == route);
            inner.held = rest;
            mine
        };
        for h in mine {
            state.push(route_key(route), h.received);
        }
        Ok(())
    }

    pub(super) fn claimed_by(&self, route: &str, state: &Arc<BoxState>) -> bool {
        lock(&self.inner)
            .claims
            .get(route)
            .is_some_and(|c| Arc::ptr_eq(&c.state, state))
    }

    /// Drops every claim of `state`'s mailbox (it is closing).
    pub(super) fn release(&self, state: &Arc<BoxState>) {
        lock(&self.inner)
            .claims
            .retain(|_, c| !Arc::ptr_eq(&c.state, state));
    }

    /// Hands `received` to its claimant, or holds it; the answer to send.
    fn route(&self, route: String, received: Received) -> Response {
        let (state, answer) = {
            let mut inner = lock(&self.inner);
            match inner.claims.get(&route) {
                Some(c) => (Arc::clone(&c.state), c.answer.clone()),
                None => {
                    let now = Instant::now();
                    inner.evict_expired(now);
                    if inner.held.len() >= MAX_HELD {
                        inner.held.pop_front();
                    }
                    inner.held.push_back(Held {
                        route: route.clone(),
                        received,
                        until: now + HOLD_FOR,
                    });
                    return StatusCode::NO_CONTENT.into_response();
                }
            }
        };
        state.push(route_key(&route), received);
        match answer {
            Some(a) => a.into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        }
    }

    /// Notifications held now (for tests and debugging).
    pub(super) fn held(&self) -> usize {
        let mut inner = lock(&self.inner);
        inner.evict_expired(Instant::now());
        inner.held.len()
    }
}

/// The `auth_req_id` a notification is about: §10.2 (ping), §10.3.1 (push) and §12 (push
/// error) all carry it as a string member of a JSON object.
fn auth_req_id(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct About {
        auth_req_id: String,
    }
    let about: About = serde_json::from_slice(body).ok()?;
    (!about.auth_req_id.is_empty() && about.auth_req_id.len() <= MAX_ROUTE_LEN)
        .then_some(about.auth_req_id)
}

/// A request to the shared path.
pub(super) async fn handle(routes: &Routes, parts: Parts, body: Body) -> Response {
    if parts.method != Method::POST {
        let mut r = StatusCode::METHOD_NOT_ALLOWED.into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_NOTIFY_BODY as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_NOTIFY_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let Some(route) = auth_req_id(&bytes) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    routes.route(route, Received::of(&parts, &bytes))
}
