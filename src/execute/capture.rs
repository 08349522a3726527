//! Captures: the values a step takes from what it observed (a JSON member, a header, the
//! status, an authorization-response parameter, a JWT claim, an attribute of an HTML
//! element) for later steps to read. An optional capture (`"json:/interval?"`) that finds
//! nothing leaves its name unset, so that `{{interval ?? 5}}` falls back.

use scraper::{Html, Selector};
use serde_json::Value;

use super::browser::Callback;
use super::check::{Body, select};
use super::http::Response;
use crate::suite::CaptureSource;

/// The value of one capture source in what a step observed; `None` when it is absent.
pub fn value(
    source: &CaptureSource,
    resp: &Response,
    body: &Body,
    callback: Option<&Callback>,
) -> Option<String> {
    match source {
        CaptureSource::Status => Some(resp.status.to_string()),
        CaptureSource::Jwt { token, claim } => body.json().ok().and_then(|v| {
            let jwt = select(v, token).into_iter().next()?.1?.as_str()?;
            let claims = jwt_claims(jwt)?;
            let leaf = select(&claims, claim).into_iter().next()?.1?.clone();
            Some(text(&leaf))
        }),
        CaptureSource::Callback(name) => callback.and_then(|c| c.param(name)).map(str::to_string),
        CaptureSource::Header(h) => resp.header(h).map(str::to_string),
        CaptureSource::Json(p) => body.json().ok().and_then(|v| {
            let leaf = select(v, p).into_iter().next()?.1?;
            Some(text(leaf))
        }),
        CaptureSource::Html { selector, attr } => {
            let page = Html::parse_document(&String::from_utf8_lossy(&resp.body));
            // Validated at load: the selector parses.
            let sel = Selector::parse(selector).ok()?;
            let el = page.select(&sel).next()?;
            let v = match attr {
                Some(a) => el.value().attr(a)?.to_string(),
                None => el.text().collect::<String>().trim().to_string(),
            };
            // A relative URL (a form's action, a link) is resolved against the page's URL,
            // so that a later step can request it.
            if matches!(attr.as_deref(), Some("action" | "href" | "src")) {
                return url::Url::parse(&resp.url)
                    .ok()
                    .and_then(|base| base.join(&v).ok())
                    .map(String::from)
                    .or(Some(v));
            }
            Some(v)
        }
    }
}

/// What a source reads, for messages.
pub fn describe(source: &CaptureSource) -> String {
    match source {
        CaptureSource::Status => "status".to_string(),
        CaptureSource::Callback(n) => format!("authorization response parameter `{n}`"),
        CaptureSource::Jwt { token, claim } => format!("claim `{claim}` of the JWT at `{token}`"),
        CaptureSource::Header(h) => format!("header `{h}`"),
        CaptureSource::Json(p) => format!("JSON `{p}`"),
        CaptureSource::Html { selector, attr } => match attr {
            Some(a) => format!("attribute `{a}` of HTML `{selector}`"),
            None => format!("text of HTML `{selector}`"),
        },
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The claims of a JWS compact serialization (RFC 7515 §7.1), unverified: a capture reads
/// what the server asserted; checking the signature is a case's business.
fn jwt_claims(jwt: &str) -> Option<Value> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}
