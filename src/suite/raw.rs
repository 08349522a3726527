//! The TOML shapes of suite and flow files, as written, with spans.
//!
//! Serde does the structural part (unknown keys, wrong types); `load` turns these
//! into the validated model and reports everything else with positions.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuiteFile {
    pub spec: Spanned<String>,
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
    #[serde(default, rename = "case")]
    pub cases: Vec<Spanned<RawCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    pub slug: Spanned<String>,
    pub title: Spanned<String>,
    pub section: Spanned<String>,
    pub level: Spanned<String>,
    pub requirement: Spanned<String>,
    pub proof: Spanned<String>,
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "step")]
    pub steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub cleanup: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowsFile {
    #[serde(default, rename = "flow")]
    pub flows: Vec<Spanned<RawFlow>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlow {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    /// The arguments a use may pass with `with`, each with its default (a template).
    #[serde(default)]
    pub args: BTreeMap<String, Spanned<String>>,
    #[serde(default, rename = "step")]
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(default, rename = "use")]
    pub use_flow: Option<Spanned<String>>,
    #[serde(default, rename = "as")]
    pub alias: Option<Spanned<String>>,
    #[serde(default)]
    pub endpoint: Option<Spanned<String>>,
    /// Any URL (a template), instead of `endpoint`.
    #[serde(default)]
    pub url: Option<Spanned<String>>,
    /// Arguments for the flow of `use`.
    #[serde(default)]
    pub with: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    pub repeat: Option<Spanned<RawRepeat>>,
    /// Another user agent (cookie jar) than the case's first.
    #[serde(default)]
    pub agent: Option<Spanned<String>>,
    /// The response registered a client that plays this role from now on.
    #[serde(default)]
    pub as_client: Option<Spanned<String>>,
    /// Wait for the request the server sends to `{{listener.<name>}}`.
    #[serde(default)]
    pub receive: Option<Spanned<String>>,
    /// Seconds a `receive` step waits.
    #[serde(default)]
    pub timeout: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub expect_none: Option<bool>,
    #[serde(default)]
    pub respond: Option<Spanned<RawAnswer>>,
    /// Receive at the shared notification path the notification whose body's
    /// `auth_req_id` is this (a template), instead of at `{{listener.<name>}}`.
    #[serde(default)]
    pub route: Option<Spanned<String>>,
    /// An out-of-band action the target's hook driver performs.
    #[serde(default)]
    pub hook: Option<Spanned<String>>,
    /// Serve a document at `{{listener.<name>}}` from now on (with `respond`).
    #[serde(default)]
    pub host: Option<Spanned<String>>,
    #[serde(default)]
    pub args: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    #[serde(default)]
    pub client: Option<Spanned<String>>,
    #[serde(default)]
    pub auth: Option<Spanned<RawAuth>>,
    #[serde(default)]
    pub form: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    #[serde(default)]
    pub query: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    #[serde(default)]
    pub headers: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(default)]
    pub json: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub capture: Option<BTreeMap<String, Spanned<String>>>,
    #[serde(default)]
    pub wait: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub wait_extra: Option<f64>,
    #[serde(default)]
    pub poll: Option<Spanned<RawPollSpec>>,
    #[serde(default)]
    pub set: Option<BTreeMap<String, Spanned<toml::Value>>>,
    #[serde(default)]
    pub browser: Option<Spanned<RawBrowser>>,
    #[serde(default)]
    pub setup: Option<bool>,
    #[serde(default)]
    pub premise: Option<bool>,
    #[serde(default)]
    pub expect: Vec<Spanned<RawCheck>>,
}

/// `poll = "{{seconds}}"` (repeat until the checks hold) or `poll = { ... }` (RFC polling).
#[derive(Debug)]
pub enum RawPollSpec {
    Seconds(toml::Value),
    Table(RawPoll),
}

