//! Login drivers: how the user agent gets a user through the target's login and consent,
//! in each vendor's style (layouts.md): plain HTML forms, PingOne `pi.flow`, AM REST
//! authentication with `csrf`/`decision`, a program of the user's, or a person.

use std::io::IsTerminal as _;
use std::time::Duration;

use serde_json::Value;

use super::browser::{self, Callback};
use super::case::Runner;
use super::http::{Request, Response};
use crate::suite::{Browser, CheckKind, Consent, RequestStep, Role};
use crate::target::{LoginDriver, UserConfig};

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

/// The `manual` driver needs a person at a terminal; CI has none.
pub fn manual_refusal() -> Option<String> {
    (!std::io::stdin().is_terminal()).then(|| {
        "the `manual` login driver needs a terminal to read the redirect URL from, and \
         standard input is not one; use `html-form`, or `command` with a script, in CI"
            .to_string()
    })
}

fn get(url: &str) -> Request {
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
    /// Sends the authorization request of `step` and walks it to its end.
    pub(super) async fn authorize(
        &mut self,
        step: &RequestStep,
        role: Role,
        label: &str,
    ) -> Result<Walk, String> {
        self.walk_hops.clear();
        let browser = step.browser.clone().unwrap_or(Browser {
            login: Some(self.target.target.login.user.clone()),
            consent: Consent::Allow,
        });
        let cfg = self.target.target.login.clone();
        let mut req = self.build(step, role)?;
        let client_redirect = self.cx.client(role).and_then(|c| c.redirect_uri.clone());
        // An empty `redirect_uri` counts as absent (RFC 6749 §3.1), so the server uses
        // the registered one.
        let redirect = redirect_param(&req)
            .filter(|r| url::Url::parse(r).is_ok())
            .or(client_redirect.clone())
            .ok_or_else(|| {
            format!("no redirect_uri in the request and none configured for `{role}`: cannot recognise the authorization response")
        })?;
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
        let mut driver = cfg.driver;
        // pi.flow answers in JSON instead of redirecting: only where the case does not
        // itself choose a response mode, look at how the response is delivered, or
        // deny consent (a pi.flow login has no consent page).
        if driver == LoginDriver::PingoneFlow
            && (sets_param(step, "response_mode")
                || checks_delivery
                || browser.consent != Consent::Allow)
        {
            driver = LoginDriver::HtmlForm;
        }
        match driver {
            LoginDriver::Command => {
                return self
                    .command_login(&req, &redirect, user.as_ref(), label)
                    .await;
            }
            LoginDriver::Manual => return self.manual_login(&req, &redirect, label).await,
            LoginDriver::PingoneFlow => {
                if let Ok(mut u) = url::Url::parse(&req.url)
                    && req.method == "GET"
                {
                    u.query_pairs_mut().append_pair("response_mode", "pi.flow");
                    req.url = u.to_string();
                }
            }
            LoginDriver::AmRest => {
                if let Some(user) = &user {
                    let token = self.am_authenticate(user, label).await?;
                    req = am_authorization(&req, &token, browser.consent);
                }
            }
            LoginDriver::HtmlForm => {}
        }
        let mut logged_in = false;
        let mut consented = false;
        for hop in 0..MAX_HOPS {
            let hop_label = if hop == 0 {
                label.to_string()
            } else {
                format!("{label} · hop {hop}")
            };
            let resp = self.send_recorded(&req, &hop_label).await?;
            self.walk_hops
                .push((req.method.clone(), req.url.clone(), resp.status));
            let here = req.url.clone();
            if let Some(next) = browser::location(&resp, &here) {
                // The client's registered URI counts too: the walk must never request a
                // client endpoint, whichever one the server chose.
                let to_client = browser::is_redirect_to(&next, &redirect)
                    || client_redirect
                        .as_deref()
                        .is_some_and(|c| browser::is_redirect_to(&next, c));
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
                if let Some(cb) = browser::pi_flow_callback(&json, &redirect) {
                    return Ok(Walk {
                        callback: Some(cb),
                        ended_at: here,
                        response: resp,
                    });
                }
                if driver == LoginDriver::PingoneFlow {
                    let status = json.get("status").and_then(Value::as_str).unwrap_or("");
                    let check = json
                        .pointer("/_links/usernamePassword.check/href")
                        .and_then(Value::as_str);
                    let resume = json.get("resumeUrl").and_then(Value::as_str);
                    match (status, check, resume, &user) {
                        ("USERNAME_PASSWORD_REQUIRED", Some(href), _, Some(u)) if !logged_in => {
                            logged_in = true;
                            let body =
                                serde_json::json!({"username": u.username, "password": u.password});
                            req = Request {
                                method: "POST".into(),
                                url: href.to_string(),
                                headers: vec![
                                    (
                                        "content-type".into(),
                                        "application/vnd.pingidentity.usernamePassword.check+json"
                                            .into(),
                                    ),
                                    ("accept".into(), "application/json".into()),
                                ],
                                body: Some(body.to_string().into_bytes()),
                            };
                            continue;
                        }
                        ("COMPLETED", _, Some(resume), _) => {
                            req = get(resume);
                            continue;
                        }
                        _ => {}
                    }
                }
                return Ok(ended(resp));
            }
            let html = String::from_utf8_lossy(&resp.body).into_owned();
            if let Some(cb) = browser::form_post_callback(&html, &here, &redirect) {
                return Ok(Walk {
                    callback: Some(cb),
                    ended_at: here,
                    response: resp,
                });
            }
            let forms = browser::forms(&html, &here, cfg.form_selector.as_deref());
            if let Some(u) = &user
                && !logged_in
                && let Some(form) = forms.iter().find(|f| f.has_password)
            {
                logged_in = true;
                let ufield = cfg
                    .username_field
                    .clone()
                    .or_else(|| form.text_inputs.first().cloned())
                    .unwrap_or_else(|| "username".into());
                let pfield = cfg
                    .password_field
                    .clone()
                    .or_else(|| form.password_inputs.first().cloned())
                    .unwrap_or_else(|| "password".into());
                let mut extra = vec![(ufield, u.username.clone()), (pfield, u.password.clone())];
                extra.extend(form.buttons.first().cloned());
                req = form.request(&extra);
                continue;
            }
            if !consented && browser.consent != Consent::None {
                let button = match browser.consent {
                    Consent::Deny => cfg.deny_button.clone(),
                    _ => cfg.consent_button.clone(),
                };
                if let Some(form) = forms.iter().find(|f| f.buttons.contains(&button)) {
                    consented = true;
                    req = form.request(&[button]);
                    continue;
                }
            }
            return Ok(ended(resp));
        }
        Err(format!(
            "more than {MAX_HOPS} hops without reaching the redirect URI (a redirect loop?)"
        ))
    }

    /// AM REST authentication: `POST /am/json/realms/{realm}/authenticate` with the
    /// credentials in `X-OpenAM-*` headers; the answer's `tokenId` is the session.
    async fn am_authenticate(&mut self, user: &UserConfig, label: &str) -> Result<String, String> {
        let t = &self.target.target;
        let url = format!(
            "{}/am/json/realms/{}/authenticate",
            t.base_url,
            t.params.realm.trim_matches('/')
        );
        let req = Request {
            method: "POST".into(),
            url: url.clone(),
            headers: vec![
                ("x-openam-username".into(), user.username.clone()),
                ("x-openam-password".into(), user.password.clone()),
                (
                    "accept-api-version".into(),
                    "resource=2.0, protocol=1.0".into(),
                ),
                ("content-type".into(), "application/json".into()),
                ("accept".into(), "application/json".into()),
            ],
            body: Some(b"{}".to_vec()),
        };
        let resp = self
            .send_recorded(&req, &format!("{label} · AM authenticate"))
            .await?;
        let token = serde_json::from_slice::<Value>(&resp.body)
            .ok()
            .and_then(|v| v.get("tokenId")?.as_str().map(str::to_string))
            .ok_or_else(|| {
                format!(
                    "AM authentication answered {} without a tokenId",
                    resp.status
                )
            })?;
        let cookie = format!("{}={token}; Path=/", t.login.cookie_name);
        self.http.add_cookie(&cookie, &t.base_url);
        Ok(token)
    }

    /// Runs the user's program with the authorization URL; its output's last line that
    /// is addressed to the redirect URI is the authorization response.
    async fn command_login(
        &mut self,
        req: &Request,
        redirect: &str,
        user: Option<&UserConfig>,
        label: &str,
    ) -> Result<Walk, String> {
        let cfg = &self.target.target.login;
        let (program, args) = cfg
            .command
            .split_first()
            .ok_or("login driver `command` has no command")?;
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .arg(&req.url)
            .env("OAUTH2SPEC_AUTHORIZATION_URL", &req.url)
            .env("OAUTH2SPEC_REDIRECT_URI", redirect)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        if let Some(u) = user {
            cmd.env("OAUTH2SPEC_USERNAME", &u.username)
                .env("OAUTH2SPEC_PASSWORD", &u.password);
        }
        let timeout = Duration::from_secs(cfg.timeout_secs);
        let output = tokio::time::timeout(timeout, cmd.output())
            .await
            .map_err(|_| {
                format!(
                    "login command `{program}` gave no redirect within {} s",
                    cfg.timeout_secs
                )
            })?
            .map_err(|e| format!("cannot run login command `{program}`: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| browser::is_redirect_to(l, redirect))
            .map(str::to_string);
        self.finish_external(
            req,
            line,
            label,
            &format!("login command `{program}` (exit {})", output.status),
        )
    }

    /// Prints the authorization URL and reads the redirect URL a person pastes.
    async fn manual_login(
        &mut self,
        req: &Request,
        redirect: &str,
        label: &str,
    ) -> Result<Walk, String> {
        if let Some(refusal) = manual_refusal() {
            return Err(refusal);
        }
        // One prompt at a time, whatever the concurrency.
        static PROMPT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let _turn = PROMPT.lock().await;
        let url = req.url.clone();
        let redirect_owned = redirect.to_string();
        let line = tokio::task::spawn_blocking(move || {
            eprintln!("\nOpen this URL, log in, and paste the URL you are redirected to ({redirect_owned}...):\n{url}\n> ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map(|_| line.trim().to_string())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot read the redirect URL: {e}"))?;
        let line = browser::is_redirect_to(&line, redirect).then_some(line);
        self.finish_external(req, line, label, "manual login")
    }

    /// Records an authorization request completed outside the harness.
    fn finish_external(
        &mut self,
        req: &Request,
        line: Option<String>,
        label: &str,
        who: &str,
    ) -> Result<Walk, String> {
        let line =
            line.ok_or_else(|| format!("{who} printed no URL addressed to the redirect URI"))?;
        // The exchange stands for what the browser saw: a redirect to the client.
        let resp = Response {
            url: req.url.clone(),
            status: 302,
            headers: vec![("location".into(), line.clone())],
            body: Vec::new(),
        };
        self.learn(&resp);
        self.record(req, Ok(&resp), &format!("{label} · {who}"), Duration::ZERO);
        Ok(Walk {
            callback: Some(browser::callback_from_url(&line)),
            ended_at: line,
            response: resp,
        })
    }
}

/// AM's consent by REST: the authorization parameters posted as a form with the session
/// token as `csrf` and the user's `decision`.
fn am_authorization(req: &Request, token: &str, consent: Consent) -> Request {
    let Ok(mut u) = url::Url::parse(&req.url) else {
        return req.clone();
    };
    let mut params: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(body) = &req.body {
        params.extend(
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    params.push(("csrf".into(), token.to_string()));
    let decision = if consent == Consent::Deny {
        "deny"
    } else {
        "allow"
    };
    params.push(("decision".into(), decision.into()));
    u.set_query(None);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    Request {
        method: "POST".into(),
        url: u.to_string(),
        headers: vec![
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("accept".into(), "text/html,application/json".into()),
        ],
        body: Some(body.into_bytes()),
    }
}
