//! A tiny hand-rolled user agent for the authorization endpoint: cookies by hand, one
//! redirect at a time, the login and consent forms filled from the HTML, and the
//! authorization response read from the query, the fragment or a form_post page.

use axum::body::Body;
use axum::http::{Method, Request, header};
use url::form_urlencoded;

use super::*;

pub const CALLBACK: &str = "http://127.0.0.1:8400/callback";
pub const TENANT_CALLBACK: &str = "http://127.0.0.1:8400/callback?tenant=1";
pub const ALICE: (&str, &str) = ("alice", "alice-Passw0rd!");
pub const BOB: (&str, &str) = ("bob", "bob-Passw0rd!");
/// RFC 7636 Appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
pub const OTHER_VERIFIER: &str = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8";

/// How the user answers the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
    /// Stop at the consent page.
    Stop,
}

/// A user agent with a cookie jar.
#[derive(Clone)]
pub struct Agent {
    pub router: Router,
    pub cookies: Vec<(String, String)>,
    pub user: (&'static str, &'static str),
}

impl Agent {
    pub fn new(router: &Router) -> Agent {
        Agent {
            router: router.clone(),
            cookies: Vec::new(),
            user: ALICE,
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let uri = uri.strip_prefix(BASE).unwrap_or(uri);
        let mut builder = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            builder = builder.header(header::COOKIE, jar.join("; "));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let reply = send(
            &self.router,
            builder.body(Body::from(body)).expect("request"),
        )
        .await;
        for value in reply.headers.get_all(header::SET_COOKIE) {
            let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
                continue;
            };
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
        reply
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        self.send(Method::GET, uri, &[], Vec::new()).await
    }

    pub async fn post_form(&mut self, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        self.send(
            Method::POST,
            uri,
            &[("content-type", "application/x-www-form-urlencoded")],
            encode(pairs).into_bytes(),
        )
        .await
    }

    /// Follows the server's own redirects, logs in, answers consent, and stops at the
    /// first response that leaves the server (or at a page it cannot handle).
    pub async fn walk(&mut self, first: Reply, decision: Decision) -> Reply {
        let mut reply = first;
        for _ in 0..10 {
            if let Some(next) = reply.header(header::LOCATION).map(str::to_string) {
                if !next.starts_with(BASE) {
                    return reply;
                }
                reply = self.get(&next).await;
                continue;
            }
            let html = reply.text();
            if html.contains("type=\"password\"") {
                let (user, password) = self.user;
                reply = self.submit_login(&html, user, password).await;
                continue;
            }
            if html.contains("name=\"decision\"") {
                let value = match decision {
                    Decision::Allow => "allow",
                    Decision::Deny => "deny",
                    Decision::Stop => return reply,
                };
                reply = self.submit_consent(&html, value).await;
                continue;
            }
            return reply;
        }
        reply
    }

    pub async fn submit_login(&mut self, html: &str, user: &str, password: &str) -> Reply {
        let action = form_action(html).unwrap_or_default();
        let interaction = hidden(html, "interaction").unwrap_or_default();
        let csrf = hidden(html, "csrf_token").unwrap_or_default();
        self.post_form(
            &action,
            &[
                ("interaction", &interaction),
                ("csrf_token", &csrf),
                ("username", user),
                ("password", password),
            ],
        )
        .await
    }

    pub async fn submit_consent(&mut self, html: &str, decision: &str) -> Reply {
        let action = form_action(html).unwrap_or_default();
        let interaction = hidden(html, "interaction").unwrap_or_default();
        let csrf = hidden(html, "csrf_token").unwrap_or_default();
        self.post_form(
            &action,
            &[
                ("interaction", &interaction),
                ("csrf_token", &csrf),
                ("decision", decision),
            ],
        )
        .await
    }

    /// A GET authorization request at `path`, walked to its end.
    pub async fn authorize_at(
        &mut self,
        path: &str,
        pairs: &[(&str, &str)],
        decision: Decision,
    ) -> Reply {
        let first = self.get(&format!("{path}?{}", encode(pairs))).await;
        self.walk(first, decision).await
    }

    /// A GET authorization request at the generic endpoint, walked to its end.
    pub async fn authorize(&mut self, pairs: &[(&str, &str)], decision: Decision) -> Reply {
        self.authorize_at("/authorize", pairs, decision).await
    }
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The value of the hidden input `name` on a page this server rendered.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// The first form's action.
pub fn form_action(html: &str) -> Option<String> {
    let start = html.find("action=\"")? + "action=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].replace("&amp;", "&"))
}

/// Where an authorization response went and what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// `query`, `fragment` or `form_post`.
    pub mode: &'static str,
    /// The URL it was sent to, parameters included (the form action for form_post).
    pub url: String,
    pub params: Vec<(String, String)>,
}

impl Callback {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn code(&self) -> String {
        self.get("code").unwrap_or_default().to_string()
    }
}

/// The authorization response in `reply`, if it is one: a redirect off this server, or a
/// form_post page.
pub fn callback(reply: &Reply) -> Option<Callback> {
    if let Some(location) = reply.header(header::LOCATION)
        && !location.starts_with(BASE)
    {
        let url = url::Url::parse(location).ok()?;
        let mut params: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mode = match url.fragment() {
            Some(fragment) if !fragment.is_empty() => {
                params = form_urlencoded::parse(fragment.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                "fragment"
            }
            _ => "query",
        };
        return Some(Callback {
            mode,
            url: location.to_string(),
            params,
        });
    }
    let html = reply.text();
    if html.contains("<title>Submit this form</title>") {
        let mut params = Vec::new();
        let mut rest = html.as_str();
        while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
            rest = &rest[i + "<input type=\"hidden\" name=\"".len()..];
            let name_end = rest.find('"')?;
            let name = unescape(&rest[..name_end]);
            let value_start = rest.find("value=\"")? + "value=\"".len();
            let value_end = rest[value_start..].find('"')?;
            params.push((name, unescape(&rest[value_start..value_start + value_end])));
        }
        return Some(Callback {
            mode: "form_post",
            url: form_action(&html).unwrap_or_default(),
            params,
        });
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Authorization request parameters for the confidential client.
pub fn conf_request<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", CONF_ID),
        ("redirect_uri", CALLBACK),
        ("state", "s-123"),
    ];
    merge(&mut pairs, extra);
    pairs
}

/// Adds `extra` to `base`: a name `base` already has is replaced, others are appended (so
/// an `extra` naming a new parameter twice repeats it).
pub fn merge<'a>(base: &mut Vec<(&'a str, &'a str)>, extra: &[(&'a str, &'a str)]) {
    let original: Vec<&str> = base.iter().map(|(k, _)| *k).collect();
    for &(name, value) in extra {
        if original.contains(&name) {
            for slot in base.iter_mut().filter(|(k, _)| *k == name) {
                slot.1 = value;
            }
        } else {
            base.push((name, value));
        }
    }
}

