//! Tickets as people use them, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Chat, Sent};
use deskmate::features::tickets::{TicketId, TicketStatus};
use deskmate_port::{ButtonStyle, Destination, Platform};

fn queue_posts(sent: &[Sent]) -> Vec<&Sent> {
    sent.iter().filter(|s| matches!(&s.to, Destination::Channel(c) if c.id == "queue" || c.id == "-100500")).collect()
}

fn edits(sent: &[Sent]) -> Vec<&Sent> {
    sent.iter().filter(|s| matches!(s.to, Destination::Edit(_))).collect()
}

async fn make_agent(chat: &Chat, who: &str) {
    chat.say(who, "/whoami").await;
    let reply = chat.reply("alice", &format!("/role grant @{who} agent")).await;
    assert_eq!(reply, format!("{who} is now an agent."));
}

async fn the_done_when_story(chat: Chat) {
    // /help lists the commands.
    let help = chat.reply("alice", "/help").await;
    for name in ["/ticket", "/whoami", "/role", "/dept", "/tz", "/link", "/help"] {
        assert!(help.contains(name), "{help}");
    }

    // alice opens ticket #1; a notice with a Claim button reaches each queue channel.
    let sent = chat.say("alice", "/ticket new Printer on 3F is jammed").await;
    // The reply and the notices go out side by side; their order is not fixed.
    let reply = sent.iter().find(|s| s.is_reply()).expect("a reply");
    assert!(reply.text().starts_with("Ticket #1 opened: Printer on 3F is jammed"), "{sent:#?}");
    let posts = queue_posts(&sent);
    assert_eq!(posts.len(), 2, "console and telegram queues: {sent:#?}");
    for post in &posts {
        assert!(post.text().contains("Ticket #1 · Printer on 3F is jammed"));
        assert!(post.text().contains("open, waiting for an agent"));
        assert_eq!(post.body.buttons.len(), 1);
        assert_eq!(post.body.buttons[0].label, "Claim");
        assert_eq!(post.body.buttons[0].style, ButtonStyle::Primary);
    }
    let claim = posts[0].body.buttons[0].id.clone();

    // bob, plain staff, presses Claim: refused privately, nothing changes.
    chat.say("bob", "/whoami").await;
    let events_before = chat.count("events").await;
    let sent = chat.press("bob", &claim).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert!(sent[0].is_private());
    assert!(sent[0].text().contains("Only agents"), "{}", sent[0].text());
    let ticket = chat.store().ticket(TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::Open);
    assert!(ticket.assignee.is_none());
    assert_eq!(chat.count("events").await, events_before);

    // carol, an agent, presses Claim: she gets it and both notices are edited in place.
    make_agent(&chat, "carol").await;
    let sent = chat.press("carol", &claim).await;
    let reply: Vec<&Sent> = sent.iter().filter(|s| s.is_reply()).collect();
    assert_eq!(reply.len(), 1);
    assert!(reply[0].is_private());
    assert_eq!(reply[0].text(), "You claimed ticket #1: Printer on 3F is jammed.");
    let edited = edits(&sent);
    assert_eq!(edited.len(), 2, "{sent:#?}");
    for edit in &edited {
        let Destination::Edit(target) = &edit.to else { unreachable!() };
        let post = posts
            .iter()
            .find(|p| matches!(&p.to, Destination::Channel(c) if *c == target.channel))
            .expect("an edit of a posted notice");
        assert_eq!(target.message_id, post.id, "the edit targets the posted notice");
        assert!(edit.text().contains("claimed by carol"), "{}", edit.text());
        let buttons: Vec<&str> = edit.body.buttons.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(buttons, vec!["tk:resolve:1"], "Claim gives way to Resolve once claimed");
    }
    // The requester hears about it directly.
    assert!(sent.iter().any(|s| matches!(&s.to, Destination::Direct(a) if a.id == "alice")
        && s.text().contains("carol is now working on your ticket #1")));

    // A second press, now by another agent: told who has it.
    make_agent(&chat, "dave").await;
    let sent = chat.press("dave", &claim).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].text(), "Ticket #1 is already claimed by carol.");

    // Closing works and edits the notices again.
    let sent = chat.say("carol", "/ticket close 1 replaced the roller").await;
    let reply = sent.iter().find(|s| s.is_reply()).expect("a reply");
    assert_eq!(reply.text(), "Ticket #1 closed. Resolution: replaced the roller");
    let edited = edits(&sent);
    assert_eq!(edited.len(), 2);
    assert!(
        edited[0].text().contains("closed by carol") && edited[0].text().contains("Resolution: replaced the roller")
    );
    let ticket = chat.store().ticket(TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::Closed);
    assert_eq!(ticket.resolution.as_deref(), Some("replaced the roller"));

    // Claiming a closed ticket is refused.
    assert_eq!(
        chat.reply("dave", "/ticket claim 1").await,
        "Ticket #1 is closed, so it cannot be claimed now. What can be done now: /ticket reopen 1"
    );

    // The event log has who, what, when and from where.
    let log = chat.store().events(deskmate::features::tickets::ticket_subject(TicketId(1))).await.unwrap();
    let actions: Vec<(&str, Option<&str>)> = log.iter().map(|e| (e.action.as_str(), e.actor.as_deref())).collect();
    assert_eq!(
        actions,
        vec![("ticket.open", Some("alice")), ("ticket.claim", Some("carol")), ("ticket.close", Some("carol"))]
    );
    assert!(log.iter().all(|e| e.platform == Platform::Console && e.at == chat.clock_now()));
    chat.finish().await;
}
on_both_backends!(done_when_story, the_done_when_story);

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc>;
}

