//! Redaction: secrets never leave `execute/`. Every exchange is redacted when it is
//! recorded, by name (credential parameters, token members, Authorization headers) and
//! by value (configured secrets and every token or code seen so far in the case).

use std::collections::BTreeSet;

use crate::outcome::{RecordedRequest, RecordedResponse};

use super::http::{Request, Response};

pub const MASK: &str = "[REDACTED]";

/// Form and query parameters whose values are credentials (RFC 6749, 7009, 7662, 7523,
/// 7636, 8628).
const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "password",
    "token",
    "code",
    "refresh_token",
    "access_token",
    "id_token",
    "code_verifier",
    "assertion",
    "client_assertion",
    "device_code",
    "request",
    "login_hint_token",
    "id_token_hint",
    // CIBA Core §7.1: the bearer token the server presents at the client's notification
    // endpoint.
    "client_notification_token",
    "registration_access_token",
];

/// JSON members whose values are credentials.
const SECRET_MEMBERS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "device_code",
    "client_secret",
    "registration_access_token",
    "password",
    "tokenId",
    "auth_req_id",
    // JWKs: private key members, should a hostile server send them.
    "d",
    "p",
    "q",
    "dp",
    "dq",
    "qi",
    "k",
];

/// Headers whose values are credentials throughout.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-openam-password",
    "dpop",
];

/// The case's redactor: the known secret values grow as tokens are seen.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    values: BTreeSet<String>,
}

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Redactor {
        let mut r = Redactor::default();
        for s in secrets {
            r.add(&s);
        }
        r
    }

    /// Remembers a secret value, with its form-urlencoded spelling.
    pub fn add(&mut self, value: &str) {
        // Very short values would mask ordinary words; real secrets are long.
        if value.len() < 6 {
            return;
        }
        self.values.insert(value.to_string());
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        self.values.insert(encoded);
        let pct = percent_encode(value);
        self.values.insert(pct);
    }

    /// Learns the credentials a response carries: token members of a JSON body, credential
    /// parameters of a redirect (`code`, `access_token` in a Location's query or fragment)
    /// and of an HTML form (a form_post page's hidden inputs).
    pub fn learn_from(&mut self, resp: &Response) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&resp.body) {
            self.learn_json(&v);
        }
        if let Some(location) = resp.header("location") {
            let location = location.to_string();
            self.learn_url(&location);
        }
        let text = String::from_utf8_lossy(&resp.body);
        if text.contains("<form") || text.contains("<FORM") {
            for form in super::browser::forms(&text, "http://page.invalid/", None) {
                self.learn_url(&form.action);
                for (name, value) in &form.fields {
                    if SECRET_PARAMS.contains(&name.as_str()) {
                        self.add(value);
                    }
                }
            }
        }
    }

    /// Learns the credential parameters of a URL's query and fragment.
    pub fn learn_url(&mut self, url: &str) {
        let Ok(u) = url::Url::parse(url) else { return };
        let query = u.query().unwrap_or("").to_string();
        let fragment = u.fragment().unwrap_or("").to_string();
        for part in [query, fragment] {
            for (k, v) in url::form_urlencoded::parse(part.as_bytes()) {
                if SECRET_PARAMS.contains(&k.as_ref()) {
                    self.add(&v);
                }
            }
        }
    }

    fn learn_json(&mut self, v: &serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if SECRET_MEMBERS.contains(&k.as_str()) {
                        if let Some(s) = v.as_str() {
                            self.add(s);
                        }
                    } else {
                        self.learn_json(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| self.learn_json(i)),
            _ => {}
        }
    }

    /// Replaces every known secret value in free text.
    pub fn text(&self, s: &str) -> String {
        // Longest first, so a secret that contains another is masked whole.
        let mut values: Vec<&String> = self.values.iter().collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        let mut out = s.to_string();
        for v in values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), MASK);
            }
        }
        out
    }

    /// An error text that may quote the request's URL (reqwest's ends with it): the URL as
    /// sent and as reqwest prints it are replaced by the masked URL, then every known secret
    /// is masked.
    pub fn error(&self, error: &str, url: &str) -> String {
        let masked = self.url(url);
        let mut out = error.replace(url, &masked);
        if let Ok(parsed) = url::Url::parse(url) {
            out = out.replace(parsed.as_str(), &masked);
        }
        self.text(&out)
    }

    pub fn url(&self, url: &str) -> String {
        let Ok(mut parsed) = url::Url::parse(url) else {
            return self.text(url);
        };
        if parsed.query().is_some() {
            let pairs = mask_params(parsed.query_pairs());
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
        // Implicit and fragment-mode responses carry credentials in the fragment.
        if let Some(fragment) = parsed.fragment().map(str::to_string) {
            let pairs = mask_params(url::form_urlencoded::parse(fragment.as_bytes()));
            let masked = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            parsed.set_fragment(Some(&masked));
        }
        self.text(parsed.as_str())
    }

    fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(n, v)| {
                let v = if n == "location" {
                    self.url(v)
                } else if SECRET_HEADERS.contains(&n.as_str()) {
                    // Keep the scheme: "Basic" versus "Bearer" is evidence.
                    match v.split_once(' ') {
                        Some((scheme, _)) if n == "authorization" || n == "dpop" => {
                            format!("{scheme} {MASK}")
                        }
                        _ => MASK.to_string(),
                    }
                } else {
                    self.text(v)
                };
                (n.clone(), v)
            })
            .collect()
    }

    fn body(&self, body: &[u8], content_type: Option<&str>) -> Option<String> {
        if body.is_empty() {
            return None;
        }
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) {
            mask_json(&mut v);
            return Some(self.text(&serde_json::to_string_pretty(&v).unwrap_or_default()));
        }
        let text = String::from_utf8_lossy(body);
        if ct.starts_with("application/x-www-form-urlencoded") {
            let pairs = mask_params(url::form_urlencoded::parse(text.as_bytes()));
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            return Some(self.text(&encoded));
        }
        Some(self.text(&text))
    }

    /// Learns the credentials a request carries in its form body or query (a
    /// `client_notification_token` the server will present back as a bearer token).
    pub fn learn_request(&mut self, req: &Request) {
        let mut found = Vec::new();
        if let Ok(url) = url::Url::parse(&req.url) {
            found.extend(
                url.query_pairs()
                    .filter(|(k, _)| SECRET_PARAMS.contains(&k.as_ref()))
                    .map(|(_, v)| v.into_owned()),
            );
        }
        if let Some(body) = &req.body {
            found.extend(
                url::form_urlencoded::parse(body)
                    .filter(|(k, _)| SECRET_PARAMS.contains(&k.as_ref()))
                    .map(|(_, v)| v.into_owned()),
            );
        }
        for v in found {
            self.add(&v);
        }
    }

    pub fn request(&self, req: &Request) -> RecordedRequest {
        let ct = req
            .headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map(|(_, v)| v.as_str());
        RecordedRequest {
            method: req.method.clone(),
            url: self.url(&req.url),
            headers: self.headers(&req.headers),
            body: req.body.as_deref().and_then(|b| self.body(b, ct)),
        }
    }

    /// Records at most `excerpt` bytes of the body; the rest is noted as truncated.
    pub fn response(&self, resp: &Response, excerpt: usize) -> RecordedResponse {
        let truncated = resp.body.len() > excerpt;
        let body = if truncated {
            &resp.body[..excerpt]
        } else {
            &resp.body[..]
        };
        RecordedResponse {
            status: resp.status,
            headers: self.headers(&resp.headers),
            body: self.body(body, resp.header("content-type")),
            truncated,
        }
    }
}

