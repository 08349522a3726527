//! The token endpoint (RFC 6749 §3.2): request parsing, client authentication, grant
//! dispatch and the response headers of §5.1.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::client_auth::{Caller, authenticate};
use crate::errors::{OAuthError, method_not_allowed};
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::grants::{
    GrantType, TokenResponse, authorization_code, ciba, client_credentials, device_code,
    refresh_token,
};
use crate::policy::TokenPolicy;
use crate::state::{AppState, SharedState};

/// `POST` on the token endpoint.
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let response = match token_request(&state, &headers, &body) {
        Ok(token) => {
            let token = apply_response_faults(&state.policy.token, token);
            (StatusCode::OK, axum::Json(token)).into_response()
        }
        Err(error) => error.to_response(state.policy.token.error_format),
    };
    with_cache_headers(&state.policy.token, response)
}

/// Any other method: RFC 6749 §3.2 "The client MUST use the HTTP POST method".
pub async fn other_method(State(state): State<SharedState>) -> Response {
    with_cache_headers(
        &state.policy.token,
        method_not_allowed("POST", state.policy.token.error_format),
    )
}

fn token_request(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenResponse, OAuthError> {
    let form =
        Form::parse(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    // RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
    if form.repeated().is_some() && state.policy.token.repeated_params_refused {
        return Err(OAuthError::invalid_request(
            "a request parameter is included more than once",
        ));
    }
    // RFC 6749 §5.2 invalid_request: "missing a required parameter" (grant_type, §4.4.2).
    let grant_type = match form.get("grant_type") {
        Some(value) => GrantType::parse(value),
        None if !state.policy.token.grant_type_required => GrantType::ClientCredentials,
        None => return Err(OAuthError::invalid_request("grant_type is missing")),
    };

    let client = match authenticate(
        &state.clients,
        state.policy.token.client_auth,
        &state.assertion_context(&state.paths.token),
        headers,
        &form,
    ) {
        Ok(Caller::Client(client)) => client,
        // RFC 6749 §3.2.1: confidential clients MUST authenticate; public ones MUST name
        // themselves (§4.1.3). No credentials at all is an authentication failure.
        Ok(Caller::Anonymous) => match code_owner_fault(state, &grant_type, &form) {
            Some(client) => client,
            None => {
                return Err(OAuthError::invalid_client(
                    "client authentication is required",
                ));
            }
        },
        Err(failure) => {
            if let Some(client) = secretless_fault(state, &grant_type, headers, &form) {
                return dispatch(state, &client, grant_type, &form);
            }
            let mut error = failure.to_oauth_error();
            if failure.used_authorization_header() {
                // RFC 6749 §5.2: a failed Authorization-header attempt is 401 with a
                // WWW-Authenticate challenge for the scheme the client used.
                error = error.with_status(state.policy.token.basic_failure_status);
                if !state.policy.token.basic_failure_challenge {
                    error.www_authenticate = false;
                }
            }
            return Err(error);
        }
    };

    dispatch(state, &client, grant_type, &form)
}

/// Runs the grant for an identified client.
fn dispatch(
    state: &AppState,
    client: &ClientFixture,
    grant_type: GrantType,
    form: &Form,
) -> Result<TokenResponse, OAuthError> {
    match grant_type {
        GrantType::ClientCredentials => client_credentials::grant(state, client, form),
        GrantType::AuthorizationCode => authorization_code::grant(state, client, form),
        GrantType::RefreshToken => refresh_token::grant(state, client, form),
        GrantType::DeviceCode => device_code::grant(state, client, form),
        GrantType::Ciba => ciba::grant(state, client, form),
        // RFC 6749 §5.2 unsupported_grant_type.
        GrantType::Other(_) if !state.policy.token.unknown_grant_unsupported => Err(
            OAuthError::invalid_request("the grant type is not supported"),
        ),
        GrantType::Other(_) => Err(OAuthError::unsupported_grant_type(
            "the grant type is not supported",
        )),
    }
}

/// The `code-public-no-client-id` and `device-public-no-client-id` faults: an anonymous
/// code exchange or device poll is attributed to the public client the code was issued to.
fn code_owner_fault(
    state: &AppState,
    grant_type: &GrantType,
    form: &Form,
) -> Option<Arc<ClientFixture>> {
    if *grant_type == GrantType::DeviceCode {
        return device_code::anonymous_owner(state, form);
    }
    if *grant_type != GrantType::AuthorizationCode || state.policy.code.public_client_id_required {
        return None;
    }
    let client_id = state.codes.client_of(form.get("code")?)?;
    state.client(&client_id).filter(|c| !c.is_confidential())
}

/// The `code-confidential-no-secret`, `refresh-confidential-no-secret` and
/// `device-confidential-no-secret` faults: a confidential client that only names itself is
/// taken at its word.
fn secretless_fault(
    state: &AppState,
    grant_type: &GrantType,
    headers: &HeaderMap,
    form: &Form,
) -> Option<Arc<ClientFixture>> {
    let applies = match grant_type {
        GrantType::AuthorizationCode => !state.policy.code.confidential_secret_required,
        GrantType::RefreshToken => !state.policy.refresh.confidential_secret_required,
        GrantType::DeviceCode => !state.policy.device.confidential_secret_required,
        _ => false,
    };
    if !applies
        || headers.contains_key(header::AUTHORIZATION)
        || form.get("client_secret").is_some()
    {
        return None;
    }
    state.client(form.get("client_id")?)
}

/// Response-shape faults of RFC 6749 §5.1.
fn apply_response_faults(policy: &TokenPolicy, mut token: TokenResponse) -> TokenResponse {
    if !policy.token_type_sent {
        token.token_type = None;
    }
    if !policy.expires_in_sent {
        token.expires_in = None;
    }
    token
}

/// RFC 6749 §5.1: "The authorization server MUST include the HTTP "Cache-Control" response
/// header field with a value of "no-store" in any response containing tokens, credentials,
/// or other sensitive information, as well as the "Pragma" response header field with a
/// value of "no-cache"." Sent on every token endpoint response, errors included.
fn with_cache_headers(policy: &TokenPolicy, mut response: Response) -> Response {
    let headers = response.headers_mut();
    if policy.no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if policy.pragma_no_cache {
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}
