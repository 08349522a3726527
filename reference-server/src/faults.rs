//! Named faults: each breaks exactly one requirement that a suite case proves.
//!
//! The names and descriptions are defined once in `oauth2spec-vocab`, which the harness reads
//! too; what each fault does is decided in [`crate::policy`].

pub use oauth2spec_vocab::{Fault, UnknownFault};
