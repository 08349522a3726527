//! Login drivers: how the user agent gets a user through the target's login and consent,
//! in each vendor's style (layouts.md): plain HTML forms, PingOne `pi.flow`, AM REST
//! authentication with `csrf`/`decision`, a program of the user's, or a person.
//!
//! This file owns the walk (redirects followed one hop at a time, every hop recorded, the
//! client's redirect URI never requested, the authorization response recognised in a
//! redirect, a form_post page or a pi.flow answer) and the [`LoginDriver`] trait the
//! walk asks at each page; each driver has its own file.

mod am_rest;
mod command;
mod html_form;
pub(super) mod interaction;
mod manual;
mod pingone_flow;

use std::time::Duration;

use serde_json::Value;

pub use manual::manual_refusal;

use super::browser::{self, Callback};
use super::case::Runner;
use super::http::{Request, Response};
use crate::suite::{Browser, CheckKind, Consent, Delivery, RequestStep, Role};
use crate::target::{Login, LoginDriver as DriverName, UserConfig};

/// How many hops a walk may take before it is abandoned (a redirect loop, say).
const MAX_HOPS: usize = 20;

/// What a browser walk ended with: the last response, and the authorization response if
/// one reached the redirect URI.
pub struct Walk {
    pub response: Response,
    pub callback: Option<Callback>,
    /// Where the walk ended, for messages when no callback came.
    pub ended_at: String,
}

/// What a driver knows about the walk it drives.
pub(super) struct WalkContext {
    pub login: Login,
    /// The user to log in as; `None`: do not log in.
    pub user: Option<UserConfig>,
    pub consent: Consent,
    /// The redirect URI the authorization response is addressed to; empty for a walk that
    /// is not an authorization request and has no client redirect URI to watch for.
    pub redirect: String,
    /// Whether the walk starts with an authorization request (rather than at a page such
    /// as the device verification page).
    pub authorization: bool,
    /// Fields to type into the first form that has them all (`browser.fill`), rendered.
    pub fill: Vec<(String, String)>,
    /// The step expects the walk may end on a page (`delivered = "none"`): a driver that
    /// finds no way on is then not an error, the checks judge the page.
    pub may_end_on_page: bool,
}

/// A driver's answer to a page.
pub(super) enum Next {
    /// Send this request next (a login form, a consent decision, a flow step).
    Send(Request),
    /// The driver has nothing to do here: the walk ends on this page.
    Stop,
    /// The driver still had a login or consent to do and found no way on; what it looked
    /// for. On an interaction page this ends the case in `error`: the harness could not
    /// proceed, which says nothing about the server.
    Stuck(String),
}

/// Before the walk: the authorization request to send, or the whole walk done outside
/// the harness (a program, a person).
pub(super) enum Begin {
    Walk(Request),
    Done(Walk),
}

/// One vendor style of login and consent. The walk calls `begin` once, then `on_json` or
/// `on_page` for every answer that is neither a redirect nor the authorization response.
pub(super) trait LoginDriver {
    async fn begin(
        &mut self,
        _ua: &mut Runner<'_>,
        req: Request,
        _cx: &WalkContext,
        _label: &str,
    ) -> Result<Begin, String> {
        Ok(Begin::Walk(req))
    }

    fn on_json(&mut self, _json: &Value, _cx: &WalkContext) -> Next {
        Next::Stop
    }

    fn on_page(&mut self, _page: &interaction::View<'_>, _cx: &WalkContext) -> Next {
        Next::Stop
    }
}

pub(super) fn get(url: &str) -> Request {
    Request {
        method: "GET".into(),
        url: url.to_string(),
        headers: vec![("accept".into(), "text/html,application/json".into())],
        body: None,
    }
}

/// The `redirect_uri` a request carries, in its query or form body.
fn redirect_param(req: &Request) -> Option<String> {
    let from_query = url::Url::parse(&req.url).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
    });
    from_query.or_else(|| {
        let body = req.body.as_deref()?;
        url::form_urlencoded::parse(body)
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
    })
}

fn sets_param(step: &RequestStep, name: &str) -> bool {
    step.query.iter().chain(&step.form).any(|(k, _)| k == name)
}

