//! Discovery: fetches the target's metadata (RFC 8414 §3 inserted location first, then
//! OpenID Discovery §4, then the layout's own location) so that endpoints and
//! capabilities can be read from it.

use super::http::{Http, Request};
use crate::target::{Discovery, Target, layout};

/// Discovery could not reach the target at all.
#[derive(Debug, thiserror::Error)]
#[error("target `{name}` is unreachable: {detail}")]
pub struct Unreachable {
    pub name: String,
    pub detail: String,
}

pub async fn discover(target: &Target) -> Result<Discovery, Unreachable> {
    let mut d = Discovery::default();
    if !target.discovery {
        return Ok(d);
    }
    let http = Http::new(target.http).map_err(|e| Unreachable {
        name: target.name.clone(),
        detail: e.to_string(),
    })?;
    let issuer = target.issuer();
    let oidc = layout::openid_configuration_url(&issuer);
    let mut candidates: Vec<String> = Vec::new();
    if let Some(u) = target.endpoints.get(&crate::suite::Endpoint::Metadata) {
        candidates.push(if u.starts_with('/') {
            format!("{}{u}", target.base_url)
        } else {
            u.clone()
        });
    }
    candidates.extend(layout::rfc8414_metadata_url(&issuer));
    candidates.push(oidc.clone());
    if let Some(p) = layout::default_path(
        target.layout,
        crate::suite::Endpoint::Metadata,
        &target.params,
    ) {
        candidates.push(format!("{}{p}", target.base_url));
    }
    candidates.dedup();
    let mut reached_any = false;
    let mut last_error = String::new();
    for url in &candidates {
        let req = Request {
            method: "GET".into(),
            url: url.clone(),
            headers: vec![("accept".into(), "application/json".into())],
            body: None,
        };
        match http.send(&req).await {
            Ok((resp, _)) => {
                reached_any = true;
                if url == &oidc && resp.status == 200 {
                    d.openid_configuration = true;
                }
                match (
                    resp.status,
                    serde_json::from_slice::<serde_json::Value>(&resp.body),
                ) {
                    // The first document is the metadata; members it lacks are taken from
                    // the others (a server's `userinfo_endpoint` is often only in its
                    // OpenID configuration, RFC 8414 §4 allowing either), each recorded
                    // with the document it came from.
                    (200, Ok(serde_json::Value::Object(map))) => match d.metadata.as_mut() {
                        None => {
                            d.url = Some(url.clone());
                            d.metadata = Some(map);
                        }
                        Some(primary) => {
                            for (k, v) in map {
                                if !primary.contains_key(&k) {
                                    d.merged.insert(k.clone(), url.clone());
                                    primary.insert(k, v);
                                }
                            }
                        }
                    },
                    (200, _) => d.notes.push(format!("{url}: 200 but not a JSON object")),
                    (status, _) => d.notes.push(format!("{url}: status {status}")),
                }
            }
            Err(e) => {
                last_error = e.to_string();
                d.notes.push(format!("{url}: {e}"));
            }
        }
    }
    if !d.openid_configuration && !candidates.contains(&oidc) {
        // Not tried above only if deduplicated away; nothing to do.
    }
    if !reached_any {
        return Err(Unreachable {
            name: target.name.clone(),
            detail: last_error,
        });
    }
    Ok(d)
}
