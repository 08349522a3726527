//! The `html-form` driver: plain HTML login and consent pages. It fills the form that has
//! a password field with the user's credentials, then presses the consent (or deny)
//! button the target's `[login]` names.

use super::{LoginDriver, Next, Page, WalkContext};
use crate::suite::Consent;

/// Where the driver is in the interaction.
#[derive(Debug, Default)]
pub(super) struct HtmlForm {
    logged_in: bool,
    consented: bool,
}

impl LoginDriver for HtmlForm {
    /// Answers a page of the walk: the login form first, then the consent form.
    fn on_page(&mut self, page: &Page<'_>, cx: &WalkContext) -> Next {
        let cfg = &cx.login;
        if let Some(u) = &cx.user
            && !self.logged_in
            && let Some(form) = page.forms.iter().find(|f| f.has_password)
        {
            self.logged_in = true;
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
            return Next::Send(form.request(&extra));
        }
        if !self.consented && cx.consent != Consent::None {
            let button = match cx.consent {
                Consent::Deny => cfg.deny_button.clone(),
                _ => cfg.consent_button.clone(),
            };
            if let Some(form) = page.forms.iter().find(|f| f.buttons.contains(&button)) {
                self.consented = true;
                return Next::Send(form.request(&[button]));
            }
        }
        Next::Stop
    }
}
