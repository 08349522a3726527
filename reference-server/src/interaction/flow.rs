//! The steps of an authorization interaction, free of any wire format: start (a checked
//! request becomes an answer or a pending interaction), log in (credentials, session),
//! consent (allow or deny), complete (issue what an approved request asked for) and deny
//! (`access_denied`). The vendor styles call these and render what they return.
//!
//! RFC 9700 §4.11.2: "The authorization server MUST always authenticate the user first
//! and, with the exception of the silent authentication use case, prompt the user for
//! credentials when needed, before redirecting the user." So an error found after the
//! client and redirect URI were trusted is delivered only once the user has logged in (or
//! at once with a session, or with `prompt=none`).

use std::time::Duration;

use crate::authz_request::{AuthRequest, Pending, Prompt};
use crate::fixtures::{Fixtures, UserFixture};
use crate::grants::{authorization_code, implicit};
use crate::interaction::{Interaction, Step, Style};
use crate::pkce::constant_time_eq;
use crate::policy::InteractionPolicy;
use crate::response_mode::{AuthError, Outcome, ResponseMode, ResponseType, Target};
use crate::session::Session;
use crate::state::AppState;

/// An authorization response due to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub target: Target,
    pub outcome: Outcome,
}

impl Answer {
    fn error(target: Target, error: AuthError) -> Answer {
        Answer {
            target,
            outcome: Outcome::Error(error),
        }
    }
}

/// What [`start`] made of a trusted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// Answer the client now (HTML style only: a pi.flow flow is always stored).
    Answer(Answer),
    /// An interaction was stored; [`Interaction::awaits`] says for what.
    Waiting(Interaction),
}

/// Starts the interaction for a trusted request. `session` is the session the request
/// carries, if any.
pub fn start(
    state: &AppState,
    session: Option<Session>,
    pending: Pending,
    prompt: Prompt,
) -> Started {
    // OIDC Core §3.1.2.1: prompt=login re-authenticates even with a session.
    let session = session.filter(|_| !prompt.login);
    let style = if pending.target().mode == ResponseMode::PiFlow {
        Style::PiFlow
    } else {
        Style::Html
    };
    // OIDC Core §3.1.2.6: with prompt=none the server answers at once, login_required or
    // consent_required when it would have had to ask. (pi.flow has no consent step.)
    let pending = match (pending, &session) {
        (Pending::Grant(request), None) if prompt.none => Pending::Error(
            request.target,
            AuthError::new("login_required", "the user is not logged in"),
        ),
        (Pending::Grant(request), Some(s))
            if prompt.none
                && style == Style::Html
                && !s.has_consented(&request.target.client_id, &request.scopes) =>
        {
            Pending::Error(
                request.target,
                AuthError::new("consent_required", "the user has not consented"),
            )
        }
        (pending, _) => pending,
    };
    let due_now = match &pending {
        Pending::Error(_, _) => {
            prompt.none || session.is_some() || !state.policy.interaction.errors_wait_for_login
        }
        Pending::Grant(_) => session.is_some() && (prompt.none || style == Style::PiFlow),
    };
    if due_now && style == Style::Html {
        return Started::Answer(match (pending, session) {
            (Pending::Grant(request), Some(session)) => answer(state, &request, &session),
            // Not reached: a grant is due now only with a session.
            (Pending::Grant(request), None) => Answer::error(
                request.target,
                AuthError::new("login_required", "the user is not logged in"),
            ),
            (Pending::Error(target, error), _) => Answer::error(target, error),
        });
    }
    let mut interaction = Interaction::new(
        pending,
        prompt,
        style,
        Duration::from_secs(state.config.interaction_ttl),
    );
    interaction.session_id = session.map(|s| s.id);
    // pi.flow: a flow that needs no login is COMPLETED at once and answered on resume.
    interaction.completed = due_now;
    state.interactions.insert(interaction.clone());
    Started::Waiting(interaction)
}

/// The unexpired interaction `id` of `style`.
pub fn find(state: &AppState, id: &str, style: Style) -> Option<Interaction> {
    state.interactions.get(id).filter(|i| i.style == style)
}

/// RFC 6749 §10.12: a form must carry the anti-CSRF token of the page this server rendered
/// (or, in the AM style, the session's token). Compared in constant time.
pub fn csrf_matches(expected: &str, given: Option<&str>) -> bool {
    given.is_some_and(|token| constant_time_eq(token, expected))
}

/// Log in: the session of the user with these credentials.
pub fn authenticate(state: &AppState, username: &str, password: &str) -> Option<Session> {
    let user = check_credentials(&state.config.fixtures, username, password)?;
    Some(state.sessions.create(
        &user.username,
        &user.subject(),
        Duration::from_secs(state.config.session_ttl),
    ))
}

/// The user with these credentials; passwords are compared in constant time, and a digest
/// comparison is made even for an unknown username.
fn check_credentials<'a>(
    fixtures: &'a Fixtures,
    username: &str,
    password: &str,
) -> Option<&'a UserFixture> {
    let user = fixtures.user(username);
    let expected = user.map_or("\u{0}no-such-user", |u| u.password.as_str());
    let matches = constant_time_eq(password, expected);
    user.filter(|_| matches)
}

/// What follows a successful login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoggedIn {
    /// The pending error, now that the user has authenticated (RFC 9700 §4.11.2).
    Answer(Answer),
    /// The interaction, bound to the session, waits for consent (HTML) or resume (pi.flow).
    Waiting(Interaction),
    /// The interaction expired or was answered meanwhile.
    Gone,
}

