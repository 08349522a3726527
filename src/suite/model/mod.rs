//! The validated suite model: cases, steps, flows and checks as the executor runs them.
//!
//! Everything here has passed validation: names are from the closed vocabularies,
//! templates parse, and every captured name is set before it is read.

use std::collections::BTreeSet;

mod check;
mod grants;

pub use check::*;
pub use grants::GrantUse;

use super::template::Template;
use super::vocab::{AuthMethod, AuthMode, Capability, Endpoint, Level, Role};

/// All cases and flows loaded from a suites folder.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub cases: Vec<Case>,
    pub flows: Vec<Flow>,
}

impl Catalog {
    pub fn flow(&self, name: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.name == name)
    }
}

/// Where something was written, for messages that point back at the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

/// One test case: one requirement of one specification.
#[derive(Debug, Clone)]
pub struct Case {
    /// `<folder>/<file stem>/<slug>`, stable across releases.
    pub id: String,
    pub spec: String,
    pub section: String,
    pub level: Level,
    pub requirement: String,
    pub title: String,
    pub description: Option<String>,
    pub needs: BTreeSet<Capability>,
    /// The reference-server fault that makes this case fail.
    pub proof: String,
    /// The steps as they run: flows expanded (by the loader, once).
    pub steps: Vec<RunStep>,
    /// `[[case.cleanup]]`: steps that always run at the end (deleting what the case
    /// created); their failures are notes, never the case's verdict.
    pub cleanup: Vec<RunStep>,
    pub origin: Origin,
}

impl Case {
    /// Whether the case needs the callback listener: a `{{listener.<name>}}` value or a
    /// `receive` step.
    pub fn uses_listener(&self) -> bool {
        self.steps.iter().any(|s| {
            matches!(s.request.to, Destination::Receive(_) | Destination::Host(_))
                || s.request
                    .templates()
                    .chain(s.args.iter().map(|(_, t)| t))
                    .any(|t| {
                        t.exprs()
                            .any(|e| matches!(e, super::template::Expr::Listener(_)))
                    })
                || s.request.json.as_ref().is_some_and(json_uses_listener)
        })
    }

    /// Every request step the case sends, flows expanded, with the client role it acts as.
    pub fn request_steps(&self) -> impl Iterator<Item = (&RequestStep, Role)> {
        self.steps
            .iter()
            .chain(&self.cleanup)
            .map(|s| (&s.request, s.client))
    }

