//! Policy: what the server does, decided once at start-up from its fault set.
//!
//! Every [`Fault`] switches one behaviour of the whole server. Rather than asking the fault
//! set at each use, [`Policy::new`] turns the set into named values grouped by domain
//! (token endpoint, codes, PKCE, refresh tokens, revocation, introspection, userinfo,
//! metadata, JWKS, authorization requests, redirect URIs, authorization responses,
//! form_post, the interaction, pages), and code takes the group it needs instead of the
//! whole state. The strict server is `Policy::new(&ServerConfig::default())`; each field's
//! doc names the fault that changes it. Fault names and meanings are defined in `oauth2spec-vocab`.

mod assertion;
mod authorization;
mod ciba;
mod device;
mod grants;
mod jar;
mod macaroon;
mod par;
mod registration;
mod resources;

use crate::config::ServerConfig;
use crate::faults::Fault;

pub use assertion::AssertionPolicy;
pub use authorization::{
    FormPostPolicy, ImplicitPolicy, InteractionPolicy, PagePolicy, RedirectUriPolicy,
    RequestPolicy, ResponsePolicy,
};
pub use ciba::CibaPolicy;
pub use device::DevicePolicy;
pub use grants::{CodePolicy, PkcePolicy, RefreshPolicy, TokenPolicy};
pub use jar::JarPolicy;
pub use macaroon::MacaroonPolicy;
pub use par::ParPolicy;
pub use registration::RegistrationPolicy;
pub use resources::{
    IntrospectionPolicy, IssuerClaim, JwksPolicy, MetadataPolicy, RevocationPolicy, UserinfoPolicy,
};

/// How an endpoint authenticates its clients (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAuthPolicy {
    /// The secret is compared with the registered one. Off: `token-wrong-secret-accepted`,
    /// `introspect-wrong-secret-accepted`, `revoke-wrong-secret-accepted`.
    pub secret_checked: bool,
    /// Basic credentials are form-urldecoded before comparison. Off:
    /// `token-basic-no-urldecode`.
    pub basic_urldecoded: bool,
}

/// The whole server's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub token: TokenPolicy,
    pub code: CodePolicy,
    pub pkce: PkcePolicy,
    pub refresh: RefreshPolicy,
    pub implicit: ImplicitPolicy,
    pub revocation: RevocationPolicy,
    pub introspection: IntrospectionPolicy,
    pub userinfo: UserinfoPolicy,
    pub metadata: MetadataPolicy,
    pub jwks: JwksPolicy,
    pub request: RequestPolicy,
    pub redirect_uri: RedirectUriPolicy,
    pub response: ResponsePolicy,
    pub form_post: FormPostPolicy,
    pub interaction: InteractionPolicy,
    pub pages: PagePolicy,
    pub device: DevicePolicy,
    pub ciba: CibaPolicy,
    pub par: ParPolicy,
    /// Request objects (RFC 9101).
    pub jar: JarPolicy,
    /// JWT client authentication at every endpoint that authenticates clients.
    pub assertion: AssertionPolicy,
    pub macaroon: MacaroonPolicy,
    /// Dynamic client registration (RFC 7591) and management (RFC 7592).
    pub registration: RegistrationPolicy,
}

impl Policy {
    /// The policy of `config`: its faults, and the lifetimes some faults change.
    pub fn new(config: &ServerConfig) -> Policy {
        let on = |fault: Fault| config.has(fault);
        Policy {
            token: TokenPolicy::new(&on),
            code: CodePolicy::new(&on, config.code_ttl),
            pkce: PkcePolicy::new(&on),
            refresh: RefreshPolicy::new(&on),
            implicit: ImplicitPolicy::new(&on),
            revocation: RevocationPolicy::new(&on),
            introspection: IntrospectionPolicy::new(&on),
            userinfo: UserinfoPolicy::new(&on),
            metadata: MetadataPolicy::new(&on),
            jwks: JwksPolicy::new(&on),
            request: RequestPolicy::new(&on),
            redirect_uri: RedirectUriPolicy::new(&on),
            response: ResponsePolicy::new(&on),
            form_post: FormPostPolicy::new(&on),
            interaction: InteractionPolicy::new(&on),
            pages: PagePolicy::new(&on),
            device: DevicePolicy::new(&on),
            ciba: CibaPolicy::new(&on),
            par: ParPolicy::new(&on),
            jar: JarPolicy::new(&on),
            assertion: AssertionPolicy::new(&on),
            macaroon: MacaroonPolicy::new(&on),
            registration: RegistrationPolicy::new(&on),
        }
    }
}

/// Whether a fault is switched on; what each domain's constructor reads.
type Faults<'a> = dyn Fn(Fault) -> bool + 'a;

#[cfg(test)]
mod tests {
    use super::*;

    fn with(faults: &[Fault]) -> Policy {
        Policy::new(&ServerConfig {
            faults: faults.iter().copied().collect(),
            ..ServerConfig::default()
        })
    }

    /// Every fault changes the policy, so none is lost between the fault set and the code.
    #[test]
    fn every_fault_changes_the_policy() {
        let strict = with(&[]);
        for fault in Fault::ALL {
            assert_ne!(with(&[*fault]), strict, "{fault} changes nothing");
        }
    }

    #[test]
    fn strict_values() {
        let strict = with(&[]);
        assert!(strict.code.single_use && strict.pkce.s256_verified);
        assert_eq!(
            strict.interaction.post_redirect,
            crate::response_mode::RedirectStatus::SeeOther
        );
        assert_eq!(
            strict.code.lifetime.as_secs(),
            ServerConfig::default().code_ttl
        );
    }
}
