//! The user agent: walks an authorization request the way a browser would, by hand.
//! Redirects are followed one hop at a time (each hop recorded) until one points at the
//! client's redirect URI, whose response parameters are read from the query, the
//! fragment, an auto-submitting form_post page, or a PingOne `pi.flow` JSON answer. On the
//! way the target's login driver logs the user in and answers the consent page.

use serde_json::Value;

use super::http::{Request, Response};
use crate::suite::Delivery;

/// The authorization response as it reached the client.
#[derive(Debug, Clone)]
pub struct Callback {
    pub delivery: Delivery,
    /// The redirect URI the response was addressed to (parameters included).
    pub url: String,
    pub params: Vec<(String, String)>,
}

impl Callback {
    /// The parameters as a JSON object of strings; a repeated parameter becomes an array,
    /// so that a check can see the repetition.
    pub fn as_json(&self) -> Value {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.params {
            match map.get_mut(k) {
                None => {
                    map.insert(k.clone(), Value::String(v.clone()));
                }
                Some(Value::Array(items)) => items.push(Value::String(v.clone())),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, Value::String(v.clone())]);
                }
            }
        }
        Value::Object(map)
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Redirect statuses a browser follows.
pub fn location(resp: &Response, base: &str) -> Option<String> {
    if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let loc = resp.header("location")?;
    let base = url::Url::parse(base).ok()?;
    base.join(loc).ok().map(|u| u.to_string())
}

/// Whether `url` is addressed to the redirect URI `redirect`: same scheme, host, port
/// and path (the server appends its parameters to the registered query).
pub fn is_redirect_to(url: &str, redirect: &str) -> bool {
    let (Ok(a), Ok(b)) = (url::Url::parse(url), url::Url::parse(redirect)) else {
        return false;
    };
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path() == b.path()
}

/// The parameters of a redirect to the client: RFC 6749 §4.1.2 puts them in the query,
/// §4.2.2 in the fragment.
pub fn callback_from_url(url: &str) -> Callback {
    let parsed = url::Url::parse(url).ok();
    let mut params: Vec<(String, String)> = parsed
        .as_ref()
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let fragment = parsed.as_ref().and_then(|u| u.fragment()).unwrap_or("");
    let delivery = if fragment.is_empty() {
        Delivery::Query
    } else {
        params.extend(
            url::form_urlencoded::parse(fragment.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        Delivery::Fragment
    };
    Callback {
        delivery,
        url: url.to_string(),
        params,
    }
}

/// A form found on a page, ready to submit.
#[derive(Debug, Clone)]
pub struct Form {
    pub method: String,
    /// Absolute.
    pub action: String,
    /// Named inputs with their values (hidden ones included), in page order.
    pub fields: Vec<(String, String)>,
    pub has_password: bool,
    /// The submit controls (`<button>`, `<input type="submit">`), in page order.
    pub buttons: Vec<Button>,
    /// Names of text-like inputs (username candidates).
    pub text_inputs: Vec<String>,
    pub password_inputs: Vec<String>,
}

/// A submit control: what it sends (only a named one sends anything) and what it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub name: Option<String>,
    pub value: String,
    /// The visible label: a `<button>`'s text, an `<input>`'s value.
    pub label: String,
}

impl Button {
    /// The `name=value` pair pressing it adds to the submission, if it has a name.
    pub fn pair(&self) -> Option<(String, String)> {
        self.name.clone().map(|n| (n, self.value.clone()))
    }

    pub fn is(&self, name: &str, value: &str) -> bool {
        self.name.as_deref() == Some(name) && self.value == value
    }
}

/// A link on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    /// Absolute.
    pub href: String,
}

impl Form {
    pub fn request(&self, extra: &[(String, String)]) -> Request {
        let mut fields = self.fields.clone();
        for (k, v) in extra {
            if let Some(slot) = fields.iter_mut().find(|(n, _)| n == k) {
                slot.1 = v.clone();
            } else {
                fields.push((k.clone(), v.clone()));
            }
        }
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&fields)
            .finish();
        if self.method == "GET" {
            let mut url = url::Url::parse(&self.action).ok();
            if let Some(u) = url.as_mut() {
                u.set_query(Some(&encoded));
            }
            return Request {
                method: "GET".into(),
                url: url.map_or(self.action.clone(), |u| u.to_string()),
                headers: vec![("accept".into(), "text/html".into())],
                body: None,
            };
        }
        Request {
            method: "POST".into(),
            url: self.action.clone(),
            headers: vec![
                ("accept".into(), "text/html".into()),
                (
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
            ],
            body: Some(encoded.into_bytes()),
        }
    }

    /// The submission with `button` pressed (if it has a name) and `extra` fields set.
    pub fn press(&self, button: Option<&Button>, extra: &[(String, String)]) -> Request {
        let mut all = extra.to_vec();
        all.extend(button.and_then(Button::pair));
        self.request(&all)
    }
}

