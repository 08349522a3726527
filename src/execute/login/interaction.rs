//! The login and consent logic for HTML pages, in one place for every vendor style: which
//! form logs the user in and with which fields, which control grants or denies consent,
//! and, when the driver finds nothing to do on a page it still had work on, a description
//! of what the page offered (forms with their actions, fields and button labels; links).
//!
//! Consent controls are found by the target's [`Choice`]: by default the button, form or
//! link that reads like the decision (approval: allow, approve, accept, yes, continue,
//! authorize, consent...; refusal: deny, cancel, abort, reject, no...), or one named by
//! `name=value`, CSS selector or label text.

use super::super::browser::{self, Button, Form, Link, Picked};
use super::super::http::Request;
use super::get;
use crate::suite::Consent;
use crate::target::{Choice, Login, UserConfig};

/// Words that read like granting consent.
const APPROVE: &[&str] = &[
    "allow",
    "approve",
    "accept",
    "yes",
    "continue",
    "authorize",
    "authorise",
    "consent",
    "grant",
    "confirm",
    "agree",
    "ok",
];

/// Words that read like refusing it.
const REFUSE: &[&str] = &[
    "deny", "cancel", "abort", "reject", "no", "decline", "refuse", "disallow",
];

/// Usual names of the username field, in order of preference.
const USERNAME_FIELDS: &[&str] = &[
    "username",
    "login",
    "email",
    "j_username",
    "user",
    "userid",
    "user_name",
    "identifier",
    "loginid",
    "uname",
];

/// A page of the walk as the logic reads it.
pub(in crate::execute) struct View<'a> {
    pub status: u16,
    pub html: &'a str,
    /// Every form of the page, in document order.
    pub forms: Vec<Form>,
    pub links: Vec<Link>,
}

impl<'a> View<'a> {
    pub fn new(url: &'a str, status: u16, html: &'a str) -> View<'a> {
        View {
            status,
            html,
            forms: browser::forms(html, url, None),
            links: browser::links(html, url),
        }
    }

    /// Whether the page looks like a step of an interaction rather than the server's
    /// final answer: a 2xx page, or any page with a form.
    pub fn is_interactive(&self) -> bool {
        (200..300).contains(&self.status) || !self.forms.is_empty()
    }

    /// Forms with their actions, field names and buttons, and the links: what a message
    /// about a page the driver could not get through shows. Field values are left out
    /// (they may be anti-CSRF tokens).
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for f in self.forms.iter().take(5) {
            let mut fields: Vec<&str> = f.fields.iter().map(|(n, _)| n.as_str()).collect();
            fields.extend(f.password_inputs.iter().map(String::as_str));
            let buttons: Vec<String> = f.buttons.iter().map(button_text).collect();
            parts.push(format!(
                "form {} {} with fields [{}] and buttons [{}]",
                f.method,
                f.action,
                fields.join(", "),
                buttons.join(", ")
            ));
        }
        if self.forms.len() > 5 {
            parts.push(format!("{} more forms", self.forms.len() - 5));
        }
        if !self.links.is_empty() {
            let links: Vec<String> = self
                .links
                .iter()
                .take(8)
                .map(|l| format!("\"{}\" -> {}", cut(&l.text, 40), l.href))
                .collect();
            let more = if self.links.len() > 8 { ", ..." } else { "" };
            parts.push(format!("links [{}{more}]", links.join(", ")));
        }
        if parts.is_empty() {
            "no form and no link (a page rendered by script?)".into()
        } else {
            parts.join("; ")
        }
    }
}

fn button_text(b: &Button) -> String {
    match &b.name {
        Some(n) => format!("\"{}\" ({n}={})", cut(&b.label, 40), cut(&b.value, 40)),
        None => format!("\"{}\"", cut(&b.label, 40)),
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(max).collect::<String>())
    }
}

/// The words of a text: lowercase runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// How a text reads: `Some(Allow)` for approval, `Some(Deny)` for refusal, `None` for
/// neither or both.
fn reads(text: &str) -> Option<Consent> {
    let (mut yes, mut no) = (false, false);
    for w in words(text) {
        yes |= APPROVE.contains(&w.as_str());
        no |= REFUSE.contains(&w.as_str());
    }
    match (yes, no) {
        (true, false) => Some(Consent::Allow),
        (false, true) => Some(Consent::Deny),
        _ => None,
    }
}

/// The last path segments of a URL, as words (`/interaction/x/abort` reads `abort`).
fn path_words(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().replace('/', " "))
        .unwrap_or_default()
}

/// What a form says about itself apart from its buttons: hidden decision values and its
/// action's path.
fn form_reads(f: &Form) -> Option<Consent> {
    let hidden: Vec<&str> = f
        .fields
        .iter()
        .filter(|(n, _)| !f.text_inputs.contains(n))
        .map(|(_, v)| v.as_str())
        .collect();
    reads(&hidden.join(" ")).or_else(|| reads(&path_words(&f.action)))
}

