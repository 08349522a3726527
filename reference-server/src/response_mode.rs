//! How an authorization response reaches the client: the response modes of OAuth 2.0
//! Multiple Response Type Encoding Practices (query, fragment), the Form Post Response
//! Mode, and PingOne's `pi.flow` JSON; plus the `state` (RFC 6749 §4.1.2) and `iss`
//! (RFC 9207 §2) parameters every response carries.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use url::form_urlencoded;

use crate::errors::sanitize_description;
use crate::form::urldecode_component;
use crate::html;
use crate::policy::ResponsePolicy;
use crate::state::AppState;

/// A response mode (MRT §2.1, Form Post §2, PingOne `pi.flow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
    /// PingOne: the response is JSON in the flow's `authorizeResponse`.
    PiFlow,
}

impl ResponseMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
            ResponseMode::FormPost => "form_post",
            ResponseMode::PiFlow => "pi.flow",
        }
    }
}

/// The `response_type` values this server implements (RFC 6749 §3.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
}

impl ResponseType {
    pub fn parse(value: &str) -> Option<ResponseType> {
        match value {
            "code" => Some(ResponseType::Code),
            "token" => Some(ResponseType::Token),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
        }
    }
}

/// Where and how a checked authorization request is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub client_id: String,
    /// The redirect URI the response goes to: the one sent (after an exact match) or the
    /// single registered one.
    pub redirect_uri: String,
    pub mode: ResponseMode,
    /// `state` exactly as sent (RFC 6749 §4.1.2).
    pub state: Option<String>,
    /// The requested response type, when it was a known one.
    pub response_type: Option<ResponseType>,
}

/// An authorization error response (RFC 6749 §4.1.2.1, §4.2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    pub code: &'static str,
    pub description: String,
}

