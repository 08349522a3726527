//! WHO is tested: the target file, vendor path layouts, and the resolution of logical
//! endpoints and capabilities from the file, the layout and discovery metadata.
//!
//! Discovery documents are fetched by `execute/` (the only module with network I/O);
//! this module only interprets them.

pub mod clients;
pub mod file;
pub mod hooks;
pub mod keys;
pub mod layout;
pub mod reference;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value;

pub use hooks::{HookConfig, ListenerConfig};
pub use layout::{Layout, LayoutParams};

use crate::suite::{AuthMethod, Capability, Endpoint, Grant, Role};

/// A target as its file (or the default run) describes it.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// No trailing slash.
    pub base_url: String,
    pub layout: Layout,
    pub params: LayoutParams,
    pub discovery: bool,
    pub issuer: Option<String>,
    /// Overrides: absolute URLs, or paths relative to `base_url`.
    pub endpoints: BTreeMap<Endpoint, String>,
    pub clients: BTreeMap<Role, ClientConfig>,
    pub users: BTreeMap<String, UserConfig>,
    pub extra_params: BTreeMap<Endpoint, Vec<(String, String)>>,
    /// Declared (`true`) or denied (`false`); the rest come from discovery.
    pub capabilities: BTreeMap<Capability, bool>,
    /// Case id -> (reason, line in the target file).
    pub known_failures: BTreeMap<String, (String, usize)>,
    pub http: HttpSettings,
    /// How the user agent logs a user in at the authorization endpoint.
    pub login: Login,
    /// The `[listener]` table: where the callback listener binds and is reached.
    pub listener: ListenerConfig,
    /// The `[hooks.<name>]` tables: who performs each out-of-band action.
    pub hooks: BTreeMap<String, HookConfig>,
    /// RFC 7009 §2.1 allows "a propagation delay" before a revocation takes effect:
    /// how long cases wait for (or poll for) an effect that may propagate.
    pub propagation_seconds: u64,
    pub source_path: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub auth_method: AuthMethod,
    pub scope: Option<String>,
    pub redirect_uri: Option<String>,
    /// The key its JWT assertions are signed with (`key_file` / `key_alg` / `key_id`).
    pub key: Option<keys::ClientKey>,
    /// The grant types it is registered for (`grants`); `None`: not said, so assumed to
    /// serve every grant.
    pub grants: Option<BTreeSet<Grant>>,
    /// `[[clients.<role>.also]]`: other clients playing the role for other grants
    /// (see [`clients`]).
    pub also: Vec<ClientConfig>,
}

#[derive(Debug, Clone)]
pub struct UserConfig {
    pub username: String,
    pub password: String,
    /// OpenID CIBA Core 1.0 §7.1 `login_hint` for the user, when the OP wants another
    /// identifier than the username (an email, a phone number).
    pub login_hint: Option<String>,
    /// CIBA §7.1 `user_code`: "a secret code, such as a password or pin, that is known only
    /// to the user"; redacted like a password.
    pub user_code: Option<String>,
}

impl UserConfig {
    /// The value of a `users.<role>.<field>` template, if the target has it.
    pub fn field(&self, f: crate::suite::template::UserField) -> Option<&str> {
        use crate::suite::template::UserField;
        match f {
            UserField::Username => Some(&self.username),
            UserField::LoginHint => Some(self.login_hint.as_deref().unwrap_or(&self.username)),
            UserField::UserCode => self.user_code.as_deref(),
        }
    }
}

/// A login driver: how a user is logged in and consents, per vendor style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginDriver {
    /// Plain HTML forms: fill the form with a password field, press the consent button.
    HtmlForm,
    /// PingOne `response_mode=pi.flow` JSON flows.
    PingoneFlow,
    /// ForgeRock AM / PingOne AIC REST authentication, then `csrf` + `decision`.
    AmRest,
    /// A program of the user's completes the login and prints the final redirect URL.
    Command,
    /// A person completes the login and pastes the final redirect URL (TTY only).
    Manual,
}

impl LoginDriver {
    pub const ALL: [LoginDriver; 5] = [
        LoginDriver::HtmlForm,
        LoginDriver::PingoneFlow,
        LoginDriver::AmRest,
        LoginDriver::Command,
        LoginDriver::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LoginDriver::HtmlForm => "html-form",
            LoginDriver::PingoneFlow => "pingone-flow",
            LoginDriver::AmRest => "am-rest",
            LoginDriver::Command => "command",
            LoginDriver::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<LoginDriver> {
        LoginDriver::ALL.iter().copied().find(|d| d.as_str() == s)
    }
}

/// How a login driver finds a consent decision on a page (`[login] consent`/`deny`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The button, form or link whose label, value or hidden decision reads like it:
    /// approval (allow, approve, accept, yes, continue, authorize, consent, ...) or
    /// refusal (deny, cancel, abort, reject, no, ...).
    Words,
    /// A submit button, or a form's hidden field, with this name and value
    /// (`consent_button = "decision=allow"`).
    Button(String, String),
    /// A CSS selector of a form (submitted with its first button), a button or a link.
    Selector(String),
    /// A button or link whose label is this text, ignoring case.
    Text(String),
}