    /// The names of the hooks the case's steps have performed (cleanup steps aside: their
    /// failures are notes, not reasons not to run).
    pub fn hooks(&self) -> BTreeSet<&str> {
        self.steps
            .iter()
            .filter_map(|s| match &s.request.to {
                Destination::Hook(h) => Some(h.name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Every client role the target must configure for the case: the roles its steps
    /// act as or read, less those the case registers itself (`as_client`).
    pub fn roles(&self) -> BTreeSet<Role> {
        let mut roles = BTreeSet::new();
        for (s, role) in self.request_steps() {
            roles.insert(role);
            roles.extend(s.template_roles());
        }
        for s in &self.steps {
            roles.extend(
                s.args
                    .iter()
                    .flat_map(|(_, t)| t.roles().collect::<Vec<_>>()),
            );
        }
        for (s, _) in self.request_steps() {
            if let Some(r) = s.as_client {
                roles.remove(&r);
            }
        }
        roles
    }

    /// The client fields (scope, redirect_uri) the case's templates cannot do without,
    /// per role: a target that lacks one cannot run the case.
    /// The `[users.<role>]` values the case reads: a target without one skips it.
    pub fn user_fields(&self) -> BTreeSet<(String, super::template::UserField)> {
        let mut out = BTreeSet::new();
        for step in &self.steps {
            let templates = step
                .request
                .templates()
                .chain(step.args.iter().map(|(_, t)| t));
            for t in templates {
                out.extend(t.required_user_fields());
            }
        }
        out
    }

    pub fn client_fields(&self) -> BTreeSet<(Role, super::template::ClientField)> {
        let mut out = BTreeSet::new();
        for step in &self.steps {
            let templates = step
                .request
                .templates()
                .chain(step.args.iter().map(|(_, t)| t));
            for t in templates {
                for (r, f) in t.required_client_fields() {
                    out.insert((r.unwrap_or(step.client), f));
                }
            }
        }
        out
    }
}

/// A request step as a case runs it, with the flow it came from (if any) expanded.
#[derive(Debug, Clone)]
pub struct RunStep {
    pub request: RequestStep,
    /// The client role the step acts as.
    pub client: Role,
    /// `step 2 · token`, `step 1 · flow code-flow · authorization`.
    pub label: String,
    /// The `as` of the flow use: captures land as `<scope>.<name>`, and the step reads
    /// its flow's names first.
    pub scope: Option<String>,
    /// Flow arguments (`with`, else the flow's defaults) set before this step, the first
    /// of its flow; rendered as the step's client. An optional value that is empty
    /// leaves the name unset.
    pub args: Vec<(String, Template)>,
}

/// A named, reusable sequence of setup steps.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub description: String,
    /// The arguments a use may pass (`with = {...}`), each with its default.
    pub args: Vec<(String, Template)>,
    pub steps: Vec<RequestStep>,
}

impl Flow {
    /// The names the flow captures, unprefixed.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| s.captures.iter().map(|c| c.name.as_str()))
    }

    /// Every name a use of the flow leaves behind (as `<as>.<name>` with `as`): its
    /// captures, the values its steps `set`, and its arguments.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.captures()
            .chain(
                self.steps
                    .iter()
                    .flat_map(|s| s.set.iter().map(|(n, _)| n.as_str())),
            )
            .chain(self.args.iter().map(|(n, _)| n.as_str()))
    }
}

#[derive(Debug, Clone)]
pub enum Step {
    Flow(FlowUse),
    Request(Box<RequestStep>),
}

/// `use = "flow"` with its options.
#[derive(Debug, Clone)]
pub struct FlowUse {
    pub flow: String,
    /// Captures land as `<alias>.<name>` when set.
    pub alias: Option<String>,
    pub client: Option<Role>,
    /// `with = { name = "template" }`: arguments passed to the flow.
    pub with: Vec<(String, Template)>,
}

/// One HTTP request and what is expected of its response.
#[derive(Debug, Clone)]
pub struct RequestStep {
    /// Where the request goes.
    pub to: Destination,
    pub method: String,
    /// `None`: the using flow's client, else `confidential`.
    pub client: Option<Role>,
    pub auth: AuthMode,
    pub form: Vec<(String, Template)>,
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub json: Option<serde_json::Value>,
    pub captures: Vec<Capture>,
    pub wait: Option<Template>,
    pub wait_extra: f64,
    /// Whether and how the request is sent more than once.
    pub repeat: Repetition,
    /// Values set before the request is built (`set = { state = "{{random}}" }`), so that
    /// one generated value can be sent and then compared.
    pub set: Vec<(String, SetValue)>,
    /// `auth = { method = ..., ... }`: client authentication beyond the named modes.
    pub auth_spec: Option<AuthSpec>,
    /// Walk the authorization request like a browser: follow redirects, log in, consent.
    pub browser: Option<Browser>,
    /// A failing check is an `error` (unmet prerequisite), not a finding.
    pub setup: bool,
    /// `premise = true`: a failing check means the case cannot judge this server (its
    /// premise does not hold there): the case is skipped with the reason.
    pub premise: bool,
    pub checks: Vec<Check>,
    /// `agent = "b"`: another user agent (its own cookie jar) than the case's first.
    pub agent: Option<String>,
    /// `as_client = "dyn"`: the response registered a client (RFC 7591 §3.2.1), which
    /// plays this role for the rest of the case.
    pub as_client: Option<Role>,
    pub origin: Origin,
}

impl RequestStep {
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        let url: Vec<&Template> = match &self.to {
            Destination::Url(t) => vec![t],
            Destination::Receive(r) => std::iter::once(&r.timeout)
                .chain(&r.route)
                .chain(r.respond.iter().flat_map(Answer::templates))
                .collect(),
            Destination::Hook(h) => h.args.iter().map(|(_, t)| t).collect(),
            Destination::Host(h) => h.respond.templates().collect(),
            Destination::Endpoint(_) => Vec::new(),
        };
        let repeat: Vec<&Template> = match &self.repeat {
            Repetition::Once => Vec::new(),
            Repetition::UntilHolds(t) => vec![t],
            Repetition::Poll(p) => vec![&p.every, &p.for_secs],
            Repetition::Repeat { every, .. } => vec![every],
        };
        self.form
            .iter()
            .chain(&self.query)
            .chain(&self.headers)
            .map(|(_, t)| t)
            .chain(self.wait.iter())
            .chain(url)
            .chain(repeat)
            .chain(self.set.iter().filter_map(|(_, v)| match v {
                SetValue::Text(t) => Some(t),
                SetValue::Macaroon(m) => Some(&m.token),
                SetValue::Jwt(_) => None,
            }))
            .chain(self.auth_spec.iter().flat_map(|a| a.secret.iter()))
    }

