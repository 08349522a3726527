//! Where a target's endpoints and metadata live by default: the shared layout table of
//! `oauth2spec-vocab` (the tables of shared/layouts.md, which the reference server routes
//! too) applied to the target's base URL and issuer.

pub use oauth2spec_vocab::{Layout, LayoutParams};

use crate::suite::Endpoint;

/// The issuer a layout's deployments use, given the base URL (no trailing slash).
pub fn default_issuer(layout: Layout, base_url: &str, p: &LayoutParams) -> String {
    format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        layout.issuer_path(p)
    )
}

/// The default path of a logical endpoint in a layout, or `None` when the layout has
/// no such endpoint or leaves it to the server (then only discovery or an override
/// can name it).
pub fn default_path(layout: Layout, endpoint: Endpoint, p: &LayoutParams) -> Option<String> {
    layout.path(endpoint, p)
}

/// RFC 8414 §3: "inserting a well-known URI string into the authorization server's
/// issuer identifier between the host component and the path component, if any"
/// (after removing a terminating `/` from the path).
pub fn rfc8414_metadata_url(issuer: &str) -> Option<String> {
    let mut url = url::Url::parse(issuer).ok()?;
    let path = oauth2spec_vocab::rfc8414_metadata_path(url.path());
    url.set_path(&path);
    Some(url.to_string())
}

/// OIDC Discovery §4: `/.well-known/openid-configuration` appended to the issuer after
/// removing a terminating `/`.
pub fn openid_configuration_url(issuer: &str) -> String {
    oauth2spec_vocab::openid_configuration_path(issuer)
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