/// The `[login]` table of a target file.
#[derive(Debug, Clone)]
pub struct Login {
    pub driver: LoginDriver,
    /// The `[users.<role>]` logged in when a case does not name one.
    pub user: String,
    /// How the driver finds the control that grants consent.
    pub consent: Choice,
    /// How the driver finds the control that denies consent.
    pub deny: Choice,
    /// Field names when the form's own cannot be guessed.
    pub username_field: Option<String>,
    pub password_field: Option<String>,
    /// CSS selector of the login form, when a page has several.
    pub form_selector: Option<String>,
    /// `command`: the program and its arguments; the authorization URL is appended.
    pub command: Vec<String>,
    /// `command` / `manual`: how long to wait for the final redirect URL.
    pub timeout_secs: u64,
    /// `am-rest`: the session cookie's name (AIC tenants rename `iPlanetDirectoryPro`).
    pub cookie_name: String,
}

impl Default for Login {
    fn default() -> Self {
        Login {
            driver: LoginDriver::HtmlForm,
            user: "primary".into(),
            consent: Choice::Words,
            deny: Choice::Words,
            username_field: None,
            password_field: None,
            form_selector: None,
            command: Vec::new(),
            timeout_secs: 60,
            cookie_name: "iPlanetDirectoryPro".into(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    pub timeout_ms: u64,
    pub max_body_bytes: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout_ms: 10_000,
            max_body_bytes: 1024 * 1024,
        }
    }
}

impl Target {
    /// The issuer: configured, else where the layout's deployments put it.
    pub fn issuer(&self) -> String {
        self.issuer
            .clone()
            .unwrap_or_else(|| layout::default_issuer(self.layout, &self.base_url, &self.params))
    }

    /// Every secret the target file holds, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .clients
            .values()
            .flat_map(ClientConfig::candidates)
            .filter_map(|c| c.client_secret.clone())
            .collect();
        out.extend(self.users.values().map(|u| u.password.clone()));
        out.extend(self.users.values().filter_map(|u| u.user_code.clone()));
        out.extend(self.hooks.values().flat_map(|h| h.secrets.iter().cloned()));
        out
    }

    fn absolute(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with('/') {
            format!("{}{}", self.base_url, path_or_url)
        } else {
            path_or_url.to_string()
        }
    }
}

/// What discovery found (filled by `execute::discovery`).
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The URL of the metadata document that was used, if any answered with JSON.
    pub url: Option<String>,
    pub metadata: Option<serde_json::Map<String, Value>>,
    /// Whether the OpenID configuration URL answered 200.
    pub openid_configuration: bool,
    /// What was tried and why it did not serve, for the report.
    pub notes: Vec<String>,
    /// Members missing from the metadata document and taken from another one, with that
    /// document's URL.
    pub merged: BTreeMap<String, String>,
}

/// Where a capability's value came from, shown in reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapabilitySource {
    TargetFile,
    Metadata(&'static str),
    /// `discovery = true` declares that metadata is published.
    DiscoveryEnabled,
    /// The `[login]` driver the target file chose.
    LoginDriver(&'static str),
    NotAdvertised,
    /// Discovery was requested and found no metadata document.
    NoDocument,
    /// Not observable from outside; assumed from the capabilities it rests on.
    Assumed(&'static str),
}

impl std::fmt::Display for CapabilitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CapabilitySource::TargetFile => f.write_str("target file"),
            CapabilitySource::Metadata(m) => write!(f, "metadata `{m}`"),
            CapabilitySource::DiscoveryEnabled => f.write_str("discovery = true"),
            CapabilitySource::LoginDriver(d) => write!(f, "login driver `{d}`"),
            CapabilitySource::NotAdvertised => f.write_str("not declared or advertised"),
            CapabilitySource::NoDocument => f.write_str("discovery found no metadata document"),
            CapabilitySource::Assumed(why) => write!(f, "assumed: {why}"),
        }
    }
}

/// A target with every logical endpoint and capability decided.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub issuer: String,
    pub endpoints: BTreeMap<Endpoint, String>,
    pub capabilities: BTreeMap<Capability, (bool, CapabilitySource)>,
    pub discovery: Discovery,
}

