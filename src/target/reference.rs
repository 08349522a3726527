//! Targets for the bundled reference server: the default run and the self-tests build
//! them from the same fixtures file the server loads, so roles and secrets agree.

use std::collections::BTreeMap;

use reference_server::ServerConfig;

use super::layout::Layout;
use super::{ClientConfig, HookConfig, HttpSettings, Login, LoginDriver, Target, UserConfig};
use crate::suite::{AuthMethod, Capability, Grant, Role};

/// The layouts the default run exercises, in order.
pub const DEFAULT_LAYOUTS: [Layout; 3] = [Layout::Generic, Layout::Pingone, Layout::Aic];

/// The hooks the reference server performs at `POST /test/hooks/{hook}` in test mode.
pub const REFERENCE_HOOKS: [&str; 5] = [
    "age_code",
    "age_device_code",
    "device_decision",
    "ciba_decision",
    "age_ciba",
];

/// The signing key of a fixture client with a `key_file` (RFC 7523 §2.2 private_key_jwt),
/// resolved against `fixtures/reference/` of this source tree: the built-in fixtures are the
/// repository's, so their keys are too. A key that does not load leaves the role keyless,
/// and its cases then report the missing key instead of passing silently.
fn fixture_key(c: &reference_server::fixtures::ClientFixture) -> Option<super::keys::ClientKey> {
    use crate::execute::jwt::{JwtAlg, SigningKey};
    let file = c.key_file.as_deref()?;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/reference")
        .join(file);
    let key = SigningKey::from_file(&path).ok()?;
    let alg = c
        .key_alg
        .as_deref()
        .and_then(JwtAlg::parse)
        .unwrap_or_else(|| key.kind().default_alg());
    Some(super::keys::ClientKey {
        key,
        alg,
        source: super::keys::KeySource::File(path),
    })
}

/// The target describing a reference server started with `config` at `base_url`.
pub fn target(config: &ServerConfig, base_url: &str) -> Target {
    let mut clients = BTreeMap::new();
    for c in &config.fixtures.clients {
        let (Some(role), Some(auth_method)) =
            (Role::parse(&c.role), AuthMethod::parse(&c.auth_method))
        else {
            continue;
        };
        clients.insert(
            role,
            ClientConfig {
                client_id: c.client_id.clone(),
                client_secret: c.client_secret.clone(),
                auth_method,
                scope: Some(c.scope.clone()).filter(|s| !s.is_empty()),
                redirect_uri: c.redirect_uris.first().cloned(),
                key: fixture_key(c),
                // What the fixture registers, so that the self-tests plan as a target that
                // declares its clients' grants does.
                grants: Some(
                    c.grant_types
                        .iter()
                        .filter_map(|g| Grant::parse(g))
                        .collect(),
                ),
                also: Vec::new(),
            },
        );
    }
    let users = config
        .fixtures
        .users
        .iter()
        .map(|u| {
            (
                u.role.clone(),
                UserConfig {
                    username: u.username.clone(),
                    password: u.password.clone(),
                    login_hint: None,
                    user_code: u.user_code.clone(),
                },
            )
        })
        .collect();
    Target {
        name: format!("reference-{}", config.layout.as_str()),
        base_url: base_url.trim_end_matches('/').to_string(),
        layout: config.layout,
        params: config.layout_params(),
        discovery: true,
        issuer: Some(config.issuer(base_url)),
        endpoints: BTreeMap::new(),
        clients,
        users,
        extra_params: BTreeMap::new(),
        // The fixtures register several redirect URIs for the `second` role; only the
        // target can tell that (RFC 6749 §3.1.2.3 cases need it).
        capabilities: config
            .fixtures
            .clients
            .iter()
            .find(|c| c.role == "second")
            .filter(|c| c.redirect_uris.len() > 1)
            .map(|_| (Capability::SeveralRedirectUris, true))
            .into_iter()
            // The reference server's consent page names its fields as the RFC 6749
            // §10.12 cases post them.
            .chain([(Capability::ConsentFormFields, true)])
            // Its ping and push clients notify the harness listener's shared path when
            // the run started one first and passed its URL.
            .chain([(
                Capability::CibaNotifications,
                config.ciba_notification_endpoint.is_some(),
            )])
            // Macaroon access tokens and their endpoint are the AIC layout's (seed 000).
            .chain([(Capability::MacaroonTokens, config.layout == Layout::Aic)])
            .collect(),
        known_failures: BTreeMap::new(),
        http: HttpSettings::default(),
        // Each layout logs in the way its vendor does (layouts.md).
        login: Login {
            driver: match config.layout {
                Layout::Pingone => LoginDriver::PingoneFlow,
                Layout::Aic => LoginDriver::AmRest,
                Layout::Generic | Layout::Pingfederate | Layout::Custom => LoginDriver::HtmlForm,
            },
            ..Login::default()
        },
        listener: Default::default(),
        // The test-only hooks the server performs itself (reference-server
        // `endpoints::test_hooks`), when it serves them.
        hooks: if config.test_hooks {
            REFERENCE_HOOKS
                .iter()
                .map(|h| (h.to_string(), HookConfig::reference()))
                .collect()
        } else {
            BTreeMap::new()
        },
        // The reference server revokes at once; a second still catches `revoke-delayed`.
        propagation_seconds: 1,
        source_path: None,
    }
}
