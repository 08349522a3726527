//! The shared state of one running server: configuration, the policy derived from its
//! faults, derived URLs, keys and tokens.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::ciba::CibaStore;
use crate::client_assertion::{AssertionContext, JtiCache};
use crate::client_registry::ClientRegistry;
use crate::codes::CodeStore;
use crate::config::ServerConfig;
use crate::devices::DeviceStore;
use crate::fixtures::ClientFixture;
use crate::interaction::InteractionStore;
use crate::keys::{KeyError, SigningKey};
use crate::layouts::{self, LayoutPaths};
use crate::notifier::Notifier;
use crate::par::ParStore;
use crate::policy::Policy;
use crate::session::SessionStore;
use crate::store::TokenStore;

/// State shared by every handler.
#[derive(Debug)]
pub struct AppState {
    pub config: ServerConfig,
    /// What the server does, computed once from the configuration's faults.
    pub policy: Policy,
    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    pub issuer: String,
    pub paths: LayoutPaths,
    pub store: TokenStore,
    pub keys: Keys,
    /// Authorization codes, live and redeemed.
    pub codes: CodeStore,
    /// Login sessions.
    pub sessions: SessionStore,
    /// Pending authorizations (HTML interactions and pi.flow flows).
    pub interactions: InteractionStore,
    /// Device authorizations (RFC 8628).
    pub devices: DeviceStore,
    /// The counter behind the `code-sequential` fault's codes.
    pub code_counter: AtomicU64,
    /// CIBA authentication requests.
    pub ciba: CibaStore,
    /// The HTTP client of CIBA ping and push callbacks.
    pub notifier: Notifier,
    /// Pushed authorization requests (RFC 9126).
    pub par: ParStore,
    /// The `jti` values of client assertions already used (OIDC Core §9 single use).
    pub assertion_jtis: JtiCache,
    /// The fixture clients and those registered at run time (RFC 7591).
    pub clients: ClientRegistry,
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
        let paths = LayoutPaths::new(config.layout, &config.layout_params());
        let policy = Policy::new(&config);
        let notifier = Notifier::new(!policy.ciba.redirects_refused);
        let signing = SigningKey::shared()?;
        let duplicate_kid = if !policy.jwks.unique_kids {
            Some(SigningKey::generate()?)
        } else {
            None
        };
        let clients = ClientRegistry::new(&config.fixtures);
        Ok(AppState {
            clients,
            config,
            policy,
            base_url,
            issuer,
            paths,
            store: TokenStore::new(),
            keys: Keys {
                signing,
                duplicate_kid,
            },
            codes: CodeStore::new(),
            sessions: SessionStore::new(),
            interactions: InteractionStore::new(),
            devices: DeviceStore::new(),
            code_counter: AtomicU64::new(1000),
            ciba: CibaStore::new(),
            notifier,
            par: ParStore::new(),
            assertion_jtis: JtiCache::new(),
        })
    }

    /// Absolute URL of a path of this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The path of a page under the layout's prefix (the issuer path): `/login` in the
    /// generic layout, `/{env}/as/login` for PingOne.
    pub fn page_path(&self, page: &str) -> String {
        let layout = layouts::served(self.config.layout);
        format!("{}{page}", layout.issuer_path(&self.config.layout_params()))
    }

    /// How a client assertion sent to the endpoint at `endpoint_path` is checked: `aud`
    /// may be the issuer, the token endpoint URL or that endpoint's URL (see
    /// [`crate::client_assertion`] for why all three).
    pub fn assertion_context(&self, endpoint_path: &str) -> AssertionContext<'_> {
        AssertionContext {
            policy: self.policy.assertion,
            audiences: vec![
                self.issuer.clone(),
                self.url(&self.paths.token),
                self.url(endpoint_path),
            ],
            replay: &self.assertion_jtis,
        }
    }

    /// The client `client_id`: a fixture client or one registered at run time.
    pub fn client(&self, client_id: &str) -> Option<Arc<ClientFixture>> {
        self.clients.client(client_id)
    }
}
