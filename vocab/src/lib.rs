//! The vocabulary the oauth2spec harness and its reference server share, defined once:
//! vendor layouts and the path of each logical endpoint in them, the logical endpoints,
//! client roles, client authentication methods and the names of the server's faults; and
//! one wire format both sides must agree on, the macaroon tokens of the AIC layout.
//!
//! Both sides depend on this crate instead of on each other, so the suites (`suite/`) can be
//! loaded and validated without the server, and the server's routes cannot drift from the
//! paths the harness expects: there is only one table.
//!
//! Each vocabulary is a closed enum so that a typo in a suite or target file is a load error
//! with the list of valid names, not a case that silently never runs.

mod client;
mod endpoint;
mod fault;
mod layout;
pub mod macaroon;

pub use client::{AuthMethod, Role};
pub use endpoint::Endpoint;
pub use fault::{Fault, UnknownFault};
pub use layout::{Layout, LayoutParams, openid_configuration_path, rfc8414_metadata_path};

/// Defines a closed vocabulary: a `Copy` enum whose variants each have one name, with
/// `ALL`, `NAMES`, `as_str`, `parse`, `expected` and `Display`.
///
/// Exported so that the harness's own vocabularies (capabilities, levels, ...) are written
/// the same way.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// The valid names, for suggestions.
            pub const NAMES: &'static [&'static str] = &[$($text,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn parse(s: &str) -> ::core::option::Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The valid names, for "expected one of ..." messages.
            pub fn expected() -> ::std::string::String {
                $name::ALL
                    .iter()
                    .map(|v| ::std::format!("`{}`", v.as_str()))
                    .collect::<::std::vec::Vec<_>>()
                    .join(", ")
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
