//! The scenarios of the CIBA faults for `faults::every_fault_has_an_observable_effect`:
//! each builds its own server with `faults` (empty, or the one fault) and, where callbacks
//! matter, a local receiver.

use std::time::Duration;

use serde_json::{Value, json};

use super::ciba_support::*;
use super::*;

/// Local callbacks arrive within milliseconds; a missing one costs this wait.
const WAIT: Duration = Duration::from_millis(800);
const QUIET: Duration = Duration::from_millis(300);

fn err(reply: &Reply) -> String {
    format!("{} {:?}", reply.status, reply.error())
}

fn claim(jwt: Option<&str>, name: &str) -> Value {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = jwt.and_then(|j| j.split('.').nth(1)).unwrap_or_default();
    let claims: Value = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    claims[name].clone()
}

/// What the server does in the scenario of the CIBA `fault`, with `faults` switched on.
pub async fn observe(fault: Fault, faults: &[Fault]) -> String {
    let s = ciba_server(Layout::Generic, faults, None);
    let alice = [("scope", "openid read"), ("login_hint", "alice")];
    match fault {
        Fault::CibaMetadataMissingModes => {
            let doc = get(&s.router, "/.well-known/openid-configuration").await;
            doc.json()["backchannel_token_delivery_modes_supported"].to_string()
        }
        Fault::CibaWrongSecretAccepted | Fault::CibaInvalidClient400 => {
            err(&s.bc(Auth::Basic("ciba-poll", "wrong"), &alice).await)
        }
        Fault::CibaGrantNotChecked => err(&s
            .bc(Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET), &alice)
            .await),
        Fault::CibaAcceptsTwoHints => {
            let mut pairs = alice.to_vec();
            pairs.push(("login_hint_token", "x"));
            err(&s.bc(POLL, &pairs).await)
        }
        Fault::CibaNotificationTokenOptional => err(&s.bc(PING, &alice).await),
        Fault::CibaUnknownUserAccepted => err(&s
            .bc(POLL, &[("scope", "openid"), ("login_hint", "mallory")])
            .await),
        Fault::CibaIdTokenHintRefused => {
            let id = s.start(POLL, &[]).await;
            s.decide(&id, "approve").await;
            let tokens = s.poll(POLL, &id).await.json();
            let hint = tokens["id_token"].as_str().unwrap_or_default().to_string();
            err(&s
                .bc(POLL, &[("scope", "openid"), ("id_token_hint", &hint)])
                .await)
        }
        Fault::CibaUserCodeNotChecked => {
            let pairs = [
                ("scope", "openid"),
                ("login_hint", "bob"),
                ("user_code", "wrong"),
            ];
            err(&s.bc(POLL, &pairs).await)
        }
        Fault::CibaBindingMessageIgnored => {
            let id = s.start(POLL, &[("binding_message", "W4SCT")]).await;
            s.decide(&id, "approve").await.json()["binding_message"].to_string()
        }
        Fault::CibaUnknownParamsRejected => {
            let mut pairs = alice.to_vec();
            pairs.push(("foo", "bar"));
            err(&s.bc(POLL, &pairs).await)
        }
        Fault::CibaRequestObjectErrorCode => {
            let mut pairs = alice.to_vec();
            pairs.push(("request", "eyJ.x.y"));
            err(&s.bc(POLL, &pairs).await)
        }
        Fault::CibaAckNoExpiresIn => s.bc(POLL, &alice).await.json()["expires_in"].to_string(),
        Fault::CibaAuthReqIdLowEntropy => s.start(POLL, &[]).await.len().to_string(),
        Fault::CibaMissingNoStore => {
            format!(
                "{:?}",
                s.bc(POLL, &alice).await.header(header::CACHE_CONTROL)
            )
        }
        Fault::CibaTokenNoIdToken => {
            let id = s.start(POLL, &[]).await;
            s.decide(&id, "approve").await;
            s.poll(POLL, &id).await.json()["id_token"]
                .is_string()
                .to_string()
        }
        Fault::CibaExpiredStillIssues => {
            let id = s.start(POLL, &[]).await;
            s.decide(&id, "approve").await;
            s.hook("age_ciba", json!({"auth_req_id": id, "seconds": "61"}))
                .await;
            err(&s.poll(POLL, &id).await)
        }
        Fault::CibaDeniedStillIssues => {
            let id = s.start(POLL, &[]).await;
            s.decide(&id, "deny").await;
            err(&s.poll(POLL, &id).await)
        }
        Fault::CibaAuthReqIdNotClientBound => {
            let id = s.start(POLL, &[]).await;
            s.decide(&id, "approve").await;
            err(&s.poll(PING, &id).await)
        }
        Fault::CibaAuthReqIdReusable => {
            let id = s.start(POLL, &[]).await;
            s.decide(&id, "approve").await;
            s.poll(POLL, &id).await;
            err(&s.poll(POLL, &id).await)
        }
        Fault::CibaPushTokensStillAtTokenEndpoint => {
            let id = s.start(PUSH, &[]).await;
            s.decide(&id, "approve").await;
            err(&s.poll(PUSH, &id).await)
        }
        Fault::CibaPingPollRefused => {
            let id = s.start(PING, &[]).await;
            err(&s.poll(PING, &id).await)
        }
        Fault::CibaPingWithoutBearer
        | Fault::CibaPingExtraBody
        | Fault::CibaPingNotOnDenial
        | Fault::CibaPingBeforeDecision
        | Fault::CibaNotificationFollowsRedirects
        | Fault::CibaPushWithoutBearer
        | Fault::CibaPushIdTokenMissingAuthReqIdClaim
        | Fault::CibaPushIdTokenMissingAtHash
        | Fault::CibaPushErrorNotSent => callbacks(fault, faults).await,
        other => format!("{other} is not a CIBA fault"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ping,
    Push,
}

impl Mode {
    fn auth(self) -> Auth<'static> {
        match self {
            Mode::Ping => PING,
            Mode::Push => PUSH,
        }
    }
}

