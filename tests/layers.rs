//! The engine does not know the screen: nothing under src/actions uses the UI (`crate::ui`),
//! ratatui or crossterm. The action screen is `ui::desk`; the engine reaches it only through
//! the typed events of `actions::jobs`.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn actions_import_nothing_from_the_ui() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/actions");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 10, "the engine's files: {files:?}");
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if ["crate::ui", "super::super::ui", "ratatui", "crossterm"].iter().any(|n| code.contains(n)) {
                found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "src/actions uses the UI:\n{}", found.join("\n"));
}
