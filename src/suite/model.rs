//! The validated suite model: cases, steps, flows and checks as the executor runs them.
//!
//! Everything here has passed validation: names are from the closed vocabularies,
//! templates parse, and every captured name is set before it is read.

use std::collections::BTreeSet;

use super::template::Template;
use super::vocab::{AuthMode, Capability, Endpoint, JsonType, Level, Role};

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
    pub steps: Vec<Step>,
    pub origin: Origin,
}

impl Case {
    /// Every request step the case sends, flows expanded, with the client role it acts as.
    pub fn request_steps<'a>(&'a self, catalog: &'a Catalog) -> Vec<(&'a RequestStep, Role)> {
        let mut out = Vec::new();
        for step in &self.steps {
            match step {
                Step::Flow(use_) => {
                    let client = use_.client.unwrap_or(Role::Confidential);
                    if let Some(flow) = catalog.flow(&use_.flow) {
                        out.extend(flow.steps.iter().map(|s| (s, s.client.unwrap_or(client))));
                    }
                }
                Step::Request(s) => out.push((&**s, s.client.unwrap_or(Role::Confidential))),
            }
        }
        out
    }

    /// Every client role the case's steps (and the flows they use) act as or read.
    pub fn roles(&self, catalog: &Catalog) -> BTreeSet<Role> {
        let mut roles = BTreeSet::new();
        for (s, role) in self.request_steps(catalog) {
            roles.insert(role);
            roles.extend(s.template_roles());
        }
        roles
    }

    /// The client fields (scope, redirect_uri) the case's templates cannot do without,
    /// per role: a target that lacks one cannot run the case.
    pub fn client_fields(
        &self,
        catalog: &Catalog,
    ) -> BTreeSet<(Role, super::template::ClientField)> {
        let mut out = BTreeSet::new();
        for (s, role) in self.request_steps(catalog) {
            for t in s.templates() {
                for (r, f) in t.required_client_fields() {
                    out.insert((r.unwrap_or(role), f));
                }
            }
        }
        out
    }
}

/// A named, reusable sequence of setup steps.
#[derive(Debug, Clone)]
pub struct Flow {
    pub name: String,
    pub description: String,
    pub steps: Vec<RequestStep>,
}

impl Flow {
    /// The names the flow captures, unprefixed.
    pub fn captures(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| s.captures.iter().map(|(n, _)| n.as_str()))
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
}

/// One HTTP request and what is expected of its response.
#[derive(Debug, Clone)]
pub struct RequestStep {
    pub endpoint: Endpoint,
    pub method: String,
    /// `None`: the using flow's client, else `confidential`.
    pub client: Option<Role>,
    pub auth: AuthMode,
    pub form: Vec<(String, Template)>,
    pub query: Vec<(String, Template)>,
    pub headers: Vec<(String, Template)>,
    pub json: Option<serde_json::Value>,
    pub captures: Vec<(String, CaptureSource)>,
    pub wait: Option<Template>,
    pub wait_extra: u64,
    /// Seconds during which the request is repeated until its checks hold; the last
    /// attempt is judged. For effects the spec lets propagate (RFC 7009 §2.1).
    pub poll: Option<Template>,
    /// Values set before the request is built (`set = { state = "{{random}}" }`), so that
    /// one generated value can be sent and then compared.
    pub set: Vec<(String, Template)>,
    /// Walk the authorization request like a browser: follow redirects, log in, consent.
    pub browser: Option<Browser>,
    /// A failing check is an `error` (unmet prerequisite), not a finding.
    pub setup: bool,
    pub checks: Vec<Check>,
    pub origin: Origin,
}

impl RequestStep {
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.form
            .iter()
            .chain(&self.query)
            .chain(&self.headers)
            .map(|(_, t)| t)
            .chain(self.wait.iter())
            .chain(self.poll.iter())
            .chain(self.set.iter().map(|(_, t)| t))
    }

    fn template_roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.templates().flat_map(|t| t.roles().collect::<Vec<_>>())
    }
}

/// How the user agent behaves on the server's pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Browser {
    /// The `[users.<role>]` to log in as; `None`: do not log in (stop at a login page).
    pub login: Option<String>,
    pub consent: Consent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
    /// Do not answer a consent page (stop there).
    None,
}

/// Where an authorization response reached the client's redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// In the query of a redirect (RFC 6749 §4.1.2).
    Query,
    /// In the fragment of a redirect (RFC 6749 §4.2.2).
    Fragment,
    /// By an auto-submitting form (OAuth 2.0 Form Post Response Mode).
    FormPost,
    /// In a PingOne `pi.flow` JSON `authorizeResponse`.
    PiFlow,
    /// Never: the walk ended on a page of the server (an error page, a login page).
    None,
}