/// The callbacks a scenario's receiver gets, in order, as `path auth body` lines.
async fn callbacks(fault: Fault, faults: &[Fault]) -> String {
    let receiver = Receiver::start().await;
    let endpoint = if fault == Fault::CibaNotificationFollowsRedirects {
        format!("{}/redirect", receiver.url)
    } else {
        receiver.notify_url()
    };
    let s = ciba_server(Layout::Generic, faults, Some(&endpoint));
    let (client, action) = match fault {
        Fault::CibaPingNotOnDenial => (Mode::Ping, "deny"),
        Fault::CibaPushErrorNotSent => (Mode::Push, "deny"),
        Fault::CibaPushWithoutBearer
        | Fault::CibaPushIdTokenMissingAuthReqIdClaim
        | Fault::CibaPushIdTokenMissingAtHash => (Mode::Push, "approve"),
        _ => (Mode::Ping, "approve"),
    };
    let id = s.start(client.auth(), &[]).await;
    let mut seen = Vec::new();
    // Anything before the decision (ciba-ping-before-decision).
    let early_wait = if fault == Fault::CibaPingBeforeDecision {
        QUIET
    } else {
        Duration::ZERO
    };
    if let Some(early) = receiver.next(early_wait).await {
        seen.push(format!("early {}", early.path));
    }
    s.decide(&id, action).await;
    if let Some(r) = receiver.next(WAIT).await {
        let id_token = r.body["id_token"].as_str();
        seen.push(format!(
            "{} {:?} keys={:?} auth_req_id_claim={} at_hash={}",
            r.path,
            r.authorization.is_some(),
            r.body
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>()),
            claim(id_token, "urn:openid:params:jwt:claim:auth_req_id").is_string(),
            claim(id_token, "at_hash").is_string(),
        ));
    }
    // A followed redirect arrives second (ciba-notification-follows-redirects).
    let after = if fault == Fault::CibaNotificationFollowsRedirects {
        WAIT
    } else {
        Duration::ZERO
    };
    while let Some(r) = receiver.next(after).await {
        seen.push(format!("then {}", r.path));
    }
    seen.join("; ")
}
