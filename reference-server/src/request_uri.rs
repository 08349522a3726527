//! Request objects passed by reference (RFC 9101 §5.2): the authorization endpoint fetches
//! the object at a `request_uri` the client hosts, before the request is resolved.
//!
//! §5.2.3: "the authorization server MUST send an HTTP GET request to the request_uri to
//! retrieve the referenced Request Object". §10.4.1 warns that fetching what a client names
//! makes the server a tool for attacks on other hosts, and asks it to check that the URI
//! "points to an expected location": only the origins the deployment lists
//! ([`crate::ServerConfig::request_uri_origins`]) are fetched, redirects are not followed,
//! the fetch times out and the body is bounded. A failure is `invalid_request_uri` (§7: the
//! `request_uri` "returns an error or contains invalid data"). A `request_uri` that the PAR
//! endpoint issued (RFC 9126) is not fetched: [`crate::endpoints::par`] resolves it.

use std::sync::OnceLock;
use std::time::Duration;

use reqwest::header::ACCEPT;
use reqwest::{Method, Url};

use crate::form::Form;
use crate::par::REQUEST_URI_PREFIX;
use crate::state::AppState;

/// How long a fetch may take (§10.4.1: a slow host must not hold the request).
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest request object fetched.
const MAX_OBJECT_BYTES: usize = 64 * 1024;

/// What the fetch of a `request_uri` by reference came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The document, a request object to verify.
    Object(String),
    /// Why nothing usable came back: the `error_description` of `invalid_request_uri`.
    Failed(String),
}

/// Whether this server fetches request objects by reference (and says so in its
/// metadata): it lists origins to fetch from, and no fault hides the feature.
pub fn supported(state: &AppState) -> bool {
    state.policy.jar.uri_supported && !state.config.request_uri_origins.is_empty()
}

/// Whether `uri` names a document to fetch: an http or https URL. Anything else (a PAR
/// `urn:ietf:params:oauth:request_uri:` value, say) is resolved as a pushed request.
pub fn by_reference(uri: &str) -> bool {
    let lower = uri.get(..8).unwrap_or(uri).to_ascii_lowercase();
    !uri.starts_with(REQUEST_URI_PREFIX)
        && (lower.starts_with("https://") || lower.starts_with("http://"))
}

/// Fetches the request object of `form`'s `request_uri` when it is passed by reference and
/// supported; `None` when there is nothing to fetch. (`request` beside it is refused by the
/// resolution, §5, so nothing is fetched then.)
pub async fn fetch(state: &AppState, form: &Form) -> Option<Fetched> {
    let uri = form.get("request_uri")?;
    if !by_reference(uri) || form.get("request").is_some() || !supported(state) {
        return None;
    }
    Some(match get(state, uri).await {
        Ok(object) => Fetched::Object(object),
        Err(description) => Fetched::Failed(description),
    })
}

/// One HTTP client for every fetch: no redirects (a redirect could lead anywhere, §10.4.1),
/// a timeout.
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .build()
            .unwrap_or_default()
    })
}

async fn get(state: &AppState, uri: &str) -> Result<String, String> {
    let url = Url::parse(uri).map_err(|_| "the request_uri is not an absolute URI".to_string())?;
    let origin = url.origin().ascii_serialization();
    let expected = state
        .config
        .request_uri_origins
        .iter()
        .filter_map(|o| Url::parse(o).ok())
        .any(|o| o.origin().ascii_serialization() == origin);
    if !expected {
        return Err("the request_uri is not at a location this server fetches from".into());
    }
    let method = if state.policy.jar.fetched_with_get {
        Method::GET
    } else {
        Method::POST
    };
    let mut response = client()
        .request(method, url)
        .header(ACCEPT, "application/oauth-authz-req+jwt")
        .send()
        .await
        .map_err(|_| "the request_uri could not be fetched".to_string())?;
    if !response.status().is_success() {
        return Err(format!(
            "fetching the request_uri gave HTTP {}",
            response.status().as_u16()
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|_| "the request_uri's document could not be read".to_string())?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_OBJECT_BYTES {
            return Err("the request_uri's document is too large".into());
        }
    }
    let text = String::from_utf8(body)
        .map_err(|_| "the request_uri's document is not a request object".to_string())?;
    Ok(text.trim().to_string())
}