impl AuthError {
    pub fn new(code: &'static str, description: impl Into<String>) -> Self {
        AuthError {
            code,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }
}

/// What the response says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Response parameters such as `code`, or `access_token` and `token_type`.
    Success(Vec<(&'static str, String)>),
    Error(AuthError),
}

/// How a redirect is sent: 302 answers a GET; 303 answers a POST (RFC 9700 §4.12: never
/// 307 after a POST that may carry credentials); 307 only under the `login-redirect-307`
/// fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectStatus {
    Found,
    SeeOther,
    Temporary,
}

impl RedirectStatus {
    pub fn code(self) -> StatusCode {
        match self {
            RedirectStatus::Found => StatusCode::FOUND,
            RedirectStatus::SeeOther => StatusCode::SEE_OTHER,
            RedirectStatus::Temporary => StatusCode::TEMPORARY_REDIRECT,
        }
    }
}

/// The mode a response is actually delivered in (faults may change it for errors).
pub fn effective_mode(policy: &ResponsePolicy, target: &Target, outcome: &Outcome) -> ResponseMode {
    let is_error = matches!(outcome, Outcome::Error(_));
    match target.mode {
        ResponseMode::Fragment | ResponseMode::FormPost
            if is_error && !policy.errors_follow_mode =>
        {
            ResponseMode::Query
        }
        ResponseMode::Fragment
            if is_error
                && target.response_type == Some(ResponseType::Token)
                && !policy.token_errors_in_fragment =>
        {
            ResponseMode::Query
        }
        mode => mode,
    }
}

/// The response parameters, `state` and `iss` included, in the order sent.
pub fn params(
    state: &AppState,
    target: &Target,
    outcome: &Outcome,
    mode: ResponseMode,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = match outcome {
        Outcome::Success(pairs) => pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        Outcome::Error(error) => {
            // RFC 6749 §4.1.2.1: error_description excludes `"` and `\`.
            let description = if !state.policy.response.description_sanitized {
                format!("{} (see \"details\" \\ logs)", error.description)
            } else {
                sanitize_description(&error.description)
            };
            vec![
                ("error".into(), error.code.to_string()),
                ("error_description".into(), description),
            ]
        }
    };
    let is_error = matches!(outcome, Outcome::Error(_));
    match &target.state {
        // RFC 6749 §4.1.2 / §4.1.2.1: "REQUIRED if the "state" parameter was present in the
        // client authorization request. The exact value received from the client."
        Some(value) => {
            let dropped = (!is_error && !state.policy.response.state_on_success)
                || (is_error && !state.policy.response.state_on_error)
                || (mode == ResponseMode::FormPost && !state.policy.form_post.state_included);
            if !dropped {
                let value = if !state.policy.response.state_exact {
                    urldecode_component(value)
                } else {
                    value.clone()
                };
                out.push(("state".into(), value));
            }
        }
        None if !state.policy.response.state_only_if_sent => {
            out.push(("state".into(), "oauth2spec-state".into()));
        }
        None => {}
    }
    // RFC 9207 §2: `iss` in every authorization response, success or error, every mode.
    let dropped = (!is_error && !state.policy.response.iss_on_success)
        || (is_error && !state.policy.response.iss_on_error)
        || (mode == ResponseMode::Fragment && !state.policy.response.iss_in_fragment)
        || (mode == ResponseMode::FormPost && !state.policy.response.iss_in_form_post);
    if !dropped {
        let iss = if !state.policy.response.iss_exact {
            format!("{}/", state.issuer)
        } else {
            state.issuer.clone()
        };
        out.push(("iss".into(), iss));
    }
    out
}

/// Sends the authorization response to the client.
pub fn deliver(
    state: &AppState,
    target: &Target,
    outcome: &Outcome,
    status: RedirectStatus,
) -> Response {
    let mode = effective_mode(&state.policy.response, target, outcome);
    let params = params(state, target, outcome, mode);
    let uri = if !state.policy.response.query_retained {
        without_query(&target.redirect_uri)
    } else {
        target.redirect_uri.clone()
    };
    match mode {
        // RFC 6749 §4.1.2: "adding the following parameters to the query component of the
        // redirection URI"; §3.1.2: "MUST retain the query component" of the registered URI.
        ResponseMode::Query => redirect(status, &append_query(&uri, &params)),
        // RFC 6749 §4.2.2: "adding the following parameters to the fragment component".
        ResponseMode::Fragment => redirect(status, &append_fragment(&uri, &params)),
        ResponseMode::FormPost => form_post_page(state, &uri, &params),
        ResponseMode::PiFlow => {
            let body = serde_json::json!({
                "status": "COMPLETED",
                "authorizeResponse": params_object(&params),
            });
            let mut response = (StatusCode::OK, axum::Json(body)).into_response();
            no_store(&mut response);
            response
        }
    }
}

/// The parameters as a JSON object (PingOne's `authorizeResponse`).
pub fn params_object(params: &[(String, String)]) -> Map<String, Value> {
    params
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

fn encode(params: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// Appends `params` to the query of `uri`, keeping its query and fragment as they are.
pub fn append_query(uri: &str, params: &[(String, String)]) -> String {
    let (base, fragment) = match uri.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (uri, None),
    };
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!("{base}{separator}{}", encode(params));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Appends `params` to the fragment of `uri`.
pub fn append_fragment(uri: &str, params: &[(String, String)]) -> String {
    match uri.split_once('#') {
        Some((_, fragment)) if !fragment.is_empty() => format!("{uri}&{}", encode(params)),
        Some(_) => format!("{uri}{}", encode(params)),
        None => format!("{uri}#{}", encode(params)),
    }
}

fn without_query(uri: &str) -> String {
    let (base, fragment) = match uri.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (uri, None),
    };
    let base = base.split('?').next().unwrap_or(base);
    match fragment {
        Some(fragment) => format!("{base}#{fragment}"),
        None => base.to_string(),
    }
}

/// A redirect carrying response parameters: never cached.
pub fn redirect(status: RedirectStatus, location: &str) -> Response {
    let mut response = status.code().into_response();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            response.headers_mut().insert(header::LOCATION, value);
        }
        // Only a redirect URI with control characters could get here, and exact matching
        // against the registered URIs keeps those out.
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    no_store(&mut response);
    response
}

fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

/// Form Post Response Mode §2: "an HTML form ... auto-submitted in the User Agent, and thus
/// is transmitted via the HTTP POST method to the Client, with the result parameters being
/// encoded in the body using the application/x-www-form-urlencoded format. The action
/// attribute of the form MUST be the Client's Redirection URI." The page must not be cached.
fn form_post_page(state: &AppState, uri: &str, params: &[(String, String)]) -> Response {
    let escape = |s: &str| {
        if !state.policy.form_post.escaped {
            s.to_string()
        } else {
            html::escape(s)
        }
    };
    let action = if !state.policy.form_post.action_is_redirect_uri {
        state.url(&state.paths.authorization)
    } else if !state.policy.form_post.action_without_params {
        append_query(uri, params)
    } else {
        uri.to_string()
    };
    let method = if !state.policy.form_post.post_method {
        "get"
    } else {
        "post"
    };
    let onload = if !state.policy.form_post.auto_submit {
        ""
    } else {
        " onload=\"document.forms[0].submit()\""
    };
    let mut body = format!(
        "<form method=\"{method}\" action=\"{}\">\n",
        escape(&action)
    );
    for (name, value) in params {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            escape(name),
            escape(value)
        ));
    }
    body.push_str(
        "<noscript><p>Scripts are off: press Continue to return to the application.</p>\
         <button type=\"submit\">Continue</button></noscript>\n</form>",
    );
    let mut response = html::respond(
        state.policy.pages,
        StatusCode::OK,
        html::document("Submit this form", onload, &body),
    );
    if !state.policy.form_post.no_store {
        response.headers_mut().remove(header::CACHE_CONTROL);
        response.headers_mut().remove(header::PRAGMA);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn query_and_fragment_keep_what_the_uri_had() {
        let params = p(&[("code", "a b"), ("state", "x+y&z")]);
        assert_eq!(
            append_query("http://c/cb?tenant=1", &params),
            "http://c/cb?tenant=1&code=a+b&state=x%2By%26z"
        );
        assert_eq!(
            append_query("http://c/cb", &params),
            "http://c/cb?code=a+b&state=x%2By%26z"
        );
        assert_eq!(
            append_query("http://c/cb#f", &params[..1]),
            "http://c/cb?code=a+b#f"
        );
        assert_eq!(
            append_fragment("http://c/cb?tenant=1", &params[..1]),
            "http://c/cb?tenant=1#code=a+b"
        );
        assert_eq!(
            append_fragment("http://c/cb#f=1", &params[..1]),
            "http://c/cb#f=1&code=a+b"
        );
        assert_eq!(without_query("http://c/cb?tenant=1#f"), "http://c/cb#f");
    }
}
