//! The closed vocabularies suites and targets are written in: logical endpoints,
//! client roles, capabilities, requirement levels and client-authentication modes.
//!
//! Each is a closed enum so that a typo in a suite is a load error with the list of
//! valid names, not a case that silently never runs.

use std::fmt;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// The valid names, for suggestions.
            pub const NAMES: &'static [&'static str] = &[$($text,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// The valid names, for "expected one of ..." messages.
            pub fn expected() -> String {
                $name::ALL.iter().map(|v| format!("`{}`", v.as_str())).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// A logical endpoint; the target's layout, discovery or overrides map it to a URL.
    Endpoint {
        Metadata => "metadata",
        OauthMetadata => "oauth_metadata",
        OpenidConfiguration => "openid_configuration",
        Authorization => "authorization",
        Token => "token",
        Introspection => "introspection",
        Revocation => "revocation",
        Par => "par",
        DeviceAuthorization => "device_authorization",
        DeviceVerification => "device_verification",
        BackchannelAuthentication => "backchannel_authentication",
        Userinfo => "userinfo",
        Jwks => "jwks",
        Registration => "registration",
    }
}

impl Endpoint {
    /// The method a step uses when it names none: documents are fetched, the rest posted.
    pub fn default_method(self) -> &'static str {
        match self {
            Endpoint::Metadata
            | Endpoint::OauthMetadata
            | Endpoint::OpenidConfiguration
            | Endpoint::Jwks
            | Endpoint::Userinfo
            | Endpoint::Authorization
            | Endpoint::DeviceVerification => "GET",
            _ => "POST",
        }
    }

    /// The RFC 8414 / OIDC Discovery metadata member that advertises this endpoint.
    pub fn metadata_member(self) -> Option<&'static str> {
        Some(match self {
            Endpoint::Authorization => "authorization_endpoint",
            Endpoint::Token => "token_endpoint",
            Endpoint::Introspection => "introspection_endpoint",
            Endpoint::Revocation => "revocation_endpoint",
            Endpoint::Par => "pushed_authorization_request_endpoint",
            Endpoint::DeviceAuthorization => "device_authorization_endpoint",
            Endpoint::BackchannelAuthentication => "backchannel_authentication_endpoint",
            Endpoint::Userinfo => "userinfo_endpoint",
            Endpoint::Jwks => "jwks_uri",
            Endpoint::Registration => "registration_endpoint",
            _ => return None,
        })
    }
}

vocabulary! {
    /// A client by the part it plays; the target file maps each role to a real client.
    Role {
        Confidential => "confidential",
        Second => "second",
        Public => "public",
        ShortLived => "short_lived",
        Restricted => "restricted",
        JwtKey => "jwt_key",
        JwtSecret => "jwt_secret",
        Device => "device",
        CibaPoll => "ciba_poll",
        CibaPing => "ciba_ping",
        CibaPush => "ciba_push",
        // Clients a case registers itself (`as_client`), for the rest of that case.
        Dyn => "dyn",
        Dyn2 => "dyn2",
    }
}

vocabulary! {
    /// A feature a target may or may not offer; cases that need a missing one are skipped.
    Capability {
        Metadata => "metadata",
        OidcDiscovery => "oidc_discovery",
        Jwks => "jwks",
        ClientCredentials => "client_credentials",
        AuthorizationCode => "authorization_code",
        Implicit => "implicit",
        RefreshToken => "refresh_token",
        Pkce => "pkce",
        Revocation => "revocation",
        Introspection => "introspection",
        Userinfo => "userinfo",
        Par => "par",
        DeviceAuthorization => "device_authorization",
        Ciba => "ciba",
        Registration => "registration",
        FormPost => "form_post",
        PkcePlain => "pkce_plain",
        RedirectUriQuery => "redirect_uri_query",
        SeveralRedirectUris => "several_redirect_uris",
        IssParameter => "iss_parameter",
        HtmlLogin => "html_login",
    }
}

vocabulary! {
    /// How strongly the specification states a requirement, exactly as it words it.
    Level {
        Must => "MUST",
        MustNot => "MUST NOT",
        Required => "REQUIRED",
        Shall => "SHALL",
        ShallNot => "SHALL NOT",
        Should => "SHOULD",
        ShouldNot => "SHOULD NOT",
        Recommended => "RECOMMENDED",
        NotRecommended => "NOT RECOMMENDED",
        May => "MAY",
        Optional => "OPTIONAL",
        Descriptive => "descriptive",
        Code => "code",
        Derived => "derived",
        Info => "info",
    }
}

pub use crate::outcome::Severity;

impl Level {
    pub fn severity(self) -> Severity {
        match self {
            Level::Must
            | Level::MustNot
            | Level::Required
            | Level::Shall
            | Level::ShallNot
            | Level::Descriptive
            | Level::Code => Severity::Fail,
            Level::Should
            | Level::ShouldNot
            | Level::Recommended
            | Level::NotRecommended
            | Level::Derived => Severity::Warn,
            Level::May | Level::Optional | Level::Info => Severity::Note,
        }
    }
}

vocabulary! {
    /// How a step's client authenticates: as configured, or deliberately wrong.
    AuthMode {
        Configured => "configured",
        None => "none",
        ClientIdOnly => "client_id_only",
        WrongSecret => "wrong_secret",
        UnknownClient => "unknown_client",
        Basic => "basic",
        Post => "post",
    }
}

vocabulary! {
    /// A JSON type a `type = ...` check can demand.
    JsonType {
        String => "string",
        Number => "number",
        Integer => "integer",
        Boolean => "boolean",
        Array => "array",
        Object => "object",
        Null => "null",
    }
}

impl JsonType {
    pub fn matches(self, value: &serde_json::Value) -> bool {
        use serde_json::Value as V;
        match self {
            JsonType::String => value.is_string(),
            JsonType::Number => value.is_number(),
            JsonType::Integer => value.is_i64() || value.is_u64(),
            JsonType::Boolean => value.is_boolean(),
            JsonType::Array => value.is_array(),
            JsonType::Object => value.is_object(),
            JsonType::Null => matches!(value, V::Null),
        }
    }
}

vocabulary! {
    /// Client authentication methods a target may configure for a role (RFC 7591 names).
    AuthMethod {
        ClientSecretBasic => "client_secret_basic",
        ClientSecretPost => "client_secret_post",
        None => "none",
    }
}

impl Endpoint {
    /// Endpoints at which a client authenticates itself (RFC 6749 §2.3, RFC 7009 §2.1,
    /// RFC 7662 §2.1, RFC 9126 §2, RFC 8628 §3.1, CIBA §7.1); elsewhere `auth` applies only
    /// when a step asks for it explicitly.
    pub fn authenticates_client(self) -> bool {
        matches!(
            self,
            Endpoint::Token
                | Endpoint::Introspection
                | Endpoint::Revocation
                | Endpoint::Par
                | Endpoint::DeviceAuthorization
                | Endpoint::BackchannelAuthentication
        )
    }
}
