//! `deskmate bench`: N ticket-create and claim commands through router, services and store,
//! by one client and by several at once, beside the same rows written straight through
//! sqlx, on SQLite and (given a URL) PostgreSQL. Prints commands/s, the ratios to raw,
//! latency percentiles and peak RSS.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use async_trait::async_trait;
use chrono::Utc;
use deskmate_port::{
    Account, ChannelKind, ChannelRef, EventKind, Inbound, InboundEvent, MessageRef, Messenger, OutboundMessage,
    Platform, SendError,
};

use deskmate::App;
use deskmate::config::Config;
use deskmate::kernel::clock::SystemClock;
use deskmate::store::Store;

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Tickets to create and claim per backend (each is two commands).
    #[arg(long, default_value_t = 2000)]
    pub n: usize,
    /// Clients sending at once in the concurrent run (besides the sequential one; 0 or
    /// 1: skip it).
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Also bench the scheduler: this many pending timers stored, of which --due come
    /// due during the run (0: skip).
    #[arg(long, default_value_t = 0)]
    pub timers: usize,
    /// Timers among --timers that come due during the run; their fire lag is measured.
    #[arg(long, default_value_t = 2000)]
    pub due: usize,
    /// Also bench `/approval list pending` for an approver with this many approvals in
    /// the store (a tenth of them pending), beside as many of someone else's (0: skip).
    #[arg(long, default_value_t = 0)]
    pub approvals: usize,
    /// Also bench `/agenda week` for someone with 1,000 meetings among this many (the
    /// rest other people's; 0: skip).
    #[arg(long, default_value_t = 0)]
    pub meetings: usize,
    /// Also bench `/ticket search` over this many tickets (0: skip).
    #[arg(long, default_value_t = 0)]
    pub search: usize,
    /// Also bench a month's `/report tickets` (figures and chart) and `/report office`
    /// over this many tickets spread over a year (0: skip).
    #[arg(long, default_value_t = 0)]
    pub reports: usize,
    /// A PostgreSQL server URL to bench too (a scratch database is created on it and
    /// dropped after). Defaults to $TEST_DATABASE_URL.
    #[arg(long, env = "TEST_DATABASE_URL")]
    pub postgres: Option<String>,
}

/// Swallows messages, as fast as possible, so the bench measures Deskmate not a terminal;
/// remembers when each timer's message arrived.
#[derive(Default)]
struct NullMessenger {
    arrivals: std::sync::Mutex<Vec<(String, Instant)>>,
}

#[async_trait]
impl Messenger for NullMessenger {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    async fn send(&self, message: OutboundMessage) -> Result<MessageRef, SendError> {
        if message.body.text.starts_with("due ") {
            self.arrivals.lock().unwrap_or_else(|p| p.into_inner()).push((message.body.text.clone(), Instant::now()));
        }
        let channel = match message.to {
            deskmate_port::Destination::Edit(m) => return Ok(m),
            deskmate_port::Destination::Channel(c) => c,
            _ => ChannelRef::group(Platform::Console, "general"),
        };
        Ok(MessageRef { channel, message_id: "0".to_owned() })
    }
}

struct Figures {
    commands: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn per_sec(&self) -> f64 {
        self.commands as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&mut self, p: f64) -> Duration {
        self.latencies.sort_unstable();
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i]
    }
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    println!(
        "deskmate bench: {} tickets created and claimed per backend ({} commands), by one client, then by {}",
        args.n,
        args.n * 2,
        args.clients
    );
    let dir = tempfile_dir()?;
    if args.n > 0 {
        let urls =
            ["app", "raw", "fair", "clients"].map(|db| format!("sqlite://{}", dir.join(format!("{db}.db")).display()));
        bench_backend("sqlite", &urls, args.n, args.clients).await?;
    }
    if args.timers > 0 {
        let url = format!("sqlite://{}", dir.join("timers.db").display());
        bench_timers("sqlite", &url, args.timers, args.due).await?;
    }
    if args.approvals > 0 {
        let url = format!("sqlite://{}", dir.join("approvals.db").display());
        bench_approvals("sqlite", &url, args.approvals).await?;
    }
    if args.meetings > 0 {
        let url = format!("sqlite://{}", dir.join("meetings.db").display());
        bench_agenda("sqlite", &url, args.meetings).await?;
    }
    if args.search > 0 {
        let url = format!("sqlite://{}", dir.join("search.db").display());
        bench_search("sqlite", &url, args.search).await?;
    }
    if args.reports > 0 {
        let url = format!("sqlite://{}", dir.join("reports.db").display());
        bench_reports("sqlite", &url, args.reports).await?;
    }
    if let Some(server) = &args.postgres {
        if args.n > 0 {
            let mut names = Vec::new();
            let mut urls = Vec::new();
            for tag in ["app", "raw", "fair", "clients"] {
                let (name, url) = scratch_pg(server, tag).await?;
                names.push(name);
                urls.push(url);
            }
            let urls: [String; 4] = urls.try_into().map_err(|_| anyhow::anyhow!("four databases"))?;
            let result = bench_backend("postgres", &urls, args.n, args.clients).await;
            drop_pg(server, &names).await?;
            result?;
        }
        if args.timers > 0 {
            let (db, url) = scratch_pg(server, "timers").await?;
            let result = bench_timers("postgres", &url, args.timers, args.due).await;
            drop_pg(server, &[db]).await?;
            result?;
        }
        if args.approvals > 0 {
            let (db, url) = scratch_pg(server, "approvals").await?;
            let result = bench_approvals("postgres", &url, args.approvals).await;
            drop_pg(server, &[db]).await?;
            result?;
        }
        if args.meetings > 0 {
            let (db, url) = scratch_pg(server, "meetings").await?;
            let result = bench_agenda("postgres", &url, args.meetings).await;
            drop_pg(server, &[db]).await?;
            result?;
        }
        if args.search > 0 {
            let (db, url) = scratch_pg(server, "search").await?;
            let result = bench_search("postgres", &url, args.search).await;
            drop_pg(server, &[db]).await?;
            result?;
        }
        if args.reports > 0 {
            let (db, url) = scratch_pg(server, "reports").await?;
            let result = bench_reports("postgres", &url, args.reports).await;
            drop_pg(server, &[db]).await?;
            result?;
        }
    } else {
        println!("postgres: skipped (pass --postgres URL or set TEST_DATABASE_URL)");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("peak RSS: {} MiB", peak_rss_kib().map_or("?".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)));
    Ok(())
}

