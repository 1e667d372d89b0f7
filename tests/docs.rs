//! The builtin table is the single source of `:help`, docs/builtins.md and these checks: the
//! generated reference is current, and every builtin's example prints what the table says.

use flow::builtins::{reference_markdown, table};
use flow::Session;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What `flow -e TEXT` prints: program output, then the final value unless it is `none`.
fn evaluate(text: &str) -> String {
    let capture = Capture::default();
    let mut session = Session::new(Box::new(capture.clone()));
    let source = session.load("<example>", text);
    let (program, mut diagnostics) = flow::parse(&session, source);
    diagnostics.extend(flow::check(&mut session, &program));
    assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
    let value = flow::run(&mut session, &program).unwrap_or_else(|d| panic!("{text}: {d:?}"));
    let mut out = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    if let Some(value) = value.filter(|v| !matches!(v, flow::eval::Value::None)) {
        out.push_str(&value.repr());
    }
    out.trim_end().to_string()
}

#[test]
fn every_builtin_example_prints_what_the_table_says() {
    for builtin in table() {
        assert_eq!(
            evaluate(builtin.example),
            builtin.example_output,
            "example of `{}`",
            builtin.qualified_name()
        );
    }
}

#[test]
fn builtins_reference_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/builtins.md");
    let expected = reference_markdown();
    if std::env::var_os("FLOW_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/builtins.md is stale: FLOW_BLESS=1 cargo test --test docs rewrites it"
    );
}

#[test]
fn stdlib_reference_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/stdlib.md");
    let expected = flow::eval::modules::reference_markdown();
    if std::env::var_os("FLOW_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/stdlib.md is stale: FLOW_BLESS=1 cargo test --test docs rewrites it"
    );
    let help = flow::eval::modules::stdlib_help("stats.zscore").unwrap();
    assert!(
        help.starts_with("stats.zscore(x, axis=none, ddof=0)") && help.contains("mean 0"),
        "{help}"
    );
}

#[test]
fn every_stdlib_function_has_a_doc_comment() {
    for name in flow::eval::modules::stdlib_names() {
        let text = flow::eval::modules::stdlib_source(name).unwrap();
        let docs = flow::eval::modules::doc_comments(text);
        for line in text.lines().filter(|l| l.starts_with("fn ")) {
            let function: String = line[3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(
                docs.contains_key(&function),
                "stdlib {name}.{function} has no doc comment"
            );
        }
    }
}

#[test]
fn every_diagnostic_code_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let documented = std::fs::read_to_string(root.join("docs/diagnostics.md")).unwrap();
    let mut missing = Vec::new();
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split('"').skip(1).step_by(2) {
                let is_code = piece.starts_with("flow::") && piece.matches("::").count() == 2;
                if is_code && !piece.contains(' ') && !documented.contains(&format!("`{piece}`")) {
                    missing.push(format!("{piece} ({})", path.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "codes missing from docs/diagnostics.md: {missing:?}"
    );
}