impl Resolved {
    pub fn endpoint(&self, e: Endpoint) -> Option<&str> {
        self.endpoints.get(&e).map(String::as_str)
    }

    /// `Ok` when the capability is offered, else the reason a case needing it is skipped.
    pub fn offers(&self, c: Capability) -> Result<(), String> {
        match self.capabilities.get(&c) {
            Some((true, _)) => Ok(()),
            Some((false, source)) => Err(format!("target does not offer `{c}` ({source})")),
            None => Err(format!("target does not offer `{c}`")),
        }
    }
}

/// Combines the file, the layout and discovery into endpoints and capabilities.
/// Precedence: `[endpoints]` overrides, then metadata, then the layout's defaults.
pub fn resolve(target: Target, discovery: Discovery) -> Resolved {
    let issuer = target.issuer();
    let meta = discovery.metadata.as_ref();
    let mut endpoints = BTreeMap::new();
    for &e in Endpoint::ALL {
        let url = if let Some(o) = target.endpoints.get(&e) {
            Some(target.absolute(o))
        } else {
            match e {
                Endpoint::OauthMetadata => layout::rfc8414_metadata_url(&issuer),
                Endpoint::OpenidConfiguration => Some(layout::openid_configuration_url(&issuer)),
                Endpoint::Metadata => discovery.url.clone().or_else(|| {
                    layout::default_path(target.layout, e, &target.params)
                        .map(|p| target.absolute(&p))
                }),
                _ => e
                    .metadata_member()
                    .and_then(|m| meta?.get(m)?.as_str().map(str::to_string))
                    .or_else(|| {
                        layout::default_path(target.layout, e, &target.params)
                            .map(|p| target.absolute(&p))
                    }),
            }
        };
        if let Some(url) = url {
            endpoints.insert(e, url);
        }
    }
    let mut capabilities = BTreeMap::new();
    for &c in Capability::ALL {
        let decided = if let Some(v) = target.capabilities.get(&c) {
            (*v, CapabilitySource::TargetFile)
        } else {
            from_metadata(c, &target, &discovery)
        };
        capabilities.insert(c, decided);
    }
    Resolved {
        target,
        issuer,
        endpoints,
        capabilities,
        discovery,
    }
}

