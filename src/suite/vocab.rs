//! The closed vocabularies suites and targets are written in: capabilities, requirement
//! levels, client-authentication modes and JSON types, and (defined in `oauth2spec-vocab`,
//! shared with the reference server) logical endpoints, client roles, authentication methods
//! and fault names.
//!
//! Each is a closed enum so that a typo in a suite is a load error with the list of
//! valid names, not a case that silently never runs.

use oauth2spec_vocab::vocabulary;

pub use oauth2spec_vocab::{AuthMethod, Endpoint, Fault, Role};

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
        // CIBA Core §4 `backchannel_token_delivery_modes_supported` lists the mode.
        CibaPing => "ciba_ping",
        CibaPush => "ciba_push",
        // The target's ping and push clients are registered with the harness listener's
        // shared notification URL as `backchannel_client_notification_endpoint`.
        CibaNotifications => "ciba_notifications",
        Registration => "registration",
        FormPost => "form_post",
        PkcePlain => "pkce_plain",
        RedirectUriQuery => "redirect_uri_query",
        SeveralRedirectUris => "several_redirect_uris",
        IssParameter => "iss_parameter",
        HtmlLogin => "html_login",
        ConsentFormFields => "consent_form_fields",
        // Discovery found a metadata document (the premise of the cases about its content).
        MetadataServed => "metadata_served",
        // RFC 7662 §2.1 searches "all of its supported token types": a server may introspect
        // access tokens only, and then answers `active: false` for every refresh token, which
        // no black-box request tells apart from a broken answer. Offered by default where
        // introspection and refresh tokens are; the target file can deny it.
        RefreshTokenIntrospection => "refresh_token_introspection",
        // The target issues macaroon access tokens to its `macaroon` client and serves the
        // `macaroon` endpoint (PingOne AIC / AM): no metadata says so.
        MacaroonTokens => "macaroon_tokens",
    }
}

vocabulary! {
    /// A grant type a client may be registered for, by its RFC 7591 §2 `grant_types` name
    /// (and the URNs of the specifications that define the others): the target file's
    /// `grants = [...]` and what a case exercises with a role.
    Grant {
        AuthorizationCode => "authorization_code",
        Implicit => "implicit",
        Password => "password",
        ClientCredentials => "client_credentials",
        RefreshToken => "refresh_token",
        JwtBearer => "urn:ietf:params:oauth:grant-type:jwt-bearer",
        Saml2Bearer => "urn:ietf:params:oauth:grant-type:saml2-bearer",
        DeviceCode => "urn:ietf:params:oauth:grant-type:device_code",
        TokenExchange => "urn:ietf:params:oauth:grant-type:token-exchange",
        Ciba => "urn:openid:params:grant-type:ciba",
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
        // OpenID CIBA Core §1.1 cites RFC 2119 without RFC 8174's capitals clause, and
        // writes "must" in lowercase in §7.1.1, §9, §10.1, §10.1.1 and §11: the catalog
        // labels those rows "lowercase must" and design.md weighs them as a SHOULD.
        LowercaseMust => "lowercase must",
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
            | Level::Derived
            | Level::LowercaseMust => Severity::Warn,
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