/// `urls`: fresh databases for Deskmate, the raw baseline, the same-rows baseline and
/// the concurrent run.
async fn bench_backend(name: &str, urls: &[String; 4], n: usize, clients: usize) -> anyhow::Result<()> {
    let [app_url, raw_url, fair_url, clients_url] = urls;
    let app = bench_app(app_url).await?;
    let agents = agents(&app, &["bob"]).await?;
    let mut deskmate = Figures { commands: 0, elapsed: Duration::ZERO, latencies: Vec::with_capacity(n * 2) };
    let start = Instant::now();
    for i in 1..=n {
        for event in [
            command("alice", &format!("/ticket new Bench ticket {i} priority:high")),
            command(&agents[0], &format!("/ticket claim {i}")),
        ] {
            let t = Instant::now();
            app.router.handle(event).await?;
            deskmate.latencies.push(t.elapsed());
            deskmate.commands += 1;
        }
    }
    deskmate.elapsed = start.elapsed();
    ensure_claimed(&app, n).await?;
    app.shutdown().await;

    let mut raw = raw_baseline(raw_url, n, raw_inserts).await?;
    let mut fair = raw_baseline(fair_url, n, same_rows).await?;
    let line = |what: &str, f: &mut Figures| {
        println!(
            "{name:>8} {:<20} {:>8.0} commands/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            format!("{what}:"),
            f.per_sec(),
            ms(f.percentile(0.5)),
            ms(f.percentile(0.99))
        );
    };
    line("deskmate", &mut deskmate);
    line("raw sqlx", &mut raw);
    line("raw, same rows", &mut fair);
    println!(
        "{name:>8} deskmate / raw: {:.2}   deskmate / same rows: {:.2}",
        deskmate.per_sec() / raw.per_sec(),
        deskmate.per_sec() / fair.per_sec()
    );
    if clients > 1 {
        let mut together = concurrent(clients_url, n, clients).await?;
        line(&format!("deskmate, {clients} clients"), &mut together);
        println!("{name:>8} {clients} clients / one: {:.2}", together.per_sec() / deskmate.per_sec());
    }
    Ok(())
}

/// Deskmate on `url` with no rate limits: one person sending thousands of commands a
/// minute is what this measures. alice (the first to speak) is its admin.
async fn bench_app(url: &str) -> anyhow::Result<App> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.limits.commands_per_minute = 0;
    config.limits.tickets_per_minute = 0;
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(NullMessenger::default())]).await?;
    app.router.handle(command("alice", "/whoami")).await?;
    Ok(app)
}

/// Makes each of `names` an agent, the way a person would; returns the names.
async fn agents(app: &App, names: &[&str]) -> anyhow::Result<Vec<String>> {
    for name in names {
        app.router.handle(command(name, "/whoami")).await?;
        app.router.handle(command("alice", &format!("/role grant @{name} agent"))).await?;
    }
    Ok(names.iter().map(|n| (*n).to_owned()).collect())
}

async fn ensure_claimed(app: &App, n: usize) -> anyhow::Result<()> {
    let claimed = app.store.tickets(deskmate::features::tickets::TicketFilter {
        statuses: Some(&[deskmate::features::tickets::TicketStatus::Claimed]),
        involving: None,
        limit: i64::MAX,
    });
    let claimed = claimed.await?.len();
    anyhow::ensure!(claimed == n, "expected {n} claimed tickets, found {claimed}");
    Ok(())
}

