//! The `pingone-flow` driver: PingOne's `response_mode=pi.flow` JSON flows
//! (layouts.md): the authorization request answers `USERNAME_PASSWORD_REQUIRED` with a
//! `usernamePassword.check` link, the credentials are posted there, and a `COMPLETED`
//! flow is resumed at its `resumeUrl`. A pi.flow login has no consent step.

use serde_json::Value;

use super::html_form::HtmlForm;
use super::interaction::View;
use super::{Begin, LoginDriver, Next, WalkContext, get};
use crate::execute::case::Runner;
use crate::execute::http::Request;

#[derive(Debug, Default)]
pub(super) struct PingoneFlow {
    logged_in: bool,
    /// HTML pages met on the way (a device verification page) are a browser's.
    pages: HtmlForm,
}

impl LoginDriver for PingoneFlow {
    /// The authorization request asks for the JSON flow.
    async fn begin(
        &mut self,
        _ua: &mut Runner<'_>,
        mut req: Request,
        cx: &WalkContext,
        _label: &str,
    ) -> Result<Begin, String> {
        if let Ok(mut u) = url::Url::parse(&req.url)
            && req.method == "GET"
            && cx.authorization
        {
            u.query_pairs_mut().append_pair("response_mode", "pi.flow");
            req.url = u.to_string();
        }
        Ok(Begin::Walk(req))
    }

    /// Answers a JSON flow document.
    fn on_json(&mut self, json: &Value, cx: &WalkContext) -> Next {
        let status = json.get("status").and_then(Value::as_str).unwrap_or("");
        let check = json
            .pointer("/_links/usernamePassword.check/href")
            .and_then(Value::as_str);
        let resume = json.get("resumeUrl").and_then(Value::as_str);
        match (status, check, resume, &cx.user) {
            ("USERNAME_PASSWORD_REQUIRED", Some(href), _, Some(u)) if !self.logged_in => {
                self.logged_in = true;
                let body = serde_json::json!({"username": u.username, "password": u.password});
                Next::Send(Request {
                    method: "POST".into(),
                    url: href.to_string(),
                    headers: vec![
                        (
                            "content-type".into(),
                            "application/vnd.pingidentity.usernamePassword.check+json".into(),
                        ),
                        ("accept".into(), "application/json".into()),
                    ],
                    body: Some(body.to_string().into_bytes()),
                })
            }
            ("COMPLETED", _, Some(resume), _) => Next::Send(get(resume)),
            _ => Next::Stop,
        }
    }

    fn on_page(&mut self, page: &View<'_>, cx: &WalkContext) -> Next {
        self.pages.on_page(page, cx)
    }
}
