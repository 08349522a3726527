//! The user verification page of the device grant (RFC 8628 §3.3), at the layout's
//! `verification_uri`: the user logs in, enters the user code (or arrives with it from
//! `verification_uri_complete`, §3.3.1), sees which client asks for what with the code to
//! compare, and approves or denies. The page ends on a plain result page, never a redirect.
//!
//! Login goes through the layout's style, reusing [`crate::interaction::flow`]'s
//! credential check and sessions: HTML forms everywhere; in the PingOne layout also a
//! `pi.flow` JSON flow (`?response_mode=pi.flow`, credentials posted to
//! `{verification_uri}?flowId=ID`, resumed with a GET there); in the AIC layout also the AM
//! REST session (`iPlanetDirectoryPro`), with the decision posted as `user_code`, `csrf`
//! (the session token) and `decision`, as AM's `/device/user` takes it.
//!
//! Every form carries the page's anti-CSRF token and the decision must come from the
//! session that logged in (RFC 6749 §10.12).

use super::pingone_flow::{json_response, problem};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::devices::{CodeRefused, Decider, DeviceView, Status, Verification};
use crate::endpoints::login::{CSRF_FIELD, INTERACTION_FIELD};
use crate::endpoints::pingone_flow::USERNAME_PASSWORD_CHECK;
use crate::form::Form;
use crate::html::{self, escape};
use crate::interaction::flow::{self, Decision};
use crate::layouts::Layout;
use crate::session::{self, SESSION_COOKIE, Session, set_cookie};
use crate::state::{AppState, SharedState};
use crate::store::new_opaque_token;

/// The form field (and query parameter of `verification_uri_complete`) with the user code.
pub const USER_CODE_FIELD: &str = "user_code";

/// `GET {verification_uri}`.
pub async fn get(State(state): State<SharedState>, headers: HeaderMap, uri: Uri) -> Response {
    let query = Form::from_query(uri.query().unwrap_or(""));
    let session = session::from_request(&state, &headers);
    if state.config.layout == Layout::Pingone
        && let Some(flow_id) = query.get("flowId")
    {
        return resume(&state, flow_id);
    }
    let page = new_page(&state, session.as_ref(), query.get(USER_CODE_FIELD));
    match session {
        Some(session) => next(&state, &page, &session, true),
        None if state.config.layout == Layout::Pingone
            && query.get("response_mode") == Some("pi.flow") =>
        {
            flow_json(&state, &page, StatusCode::OK)
        }
        None => login_page(&state, &page, None),
    }
}

/// `POST {verification_uri}`: a login, a user code, or a decision.
pub async fn post(
    State(state): State<SharedState>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if state.config.layout == Layout::Pingone && is_credentials_check(&headers) {
        let query = Form::from_query(uri.query().unwrap_or(""));
        return flow_check(&state, query.get("flowId"), &body);
    }
    let Ok(form) = Form::parse(&headers, &body) else {
        return error_page(&state, "The form must be posted form-encoded.");
    };
    let session = session::from_request(&state, &headers);
    if state.config.layout == Layout::Aic
        && form.get(INTERACTION_FIELD).is_none()
        && form.get("csrf").is_some()
    {
        return am_decision(&state, &form, session);
    }
    let Some(page) = form
        .get(INTERACTION_FIELD)
        .and_then(|id| state.devices.page(id))
    else {
        return error_page(
            &state,
            "This page has expired. Open the verification page again.",
        );
    };
    // RFC 6749 §10.12: the form must come from the page this server rendered.
    if !flow::csrf_matches(&page.csrf, form.get(CSRF_FIELD)) {
        return error_page(
            &state,
            "This form is not valid any more. Open the verification page again.",
        );
    }
    if form.get("password").is_some() || form.get("username").is_some() {
        return login(&state, &page, &form);
    }
    let bound = |s: &Session| page.session_id.as_deref() == Some(s.id.as_str());
    let session =
        session.filter(|s| bound(s) || !state.policy.interaction.consent_bound_to_session);
    let Some(session) = session.filter(|_| page.session_id.is_some()) else {
        return error_page(&state, "Sign in before entering the code.");
    };
    match Decision::parse(form.get("decision")) {
        Some(decision) => {
            let code = page.user_code.clone();
            let code = code.as_deref().or(form.get(USER_CODE_FIELD));
            decide(&state, Some(&page), &session, code, decision)
        }
        // The `device-typed-user-code-refused` fault: the code form accepts nothing.
        None if !state.policy.device.typed_code_accepted => {
            code_page(&state, &page, Some("The code is not valid."))
        }
        None => {
            let entered = form.get(USER_CODE_FIELD).map(str::to_string);
            let page = state
                .devices
                .update_page(&page.id, |p| p.user_code = entered)
                .unwrap_or(page);
            next(&state, &page, &session, false)
        }
    }
}

