//! The backchannel authentication endpoint of OpenID CIBA Core 1.0 (§7): client
//! authentication, validation of the authentication request (§7.1, §7.2), the
//! acknowledgement (§7.3) and the errors of §13; and what happens once the user decided on
//! the authentication device (the ping of §10.2, the push of §10.3 and §12).
//!
//! The authentication device is simulated: a request waits until the test-only
//! `ciba_decision` hook (`endpoints::test_hooks`) approves or denies it as the user.

use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};

use crate::authz_request::OPENID;
use crate::ciba::{CibaRequest, Decision, DeliveryMode, GRANT_TYPE, whole_seconds};
use crate::client_auth::{Caller, authenticate};
use crate::errors::{ErrorCode, ErrorFormat, OAuthError, method_not_allowed};
use crate::fixtures::{ClientFixture, UserFixture};
use crate::form::Form;
use crate::grants::{self, ciba as ciba_grant};
use crate::notifier::{Notification, dispatch};
use crate::pkce::constant_time_eq;
use crate::policy::CibaPolicy;
use crate::scope;
use crate::state::{AppState, SharedState};

/// The longest `binding_message` accepted, in characters. CIBA §7.1: the client "SHOULD
/// keep the message relatively short"; it must fit a phone's lock screen.
pub const MAX_BINDING_MESSAGE: usize = 100;
/// CIBA §7.1: `client_notification_token` "MUST NOT exceed 1024 characters".
pub const MAX_NOTIFICATION_TOKEN: usize = 1024;
/// The longest `requested_expiry` honoured, in seconds.
pub const MAX_REQUESTED_EXPIRY: u64 = 3600;

/// The parameters this endpoint knows (CIBA §7.1 and client authentication); any other is
/// ignored (§7.2), except under the `ciba-unknown-params-rejected` fault.
const KNOWN_PARAMS: [&str; 14] = [
    "scope",
    "client_notification_token",
    "acr_values",
    "login_hint_token",
    "id_token_hint",
    "login_hint",
    "binding_message",
    "user_code",
    "requested_expiry",
    "request",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// `POST` on the backchannel authentication endpoint.
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let response = match authentication_request(&state, &headers, &body) {
        Ok(ack) => (StatusCode::OK, axum::Json(Value::Object(ack))).into_response(),
        Err(error) => error.to_response(ErrorFormat::Json),
    };
    with_cache_headers(&state.policy.ciba, response)
}

/// Any other method: CIBA §7.1 requests are HTTP POSTs.
pub async fn other_method(State(state): State<SharedState>) -> Response {
    with_cache_headers(
        &state.policy.ciba,
        method_not_allowed("POST", ErrorFormat::Json),
    )
}

