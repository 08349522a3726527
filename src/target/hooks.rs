//! The target file's `[listener]` table (where the harness's callback listener binds and
//! how the server under test reaches it) and its `[hooks.<name>]` tables (which driver
//! performs each out-of-band action: what a person would do on another device).
//!
//! ```toml
//! [listener]
//! bind = "0.0.0.0:8765"                          # default "127.0.0.1:0" (any free port)
//! public_url = "https://abc.tunnel.example/"      # default http://<bound address>/
//!
//! [hooks.ciba_decision]
//! driver = "http"
//! method = "POST"                                 # default POST
//! url = "https://automation.example/approve?id={auth_req_id}&action={action}"
//! headers = { Authorization = "Bearer ${env:AUTOMATION_TOKEN}" }
//! body = "json"                                   # "none" (default), "json" or "form": the args
//! timeout_secs = 30                               # optional, overrides the step's timeout
//!
//! [hooks.enter_user_code]
//! driver = "command"
//! command = ["./hooks/enter-code.sh", "--verbose"]
//!
//! [hooks.other]
//! driver = "reference"                            # or "manual"
//! ```
//!
//! Every value substituted from `${env:NAME}` in a hook, and every credential header
//! value, is registered as a secret so reports redact it.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::file::Cx;

/// The `[listener]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenerConfig {
    /// Where the listener binds; port 0 picks a free one.
    pub bind: SocketAddr,
    /// How the server under test reaches the listener (a tunnel, a proxy); `None` means
    /// `http://<bound address>/` (the loopback address when bound to an unspecified one).
    pub public_url: Option<Url>,
}

impl Default for ListenerConfig {
    fn default() -> Self {
        ListenerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
        }
    }
}

/// One `[hooks.<name>]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookConfig {
    pub driver: HookDriver,
    /// Overrides the timeout the step gives, when set.
    pub timeout_secs: Option<u64>,
    /// Values to redact: what `${env:…}` put into the hook, and credential headers.
    pub secrets: Vec<String>,
}

impl HookConfig {
    /// A hook performed by the reference server's test-only endpoint.
    pub fn reference() -> HookConfig {
        HookConfig {
            driver: HookDriver::Reference,
            timeout_secs: None,
            secrets: Vec::new(),
        }
    }
}

/// How a hook is performed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookDriver {
    /// `POST {base_url}/test/hooks/{hook}` with the args as a JSON object.
    Reference,
    /// A request to an automation API of the deployment.
    Http(HttpHook),
    /// A program of the user's; the args are in its environment.
    Command { command: Vec<String> },
    /// A person at a terminal; refused without one.
    Manual,
}

impl HookDriver {
    pub fn as_str(&self) -> &'static str {
        match self {
            HookDriver::Reference => "reference",
            HookDriver::Http(_) => "http",
            HookDriver::Command { .. } => "command",
            HookDriver::Manual => "manual",
        }
    }
}

/// The `http` driver's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHook {
    /// Upper case, e.g. `POST`.
    pub method: String,
    /// A URL with `{arg}` placeholders, each filled with the percent-encoded arg.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: HookBody,
}

/// What the `http` driver sends as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookBody {
    None,
    /// The args as a JSON object of strings.
    Json,
    /// The args as `application/x-www-form-urlencoded`.
    Form,
}

impl HookBody {
    fn parse(s: &str) -> Option<HookBody> {
        match s {
            "none" => Some(HookBody::None),
            "json" => Some(HookBody::Json),
            "form" => Some(HookBody::Form),
            _ => None,
        }
    }
}

/// Why a template cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A `{` without `}`, a `}` without `{`, or a placeholder that is not a name.
    Syntax(String),
    /// A placeholder with no value.
    Missing(String),
}