/// A new page for this user agent, bound to its session if it has one.
fn new_page(state: &AppState, session: Option<&Session>, user_code: Option<&str>) -> Verification {
    let page = Verification {
        id: new_opaque_token(),
        csrf: new_opaque_token(),
        session_id: session.map(|s| s.id.clone()),
        user_code: user_code.map(str::to_string),
        expires_at: SystemTime::now() + Duration::from_secs(state.config.interaction_ttl),
    };
    state.devices.insert_page(page.clone());
    page
}

/// HTML login: the session of these credentials, then the next step.
fn login(state: &AppState, page: &Verification, form: &Form) -> Response {
    let Some(session) = flow::authenticate(
        state,
        form.get("username").unwrap_or(""),
        form.get("password").unwrap_or(""),
    ) else {
        return login_page(
            state,
            page,
            Some("The username or password is not correct."),
        );
    };
    let entered = form.get(USER_CODE_FIELD).map(str::to_string);
    let Some(page) = state.devices.update_page(&page.id, |p| {
        p.session_id = Some(session.id.clone());
        if entered.is_some() {
            p.user_code = entered;
        }
    }) else {
        return error_page(
            state,
            "This page has expired. Open the verification page again.",
        );
    };
    with_session_cookie(next(state, &page, &session, true), &session)
}

/// The step after login: ask for the code, or show what it authorizes.
/// `from_link`: the code came with the page's URL (`verification_uri_complete`).
fn next(state: &AppState, page: &Verification, session: &Session, from_link: bool) -> Response {
    let Some(code) = page.user_code.as_deref() else {
        return code_page(state, page, None);
    };
    // RFC 8628 §5.1: "it is recommended that the server rate-limit user code attempts".
    if state.devices.throttled(&session.id) {
        return html::respond(
            state.policy.pages,
            StatusCode::TOO_MANY_REQUESTS,
            html::document(
                "Too many attempts",
                "",
                "<h1>Too many attempts</h1>\n<p>Too many codes were not valid. Sign in again later.</p>",
            ),
        );
    }
    match state.devices.find_user_code(&state.policy.device, code) {
        Err(refused) => {
            state.devices.wrong_code(&session.id);
            code_page(state, page, Some(refusal(refused)))
        }
        // The `device-complete-auto-approves` fault: no confirmation step.
        Ok(_) if from_link && !state.policy.device.complete_confirmed => {
            decide(state, Some(page), session, Some(code), Decision::Allow)
        }
        Ok(view) => confirm_page(state, page, &view),
    }
}

/// Records the decision on `code` and shows the result.
fn decide(
    state: &AppState,
    page: Option<&Verification>,
    session: &Session,
    code: Option<&str>,
    decision: Decision,
) -> Response {
    let Some(code) = code else {
        return error_page(state, "Enter the code your device shows.");
    };
    let decider = Decider {
        subject: session.subject.clone(),
        auth_time: session.auth_time,
    };
    let status = match decision {
        Decision::Allow => Status::Approved(decider),
        Decision::Deny => Status::Denied(decider),
    };
    match state.devices.decide(&state.policy.device, code, status) {
        Ok(view) => {
            if let Some(page) = page {
                state.devices.remove_page(&page.id);
            }
            result_page(state, decision, &view)
        }
        Err(refused) => match page {
            Some(page) => code_page(state, page, Some(refusal(refused))),
            None => error_page(state, refusal(refused)),
        },
    }
}

