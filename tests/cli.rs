//! The real binary, driven the way a newcomer would: a scripted console chat on a fresh
//! SQLite file, `check-config` on good and bad files, `migrate`.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

fn deskmate(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deskmate"));
    cmd.current_dir(dir);
    // A clean environment for config: nothing from the developer's shell leaks in.
    for (key, _) in std::env::vars() {
        if key.starts_with("DESKMATE_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn chat(dir: &std::path::Path, script: &str) -> (String, String, bool) {
    let mut child = deskmate(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn a_scripted_console_session_on_embedded_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
/help
/ticket new Printer on 3F is jammed
@bob /press tk:claim:1
/role grant @carol agent
@carol /whoami
/role grant @carol agent
@carol /press tk:claim:1
@carol /ticket close 1 cleared the paper path
/ticket show 1
";
    let (out, err, ok) = chat(dir.path(), script);
    assert!(ok, "exit status; stderr: {err}");
    // A quick exit closes the database under the background loops: nothing to report.
    assert!(!err.contains("pruning processed events") && !err.contains("database error"), "{err}");
    assert!(dir.path().join("deskmate.db").exists(), "the default SQLite file is created in the working directory");
    let expected_in_order = [
        "alice> /help",
        "/ticket — Open and work on help-desk tickets",
        "alice> /ticket new Printer on 3F is jammed",
        "deskmate: Ticket #1 opened: Printer on 3F is jammed (priority normal).",
        "[#queue] deskmate (msg 3): Ticket #1 · Printer on 3F is jammed",
        "  [Claim] → /press tk:claim:1",
        "bob> /press tk:claim:1",
        "deskmate (only bob sees this): Only agents can use /ticket claim.",
        "alice> /role grant @carol agent",
        "deskmate: I don't know @carol yet — they need to write to me once",
        "carol> /whoami",
        "You are carol",
        "alice> /role grant @carol agent",
        "deskmate: carol is now an agent.",
        "carol> /press tk:claim:1",
        "deskmate (only carol sees this): You claimed ticket #1: Printer on 3F is jammed.",
        "[#queue] deskmate edited msg 3: Ticket #1 · Printer on 3F is jammed",
        "Status: claimed by carol",
        "carol> /ticket close 1 cleared the paper path",
        "deskmate: Ticket #1 closed. Resolution: cleared the paper path",
        "[#queue] deskmate edited msg 3",
        "Status: closed by carol",
        "alice> /ticket show 1",
        "carol claimed it via console",
    ];
    // The requester's direct message and the queue edit travel in different lanes, so
    // their relative order is not fixed; both come before the next line is read.
    let dm = out.find("[dm → alice] deskmate").expect("alice hears that carol took it");
    assert!(dm < out.find("carol> /ticket close").expect("close line"), "{out}");
    let mut rest = out.as_str();
    for piece in expected_in_order {
        let at =
            rest.find(piece).unwrap_or_else(|| panic!("missing, or out of order: {piece:?}\n--- output ---\n{out}"));
        rest = &rest[at + piece.len()..];
    }

    // A second run on the same file continues where the first stopped.
    let (out, _, ok) = chat(dir.path(), "/ticket new Second one\n");
    assert!(ok);
    assert!(out.contains("Ticket #2 opened"), "{out}");
}

#[test]
fn check_config_names_the_bad_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[general]\ntimezone = \"UTC\"\n\n[database]\nurl = \"sqlite://x.db\"\npool = 3\n",
    )
    .unwrap();
    let out = deskmate(dir.path()).args(["--config", "bad.toml", "check-config"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 6") && err.contains("pool"), "{err}");

    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = deskmate(dir.path()).args(["--config", example, "check-config"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = deskmate(dir.path())
        .args(["check-config"])
        .env("DESKMATE_GENERAL_TIMEZONE", "Atlantis/Capital")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DESKMATE_GENERAL_TIMEZONE"));
}

#[test]
fn migrate_creates_the_database_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out =
            deskmate(dir.path()).args(["migrate"]).env("DESKMATE_DATABASE_URL", "sqlite://m.db").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));
    }
    assert!(dir.path().join("m.db").exists());
}

#[test]
fn the_bench_runs_and_reports_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = deskmate(dir.path()).args(["bench", "--n", "30"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for piece in [
        "sqlite deskmate:",
        "sqlite raw sqlx:",
        "sqlite raw, same rows:",
        "deskmate / raw:",
        "deskmate / same rows:",
        "sqlite deskmate, 16 clients:",
        "16 clients / one:",
        "p99",
        "peak RSS:",
    ] {
        assert!(stdout.contains(piece), "{piece} missing from\n{stdout}");
    }
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        assert!(stdout.contains("postgres deskmate:"), "{stdout}");
    }
}

#[test]
fn sigterm_stops_gracefully_with_exit_zero() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child =
        deskmate(dir.path()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"/ticket new Still here\n").unwrap();
    stdin.flush().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // Wait until the command was handled (its reply is printed).
    loop {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "deskmate exited early");
        if line.contains("Ticket #1 opened") {
            break;
        }
    }
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "no exit after SIGTERM");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    drop(stdin);
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn a_question_is_answered_in_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
/ticket new Projector has no signal
@carol /whoami
/role grant @carol agent
@carol /press tk:claim:1
@carol /answer too early
@carol /press tk:resolve:1
@carol /answer Swapped the HDMI cable
/ticket show 1
";
    let (out, err, ok) = chat(dir.path(), script);
    assert!(ok, "exit status; stderr: {err}");
    let expected_in_order = [
        "carol> /answer too early",
        "(no question is waiting for your answer)",
        "carol> /press tk:resolve:1",
        "How was ticket #1 (Projector has no signal) resolved?",
        "(answer with /answer TEXT as carol)",
        "carol> /answer Swapped the HDMI cable",
        "Ticket #1 resolved. Resolution: Swapped the HDMI cable",
    ];
    let mut at = 0;
    for line in expected_in_order {
        let found = out[at..].find(line).unwrap_or_else(|| panic!("{line:?} not found in order in:\n{out}"));
        at += found + line.len();
    }
}

