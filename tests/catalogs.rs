//! No sentence people read is written in code: every one comes from a catalog, in the
//! reader's language. A grep-level check over `src/`: a string literal of three or more
//! words is a sentence unless it is a log line, an error for the operator or SQL, or is
//! listed below with the reason it stays.

use std::path::{Path, PathBuf};

use regex::Regex;

/// Files that speak to the operator or the machine, never to chat: the config's
/// errors at start, the command line, benchmarks, metrics and health, SQL.
const NOT_CHAT: &[&str] = &["config.rs", "main.rs", "bench.rs", "metrics.rs", "http.rs", "store.rs"];

/// Literals that look like sentences and stay, with why.
const KEPT: &[(&str, &str, &str)] = &[
    ("src/i18n.rs", "is in the catalog but no code uses it", "the catalog test's own failure"),
    ("src/delivery/dispatcher.rs", "no {} messenger running", "a send error kept in the outbox and logs"),
    ("src/kernel/effect.rs", "<written for each reader>", "Debug output"),
    ("src/features/schedules/mod.rs", "an announce schedule needs text", "config validation, at start"),
    ("src/features/tickets/mod.rs", "a ticket digest needs a channel", "config validation, at start"),
    ("src/chat/feature.rs", "the scheduled job", "a clash between features, at start"),
    ("src/chat/router.rs", "a panic without a message", "logged"),
    (
        "src/chat/router.rs",
        "the event could not be applied",
        "NotTaken: the adapter logs it and offers the event again",
    ),
    ("src/chat/router.rs", "recording a failed event", "NotTaken: the adapter logs it and offers the event again"),
    ("src/chat/commands/time.rs", "is not a duration", "config errors; chat writes its own from the catalog"),
    ("src/chat/commands/time.rs", "is not a length of time", "config errors; chat writes its own"),
    ("src/chat/commands/time.rs", "that is too far ahead", "TimeError's Display, for logs; chat writes its own"),
    ("src/chat/commands/time.rs", "is not a date and time I can read", "the same, for logs"),
];

/// Words before a literal, in the same statement, that make it a log line or an
/// operator's error.
const NOT_SAID: &[&str] = &[
    "tracing::",
    "info!(",
    "warn!(",
    "error!(",
    "debug!(",
    "trace!(",
    ".context(",
    "with_context",
    "anyhow!(",
    "bail!(",
    "#[error(",
    "expect(",
    "panic!(",
    "unreachable!(",
    "assert",
    "#[arg(",
    "#[command(",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "store") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && !NOT_CHAT.iter().any(|n| path.file_name().is_some_and(|f| f == *n))
        {
            out.push(path);
        }
    }
}

/// The code people could read sentences from: tests, comments and raw strings (SQL)
/// dropped, and a quote character literal made harmless.
fn code(source: &str) -> String {
    let source = source.split("#[cfg(test)]\nmod ").next().unwrap_or(source);
    let lines: Vec<&str> = source.lines().map(|l| if l.trim_start().starts_with("//") { "" } else { l }).collect();
    let source = lines.join("\n").replace("'\"'", "' '").replace("'\\\"'", "' '");
    Regex::new(r##"r"[^"]*"|r#"(?s:.*?)"#"##).expect("valid").replace_all(&source, "\"\"").into_owned()
}

#[test]
fn no_sentence_is_written_outside_the_catalogs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    assert!(files.len() > 30, "found the sources");
    let literal = Regex::new(r#""((?:[^"\\]|\\.)*)""#).expect("valid");
    let sentence = Regex::new(r"[A-Za-z]{2,}\s+\S+\s+[A-Za-z]").expect("valid");
    let sql = Regex::new(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|FROM)\b").expect("valid");
    let mut found = Vec::new();
    let mut kept_seen = vec![false; KEPT.len()];
    for path in files {
        let name = path.strip_prefix(root).expect("under the root").to_string_lossy().replace('\\', "/");
        let code = code(&std::fs::read_to_string(&path).expect("readable"));
        for m in literal.captures_iter(&code) {
            let (whole, text) = (m.get(0).expect("match"), &m[1]);
            if !sentence.is_match(text) || sql.is_match(text) {
                continue;
            }
            let before = &code[..whole.start()];
            let statement = &before[before.rfind([';', '{', '}']).map_or(0, |i| i + 1)..];
            if NOT_SAID.iter().any(|w| statement.contains(w)) {
                continue;
            }
            match KEPT.iter().position(|(file, kept, _)| *file == name && text.contains(kept)) {
                Some(i) => kept_seen[i] = true,
                None => found.push(format!("{name}: \"{text}\"")),
            }
        }
    }
    assert!(found.is_empty(), "sentences written in code instead of a catalog:\n{}", found.join("\n"));
    let stale: Vec<_> = KEPT.iter().zip(kept_seen).filter(|(_, seen)| !seen).map(|(k, _)| k.1).collect();
    assert!(stale.is_empty(), "kept sentences no longer in the code (drop them from KEPT): {stale:?}");
}
