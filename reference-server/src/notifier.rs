//! Outgoing CIBA callbacks to a client's `backchannel_client_notification_endpoint`: the
//! ping (OpenID CIBA Core 1.0 §10.2), the push of tokens (§10.3) and of errors (§12).
//!
//! Each is one POST of a JSON body with `Authorization: Bearer <client_notification_token>`
//! (§9: callbacks "must be authenticated using a bearer token"), sent from a background
//! task with a bounded timeout. Redirects are not followed (§10.2, §10.3: the client must
//! not answer with 3xx). Nothing is retried; the outcome is logged, and a failure never
//! reaches the request that caused it.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::state::SharedState;

/// Bound on one callback, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// One callback to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// `ping`, `push` or `push-error`, for the log.
    pub kind: &'static str,
    pub url: String,
    /// The `client_notification_token`; `None` under the faults that drop it.
    pub bearer: Option<String>,
    pub body: Value,
}

/// Why a callback was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("the HTTP client could not be built")]
    NoClient,
    #[error("the request failed: {0}")]
    Request(#[from] reqwest::Error),
}

/// The server's HTTP client for callbacks, built on first use (most servers never send
/// one). Idle connections are not pooled: each test runtime that owns a server may be gone
/// by the time another would reuse them.
#[derive(Debug, Default)]
pub struct Notifier {
    follow_redirects: bool,
    client: OnceLock<Option<reqwest::Client>>,
}

impl Notifier {
    /// A notifier; `follow_redirects` is the `ciba-notification-follows-redirects` fault.
    pub fn new(follow_redirects: bool) -> Notifier {
        Notifier {
            follow_redirects,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> Option<&reqwest::Client> {
        self.client
            .get_or_init(|| {
                let redirect = if self.follow_redirects {
                    reqwest::redirect::Policy::limited(5)
                } else {
                    reqwest::redirect::Policy::none()
                };
                reqwest::Client::builder()
                    .redirect(redirect)
                    .timeout(TIMEOUT)
                    .connect_timeout(TIMEOUT)
                    .pool_max_idle_per_host(0)
                    .build()
                    .map_err(|error| tracing::error!(%error, "no HTTP client for CIBA callbacks"))
                    .ok()
            })
            .as_ref()
    }

    /// Sends `notification` and returns the status the client answered.
    pub async fn send(&self, notification: &Notification) -> Result<u16, NotifyError> {
        let client = self.client().ok_or(NotifyError::NoClient)?;
        let mut request = client
            .post(&notification.url)
            .header("content-type", "application/json")
            .body(notification.body.to_string());
        if let Some(token) = &notification.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.send().await?;
        Ok(response.status().as_u16())
    }
}

/// Sends `notification` from a background task and logs the outcome. Outside a tokio
/// runtime (never the case for a served request) the notification is logged and dropped.
pub fn dispatch(state: &SharedState, notification: Notification) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(
            kind = notification.kind,
            "no runtime: CIBA callback dropped"
        );
        return;
    };
    let state = state.clone();
    runtime.spawn(async move {
        match state.notifier.send(&notification).await {
            Ok(status) => {
                tracing::info!(kind = notification.kind, url = %notification.url, status, "CIBA callback sent");
            }
            Err(error) => {
                tracing::warn!(kind = notification.kind, url = %notification.url, %error, "CIBA callback failed");
            }
        }
    });
}
