//! Evaluating expectations against what a step observed. A broken expectation is a
//! [`Broken`] value (what was looked at, what was expected, what the server did), never an
//! `Err` of the harness: a misbehaving server is a verdict. A check that cannot even be
//! evaluated (a template that does not render) is [`CheckError::Harness`].

mod json;

use serde_json::Value;

pub use json::select;

use super::browser::Callback;
use super::context::Context;
use super::http::Response;
use crate::suite::{CheckKind, Delivery, Role};

/// What a step observed: the last response, its body, and for a browser walk the
/// authorization response (if it reached the redirect URI) and where the walk ended.
pub struct Observed<'a> {
    pub response: &'a Response,
    pub body: &'a Body,
    pub callback: Option<&'a Callback>,
    pub ended_at: &'a str,
    /// Method and status of every hop of a browser walk.
    pub hops: &'a [(String, String, u16)],
    /// For a request the listener received: its method (the "response" holds its
    /// headers and body).
    pub method: Option<&'a str>,
    /// The target's JWKS, when a check of the step verifies signatures.
    pub jwks: Option<&'a Value>,
}

/// The body as JSON, parsed once per response.
pub struct Body {
    json: Result<Value, String>,
}

impl Body {
    pub fn of(resp: &Response) -> Body {
        let json = serde_json::from_slice::<Value>(&resp.body).map_err(|e| {
            let ct = resp.header("content-type").unwrap_or("no content type");
            let text = String::from_utf8_lossy(&resp.body);
            let excerpt: String = text.chars().take(80).collect();
            if resp.body.is_empty() {
                format!("an empty body ({ct})")
            } else {
                format!("a body that is not JSON ({ct}: {e}): {excerpt:?}")
            }
        });
        Body { json }
    }

    pub fn json(&self) -> Result<&Value, &str> {
        self.json.as_ref().map_err(String::as_str)
    }
}

/// A broken expectation, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// What was looked at: `status`, ``header `pragma` ``, ``JSON `/active` ``, ...
    pub check: String,
    pub expected: String,
    pub actual: String,
    /// The check's subject was never observed (no authorization response arrived): a
    /// `note` describing what was seen would claim something false, so it is left out.
    pub unseen: bool,
}

impl Broken {
    /// A finding as the `Err` of a check.
    pub fn err(
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> CheckError {
        CheckError::Broken(Broken {
            check: check.into(),
            expected: expected.into(),
            actual: actual.into(),
            unseen: false,
        })
    }
}

/// Why a check did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The server's answer breaks the expectation: a finding.
    Broken(Broken),
    /// The check could not be evaluated (a value did not render): a harness error.
    Harness(String),
}

