//! The dependency arrows go one way (ARCHITECTURE.md, "Data flows one way"): the primitives
//! (`ad`, `security`) below the sources (`directory`, `events`), which know nothing of each other;
//! then `diagnosis`; then the views (`report`, `tui`); then the edge (`cli`, `config`,
//! `commands`), and `app` on top. This reads every file under src/, unit tests included, and fails
//! naming file:line for each path that points the wrong way: `crate::x` (also inside a
//! `use crate::{...}` group), `super::` climbing to the crate root, and uses of the command-line
//! and terminal crates.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the command line and the terminal begin: nothing below the views may import these.
const EDGE: &[&str] = &["app", "cli", "commands", "config", "report", "tui"];
const UI_CRATES: &[&str] = &["clap", "clap_complete", "clap_mangen", "crossterm", "ratatui"];
const CLI_CRATES: &[&str] = &["clap", "clap_complete", "clap_mangen"];
/// The test kit builds every module's values and the console's states, so it sits above them all;
/// unit tests reach down to it, which is no cycle of the product: the kit is compiled only for
/// tests (`cfg(any(test, feature = "testkit"))`), so product code cannot name it.
const TEST_KIT: &str = "testkit";

struct Rule {
    /// The top-level module (`src/<name>.rs` or `src/<name>/`) the rule is about.
    module: &'static str,
    /// Modules of this crate it may not name.
    modules: &'static [&'static [&'static str]],
    /// External crates it may not use.
    crates: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        module: "ad",
        modules: &[&["directory", "events", "diagnosis"], EDGE],
        crates: UI_CRATES,
        why: "the shared AD encodings sit below both sources",
    },
    Rule {
        module: "security",
        modules: &[&["directory", "events", "diagnosis"], EDGE],
        crates: UI_CRATES,
        why: "SIDs, descriptors and the access check sit below both sources",
    },
    Rule {
        module: "directory",
        modules: &[&["events", "diagnosis"], EDGE],
        crates: UI_CRATES,
        why: "a source knows nothing of the other source, the diagnosis or the command line",
    },
    Rule {
        module: "events",
        modules: &[&["directory", "diagnosis"], EDGE],
        crates: UI_CRATES,
        why: "a source knows nothing of the other source, the diagnosis or the command line",
    },
    Rule {
        module: "diagnosis",
        modules: &[EDGE],
        crates: UI_CRATES,
        why: "the diagnosis reads the sources' models and is read by the views, never the reverse",
    },
    Rule {
        module: "report",
        modules: &[&["app", "cli", "commands", "config", "tui"]],
        crates: UI_CRATES,
        why: "a renderer of the Diagnosis knows nothing of the command line",
    },
    Rule {
        module: "tui",
        modules: &[&["app", "cli", "commands"]],
        crates: CLI_CRATES,
        why: "the console is handed its sources by the commands (DataSource), it never calls them",
    },
    Rule {
        module: "commands",
        modules: &[&["app"]],
        crates: &[],
        why: "app dispatches to the commands; Outcome and CommandError are the commands' own",
    },
    Rule {
        module: "cli",
        modules: &[&["app", "commands", "config"]],
        crates: &[],
        why: "the command line is raw values; config and the commands read it",
    },
    Rule {
        module: "config",
        modules: &[&["app", "commands"]],
        crates: &[],
        why: "config maps the flags and the file onto the sources' settings for the commands",
    },
];

/// One path in the code that names another module or an external crate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    line: usize,
    /// `crate` for a module of this crate, else the external crate's name.
    root: String,
    /// The top-level module named (for `crate` roots), else empty.
    module: String,
}