    fn template_roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.templates().flat_map(|t| t.roles().collect::<Vec<_>>())
    }

    /// The logical endpoint, when the step names one.
    pub fn endpoint(&self) -> Option<Endpoint> {
        match &self.to {
            Destination::Endpoint(e) => Some(*e),
            _ => None,
        }
    }
}

/// A `set` value: text, or a JWT the harness signs (`{ jwt = { key, alg, header,
/// claims } }`).
#[derive(Debug, Clone)]
pub enum SetValue {
    Text(Template),
    Jwt(Box<JwtSpec>),
    Macaroon(Box<MacaroonSpec>),
}

/// `{ macaroon = { token = "{{access_token}}", caveat = { scope = "read" } } }`: a macaroon
/// access token attenuated by the harness itself, as any holder may without a key (one more
/// first-party caveat; its strings may hold templates, a whole numeric one becomes a number).
/// With `drop_last_caveat = true` the last caveat is removed and the signature kept: a
/// tampered macaroon.
#[derive(Debug, Clone)]
pub struct MacaroonSpec {
    pub token: Template,
    pub caveat: Option<serde_json::Value>,
    pub drop_last_caveat: bool,
}

/// A JWT to build and sign when the step runs. `header` and `claims` are JSON objects
/// whose strings may hold templates; a whole numeric template (`{{now + 60}}`) becomes a
/// number.
#[derive(Debug, Clone)]
pub struct JwtSpec {
    pub key: KeyRef,
    /// The algorithm; by default the key's own (its configured `key_alg`, HS256 for a
    /// secret).
    pub alg: Option<String>,
    pub header: serde_json::Value,
    pub claims: serde_json::Value,
}

/// Which key signs a JWT the harness builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRef {
    /// The configured key of the step's client (`"client"`) or of a role
    /// (`"clients.<role>"`).
    Client(Option<Role>),
    /// An HMAC key from the client secret of the step's client or a role (`"secret"`,
    /// `"secrets.<role>"`): `client_secret_jwt` (OpenID Connect Core §9).
    Secret(Option<Role>),
    /// A key made for this JWT that nobody has registered (`"generated"`), with the
    /// client key's `kid` when it has one: a signature no server can verify.
    Generated,
    /// No signature at all (`"none"`, RFC 7519 §6 unsecured JWT).
    Unsecured,
}

/// `auth = { method = "...", secret = "...", claims = {...} }`.
#[derive(Debug, Clone)]
pub struct AuthSpec {
    pub method: AuthMethod,
    /// The secret to present instead of the configured one; for `client_secret_jwt`, the
    /// assertion's HMAC key.
    pub secret: Option<Template>,
    /// Assertion claims merged over the defaults (RFC 7523 §3: `iss`, `sub`, `aud`,
    /// `exp`, `iat`, `jti`); `null` removes one.
    pub claims: Option<serde_json::Value>,
    /// Sign the assertion with a key nobody registered (same `kid`).
    pub wrong_key: bool,
}

/// What a step does: send a request somewhere, wait for one the server sends, or have an
/// out-of-band action performed.
#[derive(Debug, Clone)]
pub enum Destination {
    /// A logical endpoint the target file and discovery resolve.
    Endpoint(Endpoint),
    /// Any URL, usually captured (`url = "{{reg.registration_client_uri}}"`).
    Url(Template),
    /// `receive = "<name>"`: the request the server sends to `{{listener.<name>}}`, or
    /// with `route`, the notification about that `auth_req_id` at the shared path.
    Receive(Receive),
    /// `hook = "<name>"`: what a person would do on another device.
    Hook(HookCall),
    /// `host = "<name>"`: from now on the listener serves a document at
    /// `{{listener.<name>}}` to GET and HEAD requests (a request object at its RFC 9101
    /// `request_uri`, say); the requests still reach a later `receive` step.
    Host(Host),
}