/// RFC 8414 §2 defaults apply to omitted members: `grant_types_supported` defaults to
/// `["authorization_code", "implicit"]`; an omitted `code_challenge_methods_supported`
/// means no PKCE.
fn from_metadata(c: Capability, target: &Target, d: &Discovery) -> (bool, CapabilitySource) {
    let no = (false, CapabilitySource::NotAdvertised);
    if c == Capability::Metadata {
        return if target.discovery {
            (true, CapabilitySource::DiscoveryEnabled)
        } else {
            no
        };
    }
    if c == Capability::MetadataServed {
        return match &d.url {
            Some(_) => (true, CapabilitySource::Metadata("issuer")),
            None if target.discovery => (false, CapabilitySource::NoDocument),
            None => no,
        };
    }
    if c == Capability::OidcDiscovery {
        return if d.openid_configuration {
            (true, CapabilitySource::Metadata("openid-configuration"))
        } else {
            no
        };
    }
    match c {
        // Facts about the target's client registrations, not about the server: the
        // `second` role's configured redirect URI shows whether it has a query; whether it
        // has several registered ones only the target file can say.
        Capability::RedirectUriQuery => {
            let has_query = target
                .clients
                .get(&crate::suite::Role::Second)
                .and_then(|c| c.redirect_uri.as_deref())
                .and_then(|u| url::Url::parse(u).ok())
                .is_some_and(|u| u.query().is_some_and(|q| !q.is_empty()));
            return if has_query {
                (true, CapabilitySource::TargetFile)
            } else {
                (false, CapabilitySource::NotAdvertised)
            };
        }
        Capability::SeveralRedirectUris => return no,
        Capability::RefreshTokenIntrospection => {
            let both = [Capability::Introspection, Capability::RefreshToken]
                .into_iter()
                .all(|c| match target.capabilities.get(&c) {
                    Some(v) => *v,
                    None => from_metadata(c, target, d).0,
                });
            return if both {
                (
                    true,
                    CapabilitySource::Assumed(
                        "introspection and refresh tokens are offered; deny it in [capabilities] \
                         if the server introspects access tokens only",
                    ),
                )
            } else {
                no
            };
        }
        // Where the target's ping and push clients send notifications is part of their
        // registration (CIBA §4), which only the target file can state.
        Capability::CibaNotifications => return no,
        // Whether the consent form carries the hidden fields `interaction` and
        // `csrf_token` and a `decision` button, which the RFC 6749 §10.12 cases post
        // themselves: a fact of the target's pages that only its file can state.
        Capability::ConsentFormFields => return no,
        // No metadata member announces macaroon access tokens (a per-client setting of
        // AM's OAuth2 provider): only the target file can state it.
        Capability::MacaroonTokens => return no,
        // The login and consent pages are HTML forms a case can read and submit itself
        // only where the target logs in through them; pi.flow, AM REST and external
        // logins show the harness no such pages.
        Capability::HtmlLogin => {
            let driver = target.login.driver;
            return (
                driver == LoginDriver::HtmlForm,
                CapabilitySource::LoginDriver(driver.as_str()),
            );
        }
        _ => {}
    }
    let Some(meta) = d.metadata.as_ref() else {
        return no;
    };
    let has = |member: &'static str| {
        if meta.get(member).is_some_and(|v| !v.is_null()) {
            (true, CapabilitySource::Metadata(member))
        } else {
            no.clone()
        }
    };
    let grant = |g: &str| {
        let listed = match meta.get("grant_types_supported") {
            Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(g)),
            Some(_) => false,
            None => matches!(g, "authorization_code" | "implicit"),
        };
        if listed {
            (true, CapabilitySource::Metadata("grant_types_supported"))
        } else {
            no.clone()
        }
    };
    // CIBA §4: `backchannel_token_delivery_modes_supported`, "one or more of" poll, ping
    // and push.
    let mode = |m: &str| match meta.get("backchannel_token_delivery_modes_supported") {
        Some(Value::Array(a)) if a.iter().any(|v| v.as_str() == Some(m)) => (
            true,
            CapabilitySource::Metadata("backchannel_token_delivery_modes_supported"),
        ),
        _ => no.clone(),
    };
    match c {
        Capability::Metadata
        | Capability::OidcDiscovery
        | Capability::CibaNotifications
        | Capability::RedirectUriQuery
        | Capability::SeveralRedirectUris
        | Capability::ConsentFormFields
        | Capability::MetadataServed
        | Capability::RefreshTokenIntrospection
        | Capability::MacaroonTokens
        | Capability::HtmlLogin => no,
        Capability::Jwks => has("jwks_uri"),
        Capability::ClientCredentials => grant("client_credentials"),
        Capability::AuthorizationCode => grant("authorization_code"),
        // The implicit grant is `response_type=token` (RFC 6749 §4.2): a server that lists
        // the grant but no such response type does not really offer it.
        Capability::Implicit => match meta.get("response_types_supported") {
            Some(Value::Array(a)) if a.iter().any(|v| v.as_str() == Some("token")) => {
                (true, CapabilitySource::Metadata("response_types_supported"))
            }
            _ => no,
        },
        Capability::RefreshToken => grant("refresh_token"),
        Capability::Pkce => match meta.get("code_challenge_methods_supported") {
            Some(Value::Array(a)) if !a.is_empty() => (
                true,
                CapabilitySource::Metadata("code_challenge_methods_supported"),
            ),
            _ => no,
        },
        Capability::Revocation => has("revocation_endpoint"),
        Capability::Introspection => has("introspection_endpoint"),
        Capability::Userinfo => has("userinfo_endpoint"),
        Capability::Par => has("pushed_authorization_request_endpoint"),
        Capability::DeviceAuthorization => has("device_authorization_endpoint"),
        Capability::Ciba => has("backchannel_authentication_endpoint"),
        Capability::CibaPing => mode("ping"),
        Capability::CibaPush => mode("push"),
        Capability::Registration => has("registration_endpoint"),
        // RFC 7636 §4.2 lets a server refuse `plain`; cases of it need it advertised.
        Capability::PkcePlain => match meta.get("code_challenge_methods_supported") {
            Some(Value::Array(a)) if a.iter().any(|v| v.as_str() == Some("plain")) => (
                true,
                CapabilitySource::Metadata("code_challenge_methods_supported"),
            ),
            _ => no,
        },
        // RFC 8414 §2: the default response modes are query and fragment only.
        Capability::FormPost => match meta.get("response_modes_supported") {
            Some(Value::Array(a)) if a.iter().any(|v| v.as_str() == Some("form_post")) => {
                (true, CapabilitySource::Metadata("response_modes_supported"))
            }
            _ => no,
        },
        // RFC 9207 §3: `authorization_response_iss_parameter_supported` true.
        Capability::IssParameter => {
            match meta.get("authorization_response_iss_parameter_supported") {
                Some(Value::Bool(true)) => (
                    true,
                    CapabilitySource::Metadata("authorization_response_iss_parameter_supported"),
                ),
                _ => no,
            }
        }
    }
}
