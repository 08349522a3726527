//! The `html-form` driver: plain HTML login and consent pages, as they come. It fills the
//! form that has a password field with the user's credentials, then answers the consent
//! page with the control the target's `[login]` choice finds (`interaction.rs`). A page
//! where it still had one of these to do and found nothing is reported, not guessed at.

use super::interaction::{self, View};
use super::{LoginDriver, Next, WalkContext};
use crate::suite::Consent;

/// Where the driver is in the interaction.
#[derive(Debug, Default)]
pub(super) struct HtmlForm {
    logged_in: bool,
    consented: bool,
}

impl LoginDriver for HtmlForm {
    /// Answers a page of the walk: the login form first, then the consent decision.
    fn on_page(&mut self, page: &View<'_>, cx: &WalkContext) -> Next {
        let cfg = &cx.login;
        if let Some(u) = &cx.user
            && !self.logged_in
            && let Some(req) = interaction::login(page, cfg, u)
        {
            self.logged_in = true;
            return Next::Send(req);
        }
        if !self.consented && cx.consent != Consent::None {
            let choice = match cx.consent {
                Consent::Deny => &cfg.deny,
                _ => &cfg.consent,
            };
            if let Some(req) = interaction::decide(page, choice, cx.consent, &[]) {
                self.consented = true;
                return Next::Send(req);
            }
            // Work left: a consent to give (or a login, if none was seen yet).
            let mut wanted = interaction::looked_for(choice, cx.consent);
            if cx.user.is_some() && !self.logged_in {
                wanted = format!("a login form (a password field) or {wanted}");
            }
            return Next::Stuck(wanted);
        }
        // `consent = "none"`: the walk is meant to stop at an interaction page.
        Next::Stop
    }
}
