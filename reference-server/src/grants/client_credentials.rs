//! The client credentials grant (RFC 6749 §4.4).

use crate::errors::OAuthError;
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{TokenResponse, issue_access_token};
use crate::scope;
use crate::state::AppState;

pub const GRANT_TYPE: &str = "client_credentials";

/// Issues an access token to an authenticated client.
pub fn grant(
    state: &AppState,
    client: &ClientFixture,
    form: &Form,
) -> Result<TokenResponse, OAuthError> {
    // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential
    // clients"; RFC 6749 §5.2: a client not allowed this grant is `unauthorized_client`.
    if !client.is_confidential() {
        return Err(OAuthError::unauthorized_client(
            "client_credentials is only for confidential clients",
        ));
    }
    if !client.has_grant_type(GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(
            "the client is not registered for client_credentials",
        ));
    }

    let granted: Vec<&str> = match form.get("scope") {
        // RFC 6749 §3.3: without `scope` the server applies a default: the client's scope.
        None => client.scopes().collect(),
        Some(requested) => {
            let requested =
                scope::parse(requested).map_err(|e| OAuthError::invalid_scope(e.to_string()))?;
            // RFC 6749 §5.2 invalid_scope: "exceeds the scope granted by the resource owner".
            if !scope::is_subset(&requested, client.scopes())
                && state.policy.token.scope_within_registration
            {
                return Err(OAuthError::invalid_scope(
                    "the requested scope exceeds the client's registered scope",
                ));
            }
            requested
        }
    };

    let issued = issue_access_token(state, client, &client.client_id, &scope::join(&granted));
    // RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included."
    Ok(TokenResponse {
        access_token: issued.token,
        token_type: Some("Bearer"),
        expires_in: Some(issued.expires_in),
        refresh_token: None,
        scope: (!granted.is_empty()).then(|| scope::join(&granted)),
        id_token: None,
    })
}