/// RFC 6749 §5.1 (OIDC Core §3.1.3.3): a response carrying an `auth_req_id` or an error
/// about credentials is not cached.
fn with_cache_headers(policy: &CibaPolicy, mut response: Response) -> Response {
    if policy.no_store {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}

/// Validates the request in the order of CIBA §7.2 and stores it; the acknowledgement.
fn authentication_request(
    state: &SharedState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Map<String, Value>, OAuthError> {
    let policy = &state.policy.ciba;
    let form =
        Form::parse(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    // RFC 6749 §3.2 (CIBA §7.1 builds on it): parameters MUST NOT repeat.
    if let Some(name) = form.repeated() {
        return Err(OAuthError::invalid_request(format!(
            "the parameter {name} is included more than once"
        )));
    }
    // §7.2 step 1: "Authenticate the Client".
    let client = authenticate_client(state, headers, &form)?;
    let mode = client
        .backchannel_token_delivery_mode
        .as_deref()
        .and_then(DeliveryMode::parse);
    // §13 unauthorized_client: "The Client is not authorized to use this authentication
    // flow."
    let mode = match mode {
        Some(mode) if client.has_grant_type(GRANT_TYPE) => mode,
        _ if !policy.grant_checked => DeliveryMode::Poll,
        _ => {
            return Err(OAuthError::unauthorized_client(
                "the client is not registered for CIBA",
            ));
        }
    };
    // §7.1.1 signed requests are not offered (no
    // backchannel_authentication_request_signing_alg_values_supported), so `request` is a
    // parameter this server cannot honour; ignoring it would drop the real parameters.
    if form.get("request").is_some() {
        if !policy.error_codes_listed {
            return Err(OAuthError::bad_request(
                ErrorCode::InvalidRequestObject,
                "signed authentication requests are not supported",
            ));
        }
        return Err(OAuthError::invalid_request(
            "signed authentication requests are not supported",
        ));
    }
    if !policy.unknown_params_ignored
        && let Some((name, _)) = form
            .pairs()
            .iter()
            .find(|(name, _)| !KNOWN_PARAMS.contains(&name.as_str()))
    {
        return Err(OAuthError::invalid_request(format!(
            "unknown parameter {name}"
        )));
    }
    let scope = granted_scope(&client, &form)?;
    let notification_token = notification_token(policy, mode, &form)?;
    let user = hinted_user(state, &client, &form)?;
    check_user_code(policy, &client, user, &form)?;
    let binding_message = binding_message(&form)?;
    let ttl = match form.get("requested_expiry") {
        None => state.config.ciba_ttl,
        Some(value) => Duration::from_secs(requested_expiry(value)?),
    };
    let notification_endpoint = match mode {
        DeliveryMode::Poll => None,
        DeliveryMode::Ping | DeliveryMode::Push => Some(
            state
                .config
                .ciba_notification_endpoint
                .clone()
                .or_else(|| client.backchannel_client_notification_endpoint.clone())
                .ok_or_else(|| {
                    OAuthError::unauthorized_client(
                        "the client has no backchannel_client_notification_endpoint",
                    )
                })?,
        ),
    };
    let record = CibaRequest {
        client_id: client.client_id.clone(),
        subject: user.subject(),
        scope,
        mode,
        notification_token,
        notification_endpoint,
        binding_message,
        acr: form
            .get("acr_values")
            .and_then(|v| v.split(' ').find(|s| !s.is_empty()))
            .map(str::to_string),
        expires_at: SystemTime::now() + ttl,
        interval: state.config.ciba_interval,
        last_poll: None,
        decision: Decision::Pending,
        grant_id: grants::new_grant_id(),
    };
    let id = state.ciba.insert(record.clone(), policy.auth_req_id_strong);
    if mode == DeliveryMode::Ping
        && !policy.ping_after_decision
        && let Some(notification) = ping(policy, &id, &record)
    {
        dispatch(state, notification);
    }
    // §7.3: auth_req_id and expires_in REQUIRED; interval only for poll and ping clients.
    let mut ack = Map::new();
    ack.insert("auth_req_id".into(), json!(id));
    if policy.ack_expires_in_sent {
        ack.insert("expires_in".into(), json!(whole_seconds(ttl)));
    }
    if mode != DeliveryMode::Push {
        ack.insert(
            "interval".into(),
            json!(whole_seconds(state.config.ciba_interval)),
        );
    }
    Ok(ack)
}

/// §7.1: "The Client MUST authenticate to the Backchannel Authentication Endpoint using
/// the authentication method registered for its client_id"; §13: failures are 401
/// `invalid_client`. A public client cannot authenticate, so it cannot use CIBA.
fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &Form,
) -> Result<std::sync::Arc<ClientFixture>, OAuthError> {
    let policy = &state.policy.ciba;
    let failed = |description: &str| {
        let mut error = OAuthError::invalid_client(description);
        error.status = policy.invalid_client_status;
        error.www_authenticate = error.status == StatusCode::UNAUTHORIZED;
        error
    };
    let jwt = state.assertion_context(&state.paths.backchannel_authentication);
    match authenticate(&state.clients, policy.client_auth, &jwt, headers, form) {
        Ok(Caller::Client(client)) if client.is_confidential() => Ok(client),
        Ok(Caller::Client(_)) => Err(failed("public clients cannot use CIBA")),
        Ok(Caller::Anonymous) => Err(failed("client authentication is required")),
        Err(failure) => {
            let error = failure.to_oauth_error();
            if error.code == ErrorCode::InvalidClient {
                Err(failed(&error.description))
            } else {
                Err(error)
            }
        }
    }
}

/// §7.1 `scope` is REQUIRED and "MUST contain the openid scope value"; the rest must be
/// registered for the client (§13 invalid_scope).
fn granted_scope(client: &ClientFixture, form: &Form) -> Result<String, OAuthError> {
    let requested = form
        .get("scope")
        .ok_or_else(|| OAuthError::invalid_request("scope is missing"))?;
    let tokens = scope::parse(requested).map_err(|e| OAuthError::invalid_scope(e.to_string()))?;
    // §7.1: the client's scope "MUST" contain openid. The OP's reaction is not specified
    // (CIBA-7.1-openid-scope is info); this server refuses, as a strict one may.
    if !tokens.contains(&OPENID) {
        return Err(OAuthError::invalid_scope("the scope must contain openid"));
    }
    let allowed = client.scopes().chain(std::iter::once(OPENID));
    if !scope::is_subset(&tokens, allowed) {
        return Err(OAuthError::invalid_scope(
            "the scope exceeds the client's registration",
        ));
    }
    Ok(scope::join(&tokens))
}

/// §7.1 `client_notification_token`: "REQUIRED if the Client is registered to use Ping or
/// Push modes"; at most 1024 characters of RFC 6750 §2.1 `b64token` syntax, since it is
/// sent back as a bearer credential.
fn notification_token(
    policy: &CibaPolicy,
    mode: DeliveryMode,
    form: &Form,
) -> Result<Option<String>, OAuthError> {
    if mode == DeliveryMode::Poll {
        return Ok(None);
    }
    let Some(token) = form.get("client_notification_token") else {
        if policy.notification_token_required {
            return Err(OAuthError::invalid_request(
                "client_notification_token is required for ping and push clients",
            ));
        }
        return Ok(None);
    };
    let b64token = token.len() <= MAX_NOTIFICATION_TOKEN
        && token.trim_end_matches('=').bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
        && !token.trim_end_matches('=').is_empty();
    if !b64token {
        return Err(OAuthError::invalid_request(
            "client_notification_token must be an RFC 6750 b64token of at most 1024 characters",
        ));
    }
    Ok(Some(token.to_string()))
}

/// §7.1: "exactly one" of `login_hint_token`, `id_token_hint` and `login_hint`; §7.2 step 4
/// and 5: the hint must name a known user, else `unknown_user_id`.
fn hinted_user<'a>(
    state: &'a AppState,
    client: &ClientFixture,
    form: &Form,
) -> Result<&'a UserFixture, OAuthError> {
    let policy = &state.policy.ciba;
    let hints: Vec<(&str, &str)> = ["login_hint", "id_token_hint", "login_hint_token"]
        .into_iter()
        .filter_map(|name| form.get(name).map(|value| (name, value)))
        .collect();
    let (name, value) = match hints.as_slice() {
        [] => {
            return Err(OAuthError::invalid_request(
                "one of login_hint, id_token_hint or login_hint_token is required",
            ));
        }
        [hint] => *hint,
        [first, ..] if !policy.one_hint_enforced => *first,
        _ => {
            return Err(OAuthError::invalid_request(
                "send exactly one of login_hint, id_token_hint and login_hint_token",
            ));
        }
    };
    let fixtures = &state.config.fixtures;
    let user = match name {
        // The login_hint of this server is a username (§7.1 leaves the format open).
        "login_hint" => fixtures.user(value),
        "id_token_hint" => {
            let subject = verify_id_token_hint(state, client, value)?;
            fixtures.user_by_subject(&subject)
        }
        _ => {
            return Err(OAuthError::invalid_request(
                "this server defines no login_hint_token format",
            ));
        }
    };
    match user {
        Some(user) => Ok(user),
        None if !policy.unknown_user_refused => fixtures.users.first().ok_or_else(unknown_user),
        None => Err(unknown_user()),
    }
}

