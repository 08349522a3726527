//! The shared state of one running server: configuration, derived URLs, keys and tokens.

use std::sync::Arc;

use crate::config::ServerConfig;
use crate::faults::Fault;
use crate::fixtures::ClientFixture;
use crate::keys::{KeyError, SigningKey};
use crate::layouts::LayoutPaths;
use crate::store::TokenStore;

/// State shared by every handler.
#[derive(Debug)]
pub struct AppState {
    pub config: ServerConfig,
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    pub issuer: String,
    pub paths: LayoutPaths,
    pub store: TokenStore,
    pub keys: Keys,
}

/// The keys published at the JWKS endpoint.
#[derive(Debug)]
pub struct Keys {
    /// The key the server signs with.
    pub signing: std::sync::Arc<SigningKey>,
    /// A second key published under the signing key's `kid`; present only under the
    /// `jwks-duplicate-kid` fault.
    pub duplicate_kid: Option<SigningKey>,
}

/// Handler state.
pub type SharedState = Arc<AppState>;

impl AppState {
    /// Derives URLs from `base_url` and generates the keys.
    pub fn new(config: ServerConfig, base_url: &str) -> Result<AppState, KeyError> {
        let base_url = base_url.trim_end_matches('/').to_string();
        let issuer = config.issuer(&base_url);
        let paths = config.layout.paths(&config.env_id, &config.realm);
        let signing = SigningKey::shared()?;
        let duplicate_kid = if config.has(Fault::JwksDuplicateKid) {
            Some(SigningKey::generate()?)
        } else {
            None
        };
        Ok(AppState {
            config,
            base_url,
            issuer,
            paths,
            store: TokenStore::new(),
            keys: Keys {
                signing,
                duplicate_kid,
            },
        })
    }

    /// Absolute URL of a path of this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Whether `fault` is switched on.
    pub fn has(&self, fault: Fault) -> bool {
        self.config.has(fault)
    }

    /// The registered client `client_id`.
    pub fn client(&self, client_id: &str) -> Option<&ClientFixture> {
        self.config.fixtures.client(client_id)
    }
}