impl ClockNow for Chat {
    fn clock_now(&self) -> chrono::DateTime<chrono::Utc> {
        use deskmate::kernel::clock::Clock;
        self.clock.now()
    }
}

async fn bad_input_changes_nothing(chat: Chat) {
    chat.say("alice", "/ticket new First").await;
    make_agent(&chat, "carol").await;
    let tickets = chat.count("tickets").await;
    let events = chat.count("events").await;
    let cases = [
        ("/ticket new", "<title> is missing", "Usage: /ticket new <title> [priority:low|normal|high|urgent]"),
        ("/ticket new Broken priority:meh", "`meh` is not one of low, normal, high, urgent", "Usage: /ticket new"),
        ("/ticket claim abc", "`abc` is not a ticket number", "Usage: /ticket claim <id>"),
        ("/ticket close", "<id> is missing", "Usage: /ticket close <id> [resolution]"),
        ("/ticket frobnicate 1", "unknown subcommand `frobnicate`", "Usage: /ticket new"),
        ("/ticket shwo 1", "did you mean `show`?", "Usage:"),
        ("/ticket new \"unclosed", "quote is not closed", "Usage: /ticket"),
        ("/role grant carol agent", "not a mention", "Usage: /role grant <@person> <agent|manager|admin>"),
        ("/tz set Moon/Base", "not an IANA time zone", "Usage: /tz set <zone>"),
    ];
    for (input, problem, usage) in cases {
        let reply = chat.reply("carol", input).await;
        assert!(reply.contains(problem) && reply.contains(usage), "{input} → {reply}");
    }
    assert_eq!(
        chat.reply("carol", "/tikcet list").await,
        "I don't know /tikcet. Did you mean /ticket? (/help lists everything)"
    );
    assert_eq!(chat.reply("carol", "/ticket claim 99").await, "There is no ticket #99.");
    assert_eq!(chat.reply("carol", "/ticket close 99").await, "There is no ticket #99.");
    assert_eq!(chat.reply("carol", "/ticket show 99").await, "There is no ticket #99.");
    // A forged or stale button id.
    let sent = chat.press("carol", "tk:claim:999").await;
    assert_eq!(sent[0].text(), "There is no ticket #999.");
    let sent = chat.press("carol", "explode:1").await;
    assert_eq!(sent[0].text(), "That button is no longer valid.");
    // A title too long for a notice.
    let long = "x".repeat(201);
    assert!(chat.reply("alice", &format!("/ticket new {long}")).await.contains("201 characters"));
    assert_eq!(chat.count("tickets").await, tickets);
    assert_eq!(chat.count("events").await, events);
    chat.finish().await;
}
on_both_backends!(bad_input, bad_input_changes_nothing);

