//! Vendor path layouts: where each logical endpoint lives, relative to the base URL, in
//! generic, PingOne, PingOne Advanced Identity Cloud (AM) and PingFederate deployments (the
//! tables of shared/layouts.md), where each puts its issuer, and where the metadata documents
//! hang off an issuer.
//!
//! The one path table: the reference server routes these paths and the harness expects them.
//! The PingOne environment id and the AIC realm are parameters, not route wildcards.

use crate::Endpoint;

crate::vocabulary! {
    /// A vendor's URL layout.
    Layout {
        /// Short root paths, issuer = base URL.
        Generic => "generic",
        /// PingOne: everything under `/{env}/as`, issuer `{base}/{env}/as`.
        Pingone => "pingone",
        /// PingOne Advanced Identity Cloud / ForgeRock AM: under `/am/oauth2/realms/{realm}`.
        Aic => "aic",
        /// PingFederate: `/as/*.oauth2`, issuer = base URL.
        Pingfederate => "pingfederate",
        /// No path table: endpoints come from discovery and a target's `[endpoints]`.
        Custom => "custom",
    }
}

/// The layout's variable parts: PingOne's environment id, AM's realm path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutParams {
    pub env_id: String,
    /// e.g. `root/realms/alpha`.
    pub realm: String,
}

impl Layout {
    /// The layouts that have a path table, every one but `custom`: the ones the reference
    /// server can serve.
    pub const WITH_PATHS: &'static [Layout] = &[
        Layout::Generic,
        Layout::Pingone,
        Layout::Aic,
        Layout::Pingfederate,
    ];

    /// The issuer's path below the base URL, which is also the prefix under which the layout
    /// keeps its OAuth endpoints: empty, or starting with `/` and without a trailing `/`.
    pub fn issuer_path(self, p: &LayoutParams) -> String {
        match self {
            Layout::Pingone => format!("/{}/as", p.env_id.trim_matches('/')),
            Layout::Aic => format!("/am/oauth2/realms/{}", p.realm.trim_matches('/')),
            Layout::Generic | Layout::Pingfederate | Layout::Custom => String::new(),
        }
    }

    /// The path of a logical endpoint in this layout, or `None` when the layout has no such
    /// endpoint or leaves it to the server (then only discovery or an override can name it).
    ///
    /// `oauth_metadata` and `openid_configuration` are `None` here: they hang off the issuer
    /// ([`rfc8414_metadata_path`], [`openid_configuration_path`]), which a target may set.
    pub fn path(self, endpoint: Endpoint, p: &LayoutParams) -> Option<String> {
        use Endpoint as E;
        let pre = self.issuer_path(p);
        let path = match (self, endpoint) {
            (Layout::Custom, _) => return None,
            (_, E::OauthMetadata | E::OpenidConfiguration) => return None,
            (Layout::Generic, e) => match e {
                E::Metadata => "/.well-known/oauth-authorization-server",
                E::Authorization => "/authorize",
                E::Token => "/token",
                E::Introspection => "/introspect",
                E::Revocation => "/revoke",
                E::Par => "/par",
                E::DeviceAuthorization => "/device/code",
                E::Userinfo => "/userinfo",
                E::Jwks => "/jwks",
                E::Registration => "/register",
                E::Macaroon => return None,
                // The server's choice (layouts.md); the reference server uses `/device`.
                E::DeviceVerification => "/device",
                E::BackchannelAuthentication => "/bc-authorize",
                E::OauthMetadata | E::OpenidConfiguration => return None,
            }
            .to_string(),
            (Layout::Pingone, e) => {
                let rest = match e {
                    E::Metadata => "/.well-known/openid-configuration",
                    E::Authorization => "/authorize",
                    E::Token => "/token",
                    E::Introspection => "/introspect",
                    E::Revocation => "/revoke",
                    E::Par => "/par",
                    E::DeviceAuthorization => "/device_authorization",
                    E::BackchannelAuthentication => "/cibaAuthorization",
                    E::Userinfo => "/userinfo",
                    E::Jwks => "/jwks",
                    // PingOne's device page hangs off the environment, not `/as`.
                    E::DeviceVerification => {
                        return Some(format!("/{}/device", p.env_id.trim_matches('/')));
                    }
                    E::Registration | E::Macaroon | E::OauthMetadata | E::OpenidConfiguration => {
                        return None;
                    }
                };
                format!("{pre}{rest}")
            }
            // AM's JSON API, beside its OAuth 2.0 paths (seed 000; the macaroon endpoint
            // takes `?_action=inspect` or `?_action=restrict`).
            (Layout::Aic, E::Macaroon) => {
                format!(
                    "/am/json/realms/{}/token/macaroon",
                    p.realm.trim_matches('/')
                )
            }
            (Layout::Aic, e) => {
                let rest = match e {
                    E::Metadata => "/.well-known/openid-configuration",
                    E::Authorization => "/authorize",
                    E::Token => "/access_token",
                    E::Introspection => "/introspect",
                    E::Revocation => "/token/revoke",
                    E::Par => "/par",
                    E::DeviceAuthorization => "/device/code",
                    E::DeviceVerification => "/device/user",
                    E::BackchannelAuthentication => "/bc-authorize",
                    E::Userinfo => "/userinfo",
                    E::Jwks => "/connect/jwk_uri",
                    E::Registration => "/register",
                    E::Macaroon | E::OauthMetadata | E::OpenidConfiguration => return None,
                };
                format!("{pre}{rest}")
            }
            (Layout::Pingfederate, e) => match e {
                E::Metadata => "/.well-known/openid-configuration",
                E::Authorization => "/as/authorization.oauth2",
                E::Token => "/as/token.oauth2",
                E::Introspection => "/as/introspect.oauth2",
                E::Revocation => "/as/revoke_token.oauth2",
                E::Par => "/as/par.oauth2",
                E::DeviceAuthorization => "/as/device_authz.oauth2",
                E::DeviceVerification => "/as/user_authz.oauth2",
                E::BackchannelAuthentication => "/as/bc-auth.ciba",
                E::Userinfo => "/idp/userinfo.openid",
                E::Jwks => "/pf/JWKS",
                E::Registration => "/as/clients.oauth2",
                E::Macaroon | E::OauthMetadata | E::OpenidConfiguration => return None,
            }
            .to_string(),
        };
        Some(path)
    }
}

