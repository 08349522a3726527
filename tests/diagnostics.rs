//! Diagnostics of broken suite and target files: every file under
//! `fixtures/broken-suites/` and `fixtures/broken-targets/` must fail to load, and its
//! rendered diagnostics (file:line:col, message, expected, excerpt) are snapshots.

use std::path::{Path, PathBuf};

use oauth2spec::diagnostic::render_all;
use oauth2spec::{suite, target};

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture folder exists")
        .filter_map(Result::ok)
        .map(|e| Path::new(dir).join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn broken_suites_are_reported_with_positions() {
    // Paths are relative: cargo runs integration tests from the package root, and the
    // snapshots must not depend on where the checkout lives.
    let broken = files("fixtures/broken-suites");
    assert!(broken.len() >= 8, "expected the broken-suite fixtures");
    for path in broken {
        let diags = suite::load_files(Some(Path::new("suites")), std::slice::from_ref(&path))
            .expect_err(&format!("{} must not load", path.display()));
        let first = &diags[0];
        let (line, col) = first.line_col();
        assert!(line >= 1 && col >= 1);
        insta::assert_snapshot!(format!("suite-{}", stem(&path)), render_all(&diags));
    }
}

#[test]
fn broken_targets_are_reported_with_positions() {
    for path in files("fixtures/broken-targets") {
        let text = std::fs::read_to_string(&path).expect("readable");
        let source = oauth2spec::diagnostic::Source::new(&path, text);
        let diags = target::file::parse(&source, &|_| None)
            .expect_err(&format!("{} must not load", path.display()));
        insta::assert_snapshot!(format!("target-{}", stem(&path)), render_all(&diags));
    }
}

#[test]
fn shipped_target_files_load() {
    for path in files("fixtures/targets") {
        let text = std::fs::read_to_string(&path).expect("readable");
        let source = oauth2spec::diagnostic::Source::new(&path, text);
        // Example files read secrets from the environment; any value will do here.
        let env = |_: &str| Some("from-env".to_string());
        if let Err(diags) = target::file::parse(&source, &env) {
            panic!("{}", render_all(&diags));
        }
    }
}

#[test]
fn readme_target_examples_load() {
    // Every complete target file the README shows (a TOML block with `name =`) must load:
    // a reader copies them.
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let mut blocks = 0;
    for block in readme.split("```toml\n").skip(1) {
        let Some((toml, _)) = block.split_once("```") else {
            continue;
        };
        if !toml.lines().any(|l| l.starts_with("name = ")) {
            continue;
        }
        blocks += 1;
        let source = oauth2spec::diagnostic::Source::new("README.md", toml.to_string());
        if let Err(diags) = target::file::parse(&source, &|_| Some("from-env".to_string())) {
            panic!("README example {blocks}:\n{}", render_all(&diags));
        }
    }
    assert!(
        blocks >= 3,
        "expected the generic, PingOne and AIC examples, found {blocks}"
    );
}
