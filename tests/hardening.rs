//! What people type that the bot must survive, and the limits it keeps: each test here
//! names a defect found by driving the release binary from outside. On SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Chat, Sent};
use deskmate_port::{Account, Destination, EventKind, Inbound, Platform};

async fn event(chat: &Chat, event: deskmate_port::InboundEvent) -> Vec<Sent> {
    chat.app.router.handle(event).await.unwrap();
    chat.app.router.settle().await;
    chat.sent()
}

fn replies(sent: &[Sent]) -> Vec<&str> {
    sent.iter().filter(|s| s.is_reply()).map(|s| s.text()).collect()
}

/// Defects 1 and 2: times past the calendar panicked or were stored as 1970.
async fn far_times_are_refused_not_a_crash(chat: Chat) {
    for line in
        ["/remind in 1000000000d x", "/remind 9999-12-31 23:59 x", "/remind in 99999999h x", "/remind in 11000d x"]
    {
        let reply = chat.reply("bob", line).await;
        assert!(
            reply.contains("too far ahead: dates can be at most 3650 days ahead (until 2036-11-"),
            "{line} → {reply}"
        );
        assert!(reply.contains("Usage: /remind <when> <text>"), "{reply}");
    }
    // The next message is served as usual.
    assert!(chat.reply("bob", "/remind in 2h call Bob's office").await.starts_with("I'll remind you on"));
    chat.finish().await;
}
on_both_backends!(far_times, far_times_are_refused_not_a_crash);

/// Defect 5: an apostrophe opened a quote.
async fn apostrophes_are_text(chat: Chat) {
    let reply = chat.reply("bob", "/ticket new Printer doesn't work").await;
    assert!(reply.starts_with("Ticket #1 opened: Printer doesn't work"), "{reply}");
    let reply = chat.reply("bob", "/ticket new 「会议室 投影仪」 priority:high").await;
    assert!(reply.starts_with("Ticket #2 opened: 会议室 投影仪 (priority high)"), "{reply}");
    chat.finish().await;
}
on_both_backends!(apostrophes, apostrophes_are_text);

/// Defect 7: a typo created a person; 100,000 mentions held the bot and created 100,000.
async fn mentions_create_nobody(chat: Chat) {
    chat.say("alice", "/whoami").await;
    chat.say("bob", "/whoami").await;
    let persons = chat.count("persons").await;
    assert_eq!(
        chat.reply("alice", "/role grant @nobody agent").await,
        "I don't know @nobody yet — they need to write to me once (any message) before I can act on them."
    );
    assert_eq!(chat.count("persons").await, persons);
    // A platform may resolve mentions (Discord's mention data): only a bounded number.
    let mut flood = common::console_event("alice", EventKind::Command { text: "/role grant @bob agent".into() });
    flood.mentions = (0..100_000)
        .map(|i| Account {
            platform: Platform::Console,
            id: format!("m{i}"),
            handle: Some(format!("m{i}")),
            display_name: format!("m{i}"),
        })
        .collect();
    let started = std::time::Instant::now();
    let sent = event(&chat, flood).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused quickly: {:?}", started.elapsed());
    assert_eq!(
        replies(&sent),
        ["That message mentions 100000 people; a command can name at most 20. Nothing was changed."]
    );
    let many_words = format!("/role grant @bob agent {}", "@x ".repeat(30));
    assert!(chat.reply("alice", &many_words).await.contains("mentions 31 people"));
    assert_eq!(chat.count("persons").await, persons, "nobody was registered");
    // A resolved mention (a Discord user option) does register that one person.
    let mut resolved = common::console_event("alice", EventKind::Command { text: "/role grant @dave agent".into() });
    resolved.mentions = vec![Account {
        platform: Platform::Console,
        id: "dave".into(),
        handle: Some("dave".into()),
        display_name: "Dave".into(),
    }];
    assert_eq!(replies(&event(&chat, resolved).await), ["Dave is now an agent."]);
    chat.finish().await;
}
on_both_backends!(mentions, mentions_create_nobody);

/// Defect 8: NUL was stored on SQLite and an internal error on PostgreSQL.
async fn control_characters_are_dropped_alike(chat: Chat) {
    let reply = chat.reply("bob", "/ticket new Print\0er \u{1b}[31mjam\u{7f}").await;
    assert!(reply.starts_with("Ticket #1 opened: Printer [31mjam (priority normal)"), "{reply}");
    let ticket = chat.store().ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.title, "Printer [31mjam");
    // A display name with control characters is cleaned too.
    let mut odd = common::console_event("eve", EventKind::Command { text: "/whoami".into() });
    odd.author.display_name = "Eve\0\nAdmin".into();
    assert!(replies(&event(&chat, odd).await)[0].contains("You are Eve Admin"));
    chat.finish().await;
}
on_both_backends!(control_characters, control_characters_are_dropped_alike);