/// `clients` agents at once: each opens its share of the `n` tickets, then each claims
/// its share, every command waiting for the one before it from the same client.
async fn concurrent(url: &str, n: usize, clients: usize) -> anyhow::Result<Figures> {
    let app = bench_app(url).await?;
    let names: Vec<String> = (0..clients).map(|k| format!("agent{k}")).collect();
    let agents = agents(&app, &names.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let mut figures = Figures { commands: 0, elapsed: Duration::ZERO, latencies: Vec::with_capacity(n * 2) };
    let start = Instant::now();
    for phase in ["new", "claim"] {
        let mut running = tokio::task::JoinSet::new();
        for (k, agent) in agents.iter().enumerate() {
            let (router, agent) = (app.router.clone(), agent.clone());
            running.spawn(async move {
                let mut latencies = Vec::new();
                // Ticket numbers start at 1 in a fresh database: client k takes k+1,
                // k+1+clients, …
                for i in (k + 1..=n).step_by(clients) {
                    let text = match phase {
                        "new" => format!("/ticket new Bench ticket {i}"),
                        _ => format!("/ticket claim {i}"),
                    };
                    let t = Instant::now();
                    router.handle(command(&agent, &text)).await?;
                    latencies.push(t.elapsed());
                }
                anyhow::Ok(latencies)
            });
        }
        while let Some(done) = running.join_next().await {
            let latencies = done??;
            figures.commands += latencies.len();
            figures.latencies.extend(latencies);
        }
    }
    figures.elapsed = start.elapsed();
    ensure_claimed(&app, n).await?;
    app.shutdown().await;
    Ok(figures)
}

/// Stores `total` pending timers (all but `due` of them a year out), then measures how
/// late the `due` ones fire: from their due time to their message reaching the
/// messenger, through River, the worker's transaction and the outbox.
async fn bench_timers(name: &str, url: &str, total: usize, due: usize) -> anyhow::Result<()> {
    use deskmate::features::schedules::timed_post;
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.scheduler.poll_ms = 1000;
    let messenger = Arc::new(NullMessenger::default());
    let app = App::start(&config, Arc::new(SystemClock), vec![messenger.clone()]).await?;
    let far = Utc::now() + chrono::Duration::days(365);
    let due = due.min(total);
    let started = Instant::now();
    let chunk = 5_000;
    let mut made = 0;
    while made < total - due {
        let n = chunk.min(total - due - made);
        let batch = (made..made + n)
            .map(|i| {
                let at = far + chrono::Duration::seconds((i % 86_400) as i64);
                timed_post(format!("bench-far-{i}"), at, "console:bench", &format!("later {i}"))
            })
            .collect();
        let mut tx = app.store.begin().await?;
        app.scheduler.set_timers(&mut tx, batch).await?;
        tx.commit().await?;
        made += n;
    }
    let stored = started.elapsed();
    // The due ones, spread over two seconds starting five seconds from now.
    let base = Utc::now() + chrono::Duration::seconds(5);
    let mut due_at = std::collections::HashMap::new();
    let batch = (0..due)
        .map(|i| {
            let at = base + chrono::Duration::milliseconds((i * 2000 / due.max(1)) as i64);
            let text = format!("due {i}");
            due_at.insert(text.clone(), at);
            timed_post(format!("bench-due-{i}"), at, &format!("console:bench-{}", i % 20), &text)
        })
        .collect();
    let mut tx = app.store.begin().await?;
    app.scheduler.set_timers(&mut tx, batch).await?;
    tx.commit().await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    while messenger.arrivals.lock().unwrap_or_else(|p| p.into_inner()).len() < due && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let arrivals = messenger.arrivals.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let now_instant = Instant::now();
    let now_utc = Utc::now();
    let mut lags: Vec<Duration> = arrivals
        .iter()
        .filter_map(|(text, at)| {
            let due = *due_at.get(text)?;
            let arrived = now_utc - chrono::Duration::from_std(now_instant - *at).ok()?;
            (arrived - due).to_std().ok()
        })
        .collect();
    lags.sort_unstable();
    let pick = |p: f64| lags.get(((lags.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or_default();
    println!(
        "{name:>8} timers: {total} stored in {:.1} s ({:.0}/s); {} of {due} due ones fired; lag p50 {:.0} ms  p99 {:.0} ms  max {:.0} ms",
        stored.as_secs_f64(),
        (total - due) as f64 / stored.as_secs_f64().max(1e-9),
        lags.len(),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(lags.last().copied().unwrap_or_default()),
    );
    println!(
        "{name:>8} timers: peak RSS so far {} MiB",
        peak_rss_kib().map_or("?".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0))
    );
    app.shutdown().await;
    Ok(())
}

/// Stores `n` approvals for bob (a tenth pending, the rest decided) and `n` for carol,
/// then times `/approval list pending` for bob through the router: the first page and a
/// deep one.
async fn bench_approvals(name: &str, url: &str, n: usize) -> anyhow::Result<()> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.limits.commands_per_minute = 0;
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(NullMessenger::default())]).await?;
    for who in ["alice", "bob", "carol", "dan"] {
        app.router.handle(command(who, "/whoami")).await?;
    }
    let person = |handle| person_id(&app.store, handle);
    let (bob, carol, dan) = (person("bob").await?, person("carol").await?, person("dan").await?);
    let started = Instant::now();
    let now = Utc::now().timestamp_millis();
    // Generated rows (numbers only), in chunks of one multi-row statement per table.
    let chunk = 500;
    let mut id = 0usize;
    while id < 2 * n {
        let upto = (id + chunk).min(2 * n);
        let (mut requests, mut steps, mut seats) = (Vec::new(), Vec::new(), Vec::new());
        for i in id..upto {
            let r = i + 1;
            let approver = if i < n { bob } else { carol };
            let pending = i % 10 == 0;
            let at = now - (2 * n - i) as i64 * 1000;
            let (status, state) = if pending { ("pending", "pending") } else { ("approved", "approved") };
            requests.push(format!(
                "({r}, 'leave', {dan}, '[[\"dates\",\"2026-12-01\"]]', '{status}', 1, 0, 'console', {at}, {at}, NULL)"
            ));
            steps.push(format!("({r}, {r}, 1, 0, 'Manager', 'one', '{status}', {at})"));
            let decided = if pending { "NULL".to_owned() } else { approver.to_string() };
            seats.push(format!("({r}, {r}, {r}, {approver}, '{state}', {decided}, {at})"));
        }
        let statements = [
            format!(
                "INSERT INTO approval_requests (id, kind, requester_id, fields, status, round, step, platform, created_at, updated_at, decided_at) VALUES {}",
                requests.join(", ")
            ),
            format!(
                "INSERT INTO approval_steps (id, request_id, round, position, label, rule, status, started_at) VALUES {}",
                steps.join(", ")
            ),
            format!(
                "INSERT INTO approval_approvers (id, step_id, request_id, person_id, state, decided_by, pending_at) VALUES {}",
                seats.join(", ")
            ),
        ];
        for sql in statements {
            exec(&app.store, sql).await?;
        }
        id = upto;
    }
    if let Some(pool) = app.store.postgres_pool() {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    let stored = started.elapsed();
    for (label, line) in [("page 1", "/approval list pending"), ("page 500", "/approval list pending page:500")] {
        let mut figures = Figures { commands: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
        let start = Instant::now();
        for _ in 0..300 {
            let t = Instant::now();
            app.router.handle(command("bob", line)).await?;
            figures.latencies.push(t.elapsed());
            figures.commands += 1;
        }
        figures.elapsed = start.elapsed();
        println!(
            "{name:>8} approvals: {n} for bob ({} pending) beside {n} for carol, stored in {:.1} s; \
             /approval list pending {label}: p50 {:.2} ms  p99 {:.2} ms",
            n.div_ceil(10),
            stored.as_secs_f64(),
            ms(figures.percentile(0.5)),
            ms(figures.percentile(0.99))
        );
    }
    app.shutdown().await;
    Ok(())
}

/// A console user's person id, once they have written.
/// Stores `n` tickets whose titles are five words of a 5,000-word vocabulary (one in
/// ten in Chinese), indexed as Deskmate indexes them, then times `/ticket search` for
/// an agent through the router (the kept search, the query, the reply's outbox row): one
/// word, two words, a Chinese word, and one word with a status filter.
async fn bench_search(name: &str, url: &str, n: usize) -> anyhow::Result<()> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.limits.commands_per_minute = 0;
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(NullMessenger::default())]).await?;
    for line in ["/whoami", "/role grant @alice agent"] {
        app.router.handle(command("alice", line)).await?;
    }
    let alice = person_id(&app.store, "alice").await?;
    // A deterministic vocabulary: syllable words, and two-character Chinese words.
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "zu", "ho", "gi", "wa", "fe", "ji", "qu", "xo",
        "by", "ce",
    ];
    const HANZI: &str =
        "打印机网络邮箱电脑屏幕键盘鼠标账号密码会议室投影仪空调门禁系统软件安装更新服务器数据库连接速度慢无法登录";
    let hanzi: Vec<char> = HANZI.chars().collect();
    let word = |i: usize| -> String {
        if i % 10 == 9 {
            let a = hanzi[i % hanzi.len()];
            let b = hanzi[(i / hanzi.len() + i) % hanzi.len()];
            format!("{a}{b}")
        } else {
            let s = |k: usize| SYLLABLES[k % SYLLABLES.len()];
            format!("{}{}{}", s(i), s(i / 20), s(i / 400))
        }
    };
    const VOCABULARY: usize = 5_000;
    let mut seed: u64 = 42;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let sqlite = app.store.sqlite_pool().is_some();
    let started = Instant::now();
    let now = Utc::now().timestamp_millis();
    let chunk = 1_000;
    let mut id = 0usize;
    while id < n {
        let upto = (id + chunk).min(n);
        let (mut tickets, mut index) = (Vec::new(), Vec::new());
        for i in id..upto {
            let t = i + 1;
            let title: Vec<String> = (0..5).map(|_| word(next() % VOCABULARY)).collect();
            let title = title.join(" ");
            let status = ["open", "claimed", "in_progress", "resolved", "closed"][t % 5];
            let at = now - (n - i) as i64 * 1000;
            tickets.push(format!("({t}, '{title}', 'normal', '{status}', {alice}, 'console', {at}, {at})"));
            let words = deskmate::features::tickets::search_words(&title);
            if sqlite {
                index.push(format!("({t}, '{}', '')", words.join(" ")));
            } else {
                index.push(format!(
                    "({t}, setweight(array_to_tsvector(ARRAY['{}']::text[]), 'A') || \
                     setweight(array_to_tsvector(ARRAY['~{status}']::text[]), 'D'))",
                    words.join("','")
                ));
            }
        }
        exec(
            &app.store,
            format!(
                "INSERT INTO tickets (id, title, priority, status, requester_id, platform, created_at, updated_at) VALUES {}",
                tickets.join(", ")
            ),
        )
        .await?;
        let into = if sqlite { "ticket_search (rowid, title, body)" } else { "ticket_search (ticket_id, doc)" };
        exec(&app.store, format!("INSERT INTO {into} VALUES {}", index.join(", "))).await?;
        id = upto;
    }
    if let Some(pool) = app.store.postgres_pool() {
        sqlx::query("SELECT setval('tickets_id_seq', $1)").bind(n as i64).execute(pool).await?;
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    let stored = started.elapsed();
    // The i-th query of each kind.
    type Query<'a> = Box<dyn Fn(usize) -> String + 'a>;
    let queries: [(&str, Query); 4] = [
        ("one word", Box::new(|i| format!("/ticket search {}", word(i * 7 % VOCABULARY / 10 * 10)))),
        (
            "two words",
            Box::new(|i| {
                format!("/ticket search {} {}", word(i * 7 % 4_990 / 10 * 10), word(i * 13 % 4_990 / 10 * 10 + 1))
            }),
        ),
        ("Chinese", Box::new(|i| format!("/ticket search {}", word((i * 7 % 499) * 10 + 9)))),
        ("word + status", Box::new(|i| format!("/ticket search {} status:open", word(i * 11 % VOCABULARY / 10 * 10)))),
    ];
    for (label, query) in &queries {
        let mut figures = timed(&app, "alice", 300, query).await?;
        println!(
            "{name:>8} search: {n} tickets stored in {:.1} s; /ticket search, {label}: p50 {:.2} ms  p99 {:.2} ms",
            stored.as_secs_f64(),
            ms(figures.percentile(0.5)),
            ms(figures.percentile(0.99))
        );
    }
    app.shutdown().await;
    Ok(())
}

