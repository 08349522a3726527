//! The scenarios of the metadata, authorization-endpoint, code-exchange, PKCE and refresh
//! faults (split from `faults.rs` by size). A fault without a scenario here or there is
//! caught by `every_fault_has_an_observable_effect`: both servers answer "no scenario".

use super::*;

/// What the server does in the scenario that `fault` is about, if it is one of these.
pub(super) async fn observe(fault: Fault, server: &TestServer) -> Option<String> {
    let r = &server.router;
    let seen = match fault {
        Fault::MetadataMissingTokenEndpoint => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["token_endpoint"],
        ),
        Fault::MetadataEmptyArray => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["ui_locales_supported"],
        ),
        Fault::MetadataNoneAuthAlg => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["token_endpoint_auth_signing_alg_values_supported"],
        ),
        Fault::MetadataNoPkceMethods => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["code_challenge_methods_supported"],
        ),
        Fault::MetadataArrayAsString => show(
            &get(r, "/.well-known/oauth-authorization-server")
                .await
                .json()["grant_types_supported"],
        ),
        Fault::OidcConfigIssuerMismatch => {
            let rfc = get(r, "/.well-known/oauth-authorization-server")
                .await
                .json();
            let oidc = get(r, "/.well-known/openid-configuration").await.json();
            format!("{} {}", rfc["issuer"], oidc["issuer"])
        }
        Fault::JwksLeaksPrivateKey => {
            let jwks = get(r, "/jwks").await.json();
            format!("{}", jwks["keys"][0].get("d").is_some())
        }
        // Authorization requests.
        Fault::AuthzMissingResponseTypeAccepted => {
            let pairs: Vec<(&str, &str)> = conf_request(&[])
                .into_iter()
                .filter(|(k, _)| *k != "response_type")
                .collect();
            walk_summary(r, &pairs).await
        }
        Fault::AuthzUnknownResponseTypeWrongCode => {
            walk_summary(r, &conf_request(&[("response_type", "foo")])).await
        }
        Fault::AuthzRestrictedClientAccepted => {
            walk_summary(r, &conf_request(&[("client_id", RESTRICTED_ID)])).await
        }
        Fault::AuthzInvalidScopeAccepted => {
            walk_summary(r, &conf_request(&[("scope", "read admin")])).await
        }
        Fault::AuthzErrorDescriptionQuotes => {
            let cb = callback_of(r, &conf_request(&[("scope", "read admin")])).await;
            format!("{:?}", cb.get("error_description"))
        }
        Fault::AuthzRepeatedParamAccepted => {
            walk_summary(r, &conf_request(&[("scope", "read"), ("scope", "write")])).await
        }
        Fault::AuthzUnknownParamRejected => walk_summary(r, &conf_request(&[("foo", "bar")])).await,
        Fault::AuthzEmptyRedirectUriRejected => {
            walk_summary(r, &conf_request(&[("redirect_uri", "")])).await
        }
        Fault::AuthzUnknownClientRedirects => {
            walk_summary(r, &conf_request(&[("client_id", "nobody")])).await
        }
        Fault::AuthzRedirectUriTrailingSlash => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback/")]),
            )
            .await
        }
        Fault::AuthzRedirectUriCaseInsensitive => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/CALLBACK")]),
            )
            .await
        }
        Fault::AuthzRedirectUriExtraQuery => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback?code=evil")]),
            )
            .await
        }
        Fault::AuthzRedirectUriPrefixMatch => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback/evil")]),
            )
            .await
        }
        Fault::AuthzRedirectUriFragmentAccepted => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "http://127.0.0.1:8400/callback#x")]),
            )
            .await
        }
        Fault::AuthzRedirectUriDefaultOfSeveral => {
            walk_summary(r, &[("response_type", "code"), ("client_id", POST_ID)]).await
        }
        Fault::AuthzMismatchErrorRedirects => {
            walk_summary(
                r,
                &conf_request(&[("redirect_uri", "https://evil.example/cb")]),
            )
            .await
        }
        Fault::AuthzRedirectDropsQuery => {
            let pairs = conf_request(&[("client_id", POST_ID), ("redirect_uri", TENANT_CALLBACK)]);
            format!("{:?}", callback_of(r, &pairs).await.get("tenant"))
        }
        Fault::AuthzErrorBeforeLogin => {
            let first = get(
                r,
                &format!(
                    "/authorize?{}",
                    encode(&conf_request(&[("scope", "admin")]))
                ),
            )
            .await;
            format!(
                "{:?}",
                first.header(header::LOCATION).map(|l| l.starts_with(BASE))
            )
        }
        Fault::AuthzCorsEnabled => {
            let reply = get(r, &format!("/authorize?{}", encode(&conf_request(&[])))).await;
            format!("{:?}", reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN))
        }
        Fault::AuthzPagesFrameable => {
            let mut agent = Agent::new(r);
            let first = agent
                .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
                .await;
            let page = agent
                .get(first.header(header::LOCATION).unwrap_or_default())
                .await;
            format!(
                "{:?} {:?}",
                page.header(header::X_FRAME_OPTIONS),
                page.header(header::CONTENT_SECURITY_POLICY)
            )
        }
        // State and iss.
        Fault::StateDropped | Fault::IssMissing | Fault::IssWrongValue => {
            let cb = callback_of(r, &conf_request(&[])).await;
            format!("{:?} {:?}", cb.get("state"), cb.get("iss"))
        }
        Fault::StateDroppedOnError | Fault::IssMissingOnError | Fault::ConsentDenyWrongError => {
            let reply = Agent::new(r)
                .authorize(&conf_request(&[]), Decision::Deny)
                .await;
            summary(&reply)
        }
        Fault::StateAltered => {
            let cb = callback_of(r, &conf_request(&[("state", "a+b%41c")])).await;
            format!("{:?}", cb.get("state"))
        }
        Fault::StateInvented => {
            let cb = callback_of(r, &conf_request(&[("state", "")])).await;
            format!("{:?}", cb.get("state"))
        }
        Fault::IssMissingInFragment => {
            walk_summary(r, &conf_request(&[("response_mode", "fragment")])).await
        }
        Fault::IssMissingInFormPost => {
            walk_summary(r, &conf_request(&[("response_mode", "form_post")])).await
        }
        // Response modes.
        Fault::CodeResponseInFragment => walk_summary(r, &conf_request(&[])).await,
        Fault::ErrorIgnoresResponseMode => {
            walk_summary(
                r,
                &conf_request(&[("response_mode", "fragment"), ("scope", "admin")]),
            )
            .await
        }
        Fault::FormPostNoAutoSubmit
        | Fault::FormPostGetMethod
        | Fault::FormPostNoStore
        | Fault::FormPostNotEscaped => {
            let state = "\"><b>x</b>";
            let page = Agent::new(r)
                .authorize(
                    &conf_request(&[("response_mode", "form_post"), ("state", state)]),
                    Decision::Allow,
                )
                .await;
            let html = page.text();
            format!(
                "onload={} post={} raw={} {:?}",
                html.contains("onload="),
                html.contains("method=\"post\""),
                html.contains("<b>x</b>"),
                page.header(header::CACHE_CONTROL)
            )
        }
        Fault::FormPostWrongAction | Fault::FormPostParamsInAction | Fault::FormPostNoState => {
            let cb = callback_of(r, &conf_request(&[("response_mode", "form_post")])).await;
            format!("{} {:?}", cb.url, cb.get("state"))
        }
        // Implicit.
        Fault::ImplicitTokenInQuery | Fault::ImplicitRefreshToken => {
            let reply = Agent::new(r)
                .authorize(&implicit_request(&[]), Decision::Allow)
                .await;
            let cb = callback(&reply);
            format!(
                "{:?} {:?}",
                cb.as_ref().map(|c| c.mode),
                cb.as_ref().map(|c| c.get("refresh_token").is_some())
            )
        }
        Fault::ImplicitQueryModeAccepted => {
            walk_summary(r, &implicit_request(&[("response_mode", "query")])).await
        }
        Fault::ImplicitErrorInQuery => {
            walk_summary(r, &implicit_request(&[("scope", "admin")])).await
        }
        // Login and consent.
        Fault::ConsentCsrfNotChecked => {
            let mut agent = Agent::new(r);
            let page = agent.authorize(&conf_request(&[]), Decision::Stop).await;
            let interaction = hidden(&page.text(), "interaction").unwrap_or_default();
            let reply = agent
                .post_form(
                    "/consent",
                    &[("interaction", &interaction), ("decision", "allow")],
                )
                .await;
            summary(&reply)
        }
        Fault::ConsentNotBoundToSession => {
            let mut alice = Agent::new(r);
            let page = alice.authorize(&conf_request(&[]), Decision::Stop).await;
            let html = page.text();
            let mut bob = Agent::new(r);
            bob.user = BOB;
            bob.authorize(&conf_request(&[]), Decision::Stop).await;
            let reply = bob.submit_consent(&html, "allow").await;
            summary(&reply)
        }
        Fault::ConsentGetAccepted => {
            let mut agent = Agent::new(r);
            let page = agent.authorize(&conf_request(&[]), Decision::Stop).await;
            let interaction = hidden(&page.text(), "interaction").unwrap_or_default();
            let reply = agent
                .get(&format!(
                    "/consent?interaction={interaction}&decision=allow"
                ))
                .await;
            summary(&reply)
        }
        Fault::LoginRedirect307 => {
            let mut agent = Agent::new(r);
            let first = agent
                .get(&format!("/authorize?{}", encode(&conf_request(&[]))))
                .await;
            let page = agent
                .get(first.header(header::LOCATION).unwrap_or_default())
                .await;
            agent
                .submit_login(&page.text(), ALICE.0, ALICE.1)
                .await
                .status
                .to_string()
        }
        Fault::LoginOpenRedirect => {
            let reply = get(r, "/login?next=https://evil.example/").await;
            format!("{} {:?}", reply.status, reply.header(header::LOCATION))
        }
        // Code exchange.
        Fault::CodeReuseAllowed | Fault::CodeReplayNoRevoke => {
            let code = conf_code(r, &[]).await;
            let first = exchange(r, conf(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .json();
            let again = exchange(r, conf(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .status;
            let active =
                introspect(r, str_of(&first, "access_token")).await.json()["active"].clone();
            format!("{again} {active}")
        }
        Fault::CodeNotBoundToClient => {
            let code = conf_code(r, &[]).await;
            exchange(r, second(), &code, &[("redirect_uri", CALLBACK)])
                .await
                .status
                .to_string()
        }
        Fault::CodeRedirectUriNotChecked => {
            let code = conf_code(r, &[]).await;
            exchange(
                r,
                conf(),
                &code,
                &[("redirect_uri", "http://127.0.0.1:8400/other")],
            )
            .await
            .status
            .to_string()
        }
        Fault::CodeRedirectUriNotRequired => {
            let code = conf_code(r, &[]).await;
            exchange(r, conf(), &code, &[]).await.status.to_string()
        }
        Fault::CodeUnknownAccepted => exchange(r, conf(), "no-such-code", &[])
            .await
            .status
            .to_string(),
        Fault::CodeLongLifetime => {
            let code = conf_code(r, &[]).await;
            let left = server
                .state
                .codes
                .expires_at(&code)
                .and_then(|t| t.duration_since(SystemTime::now()).ok())
                .unwrap_or_default();
            format!("{}", left > Duration::from_secs(600))
        }
        Fault::CodeMissingWrongError => {
            let reply =
                post_form(r, "/token", conf(), &[("grant_type", "authorization_code")]).await;
            format!("{:?}", reply.error())
        }
        Fault::CodeConfidentialNoSecret => {
            let code = conf_code(r, &[]).await;
            exchange(
                r,
                Auth::ClientId(CONF_ID),
                &code,
                &[("redirect_uri", CALLBACK)],
            )
            .await
            .status
            .to_string()
        }
        Fault::CodePublicNoClientId => {
            let code = public_code(r, &[]).await;
            exchange(
                r,
                Auth::None,
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
            )
            .await
            .status
            .to_string()
        }
        Fault::CodeSequential | Fault::PkceChallengeInCode => {
            let code = public_code(r, &[]).await;
            format!("{} {}", code.len(), code.contains(CHALLENGE))
        }
        // PKCE.
        Fault::PkceS256NotVerified => public_exchange(r, &[], Some(OTHER_VERIFIER)).await,
        Fault::PkcePlainDowngrade => public_exchange(r, &[], Some(CHALLENGE)).await,
        Fault::PkceMissingVerifierAccepted => public_exchange(r, &[], None).await,
        Fault::PkceDefaultS256 => {
            let pairs: Vec<(&str, &str)> = public_request(&[])
                .into_iter()
                .filter(|(k, _)| *k != "code_challenge_method")
                .collect();
            let code = callback_of(r, &pairs).await.code();
            exchange(
                r,
                Auth::ClientId(PUBLIC_ID),
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
            )
            .await
            .status
            .to_string()
        }
        Fault::PkceVerifierSyntaxUnchecked => {
            let short = "a".repeat(42);
            let challenge = crate::pkce::s256(&short);
            let code = public_code(r, &[("code_challenge", &challenge)]).await;
            exchange(
                r,
                Auth::ClientId(PUBLIC_ID),
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", &short)],
            )
            .await
            .status
            .to_string()
        }
        Fault::PkceVerifierWithoutChallenge => {
            let code = conf_code(r, &[]).await;
            exchange(
                r,
                conf(),
                &code,
                &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
            )
            .await
            .status
            .to_string()
        }
        Fault::PkcePublicWithoutChallenge => {
            let pairs: Vec<(&str, &str)> = public_request(&[])
                .into_iter()
                .filter(|(k, _)| !k.starts_with("code_challenge"))
                .collect();
            walk_summary(r, &pairs).await
        }
        Fault::PkceUnsupportedMethodAccepted => {
            walk_summary(r, &public_request(&[("code_challenge_method", "S512")])).await
        }
        Fault::PkceChallengeSyntaxUnchecked => {
            walk_summary(r, &public_request(&[("code_challenge", "tooshort")])).await
        }
        Fault::PkceVerifierAnyFlow => {
            let other = crate::pkce::s256(OTHER_VERIFIER);
            let code_a = public_code(r, &[]).await;
            let _code_b = public_code(r, &[("code_challenge", &other)]).await;
            exchange(
                r,
                Auth::ClientId(PUBLIC_ID),
                &code_a,
                &[
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", OTHER_VERIFIER),
                ],
            )
            .await
            .status
            .to_string()
        }
        // Refresh tokens.
        Fault::RefreshNoRotationPublic
        | Fault::RefreshOldValidAfterRotation
        | Fault::RefreshReuseNotDetected => {
            let public = Auth::ClientId(PUBLIC_ID);
            let first = public_tokens(r, &[]).await;
            let rt1 = str_of(&first, "refresh_token").to_string();
            let second = refresh(r, public, &rt1, &[]).await.json();
            let rt2 = second["refresh_token"].as_str().map(str::to_string);
            let replay = refresh(r, public, &rt1, &[]).await.status;
            let after = match &rt2 {
                Some(rt2) => refresh(r, public, rt2, &[]).await.status.to_string(),
                None => "none".to_string(),
            };
            format!("{} {replay} {after}", rt2.is_some())
        }
        Fault::IntrospectIgnoresRotation => {
            let first = public_tokens(r, &[]).await;
            let rt1 = str_of(&first, "refresh_token").to_string();
            refresh(r, Auth::ClientId(PUBLIC_ID), &rt1, &[]).await;
            show(&introspect(r, &rt1).await.json()["active"])
        }
        Fault::RefreshNotBoundToClient => {
            let tokens = conf_tokens(r, &[]).await;
            refresh(r, second(), str_of(&tokens, "refresh_token"), &[])
                .await
                .status
                .to_string()
        }
        Fault::RefreshScopeExpansion => {
            let tokens = conf_tokens(r, &[("scope", "read")]).await;
            let reply = refresh(
                r,
                conf(),
                str_of(&tokens, "refresh_token"),
                &[("scope", "read write")],
            )
            .await;
            format!("{} {:?}", reply.status, reply.error())
        }
        Fault::RefreshRevokedAccepted => {
            let tokens = conf_tokens(r, &[]).await;
            let rt = str_of(&tokens, "refresh_token");
            post_form(r, "/revoke", conf(), &[("token", rt)]).await;
            refresh(r, conf(), rt, &[]).await.status.to_string()
        }
        Fault::RefreshConfidentialNoSecret => {
            let tokens = conf_tokens(r, &[]).await;
            refresh(
                r,
                Auth::ClientId(CONF_ID),
                str_of(&tokens, "refresh_token"),
                &[],
            )
            .await
            .status
            .to_string()
        }
        Fault::RefreshRotatedScopeNarrowed => {
            let tokens = conf_tokens(r, &[("scope", "read write")]).await;
            let rt = str_of(&tokens, "refresh_token");
            refresh(r, conf(), rt, &[("scope", "read")]).await;
            refresh(r, conf(), rt, &[("scope", "read write")])
                .await
                .status
                .to_string()
        }
        Fault::RefreshRestrictedWrongError => {
            let reply = refresh(r, Auth::Basic(RESTRICTED_ID, RESTRICTED_SECRET), "x", &[]).await;
            format!("{:?}", reply.error())
        }
        // Refresh tokens at revocation and introspection.
        Fault::RevokeRefreshNoCascade | Fault::RevokeRefreshUnsupported => {
            let tokens = conf_tokens(r, &[]).await;
            let status = revoke(r, conf(), &[("token", str_of(&tokens, "refresh_token"))])
                .await
                .status;
            let active =
                introspect(r, str_of(&tokens, "access_token")).await.json()["active"].clone();
            format!("{status} {active}")
        }
        Fault::IntrospectRefreshInactive => {
            let tokens = conf_tokens(r, &[]).await;
            show(&introspect(r, str_of(&tokens, "refresh_token")).await.json()["active"])
        }
        // UserInfo.
        Fault::UserinfoNoWwwAuthenticate | Fault::UserinfoErrorWithoutCredentials => {
            let reply = get(r, "/userinfo").await;
            format!(
                "{} {:?}",
                reply.status,
                reply.header(header::WWW_AUTHENTICATE)
            )
        }
        Fault::UserinfoInvalidTokenAccepted => {
            userinfo(r, "no-such-token").await.status.to_string()
        }
        Fault::UserinfoInsufficientScope401 | Fault::UserinfoIgnoresScope => {
            let token = token_for(r, conf()).await;
            userinfo(r, &token).await.status.to_string()
        }
        Fault::UserinfoRevokedAccepted => {
            let token = openid_access_token(r).await;
            revoke(r, conf(), &[("token", &token)]).await;
            userinfo(r, &token).await.status.to_string()
        }
        other => return crate::tests::assertions::observe(other, r).await,
    };
    Some(seen)
}
