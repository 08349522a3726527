//! The implicit grant (RFC 6749 §4.2): an access token straight from the authorization
//! endpoint, in the fragment, for the public client registered for it.

use crate::authz_request::AuthRequest;
use crate::grants::{issue_access_token, issue_refresh_token};
use crate::response_mode::{AuthError, Outcome};
use crate::session::Session;
use crate::state::AppState;

pub const GRANT_TYPE: &str = "implicit";

/// The implicit response's parameters (RFC 6749 §4.2.2): access_token, token_type,
/// expires_in, scope. "The authorization server MUST NOT issue a refresh token."
pub fn issue(state: &AppState, request: &AuthRequest, session: &Session) -> Outcome {
    let Some(client) = state.client(&request.target.client_id) else {
        return Outcome::Error(AuthError::new("server_error", "the client is gone"));
    };
    let scope = request.scope();
    let issued = issue_access_token(state, &client, &session.subject, &scope);
    let mut params = vec![
        ("access_token", issued.token),
        ("token_type", "Bearer".to_string()),
        ("expires_in", issued.expires_in.to_string()),
    ];
    if !scope.is_empty() {
        params.push(("scope", scope.clone()));
    }
    if !state.policy.implicit.refresh_token_withheld {
        let refresh =
            issue_refresh_token(state, &client, &session.subject, &scope, &issued.grant_id);
        params.push(("refresh_token", refresh));
    }
    Outcome::Success(params)
}
