//! The oauth2spec reference server: a strict, in-memory OAuth 2.0 authorization server that
//! the conformance suites are validated against, with named [`Fault`]s that each break
//! exactly one requirement.
//!
//! This file owns the router (which path of the configured [`Layout`] goes to which handler)
//! and the lifecycle of a spawned server.

pub mod authz_request;
pub mod ciba;
pub mod client_assertion;
pub mod client_auth;
pub mod client_jwt;
pub mod client_registry;
pub mod codes;
pub mod config;
pub mod devices;
pub mod endpoints;
pub mod errors;
pub mod faults;
pub mod fixtures;
pub mod form;
pub mod grants;
pub mod html;
pub mod id_token;
pub mod interaction;
pub mod keys;
pub mod layouts;
pub mod macaroon;
pub mod notifier;
pub mod par;
pub mod pkce;
pub mod policy;
pub mod registration;
pub mod request_object;
pub mod request_uri;
pub mod response_mode;
pub mod scope;
pub mod session;
pub mod state;
pub mod store;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::ServerConfig;
pub use faults::{Fault, UnknownFault};
pub use fixtures::{ClientFixture, Fixtures, FixturesError, UserFixture};
pub use keys::KeyError;
pub use layouts::{Layout, LayoutParams};

use endpoints::{
    am_rest, authorization, ciba as ciba_endpoint, consent, device, device_verification,
    introspection, jwks, login, macaroon as macaroon_endpoint, metadata, par as par_endpoint,
    pingone_flow, registration as registration_endpoint, revocation, test_hooks, token, userinfo,
};
use oauth2spec_vocab::Endpoint;
use state::{AppState, SharedState};

/// Builds the router of a server reachable at `base_url` (e.g. `http://127.0.0.1:41234`, no
/// trailing slash).
///
/// Generating the signing key can only fail inside aws-lc-rs; should it ever happen, the
/// returned router answers every request with 500 `server_error` instead of panicking. Use
/// [`try_build_router`] to see the error.
pub fn build_router(config: ServerConfig, base_url: &str) -> Router {
    try_build_router(config, base_url).unwrap_or_else(|error| {
        tracing::error!(%error, "reference server could not start");
        Router::new().fallback(|| async {
            errors::plain_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error")
        })
    })
}

/// Builds the router, reporting a key-generation failure.
pub fn try_build_router(config: ServerConfig, base_url: &str) -> Result<Router, KeyError> {
    let state: SharedState = Arc::new(AppState::new(config, base_url)?);
    Ok(router(state))
}