/// Defect 9: titles were limited, nothing else was.
async fn every_free_text_has_a_limit(chat: Chat) {
    chat.say("carol", "/whoami").await;
    chat.say("alice", "/role grant @carol agent").await;
    chat.say("bob", "/ticket new Broken chair").await;
    let events = chat.count("events").await;
    let cases = [
        (format!("/ticket close 1 {}", "r".repeat(2001)), "The resolution is 2001 characters long; at most 2000"),
        (format!("/ticket close 1 {}", "r".repeat(1_000_000)), "The message is 1000016 characters long; at most 8000"),
        (format!("/dept create {}", "d".repeat(81)), "The department name is 81 characters long; at most 80"),
        (format!("/remind in 1h {}", "t".repeat(501)), "The reminder text is 501 characters long; at most 500"),
        (format!("/ticket new {}", "t".repeat(201)), "The title is 201 characters long; at most 200"),
    ];
    for (line, expected) in cases {
        let who = if line.starts_with("/dept") { "alice" } else { "carol" };
        let reply = chat.reply(who, &line).await;
        assert!(reply.starts_with(expected), "{} → {reply}", &line[..30]);
    }
    // An answer to a question has its limit too.
    chat.press("carol", "tk:claim:1").await;
    let sent = chat.press("carol", "tk:resolve:1").await;
    let prompt = sent.iter().find_map(|s| s.body.prompt.clone()).expect("a question");
    let answer = EventKind::Answer { prompt: Some(prompt.clone()), replied_to: None, text: "a".repeat(2001) };
    let sent = event(&chat, common::console_event("carol", answer)).await;
    assert!(replies(&sent)[0].starts_with("The answer is 2001 characters long; at most 2000"), "{sent:?}");
    assert_eq!(chat.count("events").await, events + 1, "only the claim changed anything");
    let answer = EventKind::Answer { prompt: Some(prompt), replied_to: None, text: "new chair".into() };
    assert!(replies(&event(&chat, common::console_event("carol", answer)).await)[0].starts_with("Ticket #1 resolved"));
    chat.finish().await;
}
on_both_backends!(text_limits, every_free_text_has_a_limit);

/// Defect 10: 5,000 tickets in a row from one person were all accepted.
async fn one_person_cannot_flood(chat: Chat) {
    for i in 1..=3 {
        assert!(chat.reply("bob", &format!("/ticket new Flood {i}")).await.starts_with("Ticket #"));
    }
    let reply = chat.reply("bob", "/ticket new Flood 4").await;
    assert!(reply.starts_with("Slow down: at most 3 new tickets a minute. Try again in "), "{reply}");
    assert!(reply.ends_with("s. Nothing was changed."), "{reply}");
    // Other commands still work for bob, up to the general limit; other people are unaffected.
    assert!(chat.reply("bob", "/whoami").await.contains("You are bob"));
    assert!(chat.reply("carol", "/ticket new Not bob").await.starts_with("Ticket #4"));
    // Admins are exempt.
    for i in 1..=5 {
        assert!(chat.reply("alice", &format!("/ticket new Admin {i}")).await.starts_with("Ticket #"));
    }
    assert_eq!(chat.count("tickets").await, 9);
    // The general limit counts buttons too: bob's three tickets, /whoami and six presses
    // make ten.
    for _ in 0..6 {
        chat.press("bob", "tk:claim:1").await;
    }
    let sent = chat.press("bob", "tk:claim:1").await;
    assert!(sent[0].text().starts_with("Slow down: at most 10 commands a minute"), "{}", sent[0].text());
    chat.finish().await;
}
on_both_backends!(
    rate_limits,
    |c: &mut deskmate::config::Config| {
        c.limits.tickets_per_minute = 3;
        c.limits.commands_per_minute = 10;
    },
    one_person_cannot_flood
);

/// Defect 12: the notice named the assignee as the closer, who was not told; the list
/// header had a double space.
async fn the_closer_is_named_and_the_assignee_told(chat: Chat) {
    chat.say("carol", "/whoami").await;
    chat.say("dave", "/whoami").await;
    chat.say("alice", "/role grant @carol agent").await;
    chat.say("alice", "/role grant @dave agent").await;
    chat.say("bob", "/ticket new Monitor flickers").await;
    chat.press("carol", "tk:claim:1").await;
    let sent = chat.say("dave", "/ticket close 1 new cable").await;
    let notice = sent.iter().find(|s| matches!(s.to, Destination::Edit(_))).expect("the notice is edited");
    assert!(notice.text().contains("Status: closed by dave"), "{}", notice.text());
    let to_carol =
        sent.iter().find(|s| matches!(&s.to, Destination::Direct(a) if a.id == "carol")).expect("carol hears about it");
    assert_eq!(
        to_carol.text(),
        "dave closed ticket #1 (Monitor flickers), which you were working on. Resolution: new cable"
    );
    assert!(sent.iter().any(|s| matches!(&s.to, Destination::Direct(a) if a.id == "bob")), "the requester too");
    let list = chat.reply("dave", "/ticket list status:all").await;
    assert!(list.starts_with("1 ticket:\n#1"), "{list:?}");
    assert!(!list.contains("  "), "{list:?}");
    chat.finish().await;
}
on_both_backends!(closer, the_closer_is_named_and_the_assignee_told);

