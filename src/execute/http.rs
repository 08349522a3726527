//! The HTTP client of a case: redirects off (every hop is a finding to record, not to
//! follow blindly), a per-request timeout, and a cap on how much of a body is read, so
//! that a hostile or broken target yields a verdict in bounded time and memory.

use std::time::{Duration, Instant};

use crate::target::HttpSettings;

/// A request as the executor built it, before redaction.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response read within the limits.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that was requested (relative links on a page resolve against it).
    pub url: String,
    pub status: u16,
    /// Header names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// All values of a header, for checks that must see repeated headers.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The media type without parameters, lower-cased.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// Why no response could be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("no response within {0} ms (timeout)")]
    Timeout(u64),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("response body exceeds the {0}-byte cap")]
    BodyTooLarge(u64),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("HTTP error: {0}")]
    Other(String),
}

/// One case's client: own connection pool and cookie jar.
pub struct Http {
    client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    settings: HttpSettings,
}

impl Http {
    pub fn new(settings: HttpSettings) -> Result<Http, TransportError> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .cookie_provider(std::sync::Arc::clone(&jar))
            .user_agent(concat!("oauth2spec/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Other(e.to_string()))?;
        Ok(Http {
            client,
            jar,
            settings,
        })
    }

    /// Puts a cookie in the case's jar, as a browser holding a session would have it.
    pub fn add_cookie(&self, cookie: &str, url: &str) {
        if let Ok(u) = url::Url::parse(url) {
            self.jar.add_cookie_str(cookie, &u);
        }
    }

    /// Sends the request and reads at most `max_body_bytes` of the body.
    pub async fn send(&self, req: &Request) -> Result<(Response, Duration), TransportError> {
        let started = Instant::now();
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|e| TransportError::InvalidRequest(e.to_string()))?;
        let mut builder = self.client.request(method, &req.url);
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            if body.is_empty() {
                // An empty body would otherwise go out with neither Content-Length nor
                // chunked framing, which servers read as "no body" and may refuse.
                builder = builder.header("content-length", "0");
            }
            builder = builder.body(body.clone());
        }
        let mut resp = builder.send().await.map_err(|e| self.classify(e))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.settings.max_body_bytes;
        if resp.content_length().is_some_and(|len| len > cap) {
            return Err(TransportError::BodyTooLarge(cap));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(e))? {
            if (body.len() + chunk.len()) as u64 > cap {
                return Err(TransportError::BodyTooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((
            Response {
                url: req.url.clone(),
                status,
                headers,
                body,
            },
            started.elapsed(),
        ))
    }

    fn classify(&self, e: reqwest::Error) -> TransportError {
        if e.is_timeout() {
            TransportError::Timeout(self.settings.timeout_ms)
        } else if e.is_connect() {
            TransportError::Connect(error_chain(&e))
        } else {
            TransportError::Other(error_chain(&e))
        }
    }
}

/// reqwest's top-level message hides the cause ("error sending request"); show it all.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
