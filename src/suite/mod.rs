//! WHAT to test: the suite model and its loading. Pure data, no network, no async.

pub mod explain;
pub mod load;
pub mod model;
pub mod raw;
pub mod requirements;
pub mod template;
pub mod vocab;

pub use load::{load_dir, load_files};
pub use model::*;
pub use vocab::{
    AuthMethod, AuthMode, Capability, Endpoint, Fault, Grant, JsonType, Level, Role, Severity,
};
