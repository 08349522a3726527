//! What one reference-server instance is: its layout, its faults, its clients and lifetimes.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::faults::Fault;
use crate::fixtures::Fixtures;
use crate::layouts::{self, Layout, LayoutParams};

/// The default PingOne environment id: uuid-shaped, as PingOne's are.
pub const DEFAULT_ENV_ID: &str = "8f1c2d3e-0000-4000-8000-000000000ef1";
/// The default AIC realm path.
pub const DEFAULT_REALM: &str = "root/realms/alpha";
/// The default access-token lifetime in seconds: short, so that expiry cases finish quickly.
pub const DEFAULT_ACCESS_TOKEN_TTL: u64 = 300;
/// The default authorization-code lifetime in seconds (RFC 6749 §4.1.2: "A maximum
/// authorization code lifetime of 10 minutes is RECOMMENDED"; shorter is better).
pub const DEFAULT_CODE_TTL: u64 = 60;
/// The default refresh-token lifetime in seconds.
pub const DEFAULT_REFRESH_TOKEN_TTL: u64 = 24 * 3600;
/// How long a pending authorization (login, consent, pi.flow) waits for the user.
pub const DEFAULT_INTERACTION_TTL: u64 = 300;
/// How long a login session lasts.
pub const DEFAULT_SESSION_TTL: u64 = 8 * 3600;
/// The default device-grant polling interval (RFC 8628 §3.2 `interval`): short, so that
/// polling cases finish in seconds.
pub const DEFAULT_DEVICE_INTERVAL: Duration = Duration::from_secs(1);
/// The default lifetime of a device code and its user code (RFC 8628 §3.2 `expires_in`):
/// long enough for a login and a few polls, short enough that expiry cases wait little.
pub const DEFAULT_DEVICE_CODE_TTL: Duration = Duration::from_secs(15);
/// The default CIBA polling interval (CIBA §7.3 `interval`): one second, so that suites
/// finish quickly (clients assume 5 s without it).
pub const DEFAULT_CIBA_INTERVAL: Duration = Duration::from_secs(1);
/// The default lifetime of an `auth_req_id` (CIBA §7.3 `expires_in`) when the client sends
/// no `requested_expiry`.
pub const DEFAULT_CIBA_TTL: Duration = Duration::from_secs(60);

/// The default lifetime of a pushed authorization request's `request_uri` (RFC 9126 §2.2
/// `expires_in`; the RFC's example is 60 s): short, so that the expiry case (which waits
/// `expires_in` + 2 s) does not set the pace of the whole run, and long enough for a user
/// agent on a loaded machine to reach the authorization endpoint, which takes milliseconds.
pub const DEFAULT_PAR_TTL: Duration = Duration::from_secs(5);