/// AIC: the decision posted with the AM session, `csrf` = its token, `user_code` and
/// `decision`. Without a session, the HTML login.
fn am_decision(state: &AppState, form: &Form, session: Option<Session>) -> Response {
    let code = form.get(USER_CODE_FIELD);
    let Some(session) = session else {
        let page = new_page(state, None, code);
        return login_page(state, &page, None);
    };
    // RFC 6749 §10.12: the decision must prove it comes from the session's holder.
    if !flow::csrf_matches(&session.id, form.get("csrf")) {
        return error_page(state, "The csrf parameter does not match the session.");
    }
    match Decision::parse(form.get("decision")) {
        Some(decision) => decide(state, None, &session, code, decision),
        None => {
            let page = new_page(state, Some(&session), code);
            next(state, &page, &session, false)
        }
    }
}

fn refusal(refused: CodeRefused) -> &'static str {
    match refused {
        CodeRefused::Unknown => "That code is not valid. Check the code your device shows.",
        CodeRefused::Expired => "That code has expired. Start again on your device.",
        CodeRefused::AlreadyDecided => "That code has already been used.",
    }
}

// ---- PingOne pi.flow login ----

#[derive(Debug, Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

fn is_credentials_check(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(USERNAME_PASSWORD_CHECK))
}

/// The flow resource of a verification page: credentials wanted, or completed.
fn flow_json(state: &AppState, page: &Verification, status: StatusCode) -> Response {
    let href = format!(
        "{}?flowId={}",
        state.url(&state.paths.device_verification),
        page.id
    );
    let body = if page.session_id.is_some() {
        json!({"id": page.id, "status": "COMPLETED", "_links": {"self": {"href": href}}, "resumeUrl": href})
    } else {
        json!({
            "id": page.id,
            "status": "USERNAME_PASSWORD_REQUIRED",
            "_links": {"usernamePassword.check": {"href": href}, "self": {"href": href}},
            "resumeUrl": href,
        })
    };
    json_response(status, body)
}

/// `POST {verification_uri}?flowId=ID` with the credentials.
fn flow_check(state: &AppState, flow_id: Option<&str>, body: &[u8]) -> Response {
    let Some(page) = flow_id.and_then(|id| state.devices.page(id)) else {
        return problem(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The flow is unknown or has expired.",
        );
    };
    let Ok(credentials) = serde_json::from_slice::<Credentials>(body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "The request body must be {\"username\": ..., \"password\": ...}.",
        );
    };
    if page.session_id.is_some() {
        return problem(
            StatusCode::BAD_REQUEST,
            "REQUEST_FAILED",
            "The flow is not waiting for credentials.",
        );
    }
    let Some(session) = flow::authenticate(state, &credentials.username, &credentials.password)
    else {
        return problem(
            StatusCode::BAD_REQUEST,
            "INVALID_DATA",
            "Invalid username and/or password",
        );
    };
    let Some(page) = state
        .devices
        .update_page(&page.id, |p| p.session_id = Some(session.id.clone()))
    else {
        return problem(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The flow is unknown or has expired.",
        );
    };
    with_session_cookie(flow_json(state, &page, StatusCode::OK), &session)
}

/// `GET {verification_uri}?flowId=ID`: the page after a completed flow.
fn resume(state: &AppState, flow_id: &str) -> Response {
    let page = state.devices.page(flow_id);
    let session = page
        .as_ref()
        .and_then(|p| p.session_id.as_deref())
        .and_then(|id| state.sessions.get(id));
    match (page, session) {
        (Some(page), Some(session)) => next(state, &page, &session, true),
        (Some(_), None) => problem(
            StatusCode::BAD_REQUEST,
            "REQUEST_FAILED",
            "The flow is not completed.",
        ),
        (None, _) => problem(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The flow is unknown or has expired.",
        ),
    }
}