/// A document the listener serves to the server under test.
#[derive(Debug, Clone)]
pub struct Host {
    pub name: String,
    /// Status (200 unless given), headers and body, rendered when the step runs.
    pub respond: Answer,
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Endpoint(e) => write!(f, "{e}"),
            Destination::Url(_) => f.write_str("url"),
            Destination::Receive(r) => write!(f, "receive {}", r.name),
            Destination::Hook(h) => write!(f, "hook {}", h.name),
            Destination::Host(h) => write!(f, "host {}", h.name),
        }
    }
}

/// Waiting for a request at the callback listener.
#[derive(Debug, Clone)]
pub struct Receive {
    /// With `route`, only the step's label.
    pub name: String,
    /// `route = "{{auth_req_id}}"`: the notification at the listener's shared path whose
    /// body's `auth_req_id` is this (CIBA Core §4: one notification endpoint per client).
    /// The case claims it as soon as the template renders, so a notification sent before
    /// the step runs still reaches it.
    pub route: Option<Template>,
    /// Seconds to wait (a template).
    pub timeout: Template,
    /// `expect_none = true`: the step holds when nothing arrives within the timeout.
    pub expect_none: bool,
    /// What the listener answers (set when the case starts, so that it holds however
    /// early the server calls); 204 by default.
    pub respond: Option<Answer>,
}

/// `respond = { status = 200, headers = {...}, json = {...} }`.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Values are templates (a `Location` may name `{{listener.<name>}}`).
    pub headers: Vec<(String, Template)>,
    pub json: Option<serde_json::Value>,
    /// `body = "{{request_object}}"`: a text body, instead of `json`.
    pub body: Option<Template>,
}

impl Answer {
    /// The header and body templates.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.headers.iter().map(|(_, t)| t).chain(&self.body)
    }
}

/// An out-of-band action and its arguments (templates).
#[derive(Debug, Clone)]
pub struct HookCall {
    pub name: String,
    pub args: Vec<(String, Template)>,
}

/// Whether and how a step's request is sent more than once.
#[derive(Debug, Clone)]
pub enum Repetition {
    Once,
    /// `poll = "{{seconds}}"`: repeat (every 250 ms) until the checks hold or the seconds
    /// run out, for effects a spec lets propagate (RFC 7009 §2.1); the last attempt is
    /// judged.
    UntilHolds(Template),
    /// `poll = { while, every, back_off, for }`: polling as RFC 8628 §3.4 and CIBA §7.3
    /// define it.
    Poll(Poll),
    /// `repeat = { times, every }`: send `times` times; checks are judged over the
    /// attempts as their `attempts` says.
    Repeat {
        times: u32,
        every: Template,
    },
}

/// Polling at the server's interval: repeat while every `while` check holds (the answer
/// is pending), waiting `every` seconds between requests plus every back-off earned so
/// far, for at most `for_secs`; the first answer that is not pending is judged.
#[derive(Debug, Clone)]
pub struct Poll {
    pub while_pending: Vec<CheckKind>,
    pub every: Template,
    pub back_off: Vec<BackOff>,
    pub for_secs: Template,
}

/// `back_off = [{ when = {...}, add = 5 }]`: an answer matching `when` adds `add` seconds
/// to the interval, for this and every later request (RFC 8628 §3.5 `slow_down`).
#[derive(Debug, Clone)]
pub struct BackOff {
    pub when: CheckKind,
    pub add: f64,
}

/// Over which attempts of a repeated step a check must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Attempts {
    /// Every attempt.
    #[default]
    All,
    /// At least one attempt.
    Any,
}

/// How the user agent behaves on the server's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    /// The `[users.<role>]` to log in as; `None`: do not log in (stop at a login page).
    pub login: Option<String>,
    pub consent: Consent,
    /// `fill = { user_code = "{{user_code}}" }`: typed into the first form of the walk
    /// that has all these fields, which is then submitted (a device verification page).
    pub fill: Vec<(String, Template)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
    /// Do not answer a consent page (stop there).
    None,
}

/// Whether a JSON body names the callback listener (`{{listener.<name>}}`).
fn json_uses_listener(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains("{{listener."),
        serde_json::Value::Array(items) => items.iter().any(json_uses_listener),
        serde_json::Value::Object(m) => m.values().any(json_uses_listener),
        _ => false,
    }
}