/// Binds the interaction `current` to the session the user just logged in with.
pub fn logged_in(state: &AppState, current: &Interaction, session: &Session) -> LoggedIn {
    let bind = |i: &mut Interaction| i.session_id = Some(session.id.clone());
    let next = match (current.style, &current.pending) {
        // pi.flow has no consent step: the flow can be resumed.
        (Style::PiFlow, _) => state.interactions.update(&current.id, |i| {
            bind(i);
            i.completed = true;
        }),
        (Style::Html, Pending::Error(_, _)) => {
            return match state.interactions.take_if(&current.id, |_| true) {
                Some(Interaction {
                    pending: Pending::Error(target, error),
                    ..
                }) => LoggedIn::Answer(Answer::error(target, error)),
                _ => LoggedIn::Gone,
            };
        }
        (Style::Html, Pending::Grant(_)) => state.interactions.update(&current.id, bind),
    };
    next.map_or(LoggedIn::Gone, LoggedIn::Waiting)
}

/// Why a consent decision is not taken from this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotYours {
    /// Nobody has logged in for this interaction yet.
    NotLoggedIn,
    /// The request carries another session than the one that logged in.
    OtherSession,
}

/// RFC 6749 §10.12: the consent decision must come from the session that logged in.
pub fn check_consent_session(
    policy: &InteractionPolicy,
    current: &Interaction,
    session: Option<&Session>,
) -> Result<(), NotYours> {
    let Some(bound) = &current.session_id else {
        return Err(NotYours::NotLoggedIn);
    };
    let same = session.is_some_and(|s| &s.id == bound);
    if same || !policy.consent_bound_to_session {
        Ok(())
    } else {
        Err(NotYours::OtherSession)
    }
}

/// The user's answer to the consent question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

impl Decision {
    /// `allow` or `deny`, as the HTML and AM forms send it.
    pub fn parse(value: Option<&str>) -> Option<Decision> {
        match value {
            Some("allow") => Some(Decision::Allow),
            Some("deny") => Some(Decision::Deny),
            _ => None,
        }
    }
}

/// Takes the HTML interaction `id` (once, even when two decisions race) and applies
/// `decision` with the session it is bound to. `None`: expired or answered already.
pub fn decide_interaction(state: &AppState, id: &str, decision: Decision) -> Option<Answer> {
    let taken = state.interactions.take_if(id, |_| true)?;
    let session = taken
        .session_id
        .as_deref()
        .and_then(|id| state.sessions.get(id));
    decide(state, taken.pending, session.as_ref(), decision)
}

/// Consent: applies the user's `decision` to `pending`. A pending error is delivered
/// whatever the decision. `None`: the session to grant for has ended.
pub fn decide(
    state: &AppState,
    pending: Pending,
    session: Option<&Session>,
    decision: Decision,
) -> Option<Answer> {
    match (pending, decision, session) {
        (Pending::Error(target, error), _, _) => Some(Answer::error(target, error)),
        (Pending::Grant(request), Decision::Deny, _) => Some(Answer::error(
            request.target,
            denied(&state.policy.interaction),
        )),
        (Pending::Grant(request), Decision::Allow, Some(session)) => {
            state
                .sessions
                .record_consent(&session.id, &request.target.client_id, &request.scopes);
            Some(answer(state, &request, session))
        }
        (Pending::Grant(_), Decision::Allow, None) => None,
    }
}

/// Deny: RFC 6749 §4.1.2.1 access_denied, "The resource owner or authorization server
/// denied the request."
fn denied(policy: &InteractionPolicy) -> AuthError {
    if !policy.denial_is_access_denied {
        AuthError::invalid_request("the request was not approved")
    } else {
        AuthError::new("access_denied", "the user denied the request")
    }
}

/// What a resume call found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// The flow's response; the flow is gone.
    Answer(Answer),
    /// The flow still waits for credentials.
    NotReady,
    /// No such unexpired pi.flow flow.
    Unknown,
}

/// Resume (pi.flow): the response of a COMPLETED flow, once.
pub fn resume(state: &AppState, id: &str) -> Resumed {
    let Some(flow) = state.interactions.take_if(id, |f| {
        f.style == Style::PiFlow && f.awaits() == Step::Resume
    }) else {
        return match find(state, id, Style::PiFlow) {
            Some(_) => Resumed::NotReady,
            None => Resumed::Unknown,
        };
    };
    let session = flow
        .session_id
        .as_deref()
        .and_then(|id| state.sessions.get(id));
    Resumed::Answer(match flow.pending {
        Pending::Error(target, error) => Answer::error(target, error),
        Pending::Grant(request) => match session {
            Some(session) => answer(state, &request, &session),
            None => Answer::error(
                request.target,
                AuthError::new("login_required", "the session has ended"),
            ),
        },
    })
}

/// Complete: the answer to an approved request.
fn answer(state: &AppState, request: &AuthRequest, session: &Session) -> Answer {
    Answer {
        target: request.target.clone(),
        outcome: complete(state, request, session),
    }
}

/// Complete: issues what an approved request asked for (RFC 6749 §4.1.2 a code, §4.2.2 an
/// access token).
pub fn complete(state: &AppState, request: &AuthRequest, session: &Session) -> Outcome {
    match request.response_type {
        ResponseType::Code => authorization_code::issue_code(state, request, session),
        ResponseType::Token => implicit::issue(state, request, session),
    }
}