/// A month's `/report tickets` and `/report office` over `total` tickets opened over the
/// past year in order (about a twelfth of them in the month), generated by the database itself:
/// those older than two weeks closed, the rest at every stage; a quarter of the solved
/// ones rated.
async fn bench_reports(name: &str, url: &str, total: usize) -> anyhow::Result<()> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.limits.commands_per_minute = 0;
    config.tickets = toml::from_str(
        "weekly_report = \"\"\n[[categories]]\nname = \"it\"\nlabel = \"IT\"\n\
         [[categories]]\nname = \"facilities\"\nlabel = \"Facilities\"\n",
    )?;
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(NullMessenger::default())]).await?;
    for who in ["alice", "bob", "carol"] {
        app.router.handle(command(who, "/whoami")).await?;
    }
    app.router.handle(command("alice", "/role grant @carol agent")).await?;
    let (bob, carol) = (person_id(&app.store, "bob").await?, person_id(&app.store, "carol").await?);
    let now = Utc::now().timestamp_millis();
    let started = Instant::now();
    let numbers = numbers(&app.store, total);
    // Its age in minutes, within the year, newer tickets with higher numbers (as they
    // come); then its stage by age.
    let age = format!("(({total} - i) * 525600 / {total})");
    let status = format!(
        "CASE WHEN {age} > 20160 THEN 'closed' WHEN {age} > 4000 \
         THEN (CASE i % 5 WHEN 0 THEN 'open' WHEN 1 THEN 'claimed' WHEN 2 THEN 'in_progress' \
         WHEN 3 THEN 'resolved' ELSE 'closed' END) ELSE (CASE i % 2 WHEN 0 THEN 'open' ELSE 'claimed' END) END"
    );
    let created = format!("({now} - {age} * 60000)");
    let answered = "CASE WHEN s.status = 'open' THEN NULL ELSE s.created + (s.i % 240 + 5) * 60000 END";
    let solved = "s.status IN ('resolved', 'closed')";
    let resolved = format!("CASE WHEN {solved} THEN s.created + (s.i % 2880 + 60) * 60000 END");
    let insert = format!(
        "INSERT INTO tickets (id, title, priority, status, requester_id, assignee_id, platform, created_at, \
         updated_at, category, first_response_at, first_due, resolved_at, resolve_due, resolved_by_id, closed_at) \
         SELECT s.i, 'Ticket ' || s.i, 'normal', s.status, {bob}, CASE WHEN s.status = 'open' THEN NULL ELSE {carol} END, \
         'console', s.created, s.created, CASE s.i % 3 WHEN 0 THEN 'it' WHEN 1 THEN 'facilities' END, {answered}, \
         s.created + 14400000, {resolved}, s.created + 57600000, CASE WHEN {solved} THEN {carol} END, \
         CASE WHEN s.status = 'closed' THEN s.created + 86400000 * 3 END \
         FROM (SELECT i, {status} AS status, {created} AS created FROM ({numbers}) AS n) AS s"
    );
    exec(&app.store, insert).await?;
    exec(
        &app.store,
        format!(
            "INSERT INTO ticket_ratings (ticket_id, person_id, rating, rated_at) \
             SELECT id, {bob}, id % 5 + 1, resolved_at + 3600000 FROM tickets WHERE resolved_at IS NOT NULL AND id % 4 = 0"
        ),
    )
    .await?;
    if let Some(pool) = app.store.postgres_pool() {
        sqlx::query("SELECT setval('tickets_id_seq', $1)").bind(total as i64).execute(pool).await?;
    }
    // Settled statistics; on SQLite the bulk load's write-ahead log folded into the
    // file, as it is after ordinary use (else every commit of the run starts on it).
    let settle =
        if app.store.postgres_pool().is_some() { "VACUUM ANALYZE" } else { "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)" };
    exec(&app.store, settle.to_owned()).await?;
    let stored = started.elapsed();
    // The store's part alone: the month's rows.
    let (from, to) = (now - 30 * 86_400_000, now);
    let mut reads = Vec::new();
    let mut rows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut tx = app.store.begin().await?;
        rows = tx.report_rows(from, to, None).await?.len();
        tx.commit().await?;
        reads.push(t.elapsed());
    }
    reads.sort();
    println!("{name:>8} reports: a month's rows ({rows}) read in p50 {:.0} ms", ms(reads[2]));
    for line in ["/report tickets month", "/report tickets month category:it", "/report office month"] {
        let mut figures = timed(&app, "alice", 5, |_| line.to_owned()).await?;
        println!(
            "{name:>8} reports: {total} tickets stored in {:.1} s; {line}: p50 {:.0} ms  max {:.0} ms",
            stored.as_secs_f64(),
            ms(figures.percentile(0.5)),
            ms(figures.percentile(1.0))
        );
    }
    app.shutdown().await;
    Ok(())
}

