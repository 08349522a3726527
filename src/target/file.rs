//! Target files: who is tested. Parsed with spans, `${env:NAME}` substituted, names
//! checked against the vocabularies; every mistake is a [`Diagnostic`].

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::hooks::{RawHook, RawListener};
use super::layout::{Layout, LayoutParams};
use super::{Choice, HttpSettings, Login, LoginDriver, Target, UserConfig};
use crate::diagnostic::{self, Diagnostic, Source};
use crate::suite::{Capability, Endpoint};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Spanned<String>,
    base_url: Spanned<String>,
    layout: Spanned<String>,
    #[serde(default)]
    env_id: Option<Spanned<String>>,
    #[serde(default)]
    realm: Option<Spanned<String>>,
    #[serde(default)]
    discovery: Option<bool>,
    #[serde(default)]
    issuer: Option<Spanned<String>>,
    #[serde(default)]
    endpoints: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    clients: BTreeMap<String, Spanned<super::clients::RawClient>>,
    #[serde(default)]
    users: BTreeMap<String, RawUser>,
    #[serde(default)]
    extra_params: BTreeMap<String, BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    capabilities: BTreeMap<String, Spanned<bool>>,
    #[serde(default)]
    known_failures: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    http: Option<RawHttp>,
    #[serde(default)]
    propagation_seconds: Option<u64>,
    #[serde(default)]
    login: Option<RawLogin>,
    #[serde(default)]
    listener: Option<RawListener>,
    #[serde(default)]
    hooks: BTreeMap<String, Spanned<RawHook>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogin {
    #[serde(default)]
    driver: Option<Spanned<String>>,
    #[serde(default)]
    user: Option<Spanned<String>>,
    #[serde(default)]
    consent_button: Option<Spanned<String>>,
    #[serde(default)]
    deny_button: Option<Spanned<String>>,
    #[serde(default)]
    consent: Option<Spanned<RawChoice>>,
    #[serde(default)]
    deny: Option<Spanned<RawChoice>>,
    #[serde(default)]
    username_field: Option<Spanned<String>>,
    #[serde(default)]
    password_field: Option<Spanned<String>>,
    #[serde(default)]
    form_selector: Option<Spanned<String>>,
    #[serde(default)]
    command: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    timeout_secs: Option<u64>,
    #[serde(default)]
    cookie_name: Option<Spanned<String>>,
}

/// `consent = { selector = "form#approve" }`, `{ text = "Allow access" }` or
/// `{ button = "decision=allow" }`: exactly one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    #[serde(default)]
    selector: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    button: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    username: Spanned<String>,
    password: Spanned<String>,
    #[serde(default)]
    login_hint: Option<Spanned<String>>,
    #[serde(default)]
    user_code: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    #[serde(default)]
    timeout_ms: Option<u64>,
    #[serde(default)]
    max_body_bytes: Option<u64>,
}

/// Seconds a revocation may take to propagate unless the target file says otherwise.
pub const DEFAULT_PROPAGATION_SECONDS: u64 = 5;

/// Reads and validates a target file.
pub fn load(path: &Path) -> Result<Target, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::whole_file(
            path,
            format!("cannot read target file: {e}"),
        )]
    })?;
    parse(&Source::new(path, text), &|name| std::env::var(name).ok())
}

