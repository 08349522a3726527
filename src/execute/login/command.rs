//! The `command` driver: the user's program (Playwright, a script) gets the authorization
//! URL and completes the login. Its environment says what the case asks: the user
//! (`OAUTH2SPEC_USER`, `none` for no login; `OAUTH2SPEC_USERNAME`/`_PASSWORD`) and the
//! consent (`OAUTH2SPEC_CONSENT=allow|deny|none`). The last URL it prints is where the walk
//! ended: addressed to the redirect URI it is the authorization response, anywhere else a
//! page the walk stopped at (then `delivered = "none"` can be judged). A program that exits
//! non-zero could not do its part: an `error`, never a finding.

use std::time::Duration;

use super::{Begin, LoginDriver, WalkContext};
use crate::execute::case::Runner;
use crate::execute::http::Request;
use crate::suite::Consent;

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
            .env(
                "OAUTH2SPEC_CONSENT",
                match cx.consent {
                    Consent::Allow => "allow",
                    Consent::Deny => "deny",
                    Consent::None => "none",
                },
            )
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        match &cx.user {
            Some(u) => {
                cmd.env("OAUTH2SPEC_USER", &u.username)
                    .env("OAUTH2SPEC_USERNAME", &u.username)
                    .env("OAUTH2SPEC_PASSWORD", &u.password);
            }
            None => {
                cmd.env("OAUTH2SPEC_USER", "none");
            }
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
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "login command `{program}` failed ({}){}",
                output.status,
                if tail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", tail.join(" | "))
                }
            ));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| url::Url::parse(l).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .map(str::to_string);
        let who = format!("login command `{program}`");
        super::finish_external(ua, &req, line, label, &who, &cx.redirect).map(Begin::Done)
    }
}
