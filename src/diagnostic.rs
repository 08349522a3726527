//! Diagnostics for input files (suites, flows, targets): one error type and the one
//! renderer that turns it into `file:line:col: message` plus a source excerpt.
//!
//! Loading never stops at the first problem of a file that parsed: every mistake the
//! validator finds becomes one [`Diagnostic`], and `check` prints them all.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

    /// The headline followed by the offending line with a caret under the span.
    pub fn render(&self) -> String {
        let mut out = self.excerpt();
        if let Some(help) = &self.help {
            let _ = write!(out, "\n  = help: {help}");
        }
        out
    }

    fn excerpt(&self) -> String {
        let mut out = self.headline();
        if self.source.text.is_empty() {
            return out;
        }
        let (line, col) = self.line_col();
        let Some(text) = self.source.text.lines().nth(line - 1) else {
            return out;
        };
        let gutter = line.to_string();
        let pad = " ".repeat(gutter.len());
        // Underline the span on its first line only; a multi-line span gets one caret row.
        let span_chars = self
            .source
            .text
            .get(self.span.clone())
            .map(|s| s.lines().next().unwrap_or("").chars().count())
            .unwrap_or(0)
            .max(1);
        let width = span_chars.min(text.chars().count().saturating_sub(col - 1).max(1));
        let _ = write!(
            out,
            "\n{pad} |\n{gutter} | {text}\n{pad} | {}{}",
            " ".repeat(col - 1),
            "^".repeat(width)
        );
        out
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.headline())
    }
}

/// Several diagnostics, sorted by file and position, rendered one after another.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| (a.path(), a.span.start).cmp(&(b.path(), b.span.start)));
    let mut out = String::new();
    for d in sorted {
        out.push_str(&d.render());
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

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
