//! `cargo bench --bench burst`: the Monday-morning flood. N people each send `/ticket
//! new …` in a private chat, all queued at once in the test suite's fake Telegram Bot API
//! on 127.0.0.1; the release binary reads them by long polling, as in production. Prints
//! the deskmate process's RSS while idle (started, polling, no traffic), when every
//! ticket was committed and when the last reply went out (from the moment the flood was
//! queued), its peak RSS, its CPU per message (from the flood to the last reply, the
//! paced minute included) and its CPU per minute while idle.
//!
//! `BURST_N` (default 2000) people; SQLite always, PostgreSQL too when
//! `TEST_DATABASE_URL` is set (a scratch database is created and dropped).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::fake_telegram::{FakeTelegram, User};
use sqlx::Connection;

/// Telegram's pace for messages to different chats, which the replies follow.
const GLOBAL_PER_SECOND: f64 = 30.0;

struct Run {
    /// RSS once started and polling, before any traffic.
    idle_rss_kb: u64,
    committed: Duration,
    last_reply: Duration,
    peak_rss_kb: u64,
    /// From the moment the flood is queued until the last reply is out.
    cpu: Duration,
    /// Per minute, started and polling with nothing to do.
    idle_cpu: Duration,
}

/// How long the process is watched idle.
const IDLE: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BURST_N").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let mut runs = Vec::new();
    if let Some(db) = common::TestDb::new(common::Backend::Sqlite).await {
        runs.push(("SQLite", burst(n, &db.url).await));
        db.drop_db().await;
    }
    if let Some(db) = common::TestDb::new(common::Backend::Postgres).await {
        runs.push(("PostgreSQL", burst(n, &db.url).await));
        db.drop_db().await;
    }
    println!("\nburst: {n} private /ticket new through the fake Telegram, release binary, long polling");
    println!(
        "| backend | idle RSS | all committed | tickets/s | last reply | pacing floor | peak RSS | CPU per message | idle CPU per minute |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (backend, run) in runs {
        let floor = n as f64 / GLOBAL_PER_SECOND;
        println!(
            "| {backend} | {:.1} MB | {:.2} s | {:.0} | {:.1} s | {floor:.1} s | {:.1} MB | {:.2} ms | {:.2} s |",
            run.idle_rss_kb as f64 / 1024.0,
            run.committed.as_secs_f64(),
            n as f64 / run.committed.as_secs_f64(),
            run.last_reply.as_secs_f64(),
            run.peak_rss_kb as f64 / 1024.0,
            run.cpu.as_secs_f64() * 1000.0 / n as f64,
            run.idle_cpu.as_secs_f64(),
        );
    }
}

async fn burst(n: usize, url: &str) -> Run {
    let fake = FakeTelegram::start().await;
    let users: Vec<User> =
        (0..n).map(|i| User { id: 10_000 + i as i64, name: Box::leak(format!("user{i}").into_boxed_str()) }).collect();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("deskmate.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{url}\"\n\n[telegram]\ntoken = \"{}\"\napi_url = \"{}\"\n\
             \n[channels]\nsupport_queue = []\n\n[limits]\ncommands_per_minute = 0\n\
             tickets_per_minute = 0\n",
            common::fake_telegram::TOKEN,
            fake.url
        ),
    )
    .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_deskmate"))
        .arg("--config")
        .arg(&config)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("deskmate.log")).unwrap())
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut db = connect(url).await;
    // Idle: started, connected and long-polling (Telegram's default 25 s), nothing to do.
    fake.wait("the bot to poll", Duration::from_secs(60), |f| !f.calls("getupdates").is_empty()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_from = cpu_time(pid);
    tokio::time::sleep(IDLE).await;
    let idle_cpu = (cpu_time(pid) - idle_from).mul_f64(60.0 / IDLE.as_secs_f64());
    let idle_rss_kb = rss_kb(pid);
    let cpu_before = cpu_time(pid);
    // The flood: every message queued at once, read by the poll that is waiting.
    let started = Instant::now();
    for (i, user) in users.iter().enumerate() {
        fake.say(user.id, *user, &format!("/ticket new Printer {i} jammed"));
    }
    let mut committed = None;
    let mut peak_rss_kb = 0;
    let last_reply = loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        peak_rss_kb = peak_rss_kb.max(rss_kb(pid));
        if committed.is_none() && tickets(&mut db).await >= n as i64 {
            committed = Some(started.elapsed());
        }
        // One pass over the fake's messages: asking per person held the fake's lock (and a
        // core) for O(n²) work every 20 ms, and slowed the bot it measured.
        let written = fake.chats_written_in();
        let replied = users.iter().filter(|u| written.contains(&u.id)).count();
        if replied >= n {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(600)
            || (committed.is_none() && started.elapsed() > Duration::from_secs(120))
        {
            let log = std::fs::read_to_string(dir.path().join("deskmate.log")).unwrap_or_default();
            panic!("{replied} of {n} replied, {} committed; deskmate's log:\n{log}", tickets(&mut db).await);
        }
    };
    let cpu = cpu_time(pid) - cpu_before;
    peak_rss_kb = peak_rss_kb.max(hwm_kb(pid));
    child.kill().await.unwrap();
    Run { idle_rss_kb, committed: committed.unwrap_or(last_reply), last_reply, peak_rss_kb, cpu, idle_cpu }
}

enum Db {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

async fn connect(url: &str) -> Db {
    // The binary creates and migrates the database; wait for it.
    for _ in 0..500 {
        if url.starts_with("sqlite") {
            if let Ok(c) = sqlx::SqliteConnection::connect(url).await {
                return Db::Sqlite(c);
            }
        } else if let Ok(c) = sqlx::PgConnection::connect(url).await {
            return Db::Postgres(c);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("cannot reach {url}");
}

async fn tickets(db: &mut Db) -> i64 {
    let sql = "SELECT COUNT(*) FROM tickets";
    match db {
        Db::Sqlite(c) => sqlx::query_scalar(sql).fetch_one(c).await.unwrap_or(0),
        Db::Postgres(c) => sqlx::query_scalar(sql).fetch_one(c).await.unwrap_or(0),
    }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn rss_kb(pid: u32) -> u64 {
    status_kb(pid, "VmRSS:")
}

fn hwm_kb(pid: u32) -> u64 {
    status_kb(pid, "VmHWM:")
}

/// utime + stime of the process, from /proc (clock ticks of 10 ms).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of stat; here 0-based after the name: 11, 12.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}
