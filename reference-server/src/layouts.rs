//! Vendor path layouts: where each logical endpoint and each metadata document lives.
//!
//! The tables mirror `/work/shared/layouts.md`. Paths are fixed per configured layout; the
//! PingOne environment id and the AIC realm are configuration values, not route wildcards.

use std::fmt;
use std::str::FromStr;

/// A vendor's URL layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Layout {
    /// Short root paths, issuer = base URL.
    #[default]
    Generic,
    /// PingOne: everything under `/{env}/as`, issuer `{base}/{env}/as`.
    Pingone,
    /// PingOne Advanced Identity Cloud / ForgeRock AM: under `/am/oauth2/realms/{realm}`.
    Aic,
    /// PingFederate: `/as/*.oauth2`, issuer = base URL.
    Pingfederate,
}

impl Layout {
    /// Every layout, in declaration order.
    pub const ALL: &'static [Layout] = &[
        Layout::Generic,
        Layout::Pingone,
        Layout::Aic,
        Layout::Pingfederate,
    ];

    /// The name used on the command line and in target files.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Generic => "generic",
            Layout::Pingone => "pingone",
            Layout::Aic => "aic",
            Layout::Pingfederate => "pingfederate",
        }
    }

    /// The issuer's path below the base URL: empty, or starting with `/` and without a
    /// trailing `/`.
    pub fn issuer_path(self, env_id: &str, realm: &str) -> String {
        match self {
            Layout::Generic | Layout::Pingfederate => String::new(),
            Layout::Pingone => format!("/{}/as", trim_slashes(env_id)),
            Layout::Aic => format!("/am/oauth2/realms/{}", trim_slashes(realm)),
        }
    }

    /// The endpoint paths of this layout.
    pub fn paths(self, env_id: &str, realm: &str) -> LayoutPaths {
        let prefix = self.issuer_path(env_id, realm);
        let under = |p: &str| format!("{prefix}{p}");
        let (authorization, token, introspection, revocation, jwks, userinfo) = match self {
            Layout::Generic => (
                "/authorize".to_string(),
                "/token".to_string(),
                "/introspect".to_string(),
                "/revoke".to_string(),
                "/jwks".to_string(),
                "/userinfo".to_string(),
            ),
            Layout::Pingone => (
                under("/authorize"),
                under("/token"),
                under("/introspect"),
                under("/revoke"),
                under("/jwks"),
                under("/userinfo"),
            ),
            Layout::Aic => (
                under("/authorize"),
                under("/access_token"),
                under("/introspect"),
                under("/token/revoke"),
                under("/connect/jwk_uri"),
                under("/userinfo"),
            ),
            Layout::Pingfederate => (
                "/as/authorization.oauth2".to_string(),
                "/as/token.oauth2".to_string(),
                "/as/introspect.oauth2".to_string(),
                "/as/revoke_token.oauth2".to_string(),
                "/pf/JWKS".to_string(),
                "/idp/userinfo.openid".to_string(),
            ),
        };
        LayoutPaths {
            // RFC 8414 §3: the well-known suffix is inserted between host and issuer path.
            metadata_rfc8414: format!("/.well-known/oauth-authorization-server{prefix}"),
            // OIDC Discovery §4: the suffix is appended to the issuer path.
            metadata_oidc: format!("{prefix}/.well-known/openid-configuration"),
            authorization,
            token,
            introspection,
            revocation,
            jwks,
            userinfo,
        }
    }
}

/// Paths (relative to the base URL, each starting with `/`) of one layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutPaths {
    /// RFC 8414 §3 metadata, well-known suffix inserted before the issuer path.
    pub metadata_rfc8414: String,
    /// OpenID Connect Discovery §4 configuration, suffix appended to the issuer path.
    pub metadata_oidc: String,
    pub authorization: String,
    pub token: String,
    pub introspection: String,
    pub revocation: String,
    pub jwks: String,
    pub userinfo: String,
}

fn trim_slashes(s: &str) -> &str {
    s.trim_matches('/')
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A layout name that is none of [`Layout::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown layout `{0}` (expected one of: generic, pingone, aic, pingfederate)")]
pub struct UnknownLayout(pub String);

impl FromStr for Layout {
    type Err = UnknownLayout;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Layout::ALL
            .iter()
            .copied()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLayout(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for layout in Layout::ALL {
            assert_eq!(layout.as_str().parse::<Layout>(), Ok(*layout));
            assert_eq!(layout.to_string(), layout.as_str());
        }
        assert!("keycloak".parse::<Layout>().is_err());
    }

    #[test]
    fn vendor_paths_match_the_layout_table() {
        let p = Layout::Pingone.paths("env1", "root/realms/alpha");
        assert_eq!(p.token, "/env1/as/token");
        assert_eq!(
            p.metadata_rfc8414,
            "/.well-known/oauth-authorization-server/env1/as"
        );
        assert_eq!(p.metadata_oidc, "/env1/as/.well-known/openid-configuration");

        let a = Layout::Aic.paths("env1", "root/realms/alpha");
        assert_eq!(a.token, "/am/oauth2/realms/root/realms/alpha/access_token");
        assert_eq!(
            a.revocation,
            "/am/oauth2/realms/root/realms/alpha/token/revoke"
        );
        assert_eq!(
            a.jwks,
            "/am/oauth2/realms/root/realms/alpha/connect/jwk_uri"
        );

        let f = Layout::Pingfederate.paths("", "");
        assert_eq!(f.metadata_oidc, "/.well-known/openid-configuration");
        assert_eq!(
            f.metadata_rfc8414,
            "/.well-known/oauth-authorization-server"
        );
        assert_eq!(f.userinfo, "/idp/userinfo.openid");

        let g = Layout::Generic.paths("", "");
        assert_eq!(
            g.metadata_rfc8414,
            "/.well-known/oauth-authorization-server"
        );
        assert_eq!(g.introspection, "/introspect");
    }
}