/// Parses a target from source text; `env` looks environment variables up (a test can
/// pass its own).
pub fn parse(
    source: &Source,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Target, Vec<Diagnostic>> {
    let raw: RawTarget =
        toml::from_str(&source.text).map_err(|e| vec![diagnostic::from_toml(source, &e)])?;
    let mut cx = Cx {
        source,
        env,
        diags: Vec::new(),
    };
    let name = cx.string(&raw.name);
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        cx.error(
            raw.name.span(),
            format!("invalid target name `{name}`"),
            Some("letters, digits, `-`, `_` and `.` (it names the report folder)"),
        );
    }
    let base_url = cx.string(&raw.base_url).trim_end_matches('/').to_string();
    if url::Url::parse(&base_url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
        cx.error(
            raw.base_url.span(),
            format!("invalid base_url `{base_url}`"),
            Some("an absolute http(s) URL"),
        );
    }
    let layout = Layout::parse(raw.layout.get_ref()).unwrap_or_else(|| {
        cx.error(
            raw.layout.span(),
            format!("unknown layout `{}`", raw.layout.get_ref()),
            Some("`generic`, `pingone`, `aic`, `pingfederate` or `custom`"),
        );
        Layout::Custom
    });
    let env_id = raw
        .env_id
        .as_ref()
        .map(|e| cx.string(e))
        .unwrap_or_default();
    let realm = raw.realm.as_ref().map(|r| cx.string(r)).unwrap_or_default();
    if layout == Layout::Pingone && env_id.is_empty() {
        cx.error(
            raw.layout.span(),
            "layout `pingone` needs `env_id`",
            Some("`env_id = \"<PingOne environment id>\"`"),
        );
    }
    if layout == Layout::Aic && realm.is_empty() {
        cx.error(
            raw.layout.span(),
            "layout `aic` needs `realm`",
            Some("`realm = \"root/realms/alpha\"`"),
        );
    }
    let issuer = raw.issuer.as_ref().map(|i| cx.string(i));
    let mut endpoints = BTreeMap::new();
    for (key, value) in &raw.endpoints {
        match Endpoint::parse(key) {
            Some(e) => {
                endpoints.insert(e, cx.string(value));
            }
            None => cx.error(
                value.span(),
                format!("unknown endpoint `{key}`"),
                Some(&Endpoint::expected()),
            ),
        }
    }
    let clients = cx.clients(&raw.clients);
    let mut users = BTreeMap::new();
    for (key, u) in &raw.users {
        users.insert(
            key.clone(),
            UserConfig {
                username: cx.string(&u.username),
                password: cx.string(&u.password),
                login_hint: u.login_hint.as_ref().map(|v| cx.string(v)),
                user_code: u.user_code.as_ref().map(|v| cx.string(v)),
            },
        );
    }
    let mut extra_params = BTreeMap::new();
    for (key, params) in &raw.extra_params {
        let Some(e) = Endpoint::parse(key) else {
            let span = params.values().next().map_or(0..0, |v| v.span());
            cx.error(
                span,
                format!("unknown endpoint `{key}` in [extra_params]"),
                Some(&Endpoint::expected()),
            );
            continue;
        };
        let values: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.clone(), cx.string(v)))
            .collect();
        extra_params.insert(e, values);
    }
    let mut capabilities = BTreeMap::new();
    for (key, value) in &raw.capabilities {
        match Capability::parse(key) {
            Some(c) => {
                capabilities.insert(c, *value.get_ref());
            }
            None => cx.error(
                value.span(),
                format!("unknown capability `{key}`"),
                Some(&Capability::expected()),
            ),
        }
    }
    let mut known_failures = BTreeMap::new();
    for (id, reason) in &raw.known_failures {
        let reason_text = cx.string(reason);
        if reason_text.trim().is_empty() {
            cx.error(
                reason.span(),
                format!("known failure `{id}` needs a reason"),
                Some("the RFC section the server deviates from, and how"),
            );
        }
        known_failures.insert(
            id.clone(),
            (reason_text, source.line_col(reason.span().start).0),
        );
    }
    let login = match &raw.login {
        None => Login::default(),
        Some(l) => cx.login(l, &users),
    };
    let listener = cx.listener(raw.listener.as_ref());
    let hooks = cx.hooks(&raw.hooks);
    let http = raw.http.as_ref();
    let defaults = HttpSettings::default();
    let target = Target {
        name,
        base_url,
        layout,
        params: LayoutParams { env_id, realm },
        discovery: raw.discovery.unwrap_or(true),
        issuer,
        endpoints,
        clients,
        users,
        extra_params,
        capabilities,
        known_failures,
        http: HttpSettings {
            timeout_ms: http
                .and_then(|h| h.timeout_ms)
                .unwrap_or(defaults.timeout_ms),
            max_body_bytes: http
                .and_then(|h| h.max_body_bytes)
                .unwrap_or(defaults.max_body_bytes),
        },
        login,
        listener,
        hooks,
        propagation_seconds: raw
            .propagation_seconds
            .unwrap_or(DEFAULT_PROPAGATION_SECONDS),
        source_path: Some(source.path.clone()),
    };
    if cx.diags.is_empty() {
        Ok(target)
    } else {
        Err(cx.diags)
    }
}