/// Runs `n` commands as `who`, the `i`-th being `line(i)`, one after another: their latencies.
async fn timed(app: &App, who: &str, n: usize, line: impl Fn(usize) -> String) -> anyhow::Result<Figures> {
    let mut figures = Figures { commands: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    let start = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        app.router.handle(command(who, &line(i))).await?;
        figures.latencies.push(t.elapsed());
        figures.commands += 1;
    }
    figures.elapsed = start.elapsed();
    Ok(figures)
}

/// A query of the numbers 1 to `total` (as `i`), in the store's dialect.
fn numbers(store: &Store, total: usize) -> String {
    if store.postgres_pool().is_some() {
        format!("SELECT i FROM generate_series(1::bigint, {total}) AS i")
    } else {
        format!(
            "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {total}) SELECT i FROM seq"
        )
    }
}

async fn person_id(store: &Store, handle: &str) -> anyhow::Result<i64> {
    store
        .person_by_handle(Platform::Console, handle)
        .await?
        .map(|p| p.id.0)
        .with_context(|| format!("{handle} is registered"))
}

/// Runs one statement on whichever pool the store has.
async fn exec(store: &Store, sql: String) -> anyhow::Result<()> {
    match (store.sqlite_pool(), store.postgres_pool()) {
        (Some(pool), _) => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false).execute(pool).await?;
        }
        (_, Some(pool)) => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false).execute(pool).await?;
        }
        _ => anyhow::bail!("no pool"),
    }
    Ok(())
}