/// Authorization request parameters for the public client, with S256 PKCE.
pub fn public_request<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", PUBLIC_ID),
        ("redirect_uri", CALLBACK),
        ("state", "s-456"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    merge(&mut pairs, extra);
    pairs
}

/// Runs an authorization request to its callback (panics if there is none).
pub async fn callback_of(router: &Router, pairs: &[(&str, &str)]) -> Callback {
    let mut agent = Agent::new(router);
    let reply = agent.authorize(pairs, Decision::Allow).await;
    callback(&reply).unwrap_or_else(|| panic!("no callback: {} {}", reply.status, reply.text()))
}

/// A code for the confidential client.
pub async fn conf_code(router: &Router, extra: &[(&str, &str)]) -> String {
    callback_of(router, &conf_request(extra)).await.code()
}

/// A code for the public client (S256 with [`VERIFIER`]).
pub async fn public_code(router: &Router, extra: &[(&str, &str)]) -> String {
    callback_of(router, &public_request(extra)).await.code()
}

/// Exchanges a code at the generic token endpoint.
pub async fn exchange(
    router: &Router,
    auth: Auth<'_>,
    code: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let mut pairs = vec![("grant_type", "authorization_code"), ("code", code)];
    pairs.extend_from_slice(extra);
    post_form(router, "/token", auth, &pairs).await
}

/// The confidential client's token response for a fresh code (with `extra` in the
/// authorization request).
pub async fn conf_tokens(router: &Router, extra: &[(&str, &str)]) -> Value {
    let code = conf_code(router, extra).await;
    let reply = exchange(router, conf(), &code, &[("redirect_uri", CALLBACK)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

/// The public client's token response for a fresh code.
pub async fn public_tokens(router: &Router, extra: &[(&str, &str)]) -> Value {
    let code = public_code(router, extra).await;
    let reply = exchange(
        router,
        Auth::ClientId(PUBLIC_ID),
        &code,
        &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

/// Refreshes at the generic token endpoint.
pub async fn refresh(
    router: &Router,
    auth: Auth<'_>,
    token: &str,
    extra: &[(&str, &str)],
) -> Reply {
    let mut pairs = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    pairs.extend_from_slice(extra);
    post_form(router, "/token", auth, &pairs).await
}

/// Calls userinfo with `Authorization: Bearer`.
pub async fn userinfo(router: &Router, token: &str) -> Reply {
    let request = Request::builder()
        .method(Method::GET)
        .uri("/userinfo")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    send(router, request).await
}

pub fn str_of<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name].as_str().unwrap_or_default()
}
