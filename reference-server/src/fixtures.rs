//! The clients and users the reference server knows, as loaded from a fixtures TOML file.
//!
//! The built-in set is `fixtures/reference/fixtures.toml`, the same file the harness builds its
//! default targets from, so the server and the suites can never disagree about a role.

pub use oauth2spec_vocab::{AuthMethod, Role};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// The built-in fixtures, compiled in so the server needs no file at run time.
const BUILTIN: &str = include_str!("../../fixtures/reference/fixtures.toml");

/// Every client and user of one server instance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Registered clients (`[[client]]` tables).
    #[serde(rename = "client", default)]
    pub clients: Vec<ClientFixture>,
    /// Known end users (`[[user]]` tables).
    #[serde(rename = "user", default)]
    pub users: Vec<UserFixture>,
}

/// One registered client.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientFixture {
    /// The role a suite names this client by (`confidential`, `public`, `second`, ...).
    pub role: String,
    pub client_id: String,
    /// `None` for public clients.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// `client_secret_basic`, `client_secret_post`, `none`, `private_key_jwt` or
    /// `client_secret_jwt` (RFC 7591 §2 `token_endpoint_auth_method`).
    pub auth_method: String,
    /// RFC 7591 §2 `jwks`: the public keys a private_key_jwt client signs with.
    #[serde(default)]
    pub jwks: Option<serde_json::Value>,
    /// The private key matching `jwks`, relative to the fixtures file: read by the harness
    /// alone, which signs as this client (the server never sees private keys).
    #[serde(default)]
    pub key_file: Option<String>,
    /// The algorithm the harness signs with (`RS256` when absent, RFC 7523 §5).
    #[serde(default)]
    pub key_alg: Option<String>,
    pub grant_types: Vec<String>,
    /// Space-separated scope the client may be granted.
    pub scope: String,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Whether the client acts as a resource server that may call the introspection endpoint.
    #[serde(default)]
    pub may_introspect: bool,
    /// Access-token lifetime in seconds, overriding [`crate::ServerConfig::access_token_ttl`].
    #[serde(default)]
    pub access_token_ttl: Option<u64>,
    /// CIBA §4 `backchannel_token_delivery_mode`: `poll`, `ping` or `push`; `None` for
    /// clients that do not use CIBA.
    #[serde(default)]
    pub backchannel_token_delivery_mode: Option<String>,
    /// CIBA §4 `backchannel_client_notification_endpoint` of a ping or push client.
    /// [`crate::ServerConfig::ciba_notification_endpoint`] overrides it for every client.
    #[serde(default)]
    pub backchannel_client_notification_endpoint: Option<String>,
    /// CIBA §4 `backchannel_user_code_parameter`: the client sends the user code of users
    /// that have one.
    #[serde(default)]
    pub backchannel_user_code_parameter: bool,
    /// RFC 9126 §6 client metadata: the client may only use pushed authorization requests.
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    /// PingOne AIC / AM: the client's access tokens are macaroons ([`crate::macaroon`]).
    #[serde(default)]
    pub macaroon_tokens: bool,
}

/// One end user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFixture {
    pub role: String,
    pub username: String,
    pub password: String,
    /// CIBA §7.1 `user_code`: a secret the user gives clients registered with
    /// `backchannel_user_code_parameter`, required from them for this user.
    #[serde(default)]
    pub user_code: Option<String>,
}

impl UserFixture {
    /// The user's subject identifier (OIDC Core §2 `sub`): stable, opaque, and never equal
    /// to a `client_id` (RFC 9700 §4.15), derived from the username.
    pub fn subject(&self) -> String {
        let digest = Sha256::digest(format!("oauth2spec-user:{}", self.username).as_bytes());
        let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
        format!("u-{hex}")
    }

