//! Out-of-band actions (hooks): what a person would do on another device — approve or
//! deny a CIBA request, enter a device flow's user code — performed by the driver the
//! target file's `[hooks.<name>]` table names (see `target::hooks` for the keys):
//!
//! - `reference`: the reference server's test-only endpoint (contract below);
//! - `http`: a request to the deployment's automation API, its URL a template whose
//!   `{arg}` placeholders are filled with percent-encoded args;
//! - `command`: a program of the user's, the args in its environment;
//! - `manual`: a person at a terminal presses Enter once done; refused without one.
//!
//! A hook that fails is a problem of the harness or its setup, never a finding about the
//! server: [`run_hook`] returns [`HookError`], and the case reports an error.
//!
//! ```no_run
//! # async fn demo(target: &oauth2spec::target::Target) {
//! use std::collections::BTreeMap;
//! use std::time::Duration;
//! use oauth2spec::execute::hooks::run_target_hook;
//!
//! let args = BTreeMap::from([
//!     ("auth_req_id".to_string(), "1c266114-a1be".to_string()),
//!     ("action".to_string(), "approve".to_string()),
//! ]);
//! match run_target_hook(target, "ciba_decision", &args, Duration::from_secs(30)).await {
//!     Ok(outcome) => println!("{}", outcome.summary),
//!     Err(e) => eprintln!("harness error: {e}"),
//! }
//! # }
//! ```
//!
//! # The reference driver's contract
//!
//! `POST {base_url}/test/hooks/{hook}` with `Content-Type: application/json` and the args
//! as one JSON object of strings, e.g. `{"auth_req_id": "...", "action": "approve"}`.
//! The reference server serves this route only in its test mode, and answers:
//! - `204 No Content` (or `200` with a JSON object) once the action is applied;
//! - `404` with `{"error": "unknown_hook"}` or `{"error": "unknown_request"}` when the
//!   hook or the id it names is unknown;
//! - `400` with `{"error": "invalid_request", "error_description": "..."}` for missing or
//!   bad args.
//!
//! Any answer other than 2xx is a [`HookError::Status`].

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use super::http::{Http, Request, Response};
use super::redact::Redactor;
use crate::target::hooks::{
    HookBody, HookConfig, HookDriver, HttpHook, TemplateError, fill_template,
    percent_encode_component,
};
use crate::target::{HttpSettings, Target};

/// How much of a response body or a program's output an outcome or error quotes.
const EXCERPT_CHARS: usize = 500;
/// Cap on a hook response body read by the `http` and `reference` drivers.
const MAX_HOOK_BODY: u64 = 64 * 1024;