/// The text of an element, whitespace collapsed.
fn text_of(el: &scraper::ElementRef<'_>) -> String {
    el.text()
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

fn absolute(base: Option<&url::Url>, href: &str) -> String {
    match base {
        Some(b) if href.is_empty() => b.to_string(),
        Some(b) => b.join(href).map_or(href.to_string(), |u| u.to_string()),
        None => href.to_string(),
    }
}

/// Whether a form control submits its form.
fn is_submit(el: &scraper::node::Element) -> bool {
    match el.name() {
        "button" => el
            .attr("type")
            .is_none_or(|t| t.eq_ignore_ascii_case("submit")),
        "input" => el
            .attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("submit") || t.eq_ignore_ascii_case("image")),
        _ => false,
    }
}

/// The forms of an HTML page, or of the part `selector` picks.
pub fn forms(html: &str, page_url: &str, selector: Option<&str>) -> Vec<Form> {
    use scraper::{Html, Selector};
    let doc = Html::parse_document(html);
    let form_sel = selector
        .and_then(|s| Selector::parse(s).ok())
        .or_else(|| Selector::parse("form").ok());
    let (Some(form_sel), Ok(control_sel)) =
        (form_sel, Selector::parse("input, select, textarea, button"))
    else {
        return Vec::new();
    };
    let base = url::Url::parse(page_url).ok();
    let mut out = Vec::new();
    for form in doc.select(&form_sel) {
        let attr = |n: &str| form.value().attr(n).unwrap_or("").to_string();
        let mut f = Form {
            method: attr("method").to_ascii_uppercase(),
            action: absolute(base.as_ref(), &attr("action")),
            fields: Vec::new(),
            has_password: false,
            buttons: Vec::new(),
            text_inputs: Vec::new(),
            password_inputs: Vec::new(),
        };
        if f.method != "GET" {
            f.method = "POST".into();
        }
        // Document order, which `submit_index` relies on too.
        for control in controls_of(&doc, form, &control_sel) {
            let el = control.value();
            let value = el.attr("value").unwrap_or("").to_string();
            if is_submit(el) {
                let label = if el.name() == "button" {
                    text_of(&control)
                } else {
                    value.clone()
                };
                f.buttons.push(Button {
                    name: el.attr("name").map(str::to_string),
                    value,
                    label,
                });
                continue;
            }
            let Some(name) = el.attr("name") else {
                continue;
            };
            if el.name() == "button" {
                continue; // type="button" / "reset": sends nothing
            }
            let kind = el.attr("type").unwrap_or("text").to_ascii_lowercase();
            match kind.as_str() {
                "password" => {
                    f.has_password = true;
                    f.password_inputs.push(name.into());
                }
                "checkbox" | "radio" => {
                    if el.attr("checked").is_some() {
                        f.fields.push((
                            name.into(),
                            if value.is_empty() { "on".into() } else { value },
                        ));
                    }
                }
                "hidden" => f.fields.push((name.into(), value)),
                "button" | "reset" | "file" => {}
                _ => {
                    f.text_inputs.push(name.into());
                    f.fields.push((name.into(), value));
                }
            }
        }
        out.push(f);
    }
    out
}

/// The controls a form submits, in document order: those inside it, and (HTML's `form`
/// attribute) those anywhere in the page that name its `id`; a control inside it that names
/// another form belongs to that one. node-oidc-provider's device confirmation page puts its
/// "Continue" and "[ Abort ]" buttons outside the form this way.
fn controls_of<'a>(
    doc: &'a scraper::Html,
    form: scraper::ElementRef<'a>,
    control_sel: &scraper::Selector,
) -> Vec<scraper::ElementRef<'a>> {
    let id = form.value().attr("id");
    doc.select(control_sel)
        .filter(|c| match c.value().attr("form") {
            Some(owner) => Some(owner) == id,
            None => {
                c.ancestors()
                    .filter_map(scraper::ElementRef::wrap)
                    .find(|a| a.value().name() == "form")
                    == Some(form)
            }
        })
        .collect()
}

/// The links of an HTML page (`<a href>`), absolute.
pub fn links(html: &str, page_url: &str) -> Vec<Link> {
    let doc = scraper::Html::parse_document(html);
    let Ok(sel) = scraper::Selector::parse("a[href]") else {
        return Vec::new();
    };
    let base = url::Url::parse(page_url).ok();
    doc.select(&sel)
        .filter_map(|a| {
            let href = a.value().attr("href")?;
            // Script and fragment links go nowhere a walk can follow.
            if href.starts_with('#') || href.to_ascii_lowercase().starts_with("javascript:") {
                return None;
            }
            Some(Link {
                text: text_of(&a),
                href: absolute(base.as_ref(), href),
            })
        })
        .collect()
}

