//! Grant types of the token endpoint (RFC 6749 §4), one module per grant.

pub mod authorization_code;
pub mod ciba;
pub mod client_credentials;
pub mod device_code;
pub mod implicit;
pub mod refresh_token;

use std::time::{Duration, SystemTime};

use serde::Serialize;
use uuid::Uuid;

use crate::fixtures::ClientFixture;
use crate::state::AppState;
use crate::store::{TokenKind, TokenRecord, new_opaque_token};

/// A successful access token response (RFC 6749 §5.1). Optional members are left out when
/// `None` rather than sent as `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// OpenID Connect Core §3.1.3.3: present when `openid` was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// The `grant_type` values of RFC 6749, plus whatever else a client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    ClientCredentials,
    RefreshToken,
    /// RFC 8628 §3.4.
    DeviceCode,
    /// OpenID CIBA Core 1.0 §10.1.
    Ciba,
    Other(String),
}

impl GrantType {
    pub fn parse(value: &str) -> GrantType {
        match value {
            "authorization_code" => GrantType::AuthorizationCode,
            "client_credentials" => GrantType::ClientCredentials,
            "refresh_token" => GrantType::RefreshToken,
            device_code::GRANT_TYPE => GrantType::DeviceCode,
            crate::ciba::GRANT_TYPE => GrantType::Ciba,
            other => GrantType::Other(other.to_string()),
        }
    }
}

/// Ten years: a configured lifetime above this is capped so time arithmetic cannot overflow.
pub const MAX_TOKEN_TTL: u64 = 10 * 365 * 24 * 3600;

/// A newly stored access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    pub grant_id: String,
}

/// Stores a new access token for `client` under a new grant.
pub fn issue_access_token(
    state: &AppState,
    client: &ClientFixture,
    subject: &str,
    scope: &str,
) -> IssuedToken {
    issue_access_token_in_grant(state, client, subject, scope, &new_grant_id())
}

/// A fresh grant id: the tokens of one authorization grant share it.
pub fn new_grant_id() -> String {
    Uuid::new_v4().to_string()
}

/// The access-token lifetime of `client`.
pub fn access_token_ttl(state: &AppState, client: &ClientFixture) -> u64 {
    client
        .access_token_ttl
        .unwrap_or(state.config.access_token_ttl)
        .min(MAX_TOKEN_TTL)
}

/// Stores a new access token for `client` under the existing grant `grant_id`.
pub fn issue_access_token_in_grant(
    state: &AppState,
    client: &ClientFixture,
    subject: &str,
    scope: &str,
    grant_id: &str,
) -> IssuedToken {
    let expires_in = access_token_ttl(state, client);
    // A macaroon's identifier is its store key (crate::macaroon).
    let id = new_opaque_token();
    let token = if client.macaroon_tokens {
        crate::macaroon::mint(state, &id)
    } else {
        id.clone()
    };
    state.store.insert(
        id,
        new_record(
            TokenKind::Access,
            client,
            subject,
            scope,
            grant_id,
            expires_in,
        ),
    );
    IssuedToken {
        token,
        expires_in,
        grant_id: grant_id.to_string(),
    }
}

/// Stores a new refresh token for `client` under `grant_id` and returns it.
pub fn issue_refresh_token(
    state: &AppState,
    client: &ClientFixture,
    subject: &str,
    scope: &str,
    grant_id: &str,
) -> String {
    let token = new_opaque_token();
    let ttl = state.config.refresh_token_ttl.min(MAX_TOKEN_TTL);
    state.store.insert(
        token.clone(),
        new_record(TokenKind::Refresh, client, subject, scope, grant_id, ttl),
    );
    token
}

/// A fresh, unrevoked record.
pub fn new_record(
    kind: TokenKind,
    client: &ClientFixture,
    subject: &str,
    scope: &str,
    grant_id: &str,
    ttl: u64,
) -> TokenRecord {
    let issued_at = SystemTime::now();
    TokenRecord {
        kind,
        client_id: client.client_id.clone(),
        subject: subject.to_string(),
        scope: scope.to_string(),
        issued_at,
        expires_at: issued_at + Duration::from_secs(ttl.min(MAX_TOKEN_TTL)),
        jti: Uuid::new_v4().to_string(),
        grant_id: grant_id.to_string(),
        revocation: None,
        rotated: false,
    }
}
