//! The `html-form` driver: plain HTML login and consent pages, as they come. It fills the
//! form that has a password field with the user's credentials, then answers the consent
//! page with the control the target's `[login]` choice finds (`interaction.rs`). A page
//! where it still had one of these to do and found nothing is reported, not guessed at.

use super::interaction::{self, View};
use super::{LoginDriver, Next, WalkContext};
use crate::suite::Consent;

/// Decisions one walk may make: a server may ask more than once (node-oidc-provider's
/// device flow confirms the device, then asks for consent after the login), but a page
/// that keeps coming back must not be answered forever. A further decision is made only
/// after a login since the last one: without one, the next page is the result of the
/// decision (a form_post page, a success page), which is the walk's end, not a question.
const MAX_DECISIONS: usize = 4;

/// Where the driver is in the interaction.
#[derive(Debug, Default)]
pub(super) struct HtmlForm {
    logged_in: bool,
    /// The decisions sent so far (method, URL, body): the same one is never sent twice.
    decided: Vec<(String, String, Option<Vec<u8>>)>,
    /// Whether the login form was submitted after the last decision.
    logged_in_since: bool,
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
            self.logged_in_since = true;
            return Next::Send(req);
        }
        let may_decide = self.decided.is_empty() || self.logged_in_since;
        if cx.consent != Consent::None && may_decide && self.decided.len() < MAX_DECISIONS {
            let choice = match cx.consent {
                Consent::Deny => &cfg.deny,
                _ => &cfg.consent,
            };
            if let Some(req) = interaction::decide(page, choice, cx.consent, &[]) {
                let key = (req.method.clone(), req.url.clone(), req.body.clone());
                if self.decided.contains(&key) {
                    // The same decision again: the page came back; the walk ends on it.
                    return Next::Stop;
                }
                self.decided.push(key);
                self.logged_in_since = false;
                return Next::Send(req);
            }
            if !self.decided.is_empty() {
                // Decided already and nothing more to decide: a result page.
                return Next::Stop;
            }
            // Work left: a consent to give (or a login, if none was seen yet).
            let mut wanted = interaction::looked_for(choice, cx.consent);
            if cx.user.is_some() && !self.logged_in {
                wanted = format!("a login form (a password field) or {wanted}");
            }
            return Next::Stuck(wanted);
        }
        // `consent = "none"` (the walk is meant to stop at an interaction page), or the page
        // after a decision: the walk ends here.
        Next::Stop
    }
}
