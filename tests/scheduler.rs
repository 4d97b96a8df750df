//! Schedules and timers through the real job queue (River) on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use chrono::{TimeZone, Timelike, Utc};
use common::{Backend, Chat, Sent};
use deskmate::config::ScheduleEntry;
use deskmate_port::Destination;

async fn wait_for(chat: &Chat, what: &str, pred: impl Fn(&[Sent]) -> bool) -> Vec<Sent> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let seen = chat.console.peek();
        if pred(&seen) {
            return seen;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}: {seen:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every schedule's next run is in the future: the background planner may
/// hold the rows (SKIP LOCKED) while the test's own pass finds nothing, and its runs are
/// visible only once it commits, together with the new next run.
async fn wait_planned(chat: &Chat) {
    use deskmate::kernel::clock::Clock;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        chat.app.plan_schedules_now().await.unwrap();
        let now = chat.clock.now();
        let rows = chat.store().schedules().await.unwrap();
        if rows.iter().all(|r| r.next_run_at.is_none_or(|n| n > now)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "schedules never planned: {rows:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn live(backend: Backend) -> Option<Chat> {
    Chat::start_at(backend, Utc::now(), |_| {}).await
}

async fn reminders_fire_once(backend: Backend) {
    let Some(chat) = live(backend).await else { return };
    let reply = chat.reply("alice", "/remind in 2s water the plants").await;
    assert!(reply.starts_with("I'll remind you on "), "{reply}");
    assert_eq!(
        chat.reply("alice", "/remind in 2s water the plants").await.split(" for ").next(),
        Some("You already have that reminder")
    );
    let seen =
        wait_for(&chat, "the reminder", |s| s.iter().any(|m| m.text().starts_with("Reminder: water the plants"))).await;
    let reminders: Vec<&Sent> = seen.iter().filter(|m| m.text().starts_with("Reminder:")).collect();
    assert!(matches!(&reminders[0].to, Destination::Direct(a) if a.id == "alice"));
    assert!(!reminders[0].text().contains("late"), "on time: {}", reminders[0].text());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let count = chat.console.peek().iter().filter(|m| m.text().starts_with("Reminder:")).count();
    assert_eq!(count, 1, "exactly once");
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_fire_once_sqlite() {
    reminders_fire_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_fire_once_postgres() {
    reminders_fire_once(Backend::Postgres).await;
}

/// A timer that came due while Deskmate was down fires on start, marked late.
async fn overdue_timers_fire_late(backend: Backend) {
    let Some(chat) = live(backend).await else { return };
    chat.say("alice", "/whoami").await;
    let alice = chat.store().person_by_handle(deskmate_port::Platform::Console, "alice").await.unwrap().unwrap();
    let mut tx = chat.store().begin().await.unwrap();
    let due = Utc::now() - chrono::Duration::hours(1);
    // A reminder's timer, as `/remind` sets it.
    let key = deskmate::scheduler::TimerKey::new("reminders", "remind", "overdue-1");
    let reminder = serde_json::json!({ "person": alice.id.0, "text": "standup notes" });
    assert!(chat.app.scheduler.set_timer(&mut tx, &key, due, &reminder).await.unwrap());
    assert!(!chat.app.scheduler.set_timer(&mut tx, &key, due, &reminder).await.unwrap(), "same key, one timer");
    tx.commit().await.unwrap();
    let seen =
        wait_for(&chat, "the late reminder", |s| s.iter().any(|m| m.text().starts_with("Reminder: standup notes")))
            .await;
    let text = seen.iter().find(|m| m.text().starts_with("Reminder: standup notes")).unwrap().text().to_owned();
    assert!(text.contains("(late: this was due at"), "{text}");
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overdue_timers_fire_late_sqlite() {
    overdue_timers_fire_late(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overdue_timers_fire_late_postgres() {
    overdue_timers_fire_late(Backend::Postgres).await;
}

fn daily_nine(name: &str, zone: &str) -> ScheduleEntry {
    ScheduleEntry {
        name: name.to_owned(),
        cron: "0 0 9 * * *".to_owned(),
        timezone: zone.to_owned(),
        job: "announce".to_owned(),
        channel: "console:general".to_owned(),
        text: format!("Good morning from {zone}"),
        catch_up: None,
    }
}

/// A daily 09:00 in Berlin and in New York, planned hour by hour across both DST
/// changes of 2026: one run a day, each at 09:00 local.
async fn daily_schedules_across_dst(backend: Backend) {
    for (from, days) in [((2026, 3, 5), 28), ((2026, 10, 20), 16)] {
        let start = Utc.with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0).single().unwrap();
        let schedules = vec![daily_nine("berlin", "Europe/Berlin"), daily_nine("new-york", "America/New_York")];
        let Some(chat) = Chat::start_at(backend, start, |c| c.schedules = schedules).await else { return };
        for _ in 0..days * 24 {
            chat.clock.advance(chrono::Duration::hours(1));
            wait_planned(&chat).await;
        }
        let runs = chat.app.scheduler.queued_runs(1000).await.unwrap();
        for (name, zone) in [("berlin", chrono_tz::Europe::Berlin), ("new-york", chrono_tz::America::New_York)] {
            let local: Vec<chrono::NaiveDateTime> =
                runs.iter().filter(|(n, _)| n == name).map(|(_, at)| at.with_timezone(&zone).naive_local()).collect();
            assert_eq!(local.len(), days as usize, "{name}: one run a day from {from:?}: {local:?}");
            assert!(local.iter().all(|t| t.hour() == 9 && t.minute() == 0), "{name}: {local:?}");
            for pair in local.windows(2) {
                assert_eq!(pair[0].date().succ_opt(), Some(pair[1].date()), "{name}: consecutive days");
            }
        }
        chat.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn daily_schedules_across_dst_sqlite() {
    daily_schedules_across_dst(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn daily_schedules_across_dst_postgres() {
    daily_schedules_across_dst(Backend::Postgres).await;
}

/// Downtime: the catch-up policy decides what happens to missed runs.
async fn catch_up_after_downtime(backend: Backend) {
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).single().unwrap();
    let mut all = daily_nine("all", "UTC");
    all.catch_up = Some(deskmate::scheduler::calendar::CatchUp::All);
    let mut skip = daily_nine("skip", "UTC");
    skip.catch_up = Some(deskmate::scheduler::calendar::CatchUp::Skip);
    let latest = daily_nine("latest", "UTC");
    let Some(chat) = Chat::start_at(backend, start, |c| c.schedules = vec![all, skip, latest]).await else { return };
    // Down for three and a half days, then one planning pass.
    chat.clock.advance(chrono::Duration::hours(84));
    wait_planned(&chat).await;
    let runs = chat.app.scheduler.queued_runs(100).await.unwrap();
    let count = |name: &str| runs.iter().filter(|(n, _)| n == name).count();
    assert_eq!((count("all"), count("latest"), count("skip")), (4, 1, 0), "{runs:?}");
    let rows = chat.store().schedules().await.unwrap();
    let next = rows.iter().find(|r| r.name == "skip").unwrap().next_run_at.unwrap();
    assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 6, 9, 0, 0).single().unwrap());
    let jobs = chat.reply("alice", "/schedule jobs").await;
    assert!(jobs.contains("skip · announce") && jobs.contains("next 2026-11-06 09:00"), "{jobs}");
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catch_up_after_downtime_sqlite() {
    catch_up_after_downtime(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn catch_up_after_downtime_postgres() {
    catch_up_after_downtime(Backend::Postgres).await;
}

/// The controllable clock: a reminder a day and a week away fires when the clock is
/// moved to it, at once, and not before; a week of the bot's time takes under two
/// seconds of real time (most of it the two checks that nothing else arrives).
async fn advancing_the_clock_fires_what_came_due(chat: common::Chat) {
    let started = std::time::Instant::now();
    assert!(chat.reply("bob", "/remind in 24h renew the parking permit").await.starts_with("I'll remind you on"));
    assert!(chat.reply("bob", "/remind in 7d quarterly report").await.starts_with("I'll remind you on"));
    chat.advance(chrono::Duration::hours(23)).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(chat.sent().is_empty(), "nothing is due after 23 hours");
    chat.advance(chrono::Duration::hours(1)).await;
    let dm = chat.next_dm("bob").await;
    assert_eq!(dm.text(), "Reminder: renew the parking permit");
    chat.advance(chrono::Duration::days(6)).await;
    assert_eq!(chat.next_dm("bob").await.text(), "Reminder: quarterly report");
    // Moved well past a due time, a timer knows it is late.
    assert!(chat.reply("bob", "/remind in 1h stretch").await.starts_with("I'll remind you on"));
    chat.advance(chrono::Duration::hours(3)).await;
    assert!(chat.next_dm("bob").await.text().starts_with("Reminder: stretch\n(late: this was due at"));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(chat.sent().is_empty(), "each fired once");
    eprintln!("a week of the bot's time in {:?} of real time", started.elapsed());
    chat.finish().await;
}
on_both_backends!(controllable_clock, advancing_the_clock_fires_what_came_due);

/// The same told as a story: every message read, the clock moved by the test.
async fn a_reminder_story(mut story: common::story::Story) {
    story.say("bob", "/remind tomorrow 9:00 bring the visitor badges").await;
    let set = story.reply_to("bob").await;
    assert!(set.text().starts_with("I'll remind you on 2026-12-01 09:00 (UTC)"), "{}", set.text());
    story.advance(chrono::Duration::hours(24)).await;
    assert_eq!(story.dm("bob").await.text(), "Reminder: bring the visitor badges");
    story.finish().await;
}
story!(reminder_story, a_reminder_story);
