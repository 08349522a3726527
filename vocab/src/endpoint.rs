//! Logical endpoints: the names suites use instead of paths, and what each name implies
//! (default method, metadata member, whether a client authenticates there).

crate::vocabulary! {
    /// A logical endpoint; a layout's path table, discovery or a target's overrides map it
    /// to a URL.
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
        /// PingOne AIC / AM `/json/token/macaroon`: inspect and restrict macaroon tokens.
        Macaroon => "macaroon",
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