/// RFC 8414 §3: the metadata path of an issuer whose path is `issuer_path`, made by
/// "inserting a well-known URI string into the authorization server's issuer identifier
/// between the host component and the path component, if any" (after removing a terminating
/// `/` from the path).
pub fn rfc8414_metadata_path(issuer_path: &str) -> String {
    format!(
        "/.well-known/oauth-authorization-server{}",
        issuer_path.trim_end_matches('/')
    )
}

/// OIDC Discovery §4: `/.well-known/openid-configuration` appended to the issuer (a URL or
/// its path) after removing a terminating `/`.
pub fn openid_configuration_path(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> LayoutParams {
        LayoutParams {
            env_id: "env1".into(),
            realm: "root/realms/alpha".into(),
        }
    }

    #[test]
    fn names_round_trip() {
        for &layout in Layout::ALL {
            assert_eq!(Layout::parse(layout.as_str()), Some(layout));
            assert_eq!(layout.to_string(), layout.as_str());
        }
        assert_eq!(Layout::parse("keycloak"), None);
        assert!(!Layout::WITH_PATHS.contains(&Layout::Custom));
    }

    #[test]
    fn vendor_paths_match_the_layout_table() {
        let p = params();
        let path = |l: Layout, e| l.path(e, &p);
        assert_eq!(
            path(Layout::Pingone, Endpoint::Token).as_deref(),
            Some("/env1/as/token")
        );
        assert_eq!(
            path(Layout::Pingone, Endpoint::DeviceVerification).as_deref(),
            Some("/env1/device")
        );
        assert_eq!(
            path(Layout::Aic, Endpoint::Token).as_deref(),
            Some("/am/oauth2/realms/root/realms/alpha/access_token")
        );
        assert_eq!(
            path(Layout::Aic, Endpoint::Revocation).as_deref(),
            Some("/am/oauth2/realms/root/realms/alpha/token/revoke")
        );
        assert_eq!(
            path(Layout::Aic, Endpoint::Jwks).as_deref(),
            Some("/am/oauth2/realms/root/realms/alpha/connect/jwk_uri")
        );
        assert_eq!(
            path(Layout::Pingfederate, Endpoint::Userinfo).as_deref(),
            Some("/idp/userinfo.openid")
        );
        assert_eq!(
            path(Layout::Generic, Endpoint::Introspection).as_deref(),
            Some("/introspect")
        );
        assert_eq!(
            path(Layout::Generic, Endpoint::DeviceVerification).as_deref(),
            Some("/device")
        );
        for &e in Endpoint::ALL {
            assert_eq!(path(Layout::Custom, e), None);
        }
    }

    #[test]
    fn issuer_paths_and_metadata_locations() {
        let p = params();
        assert_eq!(Layout::Generic.issuer_path(&p), "");
        assert_eq!(Layout::Pingfederate.issuer_path(&p), "");
        assert_eq!(Layout::Pingone.issuer_path(&p), "/env1/as");
        assert_eq!(
            Layout::Aic.issuer_path(&p),
            "/am/oauth2/realms/root/realms/alpha"
        );
        assert_eq!(
            rfc8414_metadata_path("/env1/as"),
            "/.well-known/oauth-authorization-server/env1/as"
        );
        assert_eq!(
            rfc8414_metadata_path("/"),
            "/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            openid_configuration_path("/env1/as"),
            "/env1/as/.well-known/openid-configuration"
        );
        assert_eq!(
            openid_configuration_path(""),
            "/.well-known/openid-configuration"
        );
        // Each layout's own metadata path is one of the two its issuer implies.
        for &layout in Layout::WITH_PATHS {
            let issuer = layout.issuer_path(&p);
            let metadata = layout.path(Endpoint::Metadata, &p);
            assert!(
                metadata == Some(rfc8414_metadata_path(&issuer))
                    || metadata == Some(openid_configuration_path(&issuer)),
                "{layout}"
            );
        }
    }

    #[test]
    fn every_layout_with_paths_has_the_endpoints_the_reference_server_routes() {
        for &layout in Layout::WITH_PATHS {
            for e in [
                Endpoint::Metadata,
                Endpoint::Authorization,
                Endpoint::Token,
                Endpoint::Introspection,
                Endpoint::Revocation,
                Endpoint::Jwks,
                Endpoint::Userinfo,
                Endpoint::DeviceAuthorization,
                Endpoint::DeviceVerification,
            ] {
                let path = layout.path(e, &params());
                assert!(path.is_some_and(|p| p.starts_with('/')), "{layout} {e}");
            }
        }
    }
}
