//! HTTP handlers, one module per logical endpoint or interaction page. The vendor login
//! styles (`login` + `consent` for HTML forms, `pingone_flow`, `am_rest`) are adapters of
//! [`crate::interaction::flow`]: they call its steps, not each other (consent only shares
//! the HTML style's field names and pages in `login`). The authorization endpoint, the
//! front door of every style, hands a checked request to the style's adapter.

pub mod am_rest;
pub mod authorization;
pub mod ciba;
pub mod consent;
pub mod device;
pub mod device_verification;
pub mod introspection;
pub mod jwks;
pub mod login;
pub mod macaroon;
pub mod metadata;
pub mod par;
pub mod pingone_flow;
pub mod placeholder;
pub mod registration;
pub mod revocation;
pub mod test_hooks;
pub mod token;
pub mod userinfo;