fn main_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under src/: `directory/ldap/session.rs` is `[directory, ldap,
/// session]`, `directory/mod.rs` is `[directory]`, `lib.rs` is `[]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The source with comments and string and char literals blanked (newlines kept, so offsets keep
/// their line numbers): paths are looked for in code only.
fn code_only(src: &str) -> Vec<char> {
    let s: Vec<char> = src.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(s.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let at = |i: usize| s.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '/' && at(i + 1) == '/' {
            let end = (i..s.len()).find(|&j| s[j] == '\n').unwrap_or(s.len());
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && at(i + 1) == '*' {
            let (mut depth, mut j) = (1, i + 2);
            while j < s.len() && depth > 0 {
                if s[j] == '/' && at(j + 1) == '*' {
                    depth += 1;
                    j += 1;
                } else if s[j] == '*' && at(j + 1) == '/' {
                    depth -= 1;
                    j += 1;
                }
                j += 1;
            }
            blank(&mut out, i, j);
            i = j;
        } else if c == 'r'
            && (at(i + 1) == '"' || (at(i + 1) == '#' && matches!(at(i + 2), '"' | '#')))
            && !ident_char(if i == 0 { ' ' } else { s[i - 1] })
        {
            let hashes = (i + 1..s.len()).take_while(|&j| s[j] == '#').count();
            let open = i + 1 + hashes;
            let close: Vec<char> = format!("\"{}", "#".repeat(hashes)).chars().collect();
            let mut j = open + 1;
            while j < s.len() && s[j..].iter().take(close.len()).ne(close.iter()) {
                j += 1;
            }
            blank(&mut out, i, j + close.len());
            i = j + close.len();
        } else if c == '"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != '"' {
                j += if s[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}'), else a lifetime ('a) left alone.
            if at(i + 1) == '\\' {
                let end = (i + 2..s.len()).find(|&j| s[j] == '\'').unwrap_or(s.len());
                blank(&mut out, i, end + 1);
                i = end + 1;
            } else if at(i + 2) == '\'' {
                blank(&mut out, i, i + 3);
                i += 3;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path in `src` (the text of the file at `module`) that names a top-level module of this
/// crate or one of `crates`.
fn uses(src: &str, module: &[String], crates: &[&str]) -> Vec<Use> {
    let code = code_only(src);
    let newlines: Vec<usize> = (0..code.len()).filter(|&i| code[i] == '\n').collect();
    let line_of = |i: usize| 1 + newlines.partition_point(|&nl| nl < i);
    let ident_at = |i: usize| -> String { code[i..].iter().take_while(|c| ident_char(**c)).collect() };
    let skip_space = |mut i: usize| {
        while i < code.len() && code[i].is_whitespace() {
            i += 1;
        }
        i
    };
    let path_sep = |i: usize| code.get(i) == Some(&':') && code.get(i + 1) == Some(&':');
    let mut found = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let starts_word = ident_char(code[i]) && (i == 0 || !ident_char(code[i - 1]));
        let after_path = i >= 2 && code[i - 1] == ':' && code[i - 2] == ':';
        if !starts_word || after_path {
            i += 1;
            continue;
        }
        let word = ident_at(i);
        let next = skip_space(i + word.len());
        let line = line_of(i);
        if word == "crate" && path_sep(next) {
            for (at, m) in segments_after(&code, next + 2) {
                found.push(Use {
                    line: line_of(at),
                    root: "crate".into(),
                    module: m,
                });
            }
        } else if word == "super" && path_sep(next) {
            // Climb the `super::` chain; only one that reaches the crate root crosses modules.
            let (mut depth, mut j) = (1, next + 2);
            while ident_at(skip_space(j)) == "super" && path_sep(skip_space(j) + 5) {
                depth += 1;
                j = skip_space(j) + 5 + 2;
            }
            if depth >= module.len() {
                for (at, m) in segments_after(&code, j) {
                    found.push(Use {
                        line: line_of(at),
                        root: "crate".into(),
                        module: m,
                    });
                }
            }
        } else if crates.contains(&word.as_str()) && (path_sep(next) || preceded_by_use(&code, i)) {
            found.push(Use {
                line,
                root: word.clone(),
                module: String::new(),
            });
        }
        i += word.len().max(1);
    }
    found
}

/// `use NAME` or `extern crate NAME`: a crate named without a path after it.
fn preceded_by_use(code: &[char], i: usize) -> bool {
    let before: String = code[..i]
        .iter()
        .rev()
        .take(16)
        .collect::<String>()
        .chars()
        .rev()
        .collect();
    let before = before.trim_end();
    before.ends_with("use") || before.ends_with("extern crate")
}

/// The first segments a path names from `i` on, with their offsets: one identifier, or the first
/// one of each member of a `{...}` group.
fn segments_after(code: &[char], i: usize) -> Vec<(usize, String)> {
    let mut i = i;
    while i < code.len() && code[i].is_whitespace() {
        i += 1;
    }
    if code.get(i) != Some(&'{') {
        let word: String = code[i..].iter().take_while(|c| ident_char(**c)).collect();
        return if word.is_empty() {
            Vec::new()
        } else {
            vec![(i, word)]
        };
    }
    let (mut depth, mut out, mut expect_member) = (0usize, Vec::new(), false);
    let mut j = i;
    while j < code.len() {
        let c = code[j];
        match c {
            '{' => {
                depth += 1;
                expect_member = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expect_member = true,
            c if expect_member && ident_char(c) => {
                let word: String = code[j..].iter().take_while(|c| ident_char(**c)).collect();
                out.push((j, word.clone()));
                j += word.len();
                expect_member = false;
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    out
}

struct Scanned {
    file: String,
    module: Vec<String>,
    uses: Vec<Use>,
}

fn scan_src() -> Vec<Scanned> {
    let root = main_src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .iter()
        .filter(|f| !f.ends_with("main.rs"))
        .map(|f| {
            let relative = f.strip_prefix(&root).expect("under src/");
            let module = module_path(relative);
            let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
            Scanned {
                file: format!("src/{}", relative.display()),
                uses: uses(&text, &module, UI_CRATES),
                module,
            }
        })
        .collect()
}

#[test]
fn every_module_imports_only_what_is_below_it() {
    let scanned = scan_src();
    assert!(scanned.len() > 50, "only {} files under src/", scanned.len());
    let mut wrong = Vec::new();
    for s in &scanned {
        let Some(top) = s.module.first() else { continue };
        for rule in RULES.iter().filter(|r| r.module == top) {
            for u in &s.uses {
                let bad = if u.root == "crate" {
                    rule.modules
                        .iter()
                        .any(|group| group.contains(&u.module.as_str()))
                } else {
                    rule.crates.contains(&u.root.as_str())
                };
                if bad {
                    let named = if u.root == "crate" {
                        format!("crate::{}", u.module)
                    } else {
                        u.root.clone()
                    };
                    wrong.push(format!("{}:{}: {top} uses {named}: {}", s.file, u.line, rule.why));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependency arrows pointing the wrong way:\n{}",
        wrong.join("\n")
    );
}

/// Below the edge nothing prints: the domain returns what happened (errors, warnings as values)
/// and the commands decide what the person at the terminal reads, and when (a line printed from
/// a background read lands in the middle of the console's screen).
const SILENT: &[&str] = &["ad", "security", "directory", "events", "diagnosis"];
const PRINTS: &[&str] = &["print!", "println!", "eprint!", "eprintln!", "dbg!"];

#[test]
fn nothing_below_the_edge_prints() {
    let root = main_src();
    let mut files = Vec::new();
    for module in SILENT {
        let dir = root.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let file = root.join(format!("{module}.rs"));
        if file.is_file() {
            files.push(file);
        }
    }
    assert!(files.len() > 30, "only {} files under {SILENT:?}", files.len());
    let mut printing = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
        let code: String = code_only(&text).into_iter().collect();
        for (n, line) in code.lines().enumerate() {
            if let Some(m) = PRINTS.iter().find(|m| printed_by(line, m)) {
                printing.push(format!("{}:{}: {m}", f.display(), n + 1));
            }
        }
    }
    assert!(
        printing.is_empty(),
        "printing below the edge:\n{}",
        printing.join("\n")
    );
}

/// Whether `line` calls macro `m` (`eprintln!`, not `my_eprintln!` or a path ending in it).
fn printed_by(line: &str, m: &str) -> bool {
    line.match_indices(m).any(|(i, _)| {
        !line[..i]
            .chars()
            .next_back()
            .is_some_and(|c| ident_char(c) || c == ':')
    })
}

#[test]
fn the_print_check_sees_calls_in_code_only() {
    let code: String =
        code_only("let x = 1; // eprintln!(\"no\")\nlet s = \"println!\";\n    eprintln!(\"yes\");")
            .into_iter()
            .collect();
    let hits: Vec<usize> = code
        .lines()
        .enumerate()
        .filter(|(_, l)| PRINTS.iter().any(|m| printed_by(l, m)))
        .map(|(n, _)| n + 1)
        .collect();
    assert_eq!(hits, vec![3]);
    assert!(!printed_by("my_eprintln!(x)", "eprintln!"));
    assert!(
        !printed_by("eprintln!(x)", "println!"),
        "println! inside eprintln! is not a second call"
    );
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let scanned = scan_src();
    let tops: BTreeSet<String> = scanned.iter().filter_map(|s| s.module.first().cloned()).collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for s in &scanned {
        let Some(top) = s.module.first() else { continue };
        for u in s.uses.iter().filter(|u| u.root == "crate") {
            if &u.module != top && u.module != TEST_KIT && tops.contains(&u.module) {
                edges
                    .entry(top.clone())
                    .or_default()
                    .entry(u.module.clone())
                    .or_insert_with(|| format!("{}:{}", s.file, u.line));
            }
        }
    }
    // The known arrows must be seen, or the scanner is blind and the test proves nothing.
    for (from, to) in [
        ("diagnosis", "directory"),
        ("report", "diagnosis"),
        ("app", "commands"),
    ] {
        assert!(
            edges.get(from).is_some_and(|e| e.contains_key(to)),
            "the scan missed {from} -> {to}: {edges:?}"
        );
    }
    for start in &tops {
        if let Some(cycle) = cycle_through(start, &edges) {
            let shown: Vec<String> = cycle
                .windows(2)
                .map(|w| format!("{} -> {} ({})", w[0], w[1], edges[&w[0]][&w[1]]))
                .collect();
            panic!("a dependency cycle:\n{}", shown.join("\n"));
        }
    }
}

/// A path from `start` back to itself, if there is one (depth-first).
fn cycle_through(start: &str, edges: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn walk(
        at: &str,
        start: &str,
        edges: &BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flat_map(|e| e.keys()) {
            path.push(next.clone());
            if next == start || (seen.insert(next.clone()) && walk(next, start, edges, path, seen)) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(start, start, edges, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_scanner_sees_every_form_of_path_and_ignores_comments_and_strings() {
    let src = r##"
use crate::config::SourceConfig;
use crate::{
    cli::Cli,
    report::{self, scan},
};
use super::super::tui;
// use crate::commands;
/* crate::app */
const S: &str = "crate::app";
const R: &str = r#"crate::app "quoted""#;
fn f<'a>(x: &'a str) -> char { let _ = crossterm::terminal::size(); 'c' }
use clap::Parser;
let y = ratatui_like::x();
"##;
    let module = vec!["events".to_string(), "ingest".to_string()];
    let got: Vec<(usize, String, String)> = uses(src, &module, UI_CRATES)
        .into_iter()
        .map(|u| (u.line, u.root, u.module))
        .collect();
    let want = [
        (2, "crate", "config"),
        (4, "crate", "cli"),
        (5, "crate", "report"),
        (7, "crate", "tui"),
        (12, "crossterm", ""),
        (13, "clap", ""),
    ];
    let want: Vec<(usize, String, String)> = want
        .iter()
        .map(|(l, r, m)| (*l, r.to_string(), m.to_string()))
        .collect();
    assert_eq!(got, want);
    // One `super::` from a file two levels down stays inside its top-level module.
    assert!(uses("use super::config;", &module, UI_CRATES).is_empty());
}