fn unknown_user() -> OAuthError {
    OAuthError::bad_request(ErrorCode::UnknownUserId, "the hint names no known user")
}

/// §7.1 `id_token_hint`: "An ID Token previously issued to the Client by the OpenID
/// Provider". §14 (lowercase should): check the issuer, that the client is in `aud`, and the
/// signature; accept expired ID tokens. Returns the `sub`.
fn verify_id_token_hint(
    state: &AppState,
    client: &ClientFixture,
    token: &str,
) -> Result<String, OAuthError> {
    let invalid =
        || OAuthError::invalid_request("the id_token_hint is not a valid ID token of this server");
    if !state.policy.ciba.id_token_hint_accepted {
        return Err(OAuthError::invalid_request("id_token_hint is not accepted"));
    }
    let jwk: Jwk = serde_json::from_value(Value::Object(state.keys.signing.public_jwk()))
        .map_err(|_| invalid())?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| invalid())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["iss", "aud", "sub"]);
    validation.set_issuer(&[state.issuer.as_str()]);
    validation.set_audience(&[client.client_id.as_str()]);
    let data = jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|_| invalid())?;
    data.claims
        .get("sub")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(invalid)
}

/// §7.1 `user_code` with §13 `missing_user_code` and `invalid_user_code`: required from a
/// client registered with `backchannel_user_code_parameter` for a user who has one
/// (§7.1.2 lets the OP allow users without a code).
fn check_user_code(
    policy: &CibaPolicy,
    client: &ClientFixture,
    user: &UserFixture,
    form: &Form,
) -> Result<(), OAuthError> {
    let Some(registered) = user.user_code.as_deref() else {
        return Ok(());
    };
    if !client.backchannel_user_code_parameter {
        return Ok(());
    }
    match form.get("user_code") {
        // §7.1.2 lets an OP allow users without a user code (CIBA-7.1-user-code, info);
        // this server requires a registered one.
        None => Err(OAuthError::bad_request(
            ErrorCode::MissingUserCode,
            "user_code is required for this user",
        )),
        Some(code) if policy.user_code_checked && !constant_time_eq(code, registered) => Err(
            OAuthError::bad_request(ErrorCode::InvalidUserCode, "the user_code is not valid"),
        ),
        _ => Ok(()),
    }
}

