//! `cargo bench --bench burst`: the Monday-morning flood. N people each send `/ticket
//! new …` in a private chat, all queued at once in the test suite's fake Telegram Bot API
//! on 127.0.0.1; the release binary reads them by long polling, as in production. Prints
//! the deskmate process's RSS while idle (started, polling, no traffic), when every
//! ticket was committed and when the last reply went out (from the moment the flood was
//! queued), its peak RSS, its CPU per message (from the flood to the last reply, the
//! paced minute included) and its CPU per minute while idle.
//!
//! Then, with the same bot, a steady stream: `BURST_RATE` new people a second (default
//! 20) for `BURST_STEADY_SECS` (default 60), each sending one `/ticket new`; prints the
//! time from each message being offered to its reply reaching the fake (p50, p99, max)
//! and the CPU per message of that minute.
//!
//! `BURST_N` (default 2000) people; SQLite always, PostgreSQL too when
//! `TEST_DATABASE_URL` is set (a scratch database is created and dropped).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
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
    steady: Steady,
}

/// The steady stream after the flood.
struct Steady {
    rate: f64,
    messages: usize,
    /// Offered → reply at the fake, sorted.
    latencies: Vec<Duration>,
    cpu: Duration,
}

impl Steady {
    fn pick(&self, p: f64) -> Duration {
        let last = self.latencies.len().saturating_sub(1);
        self.latencies.get((last as f64 * p).round() as usize).copied().unwrap_or_default()
    }
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
    for (backend, run) in &runs {
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
    println!("\nsteady: new people each sending one /ticket new, after the flood, same bot");
    println!("| backend | offered | messages | reply p50 | reply p99 | reply max | CPU per message |");
    println!("|---|---|---|---|---|---|---|");
    for (backend, run) in &runs {
        let steady = &run.steady;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {backend} | {:.0}/s | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} ms |",
            steady.rate,
            steady.messages,
            ms(steady.pick(0.5)),
            ms(steady.pick(0.99)),
            ms(steady.latencies.last().copied().unwrap_or_default()),
            ms(steady.cpu) / steady.messages.max(1) as f64,
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
    let steady = steady(&fake, pid).await;
    child.kill().await.unwrap();
    Run { idle_rss_kb, committed: committed.unwrap_or(last_reply), last_reply, peak_rss_kb, cpu, idle_cpu, steady }
}

/// New people at a steady rate, one message each; the reply latency and the CPU.
async fn steady(fake: &FakeTelegram, pid: u32) -> Steady {
    let rate: f64 = std::env::var("BURST_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(20.0);
    let secs: f64 = std::env::var("BURST_STEADY_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60.0);
    let messages = (rate * secs) as usize;
    let users: Vec<User> = (0..messages)
        .map(|i| User { id: 5_000_000 + i as i64, name: Box::leak(format!("steady{i}").into_boxed_str()) })
        .collect();
    let cpu_before = cpu_time(pid);
    let start = tokio::time::Instant::now();
    let mut offered = HashMap::new();
    for (i, user) in users.iter().enumerate() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / rate)).await;
        fake.say(user.id, *user, &format!("/ticket new Steady {i}"));
        offered.insert(user.id, Instant::now());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while users.iter().any(|u| !fake.chats_written_in().contains(&u.id)) {
        assert!(Instant::now() < deadline, "the steady stream's replies did not all arrive");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cpu = cpu_time(pid) - cpu_before;
    let mut first: HashMap<i64, Instant> = HashMap::new();
    for call in fake.calls("sendMessage") {
        if let Some(chat) = call.body["chat_id"].as_i64().or_else(|| call.body["chat_id"].as_str()?.parse().ok()) {
            first.entry(chat).or_insert(call.at);
        }
    }
    let mut latencies: Vec<Duration> =
        offered.iter().filter_map(|(chat, at)| Some(first.get(chat)?.saturating_duration_since(*at))).collect();
    latencies.sort_unstable();
    assert_eq!(latencies.len(), messages, "every steady message has its reply");
    Steady { rate, messages, latencies, cpu }
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
