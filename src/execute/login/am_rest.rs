//! The `am-rest` driver: PingOne AIC / ForgeRock AM (layouts.md). The user is
//! authenticated by `POST /am/json/realms/{realm}/authenticate` with the credentials in
//! `X-OpenAM-*` headers; the session token becomes the tenant's session cookie, and the
//! authorization request is posted with the token as `csrf` and the user's `decision`.

use serde_json::Value;

use super::{Begin, LoginDriver, WalkContext};
use crate::execute::case::Runner;
use crate::execute::http::Request;
use crate::suite::Consent;
use crate::target::UserConfig;

pub(super) struct AmRest;

impl LoginDriver for AmRest {
    async fn begin(
        &mut self,
        ua: &mut Runner<'_>,
        req: Request,
        cx: &WalkContext,
        label: &str,
    ) -> Result<Begin, String> {
        let Some(user) = &cx.user else {
            return Ok(Begin::Walk(req));
        };
        let token = authenticate(ua, user, label).await?;
        Ok(Begin::Walk(authorization(&req, &token, cx)))
    }
}

/// The session token (`tokenId`) of an AM REST authentication, set as the session cookie.
async fn authenticate(
    ua: &mut Runner<'_>,
    user: &UserConfig,
    label: &str,
) -> Result<String, String> {
    let t = &ua.target.target;
    let base_url = t.base_url.clone();
    let cookie_name = t.login.cookie_name.clone();
    let url = format!(
        "{}/am/json/realms/{}/authenticate",
        t.base_url,
        t.params.realm.trim_matches('/')
    );
    let req = Request {
        method: "POST".into(),
        url,
        headers: vec![
            ("x-openam-username".into(), user.username.clone()),
            ("x-openam-password".into(), user.password.clone()),
            (
                "accept-api-version".into(),
                "resource=2.0, protocol=1.0".into(),
            ),
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
        ],
        body: Some(b"{}".to_vec()),
    };
    let resp = ua
        .send_recorded(&req, &format!("{label} · AM authenticate"))
        .await?;
    let token = serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .and_then(|v| v.get("tokenId")?.as_str().map(str::to_string))
        .ok_or_else(|| {
            format!(
                "AM authentication answered {} without a tokenId",
                resp.status
            )
        })?;
    ua.ua
        .add_cookie(&format!("{cookie_name}={token}; Path=/"), &base_url);
    Ok(token)
}

/// AM's consent by REST: the authorization parameters posted as a form with the session
/// token as `csrf` and the user's `decision`. AM's device user page takes the same form,
/// with the `fill` fields (`user_code`) among the parameters.
fn authorization(req: &Request, token: &str, cx: &WalkContext) -> Request {
    let consent = cx.consent;
    let Ok(mut u) = url::Url::parse(&req.url) else {
        return req.clone();
    };
    let mut params: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some(body) = &req.body {
        params.extend(
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    params.extend(cx.fill.iter().cloned());
    params.push(("csrf".into(), token.to_string()));
    // `consent = "none"`: the user does not decide, so no `decision` is posted and the
    // server shows its confirmation page (a walk that judges that page, RFC 8628 §3.3.1).
    match consent {
        Consent::Allow => params.push(("decision".into(), "allow".into())),
        Consent::Deny => params.push(("decision".into(), "deny".into())),
        Consent::None => {}
    }
    u.set_query(None);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    Request {
        method: "POST".into(),
        url: u.to_string(),
        headers: vec![
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("accept".into(), "text/html,application/json".into()),
        ],
        body: Some(body.into_bytes()),
    }
}
