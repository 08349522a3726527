//! In-crate tests: requests through the router with `tower::ServiceExt::oneshot`, plus one
//! real server on port 0.

mod assertions;
mod authorization;
mod ciba;
mod ciba_faults;
mod ciba_support;
mod code_grant;
mod device;
mod device_faults;
mod faults;
mod flow;
mod introspection;
mod login_styles;
mod macaroon;
mod metadata;
mod par;
mod par_faults;
mod refresh;
mod registration;
mod registration_faults;
mod request_uri;
mod response_modes;
mod revocation;
mod server;
mod test_hooks;
mod token;
mod userinfo;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use tower::ServiceExt as _;
use url::form_urlencoded;

use crate::{Fault, Layout, ServerConfig, build_router};

pub const BASE: &str = "http://127.0.0.1:41234";
pub const CONF_ID: &str = "conf-basic";
pub const CONF_SECRET: &str = "s3cr:t+%/=Zq9&x y";
pub const POST_ID: &str = "conf-post";
pub const POST_SECRET: &str = "second-client-secret-7f3a";
pub const RESTRICTED_ID: &str = "conf-restricted";
pub const RESTRICTED_SECRET: &str = "restricted-secret-44d0";
pub const PUBLIC_ID: &str = "public-app";

/// A router for `layout` with `faults`.
pub fn router_with(layout: Layout, faults: &[Fault]) -> Router {
    build_router(config_with(layout, faults), BASE)
}

pub fn config_with(layout: Layout, faults: &[Fault]) -> ServerConfig {
    ServerConfig {
        layout,
        faults: faults.iter().copied().collect(),
        ..ServerConfig::default()
    }
}

/// The strict generic router.
pub fn strict() -> Router {
    router_with(Layout::Generic, &[])
}

/// A collected response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error(&self) -> Option<String> {
        self.json()
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .expect("router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(router: &Router, path: &str) -> Reply {
    let request = Request::builder()
        .method(Method::GET)
        .uri(path)
        .body(Body::empty())
        .expect("request");
    send(router, request).await
}

/// How a test request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    /// `client_secret_basic`, urlencoding both parts as RFC 6749 §2.3.1 wants.
    Basic(&'a str, &'a str),
    /// Basic without urlencoding (a non-conforming client).
    RawBasic(&'a str, &'a str),
    /// `client_secret_post`.
    Post(&'a str, &'a str),
    /// A public client naming itself.
    ClientId(&'a str),
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// POSTs a form with `pairs` to `path`.
pub async fn post_form(
    router: &Router,
    path: &str,
    auth: Auth<'_>,
    pairs: &[(&str, &str)],
) -> Reply {
    let mut pairs: Vec<(&str, &str)> = pairs.to_vec();
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    match auth {
        Auth::None => {}
        Auth::Basic(id, secret) => {
            let credentials = format!("{}:{}", urlencode(id), urlencode(secret));
            builder = builder.header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(credentials)),
            );
        }
        Auth::RawBasic(id, secret) => {
            builder = builder.header(
                header::AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
            );
        }
        Auth::Post(id, secret) => {
            pairs.push(("client_id", id));
            pairs.push(("client_secret", secret));
        }
        Auth::ClientId(id) => pairs.push(("client_id", id)),
    }
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    send(router, builder.body(Body::from(body)).expect("request")).await
}

/// The conf-basic client's credentials.
pub fn conf() -> Auth<'static> {
    Auth::Basic(CONF_ID, CONF_SECRET)
}

/// The conf-post client's credentials.
pub fn second() -> Auth<'static> {
    Auth::Post(POST_ID, POST_SECRET)
}

/// A client_credentials access token for `auth` from the generic token endpoint.
pub async fn token_for(router: &Router, auth: Auth<'_>) -> String {
    let reply = post_form(
        router,
        "/token",
        auth,
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// Introspects `token` as conf-basic.
pub async fn introspect(router: &Router, token: &str) -> Reply {
    post_form(router, "/introspect", conf(), &[("token", token)]).await
}