fn button_reads(b: &Button) -> Option<Consent> {
    reads(&b.label).or_else(|| reads(&b.value))
}

/// The submission of the login form with the user's credentials, if the page has one.
pub(in crate::execute) fn login(
    view: &View<'_>,
    cfg: &Login,
    user: &UserConfig,
) -> Option<Request> {
    let form = match &cfg.form_selector {
        Some(sel) => match browser::pick(view.html, sel) {
            Some(Picked::Form(i)) => view.forms.get(i),
            _ => None,
        },
        None => view.forms.iter().find(|f| f.has_password),
    }?;
    let ufield = cfg.username_field.clone().or_else(|| {
        USERNAME_FIELDS
            .iter()
            .find_map(|want| {
                form.text_inputs
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(want))
            })
            .or_else(|| form.text_inputs.first())
            .cloned()
    });
    let pfield = cfg
        .password_field
        .clone()
        .or_else(|| form.password_inputs.first().cloned())?;
    let mut extra = Vec::new();
    if let Some(u) = ufield {
        extra.push((u, user.username.clone()));
    }
    extra.push((pfield, user.password.clone()));
    // Never "Cancel": the first button that does not read like refusal.
    let button = form
        .buttons
        .iter()
        .find(|b| button_reads(b) != Some(Consent::Deny));
    Some(form.press(button, &extra))
}

/// What answers the consent page with `decision`, found by `choice`.
pub(in crate::execute) fn decide(
    view: &View<'_>,
    choice: &Choice,
    decision: Consent,
    extra: &[(String, String)],
) -> Option<Request> {
    let submit = |i: usize, j: Option<usize>| {
        let form = view.forms.get(i)?;
        let button = match j {
            Some(j) => form.buttons.get(j),
            None => form
                .buttons
                .iter()
                .find(|b| button_reads(b).is_none_or(|r| r == decision)),
        };
        Some(form.press(button, extra))
    };
    // Consent controls are not on the login form.
    let candidates = || {
        view.forms
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.has_password)
    };
    match choice {
        Choice::Button(name, value) => {
            for (i, f) in candidates() {
                if let Some(j) = f.buttons.iter().position(|b| b.is(name, value)) {
                    return submit(i, Some(j));
                }
                if f.fields.iter().any(|(n, v)| n == name && v == value) {
                    return submit(i, None);
                }
            }
            None
        }
        Choice::Text(text) => {
            for (i, f) in candidates() {
                let same = |s: &str| s.trim().eq_ignore_ascii_case(text);
                if let Some(j) = f
                    .buttons
                    .iter()
                    .position(|b| same(&b.label) || same(&b.value))
                {
                    return submit(i, Some(j));
                }
            }
            view.links
                .iter()
                .find(|l| l.text.trim().eq_ignore_ascii_case(text))
                .map(|l| get(&l.href))
        }
        Choice::Selector(sel) => match browser::pick(view.html, sel)? {
            Picked::Form(i) => submit(i, None),
            Picked::Button(i, j) => submit(i, Some(j)),
            Picked::Link(k) => view.links.get(k).map(|l| get(&l.href)),
        },
        Choice::Words => {
            for (i, f) in candidates() {
                if let Some(j) = f
                    .buttons
                    .iter()
                    .position(|b| button_reads(b) == Some(decision))
                {
                    return submit(i, Some(j));
                }
                // A decision carried by a hidden field or the action (`/abort`), the
                // buttons saying nothing either way.
                if f.buttons.iter().all(|b| button_reads(b).is_none())
                    && form_reads(f) == Some(decision)
                {
                    return submit(i, None);
                }
            }
            if let Some(l) = view
                .links
                .iter()
                .find(|l| reads(&l.text).or_else(|| reads(&path_words(&l.href))) == Some(decision))
            {
                return Some(get(&l.href));
            }
            // A lone form that reads neither way is the approval.
            let forms: Vec<_> = candidates().collect();
            match forms.as_slice() {
                [(i, f)] if decision == Consent::Allow && form_reads(f).is_none() => {
                    submit(*i, None)
                }
                _ => None,
            }
        }
    }
}