impl Runner<'_> {
    /// Sends the authorization request of `step` and walks it to its end with the
    /// target's login driver.
    pub(super) async fn authorize(
        &mut self,
        step: &RequestStep,
        role: Role,
        label: &str,
    ) -> Result<Walk, String> {
        self.ua.hops.clear();
        let browser = step.browser.clone().unwrap_or(Browser {
            login: Some(self.target.target.login.user.clone()),
            consent: Consent::Allow,
            fill: Vec::new(),
        });
        let authorization = step.endpoint() == Some(crate::suite::Endpoint::Authorization);
        let req = self.build(step, role)?;
        let client_redirect = self.cx.client(role).and_then(|c| c.redirect_uri.clone());
        // An empty `redirect_uri` counts as absent (RFC 6749 §3.1), so the server uses
        // the registered one.
        let redirect = redirect_param(&req)
            .filter(|r| url::Url::parse(r).is_ok())
            .or(client_redirect.clone());
        let redirect = match redirect {
            Some(r) => r,
            // A walk from another page (device verification) may end on a page.
            None if !authorization => String::new(),
            None => {
                return Err(format!(
                    "no redirect_uri in the request and none configured for `{role}`: \
                     cannot recognise the authorization response"
                ));
            }
        };
        let mut fill = Vec::new();
        for (name, t) in &browser.fill {
            fill.push((name.clone(), self.cx.render_required(t, role)?));
        }
        let user: Option<UserConfig> = match &browser.login {
            None => None,
            Some(u) => Some(
                self.target
                    .target
                    .users
                    .get(u)
                    .cloned()
                    .ok_or_else(|| format!("no [users.{u}] configured in the target"))?,
            ),
        };
        let checks_delivery = step
            .checks
            .iter()
            .any(|c| matches!(c.kind, CheckKind::Delivered(_)));
        let may_end_on_page = step.checks.iter().any(
            |c| matches!(&c.kind, CheckKind::Delivered(list) if list.contains(&Delivery::None)),
        ) || !authorization;
        let mut driver = self.target.target.login.driver;
        // pi.flow answers in JSON instead of redirecting: only where the case does not
        // itself choose a response mode, look at how the response is delivered, or
        // deny consent (a pi.flow login has no consent page).
        if driver == DriverName::PingoneFlow
            && (sets_param(step, "response_mode")
                || checks_delivery
                || browser.consent != Consent::Allow)
        {
            driver = DriverName::HtmlForm;
        }
        // A walk that logs nobody in is what any fresh user agent does: the harness walks
        // it itself, so that external drivers' cases still see the pages (a login page's
        // headers, say).
        if browser.login.is_none() && matches!(driver, DriverName::Command | DriverName::Manual) {
            driver = DriverName::HtmlForm;
        }
        let cx = WalkContext {
            login: self.target.target.login.clone(),
            user,
            consent: browser.consent,
            redirect,
            authorization,
            fill,
            may_end_on_page,
        };
        let client_redirect = client_redirect.as_deref();
        match driver {
            DriverName::HtmlForm => {
                self.walk(
                    html_form::HtmlForm::default(),
                    req,
                    &cx,
                    client_redirect,
                    label,
                )
                .await
            }
            DriverName::PingoneFlow => {
                self.walk(
                    pingone_flow::PingoneFlow::default(),
                    req,
                    &cx,
                    client_redirect,
                    label,
                )
                .await
            }
            DriverName::AmRest => {
                self.walk(am_rest::AmRest, req, &cx, client_redirect, label)
                    .await
            }
            DriverName::Command => {
                self.walk(command::Command, req, &cx, client_redirect, label)
                    .await
            }
            DriverName::Manual => {
                self.walk(manual::Manual, req, &cx, client_redirect, label)
                    .await
            }
        }
    }

    /// Follows the walk hop by hop, asking the driver at every page.
    async fn walk<D: LoginDriver>(
        &mut self,
        mut driver: D,
        req: Request,
        cx: &WalkContext,
        client_redirect: Option<&str>,
        label: &str,
    ) -> Result<Walk, String> {
        let mut req = match driver.begin(self, req, cx, label).await? {
            Begin::Walk(req) => req,
            Begin::Done(walk) => return Ok(walk),
        };
        let redirect = cx.redirect.as_str();
        let mut filled = cx.fill.is_empty();
        for hop in 0..MAX_HOPS {
            let hop_label = if hop == 0 {
                label.to_string()
            } else {
                format!("{label} · hop {hop}")
            };
            let resp = self.send_recorded(&req, &hop_label).await?;
            self.ua
                .hops
                .push((req.method.clone(), req.url.clone(), resp.status));
            let here = req.url.clone();
            if let Some(next) = browser::location(&resp, &here) {
                // The client's registered URI counts too: the walk must never request a
                // client endpoint, whichever one the server chose.
                let to_client = browser::is_redirect_to(&next, redirect)
                    || client_redirect.is_some_and(|c| browser::is_redirect_to(&next, c));
                if to_client {
                    return Ok(Walk {
                        callback: Some(browser::callback_from_url(&next)),
                        ended_at: next,
                        response: resp,
                    });
                }
                req = if matches!(resp.status, 307 | 308) {
                    Request { url: next, ..req }
                } else {
                    get(&next)
                };
                continue;
            }
            let ended = |resp: Response| Walk {
                ended_at: format!("{here} ({})", resp.status),
                response: resp,
                callback: None,
            };
            if let Ok(json) = serde_json::from_slice::<Value>(&resp.body) {
                if let Some(cb) = browser::pi_flow_callback(&json, redirect) {
                    return Ok(Walk {
                        callback: Some(cb),
                        ended_at: here,
                        response: resp,
                    });
                }
                match driver.on_json(&json, cx) {
                    Next::Send(r) => {
                        req = r;
                        continue;
                    }
                    Next::Stop | Next::Stuck(_) => return Ok(ended(resp)),
                }
            }
            let html = String::from_utf8_lossy(&resp.body).into_owned();
            if let Some(cb) = browser::form_post_callback(&html, &here, redirect) {
                return Ok(Walk {
                    callback: Some(cb),
                    ended_at: here,
                    response: resp,
                });
            }
            let view = interaction::View::new(&here, resp.status, &html);
            if !cx.fill.is_empty() {
                if !filled {
                    if let Some(r) = fill_form(&view, cx) {
                        filled = true;
                        req = r;
                        continue;
                    }
                } else if fill_target(&view, cx).is_some()
                    && view
                        .forms
                        .iter()
                        .any(|f| cx.fill.iter().all(|(name, _)| f.text_inputs.contains(name)))
                {
                    // The page asks the user to type the same fields again: what was typed
                    // was refused (an expired user code, say). The walk ends here, for the
                    // checks. (A later form carrying them as hidden fields is not that.)
                    return Ok(ended(resp));
                }
            }
            match driver.on_page(&view, cx) {
                Next::Send(r) => req = r,
                Next::Stop => return Ok(ended(resp)),
                Next::Stuck(wanted) if view.is_interactive() && !cx.may_end_on_page => {
                    return Err(format!(
                        "the login driver could not go on at {here} ({}): it looked for \
                         {wanted}; the page has {}",
                        resp.status,
                        view.describe()
                    ));
                }
                Next::Stuck(_) => return Ok(ended(resp)),
            }
        }
        Err(format!(
            "more than {MAX_HOPS} hops without reaching the redirect URI (a redirect loop?)"
        ))
    }
}

