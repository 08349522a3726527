//! The `manual` driver: a person opens the authorization URL and pastes the URL they are
//! redirected to. Refused without a terminal (CI has none).

use std::io::IsTerminal as _;

use super::{Begin, LoginDriver, WalkContext};
use crate::execute::browser;
use crate::execute::case::Runner;
use crate::execute::http::Request;

pub(super) struct Manual;

/// The `manual` driver needs a person at a terminal; CI has none.
pub fn manual_refusal() -> Option<String> {
    (!std::io::stdin().is_terminal()).then(|| {
        "the `manual` login driver needs a terminal to read the redirect URL from, and \
         standard input is not one; use `html-form`, or `command` with a script, in CI"
            .to_string()
    })
}

impl LoginDriver for Manual {
    async fn begin(
        &mut self,
        ua: &mut Runner<'_>,
        req: Request,
        cx: &WalkContext,
        label: &str,
    ) -> Result<Begin, String> {
        if let Some(refusal) = manual_refusal() {
            return Err(refusal);
        }
        // One prompt at a time, whatever the concurrency.
        static PROMPT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let _turn = PROMPT.lock().await;
        let url = req.url.clone();
        let redirect = cx.redirect.clone();
        let line = tokio::task::spawn_blocking(move || {
            eprintln!(
                "\nOpen this URL, log in, and paste the URL you are redirected to ({redirect}...):\n{url}\n> "
            );
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map(|_| line.trim().to_string())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot read the redirect URL: {e}"))?;
        let line = browser::is_redirect_to(&line, &cx.redirect).then_some(line);
        super::finish_external(ua, &req, line, label, "manual login", &cx.redirect).map(Begin::Done)
    }
}