/// Fills `{name}` placeholders of `template` with `value(name)`, percent-encoded as a
/// URL component (every byte but RFC 3986 §2.3 unreserved characters), so an arg can
/// never change the URL's structure.
pub fn fill_template(
    template: &str,
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with('}') {
            return Err(TemplateError::Syntax(format!(
                "`}}` without `{{` in `{template}`"
            )));
        }
        let after = &rest[i + 1..];
        let Some(end) = after.find('}') else {
            return Err(TemplateError::Syntax(format!(
                "`{{` is never closed in `{template}`"
            )));
        };
        let name = &after[..end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(TemplateError::Syntax(format!(
                "`{{{name}}}` is not a placeholder (letters, digits, `_`, `-`)"
            )));
        }
        let v = value(name).ok_or_else(|| TemplateError::Missing(name.to_string()))?;
        out.push_str(&percent_encode_component(&v));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Percent-encodes every byte but the unreserved characters (RFC 3986 §2.3).
pub fn percent_encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Hook names become a path segment of the reference driver and an environment
/// variable value: keep them plain.
pub fn valid_hook_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Header names whose values are credentials however they were written.
fn credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n == "cookie"
        || ["key", "token", "secret", "password"]
            .iter()
            .any(|w| n.contains(w))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawListener {
    #[serde(default)]
    bind: Option<Spanned<String>>,
    #[serde(default)]
    public_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHook {
    driver: Spanned<String>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    method: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    body: Option<Spanned<String>>,
    #[serde(default)]
    command: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    timeout_secs: Option<u64>,
}

const DRIVERS: &str = "`reference`, `http`, `command` or `manual`";

impl Cx<'_> {
    pub(super) fn listener(&mut self, raw: Option<&RawListener>) -> ListenerConfig {
        let mut config = ListenerConfig::default();
        let Some(raw) = raw else { return config };
        if let Some(b) = &raw.bind {
            let text = self.string(b);
            match text.parse::<SocketAddr>() {
                Ok(addr) => config.bind = addr,
                Err(_) => self.error(
                    b.span(),
                    format!("invalid listener bind address `{text}`"),
                    Some("`ip:port`, e.g. `127.0.0.1:0` (0 picks a free port) or `[::]:8765`"),
                ),
            }
        }
        if let Some(p) = &raw.public_url {
            let text = self.string(p);
            match Url::parse(&text) {
                Ok(u)
                    if matches!(u.scheme(), "http" | "https")
                        && u.query().is_none()
                        && u.fragment().is_none() =>
                {
                    config.public_url = Some(u)
                }
                _ => self.error(
                    p.span(),
                    format!("invalid listener public_url `{text}`"),
                    Some("an absolute http(s) URL without query or fragment, e.g. `https://abc.tunnel.example/`"),
                ),
            }
        }
        config
    }

    pub(super) fn hooks(
        &mut self,
        raw: &BTreeMap<String, Spanned<RawHook>>,
    ) -> BTreeMap<String, HookConfig> {
        let mut out = BTreeMap::new();
        for (name, raw_hook) in raw {
            if !valid_hook_name(name) {
                self.error(
                    raw_hook.span(),
                    format!("invalid hook name `{name}`"),
                    Some("letters, digits, `_` and `-`"),
                );
                continue;
            }
            if let Some(hook) = self.hook(name, raw_hook.get_ref()) {
                out.insert(name.clone(), hook);
            }
        }
        out
    }

    fn hook(&mut self, name: &str, raw: &RawHook) -> Option<HookConfig> {
        let mut secrets = Vec::new();
        let kind = raw.driver.get_ref().as_str();
        if !matches!(kind, "reference" | "http" | "command" | "manual") {
            self.error(
                raw.driver.span(),
                format!("unknown hook driver `{kind}`"),
                Some(DRIVERS),
            );
            return None;
        }
        // Keys of one driver on another are mistakes, not options silently ignored.
        let http_only = [
            ("url", raw.url.as_ref().map(Spanned::span)),
            ("method", raw.method.as_ref().map(Spanned::span)),
            ("body", raw.body.as_ref().map(Spanned::span)),
            (
                "headers",
                raw.headers
                    .values()
                    .next()
                    .map(|v: &Spanned<String>| v.span()),
            ),
        ];
        let command_only = [(
            "command",
            raw.command
                .as_ref()
                .map(|c| c.first().map_or(raw.driver.span(), Spanned::span)),
        )];
        for (key, span) in http_only
            .iter()
            .filter(|_| kind != "http")
            .chain(command_only.iter().filter(|_| kind != "command"))
        {
            if let Some(span) = span {
                self.error(
                    span.clone(),
                    format!("`{key}` does not apply to hook driver `{kind}` (hook `{name}`)"),
                    None,
                );
            }
        }
        let driver = match kind {
            "reference" => HookDriver::Reference,
            "manual" => HookDriver::Manual,
            "command" => {
                let command: Vec<String> = raw
                    .command
                    .iter()
                    .flatten()
                    .map(|c| self.secret_string(c, &mut secrets))
                    .collect();
                if command.is_empty() {
                    self.error(
                        raw.driver.span(),
                        format!("hook `{name}` with driver `command` needs `command`"),
                        Some("`command = [\"./hook.sh\"]` (args arrive as OAUTH2SPEC_ARG_<NAME>)"),
                    );
                    return None;
                }
                HookDriver::Command { command }
            }
            _ => HookDriver::Http(self.http_hook(name, raw, &mut secrets)?),
        };
        Some(HookConfig {
            driver,
            timeout_secs: raw.timeout_secs,
            secrets,
        })
    }

    fn http_hook(
        &mut self,
        name: &str,
        raw: &RawHook,
        secrets: &mut Vec<String>,
    ) -> Option<HttpHook> {
        let Some(raw_url) = &raw.url else {
            self.error(
                raw.driver.span(),
                format!("hook `{name}` with driver `http` needs `url`"),
                Some("`url = \"https://automation.example/approve?id={auth_req_id}\"`"),
            );
            return None;
        };
        let url = self.secret_string(raw_url, secrets);
        // The template must be a URL whatever the args are: check it with a stand-in.
        let checked = match fill_template(&url, &|_| Some("x".into())) {
            Err(TemplateError::Syntax(m)) => Err(m),
            Err(TemplateError::Missing(_)) => Err("a placeholder has no value".into()),
            Ok(filled) => match Url::parse(&filled) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
                _ => Err(format!("`{url}` is not an absolute http(s) URL")),
            },
        };
        if let Err(m) = checked {
            self.error(
                raw_url.span(),
                format!("invalid hook url: {m}"),
                Some("an absolute http(s) URL with `{arg}` placeholders"),
            );
        }
        let method = match &raw.method {
            None => "POST".to_string(),
            Some(m) => {
                let text = self.string(m).to_ascii_uppercase();
                if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphabetic()) {
                    self.error(
                        m.span(),
                        format!("invalid HTTP method `{text}`"),
                        Some("`GET`, `POST`, `PUT`, ..."),
                    );
                }
                text
            }
        };
        let mut headers = Vec::new();
        for (hname, raw_value) in &raw.headers {
            let value = self.secret_string(raw_value, secrets);
            let valid = reqwest::header::HeaderName::from_bytes(hname.as_bytes()).is_ok()
                && reqwest::header::HeaderValue::from_str(&value).is_ok();
            if !valid {
                self.error(
                    raw_value.span(),
                    format!("invalid header `{hname}` in hook `{name}`"),
                    Some("a header name and a visible-ASCII value"),
                );
                continue;
            }
            if credential_header(hname) {
                secrets.push(value.clone());
                // `Bearer <token>`: the token alone may show up elsewhere.
                if let Some((_, cred)) = value.split_once(' ') {
                    secrets.push(cred.trim().to_string());
                }
            }
            headers.push((hname.clone(), value));
        }
        let body = match &raw.body {
            None => HookBody::None,
            Some(b) => HookBody::parse(b.get_ref()).unwrap_or_else(|| {
                self.error(
                    b.span(),
                    format!("unknown hook body `{}`", b.get_ref()),
                    Some("`none`, `json` or `form`"),
                );
                HookBody::None
            }),
        };
        Some(HttpHook {
            method,
            url,
            headers,
            body,
        })
    }

    /// `string`, also remembering every value `${env:…}` put in as a secret.
    fn secret_string(&mut self, value: &Spanned<String>, secrets: &mut Vec<String>) -> String {
        let mut rest = value.get_ref().as_str();
        while let Some(start) = rest.find("${env:") {
            let after = &rest[start + 6..];
            let Some(end) = after.find('}') else { break };
            if let Some(v) = (self.env)(&after[..end]) {
                secrets.push(v);
            }
            rest = &after[end + 1..];
        }
        self.string(value)
    }
}