/// The first form on the page with every `fill` field and no password field.
fn fill_target<'v>(view: &'v interaction::View<'_>, cx: &WalkContext) -> Option<&'v browser::Form> {
    view.forms.iter().find(|f| {
        !f.has_password
            && cx.fill.iter().all(|(name, _)| {
                f.fields.iter().any(|(n, _)| n == name) || f.text_inputs.contains(name)
            })
    })
}

/// The submission of the first form on the page that has every `fill` field and no
/// password field (a login form is the driver's): the values typed in, and the button
/// of the consent decision when the form carries it, else its first button.
fn fill_form(view: &interaction::View<'_>, cx: &WalkContext) -> Option<Request> {
    let form = fill_target(view, cx)?;
    // A form that also carries the consent decision is answered as the case asks.
    if cx.consent != Consent::None {
        let choice = match cx.consent {
            Consent::Deny => &cx.login.deny,
            _ => &cx.login.consent,
        };
        if let Some(r) = interaction::decide(view, choice, cx.consent, &cx.fill)
            && r.url == form.action
        {
            return Some(r);
        }
    }
    Some(form.press(form.buttons.first(), &cx.fill))
}

/// Records an authorization request completed outside the harness (a program, a person):
/// the exchange stands for what the browser saw, a redirect to the client.
fn finish_external(
    ua: &mut Runner<'_>,
    req: &Request,
    line: Option<String>,
    label: &str,
    who: &str,
    redirect: &str,
) -> Result<Walk, String> {
    let line = line.ok_or_else(|| format!("{who} printed no URL where the walk ended"))?;
    if !browser::is_redirect_to(&line, redirect) {
        // The walk ended on a page: recorded as the program reported it, not fetched (the
        // program's browser holds the session, the harness does not).
        let resp = Response {
            url: line.clone(),
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        };
        ua.record(
            req,
            Ok(&resp),
            &format!("{label} · {who} ended at {line} (not fetched)"),
            Duration::ZERO,
        );
        return Ok(Walk {
            callback: None,
            ended_at: line,
            response: resp,
        });
    }
    let resp = Response {
        url: req.url.clone(),
        status: 302,
        headers: vec![("location".into(), line.clone())],
        body: Vec::new(),
    };
    ua.learn(&resp);
    ua.record(req, Ok(&resp), &format!("{label} · {who}"), Duration::ZERO);
    Ok(Walk {
        callback: Some(browser::callback_from_url(&line)),
        ended_at: line,
        response: resp,
    })
}
