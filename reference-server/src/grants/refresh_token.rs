//! The refresh token grant (RFC 6749 §6) with rotation and reuse detection for public
//! clients (RFC 9700 §4.14.2).

use std::time::SystemTime;

use crate::authz_request::OPENID;
use crate::errors::OAuthError;
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{TokenResponse, access_token_ttl, new_record};
use crate::scope;
use crate::state::AppState;
use crate::store::{TokenKind, new_opaque_token, revocation_now};

pub const GRANT_TYPE: &str = "refresh_token";

/// What a successful refresh yields.
struct Refreshed {
    access_token: String,
    expires_in: u64,
    scope: String,
    refresh_token: Option<String>,
}

/// Refreshes for the authenticated (or, if public, identified) `client`.
pub fn grant(
    state: &AppState,
    client: &ClientFixture,
    form: &Form,
) -> Result<TokenResponse, OAuthError> {
    // RFC 6749 §5.2 unauthorized_client.
    if !client.has_grant_type(GRANT_TYPE) {
        if !state.policy.refresh.restricted_is_unauthorized_client {
            return Err(OAuthError::invalid_request("refresh is not allowed"));
        }
        return Err(OAuthError::unauthorized_client(
            "the client is not registered for refresh_token",
        ));
    }
    // RFC 6749 §6: refresh_token is REQUIRED.
    let Some(presented) = form.get("refresh_token") else {
        return Err(OAuthError::invalid_request("refresh_token is missing"));
    };
    let requested = match form.get("scope") {
        None => None,
        Some(value) => Some(
            scope::parse(value)
                .map_err(|_| OAuthError::invalid_scope("the scope parameter is malformed"))?
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<String>>(),
        ),
    };
    let refresh_ttl = state.config.refresh_token_ttl;
    let access_ttl = access_token_ttl(state, client);
    let refreshed = state.store.transaction(|tokens| {
        let now = SystemTime::now();
        let Some(record) = tokens.get(presented).cloned() else {
            return Err(OAuthError::invalid_grant("the refresh token is not valid"));
        };
        if record.kind != TokenKind::Refresh {
            return Err(OAuthError::invalid_grant("the refresh token is not valid"));
        }
        // RFC 6749 §6: "validate the refresh token ... and ensure that the refresh token was
        // issued to the authenticated client"; §10.4: bound to the client.
        if record.client_id != client.client_id && state.policy.refresh.bound_to_client {
            return Err(OAuthError::invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if record.rotated {
            // RFC 9700 §4.14.2: a rotated-out refresh token presented again means one of
            // two parties holds a stolen copy: revoke the active refresh token too.
            if state.policy.refresh.reuse_detected {
                let revocation = revocation_now();
                for other in tokens
                    .values_mut()
                    .filter(|r| r.grant_id == record.grant_id)
                {
                    other.revocation.get_or_insert(revocation);
                }
            }
            return Err(OAuthError::invalid_grant(
                "the refresh token was already used; the grant is revoked",
            ));
        }
        if record.is_expired(now) {
            return Err(OAuthError::invalid_grant("the refresh token has expired"));
        }
        if record.is_revoked(now) && state.policy.refresh.revoked_refused {
            return Err(OAuthError::invalid_grant("the refresh token was revoked"));
        }
        let original: Vec<&str> = record.scope.split(' ').filter(|s| !s.is_empty()).collect();
        let granted: Vec<String> = match &requested {
            None => original.iter().map(|s| s.to_string()).collect(),
            Some(requested) => {
                let requested: Vec<&str> = requested.iter().map(String::as_str).collect();
                // RFC 6749 §6: "The requested scope MUST NOT include any scope not
                // originally granted by the resource owner".
                let within = scope::is_subset(&requested, original.iter().copied());
                let widened_ok = !state.policy.refresh.scope_within_grant
                    && scope::is_subset(&requested, client.scopes().chain([OPENID]));
                if !within && !widened_ok {
                    return Err(OAuthError::invalid_scope(
                        "the requested scope exceeds the original grant",
                    ));
                }
                requested.iter().map(|s| s.to_string()).collect()
            }
        };
        let granted_scope = granted.join(" ");
        let narrowed_rt = !state.policy.refresh.rotated_scope_kept && requested.is_some();
        let refresh_token = if client.is_confidential() {
            // A confidential client authenticates every refresh; its token stays.
            if narrowed_rt && let Some(current) = tokens.get_mut(presented) {
                current.scope = granted_scope.clone();
            }
            Some(presented.to_string())
        } else if !state.policy.refresh.rotated_for_public {
            None
        } else {
            // RFC 9700 §4.14.2 rotation: a new refresh token, the old one invalidated. RFC 6749
            // §6: "the refresh token scope MUST be identical to that of the refresh token
            // included by the client in the request."
            if state.policy.refresh.old_invalid_after_rotation
                && let Some(current) = tokens.get_mut(presented)
            {
                current.rotated = true;
            }
            let rt_scope = if narrowed_rt {
                granted_scope.clone()
            } else {
                record.scope.clone()
            };
            let token = new_opaque_token();
            tokens.insert(
                token.clone(),
                new_record(
                    TokenKind::Refresh,
                    client,
                    &record.subject,
                    &rt_scope,
                    &record.grant_id,
                    refresh_ttl,
                ),
            );
            Some(token)
        };
        // The access token is stored under the same lock, so a concurrent replay that
        // revokes the grant cannot miss it.
        let access_token = new_opaque_token();
        tokens.insert(
            access_token.clone(),
            new_record(
                TokenKind::Access,
                client,
                &record.subject,
                &granted_scope,
                &record.grant_id,
                access_ttl,
            ),
        );
        Ok(Refreshed {
            access_token,
            expires_in: access_ttl,
            scope: granted_scope,
            refresh_token,
        })
    })?;
    Ok(TokenResponse {
        access_token: refreshed.access_token,
        token_type: Some("Bearer"),
        expires_in: Some(refreshed.expires_in),
        refresh_token: refreshed.refresh_token,
        scope: (!refreshed.scope.is_empty()).then_some(refreshed.scope),
        id_token: None,
    })
}