/// §7.1 `binding_message`: "SHOULD be relatively short and use a limited set of plain text
/// characters"; §13 `invalid_binding_message` for one that cannot be displayed.
fn binding_message(form: &Form) -> Result<Option<String>, OAuthError> {
    let Some(message) = form.get("binding_message") else {
        return Ok(None);
    };
    if message.chars().count() > MAX_BINDING_MESSAGE || message.chars().any(char::is_control) {
        return Err(OAuthError::bad_request(
            ErrorCode::InvalidBindingMessage,
            "the binding_message must be short plain text",
        ));
    }
    Ok(Some(message.to_string()))
}

/// §7.1 `requested_expiry`: "A positive integer"; honoured up to [`MAX_REQUESTED_EXPIRY`].
fn requested_expiry(value: &str) -> Result<u64, OAuthError> {
    let seconds = value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<u64>().ok())
        .flatten()
        .filter(|s| *s > 0)
        .ok_or_else(|| {
            OAuthError::invalid_request("requested_expiry must be a positive integer")
        })?;
    Ok(seconds.min(MAX_REQUESTED_EXPIRY))
}

/// What the user's decision on `record` (now recorded) sends to the client: the ping of
/// §10.2 after a successful or failed authentication, the tokens of §10.3 or the error of
/// §12. Poll clients get nothing (§10: only the registered mode).
pub fn deliver(state: &SharedState, id: &str, record: &CibaRequest) {
    let policy = &state.policy.ciba;
    let approved = matches!(record.decision, Decision::Approved { .. });
    let notification = match record.mode {
        DeliveryMode::Poll => None,
        DeliveryMode::Ping => {
            let due = policy.ping_after_decision && (approved || policy.ping_on_denial);
            if due { ping(policy, id, record) } else { None }
        }
        DeliveryMode::Push if approved => state.client(&record.client_id).and_then(|client| {
            let response = ciba_grant::tokens(state, &client, record, Some(id));
            notification(
                "push",
                record,
                policy.push_bearer,
                ciba_grant::push_payload(&response, id),
            )
        }),
        // §12: "error", "error_description" and "auth_req_id" as JSON.
        DeliveryMode::Push if policy.push_error_sent => notification(
            "push-error",
            record,
            policy.push_bearer,
            json!({
                "error": "access_denied",
                "error_description": "the user denied the request",
                "auth_req_id": id,
            }),
        ),
        DeliveryMode::Push => None,
    };
    if let Some(notification) = notification {
        dispatch(state, notification);
    }
}

/// §10.2: "the OP will send an HTTP POST Request to the Client Notification Endpoint" with
/// the bearer token and "only the auth_req_id".
fn ping(policy: &CibaPolicy, id: &str, record: &CibaRequest) -> Option<Notification> {
    let mut body = json!({ "auth_req_id": id });
    if !policy.ping_body_only
        && let Some(object) = body.as_object_mut()
    {
        object.insert("status".into(), json!("ready"));
    }
    notification("ping", record, policy.ping_bearer, body)
}

fn notification(
    kind: &'static str,
    record: &CibaRequest,
    bearer: bool,
    body: Value,
) -> Option<Notification> {
    Some(Notification {
        kind,
        url: record.notification_endpoint.clone()?,
        bearer: record.notification_token.clone().filter(|_| bearer),
        body,
    })
}
