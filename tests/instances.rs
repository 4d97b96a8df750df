//! Several Deskmate instances on one database share the timers and the outbox: every
//! notice is delivered exactly once, and when one instance dies mid-run the others
//! finish its work after its leases expire.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Backend, Chat, Recorder};
use deskmate::features::schedules::timed_post;
use deskmate_port::Destination;

const LANES: usize = 50;

fn delivered(recorders: &[&Recorder]) -> HashMap<String, usize> {
    let mut keys = HashMap::new();
    for r in recorders {
        for sent in r.peek() {
            if matches!(&sent.to, Destination::Channel(c) if c.id.starts_with("lane-")) {
                *keys.entry(sent.text().to_owned()).or_insert(0) += 1;
            }
        }
    }
    keys
}

/// A progress line: how many were delivered, and (PostgreSQL) where the timers' jobs and
/// messages are.
async fn progress(started: Instant, seen: usize, store: &deskmate::store::Store) {
    let Some(pool) = store.postgres_pool() else {
        return eprintln!("{:?}: {seen} delivered", started.elapsed());
    };
    let jobs: Vec<(String, i64)> =
        sqlx::query_as("SELECT state::text, COUNT(*) FROM river_job GROUP BY state ORDER BY state")
            .fetch_all(pool)
            .await
            .unwrap();
    let outbox: Vec<(String, i64)> = sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")
        .fetch_all(pool)
        .await
        .unwrap();
    eprintln!("{:?}: {seen} delivered; jobs {jobs:?}; outbox {outbox:?}", started.elapsed());
}

/// How many jobs each instance ran (`first`, then `instance-1` …), by River's record of
/// who attempted them.
async fn fired_by(store: &deskmate::store::Store, instances: usize) -> Vec<usize> {
    let attempts: Vec<(Option<String>,)> = if let Some(pool) = store.postgres_pool() {
        sqlx::query_as("SELECT array_to_string(attempted_by, ',') FROM river_job").fetch_all(pool).await.unwrap()
    } else {
        let pool = store.sqlite_pool().unwrap();
        sqlx::query_as("SELECT json(attempted_by) FROM river_job").fetch_all(pool).await.unwrap()
    };
    let names: Vec<String> =
        std::iter::once("first".to_owned()).chain((1..instances).map(|i| format!("instance-{i}"))).collect();
    names
        .iter()
        .map(|name| {
            let id = format!("{name}-{}", std::process::id());
            attempts.iter().filter(|(a,)| a.as_deref().is_some_and(|a| a.contains(&id))).count()
        })
        .collect()
}

async fn timers_shared_by_instances(backend: Backend, instances: usize, timers: usize) {
    // Real time runs, and leases are short, so a dead instance's lanes expire while the
    // live ones keep renewing theirs.
    let short_lease = |c: &mut deskmate::config::Config| c.outbox.lease_seconds = 3;
    let Some(chat) = Chat::start_clock(backend, deskmate::kernel::clock::FakeClock::running(), short_lease).await
    else {
        return;
    };
    let mut others = Vec::new();
    for i in 1..instances {
        others.push(chat.another_instance(&format!("instance-{i}"), short_lease).await);
    }
    // The planner's statistics are taken before the flood, as autoanalyze would have
    // left them the day before a 09:00 digest: River's promotion of due jobs once
    // degraded to quadratic time on such statistics (10,000 jobs: past its 30 s
    // statement timeout, then nothing promoted until autoanalyze ran again).
    if let Some(pool) = chat.store().postgres_pool() {
        sqlx::query("ANALYZE river_job").execute(pool).await.unwrap();
    }
    // All timers come due together, two seconds from now.
    let due = Utc::now() + chrono::Duration::seconds(2);
    let batch: Vec<_> = (0..timers)
        .map(|i| timed_post(format!("load-{i}"), due, &format!("console:lane-{}", i % LANES), &format!("timer {i}")))
        .collect();
    let started = Instant::now();
    let mut tx = chat.store().begin().await.unwrap();
    for chunk in batch.chunks(1000) {
        assert_eq!(chat.app.scheduler.set_timers(&mut tx, chunk.to_vec()).await.unwrap(), chunk.len());
    }
    tx.commit().await.unwrap();
    eprintln!("{timers} timers queued in {:?}", started.elapsed());

    // Once a tenth has gone out, the last instance dies: its sends hang forever and its
    // job worker stops.
    let (victim_app, victim) = others.pop().unwrap();
    let mut recorders: Vec<&Recorder> = vec![&chat.console];
    recorders.extend(others.iter().map(|(_, r)| r));
    recorders.push(&victim);
    // Generous for a debug build beside other tests; the quadratic promotion delivered
    // nothing for 90 s and more.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut printed = Instant::now();
    loop {
        let seen = delivered(&recorders).len();
        if seen >= timers / 10 {
            break;
        }
        assert!(Instant::now() < deadline, "only {seen} delivered after 60 s");
        if printed.elapsed() > Duration::from_secs(3) {
            printed = Instant::now();
            progress(started, seen, chat.store()).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    victim.hang();
    // A send the platform took in the instant before the crash, but the outbox never
    // heard back about, is sent again by a survivor: the at-least-once window that only
    // a platform-side idempotency key closes (Discord's nonce). The crash here comes
    // once the victim's sends in flight have been recorded, so what this test counts is
    // the takeover itself.
    tokio::time::sleep(Duration::from_millis(300)).await;
    victim_app.halt().await;
    let at_kill = delivered(&recorders).len();

    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let seen = delivered(&recorders);
        if seen.len() == timers {
            break;
        }
        if printed.elapsed() > Duration::from_secs(5) {
            printed = Instant::now();
            progress(started, seen.len(), chat.store()).await;
        }
        assert!(Instant::now() < deadline, "only {} of {timers} delivered", seen.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A moment more to catch any straggling duplicate.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let seen = delivered(&recorders);
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    let by_whom: Vec<Vec<usize>> = twice
        .iter()
        .map(|(text, _)| recorders.iter().map(|r| delivered(&[r]).get(*text).copied().unwrap_or(0)).collect())
        .collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}, per recorder (victim last): {by_whom:?}");
    assert_eq!(seen.len(), timers);
    let per_instance: Vec<usize> = recorders.iter().map(|r| delivered(&[r]).len()).collect();
    // Who sends a lane's messages is whoever holds its lease, so one instance may send
    // everything; what must be shared is firing the timers.
    let fired = fired_by(chat.store(), instances).await;
    eprintln!(
        "{timers} timers, {instances} instances: all delivered once in {:?}; {at_kill} before the kill; \
         sent per instance {per_instance:?}, jobs run per instance {fired:?}",
        started.elapsed()
    );
    assert!(fired.iter().filter(|n| **n > 0).count() >= 2, "the timers were fired by several instances: {fired:?}");
    for (app, _) in &others {
        app.shutdown().await;
    }
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_ten_thousand_timers_postgres() {
    timers_shared_by_instances(Backend::Postgres, 3, 10_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_two_thousand_timers_sqlite() {
    timers_shared_by_instances(Backend::Sqlite, 2, 2_000).await;
}
