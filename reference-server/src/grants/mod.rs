//! Grant types of the token endpoint (RFC 6749 §4), one module per grant.

pub mod client_credentials;

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
}

/// The `grant_type` values of RFC 6749, plus whatever else a client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    ClientCredentials,
    RefreshToken,
    Other(String),
}

impl GrantType {
    pub fn parse(value: &str) -> GrantType {
        match value {
            "authorization_code" => GrantType::AuthorizationCode,
            "client_credentials" => GrantType::ClientCredentials,
            "refresh_token" => GrantType::RefreshToken,
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
    let expires_in = client
        .access_token_ttl
        .unwrap_or(state.config.access_token_ttl)
        .min(MAX_TOKEN_TTL);
    let issued_at = SystemTime::now();
    let token = new_opaque_token();
    let grant_id = Uuid::new_v4().to_string();
    state.store.insert(
        token.clone(),
        TokenRecord {
            kind: TokenKind::Access,
            client_id: client.client_id.clone(),
            subject: subject.to_string(),
            scope: scope.to_string(),
            issued_at,
            expires_at: issued_at + Duration::from_secs(expires_in),
            jti: Uuid::new_v4().to_string(),
            grant_id: grant_id.clone(),
            revocation: None,
        },
    );
    IssuedToken {
        token,
        expires_in,
        grant_id,
    }
}