/// `Ok` when the check holds.
pub fn evaluate(
    kind: &CheckKind,
    seen: &Observed<'_>,
    cx: &Context<'_>,
    client: Role,
) -> Result<(), CheckError> {
    let resp = seen.response;
    let body = seen.body;
    let render = |t| cx.render_required(t, client).map_err(CheckError::Harness);
    match kind {
        CheckKind::Status(m) => {
            if m.matches(resp.status) {
                return Ok(());
            }
            let mut got = resp.status.to_string();
            if let Some(loc) = resp.header("location") {
                got.push_str(&format!(" (Location: {loc})"));
            }
            if let Ok(Value::Object(o)) = body.json()
                && let Some(err) = o.get("error").and_then(Value::as_str)
            {
                got.push_str(&format!(" with error `{err}`"));
            }
            Err(Broken::err("status", m.to_string(), got))
        }
        CheckKind::HeaderPresent(name) => match resp.header(name) {
            Some(_) => Ok(()),
            None => Err(Broken::err(format!("header `{name}`"), "present", "absent")),
        },
        CheckKind::HeaderAbsent(name) => match resp.header(name) {
            None => Ok(()),
            Some(v) => Err(Broken::err(
                format!("header `{name}`"),
                "absent",
                format!("{v:?}"),
            )),
        },
        CheckKind::HeaderEquals(name, t) => {
            let want = render(t)?;
            let values: Vec<&str> = resp.header_values(name).collect();
            if values.iter().any(|v| v.trim() == want) {
                Ok(())
            } else {
                Err(Broken::err(
                    format!("header `{name}`"),
                    format!("{want:?}"),
                    shown_values(&values),
                ))
            }
        }
        CheckKind::HeaderContains(name, t) => {
            let want = render(t)?.to_ascii_lowercase();
            let values: Vec<&str> = resp.header_values(name).collect();
            if values
                .iter()
                .any(|v| v.to_ascii_lowercase().contains(&want))
            {
                Ok(())
            } else {
                Err(Broken::err(
                    format!("header `{name}`"),
                    format!("a value containing {want:?}"),
                    shown_values(&values),
                ))
            }
        }
        CheckKind::HeaderNotContains(name, t) => {
            let unwanted = render(t)?.to_ascii_lowercase();
            match resp
                .header_values(name)
                .find(|v| v.to_ascii_lowercase().contains(&unwanted))
            {
                None => Ok(()),
                Some(v) => Err(Broken::err(
                    format!("header `{name}`"),
                    format!("no value containing {unwanted:?}"),
                    format!("{v:?}"),
                )),
            }
        }
        CheckKind::ContentType(want) => match resp.media_type() {
            Some(mt) if &mt == want => Ok(()),
            Some(mt) => Err(Broken::err(
                "content type",
                format!("`{want}`"),
                format!("`{mt}`"),
            )),
            None => Err(Broken::err(
                "content type",
                format!("`{want}`"),
                "no Content-Type",
            )),
        },
        CheckKind::Json { pointer, test } => match body.json() {
            Ok(root) => json::json_test(root, "JSON", pointer, test, cx, client),
            Err(e) => Err(Broken::err(
                format!("JSON `{pointer}`"),
                "a JSON body",
                e.to_string(),
            )),
        },
        CheckKind::Callback { pointer, test } => {
            let Some(cb) = seen.callback else {
                // No authorization response at all: a parameter that must be absent is.
                if matches!(test, crate::suite::JsonTest::Absent) {
                    return Ok(());
                }
                return Err(CheckError::Broken(Broken {
                    check: format!("callback `{pointer}`"),
                    expected: "an authorization response at the redirect URI".into(),
                    actual: format!("none; the walk ended at {}", seen.ended_at),
                    unseen: true,
                }));
            };
            json::json_test(&cb.as_json(), "callback", pointer, test, cx, client)
        }
        CheckKind::PostRedirectsUse(allowed) => {
            let bad = seen.hops.iter().find(|(method, _, status)| {
                method == "POST" && (300..400).contains(status) && !allowed.contains(status)
            });
            match bad {
                None => Ok(()),
                Some((_, url, status)) => {
                    let want: Vec<String> = allowed.iter().map(u16::to_string).collect();
                    Err(Broken::err(
                        format!("redirect after the POST to {url}"),
                        want.join(" or "),
                        status.to_string(),
                    ))
                }
            }
        }
        CheckKind::Delivered(allowed) => {
            let got = seen.callback.map_or(Delivery::None, |c| c.delivery);
            if allowed.contains(&got) {
                Ok(())
            } else {
                let want: Vec<&str> = allowed.iter().map(|d| d.as_str()).collect();
                let at = match seen.callback {
                    Some(c) => c.url.clone(),
                    None => seen.ended_at.to_string(),
                };
                Err(Broken::err(
                    "delivery of the authorization response",
                    want.join(" or "),
                    format!("{got} ({at})"),
                ))
            }
        }
        CheckKind::BodyContains(t) | CheckKind::BodyNotContains(t) => {
            let want = render(t)?;
            let text = String::from_utf8_lossy(&resp.body);
            let found = text.contains(&want);
            match (kind, found) {
                (CheckKind::BodyContains(_), false) => Err(Broken::err(
                    "body",
                    format!("text containing {want:?}"),
                    excerpt(&text),
                )),
                (CheckKind::BodyNotContains(_), true) => Err(Broken::err(
                    "body",
                    format!("text not containing {want:?}"),
                    excerpt(&text),
                )),
                _ => Ok(()),
            }
        }
        CheckKind::BodyMatches(p) => {
            let text = String::from_utf8_lossy(&resp.body);
            if p.0.is_match(&text) {
                Ok(())
            } else {
                Err(Broken::err(
                    "body",
                    format!("text matching /{}/", p.0.as_str()),
                    excerpt(&text),
                ))
            }
        }
        CheckKind::Value { template, test } => {
            let v = Value::String(render(template)?);
            json::json_test(&v, &format!("value `{template}`"), "", test, cx, client)
        }
        CheckKind::Method(want) => match seen.method {
            Some(m) if m.eq_ignore_ascii_case(want) => Ok(()),
            Some(m) => Err(Broken::err(
                "method of the received request",
                want.clone(),
                m,
            )),
            None => Err(CheckError::Harness(
                "a `method` check goes with a `receive` step".into(),
            )),
        },
        CheckKind::JwtSigned { pointer } => {
            let token = jwt_at(body, pointer)?;
            let Some(jwks) = seen.jwks else {
                return Err(CheckError::Harness(
                    "the target's JWKS was not fetched".into(),
                ));
            };
            match super::jwt::verify_with_jwks(&token, jwks) {
                Ok(_) => Ok(()),
                Err(why) => Err(Broken::err(
                    format!("signature of the JWT at `{pointer}`"),
                    "a signature by a key of the target's JWKS",
                    why.to_string(),
                )),
            }
        }
        CheckKind::JwtHash { pointer, claim, of } => {
            let token = jwt_at(body, pointer)?;
            let (header, claims) = super::jwt::decode_unverified(&token).map_err(|e| {
                Broken::err(
                    format!("JWT at `{pointer}`"),
                    "a JWS compact serialization",
                    e.to_string(),
                )
            })?;
            let what = format!("`{claim}` of the JWT at `{pointer}`");
            let value = string_at(body, of, "the hashed value")?;
            let alg = header
                .get("alg")
                .and_then(Value::as_str)
                .unwrap_or("(none)");
            let Some(want) = super::jwt::token_hash(alg, &value) else {
                return Err(Broken::err(
                    what,
                    "an `alg` whose hash is known (OIDC Core §3.1.3.6)",
                    format!("alg {alg}"),
                ));
            };
            let claims = Value::Object(claims);
            let got = json::select(&claims, claim)
                .into_iter()
                .next()
                .and_then(|(_, v)| v);
            match got {
                Some(Value::String(s)) if *s == want => Ok(()),
                Some(other) => Err(Broken::err(
                    what,
                    format!("the {alg} hash of `{of}`"),
                    json::short(other),
                )),
                None => Err(Broken::err(what, "present", "absent")),
            }
        }
        CheckKind::JwtClaim {
            pointer,
            claim,
            test,
        } => {
            let token = jwt_at(body, pointer)?;
            match super::jwt::decode_unverified(&token) {
                Ok((_, claims)) => json::json_test(
                    &Value::Object(claims),
                    &format!("claim of the JWT at `{pointer}`:"),
                    claim,
                    test,
                    cx,
                    client,
                ),
                Err(e) => Err(Broken::err(
                    format!("JWT at `{pointer}`"),
                    "a JWS compact serialization",
                    e.to_string(),
                )),
            }
        }
        CheckKind::AnyOf(alternatives) => {
            let mut why = Vec::new();
            for alt in alternatives {
                match alt.iter().try_for_each(|k| evaluate(k, seen, cx, client)) {
                    Ok(()) => return Ok(()),
                    Err(CheckError::Harness(m)) => return Err(CheckError::Harness(m)),
                    Err(CheckError::Broken(b)) => why.push(format!(
                        "{}: {} (expected {})",
                        b.check, b.actual, b.expected
                    )),
                }
            }
            Err(Broken::err(
                "alternatives",
                format!("one of {} alternatives to hold", alternatives.len()),
                why.join("; "),
            ))
        }
    }
}

