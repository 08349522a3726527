//! Templates in suite strings: `{{captured}}`, `{{client.client_id}}`, `{{random}}`,
//! defaults (`{{interval ?? 5}}`) and arithmetic on numbers (`{{now + 120}}`).
//!
//! Parsing happens at load time so that a typo is a diagnostic with a position;
//! rendering (with the run's values) happens in `execute/`.

use super::vocab::{Endpoint, Role};

/// A parsed string with literal and substituted parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
    /// `{{?expr}}`: the parameter is left out when the value is empty or unset.
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    Expr(Expr),
}

/// What a `{{...}}` stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A value captured earlier in the case (`name` or `alias.name`).
    Var(String),
    /// A field of a client: the step's own (`None`) or another role's.
    Client(Option<Role>, ClientField),
    Target(TargetField),
    Endpoint(Endpoint),
    /// Fresh random URL-safe characters at every use.
    Random,
    /// RFC 7636 §4.2 S256 of a captured value: BASE64URL(SHA256(ASCII(value))).
    S256(String),
    /// The value of another expression in upper case (ASCII), e.g. a redirect URI that
    /// differs from the registered one only in case.
    Upper(Box<Expr>),
    /// The first space-separated word of another expression's value, e.g. one scope value
    /// of a role's `scope`.
    First(Box<Expr>),
    /// A literal number or word (the right side of `??`, an operand of arithmetic).
    Literal(String),
    /// The current time in seconds since the Unix epoch (for JWT `exp`, `iat`).
    Now,
    /// `a ?? b`: the value of `a`, or of `b` when `a` is unset (an optional capture that
    /// found nothing).
    Default(Box<Expr>, Box<Expr>),
    /// `a + b`, `a - b`, `a * b` on numbers.
    Arith(Box<Expr>, Op, Box<Expr>),
    /// `listener.<name>`: the case's own URL at the callback listener.
    Listener(String),
    /// `users.<role>.<field>`: a value of the target's `[users.<role>]`, e.g. a CIBA
    /// `login_hint` (OpenID CIBA Core 1.0 §7.1 lets the OP define the hint's format).
    User(String, UserField),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
}

impl Expr {
    /// Every expression inside this one, this one included, depth first.
    pub fn walk(&self) -> Vec<&Expr> {
        let mut out = vec![self];
        match self {
            Expr::Upper(inner) | Expr::First(inner) => out.extend(inner.walk()),
            Expr::Default(a, b) | Expr::Arith(a, _, b) => {
                out.extend(a.walk());
                out.extend(b.walk());
            }
            _ => {}
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientField {
    ClientId,
    Scope,
    RedirectUri,
}

impl ClientField {
    pub fn name(self) -> &'static str {
        match self {
            ClientField::ClientId => "client_id",
            ClientField::Scope => "scope",
            ClientField::RedirectUri => "redirect_uri",
        }
    }
}

/// What a template may read of a target's `[users.<role>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserField {
    Username,
    /// How the OP identifies the user in a CIBA request (§7.1 `login_hint`); the username
    /// unless the target says otherwise.
    LoginHint,
    /// The user's CIBA §7.1 `user_code`, a secret known only to the user.
    UserCode,
}

impl UserField {
    pub fn name(self) -> &'static str {
        match self {
            UserField::Username => "username",
            UserField::LoginHint => "login_hint",
            UserField::UserCode => "user_code",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetField {
    Issuer,
    BaseUrl,
    /// How long the target may take to propagate a revocation (`propagation_seconds`).
    PropagationSeconds,
}

/// A template that does not parse, with the byte offset (within the string) of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
    pub expected: Option<String>,
}

impl Template {
    pub fn literal(s: &str) -> Template {
        Template {
            parts: vec![Part::Literal(s.to_string())],
            optional: false,
        }
    }

    /// The text of a template without substitutions (`None` when it has any).
    pub fn as_literal(&self) -> Option<String> {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(s) => Some(s.as_str()),
                Part::Expr(_) => None,
            })
            .collect()
    }

