//! The pushed authorization request endpoint (RFC 9126 §2): client authentication as at the
//! token endpoint, the same validation as at the authorization endpoint, and the
//! `request_uri` the client then sends there; and the resolution of such a `request_uri`
//! at the authorization endpoint (§4).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::authz_request::{self, Checked, Origin, Pending};
use crate::client_auth::{Caller, ClientAuthError, authenticate};
use crate::client_jwt;
use crate::errors::{ErrorCode, OAuthError, method_not_allowed};
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::par::Redeem;
use crate::request_object;
use crate::request_uri::{self, Fetched};
use crate::state::{AppState, SharedState};

/// Client-authentication parameters: never part of the stored authorization request.
const CLIENT_AUTH_PARAMETERS: &[&str] =
    &["client_secret", "client_assertion", "client_assertion_type"];

/// `POST` on the PAR endpoint (§2.1: "The client sends the parameters ... using the
/// application/x-www-form-urlencoded format ... in the HTTP request entity-body").
pub async fn post(State(state): State<SharedState>, headers: HeaderMap, body: Bytes) -> Response {
    let response = match Form::parse(&headers, &body) {
        Ok(form) => push(&state, &headers, &form),
        Err(error) => Err(OAuthError::invalid_request(error.to_string())),
    };
    respond(&state, response)
}

/// `GET`: 405, unless the `par-get-accepted` fault takes the query as the request.
pub async fn get(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    if state.policy.par.post_only {
        return other_method(State(state)).await;
    }
    let form = Form::from_query(uri.query().unwrap_or(""));
    let response = push(&state, &headers, &form);
    respond(&state, response)
}

/// Any other method: §2 "The endpoint accepts the authorization request parameters ...
/// via HTTP POST"; §2.3 names 405 for other methods.
pub async fn other_method(State(state): State<SharedState>) -> Response {
    no_store(method_not_allowed("POST", state.policy.par.error_format))
}

fn respond(state: &AppState, result: Result<(String, u64), OAuthError>) -> Response {
    let policy = &state.policy.par;
    let response = match result {
        Ok((request_uri, expires_in)) => {
            // §2.2: "the authorization server ... returns a JSON response with the
            // following parameters to the client using the HTTP status code 201".
            let status = if policy.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let expires_in = if policy.expires_in_numeric {
                json!(expires_in)
            } else {
                json!(expires_in.to_string())
            };
            let body = json!({ "request_uri": request_uri, "expires_in": expires_in });
            (status, axum::Json(body)).into_response()
        }
        Err(error) => error.to_response(policy.error_format),
    };
    no_store(response)
}

/// The request URI is a credential of sorts (§7.1): keep it out of caches, as the RFC's
/// example response does.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Authenticates, validates and stores one push; the new request URI and its lifetime.
fn push(state: &AppState, headers: &HeaderMap, form: &Form) -> Result<(String, u64), OAuthError> {
    let policy = &state.policy.par;
    // RFC 6749 §3.1 (the authorization request's rule): no parameter more than once.
    if form.repeated().is_some() {
        return Err(OAuthError::invalid_request(
            "a request parameter is included more than once",
        ));
    }
    let client = client(state, headers, form)?;
    // §2.1: "Reject the request if the request_uri authorization request parameter is
    // provided."
    if form.get("request_uri").is_some() && policy.request_uri_refused {
        return Err(OAuthError::invalid_request(
            "request_uri is not allowed in a pushed authorization request",
        ));
    }
    // The stored request: the authorization parameters, with the authenticated client's
    // `client_id` (a client authenticating with HTTP Basic may leave it out of the body).
    let mut pairs: Vec<(String, String)> = form
        .pairs()
        .iter()
        .filter(|(name, _)| !CLIENT_AUTH_PARAMETERS.contains(&name.as_str()))
        .filter(|(name, _)| name != "client_id")
        .cloned()
        .collect();
    pairs.insert(0, ("client_id".into(), client.client_id.clone()));
    let outer = Form::from_pairs(pairs);
    let request = match form.get("request") {
        Some(jwt) => pushed_object(state, &client, &outer, jwt)?,
        None => outer,
    };
    // §2.1: "Validate the pushed request as it would an authorization request sent to the
    // authorization endpoint"; §2.3: errors in the token endpoint's JSON format.
    let origin = Origin::Pushed {
        lenient: !policy.validated,
    };
    match authz_request::check_as(state, &request, origin) {
        Checked::Page { message, .. } => return Err(OAuthError::invalid_request(message)),
        Checked::Untrusted(_, error)
        | Checked::Trusted {
            pending: Pending::Error(_, error),
            ..
        } => {
            let code = ErrorCode::of_authorization_error(error.code);
            return Err(OAuthError::bad_request(code, error.description));
        }
        Checked::Trusted {
            pending: Pending::Grant(_),
            ..
        } => {}
    }
    let ttl = state.config.par_ttl;
    let uri = state.par.push(policy, &client.client_id, request, ttl);
    Ok((uri, ttl.as_secs().max(1)))
}

