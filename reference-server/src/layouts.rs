//! The paths this server routes in its configured layout, taken from the one path table of
//! `oauth2spec-vocab` (which mirrors `/work/shared/layouts.md`) so that they cannot differ
//! from the ones the harness expects.

use oauth2spec_vocab::{Endpoint, openid_configuration_path, rfc8414_metadata_path};

pub use oauth2spec_vocab::{Layout, LayoutParams};

/// Paths (relative to the base URL, each starting with `/`) of one layout.
///
/// A path the table lacks is empty and not routed: only `custom` lacks any, and a server
/// configured with it serves the generic paths (see [`LayoutPaths::new`]).
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
    /// RFC 8628 §3.1 device authorization endpoint.
    pub device_authorization: String,
    /// RFC 8628 §3.3 user verification page (`verification_uri`).
    pub device_verification: String,
    /// OpenID CIBA Core 1.0 §7.
    pub backchannel_authentication: String,
    /// RFC 9126 §2 pushed authorization request endpoint.
    pub par: String,
    /// RFC 7591 §3 client registration endpoint; RFC 7592 client configuration endpoints
    /// are `{registration}/{client_id}`. Empty (not served) in PingOne's layout.
    pub registration: String,
}

impl LayoutPaths {
    /// The paths of `layout`. `custom` has no table of its own: the server serves it at the
    /// generic paths, which a custom target finds by discovery.
    pub fn new(layout: Layout, params: &LayoutParams) -> LayoutPaths {
        let layout = served(layout);
        let issuer_path = layout.issuer_path(params);
        let path = |e: Endpoint| layout.path(e, params).unwrap_or_default();
        LayoutPaths {
            metadata_rfc8414: rfc8414_metadata_path(&issuer_path),
            metadata_oidc: openid_configuration_path(&issuer_path),
            authorization: path(Endpoint::Authorization),
            token: path(Endpoint::Token),
            introspection: path(Endpoint::Introspection),
            revocation: path(Endpoint::Revocation),
            jwks: path(Endpoint::Jwks),
            userinfo: path(Endpoint::Userinfo),
            device_authorization: path(Endpoint::DeviceAuthorization),
            device_verification: path(Endpoint::DeviceVerification),
            backchannel_authentication: path(Endpoint::BackchannelAuthentication),
            par: path(Endpoint::Par),
            registration: path(Endpoint::Registration),
        }
    }
}

/// The layout whose paths the server serves for `layout`.
pub fn served(layout: Layout) -> Layout {
    match layout {
        Layout::Custom => Layout::Generic,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_paths_match_the_layout_table() {
        let params = LayoutParams {
            env_id: "env1".into(),
            realm: "root/realms/alpha".into(),
        };
        let p = LayoutPaths::new(Layout::Pingone, &params);
        assert_eq!(p.token, "/env1/as/token");
        assert_eq!(
            p.metadata_rfc8414,
            "/.well-known/oauth-authorization-server/env1/as"
        );
        assert_eq!(p.metadata_oidc, "/env1/as/.well-known/openid-configuration");

        let a = LayoutPaths::new(Layout::Aic, &params);
        assert_eq!(a.token, "/am/oauth2/realms/root/realms/alpha/access_token");
        assert_eq!(
            a.revocation,
            "/am/oauth2/realms/root/realms/alpha/token/revoke"
        );
        assert_eq!(
            a.jwks,
            "/am/oauth2/realms/root/realms/alpha/connect/jwk_uri"
        );

        let f = LayoutPaths::new(Layout::Pingfederate, &LayoutParams::default());
        assert_eq!(f.metadata_oidc, "/.well-known/openid-configuration");
        assert_eq!(
            f.metadata_rfc8414,
            "/.well-known/oauth-authorization-server"
        );
        assert_eq!(f.userinfo, "/idp/userinfo.openid");

        let g = LayoutPaths::new(Layout::Generic, &LayoutParams::default());
        assert_eq!(
            g.metadata_rfc8414,
            "/.well-known/oauth-authorization-server"
        );
        assert_eq!(g.introspection, "/introspect");
        assert_eq!(LayoutPaths::new(Layout::Custom, &params), g);
    }
}