/// What a driver looked for, in words, for the message when it found nothing.
pub(in crate::execute) fn looked_for(choice: &Choice, decision: Consent) -> String {
    let what = if decision == Consent::Deny {
        "denies"
    } else {
        "grants"
    };
    match choice {
        Choice::Words => {
            let list = if decision == Consent::Deny {
                REFUSE
            } else {
                APPROVE
            };
            format!(
                "a button, form or link that {what} consent (reading {})",
                list.join(", ")
            )
        }
        Choice::Button(n, v) => format!("the button {n}={v} that {what} consent"),
        Choice::Selector(s) => format!("`{s}`, the control that {what} consent"),
        Choice::Text(t) => format!("a button or link labelled \"{t}\" that {what} consent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(html: &str) -> View<'_> {
        View::new("http://as/page", 200, html)
    }

    fn user() -> UserConfig {
        UserConfig {
            username: "alice".into(),
            password: "pw".into(),
            login_hint: None,
            user_code: None,
        }
    }

    fn body(r: &Request) -> String {
        String::from_utf8_lossy(r.body.as_deref().unwrap_or_default()).into_owned()
    }

    #[test]
    fn logs_in_with_usual_field_names_and_never_presses_cancel() {
        for name in ["login", "email", "j_username", "user"] {
            let html = format!(
                r#"<form method="post" action="/l"><input name="remember" type="checkbox">
                <input type="email" name="{name}"><input type="password" name="pw">
                <button name="op" value="cancel">Cancel</button><input type="submit" value="Sign in"></form>"#
            );
            let r = login(&view(&html), &Login::default(), &user()).expect("a login");
            assert_eq!(body(&r), format!("{name}=alice&pw=pw"), "{name}");
        }
    }

    #[test]
    fn finds_consent_in_each_style() {
        let cases = [
            // Unnamed buttons in separate forms.
            (
                r#"<form method="post" action="/confirm"><input type="hidden" name="t" value="1"><button>Yes, allow</button></form>
                <form method="post" action="/abort"><button>Cancel</button></form>"#,
                ("http://as/confirm", "http://as/abort"),
            ),
            // <input type=submit> in one form.
            (
                r#"<form method="post" action="/d"><input type="submit" name="a" value="Approve">
                <input type="submit" name="r" value="Reject"></form>"#,
                ("http://as/d", "http://as/d"),
            ),
            // Deny as a link.
            (
                r#"<form method="post" action="/ok"><button type="submit">Continue</button></form>
                <a href="/interaction/1/abort">Back to the application</a>"#,
                ("http://as/ok", "http://as/interaction/1/abort"),
            ),
            // Decision in hidden fields, generic buttons.
            (
                r#"<form method="post" action="/c"><input type="hidden" name="decision" value="approve"><button>Submit</button></form>
                <form method="post" action="/c"><input type="hidden" name="decision" value="reject"><button>Submit</button></form>"#,
                ("http://as/c", "http://as/c"),
            ),
        ];
        for (html, (allow_url, deny_url)) in cases {
            let v = view(html);
            let a = decide(&v, &Choice::Words, Consent::Allow, &[]).expect(html);
            let d = decide(&v, &Choice::Words, Consent::Deny, &[]).expect(html);
            assert_eq!(a.url, allow_url, "{html}");
            assert_eq!(d.url, deny_url, "{html}");
            assert_ne!(
                (a.url.clone(), body(&a)),
                (d.url.clone(), body(&d)),
                "{html}"
            );
        }
        // A lone form without buttons is the approval, never the refusal.
        let v = view(
            r#"<form method="post" action="/go"><input type="hidden" name="x" value="1"></form>"#,
        );
        assert!(decide(&v, &Choice::Words, Consent::Allow, &[]).is_some());
        assert!(decide(&v, &Choice::Words, Consent::Deny, &[]).is_none());
    }

    #[test]
    fn configured_choices_pick_their_control() {
        let html = r#"<form id="a" method="post" action="/1"><button name="go" value="1">Proceed</button></form>
            <form id="b" method="post" action="/2"><button name="go" value="2">Leave</button></form>
            <a class="nope" href="/3">Not now</a>"#;
        let v = view(html);
        let pick = |c: Choice| decide(&v, &c, Consent::Allow, &[]).map(|r| r.url);
        assert_eq!(
            pick(Choice::Selector("form#b".into())).as_deref(),
            Some("http://as/2")
        );
        assert_eq!(
            pick(Choice::Selector("#a button".into())).as_deref(),
            Some("http://as/1")
        );
        assert_eq!(
            pick(Choice::Selector("a.nope".into())).as_deref(),
            Some("http://as/3")
        );
        assert_eq!(
            pick(Choice::Text("leave".into())).as_deref(),
            Some("http://as/2")
        );
        assert_eq!(
            pick(Choice::Text("Not now".into())).as_deref(),
            Some("http://as/3")
        );
        assert_eq!(
            pick(Choice::Button("go".into(), "1".into())).as_deref(),
            Some("http://as/1")
        );
        assert_eq!(pick(Choice::Words), None);
    }

    #[test]
    fn describes_forms_and_links_without_values() {
        let v = view(
            r#"<form method="post" action="/x"><input type="hidden" name="csrf" value="SECRET">
            <button name="b" value="v">Go on</button></form><a href="/help">Help</a>"#,
        );
        let d = v.describe();
        assert!(
            d.contains("form POST http://as/x with fields [csrf] and buttons [\"Go on\" (b=v)]"),
            "{d}"
        );
        assert!(d.contains("\"Help\" -> http://as/help"), "{d}");
        assert!(!d.contains("SECRET"));
    }
}