/// Form or query pairs with credential parameters masked by name.
fn mask_params<'a>(
    pairs: impl Iterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
) -> Vec<(String, String)> {
    pairs
        .map(|(k, v)| {
            let v = if SECRET_PARAMS.contains(&k.as_ref()) {
                MASK.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect()
}

fn mask_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if SECRET_MEMBERS.contains(&k.as_str()) && v.is_string() {
                    *v = serde_json::Value::String(MASK.into());
                } else {
                    mask_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

/// RFC 3986 percent-encoding of everything but unreserved characters (the spelling a
/// secret takes in a URL query or an RFC 6749 §2.3.1 Basic credential before Base64).
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_by_name_and_by_value() {
        let mut r = Redactor::new(["s3cr:t+%/=Zq9&x y".to_string()]);
        let resp = Response {
            url: "http://127.0.0.1/token".into(),
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"access_token":"tok-123456789","token_type":"Bearer"}"#.to_vec(),
        };
        r.learn_from(&resp);
        let rec = r.response(&resp, 4096);
        let body = rec.body.unwrap();
        assert!(!body.contains("tok-123456789"));
        assert!(body.contains("Bearer"));
        let req = Request {
            method: "POST".into(),
            url: "http://h/x?code=abcdefgh".into(),
            headers: vec![
                ("authorization".into(), "Basic Zm9vOmJhcg==".into()),
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
            ],
            body: Some(b"token=tok-123456789&x=s3cr%3At%2B%25%2F%3DZq9%26x+y&hint=a".to_vec()),
        };
        let rec = r.request(&req);
        assert_eq!(rec.headers[0].1, "Basic [REDACTED]");
        assert!(!rec.url.contains("abcdefgh"));
        let body = rec.body.unwrap();
        assert!(!body.contains("tok-123456789"), "{body}");
        assert!(!body.contains("Zq9"), "{body}");
        assert!(body.contains("hint=a"));
    }

    /// RFC 7591 §3.2.1 and RFC 7592 §3: the registration response carries the client secret
    /// and the registration access token; both are masked there, and wherever they appear
    /// later (a Bearer header, a client configuration body quoting them).
    #[test]
    fn registration_secrets_are_masked() {
        let mut r = Redactor::default();
        let resp = Response {
            url: "http://127.0.0.1/register".into(),
            status: 201,
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"client_id":"dyn-1","client_secret":"sec-0123456789","registration_access_token":"rat-0123456789","registration_client_uri":"http://127.0.0.1/register/dyn-1"}"#.to_vec(),
        };
        r.learn_from(&resp);
        let body = r.response(&resp, 4096).body.unwrap_or_default();
        assert!(
            !body.contains("sec-0123456789") && !body.contains("rat-0123456789"),
            "{body}"
        );
        assert!(body.contains("dyn-1"), "{body}");
        let req = Request {
            method: "PUT".into(),
            url: "http://127.0.0.1/register/dyn-1".into(),
            headers: vec![
                ("authorization".into(), "Bearer rat-0123456789".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some(br#"{"client_id":"dyn-1","client_secret":"chosen-0123456789","client_name":"rat-0123456789"}"#.to_vec()),
        };
        let rec = r.request(&req);
        assert_eq!(rec.headers[0].1, "Bearer [REDACTED]");
        let body = rec.body.unwrap_or_default();
        assert!(!body.contains("chosen-0123456789"), "{body}");
        assert!(!body.contains("rat-0123456789"), "{body}");
    }
}
