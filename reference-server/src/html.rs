//! The HTML the authorization interaction shows a user agent: escaping, the page frame,
//! the error page, and the headers every such page carries.
//!
//! No page needs JavaScript except the form_post page's auto-submit (which a `<noscript>`
//! button backs up). Every value taken from a request is escaped (RFC 6749 §10.14).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::policy::PagePolicy;

/// Escapes text for use in HTML element content and in double- or single-quoted
/// attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// A complete document around `body` (which must already be escaped markup).
pub fn document(title: &str, body_attrs: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{}</title></head>\n<body{body_attrs}>\n{body}\n</body></html>\n",
        escape(title)
    )
}

/// Headers of every interaction page: not cacheable (they carry CSRF tokens, codes or
/// tokens; RFC 6749 §5.1 by analogy), not frameable (RFC 9700 §4.16), no referrer
/// (RFC 9700 §4.2.4).
pub fn add_page_headers(policy: PagePolicy, headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if policy.frame_protected {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

/// An HTML response with the page headers.
pub fn respond(policy: PagePolicy, status: StatusCode, html: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    add_page_headers(policy, response.headers_mut());
    response
}

/// The page shown instead of redirecting: RFC 6749 §3.1.2.4 and §4.1.2.1 ("the
/// authorization server SHOULD inform the resource owner of the error and MUST NOT
/// automatically redirect the user-agent to the invalid redirection URI"). It holds no link
/// to any URI taken from the request.
pub fn error_page(policy: PagePolicy, status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Authorization failed</h1>\n<p class=\"error\">{}</p>\n\
         <p>Return to the application and try again.</p>",
        escape(message)
    );
    respond(policy, status, document("Authorization failed", "", &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#""><script>alert('x')</script>&"#),
            "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
    }
}