/// §2.1: "Authenticate the client in the same way as at the token endpoint".
fn client(
    state: &AppState,
    headers: &HeaderMap,
    form: &Form,
) -> Result<Arc<ClientFixture>, OAuthError> {
    let policy = &state.policy.par;
    let fixtures = &state.clients;
    // RFC 9126 §2: for JWT client authentication the issuer, the token endpoint URL and the
    // PAR endpoint URL are all audiences of the assertion ("the authorization server MUST
    // accept its issuer identifier, token endpoint URL, or pushed authorization request
    // endpoint URL as values that identify it as an intended audience").
    let endpoint = match policy.own_url_audience {
        true => &state.paths.par,
        false => &state.paths.token,
    };
    let jwt = state.assertion_context(endpoint);
    match authenticate(fixtures, policy.client_auth, &jwt, headers, form) {
        Ok(Caller::Client(client)) => Ok(client),
        Ok(Caller::Anonymous) => Err(OAuthError::invalid_client(
            "client authentication is required",
        )),
        // The `par-unauthenticated-accepted` fault: a confidential client's bare
        // `client_id` is taken as proof.
        Err(ClientAuthError::Failed { .. })
            if !policy.confidential_must_authenticate
                && headers.get(header::AUTHORIZATION).is_none()
                && form.get("client_secret").is_none() =>
        {
            form.get("client_id")
                .and_then(|id| fixtures.client(id))
                .ok_or_else(|| OAuthError::invalid_client("unknown client"))
        }
        // RFC 6749 §5.2: 401 with a challenge when the Authorization header was tried.
        Err(failure) => Err(failure.to_oauth_error()),
    }
}

/// What the authorization endpoint makes of a request's `request_uri` (§4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// No pushed request: the front-channel parameters are the request.
    FrontChannel,
    /// The pushed request, to check as the request.
    Pushed(Form),
    /// A request object by value or by reference (RFC 9101 §5): its parameters are the
    /// request.
    ByValue(Form),
    /// A request object that failed verification, `invalid_request_object` (RFC 9101 §6.2,
    /// §7), or could not be fetched, `invalid_request_uri` (§7), for `client_id`.
    ObjectError {
        client_id: String,
        code: &'static str,
        description: String,
    },
    /// A `request_uri` by reference where this server fetches none: the front-channel
    /// request, answered with `request_uri_not_supported` (OpenID Connect Core §6.2: "the
    /// OP MUST return the request_uri_not_supported error").
    UriUnsupported,
    /// Refused: an error page (the redirect URI is in the pushed request, which cannot be
    /// trusted to belong to this client).
    Refused(&'static str),
}

/// Resolves the `request_uri` of the authorization request `form`, nothing fetched.
pub fn resolve(state: &AppState, form: &Form) -> Resolved {
    resolve_with(state, form, None)
}

/// Resolves the `request` or `request_uri` of the authorization request `form`, given
/// what [`request_uri::fetch`] fetched for it.
pub fn resolve_with(state: &AppState, form: &Form, fetched: Option<Fetched>) -> Resolved {
    let policy = &state.policy.par;
    if form.get("request").is_some() && state.policy.jar.supported {
        return by_value(state, form);
    }
    let Some(uri) = form.get("request_uri") else {
        return Resolved::FrontChannel;
    };
    if request_uri::by_reference(uri) {
        match fetched {
            Some(fetched) => return by_reference(state, form, fetched),
            // The `jar-unsupported-request-uri-ignored` fault: advertised as unsupported,
            // and silently ignored.
            None if !state.policy.jar.uri_supported => return Resolved::FrontChannel,
            None if !request_uri::supported(state) => return Resolved::UriUnsupported,
            None => {}
        }
    }
    // §4: "client_id REQUIRED" beside request_uri.
    let client_id = form.get("client_id");
    if client_id.is_none() && policy.client_id_required {
        return Resolved::Refused("client_id is required beside request_uri.");
    }
    let pushed = match state.par.redeem(policy, uri) {
        Ok(pushed) => pushed,
        Err(_) if !policy.unknown_refused => return Resolved::FrontChannel,
        Err(Redeem::Unknown) => {
            return Resolved::Refused("The request_uri is unknown or was already used.");
        }
        Err(Redeem::Expired) => return Resolved::Refused("The request_uri has expired."),
    };
    // §2.2: "The request_uri value MUST be bound to the client that posted the
    // authorization request."
    if client_id.is_some_and(|id| id != pushed.client_id) && policy.bound_to_client {
        return Resolved::Refused("The request_uri was pushed by another client.");
    }
    let mut pairs = pushed.form.pairs().to_vec();
    if !policy.challenge_kept {
        pairs.retain(|(name, _)| !name.starts_with("code_challenge"));
    }
    let pushed = Form::from_pairs(pairs);
    if !policy.pushed_authoritative {
        // The fault: front-channel values replace pushed ones.
        return Resolved::Pushed(pushed.overridden_by(form, "request_uri"));
    }
    Resolved::Pushed(pushed)
}

