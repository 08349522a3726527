//! Clients: the roles a suite names them by, and the authentication methods a target or the
//! reference server's fixtures register them with.

crate::vocabulary! {
    /// A client by the part it plays; a target file (or the reference server's fixtures) maps
    /// each role to a real client.
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
        // A client registered with `require_pushed_authorization_requests` (RFC 9126 §6).
        ParRequired => "par_required",
        // A client whose access tokens are macaroons (PingOne AIC / AM).
        Macaroon => "macaroon",
        // Clients a case registers itself (`as_client`), for the rest of that case.
        Dyn => "dyn",
        Dyn2 => "dyn2",
    }
}

crate::vocabulary! {
    /// Client authentication methods (RFC 6749 §2.3.1; the names are RFC 7591 §2's, as in
    /// `token_endpoint_auth_methods_supported`; `none` is a public client).
    AuthMethod {
        ClientSecretBasic => "client_secret_basic",
        ClientSecretPost => "client_secret_post",
        None => "none",
        // RFC 7523 §2.2 with OpenID Connect Core §9.
        PrivateKeyJwt => "private_key_jwt",
        ClientSecretJwt => "client_secret_jwt",
    }
}
