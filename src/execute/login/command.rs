//! The `command` driver: the user's program (Playwright, a script) gets the authorization
//! URL and completes the login; the last line it prints that is addressed to the redirect
//! URI is the authorization response.

use std::time::Duration;

use super::{Begin, LoginDriver, WalkContext};
use crate::execute::browser;
use crate::execute::case::Runner;
use crate::execute::http::Request;

pub(super) struct Command;

impl LoginDriver for Command {
    async fn begin(
        &mut self,
        ua: &mut Runner<'_>,
        req: Request,
        cx: &WalkContext,
        label: &str,
    ) -> Result<Begin, String> {
        let cfg = &cx.login;
        let (program, args) = cfg
            .command
            .split_first()
            .ok_or("login driver `command` has no command")?;
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .arg(&req.url)
            .env("OAUTH2SPEC_AUTHORIZATION_URL", &req.url)
            .env("OAUTH2SPEC_REDIRECT_URI", &cx.redirect)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        if let Some(u) = &cx.user {
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
            .find(|l| browser::is_redirect_to(l, &cx.redirect))
            .map(str::to_string);
        let who = format!("login command `{program}` (exit {})", output.status);
        super::finish_external(ua, &req, line, label, &who).map(Begin::Done)
    }
}
