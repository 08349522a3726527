//! Helpers of the CIBA tests: a server with a short interval and a notification endpoint,
//! its requests and hooks, and a local callback receiver.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::IntoResponse as _;
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};

use super::*;
use crate::layouts::LayoutPaths;

pub const POLL: Auth<'static> = Auth::Basic("ciba-poll", "ciba-poll-secret-5b81");
pub const PING: Auth<'static> = Auth::Post("ciba-ping", "ciba-ping-secret-0d3e");
pub const PUSH: Auth<'static> = Auth::Basic("ciba-push", "ciba-push-secret-9a27");
pub const NOTIFY_TOKEN: &str = "8d67dc78-7faa-4d41-aabd-67707b374255";

/// A CIBA test server and its paths.
pub struct Ciba {
    pub router: Router,
    pub paths: LayoutPaths,
}

/// A server of `layout` with `faults`, a 200 ms interval, and `endpoint` as every
/// ping/push client's notification endpoint.
pub fn ciba_server(layout: Layout, faults: &[Fault], endpoint: Option<&str>) -> Ciba {
    let config = ServerConfig {
        ciba_interval: Duration::from_millis(200),
        ciba_notification_endpoint: endpoint.map(str::to_string),
        ..config_with(layout, faults)
    };
    let paths = LayoutPaths::new(layout, &config.layout_params());
    Ciba {
        router: build_router(config, BASE),
        paths,
    }
}

impl Ciba {
    pub async fn bc(&self, auth: Auth<'_>, pairs: &[(&str, &str)]) -> Reply {
        post_form(
            &self.router,
            &self.paths.backchannel_authentication,
            auth,
            pairs,
        )
        .await
    }

    /// Starts a request for alice as the client `auth`, with the extra `pairs`.
    pub async fn start(&self, auth: Auth<'_>, pairs: &[(&str, &str)]) -> String {
        let mut all = vec![("scope", "openid read"), ("login_hint", "alice")];
        if !matches!(auth, Auth::Basic("ciba-poll", _)) {
            all.push(("client_notification_token", NOTIFY_TOKEN));
        }
        all.extend_from_slice(pairs);
        let reply = self.bc(auth, &all).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        reply.json()["auth_req_id"]
            .as_str()
            .expect("auth_req_id")
            .to_string()
    }

    pub async fn poll(&self, auth: Auth<'_>, id: &str) -> Reply {
        post_form(
            &self.router,
            &self.paths.token,
            auth,
            &[("grant_type", crate::ciba::GRANT_TYPE), ("auth_req_id", id)],
        )
        .await
    }

    pub async fn hook(&self, name: &str, body: Value) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("/test/hooks/{name}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        send(&self.router, request).await
    }

    pub async fn decide(&self, id: &str, action: &str) -> Reply {
        self.hook(
            "ciba_decision",
            json!({"auth_req_id": id, "action": action}),
        )
        .await
    }
}

/// One callback the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
}

/// A local notification endpoint: `{url}/notify` answers 204, `{url}/redirect` answers 307
/// to `{url}/notify`.
pub struct Receiver {
    pub url: String,
    rx: Mutex<mpsc::UnboundedReceiver<Received>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Arc<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = mpsc::unbounded_channel();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
                let tx = tx.clone();
                async move {
                    let text = |name| {
                        headers
                            .get(name)
                            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
                            .map(str::to_string)
                    };
                    let _ = tx.send(Received {
                        path: uri.path().to_string(),
                        authorization: text(header::AUTHORIZATION),
                        content_type: text(header::CONTENT_TYPE),
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                    });
                    if uri.path() == "/redirect" {
                        (
                            StatusCode::TEMPORARY_REDIRECT,
                            [(header::LOCATION, "/notify")],
                        )
                            .into_response()
                    } else {
                        StatusCode::NO_CONTENT.into_response()
                    }
                }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Arc::new(Receiver {
            url,
            rx: Mutex::new(rx),
            _task: task,
        })
    }

    pub fn notify_url(&self) -> String {
        format!("{}/notify", self.url)
    }

    /// The next callback within `wait`.
    pub async fn next(&self, wait: Duration) -> Option<Received> {
        let mut rx = self.rx.lock().await;
        tokio::time::timeout(wait, rx.recv()).await.ok().flatten()
    }
}
