//! JSON tests: what a `json = "/pointer"` (or `callback = "/name"`) check demands of the
//! value(s) the pointer selects, and the pointer selection itself (RFC 6901 with `*`).

use serde_json::Value;

use super::{Broken, CheckError};
use crate::execute::context::Context;
use crate::suite::{JsonTest, Role};

/// Judges one JSON test on the value(s) a pointer selects in `root`. `subject` names what
/// is looked at in messages (`JSON`, `callback`).
pub(super) fn json_test(
    root: &Value,
    subject: &str,
    pointer: &str,
    test: &JsonTest,
    cx: &Context<'_>,
    client: Role,
) -> Result<(), CheckError> {
    let want = |v: &Value| cx.render_json(v, client).map_err(CheckError::Harness);
    let leaves = select(root, pointer);
    let check = |path: &str| {
        if path.is_empty() && subject.starts_with("value ") {
            subject.to_string()
        } else if path.is_empty() {
            format!("{subject} body")
        } else {
            format!("{subject} `{path}`")
        }
    };
    if let JsonTest::Unique = test {
        let mut seen: Vec<&Value> = Vec::new();
        for (path, leaf) in &leaves {
            let Some(v) = leaf else { continue };
            if seen.contains(v) {
                return Err(Broken::err(
                    check(pointer),
                    "pairwise distinct values",
                    format!("`{path}` repeats {}", short(v)),
                ));
            }
            seen.push(v);
        }
        return Ok(());
    }
    for (path, leaf) in leaves {
        let got = || leaf.map_or("absent".to_string(), short);
        let broken = |expected: String| Err(Broken::err(check(&path), expected, got()));
        match test {
            JsonTest::Present => {
                if leaf.is_none() {
                    return broken("present".into());
                }
            }
            JsonTest::Absent => {
                if leaf.is_some() {
                    return broken("absent".into());
                }
            }
            JsonTest::Equals(v) => {
                let w = want(v)?;
                if !leaf.is_some_and(|l| same(l, &w)) {
                    return broken(short(&w));
                }
            }
            JsonTest::NotEquals(v) => {
                let w = want(v)?;
                if leaf.is_some_and(|l| same(l, &w)) {
                    return broken(format!("anything but {}", short(&w)));
                }
            }
            JsonTest::OneOf(vs) => {
                let ws = vs.iter().map(want).collect::<Result<Vec<_>, _>>()?;
                if !leaf.is_some_and(|l| ws.iter().any(|w| same(l, w))) {
                    let list: Vec<String> = ws.iter().map(short).collect();
                    return broken(format!("one of {}", list.join(", ")));
                }
            }
            JsonTest::Type(t) => {
                if !leaf.is_some_and(|l| t.matches(l)) {
                    return broken(format!("a JSON {t}"));
                }
            }
            JsonTest::Contains(v) => {
                let w = want(v)?;
                if !holds(leaf, &w) {
                    return broken(format!("a value containing {}", short(&w)));
                }
            }
            JsonTest::NotContains(v) => {
                let w = want(v)?;
                if holds(leaf, &w) {
                    return broken(format!("a value not containing {}", short(&w)));
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
                        return Err(Broken::err(
                            check(&path),
                            format!("no members besides {}", keys.join(", ")),
                            format!("also {}", extra.join(", ")),
                        ));
                    }
                }
                _ => return broken("an object".into()),
            },
            JsonTest::IncludesQueryOf(u) => {
                let w = want(u)?;
                let Some(url) = w.as_str().and_then(|s| url::Url::parse(s).ok()) else {
                    return Err(CheckError::Harness(format!("{} is not a URL", short(&w))));
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
                        return broken(format!("`{k}={v}` from the query of {url}"));
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
                        return Err(Broken::err(
                            check(&path),
                            "no empty arrays",
                            format!("empty arrays: {}", empty.join(", ")),
                        ));
                    }
                }
                _ => return broken("an object".into()),
            },
            JsonTest::GreaterThan(v) | JsonTest::LessThan(v) => {
                let bound = number(&want(v)?).ok_or_else(|| {
                    CheckError::Harness(format!("bound {} is not a number", short(v)))
                })?;
                let greater = matches!(test, JsonTest::GreaterThan(_));
                let ok = leaf
                    .and_then(number)
                    .is_some_and(|n| if greater { n > bound } else { n < bound });
                if !ok {
                    let rel = if greater { "greater" } else { "less" };
                    return broken(format!("a number {rel} than {bound}"));
                }
            }
            JsonTest::Matches(p) => {
                if !leaf
                    .and_then(Value::as_str)
                    .is_some_and(|s| p.0.is_match(s))
                {
                    return broken(format!("a string matching /{}/", p.0.as_str()));
                }
            }
            JsonTest::WordsInclude(v) | JsonTest::WordsExclude(v) => {
                let w = want(v)?;
                let wanted: Vec<&str> = w.as_str().unwrap_or_default().split_whitespace().collect();
                let have: Vec<&str> = leaf
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect();
                if let JsonTest::WordsInclude(_) = test {
                    let missing: Vec<&str> = wanted
                        .iter()
                        .copied()
                        .filter(|x| !have.contains(x))
                        .collect();
                    if leaf.is_none_or(|l| !l.is_string()) || !missing.is_empty() {
                        return broken(format!("words including {}", wanted.join(" ")));
                    }
                } else {
                    let extra: Vec<&str> = wanted
                        .iter()
                        .copied()
                        .filter(|x| have.contains(x))
                        .collect();
                    if !extra.is_empty() {
                        return broken(format!("none of the words {}", wanted.join(" ")));
                    }
                }
            }
        }
    }
    Ok(())
}

/// An array holds the value, or a string holds it as a substring.
fn holds(leaf: Option<&Value>, w: &Value) -> bool {
    match (leaf, w) {
        (Some(Value::Array(items)), w) => items.iter().any(|i| same(i, w)),
        (Some(Value::String(s)), Value::String(w)) => s.contains(w.as_str()),
        _ => false,
    }
}

/// A JSON number, or a string that reads as one (a rendered template).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JSON equality where 1 and 1.0 are the same number.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// A value for a message, cut to a readable length.
pub(super) fn short(v: &Value) -> String {
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
