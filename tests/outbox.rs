//! The outbox and its dispatcher: retries as the platform asks, dead letters, restarts
//! and takeovers without loss or repeats, floods paced and summed up. SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{Chat, Sent};
use deskmate_port::{Destination, Inbound, Platform, SendError};

fn on_telegram_queue(sent: &[Sent]) -> Vec<&Sent> {
    sent.iter().filter(|s| matches!(&s.to, Destination::Channel(c) if c.platform == Platform::Telegram)).collect()
}

async fn settle_after(chat: &Chat, secs: i64) -> Vec<Sent> {
    chat.clock.advance(chrono::Duration::seconds(secs));
    chat.app.router.settle().await;
    chat.sent()
}

async fn slowdowns_are_obeyed_and_failures_retried(chat: Chat) {
    chat.say("alice", "/whoami").await;
    chat.telegram.fail_next([
        SendError::RateLimited { retry_after_secs: 5 },
        SendError::Transient("502 Bad Gateway".to_owned()),
    ]);
    let sent = chat.say("alice", "/ticket new VPN down").await;
    let replied = sent.iter().any(|s| s.is_reply() && s.text().starts_with("Ticket #1 opened"));
    assert!(replied, "the reply is not held up: {sent:#?}");
    assert!(on_telegram_queue(&sent).is_empty(), "429: nothing posted yet");

    // Four seconds later the platform's five have not passed: no new attempt.
    assert!(on_telegram_queue(&settle_after(&chat, 4).await).is_empty());
    // At five seconds it is tried again and meets a 502; the backoff is 1–2 s.
    assert!(on_telegram_queue(&settle_after(&chat, 1).await).is_empty());
    let sent = settle_after(&chat, 2).await;
    let posts = on_telegram_queue(&sent);
    assert_eq!(posts.len(), 1, "delivered once after the retries: {sent:#?}");
    assert!(posts[0].text().contains("Ticket #1 · VPN down"));
    // Nothing else goes out later.
    assert!(on_telegram_queue(&settle_after(&chat, 600).await).is_empty());
    let stats = chat.store().outbox_stats().await.unwrap();
    assert_eq!((stats.pending, stats.dead), (0, 0));
    chat.finish().await;
}
on_both_backends!(retries, slowdowns_are_obeyed_and_failures_retried);

async fn permanent_failures_are_dead_lettered_and_admins_told(chat: Chat) {
    chat.say("alice", "/whoami").await;
    chat.telegram.fail_next([SendError::Rejected("Bad Request: chat not found".to_owned())]);
    let sent = chat.say("bob", "/ticket new Projector bulb").await;
    assert!(on_telegram_queue(&sent).is_empty());
    let told = sent
        .iter()
        .find(|s| matches!(&s.to, Destination::Direct(a) if a.id == "alice"))
        .unwrap_or_else(|| panic!("alice (admin) hears about it: {sent:#?}"));
    assert!(
        told.text().contains("could not be delivered") && told.text().contains("chat not found"),
        "{}",
        told.text()
    );
    let dead = chat.store().outbox_dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0].0.body.text.contains("Projector bulb") && dead[0].1.contains("chat not found"));

    // Failing every time ends the same way after max_attempts (3 here).
    chat.telegram.fail_next((0..3).map(|i| SendError::Transient(format!("503 #{i}"))));
    chat.say("bob", "/ticket new Second").await;
    chat.sent();
    settle_after(&chat, 5).await;
    let sent = settle_after(&chat, 10).await;
    assert!(sent.iter().any(|s| s.text().contains("503 #2")), "admins told after the last attempt: {sent:#?}");
    assert_eq!(chat.store().outbox_dead_letters(10).await.unwrap().len(), 2);
    chat.finish().await;
}

on_both_backends!(
    dead_letters,
    |c: &mut deskmate::config::Config| c.outbox.max_attempts = 3,
    permanent_failures_are_dead_lettered_and_admins_told
);

