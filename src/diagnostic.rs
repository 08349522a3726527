//! Diagnostics for input files (suites, flows, targets): one error type and the one
//! renderer that turns it into `file:line:col: message` (the line editors and CI parse)
//! plus a source excerpt drawn by annotate-snippets, as rustc and cargo draw theirs.
//!
//! Loading never stops at the first problem of a file that parsed: every mistake the
//! validator finds becomes one [`Diagnostic`], and `check` prints them all.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// A source file kept in memory so diagnostics can quote it.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Source {
        Source {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

/// One mistake in an input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub source: Source,
    /// Byte range of the offending text; empty ranges point between characters.
    pub span: Range<usize>,
    pub message: String,
    /// What would have been accepted, when that can be said.
    pub expected: Option<String>,
    /// A suggestion (`did you mean ...?`), shown under the excerpt.
    pub help: Option<Box<str>>,
}

impl Diagnostic {
    pub fn new(source: &Source, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            source: source.clone(),
            span,
            message: message.into(),
            expected: None,
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Diagnostic {
        self.expected = Some(expected.into());
        self
    }

    /// A problem with the file as a whole (unreadable, missing).
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&Source::new(path, ""), 0..0, message)
    }

    pub fn path(&self) -> &Path {
        &self.source.path
    }

    pub fn line_col(&self) -> (usize, usize) {
        self.source.line_col(self.span.start)
    }

    /// `file:line:col: message` — the first line, which editors and CI annotations parse.
    pub fn headline(&self) -> String {
        let (line, col) = self.line_col();
        let mut s = format!(
            "{}:{}:{}: {}",
            self.source.path.display(),
            line,
            col,
            self.message
        );
        if let Some(expected) = &self.expected {
            let _ = write!(s, "; expected {expected}");
        }
        s
    }

    /// The headline followed by the offending line with a caret under the span, and the
    /// help, without colours.
    pub fn render(&self) -> String {
        self.render_with(&Renderer::plain())
    }

    /// The headline, then annotate-snippets' excerpt (as rustc and cargo draw it).
    fn render_with(&self, renderer: &Renderer) -> String {
        let mut out = self.headline();
        let text: &str = &self.source.text;
        if text.is_empty() && self.help.is_none() {
            return out;
        }
        let mut group = Group::with_level(Level::ERROR);
        if !text.is_empty() {
            // The span's first line only: a case-wide span would otherwise quote the case.
            let start = self.span.start.min(text.len());
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let end = self.span.end.clamp(start, line_end);
            group = group.element(
                Snippet::source(text).annotation(AnnotationKind::Primary.span(start..end)),
            );
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(&**help));
        }
        out.push('\n');
        out.push_str(&renderer.render(&[group]));
        out
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.headline())
    }
}

/// Several diagnostics, sorted by file and position, rendered one after another, without
/// colours (snapshots, files, pipes).
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    render_all_with(diagnostics, &Renderer::plain())
}

/// As [`render_all`], in colour when standard error is a terminal and `NO_COLOR` is unset.
pub fn render_all_for_stderr(diagnostics: &[Diagnostic]) -> String {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let renderer = if colour {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    render_all_with(diagnostics, &renderer)
}

fn render_all_with(diagnostics: &[Diagnostic], renderer: &Renderer) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| (a.path(), a.span.start).cmp(&(b.path(), b.span.start)));
    let mut out = String::new();
    for d in sorted {
        out.push_str(&d.render_with(renderer));
        out.push_str("\n\n");
    }
    out
}

/// Turns a TOML parse error into a diagnostic at the position the parser names.
pub fn from_toml(source: &Source, err: &toml::de::Error) -> Diagnostic {
    let span = err.span().unwrap_or(0..0);
    // The parser's message may span several lines with its own excerpt; keep the first.
    let message = err
        .message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim();
    Diagnostic::new(source, span, message.to_string())
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a typo
/// (at most a third of the word's length, and at least 1).
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, _)| *d <= limit && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance where swapping two neighbouring letters counts as one edit (optimal
/// string alignment): `tokne` is one typo away from `token`, not two.
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_headline_then_first_line_of_the_span() {
        let source = Source::new("s.toml", "[[case]]\nslug = \"x\"\ntitle = \"y\"\n");
        // A span over several lines is drawn on its first line only.
        let d = Diagnostic::new(&source, 9..30, "bad case")
            .expected("a title")
            .help("did you mean `z`?");
        let text = d.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "s.toml:2:1: bad case; expected a title");
        assert_eq!(lines[2], "2 | slug = \"x\"");
        assert_eq!(lines[3], "  | ^^^^^^^^^^");
        assert_eq!(lines.last(), Some(&"  = help: did you mean `z`?"));
        assert!(!text.contains('\x1b'), "no colours outside a terminal");
        // A whole-file problem has no excerpt.
        let d = Diagnostic::whole_file(Path::new("gone.toml"), "cannot read file");
        assert_eq!(d.render(), "gone.toml:1:1: cannot read file");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("tokn", &["token", "revocation"]),
            Some("token")
        );
        assert_eq!(
            did_you_mean("introspect", &["introspection", "token"]),
            Some("introspection")
        );
        assert_eq!(did_you_mean("zzz", &["token"]), None);
        // Two letters swapped are one typo.
        assert_eq!(did_you_mean("tokne", &["token", "jwks"]), Some("token"));
        assert_eq!(levenshtein("ca", "abc"), 3);
    }
}
