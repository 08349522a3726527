//! Form-encoded request bodies, kept as the ordered list of pairs the client sent so that a
//! repeated parameter can be detected rather than silently overwritten.

use axum::http::{HeaderMap, header};
use url::form_urlencoded;

/// A parsed `application/x-www-form-urlencoded` body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

/// Why a body is not an acceptable form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("the request body must be application/x-www-form-urlencoded")]
    NotFormEncoded,
}

impl Form {
    /// Parses `body`, requiring the form media type (RFC 6749 §3.2, RFC 7009 §2.1,
    /// RFC 7662 §2.1 all mandate `application/x-www-form-urlencoded`).
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Form, FormError> {
        if !is_form_content_type(headers) {
            return Err(FormError::NotFormEncoded);
        }
        Ok(Form {
            pairs: form_urlencoded::parse(body).into_owned().collect(),
        })
    }

    /// Builds a form from pairs (for tests and internal callers).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Form {
        Form {
            pairs: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// Every pair, in the order sent, empty values included.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Whether `name` was sent with an empty value.
    pub fn has_empty(&self, name: &str) -> bool {
        self.pairs.iter().any(|(n, v)| n == name && v.is_empty())
    }

    /// Parses a URL query string (the authorization endpoint's GET, RFC 6749 §3.1).
    pub fn from_query(query: &str) -> Form {
        Form {
            pairs: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        }
    }

    /// The first parameter name that occurs more than once, if any.
    ///
    /// RFC 6749 §3.1/§3.2: "Request and response parameters MUST NOT be included more than
    /// once."
    pub fn repeated(&self) -> Option<&str> {
        self.pairs.iter().enumerate().find_map(|(i, (name, _))| {
            self.pairs[..i]
                .iter()
                .any(|(earlier, _)| earlier == name)
                .then_some(name.as_str())
        })
    }

    /// The value of `name` (the last occurrence, should a caller tolerate repeats).
    ///
    /// RFC 6749 §3.1/§3.2: "Parameters sent without a value MUST be treated as if they were
    /// omitted from the request", so an empty value is `None`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// These parameters with every parameter of `outer` but `except` put in place of the
    /// same-named ones: what a server does that lets front-channel values override a
    /// pushed request or a request object (the faults that break RFC 9126 §4 and RFC 9101
    /// §6.3).
    pub fn overridden_by(&self, outer: &Form, except: &str) -> Form {
        let front: Vec<(String, String)> = outer
            .pairs
            .iter()
            .filter(|(name, _)| name != except)
            .cloned()
            .collect();
        let mut pairs = self.pairs.clone();
        pairs.retain(|(name, _)| !front.iter().any(|(n, _)| n == name));
        pairs.extend(front);
        Form { pairs }
    }
}

/// `application/x-www-form-urlencoded`, with or without parameters such as `charset`.
fn is_form_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// Decodes one `application/x-www-form-urlencoded` component: `+` is a space and `%XX` a
/// byte; a `%` not followed by two hex digits stays literal, as the WHATWG URL standard's
/// form parser does. Invalid UTF-8 becomes U+FFFD.
pub fn urldecode_component(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form_headers(ct: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        h
    }

    #[test]
    fn content_type_is_checked() {
        assert!(Form::parse(&form_headers("application/json"), b"a=b").is_err());
        assert!(Form::parse(&HeaderMap::new(), b"a=b").is_err());
        let form = Form::parse(
            &form_headers("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            b"a=b",
        )
        .expect("form");
        assert_eq!(form.get("a"), Some("b"));
    }

    #[test]
    fn repeats_and_empty_values() {
        let form = Form::from_pairs([("scope", ""), ("a", "1"), ("scope", "read")]);
        assert_eq!(form.repeated(), Some("scope"));
        assert_eq!(form.get("scope"), Some("read"));
        let form = Form::from_pairs([("scope", ""), ("a", "1")]);
        assert_eq!(form.repeated(), None);
        assert_eq!(form.get("scope"), None);
    }

    #[test]
    fn component_decoding() {
        assert_eq!(
            urldecode_component("s3cr%3At%2B%25%2F%3DZq9%26x+y"),
            "s3cr:t+%/=Zq9&x y"
        );
        assert_eq!(urldecode_component("100%"), "100%");
        assert_eq!(urldecode_component("%zz%4"), "%zz%4");
        assert_eq!(urldecode_component("%2D"), "-");
    }
}
