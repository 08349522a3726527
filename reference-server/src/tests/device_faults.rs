//! What the server does in the scenario each device-grant fault is about (the device part of
//! `faults::observe`): the strict and the faulty server must answer differently.

use axum::http::header;

use super::device::*;
use super::flow::*;
use super::*;
use crate::Fault;

fn outcome(reply: &Reply) -> String {
    format!("{} {:?}", reply.status, reply.error())
}

/// The observation for a device fault; `None` for every other fault.
pub async fn observe(fault: Fault, faults: &[Fault]) -> Option<String> {
    let g = Layout::Generic;
    let r = &fast(g, faults);
    let device = Auth::ClientId(DEVICE_ID);
    let started_doc = || async { started(r, g, device).await };
    Some(match fault {
        Fault::DeviceGrantNotInMetadata => {
            let meta = get(r, "/.well-known/oauth-authorization-server")
                .await
                .json();
            meta["grant_types_supported"].to_string()
        }
        Fault::DeviceDuplicateParamAccepted => {
            outcome(&start(r, g, device, &[("scope", "read"), ("scope", "read")]).await)
        }
        Fault::DeviceBasicNeedsClientId => outcome(&start(r, g, conf(), &[]).await),
        Fault::DeviceExpiresInString => started_doc().await["expires_in"].to_string(),
        Fault::DeviceAnonymousAccepted => outcome(&start(r, g, Auth::None, &[]).await),
        Fault::DeviceWrongSecretAccepted => {
            outcome(&start(r, g, Auth::Basic(CONF_ID, "wrong"), &[]).await)
        }
        Fault::DeviceErrorNotJson => {
            let reply = start(r, g, Auth::ClientId("nobody"), &[]).await;
            format!("{:?}", reply.header(header::CONTENT_TYPE))
        }
        Fault::DeviceResponseCacheable => {
            let reply = start(r, g, device, &[]).await;
            format!("{:?}", reply.header(header::CACHE_CONTROL))
        }
        Fault::DeviceUserCodeInVerificationUri => started_doc().await["verification_uri"]
            .to_string()
            .contains("user_code")
            .to_string(),
        Fault::DeviceTypedUserCodeRefused => {
            let doc = started_doc().await;
            let mut agent = Agent::new(r);
            let login = agent.get("/device").await;
            let html = agent
                .submit_login(&login.text(), ALICE.0, ALICE.1)
                .await
                .text();
            let field = |name: &str| hidden(&html, name).unwrap_or_default();
            let (id, csrf) = (field("interaction"), field("csrf_token"));
            let pairs = [
                ("interaction", id.as_str()),
                ("csrf_token", csrf.as_str()),
                ("user_code", str_of(&doc, "user_code")),
            ];
            agent.post_form("/device", &pairs).await.status.to_string()
        }
        Fault::DeviceCompleteAutoApproves => {
            let doc = started_doc().await;
            let mut agent = Agent::new(r);
            let login = agent.get(str_of(&doc, "verification_uri_complete")).await;
            let after = agent.submit_login(&login.text(), ALICE.0, ALICE.1).await;
            format!("asked: {}", after.text().contains("name=\"decision\""))
        }
        Fault::DeviceConfidentialNoSecret => {
            let doc = started(r, g, conf()).await;
            decide_by_hook(r, str_of(&doc, "user_code"), "approve").await;
            outcome(&poll(r, g, Auth::ClientId(CONF_ID), str_of(&doc, "device_code")).await)
        }
        Fault::DevicePublicNoClientId => {
            let code = approved(r).await;
            outcome(&poll(r, g, Auth::None, &code).await)
        }
        Fault::DeviceCodeNotClientBound => {
            let code = approved(r).await;
            outcome(&poll(r, g, conf(), &code).await)
        }
        Fault::DevicePendingAsInvalidGrant => {
            let doc = started_doc().await;
            outcome(&poll(r, g, device, str_of(&doc, "device_code")).await)
        }
        Fault::DeviceMissingCodeWrongError => {
            let token = &paths(g).token;
            outcome(
                &post_form(
                    r,
                    token,
                    device,
                    &[("grant_type", crate::grants::device_code::GRANT_TYPE)],
                )
                .await,
            )
        }
        Fault::DeviceFastPollRefused => {
            let doc = started_doc().await;
            let code = str_of(&doc, "device_code");
            poll(r, g, device, code).await;
            outcome(&poll(r, g, device, code).await)
        }
        Fault::DeviceDeniedStillIssues => {
            let doc = started_doc().await;
            decide_by_hook(r, str_of(&doc, "user_code"), "deny").await;
            outcome(&poll(r, g, device, str_of(&doc, "device_code")).await)
        }
        Fault::DeviceExpiredStillIssues => {
            let code = approved(r).await;
            let args = serde_json::json!({"device_code": code, "seconds": "60"});
            hook(r, "age_device_code", args).await;
            outcome(&poll(r, g, device, &code).await)
        }
        Fault::DeviceUnknownCodePending => outcome(&poll(r, g, device, "no-such-code").await),
        Fault::DeviceCodeReusable => {
            let code = approved(r).await;
            poll(r, g, device, &code).await;
            outcome(&poll(r, g, device, &code).await)
        }
        Fault::DeviceCodeLowEntropy => {
            format!(
                "long: {}",
                str_of(&started_doc().await, "device_code").len() >= 43
            )
        }
        Fault::DeviceExpiredUserCodeAccepted => {
            let doc = started_doc().await;
            let args =
                serde_json::json!({"device_code": str_of(&doc, "device_code"), "seconds": "60"});
            hook(r, "age_device_code", args).await;
            decide_by_hook(r, str_of(&doc, "user_code"), "approve")
                .await
                .to_string()
        }
        Fault::DeviceUserCodeReusable => {
            let doc = started_doc().await;
            decide_by_hook(r, str_of(&doc, "user_code"), "approve").await;
            decide_by_hook(r, str_of(&doc, "user_code"), "deny")
                .await
                .to_string()
        }
        _ => return None,
    })
}