/// `/agenda week` for bob, who attends 1,000 of `total` meetings spread over the coming
/// year (the rest are carol's): the meetings, their occurrences, attendees and answers
/// are generated by the database itself.
async fn bench_agenda(name: &str, url: &str, total: usize) -> anyhow::Result<()> {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.limits.commands_per_minute = 0;
    config.meetings.digest = false;
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(NullMessenger::default())]).await?;
    for who in ["bob", "carol"] {
        app.router.handle(command(who, "/whoami")).await?;
    }
    let (bob, carol) = (person_id(&app.store, "bob").await?, person_id(&app.store, "carol").await?);
    let stride = (total / 1000).max(1);
    let now = Utc::now().timestamp_millis();
    let started = Instant::now();
    let numbers = numbers(&app.store, total);
    // Each meeting at a minute of the coming year; bob's are every `stride`-th.
    let start = format!("{now} + (i * 7919 % 525600) * 60000");
    for sql in [
        format!(
            "INSERT INTO meetings (id, title, organizer_id, tz, reminders, status, sequence, created_at, updated_at)              SELECT i, 'Meeting ' || i, CASE WHEN i % {stride} = 0 THEN {bob} ELSE {carol} END, 'UTC', '[]',              'scheduled', 0, {now}, {now} FROM ({numbers}) AS n"
        ),
        format!(
            "INSERT INTO meeting_occurrences (id, meeting_id, starts_at, ends_at, status, planned_at)              SELECT i, i, {start}, {start} + 1800000, 'scheduled', {start} FROM ({numbers}) AS n"
        ),
        "INSERT INTO meeting_attendees (meeting_id, person_id, added_at) SELECT id, organizer_id, created_at FROM meetings"
            .to_owned(),
        "INSERT INTO meeting_rsvps (id, occurrence_id, person_id, answer) SELECT id, id, organizer_id, 'accepted'          FROM meetings"
            .to_owned(),
    ] {
        exec(&app.store, sql).await?;
    }
    // Settled statistics and visibility maps, so autovacuum does not start mid-run.
    let settle = if app.store.postgres_pool().is_some() { "VACUUM ANALYZE" } else { "ANALYZE" };
    exec(&app.store, settle.to_owned()).await?;
    let stored = started.elapsed();
    let mut figures = timed(&app, "bob", 1000, |_| "/agenda week".to_owned()).await?;
    println!(
        "{name:>8} agenda: bob's 1,000 meetings among {total}, stored in {:.1} s; /agenda week: p50 {:.2} ms  p99 {:.2} ms",
        stored.as_secs_f64(),
        ms(figures.percentile(0.5)),
        ms(figures.percentile(0.99))
    );
    app.shutdown().await;
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

