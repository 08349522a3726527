//! HTTP handlers, one module per logical endpoint.

pub mod introspection;
pub mod jwks;
pub mod metadata;
pub mod placeholder;
pub mod revocation;
pub mod token;