    /// A display name for the `name` claim: the username, capitalised.
    pub fn display_name(&self) -> String {
        let mut chars = self.username.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

/// A fixtures file that does not parse or does not describe a usable set of clients.
#[derive(Debug, thiserror::Error)]
pub enum FixturesError {
    #[error("fixtures are not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("client `{0}` is registered twice")]
    DuplicateClient(String),
    #[error("client `{client_id}` has unknown auth_method `{auth_method}`")]
    UnknownAuthMethod {
        client_id: String,
        auth_method: String,
    },
    #[error("client `{0}` authenticates with a secret but has no client_secret")]
    MissingSecret(String),
    #[error("client `{0}` uses private_key_jwt but registers no `jwks` keys")]
    MissingKeys(String),
    #[error("public client `{0}` (auth_method none) must not have a client_secret")]
    PublicWithSecret(String),
}

impl Fixtures {
    /// The fixtures compiled into the crate.
    ///
    /// The file is part of this repository and covered by a unit test, so failing to parse it
    /// is a build defect, not a run-time condition; an empty set keeps the server alive anyway.
    pub fn builtin() -> Self {
        Self::from_toml(BUILTIN).unwrap_or_else(|_| Fixtures {
            clients: Vec::new(),
            users: Vec::new(),
        })
    }

    /// Parses and checks a fixtures file.
    pub fn from_toml(text: &str) -> Result<Self, FixturesError> {
        let fixtures: Fixtures = toml::from_str(text)?;
        fixtures.check()?;
        Ok(fixtures)
    }

    /// The client registered under `client_id`.
    pub fn client(&self, client_id: &str) -> Option<&ClientFixture> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    /// The user logging in as `username`.
    pub fn user(&self, username: &str) -> Option<&UserFixture> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The user whose [`UserFixture::subject`] is `subject`.
    /// The subject of the first user: whom a fault that accepts a bogus credential
    /// pretends it belongs to.
    pub fn first_subject(&self) -> String {
        self.users.first().map(|u| u.subject()).unwrap_or_default()
    }

    pub fn user_by_subject(&self, subject: &str) -> Option<&UserFixture> {
        self.users.iter().find(|u| u.subject() == subject)
    }

    /// The client playing `role`.
    pub fn client_by_role(&self, role: &str) -> Option<&ClientFixture> {
        self.clients.iter().find(|c| c.role == role)
    }

    fn check(&self) -> Result<(), FixturesError> {
        for (i, client) in self.clients.iter().enumerate() {
            if self.clients[..i]
                .iter()
                .any(|c| c.client_id == client.client_id)
            {
                return Err(FixturesError::DuplicateClient(client.client_id.clone()));
            }
            match (client.auth_method(), &client.client_secret) {
                (None, _) => {
                    return Err(FixturesError::UnknownAuthMethod {
                        client_id: client.client_id.clone(),
                        auth_method: client.auth_method.clone(),
                    });
                }
                (Some(AuthMethod::None), Some(_)) => {
                    return Err(FixturesError::PublicWithSecret(client.client_id.clone()));
                }
                (
                    Some(
                        AuthMethod::ClientSecretBasic
                        | AuthMethod::ClientSecretPost
                        | AuthMethod::ClientSecretJwt,
                    ),
                    None,
                ) => {
                    return Err(FixturesError::MissingSecret(client.client_id.clone()));
                }
                (Some(AuthMethod::PrivateKeyJwt), _) if client.public_keys().next().is_none() => {
                    return Err(FixturesError::MissingKeys(client.client_id.clone()));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl ClientFixture {
    /// The parsed `auth_method`; `None` only for fixtures that failed [`Fixtures::from_toml`].
    pub fn auth_method(&self) -> Option<AuthMethod> {
        AuthMethod::parse(&self.auth_method)
    }

    /// A confidential client holds a secret or a private key (RFC 6749 §2.1).
    pub fn is_confidential(&self) -> bool {
        matches!(
            self.auth_method(),
            Some(
                AuthMethod::ClientSecretBasic
                    | AuthMethod::ClientSecretPost
                    | AuthMethod::PrivateKeyJwt
                    | AuthMethod::ClientSecretJwt
            )
        )
    }

    /// The public JWKs registered in `jwks.keys`.
    pub fn public_keys(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.jwks
            .as_ref()
            .and_then(|j| j.get("keys"))
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
    }

    /// Whether the client is registered for `grant_type`.
    pub fn has_grant_type(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// Whether the client may use `response_type` at the authorization endpoint: `code`
    /// needs the authorization_code grant, `token` the implicit grant (RFC 6749 §4.1, §4.2).
    pub fn may_use_response_type(&self, response_type: &str) -> bool {
        match response_type {
            "code" => self.has_grant_type("authorization_code"),
            "token" => self.has_grant_type("implicit"),
            _ => false,
        }
    }

    /// The registered scope as individual scope tokens.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_fixtures_parse_and_have_the_roles_the_suites_use() {
        let fixtures = Fixtures::from_toml(BUILTIN).expect("builtin fixtures parse");
        for role in [
            Role::Confidential,
            Role::Second,
            Role::ShortLived,
            Role::Restricted,
            Role::Public,
            Role::Device,
            Role::JwtKey,
            Role::JwtSecret,
            Role::Macaroon,
        ] {
            assert!(fixtures.client_by_role(role.as_str()).is_some(), "{role}");
        }
        // Every client plays a role the suites can name.
        for client in &fixtures.clients {
            assert!(Role::parse(&client.role).is_some(), "{}", client.role);
        }
        assert_eq!(fixtures.users.len(), 2);
        assert_eq!(Fixtures::builtin(), fixtures);
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = "[[client]]\nrole='x'\nclient_id='x'\nauth_method='none'\ngrant_types=[]\nscope=''\ncolour='red'\n";
        assert!(matches!(
            Fixtures::from_toml(text),
            Err(FixturesError::Toml(_))
        ));
    }

    #[test]
    fn inconsistent_clients_are_rejected() {
        let text = "[[client]]\nrole='x'\nclient_id='x'\nauth_method='client_secret_basic'\ngrant_types=[]\nscope=''\n";
        assert!(matches!(
            Fixtures::from_toml(text),
            Err(FixturesError::MissingSecret(_))
        ));
    }
}
