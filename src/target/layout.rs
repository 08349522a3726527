//! Vendor path layouts: where each logical endpoint lives, relative to the base URL, in
//! generic, PingOne, PingOne Advanced Identity Cloud (AM) and PingFederate deployments
//! (the tables of shared/layouts.md), and where each puts its issuer.

use std::fmt;

use crate::suite::Endpoint;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    Generic,
    Pingone,
    Aic,
    Pingfederate,
    /// No defaults: endpoints come from discovery and `[endpoints]`.
    Custom,
}

impl Layout {
    pub const ALL: [Layout; 5] = [
        Layout::Generic,
        Layout::Pingone,
        Layout::Aic,
        Layout::Pingfederate,
        Layout::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Generic => "generic",
            Layout::Pingone => "pingone",
            Layout::Aic => "aic",
            Layout::Pingfederate => "pingfederate",
            Layout::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Layout> {
        Layout::ALL.iter().copied().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The layout's variable parts: PingOne's environment id, AM's realm path.
#[derive(Debug, Clone, Default)]
pub struct LayoutParams {
    pub env_id: String,
    /// e.g. `root/realms/alpha`.
    pub realm: String,
}

/// The path prefix under which a layout keeps its OAuth endpoints (and its issuer path).
fn prefix(layout: Layout, p: &LayoutParams) -> String {
    match layout {
        Layout::Pingone => format!("/{}/as", p.env_id),
        Layout::Aic => format!("/am/oauth2/realms/{}", p.realm.trim_matches('/')),
        Layout::Generic | Layout::Pingfederate | Layout::Custom => String::new(),
    }
}

/// The issuer a layout's deployments use, given the base URL (no trailing slash).
pub fn default_issuer(layout: Layout, base_url: &str, p: &LayoutParams) -> String {
    format!("{}{}", base_url.trim_end_matches('/'), prefix(layout, p))
}

/// The default path of a logical endpoint in a layout, or `None` when the layout has
/// no such endpoint or leaves it to the server (then only discovery or an override
/// can name it).
pub fn default_path(layout: Layout, endpoint: Endpoint, p: &LayoutParams) -> Option<String> {
    use Endpoint as E;
    let pre = prefix(layout, p);
    let path = match (layout, endpoint) {
        (Layout::Custom, _) => return None,
        // Computed from the issuer, not from the layout.
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
            E::DeviceVerification | E::BackchannelAuthentication => return None,
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
                E::DeviceVerification => return Some(format!("/{}/device", p.env_id)),
                E::Registration | E::OauthMetadata | E::OpenidConfiguration => return None,
            };
            format!("{pre}{rest}")
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
                E::OauthMetadata | E::OpenidConfiguration => return None,
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
            E::OauthMetadata | E::OpenidConfiguration => return None,
        }
        .to_string(),
    };
    Some(path)
}

/// RFC 8414 §3: "inserting a well-known URI string into the authorization server's
/// issuer identifier between the host component and the path component, if any"
/// (after removing a terminating `/` from the path).
pub fn rfc8414_metadata_url(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    let path = url.path().trim_end_matches('/');
    let mut out = url.clone();
    out.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    Some(out.to_string())
}

/// OIDC Discovery §4: `/.well-known/openid-configuration` appended to the issuer after
/// removing a terminating `/`.
pub fn openid_configuration_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8414_inserts_before_path() {
        assert_eq!(
            rfc8414_metadata_url("https://h/t1").as_deref(),
            Some("https://h/.well-known/oauth-authorization-server/t1")
        );
        assert_eq!(
            rfc8414_metadata_url("https://h/").as_deref(),
            Some("https://h/.well-known/oauth-authorization-server")
        );
    }

    #[test]
    fn vendor_paths() {
        let p = LayoutParams {
            env_id: "env1".into(),
            realm: "root/realms/alpha".into(),
        };
        assert_eq!(
            default_path(Layout::Pingone, Endpoint::Token, &p).as_deref(),
            Some("/env1/as/token")
        );
        assert_eq!(
            default_path(Layout::Aic, Endpoint::Token, &p).as_deref(),
            Some("/am/oauth2/realms/root/realms/alpha/access_token")
        );
        assert_eq!(
            default_issuer(Layout::Aic, "https://t.example", &p),
            "https://t.example/am/oauth2/realms/root/realms/alpha"
        );
        assert_eq!(default_path(Layout::Custom, Endpoint::Token, &p), None);
    }
}
