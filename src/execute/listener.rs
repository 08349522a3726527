//! The callback listener: the harness's own HTTP server for what the server under test
//! sends or fetches out of band — OpenID CIBA Core 1.0 ping and push notifications
//! (§10.2, §10.3: a POST with `Authorization: Bearer <client_notification_token>` and a
//! JSON body), and documents the client hosts, such as an RFC 9101 §5.2 request object
//! served at its `request_uri`.
//!
//! One listener serves a whole run; it starts only when a case first needs it
//! ([`ListenerHandle::get_or_start`]). Each case opens a [`Mailbox`] with an unguessable
//! path prefix, so it only ever sees requests addressed to it, even while other cases
//! run at the same time; a request to an unknown prefix gets 404 and reaches nobody.
//!
//! Real servers send CIBA notifications to the one `backchannel_client_notification_endpoint`
//! a client registered (CIBA §4), not to a URL per request: the shared path
//! [`routes::NOTIFY_PATH`] takes them all and hands each to the mailbox that claimed its
//! body's `auth_req_id` ([`Mailbox::claim`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), oauth2spec::execute::listener::ListenerError> {
//! use std::time::Duration;
//! use oauth2spec::execute::listener::{Listener, Respond};
//!
//! let listener = Listener::start("127.0.0.1:0".parse().unwrap(), None).await?;
//! let mailbox = listener.mailbox("ciba-ping-delivers");
//! let notify_url = mailbox.url("ping"); // what `{{listener.ping}}` renders to
//! mailbox.expect("ping", Respond { status: 204, ..Respond::default() })?;
//! let document = Respond { status: 200, body: b"eyJ...".to_vec(), ..Respond::default() };
//! mailbox.host("request", document)?; // served at mailbox.url("request") to GET
//! // ... send the request carrying `notify_url` ...
//! if let Some(req) = mailbox.receive("ping", Duration::from_secs(5)).await {
//!     assert_eq!(req.method, "POST");
//!     let _token = req.bearer_token();
//!     let _body = req.json();
//! }
//! // Nothing else may arrive within half a second:
//! assert!(mailbox.expect_none("ping", Duration::from_millis(500)).await.is_none());
//! # Ok(()) }
//! ```

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use tokio::sync::{Notify, oneshot};
use url::Url;

use crate::target::ListenerConfig;
use crate::target::hooks::percent_encode_component;

mod handle;
pub mod routes;

pub use handle::ListenerHandle;

/// Largest request body the listener accepts; larger ones are answered 413 and dropped.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Requests a mailbox keeps until they are received; later ones are answered as usual
/// but not kept (counted in [`Mailbox::dropped`]).
pub const MAX_QUEUED: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    #[error("cannot bind the callback listener to {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot make the listener's public URL: {0}")]
    PublicUrl(String),
    #[error("invalid listener response for `{name}`: {reason}")]
    InvalidResponse { name: String, reason: String },
    /// Two cases waiting for one `auth_req_id`: the server handed the same id out twice.
    #[error("another case already waits for notifications about `{0}`")]
    RouteTaken(String),
}

