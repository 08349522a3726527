//! Request objects (RFC 9101) passed by value in `request`, at the authorization endpoint
//! (§5) and at the PAR endpoint (RFC 9126 §3).
//!
//! The signature is verified against the client's registered keys or secret by
//! [`crate::client_jwt`] (§6.2), an unsecured object is refused (§5, §10.1: the object is
//! signed), `aud`, `exp` and `nbf` are checked as RFC 7519 §4.1.3-§4.1.5 require of every
//! JWT, `iss` and `client_id` must name the client (§4, §5, §6.3), and neither `request`
//! nor `request_uri` may sit inside the object (§4). Only the object's parameters make the
//! request (§6.3); the caller adds the outer `client_id`.

use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::client_jwt::{self, KEY_ALGS, Rejection, SECRET_ALGS};
use crate::fixtures::ClientFixture;
use crate::form::Form;
use crate::state::AppState;
use crate::store::unix_seconds;

/// Claims about the JWT itself rather than parameters of the authorization request.
const JWT_CLAIMS: &[&str] = &["iss", "aud", "exp", "nbf", "iat", "jti"];

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY: u64 = 5;

/// Verifies the request object `jwt` sent by `client` and returns the authorization request
/// it carries, `client_id` first. The error is an `error_description` for
/// `invalid_request_object` (RFC 9101 §7).
pub fn verify(state: &AppState, client: &ClientFixture, jwt: &str) -> Result<Form, String> {
    let policy = &state.policy.jar;
    let algs: Vec<Algorithm> = KEY_ALGS.iter().chain(SECRET_ALGS.iter()).copied().collect();
    let claims = match client_jwt::verify(client, jwt, &algs) {
        Ok(claims) => claims,
        // The faults: an unsecured object, or any signature, taken at its word.
        Err(Rejection::Unsecured) if !policy.none_refused => unverified(jwt)?,
        Err(Rejection::BadSignature | Rejection::NoKey | Rejection::AlgorithmNotAllowed)
            if !policy.signature_verified =>
        {
            unverified(jwt)?
        }
        Err(rejection) => return Err(rejection.to_string()),
    };
    // RFC 7519 §4.1.3: "If the principal processing the claim does not identify itself with
    // a value in the "aud" claim when this claim is present, then the JWT MUST be rejected."
    if let Some(aud) = claims.get("aud")
        && policy.aud_checked
    {
        let names_us = match aud {
            Value::String(one) => *one == state.issuer,
            Value::Array(many) => many.iter().any(|a| a.as_str() == Some(&state.issuer)),
            _ => false,
        };
        if !names_us {
            return Err("the request object's aud does not name this authorization server".into());
        }
    }
    // RFC 7519 §4.1.4 (exp) and §4.1.5 (nbf): the JWT "MUST NOT be accepted" outside them.
    let now = unix_seconds(std::time::SystemTime::now());
    let number = |name: &str| claims.get(name).and_then(Value::as_u64);
    if policy.lifetime_checked {
        if number("exp").is_some_and(|exp| now > exp + LEEWAY) {
            return Err("the request object has expired".into());
        }
        if number("nbf").is_some_and(|nbf| now + LEEWAY < nbf) {
            return Err("the request object is not yet valid".into());
        }
    }
    // §4: iss "SHOULD" be the client; this server insists when it is present.
    if claims
        .get("iss")
        .is_some_and(|iss| iss.as_str() != Some(&client.client_id))
    {
        return Err("the request object's iss is not the client".into());
    }
    // §5, §6.3: the outer client_id "MUST match the request ... Request Object's client_id".
    if claims
        .get("client_id")
        .is_some_and(|id| id.as_str() != Some(&client.client_id))
        && policy.client_id_matched
    {
        return Err("the request object's client_id differs from the request's".into());
    }
    // §4: "The request and request_uri parameters MUST NOT be included in Request Objects."
    if (claims.contains_key("request") || claims.contains_key("request_uri"))
        && policy.nested_refused
    {
        return Err("the request object contains request or request_uri".into());
    }
    let mut pairs = vec![("client_id".to_string(), client.client_id.clone())];
    for (name, value) in &claims {
        if JWT_CLAIMS.contains(&name.as_str()) || name == "client_id" {
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            // `claims` (OIDC Core §5.5) is a JSON object; numbers such as max_age as text.
            other => other.to_string(),
        };
        pairs.push((name.clone(), text));
    }
    Ok(Form::from_pairs(pairs))
}

fn unverified(jwt: &str) -> Result<serde_json::Map<String, Value>, String> {
    client_jwt::decode_unverified(jwt)
        .map(|u| u.claims)
        .map_err(|r| r.to_string())
}

/// The parameters of a request that carries `request`, merged under the
/// `jar-query-params-override` fault: outer values (but `request`) replace the object's.
pub fn merge_outer(object: Form, outer: &Form) -> Form {
    object.overridden_by(outer, "request")
}