/// What a hook did, for the case's record.
#[derive(Debug, Clone)]
pub struct HookOutcome {
    /// `reference`, `http`, `command` or `manual`.
    pub driver: &'static str,
    /// One line, secrets redacted: `POST https://... -> 204`, `./approve.sh exited 0`.
    pub summary: String,
    /// An excerpt of the response body or standard output, secrets redacted.
    pub output: String,
    /// The `http` and `reference` drivers' exchange, unredacted: record it through the
    /// case's redactor (seeded with [`Target::secrets`]) like any other exchange.
    pub exchange: Option<(Request, Response)>,
    pub duration: Duration,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum HookError {
    #[error("no [hooks.{0}] table in the target file: say which driver performs the `{0}` action")]
    NotConfigured(String),
    #[error("hook `{hook}`: the template needs the argument `{arg}`, which the step does not give")]
    MissingArg { hook: String, arg: String },
    #[error("hook `{hook}`: {reason}")]
    Invalid { hook: String, reason: String },
    #[error("hook `{hook}`: {request} failed: {reason}")]
    Transport {
        hook: String,
        request: String,
        reason: String,
    },
    #[error("hook `{hook}`: {request} answered {status}: {body}")]
    Status {
        hook: String,
        request: String,
        status: u16,
        body: String,
    },
    #[error("hook `{hook}` did not finish within {secs} s")]
    Timeout { hook: String, secs: u64 },
    #[error("hook `{hook}`: cannot run `{program}`: {reason}")]
    Spawn {
        hook: String,
        program: String,
        reason: String,
    },
    #[error("hook `{hook}`: `{program}` failed ({status}): {stderr}")]
    Exit {
        hook: String,
        program: String,
        status: String,
        stderr: String,
    },
    #[error("{0}")]
    ManualRefused(String),
    #[error("hook `{hook}`: cannot read the terminal: {reason}")]
    Input { hook: String, reason: String },
}

impl HookError {
    /// The same error with every configured secret masked in its text.
    fn redacted(self, r: &Redactor) -> HookError {
        let t = |s: String| r.text(&s);
        match self {
            HookError::NotConfigured(h) => HookError::NotConfigured(h),
            HookError::MissingArg { hook, arg } => HookError::MissingArg { hook, arg },
            HookError::Invalid { hook, reason } => HookError::Invalid {
                hook,
                reason: t(reason),
            },
            HookError::Transport {
                hook,
                request,
                reason,
            } => HookError::Transport {
                hook,
                request: t(request),
                reason: t(reason),
            },
            HookError::Status {
                hook,
                request,
                status,
                body,
            } => HookError::Status {
                hook,
                request: t(request),
                status,
                body: t(body),
            },
            HookError::Timeout { hook, secs } => HookError::Timeout { hook, secs },
            HookError::Spawn {
                hook,
                program,
                reason,
            } => HookError::Spawn {
                hook,
                program: t(program),
                reason: t(reason),
            },
            HookError::Exit {
                hook,
                program,
                status,
                stderr,
            } => HookError::Exit {
                hook,
                program: t(program),
                status,
                stderr: t(stderr),
            },
            HookError::ManualRefused(m) => HookError::ManualRefused(m),
            HookError::Input { hook, reason } => HookError::Input { hook, reason },
        }
    }
}

/// Runs the target's hook `name`.
pub async fn run_target_hook(
    target: &Target,
    name: &str,
    args: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<HookOutcome, HookError> {
    let config = target
        .hooks
        .get(name)
        .ok_or_else(|| HookError::NotConfigured(name.to_string()))?;
    run_hook(name, args, config, &target.base_url, timeout).await
}

/// Performs hook `name` with `args` as `config` says; `base_url` is the target's (for
/// the `reference` driver); `timeout` bounds the whole action unless the hook's own
/// `timeout_secs` overrides it.
pub async fn run_hook(
    name: &str,
    args: &BTreeMap<String, String>,
    config: &HookConfig,
    base_url: &str,
    timeout: Duration,
) -> Result<HookOutcome, HookError> {
    let timeout = config.timeout_secs.map_or(timeout, Duration::from_secs);
    let redactor = Redactor::new(config.secrets.iter().cloned());
    let started = Instant::now();
    let result = match &config.driver {
        HookDriver::Reference => reference(name, args, base_url, timeout).await,
        HookDriver::Http(h) => http(name, args, h, timeout).await,
        HookDriver::Command { command } => run_command(name, args, command, timeout).await,
        HookDriver::Manual => manual(name, args, timeout).await,
    };
    match result {
        Ok((summary, output, exchange)) => Ok(HookOutcome {
            driver: config.driver.as_str(),
            summary: redactor.text(&summary),
            output: redactor.text(&excerpt(&output)),
            exchange,
            duration: started.elapsed(),
        }),
        Err(e) => Err(e.redacted(&redactor)),
    }
}

type DriverResult = Result<(String, String, Option<(Request, Response)>), HookError>;

async fn reference(
    name: &str,
    args: &BTreeMap<String, String>,
    base_url: &str,
    timeout: Duration,
) -> DriverResult {
    let body = serde_json::to_vec(args).map_err(|e| HookError::Invalid {
        hook: name.to_string(),
        reason: e.to_string(),
    })?;
    let req = Request {
        method: "POST".into(),
        url: format!(
            "{}/test/hooks/{}",
            base_url.trim_end_matches('/'),
            percent_encode_component(name)
        ),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
        ],
        body: Some(body),
    };
    send(name, req, timeout).await
}

async fn http(
    name: &str,
    args: &BTreeMap<String, String>,
    hook: &HttpHook,
    timeout: Duration,
) -> DriverResult {
    // `{hook}` names the hook itself unless an arg of that name says otherwise.
    let lookup = |k: &str| {
        args.get(k)
            .cloned()
            .or_else(|| (k == "hook").then(|| name.to_string()))
    };
    let url = fill_template(&hook.url, &lookup).map_err(|e| match e {
        TemplateError::Missing(arg) => HookError::MissingArg {
            hook: name.to_string(),
            arg,
        },
        TemplateError::Syntax(reason) => HookError::Invalid {
            hook: name.to_string(),
            reason,
        },
    })?;
    let mut headers = hook.headers.clone();
    let has = |hs: &[(String, String)], n: &str| hs.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    let body = match hook.body {
        HookBody::None => None,
        HookBody::Json => {
            if !has(&headers, "content-type") {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Some(serde_json::to_vec(args).map_err(|e| HookError::Invalid {
                hook: name.to_string(),
                reason: e.to_string(),
            })?)
        }
        HookBody::Form => {
            if !has(&headers, "content-type") {
                headers.push((
                    "content-type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
            }
            let form = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(args)
                .finish();
            Some(form.into_bytes())
        }
    };
    let req = Request {
        method: hook.method.clone(),
        url,
        headers,
        body,
    };
    send(name, req, timeout).await
}

/// Sends one hook request; anything but 2xx is an error.
async fn send(name: &str, req: Request, timeout: Duration) -> DriverResult {
    let what = format!("{} {}", req.method, req.url);
    let transport = |reason: String| HookError::Transport {
        hook: name.to_string(),
        request: what.clone(),
        reason,
    };
    let client = Http::new(HttpSettings {
        timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        max_body_bytes: MAX_HOOK_BODY,
    })
    .map_err(|e| transport(e.to_string()))?;
    let (resp, _) = client
        .send(&req)
        .await
        .map_err(|e| transport(e.to_string()))?;
    let body = String::from_utf8_lossy(&resp.body).into_owned();
    if !(200..300).contains(&resp.status) {
        return Err(HookError::Status {
            hook: name.to_string(),
            request: what,
            status: resp.status,
            body: excerpt(&body),
        });
    }
    Ok((
        format!("{what} -> {}", resp.status),
        body,
        Some((req, resp)),
    ))
}

/// `OAUTH2SPEC_ARG_<NAME>`: the arg's name upper-cased, other characters as `_`.
pub fn arg_env_name(arg: &str) -> String {
    let upper: String = arg
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("OAUTH2SPEC_ARG_{upper}")
}

async fn run_command(
    name: &str,
    args: &BTreeMap<String, String>,
    command: &[String],
    timeout: Duration,
) -> DriverResult {
    let Some((program, program_args)) = command.split_first() else {
        return Err(HookError::Invalid {
            hook: name.to_string(),
            reason: "driver `command` has an empty command".into(),
        });
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(program_args)
        .env("OAUTH2SPEC_HOOK", name)
        .env(
            "OAUTH2SPEC_ARGS",
            serde_json::to_string(args).unwrap_or_default(),
        )
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    for (k, v) in args {
        cmd.env(arg_env_name(k), v);
    }
    let output = tokio::time::timeout(timeout, cmd.output())
        .await
        .map_err(|_| HookError::Timeout {
            hook: name.to_string(),
            secs: timeout.as_secs(),
        })?
        .map_err(|e| HookError::Spawn {
            hook: name.to_string(),
            program: program.clone(),
            reason: e.to_string(),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(HookError::Exit {
            hook: name.to_string(),
            program: program.clone(),
            status: output.status.to_string(),
            stderr: tail(stderr.trim()),
        });
    }
    Ok((format!("`{program}` {}", output.status), stdout, None))
}

/// The `manual` driver needs a person at a terminal; CI has none.
pub fn manual_refusal(hook: &str) -> Option<String> {
    (!std::io::stdin().is_terminal()).then(|| {
        format!(
            "the `manual` driver of hook `{hook}` needs a terminal to wait for a person, and \
             standard input is not one; use `reference`, `http` or `command` in CI"
        )
    })
}

async fn manual(name: &str, args: &BTreeMap<String, String>, timeout: Duration) -> DriverResult {
    if let Some(refusal) = manual_refusal(name) {
        return Err(HookError::ManualRefused(refusal));
    }
    // One prompt at a time, whatever the concurrency.
    static PROMPT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = PROMPT.lock().await;
    let mut text =
        format!("\nOut-of-band action `{name}`: do it on the other device, then press Enter.\n");
    for (k, v) in args {
        text.push_str(&format!("  {k} = {v}\n"));
    }
    let read = tokio::task::spawn_blocking(move || {
        eprint!("{text}> ");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| ())
    });
    // The blocking read cannot be cancelled; on a timeout it is left to finish.
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| HookError::Timeout {
            hook: name.to_string(),
            secs: timeout.as_secs(),
        })?
        .map_err(|e| HookError::Input {
            hook: name.to_string(),
            reason: e.to_string(),
        })?
        .map_err(|e| HookError::Input {
            hook: name.to_string(),
            reason: e.to_string(),
        })?;
    Ok(("confirmed at the terminal".into(), String::new(), None))
}

fn excerpt(s: &str) -> String {
    if s.chars().count() <= EXCERPT_CHARS {
        return s.to_string();
    }
    let head: String = s.chars().take(EXCERPT_CHARS).collect();
    format!("{head}…")
}

/// The end of a program's error output is where the reason usually is.
fn tail(s: &str) -> String {
    let n = s.chars().count();
    if n <= EXCERPT_CHARS {
        return s.to_string();
    }
    let rest: String = s.chars().skip(n - EXCERPT_CHARS).collect();
    format!("…{rest}")
}