async fn who_sees_and_closes_what(chat: Chat) {
    chat.say("alice", "/ticket new VPN drops every hour priority:high").await;
    chat.say("bob", "/ticket new Need a second monitor priority:low").await;
    make_agent(&chat, "carol").await;

    // Staff see their own tickets; agents see the queue.
    let bob_list = chat.reply("bob", "/ticket list").await;
    assert!(bob_list.contains("#2") && !bob_list.contains("#1"), "{bob_list}");
    let carol_list = chat.reply("carol", "/ticket list").await;
    assert!(carol_list.starts_with("2 active tickets:") && carol_list.contains("#1 [high]"), "{carol_list}");
    assert!(chat.reply("carol", "/ticket list mine:yes").await.contains("No"), "carol holds none yet");

    // Staff cannot read someone else's ticket or close it; the requester can withdraw.
    assert!(chat.reply("bob", "/ticket show 1").await.contains("not yours"));
    assert!(chat.reply("bob", "/ticket close 1").await.contains("Only agents, or the person who opened"));
    assert_eq!(
        chat.reply("bob", "/ticket close 2 bought one myself").await,
        "Ticket #2 closed. Resolution: bought one myself"
    );
    let closed = chat.reply("carol", "/ticket list status:closed").await;
    assert!(closed.contains("#2") && !closed.contains("#1"), "{closed}");
    let details = chat.reply("alice", "/ticket show #1").await;
    assert!(
        details.contains("Requester: alice")
            && details.contains("Agent: nobody yet")
            && details.contains("alice opened it via console"),
        "{details}"
    );
    chat.finish().await;
}
on_both_backends!(visibility, who_sees_and_closes_what);