impl Delivery {
    pub const ALL: [Delivery; 5] = [
        Delivery::Query,
        Delivery::Fragment,
        Delivery::FormPost,
        Delivery::PiFlow,
        Delivery::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Query => "query",
            Delivery::Fragment => "fragment",
            Delivery::FormPost => "form_post",
            Delivery::PiFlow => "pi.flow",
            Delivery::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Delivery> {
        Delivery::ALL.iter().copied().find(|d| d.as_str() == s)
    }
}

impl std::fmt::Display for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureSource {
    /// RFC 6901 JSON pointer into the response body.
    Json(String),
    Header(String),
    Status,
    /// A parameter of the authorization response the browser walk reached.
    Callback(String),
    /// A claim of a JWT found in the JSON body: `jwt:/id_token:/sub` is the `sub` claim of
    /// the JWT at `/id_token`. The payload is read, not verified.
    Jwt {
        token: String,
        claim: String,
    },
}

/// One expectation, judged at the case's level unless it carries its own.
#[derive(Debug, Clone)]
pub struct Check {
    pub kind: CheckKind,
    pub level: Option<Level>,
    pub note: Option<String>,
    /// `when = {...}`: the check is judged only when this guard holds (e.g. "if there is
    /// a bearer challenge, its error is `invalid_token`").
    pub when: Option<Box<CheckKind>>,
}

#[derive(Debug, Clone)]
pub enum CheckKind {
    Status(StatusMatch),
    HeaderPresent(String),
    HeaderAbsent(String),
    HeaderEquals(String, Template),
    HeaderContains(String, Template),
    /// No value of the header contains the text (case-insensitive); absent passes.
    HeaderNotContains(String, Template),
    ContentType(String),
    Json {
        pointer: String,
        test: JsonTest,
    },
    /// On the parameters of the authorization response, as a JSON object of strings.
    Callback {
        pointer: String,
        test: JsonTest,
    },
    /// How (and whether) the authorization response reached the redirect URI; any of these.
    Delivered(Vec<Delivery>),
    /// Every redirect the browser walk got in answer to a POST used one of these statuses.
    PostRedirectsUse(Vec<u16>),
    /// The raw body (as text) contains the value.
    BodyContains(Template),
    /// The raw body (as text) does not contain the value.
    BodyNotContains(Template),
    /// The raw body matches the regular expression.
    BodyMatches(Pattern),
    /// At least one alternative holds: every check of it holds.
    AnyOf(Vec<Vec<CheckKind>>),
}

/// A regular expression from a suite, compiled at load time.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusMatch {
    Exact(Vec<u16>),
    /// `"4xx"`: the hundreds digit.
    Class(u16),
}

impl StatusMatch {
    pub fn matches(&self, status: u16) -> bool {
        match self {
            StatusMatch::Exact(list) => list.contains(&status),
            StatusMatch::Class(c) => status / 100 == *c,
        }
    }
}

impl std::fmt::Display for StatusMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusMatch::Exact(list) if list.len() == 1 => write!(f, "{}", list[0]),
            StatusMatch::Exact(list) => {
                let s: Vec<String> = list.iter().map(u16::to_string).collect();
                write!(f, "one of {}", s.join(", "))
            }
            StatusMatch::Class(c) => write!(f, "{c}xx"),
        }
    }
}

/// What a `json = "/pointer"` check demands of the value(s) it points at. Values may
/// hold templates in their strings.
#[derive(Debug, Clone)]
pub enum JsonTest {
    Equals(serde_json::Value),
    NotEquals(serde_json::Value),
    OneOf(Vec<serde_json::Value>),
    Type(JsonType),
    Present,
    Absent,
    Contains(serde_json::Value),
    /// Neither an array element nor a substring equals the value; absent passes.
    NotContains(serde_json::Value),
    /// The object has every query parameter of the URL (a template), with the same value.
    IncludesQueryOf(serde_json::Value),
    OnlyKeys(Vec<String>),
    NoEmptyArrays,
    /// The selected values (a `*` pointer) are pairwise distinct.
    Unique,
    /// A number greater than the value (a number, or a template rendering to one).
    GreaterThan(serde_json::Value),
    /// A number less than the value.
    LessThan(serde_json::Value),
    /// A string the regular expression matches (anywhere, unless anchored).
    Matches(Pattern),
    /// A space-separated word list (such as `scope`, RFC 6749 §3.3) holding every word of
    /// the value.
    WordsInclude(serde_json::Value),
    /// A space-separated word list holding none of the words of the value; absent passes.
    WordsExclude(serde_json::Value),
}