/// Plain chat in private is a request for the help desk, but a greeting is only offered
/// a ticket (a button), not given one; commands sent in a group's name are explained and
/// register nobody. A re-delivered refusal is not said twice.
async fn plain_text_and_anonymous_commands(chat: Chat) {
    let sent = event(&chat, common::console_event("bob", EventKind::Text { text: "hello there".into() })).await;
    assert_eq!(
        replies(&sent),
        ["Shall I open a ticket for “hello there”? Press the button, or tell me in a sentence what you need help \
          with. /help shows every command."]
    );
    assert_eq!(chat.count("tickets").await, 0);
    let persons = chat.count("persons").await;
    let anonymous = common::console_event("group", EventKind::Anonymous { text: "/ticket new From the group".into() });
    let sent = event(&chat, anonymous).await;
    assert!(replies(&sent)[0].starts_with("You are writing as the group"), "{sent:?}");
    assert_eq!(chat.count("persons").await, persons, "nobody registered for the group");
    assert_eq!(chat.count("tickets").await, 0);

    let refused = common::console_event("bob", EventKind::Command { text: "/ticket claim 1".into() });
    let first = event(&chat, refused.clone()).await;
    assert_eq!(replies(&first).len(), 1);
    assert!(event(&chat, refused).await.is_empty(), "a re-delivered refusal is not said again");
    chat.finish().await;
}
on_both_backends!(plain_text, plain_text_and_anonymous_commands);

/// With the help desk's direct intake off, chat is explained instead.
async fn chat_explained(chat: Chat) {
    let sent = event(&chat, common::console_event("bob", EventKind::Text { text: "my VPN is down".into() })).await;
    assert_eq!(replies(&sent), ["I read commands, not chat: they start with /. Send /help to see them all."]);
    assert_eq!(chat.count("tickets").await, 0);
    chat.finish().await;
}
on_both_backends!(
    plain_text_without_intake,
    |c: &mut deskmate::config::Config| c.tickets.direct_intake = false,
    chat_explained
);

/// The whole router on random input, for a bounded number of events: command lines
/// built from real command words and random text (quotes, mentions, dates, control
/// characters, every script), random button ids and random answers. Nothing may panic
/// (a panic is caught per event and recorded as a failed event), and every event is
/// taken.
async fn random_input_never_breaks_the_router(chat: Chat) {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    let words = proptest::sample::select(vec![
        "/ticket",
        "new",
        "list",
        "show",
        "claim",
        "close",
        "/remind",
        "in",
        "tomorrow",
        "next",
        "monday",
        "9:00",
        "2h",
        "1000000000d",
        "9999-12-31",
        "/role",
        "grant",
        "revoke",
        "@alice",
        "@bob",
        "@",
        "agent",
        "admin",
        "/dept",
        "create",
        "add",
        "set-manager",
        "/tz",
        "set",
        "Asia/Shanghai",
        "/link",
        "/help",
        "/whoami",
        "/whereami",
        "/schedule",
        "jobs",
        "priority:high",
        "status:all",
        "mine:yes",
        "\"",
        "'",
        "「",
        "」",
        "“",
        "#1",
        "-1",
        "0",
        "99999999999999999999",
        "\u{0}",
        "\u{1b}",
        "é",
        "中文",
        "🎫",
        "\\",
        ":",
    ]);
    let noise = proptest::string::string_regex("\\PC{0,12}").unwrap();
    let token = proptest::prop_oneof![3 => words.prop_map(str::to_owned), 1 => noise];
    let line = proptest::collection::vec(token, 0..8).prop_map(|t| t.join(" "));
    let button = proptest::string::string_regex("(claim|resolve|[a-z]{0,6}):[0-9a-z-]{0,12}|\\PC{0,20}").unwrap();
    let mut runner = TestRunner::deterministic();
    let who = ["alice", "bob", "carol"];
    chat.say("carol", "/whoami").await;
    chat.say("alice", "/role grant @carol agent").await;
    let cases = 400;
    for i in 0..cases {
        let person = who[i % who.len()];
        let kind = match i % 5 {
            0 => EventKind::Button { button_id: button.new_tree(&mut runner).unwrap().current(), message: None },
            1 => EventKind::Answer {
                prompt: Some(format!("{}", i % 7)),
                replied_to: None,
                text: line.new_tree(&mut runner).unwrap().current(),
            },
            _ => EventKind::Command { text: line.new_tree(&mut runner).unwrap().current() },
        };
        let event = common::console_event(person, kind.clone());
        let taken = chat.app.router.handle(event).await;
        assert!(taken.is_ok(), "{kind:?} was not taken: {taken:?}");
    }
    chat.app.router.settle().await;
    chat.sent();
    assert_eq!(chat.count("failed_events").await, 0, "no event panicked");
    chat.finish().await;
}
on_both_backends!(fuzz, random_input_never_breaks_the_router);