/// The routes of the configured layout over `state`.
pub(crate) fn router(state: SharedState) -> Router {
    let paths = state.paths.clone();
    let mut routes: Vec<(String, MethodRouter<SharedState>)> = vec![
        (
            paths.metadata_rfc8414.clone(),
            get(metadata::rfc8414).fallback(metadata::other_method),
        ),
        (
            paths.metadata_oidc.clone(),
            get(metadata::openid_configuration).fallback(metadata::other_method),
        ),
        (
            paths.token.clone(),
            post(token::post).fallback(token::other_method),
        ),
        (
            paths.introspection.clone(),
            post(introspection::post).fallback(introspection::other_method),
        ),
        (
            paths.revocation.clone(),
            post(revocation::post).fallback(revocation::other_method),
        ),
        (
            paths.jwks.clone(),
            get(jwks::get).fallback(jwks::other_method),
        ),
        (
            paths.authorization.clone(),
            get(authorization::get)
                .post(authorization::post)
                .fallback(authorization::other_method),
        ),
        (
            paths.userinfo.clone(),
            get(userinfo::get)
                .post(userinfo::post)
                .fallback(userinfo::other_method),
        ),
        (
            paths.device_authorization.clone(),
            post(device::post).fallback(device::other_method),
        ),
        (
            paths.device_verification.clone(),
            get(device_verification::get).post(device_verification::post),
        ),
        (
            paths.backchannel_authentication.clone(),
            post(ciba_endpoint::post).fallback(ciba_endpoint::other_method),
        ),
        (
            paths.par.clone(),
            post(par_endpoint::post)
                .get(par_endpoint::get)
                .fallback(par_endpoint::other_method),
        ),
        // RFC 7591 §3; an empty path (PingOne) is not routed.
        (
            paths.registration.clone(),
            post(registration_endpoint::post).fallback(registration_endpoint::other_method),
        ),
        (state.page_path("/login"), get(login::get).post(login::post)),
        (
            state.page_path("/consent"),
            get(consent::get).post(consent::post),
        ),
    ];
    match state.config.layout {
        Layout::Pingone => routes.push((
            format!("/{}/as/resume", state.config.env_id.trim_matches('/')),
            get(pingone_flow::resume),
        )),
        Layout::Aic => {
            routes.push((
                am_rest::authenticate_path(&state.config.realm),
                post(am_rest::authenticate),
            ));
            // Seed 000: AM's macaroon endpoint, in its JSON API beside the OAuth 2.0 paths.
            if let Some(path) = Layout::Aic.path(Endpoint::Macaroon, &state.config.layout_params())
            {
                routes.push((path, post(macaroon_endpoint::post)));
            }
        }
        Layout::Generic | Layout::Pingfederate | Layout::Custom => {}
    }
    // Paths come from configuration (env id, realm) and must match literally: no axum 0.7
    // `:param`/`*rest` checks, braces escaped. A path that an odd configuration makes collide
    // with an earlier one is skipped. (axum panics on all three otherwise.)
    let mut router = Router::new().without_v07_checks();
    let mut seen = HashSet::new();
    for (path, handler) in routes {
        if !path.starts_with('/') || !seen.insert(path.clone()) {
            continue;
        }
        router = router.route(&escape_braces(&path), handler);
    }
    if state.config.layout == Layout::Pingone {
        // The one route with a parameter: PingOne's flow resource.
        let env = state.config.env_id.trim_matches('/');
        let flows = format!("/{}/flows/{{flow_id}}", escape_braces(env));
        if !env.is_empty() && !env.contains('/') && seen.insert(format!("/{env}/flows/*")) {
            router = router.route(&flows, post(pingone_flow::check));
        }
    }
    // RFC 7592 §2: the client configuration endpoints under the registration endpoint.
    let registration = &state.paths.registration;
    if registration.starts_with('/') {
        let clients = format!("{}/{{client_id}}", escape_braces(registration));
        router = router.route(
            &clients,
            get(registration_endpoint::read)
                .put(registration_endpoint::update)
                .delete(registration_endpoint::delete)
                .fallback(registration_endpoint::other_client_method),
        );
    }
    if state.config.test_hooks {
        router = router.route(test_hooks::PATH, post(test_hooks::post));
    }
    router.fallback(errors::not_found).with_state(state)
}

fn escape_braces(path: &str) -> String {
    path.replace('{', "{{").replace('}', "}}")
}

/// A server running in a background tokio task. Dropping it stops the server too.
#[derive(Debug)]
pub struct RunningServer {
    /// The bound address.
    pub addr: SocketAddr,
    /// `http://{addr}`, with an unspecified bind address replaced by loopback.
    pub base_url: String,
    /// The issuer identifier of the configured layout.
    pub issuer: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    state: SharedState,
}

impl RunningServer {
    /// How many clients are registered at run time (RFC 7591), fixtures not counted: what
    /// a run that cleans up after itself leaves at zero.
    pub fn registered_client_count(&self) -> usize {
        self.state.clients.registered_count()
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "reference server stopped with an error"),
                Err(error) => tracing::warn!(%error, "reference server task failed"),
            }
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `bind` (port 0 picks a free port), and serves `config` until shut down.
pub async fn spawn(config: ServerConfig, bind: SocketAddr) -> std::io::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let base_url = base_url_for(addr);
    let issuer = config.issuer(&base_url);
    let state: SharedState =
        Arc::new(AppState::new(config, &base_url).map_err(std::io::Error::other)?);
    let router = router(Arc::clone(&state));
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                // A dropped sender also means "stop".
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        base_url,
        issuer,
        shutdown: Some(tx),
        task: Some(task),
        state,
    })
}

/// The base URL clients use to reach `addr`. A wildcard bind address is not a destination,
/// so it is replaced by the loopback address of the same family.
fn base_url_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

#[cfg(test)]
mod tests;