/// What the listener answers to requests for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Respond {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// 204 No Content: what CIBA Core §10.2 and §10.3 ask a client to answer to a
/// notification, and a harmless answer to any other callback.
impl Default for Respond {
    fn default() -> Self {
        Respond {
            status: 204,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// One request the listener received for a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    /// The full path as sent, prefix included.
    pub path: String,
    pub query: Option<String>,
    /// Lower-case names, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: SystemTime,
}

impl Received {
    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The credential of an `Authorization: Bearer` header (RFC 6750 §2.1; the scheme
    /// is case-insensitive).
    pub fn bearer_token(&self) -> Option<&str> {
        let v = self.header("authorization")?;
        let (scheme, token) = v.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then_some(token.trim())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    fn of(parts: &axum::http::request::Parts, body: &[u8]) -> Received {
        Received {
            method: parts.method.as_str().to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
            at: SystemTime::now(),
        }
    }
}

/// The running listener; it shuts down when dropped.
pub struct Listener {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    public_url: Url,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("local_addr", &self.local_addr)
            .field("public_url", &self.public_url.as_str())
            .finish()
    }
}

struct Shared {
    boxes: Mutex<HashMap<String, Arc<BoxState>>>,
    /// The public URL's path without its trailing slash: a proxy that forwards the
    /// whole path sends it in front of the prefix.
    base_path: String,
    /// Who waits for which notification on the shared path.
    routes: routes::Routes,
    notify_url: String,
}

struct BoxState {
    case_key: String,
    inner: Mutex<BoxInner>,
    notify: Notify,
}

#[derive(Default)]
struct BoxInner {
    /// Keyed by the percent-encoded name, as it appears in the path.
    queues: HashMap<String, VecDeque<Received>>,
    queued: usize,
    dropped: usize,
    responses: HashMap<String, Prepared>,
    hosted: HashMap<String, Prepared>,
}

/// A validated answer.
#[derive(Clone)]
struct Prepared {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl IntoResponse for Prepared {
    fn into_response(self) -> Response {
        (self.status, self.headers, self.body).into_response()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Listener {
    /// Binds `bind` and serves until dropped. `public_url` is how the server under test
    /// reaches the listener; without one, `http://<bound address>/` (loopback when the
    /// bind address is unspecified).
    pub async fn start(
        bind: SocketAddr,
        public_url: Option<Url>,
    ) -> Result<Listener, ListenerError> {
        let bind_err = |source| ListenerError::Bind { addr: bind, source };
        let tcp = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(bind_err)?;
        let local_addr = tcp.local_addr().map_err(bind_err)?;
        let public_url = match public_url {
            Some(u) => u,
            None => default_public_url(local_addr)?,
        };
        let shared = Arc::new(Shared {
            boxes: Mutex::new(HashMap::new()),
            base_path: public_url.path().trim_end_matches('/').to_string(),
            routes: routes::Routes::default(),
            notify_url: notification_url(&public_url),
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(tcp, router).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("callback listener stopped: {e}");
            }
        });
        Ok(Listener {
            shared,
            local_addr,
            public_url,
            shutdown: Some(tx),
        })
    }

    /// Starts a listener as the target file's `[listener]` table says.
    pub async fn from_config(config: &ListenerConfig) -> Result<Listener, ListenerError> {
        Listener::start(config.bind, config.public_url.clone()).await
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// The shared notification URL (public URL + [`routes::NOTIFY_PATH`]): what a ping or
    /// push client registers as its `backchannel_client_notification_endpoint`.
    pub fn notification_url(&self) -> String {
        self.shared.notify_url.clone()
    }

    /// Opens a mailbox for one case under a fresh unguessable prefix. `case_key` only
    /// names it in debug output; two mailboxes of one case are still apart.
    pub fn mailbox(&self, case_key: &str) -> Mailbox {
        let state = Arc::new(BoxState {
            case_key: case_key.to_string(),
            inner: Mutex::new(BoxInner::default()),
            notify: Notify::new(),
        });
        let mut boxes = lock(&self.shared.boxes);
        let prefix = loop {
            // 128 random bits: no case can guess, or collide with, another's prefix.
            let p =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
            if !boxes.contains_key(&p) {
                break p;
            }
        };
        boxes.insert(prefix.clone(), Arc::clone(&state));
        drop(boxes);
        let base = self.public_url.as_str().trim_end_matches('/');
        Mailbox {
            shared: Arc::clone(&self.shared),
            base: format!("{base}/{prefix}"),
            prefix,
            state,
        }
    }

    /// How many notifications on the shared path wait for a claim.
    pub fn held_notifications(&self) -> usize {
        self.shared.routes.held()
    }

    /// How many mailboxes are open.
    pub fn open_mailboxes(&self) -> usize {
        lock(&self.shared.boxes).len()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn notification_url(public_url: &Url) -> String {
    format!(
        "{}{}",
        public_url.as_str().trim_end_matches('/'),
        routes::NOTIFY_PATH
    )
}

fn default_public_url(addr: SocketAddr) -> Result<Url, ListenerError> {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    let text = format!("http://{addr}/");
    Url::parse(&text).map_err(|e| ListenerError::PublicUrl(format!("{text}: {e}")))
}

/// One case's view of the listener: its URLs, its answers and what arrived for it.
/// Dropping it unregisters its prefix; later requests to it get 404.
pub struct Mailbox {
    shared: Arc<Shared>,
    prefix: String,
    /// Public URL + prefix, no trailing slash.
    base: String,
    state: Arc<BoxState>,
}

impl std::fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailbox")
            .field("case", &self.state.case_key)
            .field("url", &self.base)
            .finish()
    }
}

impl Mailbox {
    /// The public URL for `name`: what `{{listener.<name>}}` renders to.
    pub fn url(&self, name: &str) -> String {
        format!("{}/{}", self.base, percent_encode_component(name))
    }

    /// Sets what requests for `name` are answered with (default: 204, no body).
    pub fn expect(&self, name: &str, respond: Respond) -> Result<(), ListenerError> {
        let prepared = prepare(name, &respond)?;
        lock(&self.state.inner)
            .responses
            .insert(percent_encode_component(name), prepared);
        Ok(())
    }

    /// Serves a fixed document to `GET` (and `HEAD`) requests for `name`, e.g. a
    /// request object at its RFC 9101 `request_uri`. The fetches are still delivered.
    pub fn host(&self, name: &str, document: Respond) -> Result<(), ListenerError> {
        let prepared = prepare(name, &document)?;
        lock(&self.state.inner)
            .hosted
            .insert(percent_encode_component(name), prepared);
        Ok(())
    }

    /// The oldest request for `name` not yet received, waiting up to `timeout` for one.
    pub async fn receive(&self, name: &str, timeout: Duration) -> Option<Received> {
        self.receive_key(&percent_encode_component(name), timeout)
            .await
    }

    /// The shared notification URL (see [`Listener::notification_url`]).
    pub fn notification_url(&self) -> String {
        self.shared.notify_url.clone()
    }

    /// Claims the notifications on the shared path whose body's `auth_req_id` is
    /// `route`, answering them with `respond` (default 204). Ones that arrived shortly
    /// before are delivered now. Claiming again only changes the answer.
    pub fn claim(&self, route: &str, respond: Option<Respond>) -> Result<(), ListenerError> {
        let answer = respond.map(|r| prepare(route, &r)).transpose()?;
        self.shared.routes.claim(route, &self.state, answer)
    }

    /// Whether this mailbox has claimed `route`.
    pub fn claimed(&self, route: &str) -> bool {
        self.shared.routes.claimed_by(route, &self.state)
    }

    /// The oldest notification about `route` (claimed first) not yet received, waiting
    /// up to `timeout` for one.
    pub async fn receive_routed(&self, route: &str, timeout: Duration) -> Option<Received> {
        self.receive_key(&routes::route_key(route), timeout).await
    }

    async fn receive_key(&self, key: &str, timeout: Duration) -> Option<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Created before looking, so an arrival in between still wakes us.
            let notified = self.state.notify.notified();
            if let Some(r) = self.take(key) {
                return Some(r);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.take(key);
            }
        }
    }

    /// Waits `window` and returns the first request for `name` if one arrived (or had
    /// already arrived): `None` is the success of an `expect_none` step.
    pub async fn expect_none(&self, name: &str, window: Duration) -> Option<Received> {
        self.receive(name, window).await
    }

    /// The requests for `name` received so far, without waiting.
    pub fn drain(&self, name: &str) -> Vec<Received> {
        let mut inner = lock(&self.state.inner);
        let taken: Vec<Received> = inner
            .queues
            .remove(&percent_encode_component(name))
            .map(Vec::from)
            .unwrap_or_default();
        inner.queued -= taken.len();
        taken
    }

    /// Requests answered but not kept because the queue was full.
    pub fn dropped(&self) -> usize {
        lock(&self.state.inner).dropped
    }

    fn take(&self, key: &str) -> Option<Received> {
        let mut inner = lock(&self.state.inner);
        let r = inner.queues.get_mut(key)?.pop_front()?;
        inner.queued -= 1;
        Some(r)
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        lock(&self.shared.boxes).remove(&self.prefix);
        self.shared.routes.release(&self.state);
    }
}

impl BoxState {
    /// Queues `received` under `key` (up to [`MAX_QUEUED`]) and wakes the waiters.
    fn push(&self, key: String, received: Received) {
        {
            let mut inner = lock(&self.inner);
            if inner.queued < MAX_QUEUED {
                inner.queues.entry(key).or_default().push_back(received);
                inner.queued += 1;
            } else {
                inner.dropped += 1;
            }
        }
        self.notify.notify_waiters();
    }
}

fn prepare(name: &str, r: &Respond) -> Result<Prepared, ListenerError> {
    let invalid = |reason: String| ListenerError::InvalidResponse {
        name: name.to_string(),
        reason,
    };
    let status = StatusCode::from_u16(r.status)
        .map_err(|_| invalid(format!("status {} is not an HTTP status", r.status)))?;
    let mut headers = HeaderMap::new();
    for (k, v) in &r.headers {
        let hn = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| invalid(format!("`{k}` is not a header name")))?;
        let hv = HeaderValue::from_str(v)
            .map_err(|_| invalid(format!("the value of `{k}` is not a header value")))?;
        headers.append(hn, hv);
    }
    Ok(Prepared {
        status,
        headers,
        body: Bytes::from(r.body.clone()),
    })
}

fn plain(status: StatusCode) -> Response {
    status.into_response()
}

/// Every request: find the mailbox by prefix, cap the body, queue, answer.
async fn handle(State(shared): State<Arc<Shared>>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let rest = path.strip_prefix(&shared.base_path).unwrap_or(&path);
    if rest == routes::NOTIFY_PATH {
        return routes::handle(&shared.routes, parts, body).await;
    }
    let Some((prefix, name)) = rest.strip_prefix('/').and_then(|r| r.split_once('/')) else {
        return plain(StatusCode::NOT_FOUND);
    };
    let Some(state) = lock(&shared.boxes).get(prefix).cloned() else {
        return plain(StatusCode::NOT_FOUND);
    };
    let key = percent_encode_component(&percent_decode(name));
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return plain(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE);
    };
    let received = Received::of(&parts, &bytes);
    let answer = {
        let inner = lock(&state.inner);
        let hosted = (parts.method == Method::GET || parts.method == Method::HEAD)
            .then(|| inner.hosted.get(&key).cloned())
            .flatten();
        hosted.or_else(|| inner.responses.get(&key).cloned())
    };
    state.push(key, received);
    match answer {
        Some(a) => a.into_response(),
        None => plain(StatusCode::NO_CONTENT),
    }
}

/// Decodes `%XX` escapes (RFC 3986 §2.1), so `a%5Fb` and `a_b` name the same thing.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