impl<'de> Deserialize<'de> for RawPollSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum: the table keeps the positions that
        // toml gives its inner values.
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawPollSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a number of seconds, a template, or a table { while, every, back_off, for }",
                )
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawPollSpec, E> {
                Ok(RawPollSpec::Seconds(toml::Value::Integer(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawPollSpec, E> {
                i64::try_from(v)
                    .map(|v| RawPollSpec::Seconds(toml::Value::Integer(v)))
                    .map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawPollSpec, E> {
                Ok(RawPollSpec::Seconds(toml::Value::String(v.to_string())))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawPollSpec, A::Error> {
                RawPoll::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawPollSpec::Table)
            }
        }
        d.deserialize_any(V)
    }
}

/// `auth = "mode"` or `auth = { method, secret, claims, wrong_key }`.
#[derive(Debug)]
pub enum RawAuth {
    Mode(String),
    Spec(RawAuthSpec),
}

impl<'de> Deserialize<'de> for RawAuth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawAuth;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "an auth mode such as \"configured\", or a table { method, secret, claims }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawAuth, E> {
                Ok(RawAuth::Mode(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawAuth, A::Error> {
                RawAuthSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawAuth::Spec)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthSpec {
    pub method: Spanned<String>,
    #[serde(default)]
    pub secret: Option<Spanned<String>>,
    #[serde(default)]
    pub claims: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub wrong_key: Option<bool>,
}

/// `{ jwt = { key, alg, header, claims } }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJwt {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default)]
    pub header: Option<toml::Value>,
    #[serde(default)]
    pub claims: Option<toml::Value>,
}

/// What the listener answers to a `receive`, or serves for a `host` step.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAnswer {
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub json: Option<toml::Value>,
    /// A text body (a template), instead of `json`.
    #[serde(default)]
    pub body: Option<String>,
}

/// `poll = { while, every, back_off, for }` (the table form of `poll`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoll {
    #[serde(rename = "while")]
    pub while_pending: Vec<Spanned<RawCheck>>,
    pub every: Spanned<toml::Value>,
    #[serde(default)]
    pub back_off: Vec<RawBackOff>,
    #[serde(rename = "for")]
    pub for_secs: Spanned<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBackOff {
    pub when: Spanned<RawCheck>,
    pub add: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRepeat {
    pub times: u32,
    #[serde(default)]
    pub every: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBrowser {
    /// A user role, or `"none"`.
    #[serde(default)]
    pub login: Option<Spanned<String>>,
    /// `allow`, `deny` or `none`.
    #[serde(default)]
    pub consent: Option<Spanned<String>>,
    /// Fields to type into the first form of the walk that has them (a user code).
    #[serde(default)]
    pub fill: Option<BTreeMap<String, Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    #[serde(default)]
    pub status: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub header: Option<Spanned<String>>,
    #[serde(default)]
    pub content_type: Option<Spanned<String>>,
    #[serde(default)]
    pub json: Option<Spanned<String>>,
    #[serde(default)]
    pub callback: Option<Spanned<String>>,
    #[serde(default)]
    pub delivered: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub post_redirects_use: Option<Spanned<Vec<u16>>>,
    /// The method of a received request.
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    /// A JWT at a JSON pointer of the body: `signed_by` or `claim` tests.
    #[serde(default)]
    pub jwt: Option<Spanned<String>>,
    #[serde(default)]
    pub signed_by: Option<Spanned<String>>,
    #[serde(default)]
    pub claim: Option<Spanned<String>>,
    /// With `jwt` and `claim`: the claim is the OIDC Core §3.1.3.6 hash (`at_hash`,
    /// `c_hash`, `rt_hash`) of the string at this JSON pointer of the body.
    #[serde(default)]
    pub hash_of: Option<Spanned<String>>,
    #[serde(default)]
    pub body_contains: Option<Spanned<String>>,
    #[serde(default)]
    pub body_not_contains: Option<Spanned<String>>,
    #[serde(default)]
    pub body_matches: Option<Spanned<String>>,
    /// A template rendered from the case's values (`"{{?granted_scope}}"`), tested as a
    /// JSON string: what a case knows rather than what the response says.
    #[serde(default)]
    pub value: Option<Spanned<String>>,
    /// Alternatives: the check holds when every check of one of them holds.
    #[serde(default)]
    pub any_of: Option<Spanned<Vec<Vec<Spanned<RawCheck>>>>>,
    /// A guard: the check is judged only when this holds.
    #[serde(default)]
    pub when: Option<Box<Spanned<RawCheck>>>,
    #[serde(default)]
    pub present: Option<bool>,
    #[serde(default)]
    pub absent: Option<bool>,
    #[serde(default)]
    pub equals: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub not_equals: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub contains: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub not_contains: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub includes_query_of: Option<Spanned<String>>,
    #[serde(default)]
    pub one_of: Option<Spanned<Vec<toml::Value>>>,
    #[serde(default, rename = "type")]
    pub json_type: Option<Spanned<String>>,
    #[serde(default)]
    pub only_keys: Option<Vec<String>>,
    #[serde(default)]
    pub no_empty_arrays: Option<bool>,
    #[serde(default)]
    pub unique: Option<bool>,
    #[serde(default)]
    pub greater_than: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub less_than: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub matches: Option<Spanned<String>>,
    #[serde(default)]
    pub words_include: Option<Spanned<String>>,
    #[serde(default)]
    pub words_exclude: Option<Spanned<String>>,
    #[serde(default)]
    pub level: Option<Spanned<String>>,
    #[serde(default)]
    pub note: Option<String>,
    /// For a repeated step: `"all"` (default) or `"any"` attempt.
    #[serde(default)]
    pub attempts: Option<Spanned<String>>,
    /// `premise = true`: when the check fails, the case is skipped, its premise not holding.
    #[serde(default)]
    pub premise: Option<bool>,
}
