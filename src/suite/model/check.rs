//! What a step observes and judges: captures, checks and their tests, and how an
//! authorization response may be delivered.

use super::*;
use crate::suite::template::Template;
use crate::suite::vocab::JsonType;

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

/// `capture = { name = "SOURCE" }`; a source ending in `?` is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub name: String,
    pub source: CaptureSource,
    /// Finding nothing leaves the name unset instead of failing the step.
    pub optional: bool,
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
    /// An element of an HTML page by CSS selector: an attribute (`@value`, `@action`,
    /// `@href`; URLs resolved against the page), or its text.
    Html {
        selector: String,
        attr: Option<String>,
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
    /// For a repeated step: over which attempts the check must hold.
    pub attempts: Attempts,
    /// `premise = true`: a failure means the case cannot judge this server; it is skipped
    /// with the reason, before any other check of the step is reported.
    pub premise: bool,
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
    /// A rendered template, tested as a JSON string (`value = "{{?granted_scope}}"`).
    Value {
        template: Template,
        test: JsonTest,
    },
    /// The method of a request the listener received (`receive` steps).
    Method(String),
    /// The JWT at the pointer verifies against the target's JWKS (`signed_by = "jwks"`).
    JwtSigned {
        pointer: String,
    },
    /// The claim of the JWT at the pointer is the OIDC Core §3.1.3.6 hash of the string at
    /// `of` in the body: base64url of the left half of its hash by the JWT's `alg`.
    JwtHash {
        pointer: String,
        claim: String,
        of: String,
    },
    /// A test on the claims of the JWT at the pointer (read, not verified).
    JwtClaim {
        pointer: String,
        claim: String,
        test: JsonTest,
    },
}

impl CheckKind {
    /// Whether the check verifies a signature against the target's JWKS.
    pub fn needs_jwks(&self) -> bool {
        match self {
            CheckKind::JwtSigned { .. } => true,
            CheckKind::AnyOf(alts) => alts.iter().flatten().any(CheckKind::needs_jwks),
            _ => false,
        }
    }

    /// Whether the check reads what only a browser walk observes.
    pub fn needs_browser(&self) -> bool {
        match self {
            CheckKind::Callback { .. }
            | CheckKind::Delivered(_)
            | CheckKind::PostRedirectsUse(_) => true,
            CheckKind::AnyOf(alts) => alts.iter().flatten().any(CheckKind::needs_browser),
            _ => false,
        }
    }
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