    pub fn parse(input: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = input;
        let mut consumed = 0;
        let mut optional = false;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(TemplateError {
                    offset: consumed + start,
                    message: "`{{` is never closed".into(),
                    expected: Some("`}}`".into()),
                });
            };
            let mut body = after[..end].trim();
            if let Some(stripped) = body.strip_prefix('?') {
                // Only a template that is the whole string can be optional: what would
                // "leave the parameter out" mean for half of a value?
                if !(start == 0 && consumed == 0 && after[end + 2..].is_empty()) {
                    return Err(TemplateError {
                        offset: consumed + start,
                        message: "`{{?...}}` must be the whole value".into(),
                        expected: None,
                    });
                }
                optional = true;
                body = stripped.trim();
            }
            let expr = parse_expr(body).map_err(|(message, expected)| TemplateError {
                offset: consumed + start + 2,
                message,
                expected,
            })?;
            parts.push(Part::Expr(expr));
            let advance = start + 2 + end + 2;
            consumed += advance;
            rest = &rest[advance..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        Ok(Template { parts, optional })
    }

    /// The captured variables the template reads.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.exprs().filter_map(|e| match e {
            Expr::Var(v) | Expr::S256(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// The client fields the template cannot do without (`None`: the step's own client).
    /// The `users.<role>.<field>` values the template always reads (not behind `?` or the
    /// left of `??`): a target without them cannot run the case.
    pub fn required_user_fields(&self) -> Vec<(String, UserField)> {
        if self.optional {
            return Vec::new();
        }
        fn required(e: &Expr, out: &mut Vec<(String, UserField)>) {
            match e {
                Expr::User(r, f) => out.push((r.clone(), *f)),
                Expr::Upper(inner) | Expr::First(inner) => required(inner, out),
                Expr::Arith(a, _, b) => {
                    required(a, out);
                    required(b, out);
                }
                Expr::Default(_, b) => required(b, out),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for p in &self.parts {
            if let Part::Expr(e) = p {
                required(e, &mut out);
            }
        }
        out
    }

    pub fn required_client_fields(&self) -> Vec<(Option<Role>, ClientField)> {
        if self.optional {
            return Vec::new();
        }
        // The left side of `??` may be unset by design; only what is always read counts.
        fn required(e: &Expr, out: &mut Vec<(Option<Role>, ClientField)>) {
            match e {
                Expr::Client(r, f) => out.push((*r, *f)),
                Expr::Upper(inner) | Expr::First(inner) => required(inner, out),
                Expr::Arith(a, _, b) => {
                    required(a, out);
                    required(b, out);
                }
                Expr::Default(_, b) => required(b, out),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for p in &self.parts {
            if let Part::Expr(e) = p {
                required(e, &mut out);
            }
        }
        out
    }

    /// The client roles the template reads.
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.exprs().filter_map(|e| match e {
            Expr::Client(Some(r), _) => Some(*r),
            _ => None,
        })
    }

    /// Every expression of the template, nested ones included.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.parts.iter().flat_map(|p| match p {
            Part::Expr(e) => e.walk(),
            Part::Literal(_) => Vec::new(),
        })
    }
}

/// The template as a suite writes it (`Bearer {{a.access_token}}`): what `explain` shows
/// when there is no run to render it with.
impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.parts {
            match p {
                Part::Literal(s) => f.write_str(s)?,
                Part::Expr(e) if self.optional => write!(f, "{{{{?{e}}}}}")?,
                Part::Expr(e) => write!(f, "{{{{{e}}}}}")?,
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expr::Var(v) | Expr::Literal(v) => f.write_str(v),
            Expr::Client(None, field) => write!(f, "client.{}", field.name()),
            Expr::Client(Some(r), field) => write!(f, "clients.{r}.{}", field.name()),
            Expr::Target(t) => f.write_str(match t {
                TargetField::Issuer => "target.issuer",
                TargetField::BaseUrl => "target.base_url",
                TargetField::PropagationSeconds => "target.propagation_seconds",
            }),
            Expr::Endpoint(e) => write!(f, "endpoint.{e}"),
            Expr::Random => f.write_str("random"),
            Expr::S256(v) => write!(f, "s256:{v}"),
            Expr::Upper(e) => write!(f, "upper:{e}"),
            Expr::First(e) => write!(f, "first:{e}"),
            Expr::Now => f.write_str("now"),
            Expr::Default(a, b) => write!(f, "{a} ?? {b}"),
            Expr::Arith(a, op, b) => {
                let op = match op {
                    Op::Add => "+",
                    Op::Sub => "-",
                    Op::Mul => "*",
                };
                write!(f, "{a} {op} {b}")
            }
            Expr::Listener(n) => write!(f, "listener.{n}"),
            Expr::User(r, field) => write!(f, "users.{r}.{}", field.name()),
        }
    }
}

