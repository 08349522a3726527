//! Evaluating expectations against a response. A broken expectation is a message, never
//! an `Err` of the harness: a misbehaving server is a verdict.

use serde_json::Value;

use super::browser::Callback;
use super::context::Context;
use super::http::Response;
use crate::suite::{CheckKind, Delivery, JsonTest, Role};

/// What a step observed: the last response, its body, and for a browser walk the
/// authorization response (if it reached the redirect URI) and where the walk ended.
pub struct Observed<'a> {
    pub response: &'a Response,
    pub body: &'a Body,
    pub callback: Option<&'a Callback>,
    pub ended_at: &'a str,
    /// Method and status of every hop of a browser walk.
    pub hops: &'a [(String, String, u16)],
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
                format!("the body is empty ({ct})")
            } else {
                format!("the body is not JSON ({ct}: {e}): {excerpt:?}")
            }
        });
        Body { json }
    }

    pub fn json(&self) -> Result<&Value, &str> {
        self.json.as_ref().map_err(String::as_str)
    }
}

/// `Ok` when the check holds, else what was wrong.
pub fn evaluate(
    kind: &CheckKind,
    seen: &Observed<'_>,
    cx: &Context<'_>,
    client: Role,
) -> Result<(), String> {
    let resp = seen.response;
    let body = seen.body;
    match kind {
        CheckKind::Status(m) => {
            if m.matches(resp.status) {
                Ok(())
            } else {
                let mut msg = format!("expected status {m}, got {}", resp.status);
                if let Some(loc) = resp.header("location") {
                    msg.push_str(&format!(" (Location: {loc})"));
                }
                if let Ok(Value::Object(o)) = body.json()
                    && let Some(err) = o.get("error").and_then(Value::as_str)
                {
                    msg.push_str(&format!(" with error `{err}`"));
                }
                Err(msg)
            }
        }
        CheckKind::HeaderPresent(name) => match resp.header(name) {
            Some(_) => Ok(()),
            None => Err(format!("header `{name}` is missing")),
        },
        CheckKind::HeaderAbsent(name) => match resp.header(name) {
            None => Ok(()),
            Some(v) => Err(format!("header `{name}` is present: {v:?}")),
        },
        CheckKind::HeaderEquals(name, t) => {
            let want = cx.render_required(t, client)?;
            let values: Vec<&str> = resp.header_values(name).collect();
            if values.iter().any(|v| v.trim() == want) {
                Ok(())
            } else if values.is_empty() {
                Err(format!("header `{name}` is missing (expected {want:?})"))
            } else {
                Err(format!("header `{name}` is {values:?}, expected {want:?}"))
            }
        }
        CheckKind::HeaderContains(name, t) => {
            let want = cx.render_required(t, client)?.to_ascii_lowercase();
            let values: Vec<&str> = resp.header_values(name).collect();
            if values
                .iter()
                .any(|v| v.to_ascii_lowercase().contains(&want))
            {
                Ok(())
            } else if values.is_empty() {
                Err(format!(
                    "header `{name}` is missing (expected it to contain {want:?})"
                ))
            } else {
                Err(format!(
                    "header `{name}` is {values:?}, expected it to contain {want:?}"
                ))
            }
        }
        CheckKind::HeaderNotContains(name, t) => {
            let unwanted = cx.render_required(t, client)?.to_ascii_lowercase();
            match resp
                .header_values(name)
                .find(|v| v.to_ascii_lowercase().contains(&unwanted))
            {
                None => Ok(()),
                Some(v) => Err(format!(
                    "header `{name}` is {v:?}, which must not contain {unwanted:?}"
                )),
            }
        }
        CheckKind::ContentType(want) => match resp.media_type() {
            Some(mt) if &mt == want => Ok(()),
            Some(mt) => Err(format!("content type is `{mt}`, expected `{want}`")),
            None => Err(format!("no Content-Type header, expected `{want}`")),
        },
        CheckKind::Json { pointer, test } => {
            let root = body.json().map_err(str::to_string)?;
            json_test(root, pointer, test, cx, client)
        }
        CheckKind::Callback { pointer, test } => {
            let Some(cb) = seen.callback else {
                return Err(format!(
                    "the authorization response never reached the redirect URI; the walk ended at {}",
                    seen.ended_at
                ));
            };
            json_test(&cb.as_json(), pointer, test, cx, client)
        }
        CheckKind::PostRedirectsUse(allowed) => {
            let bad = seen.hops.iter().find(|(method, _, status)| {
                method == "POST" && (300..400).contains(status) && !allowed.contains(status)
            });
            match bad {
                None => Ok(()),
                Some((_, url, status)) => {
                    let want: Vec<String> = allowed.iter().map(u16::to_string).collect();
                    Err(format!(
                        "the POST to {url} was answered with a {status} redirect, expected {}",
                        want.join(" or ")
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
                Err(format!(
                    "the authorization response was delivered by {got} ({at}), expected {}",
                    want.join(" or ")
                ))
            }
        }
    }
}

/// Judges one JSON test on the value(s) a pointer selects in `root`.
fn json_test(
    root: &Value,
    pointer: &str,
    test: &JsonTest,
    cx: &Context<'_>,
    client: Role,
) -> Result<(), String> {
    let want = |v: &Value| cx.render_json(v, client);
    let leaves = select(root, pointer);
    if let JsonTest::Unique = test {
        let mut seen: Vec<&Value> = Vec::new();
        for (path, leaf) in &leaves {
            let Some(v) = leaf else { continue };
            if seen.contains(v) {
                return Err(format!("`{path}` repeats {}", short(v)));
            }
            seen.push(v);
        }
        return Ok(());
    }
    for (path, leaf) in leaves {
        let shown = if path.is_empty() { "the body" } else { &path };
        let got = || leaf.map_or("absent".to_string(), short);
        match test {
            JsonTest::Present => {
                if leaf.is_none() {
                    return Err(format!("`{shown}` is absent"));
                }
            }
            JsonTest::Absent => {
                if let Some(v) = leaf {
                    return Err(format!("`{shown}` is present: {}", short(v)));
                }
            }
            JsonTest::Equals(v) => {
                let w = want(v)?;
                if !leaf.is_some_and(|l| same(l, &w)) {
                    return Err(format!("`{shown}` is {}, expected {}", got(), short(&w)));
                }
            }
            JsonTest::NotEquals(v) => {
                let w = want(v)?;
                if leaf.is_some_and(|l| same(l, &w)) {
                    return Err(format!("`{shown}` is {}, which is not allowed", short(&w)));
                }
            }
            JsonTest::OneOf(vs) => {
                let ws = vs.iter().map(want).collect::<Result<Vec<_>, _>>()?;
                if !leaf.is_some_and(|l| ws.iter().any(|w| same(l, w))) {
                    let list: Vec<String> = ws.iter().map(short).collect();
                    return Err(format!(
                        "`{shown}` is {}, expected one of {}",
                        got(),
                        list.join(", ")
                    ));
                }
            }
            JsonTest::Type(t) => {
                if !leaf.is_some_and(|l| t.matches(l)) {
                    return Err(format!("`{shown}` is {}, expected a JSON {t}", got()));
                }
            }
            JsonTest::Contains(v) => {
                let w = want(v)?;
                let ok = match (leaf, &w) {
                    (Some(Value::Array(items)), w) => items.iter().any(|i| same(i, w)),
                    (Some(Value::String(s)), Value::String(w)) => s.contains(w.as_str()),
                    _ => false,
                };
                if !ok {
                    return Err(format!(
                        "`{shown}` is {}, expected it to contain {}",
                        got(),
                        short(&w)
                    ));
                }
            }
            JsonTest::OnlyKeys(keys) => match leaf {
                Some(Value::Object(o)) => {
                    let extra: Vec<&str> = o
                        .keys()
                        .filter(|k| !keys.contains(k))
                        .map(String::as_str)
                        .collect();
                    if !extra.is_empty() {
                        return Err(format!(
                            "`{shown}` has members besides {}: {}",
                            keys.join(", "),
                            extra.join(", ")
                        ));
                    }
                }
                _ => return Err(format!("`{shown}` is {}, expected an object", got())),
            },
            JsonTest::NotContains(v) => {
                let w = want(v)?;
                let hit = match (leaf, &w) {
                    (Some(Value::Array(items)), w) => items.iter().any(|i| same(i, w)),
                    (Some(Value::String(s)), Value::String(w)) => s.contains(w.as_str()),
                    _ => false,
                };
                if hit {
                    return Err(format!(
                        "`{shown}` is {}, which must not contain {}",
                        got(),
                        short(&w)
                    ));
                }
            }
            JsonTest::IncludesQueryOf(u) => {
                let w = want(u)?;
                let Some(url) = w.as_str().and_then(|s| url::Url::parse(s).ok()) else {
                    return Err(format!("{} is not a URL", short(&w)));
                };
                for (k, v) in url.query_pairs() {
                    let kept = match leaf.and_then(|l| l.get(k.as_ref())) {
                        Some(Value::String(s)) => *s == v,
                        Some(Value::Array(items)) => {
                            items.iter().any(|i| i.as_str() == Some(v.as_ref()))
                        }
                        _ => false,
                    };
                    if !kept {
                        return Err(format!("`{shown}` lacks `{k}={v}` from the query of {url}"));
                    }
                }
            }
            // Judged over all leaves at once, above.
            JsonTest::Unique => {}
            JsonTest::NoEmptyArrays => match leaf {
                Some(Value::Object(o)) => {
                    let empty: Vec<&str> = o
                        .iter()
                        .filter(|(_, v)| v.as_array().is_some_and(Vec::is_empty))
                        .map(|(k, _)| k.as_str())
                        .collect();
                    if !empty.is_empty() {
                        return Err(format!("`{shown}` has empty arrays: {}", empty.join(", ")));
                    }
                }
                _ => return Err(format!("`{shown}` is {}, expected an object", got())),
            },
        }
    }
    Ok(())
}

/// JSON equality where 1 and 1.0 are the same number.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A value for a message, cut to a readable length.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Resolves an RFC 6901 pointer in which a `*` segment stands for every element of an
/// array (or member of an object). Returns each leaf with its concrete path; a missing
/// leaf is `None`. Under a `*`, a missing or scalar parent yields no leaves at all, so
/// a check over "every element" holds vacuously when there are none.
pub fn select<'v>(root: &'v Value, pointer: &str) -> Vec<(String, Option<&'v Value>)> {
    if pointer.is_empty() {
        return vec![(String::new(), Some(root))];
    }
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut current: Vec<(String, Option<&Value>)> = vec![(String::new(), Some(root))];
    for seg in &segments {
        let mut next = Vec::new();
        for (path, value) in current {
            if seg == "*" {
                match value {
                    Some(Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            next.push((format!("{path}/{i}"), Some(item)));
                        }
                    }
                    Some(Value::Object(map)) => {
                        for (k, v) in map {
                            next.push((format!("{path}/{k}"), Some(v)));
                        }
                    }
                    _ => {}
                }
            } else {
                let child = match value {
                    Some(Value::Object(map)) => map.get(seg.as_str()),
                    Some(Value::Array(items)) => {
                        seg.parse::<usize>().ok().and_then(|i| items.get(i))
                    }
                    _ => None,
                };
                next.push((format!("{path}/{seg}"), child));
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcard_selects_every_element() {
        let v = json!({"keys": [{"kid": "a"}, {"kid": "b", "d": "x"}]});
        let leaves = select(&v, "/keys/*/d");
        assert_eq!(leaves.len(), 2);
        assert!(leaves[0].1.is_none());
        assert_eq!(leaves[1].1, Some(&json!("x")));
        assert!(select(&v, "/missing/*").is_empty());
        assert_eq!(select(&v, "/missing")[0].1, None);
    }
}
