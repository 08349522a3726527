//! The device_code grant (RFC 8628 §3.4, §3.5): the device polls the token endpoint with
//! its `device_code` until the user has decided, then receives tokens like the code grant's.

use axum::http::StatusCode;

use crate::devices::Poll;
use crate::errors::{ErrorCode, OAuthError};
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{TokenResponse, authorization_code};
use crate::state::AppState;

/// RFC 8628 §3.4: "Value MUST be set to "urn:ietf:params:oauth:grant-type:device_code"."
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// One poll (§3.4) by the authenticated (or, if public, identified) `client`.
pub fn grant(
    state: &AppState,
    client: &ClientFixture,
    form: &Form,
) -> Result<TokenResponse, OAuthError> {
    // RFC 6749 §5.2 unauthorized_client: "not authorized to use this authorization grant
    // type".
    if !client.has_grant_type(GRANT_TYPE) {
        return Err(OAuthError::unauthorized_client(
            "the client is not registered for the device_code grant",
        ));
    }
    let policy = &state.policy.device;
    // §3.4: device_code is REQUIRED; RFC 6749 §5.2 invalid_request: "missing a required
    // parameter".
    let Some(device_code) = form.get("device_code") else {
        if !policy.missing_is_invalid_request {
            return Err(OAuthError::invalid_grant("no device code"));
        }
        return Err(OAuthError::invalid_request("device_code is missing"));
    };
    match state.devices.poll(policy, device_code, &client.client_id) {
        Poll::Unknown if !policy.unknown_refused => Err(pending()),
        // RFC 6749 §5.2 invalid_grant: "invalid, expired, revoked ... or was issued to
        // another client".
        Poll::Unknown => Err(OAuthError::invalid_grant("the device code is not valid")),
        Poll::OtherClient => Err(OAuthError::invalid_grant(
            "the device code was issued to another client",
        )),
        Poll::Redeemed => Err(OAuthError::invalid_grant(
            "the device code was already used",
        )),
        // §3.5 expired_token: "The "device_code" has expired, and the device
        // authorization session has concluded."
        Poll::Expired => Err(error(
            ErrorCode::ExpiredToken,
            "the device code has expired",
        )),
        // §3.5 slow_down: "the interval MUST be increased by 5 seconds for this and all
        // subsequent requests."
        Poll::SlowDown => Err(error(
            ErrorCode::SlowDown,
            "polling too fast: wait 5 seconds longer between requests",
        )),
        Poll::TooFastRefused => Err(OAuthError::invalid_request("polling too fast")),
        Poll::Pending if !policy.pending_reported => Err(OAuthError::invalid_grant(
            "the authorization is not complete",
        )),
        Poll::Pending => Err(pending()),
        // §3.5 access_denied: "The authorization request was denied."
        Poll::Denied => Err(error(
            ErrorCode::AccessDenied,
            "the user denied the authorization",
        )),
        Poll::Issue {
            decider,
            scope,
            grant_id,
        } => Ok(authorization_code::tokens(
            state,
            client,
            &decider.subject,
            &scope,
            &grant_id,
            None,
            decider.auth_time,
        )),
    }
}

/// §3.5 authorization_pending: "The authorization request is still pending as the end user
/// hasn't yet completed the user-interaction steps".
fn pending() -> OAuthError {
    error(
        ErrorCode::AuthorizationPending,
        "the user has not decided yet",
    )
}

fn error(code: ErrorCode, description: &str) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, code, description)
}

/// The `device-public-no-client-id` fault: an anonymous poll is attributed to the public
/// client the device code was issued to.
pub fn anonymous_owner(state: &AppState, form: &Form) -> Option<std::sync::Arc<ClientFixture>> {
    if state.policy.device.public_client_id_required {
        return None;
    }
    let client_id = state.devices.client_of(form.get("device_code")?)?;
    state.client(&client_id).filter(|c| !c.is_confidential())
}