/// Defect 6: an invalid UTF-8 byte on stdin ended the session and dropped later lines.
#[test]
fn invalid_utf8_on_stdin_is_one_bad_line_not_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut child =
        deskmate(dir.path()).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let script: &[u8] = b"/ticket new Caf\xe9 machine \xff broken\n/ticket new Second ticket\nhello there\n";
    child.stdin.take().unwrap().write_all(script).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "exit status; stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Ticket #1 opened: Caf\u{FFFD} machine \u{FFFD} broken"), "{stdout}");
    assert!(stdout.contains("Ticket #2 opened: Second ticket"), "the next line is read: {stdout}");
    // Chat in private is a request: alice has tickets open, so she is asked which.
    assert!(stdout.contains("Is this message about one of them, or a new request?"), "{stdout}");
}

/// Defect 3: webhook mode started without a secret and obeyed any POST.
#[test]
fn webhook_mode_without_a_secret_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let run = |secret: &str| {
        deskmate(dir.path())
            .args(["check-config"])
            .env("DESKMATE_TELEGRAM_TOKEN", "123456:TEST-token_for_the_fake")
            .env("DESKMATE_TELEGRAM_MODE", "webhook")
            .env("DESKMATE_TELEGRAM_WEBHOOK_URL", "http://127.0.0.1:9/hook")
            .env("DESKMATE_TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1:0")
            .env("DESKMATE_TELEGRAM_WEBHOOK_SECRET", secret)
            .output()
            .unwrap()
    };
    for weak in ["", "short-secret"] {
        let out = run(weak);
        assert!(!out.status.success(), "a secret of {} characters is refused", weak.len());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("DESKMATE_TELEGRAM_WEBHOOK_SECRET") && err.contains("at least 24"), "{err}");
    }
    let out = run("a-long-enough-secret_0123456789");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