/// Whether a `when` guard holds. A guard that cannot be evaluated is a harness error.
pub fn guard_holds(
    guard: &CheckKind,
    seen: &Observed<'_>,
    cx: &Context<'_>,
    client: Role,
) -> Result<bool, String> {
    match evaluate(guard, seen, cx, client) {
        Ok(()) => Ok(true),
        Err(CheckError::Broken(_)) => Ok(false),
        Err(CheckError::Harness(m)) => Err(m),
    }
}

/// The string at a JSON pointer of the body, which a JWT check reads.
fn jwt_at(body: &Body, pointer: &str) -> Result<String, CheckError> {
    string_at(body, pointer, "JWT")
}

/// The string at `pointer` of the JSON body; `what` names it in a finding.
fn string_at(body: &Body, pointer: &str, what: &str) -> Result<String, CheckError> {
    let root = body.json().map_err(|e| {
        Broken::err(
            format!("{what} at `{pointer}`"),
            "a JSON body",
            e.to_string(),
        )
    })?;
    match select(root, pointer)
        .into_iter()
        .next()
        .and_then(|(_, v)| v)
    {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(Broken::err(
            format!("{what} at `{pointer}`"),
            "a string",
            json::short(other),
        )),
        None => Err(Broken::err(
            format!("{what} at `{pointer}`"),
            "present",
            "absent",
        )),
    }
}

fn shown_values(values: &[&str]) -> String {
    if values.is_empty() {
        "absent".into()
    } else {
        format!("{values:?}")
    }
}

fn excerpt(text: &str) -> String {
    let s: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        format!("{s:?}…")
    } else {
        format!("{s:?}")
    }
}