/// What a CSS selector picks on a page, in terms of [`forms`] (unfiltered) and [`links`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    Form(usize),
    /// A submit control: its form and its index among the form's buttons.
    Button(usize, usize),
    Link(usize),
}

/// The first element `selector` matches that is a form, a submit control or a link.
pub fn pick(html: &str, selector: &str) -> Option<Picked> {
    use scraper::{Html, Selector};
    let doc = Html::parse_document(html);
    let (Ok(sel), Ok(form_sel), Ok(link_sel), Ok(control_sel)) = (
        Selector::parse(selector),
        Selector::parse("form"),
        Selector::parse("a[href]"),
        Selector::parse("input, select, textarea, button"),
    ) else {
        return None;
    };
    let all_forms: Vec<_> = doc.select(&form_sel).collect();
    let all_links: Vec<_> = doc
        .select(&link_sel)
        .filter(|a| {
            let h = a.value().attr("href").unwrap_or("");
            !h.starts_with('#') && !h.to_ascii_lowercase().starts_with("javascript:")
        })
        .collect();
    for el in doc.select(&sel) {
        if let Some(i) = all_forms.iter().position(|f| *f == el) {
            return Some(Picked::Form(i));
        }
        if let Some(i) = all_links.iter().position(|a| *a == el) {
            return Some(Picked::Link(i));
        }
        if is_submit(el.value()) {
            for (i, form) in all_forms.iter().enumerate() {
                let submits = controls_of(&doc, *form, &control_sel)
                    .into_iter()
                    .filter(|c| is_submit(c.value()));
                if let Some(j) = submits.into_iter().position(|c| c == el) {
                    return Some(Picked::Button(i, j));
                }
            }
        }
    }
    None
}

/// The OAuth 2.0 Form Post Response Mode page: a form posting to the redirect URI.
pub fn form_post_callback(html: &str, page_url: &str, redirect: &str) -> Option<Callback> {
    let form = forms(html, page_url, None)
        .into_iter()
        .find(|f| f.method == "POST" && is_redirect_to(&f.action, redirect))?;
    // Parameters in the action's query arrive at the client too, beside the form's.
    let mut params: Vec<(String, String)> = url::Url::parse(&form.action)
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    params.extend(form.fields);
    Some(Callback {
        delivery: Delivery::FormPost,
        url: form.action.clone(),
        params,
    })
}

/// A PingOne `pi.flow` answer that carries the authorization response.
pub fn pi_flow_callback(body: &Value, redirect: &str) -> Option<Callback> {
    let resp = body.get("authorizeResponse")?.as_object()?;
    let params = resp
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), v)
        })
        .collect();
    Some(Callback {
        delivery: Delivery::PiFlow,
        url: redirect.to_string(),
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_login_and_consent_forms() {
        let html = r#"<html><body>
            <form method="post" action="/login"><input type="hidden" name="interaction" value="i1">
            <input name="username"><input type="password" name="password"><button type="submit">Go</button></form>
            <form method="post" action="consent"><input type="hidden" name="csrf" value="c">
            <button type="submit" name="decision" value="allow">Allow</button>
            <button type="submit" name="decision" value="deny">Deny</button></form></body></html>"#;
        let f = forms(html, "http://h/a/b", None);
        assert_eq!(f.len(), 2);
        assert!(f[0].has_password);
        assert_eq!(f[0].action, "http://h/login");
        assert_eq!(f[0].text_inputs, vec!["username"]);
        assert_eq!(f[1].action, "http://h/a/consent");
        assert!(f[1].buttons[1].is("decision", "deny"));
        assert_eq!(f[1].buttons[1].label, "Deny");
        assert_eq!(f[0].buttons[0].name, None);
        assert_eq!(f[0].buttons[0].label, "Go");
    }

    #[test]
    fn reads_query_fragment_and_form_post() {
        let cb = callback_from_url("http://c/cb?tenant=1&code=x&state=s");
        assert_eq!(cb.delivery, Delivery::Query);
        assert_eq!(cb.param("code"), Some("x"));
        let cb = callback_from_url("http://c/cb#access_token=t&state=s");
        assert_eq!(cb.delivery, Delivery::Fragment);
        let html = r#"<form method="post" action="http://c/cb"><input type="hidden" name="code" value="x"></form>"#;
        let cb = form_post_callback(html, "http://as/authorize", "http://c/cb").unwrap();
        assert_eq!(cb.params, vec![("code".to_string(), "x".to_string())]);
        assert!(is_redirect_to("http://c:80/cb?x=1", "http://c/cb"));
        assert!(!is_redirect_to("http://c/cb/", "http://c/cb"));
    }
}