/// Eight agents press Claim on one ticket at the same moment: exactly one wins and every
/// other is told who has it.
async fn concurrent_claims(chat: Chat) {
    chat.say("alice", "/ticket new Server room is hot").await;
    let agents: Vec<String> = (1..=8).map(|i| format!("agent{i}")).collect();
    for a in &agents {
        make_agent(&chat, a).await;
    }
    chat.sent();
    let chat = std::sync::Arc::new(chat);
    let mut tasks = Vec::new();
    for a in agents.clone() {
        let chat = chat.clone();
        tasks.push(tokio::spawn(async move {
            let event = common::console_event(
                &a,
                deskmate_port::EventKind::Button { button_id: "tk:claim:1".into(), message: None },
            );
            chat.app.router.handle_event(event).await.expect("taken").effects
        }));
    }
    let mut winners = Vec::new();
    let mut told = Vec::new();
    for (task, agent) in tasks.into_iter().zip(&agents) {
        let effects = task.await.unwrap();
        let text = match &effects[0] {
            deskmate::kernel::Effect::Reply { body, .. } | deskmate::kernel::Effect::Refusal { body, .. } => {
                let reader = deskmate::kernel::Reader { lang: deskmate::kernel::Lang::En, tz: chrono_tz::UTC };
                body.for_reader(reader).text
            }
            other => panic!("{other:?}"),
        };
        if text.starts_with("You claimed") {
            winners.push(agent.clone());
        } else {
            told.push(text);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner: {winners:?} / {told:?}");
    let expected = format!("Ticket #1 is already claimed by {}.", winners[0]);
    assert!(told.iter().all(|t| *t == expected), "{told:?}");
    let ticket = chat.store().ticket(TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.assignee.map(|a| a.name), Some(winners[0].clone()));
    assert_eq!(
        chat.store()
            .events(deskmate::features::tickets::ticket_subject(TicketId(1)))
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "ticket.claim")
            .count(),
        1
    );
    if let Ok(chat) = std::sync::Arc::try_unwrap(chat) {
        chat.finish().await;
    }
}
on_both_backends!(concurrency, concurrent_claims);

async fn data_survives_a_restart(chat: Chat) {
    chat.say("alice", "/ticket new Keyboard missing keys").await;
    let url = chat.db.url.clone();
    chat.app.shutdown().await;
    // A second start on the same database: migrations are already applied, data is there.
    let config = common::config_for(&url);
    let recorder = common::Recorder::new(Platform::Console);
    let app = deskmate::App::start(
        &config,
        std::sync::Arc::new(chat.clock.clone()),
        vec![std::sync::Arc::new(recorder.clone())],
    )
    .await
    .unwrap();
    let ticket = app.store.ticket(TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.title, "Keyboard missing keys");
    use deskmate_port::Inbound;
    app.router
        .handle_answered(common::console_event(
            "alice",
            deskmate_port::EventKind::Command { text: "/ticket new Second".into() },
        ))
        .await
        .unwrap();
    // The reply is out when the event returns; the queue's notice may have gone first.
    let sent = recorder.take();
    assert!(sent.iter().any(|s| s.is_reply() && s.text().starts_with("Ticket #2 opened")), "{sent:#?}");
    app.shutdown().await;
    chat.db.drop_db().await;
}
on_both_backends!(restart, data_survives_a_restart);

/// The same update delivered twice (a platform re-sending after a crash) is applied once.
async fn a_redelivered_event_is_applied_once(chat: Chat) {
    use deskmate_port::Inbound;
    chat.say("alice", "/whoami").await;
    let event =
        common::console_event("alice", deskmate_port::EventKind::Command { text: "/ticket new Only once".into() });
    chat.app.router.handle(event.clone()).await.unwrap();
    chat.app.router.handle(event).await.unwrap();
    chat.app.router.settle().await;
    let sent = chat.sent();
    assert_eq!(sent.iter().filter(|s| s.is_reply()).count(), 1, "{sent:#?}");
    assert_eq!(chat.count("tickets").await, 1);
    chat.finish().await;
}
on_both_backends!(redelivery, a_redelivered_event_is_applied_once);

/// A ticket's life read like a chat, every message the bot sends read in turn.
async fn a_ticket_told_as_a_story(mut story: common::story::Story) {
    story.say("carol", "/whoami").await;
    story.reply_to("carol").await;
    story.say("alice", "/role grant @carol agent").await;
    assert_eq!(story.reply_to("alice").await.text(), "carol is now an agent.");

    story.say("alice", "/ticket new Printer on 3F is jammed priority:high").await;
    let said = story.reply_to("alice").await.text().to_owned();
    insta::allow_duplicates! { insta::assert_snapshot!(said, @"Ticket #1 opened: Printer on 3F is jammed (priority high). The support team has been notified.") };
    let notice = story.post_in("queue").await;
    let said = notice.text();
    insta::allow_duplicates! { insta::assert_snapshot!(said, @r"
    Ticket #1 · Printer on 3F is jammed
    Priority: high · Status: open, waiting for an agent
    Opened by alice
    First response due by Mon 30 Nov 2026 10:00 (UTC, business hours)
    ") };
    story.post_in("-100500").await;

    story.say("bob", "/whoami").await;
    story.reply_to("bob").await;
    story.press("bob", "Claim").await;
    let refused = story.reply_to("bob").await;
    assert!(refused.is_private() || matches!(refused.to, deskmate_port::Destination::Reply { quiet: true, .. }));
    let said = refused.text();
    insta::allow_duplicates! { insta::assert_snapshot!(said, @"Only agents can use /ticket claim. Ask an admin if you need the agent role.") };

    story.press("carol", "Claim").await;
    assert_eq!(story.reply_to("carol").await.text(), "You claimed ticket #1: Printer on 3F is jammed.");
    for _ in 0..2 {
        assert!(story.edit().await.text().contains("Status: claimed by carol"));
    }
    let said = story.dm("alice").await.text().to_owned();
    insta::allow_duplicates! { insta::assert_snapshot!(said, @"carol is now working on your ticket #1: Printer on 3F is jammed.") };

    story.press("carol", "Resolve").await;
    let said = story.reply_to("carol").await.text().to_owned();
    insta::allow_duplicates! { insta::assert_snapshot!(said, @"How was ticket #1 (Printer on 3F is jammed) resolved? Reply to this message with a short note; it resolves the ticket, and its requester is told.") };
    story.answer("carol", "Cleared the paper path").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Ticket #1 resolved. Resolution: Cleared the paper path\nalice can reopen it if it is not fixed."
    );
    for _ in 0..2 {
        let edit = story.edit().await;
        assert!(edit.text().contains("Status: resolved by carol") && edit.body.buttons.is_empty(), "{edit:?}");
    }
    story.dm("alice").await;
    assert!(story.dm("alice").await.text().starts_with("How did we do on ticket #1"), "asked to rate it");
    story.finish().await;
}
story!(ticket_story, a_ticket_told_as_a_story);

/// bob reads Chinese, carol English, and the support queue's channels Chinese
/// (`[channels] languages`): each reads the same ticket in their own language, and its
/// edits keep the channels'.
async fn each_in_their_language(chat: Chat) {
    make_agent(&chat, "carol").await;
    assert_eq!(chat.reply("bob", "/lang zh-CN").await, "好的，以后我用简体中文和你交流。");
    let sent = chat.say("bob", "/ticket new 三楼打印机卡纸 priority:high").await;
    let reply = sent.iter().find(|s| s.is_reply()).expect("a reply");
    assert_eq!(reply.text(), "工单 #1 已提交：三楼打印机卡纸（优先级：高）。已通知支持团队。");
    let posts = queue_posts(&sent);
    let console = posts.iter().find(|p| p.platform == Platform::Console).unwrap();
    assert_eq!(
        console.text(),
        "工单 #1 · 三楼打印机卡纸\n优先级：高 · 状态：待处理，等待客服认领\n提交人：bob\n\
         首次响应截止：2026年11月30日（周一）10:00（UTC，按工作时间计）"
    );
    assert_eq!(console.body.buttons[0].label, "认领");
    let telegram = posts.iter().find(|p| p.platform == Platform::Telegram).unwrap();
    assert_eq!(telegram.text(), console.text());

    let sent = chat.say("carol", "/ticket claim 1").await;
    assert!(sent.iter().any(|s| s.is_reply() && s.text() == "You claimed ticket #1: 三楼打印机卡纸."), "{sent:#?}");
    let told = sent.iter().find(|s| matches!(&s.to, Destination::Direct(a) if a.id == "bob")).unwrap();
    assert_eq!(told.text(), "carol 正在处理你的工单 #1：三楼打印机卡纸。");
    let edited: Vec<&str> = edits(&sent).iter().map(|e| e.text()).collect();
    assert_eq!(edited.len(), 2, "{edited:?}");
    assert!(edited.iter().all(|t| t.contains("状态：已由 carol 认领")), "{edited:?}");

    let sent = chat.say("carol", "/ticket close 1 换了新的硒鼓").await;
    let told = sent.iter().find(|s| matches!(&s.to, Destination::Direct(a) if a.id == "bob")).unwrap();
    assert_eq!(told.text(), "carol 关闭了你的工单 #1（三楼打印机卡纸）。处理结果：换了新的硒鼓");
    assert_eq!(
        chat.reply("bob", "/ticket show 1").await.lines().take(5).collect::<Vec<_>>(),
        [
            "工单 #1 · 三楼打印机卡纸",
            "优先级：高 · 状态：已关闭",
            "提交人：bob",
            "客服：carol",
            "提交时间：2026年11月30日（周一）09:00（UTC）"
        ]
    );
    assert_eq!(chat.reply("bob", "/ticket list").await, "你没有未关闭的工单。");
    chat.finish().await;
}
on_both_backends!(
    languages,
    |c: &mut deskmate::config::Config| c.channels.languages = vec!["support=zh-CN".to_owned()],
    each_in_their_language
);