static NEXT_EVENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn command(user: &str, text: &str) -> InboundEvent {
    let account = Account {
        platform: Platform::Console,
        id: user.to_owned(),
        handle: Some(user.to_owned()),
        display_name: user.to_owned(),
    };
    InboundEvent {
        id: format!("bench-{}", NEXT_EVENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
        platform: Platform::Console,
        channel: ChannelRef { platform: Platform::Console, id: "general".to_owned(), kind: ChannelKind::Group },
        author: account,
        author_roles: Vec::new(),
        mentions: Vec::new(),
        author_locale: None,
        at: Utc::now(),
        kind: EventKind::Command { text: text.to_owned() },
        reply_handle: String::new(),
        files: Vec::new(),
    }
}

/// A baseline on a fresh database at `url`.
async fn raw_baseline<F, Fut>(url: &str, n: usize, run: F) -> anyhow::Result<Figures>
where
    F: FnOnce(Store, usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Figures>>,
{
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let figures = run(store.clone(), n).await;
    store.close().await;
    figures
}

/// Every row Deskmate writes for one create and one claim, each command in one
/// transaction, as hand-written sqlx would: the processed-event mark, the ticket, its
/// event-log line, and the outbox rows (the reply and the queue notice; the claim's reply,
/// the notice's edit and the requester's direct message). No parsing, routing,
/// rendering, planning or reading back.
async fn same_rows(store: Store, n: usize) -> anyhow::Result<Figures> {
    let now = Utc::now().timestamp_millis();
    let mut figures = Figures { commands: 0, elapsed: Duration::ZERO, latencies: Vec::with_capacity(n * 2) };
    macro_rules! outbox {
        ($tx:expr, $key:expr, $lane:expr, $op:expr, $priority:expr, $body:expr) => {
            sqlx::query(
                "INSERT INTO outbox (idem_key, platform, lane, op, destination, body, subject, coalesce_kind, coalesce_label, \
                 priority, state, attempts, next_attempt_at, created_at) \
                 VALUES ($1, 'console', $2, $3, '{}', $4, NULL, NULL, NULL, $5, 'pending', 0, $6, $6) \
                 ON CONFLICT (idem_key) DO NOTHING RETURNING id",
            )
            .bind($key)
            .bind($lane)
            .bind($op)
            .bind($body)
            .bind($priority)
            .bind(now)
            .fetch_optional(&mut *$tx)
            .await?
        };
    }
    macro_rules! processed {
        ($tx:expr, $key:expr) => {
            sqlx::query("INSERT INTO processed_events (event_key, processed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind($key)
                .bind(now)
                .execute(&mut *$tx)
                .await?
        };
    }
    macro_rules! logged {
        ($tx:expr, $actor:expr, $id:expr, $action:expr, $detail:expr) => {
            sqlx::query("INSERT INTO events (at, actor_id, platform, subject, action, detail) VALUES ($1, $2, 'console', $3, $4, $5)")
                .bind(now)
                .bind($actor)
                .bind(format!("ticket:{}", $id))
                .bind($action)
                .bind($detail)
                .execute(&mut *$tx)
                .await?
        };
    }
    macro_rules! fair_loop {
        ($pool:expr) => {{
            let pool = $pool;
            let mut people = Vec::new();
            for name in ["alice", "bob"] {
                let (id,): (i64,) = sqlx::query_as("INSERT INTO persons (display_name, created_at) VALUES ($1, $2) RETURNING id")
                    .bind(name)
                    .bind(now)
                    .fetch_one(pool)
                    .await?;
                people.push(id);
            }
            let (requester, agent) = (people[0], people[1]);
            let start = Instant::now();
            for i in 0..n {
                let t = Instant::now();
                let mut tx = pool.begin().await?;
                processed!(tx, format!("bench:new:{i}"));
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO tickets (title, priority, status, requester_id, platform, created_at, updated_at) \
                     VALUES ($1, 'high', 'open', $2, 'console', $3, $3) RETURNING id",
                )
                .bind(format!("Bench ticket {i}"))
                .bind(requester)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                logged!(tx, requester, id, "ticket.open", format!("[high] Bench ticket {i}"));
                let body = format!("{{\"text\":\"Ticket #{id} opened: Bench ticket {i}\"}}");
                outbox!(tx, format!("bench:new:{i}:0"), "general", "send", 0, &body);
                outbox!(tx, format!("bench:new:{i}:1"), "queue", "send", 2, &body);
                tx.commit().await?;
                figures.latencies.push(t.elapsed());
                let t = Instant::now();
                let mut tx = pool.begin().await?;
                processed!(tx, format!("bench:claim:{i}"));
                sqlx::query("UPDATE tickets SET status = 'claimed', assignee_id = $1, claimed_at = $2, updated_at = $2 WHERE id = $3 AND status = 'open'")
                    .bind(agent)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                logged!(tx, agent, id, "ticket.claim", String::new());
                let body = format!("{{\"text\":\"Ticket #{id} claimed by bob\"}}");
                outbox!(tx, format!("bench:claim:{i}:0"), "general", "send", 0, &body);
                outbox!(tx, format!("bench:claim:{i}:1"), "queue", "edit", 2, &body);
                outbox!(tx, format!("bench:claim:{i}:2"), "dm:alice", "send", 1, &body);
                tx.commit().await?;
                figures.latencies.push(t.elapsed());
                figures.commands += 2;
            }
            figures.elapsed = start.elapsed();
        }};
    }
    if let Some(pool) = store.sqlite_pool() {
        fair_loop!(pool);
    } else if let Some(pool) = store.postgres_pool() {
        fair_loop!(pool);
    }
    Ok(figures)
}

/// The rows one create and one claim write (ticket, event log, queue notice), each
/// command in its own transaction, with no parsing, routing or reading back: the
/// baseline of earlier runs, kept so figures compare.
async fn raw_inserts(store: Store, n: usize) -> anyhow::Result<Figures> {
    let now = Utc::now().timestamp_millis();
    let mut figures = Figures { commands: 0, elapsed: Duration::ZERO, latencies: Vec::with_capacity(n * 2) };
    macro_rules! raw_loop {
        ($pool:expr) => {{
            let pool = $pool;
            let (person,): (i64,) = sqlx::query_as("INSERT INTO persons (display_name, created_at) VALUES ('raw', $1) RETURNING id")
                .bind(now)
                .fetch_one(pool)
                .await?;
            let start = Instant::now();
            for i in 0..n {
                let t = Instant::now();
                let mut tx = pool.begin().await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO tickets (title, priority, status, requester_id, platform, created_at, updated_at) \
                     VALUES ($1, 'high', 'open', $2, 'console', $3, $3) RETURNING id",
                )
                .bind(format!("Bench ticket {i}"))
                .bind(person)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO events (at, actor_id, platform, subject, action, detail) VALUES ($1, $2, 'console', $3, 'ticket.open', '')")
                    .bind(now)
                    .bind(person)
                    .bind(format!("ticket:{id}"))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                sqlx::query("INSERT INTO notices (subject, platform, channel_id, channel_kind, message_id, posted_at) VALUES ($1, 'console', 'queue', 'group', $2, $3)")
                    .bind(format!("ticket:{id}"))
                    .bind(id.to_string())
                    .bind(now)
                    .execute(pool)
                    .await?;
                figures.latencies.push(t.elapsed());
                let t = Instant::now();
                let mut tx = pool.begin().await?;
                sqlx::query("UPDATE tickets SET status = 'claimed', assignee_id = $1, claimed_at = $2, updated_at = $2 WHERE id = $3 AND status = 'open'")
                    .bind(person)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO events (at, actor_id, platform, subject, action, detail) VALUES ($1, $2, 'console', $3, 'ticket.claim', '')")
                    .bind(now)
                    .bind(person)
                    .bind(format!("ticket:{id}"))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                figures.latencies.push(t.elapsed());
                figures.commands += 2;
            }
            figures.elapsed = start.elapsed();
        }};
    }
    if let Some(pool) = store.sqlite_pool() {
        raw_loop!(pool);
    } else if let Some(pool) = store.postgres_pool() {
        raw_loop!(pool);
    }
    Ok(figures)
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("deskmate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Creates an empty database on the server for one run.
async fn scratch_pg(server: &str, tag: &str) -> anyhow::Result<(String, String)> {
    use sqlx::Connection;
    let name = format!("deskmate_bench_{tag}_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(server).await.context("connecting to PostgreSQL")?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut conn).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
    conn.close().await?;
    Ok((name.clone(), deskmate::store::with_database(server, &name)))
}

async fn drop_pg(server: &str, names: &[String]) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server).await?;
    for name in names {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await?;
    Ok(())
}

/// Peak resident set size of this process, from /proc (Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
