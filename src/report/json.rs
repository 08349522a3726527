//! `results.json`: the run record itself, written and read back.
//!
//! This is the only format that is not a view: `report` and `compare` start from it, so
//! reading it must name the file and the `line:column` of anything wrong with it.

use std::path::Path;

use super::ReportError;
use crate::outcome::{RunRecord, SCHEMA_VERSION};

/// The record as pretty-printed JSON, ending in a newline (friendly to diffs and `cat`).
pub fn render(record: &RunRecord) -> String {
    // The record's types serialise infallibly: every map is keyed by `String` and every
    // `Serialize` impl is derived, the only two ways serde_json can fail on a value.
    let mut out = match serde_json::to_string_pretty(record) {
        Ok(s) => s,
        Err(e) => unreachable!("RunRecord always serialises to JSON: {e}"),
    };
    out.push('\n');
    out
}

/// Reads a `results.json` written by [`render`] (or by hand).
pub fn read(path: &Path) -> Result<RunRecord, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Parses the text of a `results.json`; `path` is used only in errors.
pub fn parse(text: &str, path: &Path) -> Result<RunRecord, ReportError> {
    // Check the schema version before the full parse so that a record from another
    // version gets the helpful message, not a confusing "missing field" one.
    if let Ok(probe) = serde_json::from_str::<VersionProbe>(text)
        && probe.schema_version != SCHEMA_VERSION
    {
        return Err(ReportError::SchemaVersion {
            path: path.to_path_buf(),
            found: probe.schema_version,
            expected: SCHEMA_VERSION,
        });
    }
    serde_json::from_str(text).map_err(|e| ReportError::Parse {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e),
    })
}

#[derive(serde::Deserialize)]
struct VersionProbe {
    schema_version: u32,
}

/// serde_json appends " at line L column C" to its messages; the error already puts the
/// position up front as `file:L:C`, so drop the duplicate.
fn strip_position(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(s) => s.to_string(),
        None => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn round_trips_and_uses_the_contract_names() {
        let record = testdata::record();
        let text = render(&record);
        assert!(text.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid json");
        assert_eq!(value["schema_version"], SCHEMA_VERSION);
        assert_eq!(value["target"]["name"], "reference-generic");
        assert_eq!(value["summary"]["fail"], 1);
        let statuses: Vec<&str> = value["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter_map(|c| c["status"].as_str())
            .collect();
        assert_eq!(
            statuses,
            [
                "pass",
                "fail",
                "warn",
                "skip",
                "error",
                "known-failure",
                "unexpected-pass"
            ]
        );
        assert_eq!(parse(&text, Path::new("x.json")).expect("parse"), record);
    }

    #[test]
    fn parse_error_names_file_line_and_column() {
        let err = parse(
            "{\n  \"schema_version\": 1,\n  oops\n}",
            Path::new("r/results.json"),
        )
        .expect_err("invalid");
        let msg = err.to_string();
        assert!(msg.starts_with("r/results.json:3:3: "), "{msg}");
        assert!(!msg.contains("at line"), "{msg}");
    }

    #[test]
    fn missing_field_is_a_parse_error_with_position() {
        let err = parse("{\"schema_version\": 1}", Path::new("a.json")).expect_err("incomplete");
        assert!(matches!(err, ReportError::Parse { line: 1, .. }), "{err}");
        assert!(err.to_string().contains("missing field"), "{err}");
    }

    #[test]
    fn other_schema_version_is_named() {
        let mut value = serde_json::to_value(testdata::record()).expect("value");
        value["schema_version"] = 99.into();
        let err = parse(&value.to_string(), Path::new("old.json")).expect_err("version");
        assert!(
            matches!(err, ReportError::SchemaVersion { found: 99, .. }),
            "{err}"
        );
    }

    #[test]
    fn unreadable_file_is_named() {
        let err = read(Path::new("/nonexistent/dir/results.json")).expect_err("missing");
        assert!(
            err.to_string().contains("/nonexistent/dir/results.json"),
            "{err}"
        );
    }
}
