//! Policy of macaroon access tokens and the AIC macaroon endpoint (seed 000; PingOne AIC
//! "Macaroons: sharable tokens" and "/json/token/macaroon"). Each field names the fault that
//! changes it.

use super::Faults;
use crate::faults::Fault;

/// Macaroons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacaroonPolicy {
    /// The HMAC chain is verified, so a removed or changed caveat breaks the token. Off:
    /// `macaroon-signature-not-verified`.
    pub signature_verified: bool,
    /// A macaroon its holder restricted locally, without the server, is honoured ("You can
    /// manipulate macaroons locally using a macaroon library"). Off:
    /// `macaroon-local-attenuation-refused`.
    pub local_attenuation_accepted: bool,
    /// Macaroons derived from a revoked token are revoked with it. Off:
    /// `macaroon-revocation-not-cascaded`.
    pub revocation_cascades: bool,
    /// A `scope` caveat narrows the scope. Off: `macaroon-scope-caveat-ignored`.
    pub scope_enforced: bool,
    /// "The resulting scope is the intersection of the original scopes and any scope
    /// caveats". Off: `macaroon-scope-caveat-widens` (the caveat replaces the scope).
    pub scope_intersected: bool,
    /// An `exp` caveat shortens the token's life. Off: `macaroon-exp-caveat-ignored`.
    pub exp_enforced: bool,
    /// Unknown caveats are ignored instead of unsatisfied. On only under
    /// `macaroon-unknown-caveat-ignored`.
    pub unknown_caveats_ignored: bool,
    /// `restrict` adds the caveat. Off: `macaroon-restrict-unchanged`.
    pub restrict_adds_caveat: bool,
    /// `inspect` lists the caveats. Off: `macaroon-inspect-without-caveats`.
    pub inspect_lists_caveats: bool,
    /// `inspect` shows identifier, location and signature. Off: `macaroon-inspect-incomplete`.
    pub inspect_complete: bool,
    /// A malformed macaroon is a 400, not a server error. Off:
    /// `macaroon-malformed-server-error`.
    pub malformed_is_bad_request: bool,
}

impl MacaroonPolicy {
    pub(super) fn new(on: &Faults<'_>) -> MacaroonPolicy {
        MacaroonPolicy {
            signature_verified: !on(Fault::MacaroonSignatureNotVerified),
            local_attenuation_accepted: !on(Fault::MacaroonLocalAttenuationRefused),
            revocation_cascades: !on(Fault::MacaroonRevocationNotCascaded),
            scope_enforced: !on(Fault::MacaroonScopeCaveatIgnored),
            scope_intersected: !on(Fault::MacaroonScopeCaveatWidens),
            exp_enforced: !on(Fault::MacaroonExpCaveatIgnored),
            unknown_caveats_ignored: on(Fault::MacaroonUnknownCaveatIgnored),
            restrict_adds_caveat: !on(Fault::MacaroonRestrictUnchanged),
            inspect_lists_caveats: !on(Fault::MacaroonInspectWithoutCaveats),
            inspect_complete: !on(Fault::MacaroonInspectIncomplete),
            malformed_is_bad_request: !on(Fault::MacaroonMalformedServerError),
        }
    }
}