pub(super) struct Cx<'a> {
    pub(super) source: &'a Source,
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    pub(super) fn error(
        &mut self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        expected: Option<&str>,
    ) {
        let d = Diagnostic::new(self.source, span, message);
        self.diags.push(match expected {
            Some(e) => d.expected(e),
            None => d,
        });
    }

    fn login(&mut self, raw: &RawLogin, users: &BTreeMap<String, UserConfig>) -> Login {
        let mut login = Login::default();
        if let Some(d) = &raw.driver {
            match LoginDriver::parse(d.get_ref()) {
                Some(driver) => login.driver = driver,
                None => self.error(
                    d.span(),
                    format!("unknown login driver `{}`", d.get_ref()),
                    Some("`html-form`, `pingone-flow`, `am-rest`, `command` or `manual`"),
                ),
            }
        }
        if let Some(u) = &raw.user {
            login.user = self.string(u);
            if !users.contains_key(&login.user) {
                self.error(
                    u.span(),
                    format!(
                        "login user `{}` has no [users.{}] table",
                        login.user, login.user
                    ),
                    None,
                );
            }
        }
        for (raw_button, raw_choice, slot) in [
            (&raw.consent_button, &raw.consent, &mut login.consent),
            (&raw.deny_button, &raw.deny, &mut login.deny),
        ] {
            if let Some(b) = raw_button
                && let Some(c) = self.button_choice(b.get_ref(), b.span())
            {
                *slot = c;
            }
            if let Some(rc) = raw_choice {
                let span = rc.span();
                let c = rc.get_ref();
                *slot = match (&c.selector, &c.text, &c.button) {
                    (Some(sel), None, None) => {
                        if scraper::Selector::parse(sel).is_err() {
                            self.error(span.clone(), format!("invalid CSS selector `{sel}`"), None);
                        }
                        Choice::Selector(sel.clone())
                    }
                    (None, Some(t), None) => Choice::Text(t.trim().to_string()),
                    (None, None, Some(b)) => self.button_choice(b, span).unwrap_or(Choice::Words),
                    _ => {
                        self.diags.push(
                            Diagnostic::new(
                                self.source,
                                span,
                                "a consent choice names one way to find it",
                            )
                            .expected("exactly one of `selector`, `text` or `button`"),
                        );
                        Choice::Words
                    }
                };
            }
        }
        login.username_field = raw.username_field.as_ref().map(|s| self.string(s));
        login.password_field = raw.password_field.as_ref().map(|s| self.string(s));
        login.form_selector = raw.form_selector.as_ref().map(|s| self.string(s));
        if let Some(sel) = &login.form_selector
            && scraper::Selector::parse(sel).is_err()
        {
            let span = raw.form_selector.as_ref().map_or(0..0, |s| s.span());
            self.error(span, format!("invalid CSS selector `{sel}`"), None);
        }
        login.command = raw
            .command
            .iter()
            .flatten()
            .map(|c| self.string(c))
            .collect();
        if login.driver == LoginDriver::Command && login.command.is_empty() {
            let span = raw.driver.as_ref().map_or(0..0, |d| d.span());
            self.error(
                span,
                "login driver `command` needs `command`",
                Some("`command = [\"./login.sh\"]` (the authorization URL is appended)"),
            );
        }
        if let Some(t) = raw.timeout_secs {
            login.timeout_secs = t;
        }
        if let Some(c) = &raw.cookie_name {
            login.cookie_name = self.string(c);
        }
        login
    }

    /// The string with every `${env:NAME}` replaced; a missing variable is an error.
    /// `name=value` of a button.
    fn button_choice(&mut self, text: &str, span: std::ops::Range<usize>) -> Option<Choice> {
        match text.split_once('=') {
            Some((n, v)) if !n.is_empty() => Some(Choice::Button(n.to_string(), v.to_string())),
            _ => {
                self.diags.push(
                    Diagnostic::new(self.source, span, format!("invalid button `{text}`"))
                        .expected("`name=value`, e.g. `decision=allow`"),
                );
                None
            }
        }
    }

    pub(super) fn string(&mut self, value: &Spanned<String>) -> String {
        let text = value.get_ref();
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("${env:") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 6..];
            let Some(end) = after.find('}') else {
                self.error(
                    value.span(),
                    "`${env:` is never closed",
                    Some("`${env:NAME}`"),
                );
                return out;
            };
            let name = &after[..end];
            match (self.env)(name) {
                Some(v) => out.push_str(&v),
                None => self.error(
                    value.span(),
                    format!("environment variable `{name}` is not set"),
                    Some("the variable set in the environment of oauth2spec"),
                ),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}