/// RFC 9126 §3: a pushed request object, verified as RFC 9101 requires. Beside it only
/// client authentication parameters and `client_id` may be sent (§3: the object "MUST
/// contain all the authorization request parameters"; RFC 9101 §6.3; the AIC parameter
/// table of seed 003 refuses others too).
fn pushed_object(
    state: &AppState,
    client: &ClientFixture,
    outer: &Form,
    jwt: &str,
) -> Result<Form, OAuthError> {
    let jar = &state.policy.jar;
    let extra = outer
        .pairs()
        .iter()
        .any(|(name, _)| name != "request" && name != "client_id");
    if extra && jar.object_authoritative {
        return Err(OAuthError::invalid_request(
            "only client authentication parameters may accompany a request object",
        ));
    }
    let object = request_object::verify(state, client, jwt)
        .map_err(|d| OAuthError::bad_request(ErrorCode::InvalidRequestObject, d))?;
    if jar.object_authoritative {
        Ok(object)
    } else {
        Ok(request_object::merge_outer(object, outer))
    }
}

/// RFC 9101 §5: the request object in `request`, for the client named by `client_id`.
fn by_value(state: &AppState, form: &Form) -> Resolved {
    let jar = &state.policy.jar;
    let Some(jwt) = form.get("request") else {
        return Resolved::FrontChannel;
    };
    // §5: request and request_uri are never sent together.
    if form.get("request_uri").is_some() && jar.request_and_uri_refused {
        return Resolved::Refused("request and request_uri cannot be sent together.");
    }
    let client_id = match form.get("client_id") {
        Some(id) => id.to_string(),
        // The `jar-client-id-outside-optional` fault: the object names the client.
        None if !jar.client_id_required => client_jwt::decode_unverified(jwt)
            .ok()
            .and_then(|u| u.claims.get("client_id")?.as_str().map(str::to_string))
            .unwrap_or_default(),
        None => return Resolved::Refused("client_id is required beside request."),
    };
    object_request(state, form, client_id, jwt)
}

/// The request object `jwt` of the client `client_id`, sent with the outer parameters
/// `form`, verified (RFC 9101 §6).
fn object_request(state: &AppState, form: &Form, client_id: String, jwt: &str) -> Resolved {
    let jar = &state.policy.jar;
    let Some(client) = state.client(&client_id) else {
        return Resolved::Refused("The client is not known to this server.");
    };
    match request_object::verify(state, &client, jwt) {
        Ok(object) if jar.object_authoritative => Resolved::ByValue(object),
        Ok(object) => Resolved::ByValue(request_object::merge_outer(object, form)),
        Err(description) => Resolved::ObjectError {
            client_id,
            code: "invalid_request_object",
            description,
        },
    }
}

/// RFC 9101 §5.2: the request object fetched from the client's `request_uri`.
fn by_reference(state: &AppState, form: &Form, fetched: Fetched) -> Resolved {
    // §5: "client_id REQUIRED" beside the request_uri, as beside `request`.
    let Some(client_id) = form.get("client_id") else {
        return Resolved::Refused("client_id is required beside request_uri.");
    };
    match fetched {
        Fetched::Object(jwt) => object_request(state, form, client_id.to_string(), &jwt),
        // The fault: the front-channel parameters stand in for the missing object.
        Fetched::Failed(_) if !state.policy.jar.fetch_failure_refused => Resolved::FrontChannel,
        Fetched::Failed(description) => Resolved::ObjectError {
            client_id: client_id.to_string(),
            code: "invalid_request_uri",
            description,
        },
    }
}