const EXPECTED_EXPR: &str = "a captured name, `client.<field>`, `clients.<role>.<field>`, \
`target.issuer`, `target.base_url`, `endpoint.<name>`, `listener.<name>`, \
`users.<role>.username`, `random`, `now`, a \
number, `s256:<name>`, \
`upper:<expr>`, `first:<expr>`, `<expr> ?? <default>` or `<expr> + <number>`";

fn parse_expr(body: &str) -> Result<Expr, (String, Option<String>)> {
    let body = body.trim();
    // `??` binds loosest: `{{interval ?? 5}}`, `{{expires_in + 1 ?? 60}}`.
    if let Some((a, b)) = body.split_once("??") {
        return Ok(Expr::Default(
            Box::new(parse_expr(a)?),
            Box::new(parse_expr(b)?),
        ));
    }
    // Arithmetic, left to right, operators surrounded by spaces so that names with `-`
    // (`short-lived`) and negative literals stay readable.
    for (token, op) in [(" + ", Op::Add), (" - ", Op::Sub), (" * ", Op::Mul)] {
        if let Some(at) = body.rfind(token) {
            let (a, b) = (&body[..at], &body[at + token.len()..]);
            return Ok(Expr::Arith(
                Box::new(parse_expr(a)?),
                op,
                Box::new(parse_expr(b)?),
            ));
        }
    }
    if body == "now" {
        return Ok(Expr::Now);
    }
    if body.parse::<f64>().is_ok_and(f64::is_finite) {
        return Ok(Expr::Literal(body.to_string()));
    }
    if body.is_empty() {
        return Err(("empty `{{}}`".into(), Some(EXPECTED_EXPR.into())));
    }
    if let Some(inner) = body.strip_prefix("upper:") {
        return parse_expr(inner).map(|e| Expr::Upper(Box::new(e)));
    }
    if let Some(inner) = body.strip_prefix("first:") {
        return parse_expr(inner).map(|e| Expr::First(Box::new(e)));
    }
    if let Some(name) = body.strip_prefix("s256:") {
        return match parse_expr(name) {
            Ok(Expr::Var(v)) => Ok(Expr::S256(v)),
            _ => Err((
                format!("cannot read `{body}`"),
                Some("`s256:<captured name>`, e.g. `{{s256:verifier}}`".into()),
            )),
        };
    }
    let segments: Vec<&str> = body.split('.').collect();
    let field = |name: &str| match name {
        "client_id" => Ok(ClientField::ClientId),
        "scope" => Ok(ClientField::Scope),
        "redirect_uri" => Ok(ClientField::RedirectUri),
        other => Err((
            format!("unknown client field `{other}`"),
            Some("`client_id`, `scope` or `redirect_uri`".into()),
        )),
    };
    match segments.as_slice() {
        ["random"] => Ok(Expr::Random),
        ["listener", name] if !name.is_empty() => Ok(Expr::Listener(name.to_string())),
        ["users", role, f] if !role.is_empty() => {
            let field = match *f {
                "username" => UserField::Username,
                "login_hint" => UserField::LoginHint,
                "user_code" => UserField::UserCode,
                other => {
                    return Err((
                        format!("unknown user field `{other}`"),
                        Some("`username`, `login_hint` or `user_code`".into()),
                    ));
                }
            };
            Ok(Expr::User(role.to_string(), field))
        }
        ["client", f] => Ok(Expr::Client(None, field(f)?)),
        ["clients", role, f] => {
            let role = Role::parse(role).ok_or_else(|| {
                (
                    format!("unknown client role `{role}`"),
                    Some(Role::expected()),
                )
            })?;
            Ok(Expr::Client(Some(role), field(f)?))
        }
        ["target", "issuer"] => Ok(Expr::Target(TargetField::Issuer)),
        ["target", "base_url"] => Ok(Expr::Target(TargetField::BaseUrl)),
        ["target", "propagation_seconds"] => Ok(Expr::Target(TargetField::PropagationSeconds)),
        ["target", other] => Err((
            format!("unknown target field `{other}`"),
            Some("`issuer`, `base_url` or `propagation_seconds`".into()),
        )),
        ["endpoint", name] => Endpoint::parse(name).map(Expr::Endpoint).ok_or_else(|| {
            (
                format!("unknown endpoint `{name}`"),
                Some(Endpoint::expected()),
            )
        }),
        [
            "client" | "clients" | "endpoint" | "target" | "listener" | "users",
            ..,
        ] => Err((format!("malformed `{body}`"), Some(EXPECTED_EXPR.into()))),
        _ if body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
            && segments.len() <= 2
            && segments.iter().all(|s| !s.is_empty()) =>
        {
            Ok(Expr::Var(body.to_string()))
        }
        _ => Err((format!("cannot read `{body}`"), Some(EXPECTED_EXPR.into()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_literals_and_exprs() {
        let t = Template::parse("Bearer {{a.access_token}}!").unwrap();
        assert_eq!(
            t.parts,
            vec![
                Part::Literal("Bearer ".into()),
                Part::Expr(Expr::Var("a.access_token".into())),
                Part::Literal("!".into()),
            ]
        );
        assert!(!t.optional);
    }

    #[test]
    fn transformations_wrap_expressions() {
        let t = Template::parse("{{upper:client.redirect_uri}}").unwrap();
        assert_eq!(
            t.required_client_fields(),
            vec![(None, ClientField::RedirectUri)]
        );
        let t = Template::parse("{{s256:a.verifier}}").unwrap();
        assert_eq!(t.vars().collect::<Vec<_>>(), vec!["a.verifier"]);
        assert!(Template::parse("{{s256:client.scope}}").is_err());
    }

    #[test]
    fn defaults_and_arithmetic() {
        let t = Template::parse("{{interval ?? 5}}").unwrap();
        assert_eq!(
            t.parts,
            vec![Part::Expr(Expr::Default(
                Box::new(Expr::Var("interval".into())),
                Box::new(Expr::Literal("5".into()))
            ))]
        );
        assert_eq!(t.vars().collect::<Vec<_>>(), vec!["interval"]);
        let t = Template::parse("{{now + 120}}").unwrap();
        assert!(matches!(
            &t.parts[0],
            Part::Expr(Expr::Arith(a, Op::Add, _)) if **a == Expr::Now
        ));
        let t = Template::parse("{{a.expires_in - 1 + 2}}").unwrap();
        assert_eq!(t.vars().collect::<Vec<_>>(), vec!["a.expires_in"]);
        assert!(Template::parse("{{x + }}").is_err());
    }

    #[test]
    fn displays_as_written() {
        for text in [
            "Bearer {{a.access_token}}!",
            "{{?client.scope}}",
            "{{clients.second.redirect_uri}}",
            "{{upper:client.redirect_uri}}",
            "{{s256:verifier}}{{random}}",
            "{{interval ?? 5}}",
            "{{a.expires_in - 1 + 2}}",
            "{{now * 2}} {{target.issuer}} {{endpoint.token}} {{listener.ping}}",
        ] {
            let t = Template::parse(text).unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(Template::parse(&t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn optional_must_be_whole_value() {
        assert!(Template::parse("{{?client.scope}}").unwrap().optional);
        let err = Template::parse("x{{?client.scope}}").unwrap_err();
        assert_eq!(err.offset, 1);
    }

    #[test]
    fn reports_unknown_names_with_offsets() {
        let err = Template::parse("ab {{endpoint.tokn}}").unwrap_err();
        assert_eq!(err.offset, 5);
        assert!(err.message.contains("tokn"));
        let err = Template::parse("{{ random").unwrap_err();
        assert_eq!(err.offset, 0);
        assert!(Template::parse("{{clients.nobody.client_id}}").is_err());
    }
}
