//! HTTP handlers, one module per logical endpoint or interaction page.

pub mod am_rest;
pub mod authorization;
pub mod consent;
pub mod introspection;
pub mod jwks;
pub mod login;
pub mod metadata;
pub mod pingone_flow;
pub mod placeholder;
pub mod revocation;
pub mod token;
pub mod userinfo;