/// Configuration of one reference-server instance.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub layout: Layout,
    /// Deliberate deviations; empty for the strict server.
    pub faults: BTreeSet<Fault>,
    pub fixtures: Fixtures,
    /// PingOne environment id (used by [`Layout::Pingone`]).
    pub env_id: String,
    /// AIC realm path such as `root/realms/alpha` (used by [`Layout::Aic`]).
    pub realm: String,
    /// Access-token lifetime in seconds for clients without their own `access_token_ttl`.
    pub access_token_ttl: u64,
    /// Authorization-code lifetime in seconds.
    pub code_ttl: u64,
    /// Refresh-token lifetime in seconds.
    pub refresh_token_ttl: u64,
    /// Lifetime in seconds of a pending authorization waiting for login or consent.
    pub interaction_ttl: u64,
    /// Lifetime in seconds of a login session.
    pub session_ttl: u64,
    /// The minimum time between two polls of one device code (RFC 8628 §3.2 `interval`);
    /// fractions of a second are allowed, so that test suites finish fast.
    pub device_interval: Duration,
    /// Lifetime of a device code and its user code (RFC 8628 §3.2 `expires_in`).
    pub device_code_ttl: Duration,
    /// Serve the test-only hook endpoint (`endpoints::test_hooks`): on for the in-process
    /// servers of the harness, off for a standalone server unless asked for.
    pub test_hooks: bool,
    /// CIBA: the minimum time between two polls of one `auth_req_id` (CIBA §7.3, §11).
    /// May be a fraction of a second; the `interval` advertised is rounded up to whole
    /// seconds (at least 1).
    pub ciba_interval: Duration,
    /// CIBA: the lifetime of an `auth_req_id` without `requested_expiry` (CIBA §7.3).
    pub ciba_ttl: Duration,
    /// CIBA: the notification endpoint of every ping and push client, overriding the
    /// fixtures' `backchannel_client_notification_endpoint` (the harness's callback listener,
    /// whose URL is known only at run time).
    pub ciba_notification_endpoint: Option<String>,
    /// RFC 9126 §2.2: the lifetime of a pushed request's `request_uri`.
    pub par_ttl: Duration,
    /// RFC 9126 §5 server metadata `require_pushed_authorization_requests`: every client
    /// must push (off by default; clients can still require it one by one, §6).
    pub require_par: bool,
    /// RFC 9101 §5.2: the origins (`https://client.example`) whose documents the server
    /// fetches as request objects passed by reference. §10.4.1 asks the server to check
    /// that a `request_uri` "points to an expected location" before fetching, so nothing
    /// else is fetched; empty (the default): `request_uri` by reference is not supported.
    /// The default run lists the harness's callback listener, a deployer's decision like
    /// `ciba_notification_endpoint`.
    pub request_uri_origins: Vec<String>,
    /// RFC 7591 §3: the initial access token the registration endpoint requires (protected
    /// registration, §3.2.2 errors as RFC 6750 describes). `None`: open registration.
    pub registration_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            layout: Layout::Generic,
            faults: BTreeSet::new(),
            fixtures: Fixtures::builtin(),
            env_id: DEFAULT_ENV_ID.to_string(),
            realm: DEFAULT_REALM.to_string(),
            access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL,
            code_ttl: DEFAULT_CODE_TTL,
            refresh_token_ttl: DEFAULT_REFRESH_TOKEN_TTL,
            interaction_ttl: DEFAULT_INTERACTION_TTL,
            session_ttl: DEFAULT_SESSION_TTL,
            device_interval: DEFAULT_DEVICE_INTERVAL,
            device_code_ttl: DEFAULT_DEVICE_CODE_TTL,
            test_hooks: true,
            ciba_interval: DEFAULT_CIBA_INTERVAL,
            ciba_ttl: DEFAULT_CIBA_TTL,
            ciba_notification_endpoint: None,
            par_ttl: DEFAULT_PAR_TTL,
            require_par: false,
            request_uri_origins: Vec::new(),
            registration_token: None,
        }
    }
}

impl ServerConfig {
    /// The issuer identifier for a server reachable at `base_url`.
    ///
    /// RFC 8414 §2: no query, no fragment; the issuer never ends in `/` so that the
    /// well-known URLs derived from it are unambiguous (RFC 8414 §3.1).
    pub fn issuer(&self, base_url: &str) -> String {
        format!(
            "{}{}",
            base_url.trim_end_matches('/'),
            layouts::served(self.layout).issuer_path(&self.layout_params())
        )
    }

    /// The layout's parameters: the environment id and the realm.
    pub fn layout_params(&self) -> LayoutParams {
        LayoutParams {
            env_id: self.env_id.clone(),
            realm: self.realm.clone(),
        }
    }

    /// Whether `fault` is switched on.
    pub fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_per_layout() {
        let mut config = ServerConfig::default();
        let base = "http://127.0.0.1:41234";
        assert_eq!(config.issuer(base), base);
        config.layout = Layout::Pingone;
        config.env_id = "env1".into();
        assert_eq!(config.issuer(base), "http://127.0.0.1:41234/env1/as");
        config.layout = Layout::Aic;
        assert_eq!(
            config.issuer(base),
            "http://127.0.0.1:41234/am/oauth2/realms/root/realms/alpha"
        );
        config.layout = Layout::Pingfederate;
        assert_eq!(config.issuer("http://h:1/"), "http://h:1");
    }
}