/// The first instance dies in the middle of a burst (its sends hang forever, its leases
/// stop being renewed); a second instance takes the lane over once the lease expires and
/// delivers the rest: every notice once, none lost.
async fn a_restart_mid_burst_loses_nothing_and_repeats_nothing(chat: Chat) {
    chat.say("alice", "/whoami").await;
    chat.telegram.hang_after(10);
    for i in 1..=40 {
        chat.app
            .router
            .handle(common::console_event(
                "alice",
                deskmate_port::EventKind::Command { text: format!("/ticket new Burst {i}") },
            ))
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first: Vec<Sent> = chat
        .telegram
        .peek()
        .into_iter()
        .filter(|s| matches!(&s.to, Destination::Channel(c) if c.platform == Platform::Telegram))
        .collect();
    assert_eq!(first.len(), 10, "the first instance got ten out before it died");

    chat.app.halt().await;
    let (second, recorder) = chat.another_instance("second", |_| {}).await;
    // Within the lease the lane is still the first instance's.
    second.router.settle().await;
    assert!(on_telegram_queue(&recorder.peek()).is_empty(), "no takeover before the lease expires");
    chat.clock.advance(chrono::Duration::seconds(31));
    second.dispatcher.poke();
    assert!(second.dispatcher.drain(Duration::from_secs(20)).await, "the second instance drains the outbox");
    let rest = recorder.peek();
    let rest = on_telegram_queue(&rest);
    assert_eq!(rest.len(), 30, "the other thirty, once each");
    let keys: HashSet<&str> = first.iter().map(|s| s.key.as_str()).chain(rest.iter().map(|s| s.key.as_str())).collect();
    assert_eq!(keys.len(), 40, "no notice twice");
    for i in 1..=40 {
        let title = format!("· Burst {i}\n");
        assert!(
            first.iter().chain(rest.iter().copied()).any(|s| s.text().contains(&title)),
            "ticket {i} was announced"
        );
    }
    second.shutdown().await;
    chat.db.drop_db().await;
}
on_both_backends!(restart_mid_burst, a_restart_mid_burst_loses_nothing_and_repeats_nothing);

/// An instance keeps a lane's lease between flushes (its next message needs no new one),
/// and gives them all back when it stops gracefully: the next instance sends in those
/// lanes at once, not after the lease lapses.
async fn a_graceful_stop_hands_its_lanes_over(chat: Chat) {
    let sent = chat.say("alice", "/ticket new First").await;
    assert_eq!(on_telegram_queue(&sent).len(), 1, "the first notice is out");
    assert!(chat.app.shutdown().await, "the first instance stops with nothing left");

    let (second, recorder) = chat.another_instance("second", |_| {}).await;
    second
        .router
        .handle(common::console_event(
            "alice",
            deskmate_port::EventKind::Command { text: "/ticket new Second".to_owned() },
        ))
        .await
        .unwrap();
    // The clock stands still: a lease still held would keep the queue lane for 30 s.
    assert!(second.dispatcher.drain(Duration::from_secs(10)).await, "the second instance sends in the queue lane");
    let notices = recorder.peek();
    let notices = on_telegram_queue(&notices);
    assert_eq!(notices.len(), 1);
    assert!(notices[0].text().contains("Second"), "{notices:?}");
    second.shutdown().await;
    chat.db.drop_db().await;
}
on_both_backends!(graceful_stop_hands_lanes_over, a_graceful_stop_hands_its_lanes_over);

/// A reply whose send dies after the command committed stays in the outbox and reaches
/// the user from the next instance. The event itself was taken at commit: the reader was
/// not held by the hanging send.
async fn a_crash_between_commit_and_reply_keeps_the_reply(chat: Chat) {
    chat.say("alice", "/whoami").await;
    chat.console.hang();
    let handled = tokio::time::timeout(
        Duration::from_millis(500),
        chat.app.router.handle(common::console_event(
            "alice",
            deskmate_port::EventKind::Command { text: "/ticket new Lost reply?".into() },
        )),
    )
    .await;
    assert!(matches!(handled, Ok(Ok(()))), "taken at commit, though its reply's send hangs: {handled:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let opened = chat.console.peek().iter().filter(|s| s.text().starts_with("Ticket #1 opened")).count();
    assert_eq!(opened, 0, "the send hangs: the process is as good as dead");
    assert!(
        chat.store().ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().is_some(),
        "the ticket was committed"
    );
    chat.app.halt().await;
    let (second, recorder) = chat.another_instance("second", |_| {}).await;
    chat.clock.advance(chrono::Duration::seconds(31));
    assert!(second.dispatcher.drain(Duration::from_secs(10)).await);
    let replies: Vec<Sent> = recorder.peek().into_iter().filter(|s| s.is_reply()).collect();
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert!(replies[0].text().starts_with("Ticket #1 opened: Lost reply?"));
    second.shutdown().await;
    chat.db.drop_db().await;
}
on_both_backends!(reply_survives_crash, a_crash_between_commit_and_reply_keeps_the_reply);

/// 500 tickets flood a Telegram group limited to 20 messages a minute: every person gets
/// their reply at once, nothing is dropped, and the group receives a few messages at
/// least three seconds apart, the flood summed up.
async fn a_flood_is_paced_and_summed_up(chat: Chat) {
    chat.say("alice", "/whoami").await;
    let started = std::time::Instant::now();
    for i in 1..=500 {
        let handled = chat
            .app
            .router
            .handle_event(common::console_event(
                "alice",
                deskmate_port::EventKind::Command { text: format!("/ticket new Flood {i}") },
            ))
            .await
            .unwrap();
        chat.app.dispatcher.send_now(&handled.queued).await;
        chat.app.dispatcher.poke();
        let reply = chat.console.peek().into_iter().rev().find(|s| s.is_reply()).unwrap();
        assert!(reply.text().starts_with(&format!("Ticket #{i} opened")), "reply {i} went out with its command");
    }
    let typing = started.elapsed();
    // Wait for the queue lane to empty (bounded).
    // What is left below the coalescing threshold goes out one by one at the lane's pace:
    // at most 15 s here (5 messages at 20/min), plus a summary.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if chat.store().outbox_lane_depth(Platform::Telegram, "-100500").await.unwrap() == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the flood never drained");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(chat.app.dispatcher.drain(Duration::from_secs(10)).await);
    let group: Vec<Sent> = chat
        .telegram
        .peek()
        .into_iter()
        .filter(|s| matches!(&s.to, Destination::Channel(c) if c.platform == Platform::Telegram))
        .collect();
    assert!(
        group.len() <= 2 + (started.elapsed().as_secs() as usize) / 3 + 1,
        "{} messages in {:?}",
        group.len(),
        started.elapsed()
    );
    for pair in group.windows(2) {
        assert!(
            pair[1].at - pair[0].at >= Duration::from_millis(2900),
            "paced at 20/min: {:?}",
            pair[1].at - pair[0].at
        );
    }
    // Every ticket is announced, alone or in a summary.
    let mut covered = HashSet::new();
    for message in &group {
        let text = message.text();
        if let Some(rest) = text.strip_prefix("Ticket #") {
            covered.insert(rest.split_whitespace().next().unwrap().parse::<i64>().unwrap());
        } else {
            assert!(text.contains("new tickets:"), "{text}");
            let list = text.split("new tickets: ").nth(1).unwrap().split(". ").next().unwrap();
            for part in list.split(", ") {
                let (a, b) = part.split_once('–').unwrap_or((part, part));
                let (a, b): (i64, i64) =
                    (a.trim_start_matches('#').parse().unwrap(), b.trim_start_matches('#').parse().unwrap());
                covered.extend(a..=b);
            }
        }
    }
    assert_eq!(covered, (1..=500).collect::<HashSet<i64>>(), "nothing dropped");
    assert!(group.iter().any(|m| m.text().contains("new tickets:")), "the flood was summed up");
    eprintln!("flood: 500 tickets typed in {typing:?}; the group got {} messages", group.len());
    chat.finish().await;
}

fn paced_like_telegram(c: &mut deskmate::config::Config) {
    c.pacing.telegram_group_per_minute = 20;
    c.pacing.telegram_global_per_second = 30;
    c.pacing.coalesce_after_seconds = 15;
}
on_both_backends!(flood, paced_like_telegram, a_flood_is_paced_and_summed_up);

/// A notice goes to every channel of its audience, a named group from the config; an
/// audience the config does not name posts nothing (and says so in the log).
async fn notices_reach_their_audience(chat: Chat) {
    use deskmate::kernel::{Audience, Effect, Subject};
    let notice = |audience: &'static str, text: &str| Effect::Notice {
        audience: Audience(audience),
        subject: Subject::new("test", 1),
        body: deskmate_port::Body::text(text).into(),
        coalesce: None,
    };
    chat.app
        .announce("test:audience", &[notice("approvals", "Leave request #1"), notice("nobody", "Lost")])
        .await
        .unwrap();
    chat.app.router.settle().await;
    let sent = chat.sent();
    let mut channels: Vec<String> = sent
        .iter()
        .filter(|s| s.text() == "Leave request #1")
        .map(|s| match &s.to {
            Destination::Channel(c) => format!("{}:{}", c.platform, c.id),
            other => panic!("{other:?}"),
        })
        .collect();
    channels.sort();
    assert_eq!(channels, ["console:approvals", "telegram:-100700"]);
    assert!(!sent.iter().any(|s| s.text() == "Lost"));
    chat.finish().await;
}
on_both_backends!(
    audiences,
    |c: &mut deskmate::config::Config| {
        c.channels.groups = vec!["approvals=console:approvals".into(), "Approvals=telegram:-100700".into()];
    },
    notices_reach_their_audience
);
