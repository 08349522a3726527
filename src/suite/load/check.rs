//! Loading checks: the `expect = [...]` entries of a step, with their guards (`when`) and
//! alternatives (`any_of`), into [`CheckKind`]s.

use toml::Spanned;

use super::{Validator, toml_to_json};
use crate::suite::model::*;
use crate::suite::raw::RawCheck;
use crate::suite::vocab::JsonType;

impl Validator<'_> {
    pub(super) fn check(&mut self, raw: Spanned<RawCheck>) -> Option<Check> {
        let span = raw.span();
        let mut rc = raw.into_inner();
        let level = match &rc.level {
            Some(l) => Some(self.level(l)?),
            None => None,
        };
        let note = rc.note.take();
        let premise = rc.premise.take().unwrap_or(false);
        let attempts = match rc.attempts.take() {
            None => Attempts::All,
            Some(a) => match a.get_ref().as_str() {
                "all" => Attempts::All,
                "any" => Attempts::Any,
                _ => {
                    self.error_expected(a.span(), "invalid `attempts`", "`\"all\"` or `\"any\"`");
                    Attempts::All
                }
            },
        };
        let when = match rc.when.take() {
            Some(guard) => Some(Box::new(self.bare_check(*guard, "a `when` guard")?)),
            None => None,
        };
        let kind = self.check_kind(span, rc)?;
        Some(Check {
            kind,
            level,
            note,
            when,
            attempts,
            premise,
        })
    }

    /// A check inside a guard or an alternative: no level, note or guard of its own.
    pub(super) fn bare_check(&mut self, raw: Spanned<RawCheck>, what: &str) -> Option<CheckKind> {
        let span = raw.span();
        let rc = raw.into_inner();
        if rc.level.is_some()
            || rc.note.is_some()
            || rc.when.is_some()
            || rc.attempts.is_some()
            || rc.premise.is_some()
        {
            self.error(
                span,
                format!(
                    "{what} takes no `level`, `note`, `when`, `attempts` or `premise` of its own"
                ),
            );
            return None;
        }
        self.check_kind(span, rc)
    }

    fn check_kind(&mut self, span: std::ops::Range<usize>, rc: RawCheck) -> Option<CheckKind> {
        if let Some(alts) = rc.any_of {
            let aspan = alts.span();
            let alts = alts.into_inner();
            if alts.len() < 2 || alts.iter().any(Vec::is_empty) {
                self.error_expected(
                    aspan,
                    "`any_of` needs at least two alternatives, none empty",
                    "`any_of = [[{ status = 400 }], [{ status = 302 }, ...]]`",
                );
                return None;
            }
            let mut out = Vec::new();
            for alt in alts {
                let mut checks = Vec::new();
                for c in alt {
                    checks.push(self.bare_check(c, "an `any_of` alternative")?);
                }
                out.push(checks);
            }
            return Some(CheckKind::AnyOf(out));
        }
        let subjects = [
            rc.status.is_some(),
            rc.header.is_some(),
            rc.content_type.is_some(),
            rc.json.is_some(),
            rc.callback.is_some(),
            rc.delivered.is_some(),
            rc.post_redirects_use.is_some(),
            rc.body_contains.is_some(),
            rc.body_not_contains.is_some(),
            rc.body_matches.is_some(),
            rc.method.is_some(),
            rc.jwt.is_some(),
            rc.value.is_some(),
        ];
        if subjects.iter().filter(|b| **b).count() != 1 {
            self.error_expected(
                span,
                "a check names exactly one subject",
                "one of `status`, `header`, `content_type`, `json`, `callback`, `delivered`, \
                 `post_redirects_use`, `body_contains`, `body_not_contains`, `body_matches`, \
                 `method`, `jwt`, `value`, `any_of`",
            );
            return None;
        }
        let tests = [
            rc.present.is_some(),
            rc.absent.is_some(),
            rc.equals.is_some(),
            rc.not_equals.is_some(),
            rc.contains.is_some(),
            rc.not_contains.is_some(),
            rc.includes_query_of.is_some(),
            rc.one_of.is_some(),
            rc.json_type.is_some(),
            rc.only_keys.is_some(),
            rc.no_empty_arrays.is_some(),
            rc.unique.is_some(),
            rc.greater_than.is_some(),
            rc.less_than.is_some(),
            rc.matches.is_some(),
            rc.words_include.is_some(),
            rc.words_exclude.is_some(),
        ];
        let n_tests = tests.iter().filter(|b| **b).count();
        let kind = if let Some(text) = rc.body_contains.or(rc.body_not_contains.clone()) {
            if n_tests != 0 {
                self.error(span, "a `body_contains` check takes no other test");
                return None;
            }
            let negated = rc.body_not_contains.is_some();
            let t = self.template(text.get_ref(), text.span())?;
            if negated {
                CheckKind::BodyNotContains(t)
            } else {
                CheckKind::BodyContains(t)
            }
        } else if let Some(m) = rc.method {
            if n_tests != 0 {
                self.error(span, "a `method` check takes no other test");
                return None;
            }
            CheckKind::Method(m.into_inner().to_ascii_uppercase())
        } else if let Some(re) = rc.body_matches {
            if n_tests != 0 {
                self.error(span, "a `body_matches` check takes no other test");
                return None;
            }
            CheckKind::BodyMatches(self.pattern(&re)?)
        } else if let Some(status) = rc.status {
            if n_tests != 0 {
                self.error(span, "a `status` check takes no other test");
                return None;
            }
            self.status(status)?
        } else if let Some(list) = rc.post_redirects_use {
            let lspan = list.span();
            let codes = list.into_inner();
            if n_tests != 0 || codes.is_empty() || codes.iter().any(|c| !(300..400).contains(c)) {
                self.error_expected(
                    lspan,
                    "invalid `post_redirects_use`",
                    "a list of redirect statuses such as [302, 303], and no other test",
                );
                return None;
            }
            CheckKind::PostRedirectsUse(codes)
        } else if let Some(d) = rc.delivered {
            if n_tests != 0 {
                self.error(span, "a `delivered` check takes no other test");
                return None;
            }
            let dspan = d.span();
            let names: Vec<String> = match d.into_inner() {
                toml::Value::String(s) => vec![s],
                toml::Value::Array(items) => items
                    .into_iter()
                    .map(|i| i.as_str().unwrap_or("").to_string())
                    .collect(),
                _ => Vec::new(),
            };
            let parsed: Option<Vec<Delivery>> = names.iter().map(|n| Delivery::parse(n)).collect();
            match parsed {
                Some(list) if !list.is_empty() => CheckKind::Delivered(list),
                _ => {
                    self.error_expected(
                        dspan,
                        "invalid `delivered`",
                        "`query`, `fragment`, `form_post`, `pi.flow` or `none`, or a list of them",
                    );
                    return None;
                }
            }
        } else if let Some(ct) = rc.content_type {
            if n_tests != 0 {
                self.error(span, "a `content_type` check takes no other test");
                return None;
            }
            CheckKind::ContentType(ct.into_inner().to_ascii_lowercase())
        } else if let Some(header) = rc.header {
            let name = header.get_ref().to_ascii_lowercase();
            let expected =
                "`present = true`, `absent = true`, `equals`, `contains` or `not_contains`";
            if n_tests != 1 {
                self.error_expected(span, "a `header` check takes exactly one test", expected);
                return None;
            }
            if rc.present == Some(true) {
                CheckKind::HeaderPresent(name)
            } else if rc.absent == Some(true) {
                CheckKind::HeaderAbsent(name)
            } else if let Some((v, which)) = rc
                .equals
                .map(|v| (v, 0))
                .or(rc.contains.clone().map(|v| (v, 1)))
                .or(rc.not_contains.clone().map(|v| (v, 2)))
            {
                let vspan = v.span();
                let toml::Value::String(s) = v.into_inner() else {
                    self.error_expected(vspan, "a header value is a string", "a string");
                    return None;
                };
                let t = self.template(&s, vspan)?;
                match which {
                    0 => CheckKind::HeaderEquals(name, t),
                    1 => CheckKind::HeaderContains(name, t),
                    _ => CheckKind::HeaderNotContains(name, t),
                }
            } else {
                self.error_expected(span, "unsupported test for a `header` check", expected);
                return None;
            }
        } else if let Some(of) = &rc.hash_of {
            let (Some(jwt), Some(claim)) = (&rc.jwt, &rc.claim) else {
                self.error_expected(
                    of.span(),
                    "`hash_of` goes with `jwt` and `claim`",
                    "`{ jwt = \"/id_token\", claim = \"/at_hash\", hash_of = \"/access_token\" }`",
                );
                return None;
            };
            if n_tests != 0 || rc.signed_by.is_some() {
                self.error(span, "`hash_of` is the check's only test");
                return None;
            }
            for p in [jwt, claim, of] {
                if !p.get_ref().starts_with('/') {
                    self.error_expected(
                        p.span(),
                        "invalid JSON pointer",
                        "a pointer such as `/id_token`",
                    );
                    return None;
                }
            }
            CheckKind::JwtHash {
                pointer: jwt.get_ref().clone(),
                claim: claim.get_ref().clone(),
                of: of.get_ref().clone(),
            }
        } else if let (Some(jwt), Some(by)) = (&rc.jwt, &rc.signed_by) {
            if by.get_ref() != "jwks" || n_tests != 0 || rc.claim.is_some() {
                self.error_expected(
                    by.span(),
                    "invalid `signed_by`",
                    "`signed_by = \"jwks\"` (the target's JWKS) and no other test",
                );
                return None;
            }
            if !jwt.get_ref().is_empty() && !jwt.get_ref().starts_with('/') {
                self.error_expected(
                    jwt.span(),
                    "invalid JSON pointer",
                    "a pointer such as `/id_token`",
                );
                return None;
            }
            CheckKind::JwtSigned {
                pointer: jwt.get_ref().clone(),
            }
        } else {
            let is_callback = rc.callback.is_some();
            let jwt = rc.jwt.clone();
            if let Some(j) = &jwt
                && rc.claim.is_none()
            {
                self.error_expected(
                    j.span(),
                    "a `jwt` check needs `signed_by` or `claim`",
                    "`{ jwt = \"/id_token\", signed_by = \"jwks\" }` or \
                     `{ jwt = \"/id_token\", claim = \"/aud\", equals = \"...\" }`",
                );
                return None;
            }
            let value = rc.value.clone();
            let pointer = if jwt.is_some() {
                rc.claim.clone()
            } else if let Some(v) = &value {
                Some(Spanned::new(v.span(), String::new()))
            } else {
                rc.json.or(rc.callback)
            }?;
            let ptr = pointer.get_ref().clone();
            if !(ptr.is_empty() || ptr.starts_with('/')) {
                self.error_expected(
                    pointer.span(),
                    format!("invalid JSON pointer `{ptr}`"),
                    "`\"\"` for the whole body or a pointer starting with `/`",
                );
                return None;
            }
            if n_tests != 1 {
                self.error_expected(
                    span,
                    "a `json` check takes exactly one test",
                    "one of `equals`, `not_equals`, `one_of`, `type`, `present`, `absent`, \
                     `contains`, `not_contains`, `includes_query_of`, `only_keys`, \
                     `no_empty_arrays`, `unique`, `greater_than`, `less_than`, `matches`, \
                     `words_include`, `words_exclude`",
                );
                return None;
            }
            let test = if rc.present == Some(true) {
                JsonTest::Present
            } else if rc.absent == Some(true) {
                JsonTest::Absent
            } else if let Some(v) = rc.equals {
                JsonTest::Equals(self.json_value(v))
            } else if let Some(v) = rc.not_equals {
                JsonTest::NotEquals(self.json_value(v))
            } else if let Some(v) = rc.contains {
                JsonTest::Contains(self.json_value(v))
            } else if let Some(v) = rc.not_contains {
                JsonTest::NotContains(self.json_value(v))
            } else if let Some(u) = rc.includes_query_of {
                let span = u.span();
                JsonTest::IncludesQueryOf(
                    self.json_value(Spanned::new(span, toml::Value::String(u.into_inner()))),
                )
            } else if let Some(list) = rc.one_of {
                let lspan = list.span();
                let values: Vec<serde_json::Value> = list
                    .into_inner()
                    .into_iter()
                    .map(|v| self.json_value(Spanned::new(lspan.clone(), v)))
                    .collect();
                JsonTest::OneOf(values)
            } else if let Some(t) = rc.json_type {
                match JsonType::parse(t.get_ref()) {
                    Some(t) => JsonTest::Type(t),
                    None => {
                        self.error_expected(
                            t.span(),
                            format!("unknown JSON type `{}`", t.get_ref()),
                            JsonType::expected(),
                        );
                        return None;
                    }
                }
            } else if let Some(keys) = rc.only_keys {
                JsonTest::OnlyKeys(keys)
            } else if rc.no_empty_arrays == Some(true) {
                JsonTest::NoEmptyArrays
            } else if rc.unique == Some(true) {
                JsonTest::Unique
            } else if let Some(v) = rc.greater_than {
                JsonTest::GreaterThan(self.json_value(v))
            } else if let Some(v) = rc.less_than {
                JsonTest::LessThan(self.json_value(v))
            } else if let Some(re) = rc.matches {
                JsonTest::Matches(self.pattern(&re)?)
            } else if let Some(w) = rc.words_include {
                let span = w.span();
                JsonTest::WordsInclude(
                    self.json_value(Spanned::new(span, toml::Value::String(w.into_inner()))),
                )
            } else if let Some(w) = rc.words_exclude {
                let span = w.span();
                JsonTest::WordsExclude(
                    self.json_value(Spanned::new(span, toml::Value::String(w.into_inner()))),
                )
            } else {
                self.error(
                    span,
                    "`present`, `absent`, `no_empty_arrays` and `unique` take `true`",
                );
                return None;
            };
            if let Some(j) = jwt {
                CheckKind::JwtClaim {
                    pointer: j.into_inner(),
                    claim: ptr,
                    test,
                }
            } else if let Some(v) = value {
                CheckKind::Value {
                    template: self.template(v.get_ref(), v.span())?,
                    test,
                }
            } else if is_callback {
                CheckKind::Callback { pointer: ptr, test }
            } else {
                CheckKind::Json { pointer: ptr, test }
            }
        };
        Some(kind)
    }

    /// A regular expression, compiled now so that a mistake is a diagnostic.
    fn pattern(&mut self, raw: &Spanned<String>) -> Option<Pattern> {
        match regex::Regex::new(raw.get_ref()) {
            Ok(re) => Some(Pattern(re)),
            Err(e) => {
                self.error_expected(
                    raw.span(),
                    format!("invalid regular expression: {e}"),
                    "a regular expression in the syntax of the `regex` crate",
                );
                None
            }
        }
    }

    fn json_value(&mut self, v: Spanned<toml::Value>) -> serde_json::Value {
        let span = v.span();
        let value = toml_to_json(v.into_inner());
        self.json_templates(&value, span);
        value
    }

    fn status(&mut self, raw: Spanned<toml::Value>) -> Option<CheckKind> {
        let span = raw.span();
        let expected =
            "a status code such as 200, a list such as [400, 401], or a class such as \"4xx\"";
        let code = |v: &toml::Value| match v {
            toml::Value::Integer(i) if (100..=599).contains(i) => u16::try_from(*i).ok(),
            _ => None,
        };
        let m = match raw.get_ref() {
            toml::Value::Integer(_) => code(raw.get_ref()).map(|c| StatusMatch::Exact(vec![c])),
            toml::Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(code)
                .collect::<Option<Vec<u16>>>()
                .map(StatusMatch::Exact),
            toml::Value::String(s) => match s.as_bytes() {
                [d @ b'1'..=b'5', b'x', b'x'] => Some(StatusMatch::Class(u16::from(*d - b'0'))),
                _ => None,
            },
            _ => None,
        };
        match m {
            Some(m) => Some(CheckKind::Status(m)),
            None => {
                self.error_expected(span, "invalid `status`", expected);
                None
            }
        }
    }
}