fn with_session_cookie(mut response: Response, session: &Session) -> Response {
    if let Some(cookie) = set_cookie(SESSION_COOKIE, &session.id) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

// ---- HTML pages ----

fn hidden_fields(page: &Verification, with_code: bool) -> String {
    let mut fields = format!(
        "<input type=\"hidden\" name=\"{INTERACTION_FIELD}\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">\n",
        escape(&page.id),
        escape(&page.csrf)
    );
    if with_code && let Some(code) = &page.user_code {
        fields.push_str(&format!(
            "<input type=\"hidden\" name=\"{USER_CODE_FIELD}\" value=\"{}\">\n",
            escape(code)
        ));
    }
    fields
}

fn page(state: &AppState, status: StatusCode, title: &str, body: &str) -> Response {
    html::respond(state.policy.pages, status, html::document(title, "", body))
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default()
}

fn action(state: &AppState) -> String {
    escape(&state.paths.device_verification)
}

fn login_page(state: &AppState, current: &Verification, error: Option<&str>) -> Response {
    let body = format!(
        "<h1>Sign in</h1>\n<p>Sign in to connect a device.</p>\n{error}\
         <form method=\"post\" action=\"{action}\">\n{hidden}\
         <label>Username <input type=\"text\" name=\"username\" autocomplete=\"username\" required></label>\n\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n\
         <button type=\"submit\">Sign in</button>\n</form>",
        error = error_line(error),
        action = action(state),
        hidden = hidden_fields(current, true),
    );
    page(state, StatusCode::OK, "Sign in", &body)
}

fn code_page(state: &AppState, current: &Verification, error: Option<&str>) -> Response {
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        "<h1>Connect a device</h1>\n<p>Enter the code your device shows.</p>\n{error}\
         <form method=\"post\" action=\"{action}\">\n{hidden}\
         <label>Code <input type=\"text\" name=\"{USER_CODE_FIELD}\" autocomplete=\"off\" autocapitalize=\"characters\" required></label>\n\
         <button type=\"submit\">Continue</button>\n</form>",
        error = error_line(error),
        action = action(state),
        hidden = hidden_fields(current, false),
    );
    page(state, status, "Connect a device", &body)
}

/// RFC 8628 §3.3.1, §5.4: show the code to compare and the client, and ask approve or deny.
fn confirm_page(state: &AppState, current: &Verification, view: &DeviceView) -> Response {
    let items: String = view
        .scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(|s| format!("<li><code>{}</code></li>\n", escape(s)))
        .collect();
    let body = format!(
        "<h1>Connect a device?</h1>\n\
         <p>A device is asking to sign in to <strong>{client}</strong> as you.</p>\n\
         <p>Check that your device shows this code: <strong class=\"user-code\">{code}</strong></p>\n\
         <p>It asks for:</p>\n<ul>\n{items}</ul>\n\
         <form method=\"post\" action=\"{action}\">\n{hidden}\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
        client = escape(&view.client_id),
        code = escape(&view.user_code),
        action = action(state),
        hidden = hidden_fields(current, true),
    );
    page(state, StatusCode::OK, "Connect a device?", &body)
}

fn result_page(state: &AppState, decision: Decision, view: &DeviceView) -> Response {
    let (title, text) = match decision {
        Decision::Allow => (
            "Device approved",
            "Your device is connected. You can return to it now.",
        ),
        Decision::Deny => (
            "Access denied",
            "The device was not connected. You can close this page.",
        ),
    };
    let body = format!(
        "<h1>{title}</h1>\n<p>{text}</p>\n<p>Client: <strong>{}</strong></p>",
        escape(&view.client_id)
    );
    page(state, StatusCode::OK, title, &body)
}

fn error_page(state: &AppState, message: &str) -> Response {
    let body = format!(
        "<h1>Connect a device</h1>\n<p class=\"error\" role=\"alert\">{}</p>",
        escape(message)
    );
    page(state, StatusCode::BAD_REQUEST, "Connect a device", &body)
}
