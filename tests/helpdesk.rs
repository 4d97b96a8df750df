//! The help desk as agents and requesters live it, on SQLite and PostgreSQL: a ticket's
//! whole life, refusals that say what is allowed, the requester's window to reopen, and
//! the audit trail.
#![allow(clippy::unwrap_used)]

mod common;

use common::story::Story;
use deskmate::config::Config;
use deskmate_port::Inbound;

fn one_queue(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.tickets.reopen_window = "3d".to_owned();
    no_targets(config);
}

/// No service-level targets: stories about something else hear no warnings as days pass.
fn no_targets(config: &mut Config) {
    config.tickets.sla = toml::from_str("low = {}\nnormal = {}\nhigh = {}\nurgent = {}\n").unwrap();
}

async fn make_agents(story: &Story, names: &[&str]) {
    let chat = story.chat();
    for who in names {
        chat.say(who, "/whoami").await;
        assert_eq!(chat.reply("alice", &format!("/role grant @{who} agent")).await, format!("{who} is now an agent."));
    }
}

/// The notice's status line, from an edit of the queue's notice.
fn status_line(text: &str) -> &str {
    text.lines().find(|l| l.starts_with("Priority:")).unwrap_or_default()
}

async fn every_state(mut story: Story) {
    make_agents(&story, &["carol"]).await;
    story.chat().say("dave", "/whoami").await;

    story.say("bob", "/ticket new VPN drops every hour").await;
    assert!(story.reply_to("bob").await.text().starts_with("Ticket #1 opened: VPN drops every hour"));
    let notice = story.post_in("queue").await;
    assert!(notice.text().contains("Status: open, waiting for an agent"), "{}", notice.text());

    // Claimed, by the button.
    story.press("carol", "Claim").await;
    assert_eq!(story.reply_to("carol").await.text(), "You claimed ticket #1: VPN drops every hour.");
    let edit = story.edit().await;
    assert_eq!(status_line(edit.text()), "Priority: normal · Status: claimed by carol");
    assert_eq!(edit.body.buttons.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), ["Resolve"]);
    assert_eq!(story.dm("bob").await.text(), "carol is now working on your ticket #1: VPN drops every hour.");

    // In progress.
    story.say("carol", "/ticket start 1").await;
    assert_eq!(story.reply_to("carol").await.text(), "Ticket #1 is in progress.");
    assert_eq!(status_line(story.edit().await.text()), "Priority: normal · Status: in progress with carol");
    assert_eq!(story.dm("bob").await.text(), "carol started work on your ticket #1 (VPN drops every hour).");

    // Waiting on the requester, with what the agent needs.
    story.say("carol", "/ticket wait 1 Which office are you in?").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Ticket #1 is now waiting on bob, who has been asked: Which office are you in?"
    );
    assert_eq!(status_line(story.edit().await.text()), "Priority: normal · Status: waiting on bob");
    assert_eq!(
        story.dm("bob").await.text(),
        "carol needs something from you on your ticket #1 (VPN drops every hour): Which office are you in?"
    );

    // An illegal move is refused with what is allowed, and changes nothing; so is a move
    // by someone without the right to make it.
    let events = story.chat().count("events").await;
    story.say("carol", "/ticket wait 1").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Ticket #1 is waiting on its requester, so it cannot be set waiting now. \
         What can be done now: /ticket start 1, /ticket resolve 1, /ticket close 1, /ticket assign 1 @agent, \
         /ticket unassign 1"
    );
    story.say("carol", "/ticket claim 1").await;
    assert_eq!(story.reply_to("carol").await.text(), "You already have ticket #1.");
    story.say("bob", "/ticket start 1").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Only agents can use /ticket start. Ask an admin if you need the agent role."
    );
    story.say("dave", "/ticket reopen 1").await;
    assert_eq!(story.reply_to("dave").await.text(), "Only agents, or the person who opened ticket #1, can reopen it.");
    story.say("carol", "/ticket resolve 1").await;
    assert!(story.reply_to("carol").await.text().contains("Usage: /ticket resolve <id> <resolution>"));
    assert_eq!(story.chat().count("events").await, events);

    // Back in progress, then resolved: the requester may reopen it or close it.
    story.say("carol", "/ticket start 1").await;
    story.reply_to("carol").await;
    assert_eq!(status_line(story.edit().await.text()), "Priority: normal · Status: in progress with carol");
    story.dm("bob").await;
    story.say("carol", "/ticket resolve 1 Updated the router firmware").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Ticket #1 resolved. Resolution: Updated the router firmware\nbob can reopen it if it is not fixed."
    );
    let edit = story.edit().await;
    assert_eq!(status_line(edit.text()), "Priority: normal · Status: resolved by carol");
    assert!(edit.text().ends_with("Resolution: Updated the router firmware"));
    assert!(edit.body.buttons.is_empty(), "nothing to press on a resolved ticket's notice");
    let news = story.dm("bob").await;
    assert_eq!(
        news.text(),
        "carol resolved your ticket #1 (VPN drops every hour). Resolution: Updated the router firmware\n\
         Not fixed? Press \"Not fixed, reopen\" (or /ticket reopen 1) until Thu 3 Dec 2026 09:00."
    );
    let labels: Vec<&str> = news.body.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Fixed, close it", "Not fixed, reopen"]);
    assert!(story.dm("bob").await.text().starts_with("How did we do on ticket #1"), "asked to rate it");

    // A day later it is not fixed after all: bob reopens it with the button.
    story.advance(chrono::Duration::days(1)).await;
    story.press_on("bob", &news, "Not fixed, reopen").await;
    assert_eq!(story.reply_to("bob").await.text(), "Ticket #1 reopened: back in progress with carol.");
    let edit = story.edit().await;
    assert_eq!(status_line(edit.text()), "Priority: normal · Status: in progress with carol");
    assert!(!edit.text().contains("Resolution:"), "a reopened ticket has no resolution yet");
    assert_eq!(story.dm("carol").await.text(), "bob reopened ticket #1 (VPN drops every hour), which you resolved.");

    // Resolved again; this time bob confirms the fix and it closes, resolution kept.
    story.say("carol", "/ticket resolve 1 Replaced the router").await;
    story.reply_to("carol").await;
    story.edit().await;
    let news = story.dm("bob").await;
    story.dm("bob").await;
    story.press_on("bob", &news, "Fixed, close it").await;
    let closed = story.reply_to("bob").await;
    assert_eq!(closed.text(), "Ticket #1 closed. Resolution: Replaced the router");
    assert_eq!(closed.body.files[0].name, "ticket-1-transcript.html", "bob has the transcript");
    assert_eq!(status_line(story.edit().await.text()), "Priority: normal · Status: closed by bob");
    assert_eq!(
        story.dm("carol").await.text(),
        "bob closed ticket #1 (VPN drops every hour), which you were working on. Resolution: Replaced the router"
    );
    assert_eq!(story.under(&notice).await.text(), "Transcript of ticket #1 (the public conversation).");
    // The old button is stale now: closing twice is refused.
    story.press_on("bob", &news, "Fixed, close it").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Ticket #1 is closed, so it cannot be closed now. What can be done now: /ticket reopen 1"
    );

    // Four days on, the requester's window (3 days from the resolve) has passed; an
    // agent may still reopen it.
    story.advance(chrono::Duration::days(4)).await;
    story.say("bob", "/ticket reopen 1 it broke again").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Ticket #1 could be reopened by its requester until Fri 4 Dec 2026 09:00; now only an agent can. \
         /ticket new opens a new one."
    );
    story.say("carol", "/ticket reopen 1 bob says it broke again").await;
    assert_eq!(story.reply_to("carol").await.text(), "Ticket #1 reopened: back in progress with carol.");
    story.edit().await;
    assert_eq!(story.dm("bob").await.text(), "carol reopened your ticket #1 (VPN drops every hour).");

    // The audit trail: every move, who made it, when and from where.
    story.say("bob", "/ticket history 1").await;
    let history = story.reply_to("bob").await;
    let lines: Vec<&str> = history.text().lines().collect();
    assert_eq!(lines[0], "History of ticket #1 · VPN drops every hour (now in progress; times in UTC):");
    assert_eq!(
        &lines[1..],
        [
            "  2026-11-30 09:00 bob opened it via console: [normal] VPN drops every hour",
            "  2026-11-30 09:00 carol claimed it via console",
            "  2026-11-30 09:00 carol started work via console",
            "  2026-11-30 09:00 carol set it waiting on the requester via console: Which office are you in?",
            "  2026-11-30 09:00 carol started work via console",
            "  2026-11-30 09:00 carol resolved it via console: Updated the router firmware",
            "  2026-12-01 09:00 bob reopened it via console",
            "  2026-12-01 09:00 carol resolved it via console: Replaced the router",
            "  2026-12-01 09:00 bob closed it via console",
            "  2026-12-05 09:00 carol reopened it via console: bob says it broke again",
        ]
    );
    story.say("dave", "/ticket history 1").await;
    assert_eq!(
        story.reply_to("dave").await.text(),
        "Ticket #1 is not yours: only its requester, agents and managers can see it."
    );
    story.finish().await;
}
story!(a_ticket_walked_through_every_state, one_queue, every_state);

fn teams(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.channels.groups = vec!["it=console:it-queue".to_owned()];
    config.tickets = toml::from_str(
        r#"
        [[categories]]
        name = "it"
        label = "IT support"
        queue = "it"
        agents = ["console:carol", "console:dave", "console:erin"]
        assign = "round_robin"

        [[categories]]
        name = "facilities"
        agents = ["console:frank"]
        "#,
    )
    .unwrap();
}

/// Who the opening of a ticket in `category` gave it to, by its reply.
async fn opened_for(chat: &common::Chat, who: &str, title: &str, category: &str) -> String {
    let reply = chat.reply(who, &format!("/ticket new {title} category:{category}")).await;
    let agent = reply.rsplit(". ").next().and_then(|s| s.strip_suffix(" has it.")).unwrap_or("nobody");
    agent.to_owned()
}

async fn round_robin(chat: common::Chat) {
    // The config makes the teams' people agents when they first write.
    for who in ["carol", "dave", "erin", "frank"] {
        assert!(chat.reply(who, "/whoami").await.contains("agent"), "{who} is an agent by config");
    }
    let away = chat.reply("erin", "/away until friday").await;
    assert!(away.starts_with("You are away until 2026-12-05 00:00 (UTC): no tickets are given to you"), "{away}");

    // A new IT ticket goes to its queue, already with the next agent in turn; erin is away.
    let sent = chat.say("bob", "/ticket new Laptop will not boot category:it").await;
    let reply = sent.iter().find(|s| s.is_reply()).unwrap();
    assert_eq!(reply.text(), "Ticket #1 opened: Laptop will not boot (priority normal). carol has it.");
    let notice = sent
        .iter()
        .find(|s| matches!(&s.to, deskmate_port::Destination::Channel(c) if c.id == "it-queue"))
        .expect("posted to the IT queue");
    assert!(notice.text().contains("Status: claimed by carol") && notice.text().contains("Category: IT support"));
    assert_eq!(notice.body.buttons.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), ["Resolve"]);
    assert!(
        sent.iter().any(|s| matches!(&s.to, deskmate_port::Destination::Direct(a) if a.id == "carol")
            && s.text() == "Ticket #1 (Laptop will not boot) is yours: it came to you in turn."),
        "{sent:#?}"
    );
    assert_eq!(opened_for(&chat, "bob", "VPN", "it").await, "dave");
    assert_eq!(opened_for(&chat, "bob", "Mouse", "IT").await, "carol");
    // erin is back: never had a turn, so hers is next; then the oldest turn, dave's.
    assert_eq!(chat.reply("erin", "/back").await, "Welcome back: tickets can come to you again.");
    assert_eq!(opened_for(&chat, "bob", "Monitor", "it").await, "erin");

    // Another instance on the same database (a restart, or a second server) continues
    // the rotation where this one left it.
    let (second, recorder) = chat.another_instance("second", teams).await;
    second
        .router
        .handle(common::console_event(
            "bob",
            deskmate_port::EventKind::Command { text: "/ticket new Printer category:it".into() },
        ))
        .await
        .unwrap();
    second.router.settle().await;
    let said = recorder.take();
    let reply = said.iter().find(|s| s.is_reply()).unwrap();
    assert!(reply.text().ends_with("dave has it."), "{}", reply.text());
    second.shutdown().await;
    assert_eq!(opened_for(&chat, "bob", "Keyboard", "it").await, "carol");

    // Facilities is claimed by hand: its ticket waits in the support queue.
    assert_eq!(opened_for(&chat, "bob", "Leaking tap", "facilities").await, "nobody");
    assert_eq!(
        chat.reply("bob", "/ticket new Chair category:kitchen").await,
        "There is no category `kitchen`. Categories: it, facilities."
    );

    // Only the team (and admins) work a category's tickets.
    assert_eq!(
        chat.reply("frank", "/ticket claim 1").await,
        "Ticket #1 belongs to another team: only its agents (and admins) can use /ticket claim on it."
    );
    assert_eq!(
        chat.reply("carol", "/ticket assign 7 @dave").await,
        "Ticket #7 belongs to another team: only its agents (and admins) can use /ticket assign on it."
    );
    assert_eq!(
        chat.reply("carol", "/ticket assign 1 @frank").await,
        "frank is not an agent of the it team, so ticket #1 cannot be theirs."
    );
    // carol hands #1 to dave; carol hears nothing more of it, dave and bob are told.
    let sent = chat.say("carol", "/ticket assign 1 @dave").await;
    assert_eq!(sent.iter().find(|s| s.is_reply()).unwrap().text(), "Ticket #1 is now dave's.");
    let dm = |who: &str| {
        sent.iter()
            .find(|s| matches!(&s.to, deskmate_port::Destination::Direct(a) if a.id == who))
            .map(|s| s.text().to_owned())
    };
    assert_eq!(dm("dave").as_deref(), Some("carol gave you ticket #1 (Laptop will not boot)."));
    assert_eq!(dm("bob").as_deref(), Some("Your ticket #1 (Laptop will not boot) is now with dave."));
    assert_eq!(dm("carol"), None);
    assert_eq!(chat.reply("carol", "/ticket assign 1 @dave").await, "Ticket #1 is already dave's.");

    // Unassigned, it waits in the queue again; dave hears it was taken off him.
    let sent = chat.say("carol", "/ticket unassign 1").await;
    assert_eq!(
        sent.iter().find(|s| s.is_reply()).unwrap().text(),
        "Ticket #1 is back in the queue, waiting for an agent."
    );
    assert!(sent.iter().any(|s| matches!(&s.to, deskmate_port::Destination::Direct(a) if a.id == "dave")
        && s.text() == "carol took ticket #1 (Laptop will not boot) off you."));
    let ticket = chat.store().ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap();
    assert_eq!((ticket.status.as_str(), ticket.assignee.is_none()), ("open", true));

    // Moved to facilities: frank's team now, posted in the support queue.
    let sent = chat.say("carol", "/ticket move 1 facilities").await;
    assert_eq!(sent.iter().find(|s| s.is_reply()).unwrap().text(), "Ticket #1 moved to facilities, in its queue.");
    assert!(sent.iter().any(|s| matches!(&s.to, deskmate_port::Destination::Channel(c) if c.id == "queue")
        && s.text().contains("Category: facilities")));
    assert_eq!(
        chat.reply("carol", "/ticket claim 1").await,
        "Ticket #1 belongs to another team: only its agents (and admins) can use /ticket claim on it."
    );
    assert_eq!(chat.reply("frank", "/ticket claim 1").await, "You claimed ticket #1: Laptop will not boot.");

    let history = chat.reply("bob", "/ticket history 1").await;
    for line in [
        "deskmate assigned it via console: carol",
        "carol assigned it via console: dave",
        "carol put it back in the queue via console",
        "carol moved it via console: IT support → facilities",
        "frank claimed it via console",
    ] {
        assert!(history.contains(line), "{line:?} in {history}");
    }

    // dave works afternoons: at 09:00 the rotation passes him by while others are at
    // work; at 14:00 his turn (the oldest) comes.
    let hours = chat.reply("dave", "/schedule hours mon-fri 13:00-21:00").await;
    assert!(hours.contains("13:00"), "{hours}");
    assert_eq!(opened_for(&chat, "bob", "Webcam", "it").await, "erin");
    assert_eq!(opened_for(&chat, "bob", "Headset", "it").await, "carol");
    chat.advance(chrono::Duration::hours(5)).await;
    assert_eq!(opened_for(&chat, "bob", "Docking station", "it").await, "dave");
    chat.finish().await;
}
on_both_backends!(teams_and_fair_assignment, teams, round_robin);

fn short_waits(config: &mut Config) {
    one_queue(config);
    config.tickets.waiting_remind_after = "2d".to_owned();
    config.tickets.waiting_close_after = "5d".to_owned();
    config.tickets.resolved_close_after = "3d".to_owned();
}

/// bob opens a ticket and carol claims it; everything said is read. Returns the queue's
/// notice.
async fn opened_and_claimed(story: &mut Story, title: &str, id: i64) -> common::Sent {
    story.say("bob", &format!("/ticket new {title}")).await;
    story.reply_to("bob").await;
    let notice = story.post_in("queue").await;
    story.say("carol", &format!("/ticket claim {id}")).await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;
    notice
}

async fn stale_tickets(mut story: Story) {
    make_agents(&story, &["carol"]).await;

    // Waiting on bob, who does not answer: reminded after two days, closed after five.
    let first = opened_and_claimed(&mut story, "Printer jams", 1).await;
    story.say("carol", "/ticket wait 1 Which floor?").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;
    story.advance(chrono::Duration::days(1)).await;
    story.quiet().await;
    story.advance(chrono::Duration::days(1)).await;
    assert_eq!(
        story.dm("bob").await.text(),
        "Reminder: your ticket #1 (Printer jams) has been waiting on you since Mon 30 Nov 2026 09:00; carol needs \
         your answer. It closes on Sat 5 Dec 2026 09:00 unless it moves on."
    );
    story.advance(chrono::Duration::days(2)).await;
    story.quiet().await;
    story.advance(chrono::Duration::days(1)).await;
    assert!(story.edit().await.text().contains("Status: closed\n"), "closed by nobody in particular");
    assert_eq!(story.under(&first).await.text(), "Transcript of ticket #1 (the public conversation).");
    let lapsed = story.dm("bob").await;
    assert_eq!(
        lapsed.text(),
        "Your ticket #1 (Printer jams) was closed: it waited 5 d for your answer. If you still need help, \
         /ticket reopen 1 until Tue 8 Dec 2026 09:00, or /ticket new."
    );
    assert_eq!(lapsed.body.files[0].name, "ticket-1-transcript.html");
    assert_eq!(story.dm("carol").await.text(), "Ticket #1 (Printer jams) was closed: bob did not answer in 5 d.");

    // Waiting, then moving on (bob answered by phone): the reminder and the close are
    // cancelled with the wait.
    let second = opened_and_claimed(&mut story, "Projector", 2).await;
    story.say("carol", "/ticket wait 2").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;
    story.advance(chrono::Duration::days(1)).await;
    story.say("carol", "/ticket start 2").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;
    story.advance(chrono::Duration::days(10)).await;
    story.quiet().await;

    // Resolved and not reopened: closed three days later, quietly (bob was told of the
    // fix); a ticket reopened in time is not.
    story.say("carol", "/ticket resolve 2 New lamp").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;
    story.dm("bob").await;
    story.advance(chrono::Duration::days(3)).await;
    let edit = story.edit().await;
    assert!(
        edit.text().contains("Status: closed\n") && edit.text().contains("Resolution: New lamp"),
        "{}",
        edit.text()
    );
    assert_eq!(story.under(&second).await.body.files[0].name, "ticket-2-transcript.html");
    story.quiet().await;
    story.say("bob", "/ticket history 2").await;
    let history = story.reply_to("bob").await;
    assert!(
        history.text().ends_with("deskmate closed it: resolved and not reopened via console"),
        "{}",
        history.text()
    );
    story.finish().await;
}
story!(stale_reminders_and_auto_close, short_waits, stale_tickets);

/// Every text the bot sent to `who`, in any way (replies, direct messages).
fn seen_by<'a>(sent: &'a [common::Sent], who: &str) -> Vec<&'a str> {
    sent.iter()
        .filter(|s| match &s.to {
            deskmate_port::Destination::Direct(a) => a.id == who,
            deskmate_port::Destination::Reply { reply_handle, .. } => reply_handle.starts_with(&format!("{who}#")),
            _ => false,
        })
        .map(|s| s.text())
        .collect()
}

async fn conversation(chat: common::Chat) {
    for who in ["carol", "dave"] {
        chat.say(who, "/whoami").await;
        chat.reply("alice", &format!("/role grant @{who} agent")).await;
    }
    chat.say("erin", "/whoami").await;
    chat.say("bob", "/ticket new Laptop fan is loud").await;
    chat.say("carol", "/ticket claim 1").await;
    let mut everything: Vec<common::Sent> = Vec::new();

    // erin watches bob's ticket? She may not: it is not hers to read.
    assert_eq!(
        chat.reply("erin", "/ticket watch 1").await,
        "Ticket #1 is not yours: only its requester, agents and managers can see it."
    );
    // dave, an agent, watches it.
    assert!(chat.reply("dave", "/ticket watch 1").await.starts_with("You are watching ticket #1"));

    // carol writes to bob; bob answers; dave (watching) reads both.
    let sent = chat.say("carol", "/ticket reply 1 Is it loud all the time or only under load?").await;
    assert_eq!(seen_by(&sent, "carol"), ["Added to ticket #1; bob has it."]);
    assert_eq!(
        seen_by(&sent, "bob"),
        ["carol on ticket #1 (Laptop fan is loud): Is it loud all the time or only under load?"]
    );
    assert_eq!(seen_by(&sent, "dave").len(), 1);
    everything.extend(sent);
    let sent = chat.say("bob", "/ticket reply 1 Only when compiling").await;
    assert_eq!(seen_by(&sent, "bob"), ["Added to ticket #1; carol has it."]);
    assert_eq!(seen_by(&sent, "carol"), ["bob on ticket #1 (Laptop fan is loud): Only when compiling"]);
    everything.extend(sent);

    // An internal note: carol's team hears of it, bob never does.
    let secret = "warranty expired, charge the department";
    let sent = chat.say("dave", &format!("/ticket note 1 {secret}")).await;
    assert_eq!(seen_by(&sent, "dave"), ["Internal note added to ticket #1. Its requester never sees it."]);
    assert_eq!(
        seen_by(&sent, "carol"),
        [format!("dave left an internal note on ticket #1 (Laptop fan is loud): {secret}").as_str()]
    );
    everything.extend(sent);
    assert!(
        chat.reply("bob", &format!("/ticket note 1 {secret}")).await.starts_with("Only agents can use /ticket note.")
    );
    assert!(chat.reply("erin", "/ticket reply 1 me too").await.starts_with("Only the requester of ticket #1"));

    // Tags, by the team.
    assert_eq!(chat.reply("carol", "/ticket tag 1 +hardware +Fan").await, "Ticket #1 tags: fan, hardware.");
    assert_eq!(chat.reply("carol", "/ticket tag 1 -fan +noise").await, "Ticket #1 tags: hardware, noise.");
    assert!(chat.reply("carol", "/ticket tag 1 +no/slashes").await.starts_with("`+no/slashes` is not a tag"));
    assert_eq!(chat.reply("carol", "/ticket tag 1 go").await, "Ticket #1 tags: go, hardware, noise.");
    assert!(chat.reply("bob", "/ticket tag 1 +mine").await.starts_with("Only agents can use /ticket tag."));

    // A canned reply, filled in, sent as carol's reply.
    assert!(
        chat.reply("carol", "/reply thanks 1").await.starts_with("There is no canned reply `thanks`. None are saved")
    );
    assert!(chat.reply("carol", "/canned add thanks Thanks").await.starts_with("Only admins can use /canned add."));
    assert!(
        chat.reply("alice", "/canned add thanks Hi {requester}, {ticket} ({title}) is fixed. {agent}")
            .await
            .starts_with("Canned reply `thanks` saved")
    );
    let list = chat.reply("carol", "/canned list").await;
    assert!(list.starts_with("1 canned reply") && list.contains("thanks: Hi {requester}"), "{list}");
    let sent = chat.say("carol", "/reply thanks 1").await;
    assert_eq!(
        seen_by(&sent, "bob"),
        ["carol on ticket #1 (Laptop fan is loud): Hi bob, #1 (Laptop fan is loud) is fixed. carol"]
    );
    everything.extend(sent);
    assert!(chat.reply("alice", "/canned remove thanks").await.starts_with("Canned reply `thanks` removed"));

    // Everything bob could read: the messages sent to him, and /ticket show and history.
    // The note is in none of them; carol's and dave's view has it.
    let shown_to_bob = chat.reply("bob", "/ticket show 1").await;
    let history_for_bob = chat.reply("bob", "/ticket history 1").await;
    assert!(shown_to_bob.contains("Tags: go, hardware, noise") && shown_to_bob.contains("bob: Only when compiling"));
    for text in seen_by(&everything, "bob").into_iter().chain([shown_to_bob.as_str(), history_for_bob.as_str()]) {
        assert!(!text.contains("warranty") && !text.contains("internal"), "bob read: {text}");
    }
    let shown_to_carol = chat.reply("carol", "/ticket show 1").await;
    assert!(shown_to_carol.contains(&format!("dave (internal note): {secret}")), "{shown_to_carol}");
    assert!(chat.reply("carol", "/ticket history 1").await.contains("dave added an internal note via console"));

    // Waiting on bob: his answer puts it back in progress.
    chat.say("carol", "/ticket wait 1 Can you send a recording?").await;
    let sent = chat.say("bob", "/ticket reply 1 Sent it by mail").await;
    assert!(sent.iter().any(|s| s.text().contains("Status: in progress with carol")), "{sent:#?}");
    let ticket = chat.store().ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.status.as_str(), "in_progress");
    let history = chat.reply("carol", "/ticket history 1").await;
    assert!(history.contains("bob answered, so it is back in progress via console"), "{history}");
    chat.finish().await;
}
on_both_backends!(replies_notes_watchers_tags_canned, one_queue, conversation);

async fn merge_and_links(chat: common::Chat) {
    for who in ["carol", "dave"] {
        chat.say(who, "/whoami").await;
        chat.reply("alice", &format!("/role grant @{who} agent")).await;
    }
    chat.say("bob", "/ticket new Wifi down on 3F").await;
    chat.say("erin", "/ticket new No wifi third floor").await;
    chat.say("carol", "/ticket claim 1").await;
    chat.say("erin", "/ticket reply 2 Since nine this morning").await;
    chat.reply("carol", "/ticket tag 2 +wifi").await;
    chat.reply("dave", "/ticket watch 2").await;

    assert_eq!(
        chat.reply("carol", "/ticket merge 2 2").await,
        "A ticket cannot be merged into itself (#2); name the ticket to keep."
    );
    assert!(chat.reply("erin", "/ticket merge 2 1").await.starts_with("Only agents can use /ticket merge."));
    let sent = chat.say("carol", "/ticket merge 2 1").await;
    assert_eq!(
        seen_by(&sent, "carol"),
        [
            "Ticket #2 merged into #1 (Wifi down on 3F): its conversation, watchers and tags moved there, and it is closed."
        ]
    );
    assert_eq!(
        seen_by(&sent, "erin"),
        [
            "Your ticket #2 (No wifi third floor) repeats #1 (Wifi down on 3F), so it was merged there. You will hear of #1 as it moves."
        ]
    );
    assert!(sent.iter().any(|s| s.text().contains("Status: closed by carol") && s.text().contains("Merged into #1.")));
    let shown = chat.reply("carol", "/ticket show 1").await;
    assert!(shown.contains("erin: Since nine this morning") && shown.contains("Tags: wifi"), "{shown}");
    assert!(chat.reply("carol", "/ticket history 2").await.contains("carol merged it via console: #1"));

    // erin and dave now follow #1.
    let sent = chat.say("carol", "/ticket reply 1 Replaced the access point").await;
    for who in ["bob", "erin", "dave"] {
        assert_eq!(seen_by(&sent, who), ["carol on ticket #1 (Wifi down on 3F): Replaced the access point"], "{who}");
    }
    // Merging into a closed ticket, or merging a closed one, is refused.
    chat.say("bob", "/ticket new Wifi slow on 2F").await;
    chat.say("carol", "/ticket close 1 New access point").await;
    assert_eq!(
        chat.reply("carol", "/ticket merge 3 1").await,
        "Ticket #1 is closed: reopen it first, or merge into an open ticket."
    );
    assert_eq!(
        chat.reply("carol", "/ticket merge 2 3").await,
        "Ticket #2 is closed already; there is nothing to merge."
    );

    // Related tickets, shown on both.
    assert_eq!(chat.reply("carol", "/ticket link 3 1").await, "Tickets #3 and #1 are now linked as related.");
    assert_eq!(chat.reply("carol", "/ticket link 1 3").await, "Tickets #1 and #3 are already linked.");
    assert!(chat.reply("carol", "/ticket show 1").await.contains("Related: #3"));
    assert!(chat.reply("carol", "/ticket show 3").await.contains("Related: #1"));
    chat.finish().await;
}
on_both_backends!(merging_and_linking, one_queue, merge_and_links);

async fn searching(chat: common::Chat) {
    chat.say("carol", "/whoami").await;
    chat.reply("alice", "/role grant @carol agent").await;
    chat.say("bob", "/ticket new VPN drops every hour priority:high").await;
    chat.say("erin", "/ticket new 三楼打印机卡纸").await;
    chat.say("bob", "/ticket new Printer on 2F prints blank pages").await;
    chat.say("erin", "/ticket new Need a VPN account").await;
    chat.say("carol", "/ticket claim 1").await;
    chat.say("carol", "/ticket reply 1 The tunnel resets because of the router firmware").await;
    chat.say("carol", "/ticket resolve 3 Replaced the toner cartridge").await;
    chat.say("carol", "/ticket claim 3").await;
    chat.say("carol", "/ticket resolve 3 Replaced the toner cartridge").await;
    chat.reply("carol", "/ticket tag 2 +printer").await;

    let found = |text: &str| -> Vec<String> {
        text.lines().skip(1).filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect()
    };
    // Words in the title, a prefix, the conversation, the resolution; best match first.
    assert_eq!(found(&chat.reply("carol", "/ticket search vpn").await), ["#4", "#1"].map(String::from));
    assert_eq!(found(&chat.reply("carol", "/ticket search print").await), ["#3"].map(String::from));
    assert_eq!(found(&chat.reply("carol", "/ticket search router firmware").await), ["#1"].map(String::from));
    assert_eq!(found(&chat.reply("carol", "/ticket search toner").await), ["#3"].map(String::from));
    // Chinese: any word of the title, one character or more.
    for words in ["打印机", "卡纸", "打印", "纸", "三楼打印机卡纸"] {
        assert_eq!(found(&chat.reply("carol", &format!("/ticket search {words}")).await), ["#2"], "{words}");
    }
    assert_eq!(chat.reply("carol", "/ticket search 复印机").await, "No tickets match “复印机”.");
    // Filters.
    assert_eq!(found(&chat.reply("carol", "/ticket search vpn priority:high").await), ["#1"].map(String::from));
    assert_eq!(found(&chat.reply("carol", "/ticket search vpn status:open").await), ["#4"].map(String::from));
    // A status filter follows the ticket's moves (PostgreSQL's index holds the status).
    assert_eq!(found(&chat.reply("carol", "/ticket search toner status:resolved").await), ["#3"].map(String::from));
    assert_eq!(chat.reply("carol", "/ticket search toner status:active").await, "No tickets match “toner”.");
    chat.say("carol", "/ticket reopen 3 Still streaky").await;
    assert_eq!(found(&chat.reply("carol", "/ticket search toner status:working").await), ["#3"].map(String::from));
    assert_eq!(chat.reply("carol", "/ticket search toner status:resolved").await, "No tickets match “toner”.");
    assert_eq!(found(&chat.reply("carol", "/ticket search vpn assignee:@carol").await), ["#1"].map(String::from));
    assert_eq!(found(&chat.reply("carol", "/ticket search 打印 tag:printer").await), ["#2"].map(String::from));
    assert_eq!(chat.reply("carol", "/ticket search vpn tag:printer").await, "No tickets match “vpn”.");
    assert_eq!(found(&chat.reply("carol", "/ticket search vpn from:2026-11-30 to:2026-12-01").await).len(), 2);
    assert_eq!(chat.reply("carol", "/ticket search vpn from:2026-12-01").await, "No tickets match “vpn”.");
    // Someone who does not see the queue finds only their own.
    assert_eq!(found(&chat.reply("erin", "/ticket search vpn").await), ["#4"].map(String::from));
    assert!(chat.reply("carol", "/ticket search ...").await.starts_with("Say what to look for"));

    // Pages of ten, with buttons; only the one who searched may turn them.
    for i in 0..12 {
        chat.say("bob", &format!("/ticket new Monitor flickers {i}")).await;
    }
    let sent = chat.say("carol", "/ticket search monitor").await;
    let first = sent.iter().find(|s| s.is_reply()).unwrap();
    assert_eq!(found(first.text()).len(), 10);
    let next: Vec<&str> = first.body.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(next, ["Next page"]);
    let id = first.body.buttons[0].id.clone();
    let sent = chat.press("carol", &id).await;
    let second = sent.iter().find(|s| s.is_reply()).unwrap();
    assert!(second.text().starts_with("Tickets matching “monitor”, best first (page 2):"), "{}", second.text());
    assert_eq!(found(second.text()).len(), 2);
    assert_eq!(second.body.buttons.iter().map(|b| b.label.as_str()).collect::<Vec<_>>(), ["Previous page"]);
    let sent = chat.press("bob", &id).await;
    assert_eq!(sent[0].text(), "That button is no longer valid.");
    chat.finish().await;
}
on_both_backends!(search, one_queue, searching);

/// Tickets opened before search existed are listed by its migration and indexed at the
/// next start.
async fn old_tickets_are_indexed_at_start(chat: common::Chat) {
    chat.say("carol", "/whoami").await;
    chat.reply("alice", "/role grant @carol agent").await;
    chat.say("bob", "/ticket new Newer ticket").await;
    // As the migration leaves a ticket opened before it: in the table, not in the index.
    let statements = [
        "INSERT INTO tickets (id, title, priority, status, requester_id, platform, created_at, updated_at) \
         SELECT 100, 'Old 复印机 jam', 'normal', 'open', requester_id, 'console', created_at, created_at \
         FROM tickets WHERE id = 1",
        "INSERT INTO ticket_search_pending (ticket_id) VALUES (100)",
    ];
    for sql in statements {
        match (chat.store().sqlite_pool(), chat.store().postgres_pool()) {
            (Some(pool), _) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            (_, Some(pool)) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            _ => unreachable!("a store is SQLite or PostgreSQL"),
        }
        .unwrap();
    }
    assert_eq!(chat.reply("carol", "/ticket search 复印机").await, "No tickets match “复印机”.");
    let (second, _) = chat.another_instance("second", one_queue).await;
    second.shutdown().await;
    let found = chat.reply("carol", "/ticket search 复印机 jam").await;
    assert!(found.contains("#100 [normal] Old 复印机 jam"), "{found}");
    chat.finish().await;
}
on_both_backends!(indexing_at_start, one_queue, old_tickets_are_indexed_at_start);

/// The HTML file among what was sent.
fn transcript_in(sent: &[common::Sent]) -> Option<String> {
    sent.iter()
        .flat_map(|s| s.body.files.iter())
        .find(|f| f.mime == "text/html")
        .map(|f| String::from_utf8(f.bytes.clone()).unwrap())
}

async fn transcripts(chat: common::Chat) {
    chat.say("carol", "/whoami").await;
    chat.reply("alice", "/role grant @carol agent").await;
    chat.say("erin", "/whoami").await;
    chat.say("bob", "/ticket new Printer <b>jammed</b>").await;
    chat.say("carol", "/ticket claim 1").await;
    chat.say("carol", "/ticket reply 1 Try turning it off & on").await;
    chat.say("bob", "/ticket reply 1 Works now, thanks").await;
    chat.say("carol", "/ticket note 1 the fuser is worn, order one").await;

    // Still open: its conversation so far, not kept.
    let sent = chat.say("carol", "/ticket transcript 1").await;
    assert!(sent[0].text().starts_with("Ticket #1 is still open: its conversation so far."), "{sent:#?}");
    let so_far = transcript_in(&sent).unwrap();
    assert!(so_far.contains("Works now, thanks") && !so_far.contains("fuser"), "{so_far}");
    assert_eq!(
        chat.reply("erin", "/ticket transcript 1").await,
        "Ticket #1 is not yours: only its requester, agents and managers can see it."
    );

    // Resolved, then closed by bob: he has the transcript with his confirmation, and the
    // team in the ticket's thread; the internal note is in neither.
    chat.say("carol", "/ticket resolve 1 Cleaned the rollers").await;
    let sent = chat.say("bob", "/ticket close 1").await;
    let to_bob = sent.iter().find(|s| s.is_reply()).unwrap();
    assert_eq!(to_bob.body.files.len(), 1, "{to_bob:#?}");
    assert_eq!(to_bob.body.files[0].name, "ticket-1-transcript.html");
    let under = sent.iter().find(|s| matches!(s.to, deskmate_port::Destination::Under(_))).expect("in the thread");
    assert_eq!(under.text(), "Transcript of ticket #1 (the public conversation).");
    let page = transcript_in(&sent).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<meta charset=\"utf-8\">"), "{page}");
    for said in [
        "Ticket #1 · Printer &lt;b&gt;jammed&lt;/b&gt;",
        "Try turning it off &amp; on",
        "Works now, thanks",
        "Cleaned the rollers",
        "carol",
        "bob",
    ] {
        assert!(page.contains(said), "{said:?} in {page}");
    }
    assert!(!page.contains("fuser") && !page.contains("<b>jammed"), "{page}");
    // Kept: the same page again.
    let again = chat.say("bob", "/ticket transcript 1").await;
    assert_eq!(again[0].text(), "The transcript of ticket #1, as kept when it closed.");
    assert_eq!(transcript_in(&again).unwrap(), page);
    chat.finish().await;
}
on_both_backends!(transcripts_of_closed_tickets, one_queue, transcripts);

fn it_with_a_lead(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.tickets = toml::from_str(
        r#"
        [[categories]]
        name = "it"
        agents = ["console:carol"]
        lead = "console:dave"
        "#,
    )
    .unwrap();
}

async fn ratings(mut story: Story) {
    for who in ["carol", "dave"] {
        story.chat().say(who, "/whoami").await;
    }
    story.say("bob", "/ticket new Mouse broken category:it").await;
    story.reply_to("bob").await;
    story.post_in("queue").await;
    story.say("carol", "/ticket claim 1").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;
    story.say("carol", "/ticket resolve 1 New mouse").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;

    // bob is asked to rate the help: five buttons.
    let asked = story.dm("bob").await;
    assert_eq!(
        asked.text(),
        "How did we do on ticket #1 (Mouse broken)? Rate the help from 1 (poor) to 5 (great); you can change \
         your rating later."
    );
    let labels: Vec<&str> = asked.body.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]);
    // Only bob may rate it.
    story.press_on("carol", &asked, "5 ★").await;
    assert_eq!(story.reply_to("carol").await.text(), "Only the requester of ticket #1 can rate it.");

    // A 2: bob may add a comment; dave, the lead, hears of it, and of the comment.
    story.press_on("bob", &asked, "2 ★").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Thanks: ticket #1 rated 2 of 5. Anything to add? Reply with a comment, or ignore this."
    );
    assert_eq!(story.dm("dave").await.text(), "Ticket #1 (Mouse broken) was rated 2 of 5 by bob; carol worked it.");
    story.answer("bob", "Took three days").await;
    assert_eq!(story.reply_to("bob").await.text(), "Thanks, your comment on ticket #1 is kept with your rating.");
    assert_eq!(
        story.dm("dave").await.text(),
        "Ticket #1 (Mouse broken), rated 2 of 5 by bob (carol worked it), with the comment: Took three days"
    );

    // A second press changes the rating; it does not add one.
    story.press_on("bob", &asked, "4 ★").await;
    assert_eq!(story.reply_to("bob").await.text(), "Your rating of ticket #1 is now 4 of 5 (it was 2).");
    assert_eq!(story.chat().count("ticket_ratings").await, 1);
    let shown = story.chat().reply("carol", "/ticket show 1").await;
    assert!(shown.ends_with("Rating: 4 of 5 — “Took three days”"), "{shown}");
    story.finish().await;
}
story!(satisfaction_ratings, it_with_a_lead, ratings);

fn business_hours(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.tickets.holidays = vec!["2026-12-07".to_owned()];
}

/// The line of `/ticket show` that tells the ticket's clock.
async fn clock_of(chat: &common::Chat, id: i64) -> String {
    let shown = chat.reply("carol", &format!("/ticket show {id}")).await;
    shown.lines().find(|l| l.contains("business")).map(str::to_owned).unwrap_or_else(|| panic!("no clock in {shown}"))
}

async fn service_levels(chat: common::Chat) {
    chat.say("carol", "/whoami").await;
    chat.reply("alice", "/role grant @carol agent").await;
    // Monday 09:00: a high-priority ticket is due a first response in 1 h and a
    // resolution in 8 business hours.
    let sent = chat.say("bob", "/ticket new Payroll export fails priority:high").await;
    let notice = sent.iter().find(|s| matches!(&s.to, deskmate_port::Destination::Channel(_))).unwrap();
    assert!(
        notice.text().ends_with("First response due by Mon 30 Nov 2026 10:00 (UTC, business hours)"),
        "{}",
        notice.text()
    );
    assert_eq!(clock_of(&chat, 1).await, "First response due in 1 h (business hours), by Mon 30 Nov 2026 10:00");

    // Claimed at 09:30: answered; the resolution is due at 17:00.
    chat.advance(chrono::Duration::minutes(30)).await;
    let sent = chat.say("carol", "/ticket claim 1").await;
    assert!(sent.iter().any(|s| s.text().ends_with("Resolution due by Mon 30 Nov 2026 17:00 (UTC, business hours)")));
    assert_eq!(clock_of(&chat, 1).await, "Resolution due in 7 h 30 min (business hours), by Mon 30 Nov 2026 17:00");
    // Urgent (4 h instead of 8): the deadline moves 4 business hours earlier; and back.
    assert_eq!(
        chat.reply("carol", "/ticket priority 1 urgent").await,
        "Ticket #1 is now urgent priority (it was high); its deadlines moved with it."
    );
    assert_eq!(clock_of(&chat, 1).await, "Resolution due in 3 h 30 min (business hours), by Mon 30 Nov 2026 13:00");
    assert_eq!(chat.reply("carol", "/ticket priority 1 urgent").await, "Ticket #1 is urgent priority already.");
    assert!(chat.reply("bob", "/ticket priority 1 low").await.starts_with("Only agents can use /ticket priority."));
    chat.say("carol", "/ticket priority 1 high").await;
    assert_eq!(clock_of(&chat, 1).await, "Resolution due in 7 h 30 min (business hours), by Mon 30 Nov 2026 17:00");
    let history = chat.reply("carol", "/ticket history 1").await;
    assert!(history.contains("carol changed its priority via console: high → urgent"), "{history}");

    // Waiting on bob from 10:00: the clock stops with 7 h left.
    chat.advance(chrono::Duration::minutes(30)).await;
    chat.say("carol", "/ticket wait 1 Which export, monthly or weekly?").await;
    let paused = "Resolution clock paused while waiting on the requester (7 h of business time left)";
    assert_eq!(clock_of(&chat, 1).await, paused);
    chat.advance(chrono::Duration::days(2)).await;
    assert_eq!(clock_of(&chat, 1).await, paused, "still paused two days on");

    // bob answers on Friday at 16:00: 1 h that day, the weekend and Monday's holiday
    // skipped, 6 h on Tuesday.
    chat.advance(chrono::Duration::days(2) + chrono::Duration::hours(6)).await;
    chat.say("bob", "/ticket reply 1 The monthly one").await;
    assert_eq!(clock_of(&chat, 1).await, "Resolution due in 7 h (business hours), by Tue 8 Dec 2026 15:00");

    // Tuesday 17:00, two business hours past it.
    chat.advance(chrono::Duration::days(4) + chrono::Duration::hours(1)).await;
    assert_eq!(clock_of(&chat, 1).await, "Resolution overdue by 2 h (business hours)");
    chat.finish().await;
}
on_both_backends!(service_level_clock, business_hours, service_levels);

fn it_team(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.tickets = toml::from_str(
        r#"
        [[categories]]
        name = "it"
        agents = ["console:carol", "console:dave"]
        lead = "console:erin"
        "#,
    )
    .unwrap();
}

async fn warnings_and_breach(mut story: Story) {
    for who in ["carol", "dave", "erin"] {
        story.chat().say(who, "/whoami").await;
    }
    // Monday 09:00, urgent: a first response is due in 30 business minutes.
    story.say("bob", "/ticket new Server room too hot priority:urgent category:it").await;
    story.reply_to("bob").await;
    let notice = story.post_in("queue").await;
    assert!(notice.text().ends_with("First response due by Mon 30 Nov 2026 09:30 (UTC, business hours)"));

    // At 80 % (09:24) nobody holds it: the queue is warned.
    story.advance(chrono::Duration::minutes(23)).await;
    story.quiet().await;
    story.advance(chrono::Duration::minutes(2)).await;
    assert_eq!(
        story.post_in("queue").await.text(),
        "Ticket #1 (Server room too hot): its first response is due in 5 min (business hours), by Mon 30 Nov 2026 09:30."
    );
    // At 09:30 it is breached: the team's channel and erin, its lead, get Take over,
    // Reassign and Extend.
    story.advance(chrono::Duration::minutes(5)).await;
    let breach = story.post_in("queue").await;
    assert_eq!(
        breach.text(),
        "⚠ Ticket #1 (Server room too hot, priority urgent) missed its first-response target, due Mon 30 Nov 2026 \
         09:30. With: nobody yet."
    );
    let labels: Vec<&str> = breach.body.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Take over", "Reassign", "Extend"]);
    assert_eq!(story.dm("erin").await.text(), breach.text());

    // dave may not extend it; carol takes it over.
    story.press_on("dave", &breach, "Extend").await;
    assert!(story.reply_to("dave").await.text().starts_with("Only the team's lead, managers and admins"));
    story.press_on("carol", &breach, "Take over").await;
    assert_eq!(story.reply_to("carol").await.text(), "Ticket #1 is now carol's.");
    let edit = story.edit().await;
    assert!(edit.text().ends_with("Resolution due by Mon 30 Nov 2026 13:00 (UTC, business hours)"), "{}", edit.text());
    story.dm("bob").await;

    // erin extends the resolution by an hour, saying why; the history keeps it.
    story.press_on("erin", &breach, "Extend").await;
    assert!(story.reply_to("erin").await.text().starts_with("Extend ticket #1's deadline by how much"));
    story.answer("erin", "soon").await;
    assert!(story.reply_to("erin").await.text().starts_with("`soon` is not an extension"));
    story.press_on("erin", &breach, "Extend").await;
    story.reply_to("erin").await;
    story.answer("erin", "1h waiting for the cooling vendor").await;
    assert_eq!(
        story.reply_to("erin").await.text(),
        "Ticket #1's resolution is now due by Mon 30 Nov 2026 14:00 (UTC, business hours)."
    );
    story.edit().await;
    let history = story.chat().reply("erin", "/ticket history 1").await;
    assert!(
        history.contains("erin extended the deadline via console: 1 h — waiting for the cooling vendor"),
        "{history}"
    );

    // 80 % of the resolution target (48 min before 14:00): carol is warned; nothing at the
    // old 13:00.
    story.advance(chrono::Duration::hours(3) + chrono::Duration::minutes(41)).await;
    story.quiet().await;
    story.advance(chrono::Duration::minutes(2)).await;
    assert!(story.dm("carol").await.text().starts_with("Ticket #1 (Server room too hot): its resolution is due in"));
    story.finish().await;
}
story!(sla_warning_and_breach_with_buttons, it_team, warnings_and_breach);

/// Two instances on one database, the first stopped over the warning and started again
/// before the breach: the warning and the breach are each posted once.
async fn sla_timers_fire_once_across_instances(backend: common::Backend) {
    let Some(chat) = common::Chat::start_with(backend, it_team).await else { return };
    let (second, second_sent) = chat.another_instance("second", it_team).await;
    for who in ["carol", "dave", "erin"] {
        chat.say(who, "/whoami").await;
    }
    // Monday 09:00, urgent: warned at 09:24, breached at 09:30.
    chat.say("bob", "/ticket new Server room too hot priority:urgent category:it").await;
    chat.app.scheduler.stop().await;
    chat.advance(chrono::Duration::minutes(26)).await;
    chat.app.scheduler.start().await.unwrap();
    chat.advance(chrono::Duration::minutes(10)).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mut sent = chat.sent();
    sent.extend(second_sent.take());
    let count = |start: &str| sent.iter().filter(|m| m.text().starts_with(start)).count();
    assert_eq!(count("Ticket #1 (Server room too hot): its first response is due in"), 1, "{sent:#?}");
    // In the queue and to erin, its lead.
    assert_eq!(count("⚠ Ticket #1 (Server room too hot, priority urgent) missed"), 2, "{sent:#?}");
    second.shutdown().await;
    chat.finish().await;
}

/// The business hours change in the config between two starts: the running deadline
/// keeps the business time it had left, counted in the new hours, and its timers move
/// with it (the old breach never comes).
async fn business_hours_change_moves_deadlines(backend: common::Backend) {
    let nine_to_five = |config: &mut Config| {
        config.channels.support_queue = vec!["console:queue".to_owned()];
        config.tickets = toml::from_str("hours = \"mon-fri 09:00-17:00\"").unwrap();
    };
    let Some(chat) = common::Chat::start_with(backend, nine_to_five).await else { return };
    // Monday 09:00, normal: first response due in 4 business hours, 13:00.
    chat.say("bob", "/ticket new Projector flickers").await;
    chat.advance(chrono::Duration::hours(1)).await;
    // Restarted at 10:00 with mornings only: the 3 h left run 10:00–12:00 and Tuesday
    // 09:00–10:00.
    chat.app.scheduler.stop().await;
    let mornings = |config: &mut Config| {
        config.channels.support_queue = vec!["console:queue".to_owned()];
        config.tickets = toml::from_str("hours = \"mon-fri 09:00-12:00\"").unwrap();
    };
    let (second, said) = chat.another_instance("second", mornings).await;
    second
        .router
        .handle(common::console_event("alice", deskmate_port::EventKind::Command { text: "/ticket show 1".into() }))
        .await
        .unwrap();
    second.router.settle().await;
    let shown = said.take().into_iter().find(|s| s.is_reply()).unwrap();
    assert!(shown.text().contains("Tue 1 Dec 2026 10:00"), "{}", shown.text());
    // A third start with the same hours moves nothing again.
    let (third, _) = chat.another_instance("third", mornings).await;
    third.shutdown().await;
    // Past the old 13:00 and up to Tuesday 09:59: no breach; at 10:00, one.
    chat.advance(chrono::Duration::hours(23) + chrono::Duration::minutes(59)).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    // Either instance may deliver what the other decided.
    let sent = || {
        let mut all = chat.sent();
        all.extend(said.take());
        all
    };
    let breached =
        |sent: &[common::Sent]| sent.iter().filter(|m| m.text().contains("missed its first-response target")).count();
    assert_eq!(breached(&sent()), 0);
    chat.advance(chrono::Duration::minutes(1)).await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let late = sent();
    assert_eq!(breached(&late), 1, "{late:#?}");
    assert!(late.iter().any(|m| m.text().contains("due Tue 1 Dec 2026 10:00")), "{late:#?}");
    second.shutdown().await;
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn business_hours_change_moves_deadlines_postgres() {
    business_hours_change_moves_deadlines(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn business_hours_change_moves_deadlines_sqlite() {
    business_hours_change_moves_deadlines(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sla_timers_fire_once_across_instances_postgres() {
    sla_timers_fire_once_across_instances(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sla_timers_fire_once_across_instances_sqlite() {
    sla_timers_fire_once_across_instances(common::Backend::Sqlite).await;
}

async fn report(chat: common::Chat) {
    chat.say("carol", "/whoami").await;
    chat.reply("alice", "/role grant @carol agent").await;
    // Monday 09:00: two tickets; #1 answered at 09:30 and resolved at 11:00 (within its
    // 4 h and 16 h), #2 (high: 1 h) answered only at 10:30, and left open.
    chat.say("bob", "/ticket new Mouse broken category:it").await;
    chat.say("bob", "/ticket new VPN down priority:high").await;
    chat.advance(chrono::Duration::minutes(30)).await;
    chat.say("carol", "/ticket claim 1").await;
    chat.advance(chrono::Duration::hours(1)).await;
    chat.say("carol", "/ticket claim 2").await;
    chat.advance(chrono::Duration::minutes(30)).await;
    chat.say("carol", "/ticket resolve 1 New mouse").await;
    chat.press("bob", "tk:rate:1:4").await;

    let report = chat.reply("carol", "/report tickets").await;
    assert_eq!(
        report,
        "Tickets from 2026-11-23 11:00 to 2026-11-30 11:00 (UTC):\n\
         Opened: 2. Now: claimed 1, resolved 1. By category: no category 1, it 1.\n\
         First response: median 30 min, 90 % within 1 h 30 min (business hours).\n\
         Resolution: median 2 h, 90 % within 2 h (business hours).\n\
         Targets met: 67 % (2 of 3).\n\
         Satisfaction: 4.0 of 5 (1 rating).\n\
         Open now: 1, median age 2 h, oldest 2 h.\n\
         By agent (holding now / resolved in this span):\n  carol: 1 / 1"
    );
    // The chart comes with it: a PNG of the promised size.
    let sent = chat.say("carol", "/report tickets").await;
    let reply = sent.iter().find(|s| s.is_reply()).unwrap();
    let chart = &reply.body.files[0];
    assert_eq!((chart.name.as_str(), chart.mime.as_str()), ("tickets-2026-11-30.png", "image/png"));
    let decoded = png::Decoder::new(std::io::Cursor::new(&chart.bytes)).read_info().unwrap();
    assert_eq!((decoded.info().width, decoded.info().height), (deskmate::chart::WIDTH, deskmate::chart::HEIGHT));
    // A span of days: the same tickets; a span before them: none; a span read wrong: why.
    let days = chat.reply("carol", "/report tickets 2026-11-30..2026-11-30").await;
    assert!(days.starts_with("Tickets from 2026-11-30 00:00 to 2026-11-30 11:00 (UTC):\nOpened: 2."), "{days}");
    assert!(chat.reply("carol", "/report tickets 2026-12").await.contains("`2026-12` has not begun yet"));
    let october = chat.reply("carol", "/report tickets 2026-10").await;
    assert!(october.starts_with("Tickets from 2026-10-01 00:00 to 2026-11-01 00:00 (UTC):\nOpened: 0."), "{october}");
    assert_eq!(
        chat.reply("carol", "/report tickets 2026-11-30..2026-11-01").await,
        "<period>: `2026-11-30..2026-11-01` ends before it starts; put the earlier day first\n\
         Usage: /report tickets [week|month|from..to] [category:<category>]"
    );
    assert!(
        chat.reply("carol", "/report tickets fortnight").await.starts_with("<period>: `fortnight` is not a period")
    );
    let it = chat.reply("carol", "/report tickets week category:it").await;
    assert!(it.starts_with("IT support tickets from") && it.contains("Opened: 1."), "{it}");
    assert!(chat.reply("carol", "/report tickets week category:plumbing").await.starts_with("There is no category"));
    assert!(chat.reply("bob", "/report tickets").await.starts_with("Only agents can use /report tickets."));

    // The same tickets as a CSV file.
    let sent = chat.say("carol", "/report export").await;
    let reply = sent.iter().find(|s| s.is_reply()).unwrap();
    assert_eq!(reply.text(), "2 tickets as CSV: times in UTC, business times in minutes.");
    let file = &reply.body.files[0];
    assert_eq!((file.name.as_str(), file.mime.as_str()), ("tickets-2026-11-30.csv", "text/csv"));
    let table = String::from_utf8(file.bytes.clone()).unwrap();
    let lines: Vec<&str> = table.split("\r\n").collect();
    assert!(lines[0].starts_with("id,title,category,priority,status,requester,agent,opened,"), "{table}");
    assert_eq!(
        lines[1],
        "1,Mouse broken,it,normal,resolved,bob,carol,2026-11-30T09:00:00Z,2026-11-30T09:30:00Z,\
         2026-11-30T11:00:00Z,30,120,true,true,4"
    );
    assert_eq!(lines[2], "2,VPN down,,high,claimed,bob,carol,2026-11-30T09:00:00Z,2026-11-30T10:30:00Z,,90,,false,,");
    chat.finish().await;
}
on_both_backends!(
    tickets_report,
    |c: &mut Config| {
        c.channels.support_queue = vec!["console:queue".to_owned()];
        c.tickets = toml::from_str("[[categories]]\nname = \"it\"\nlabel = \"IT support\"\n").unwrap();
    },
    report
);

fn teams_in_two_zones(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.channels.groups = vec!["it=console:it-queue".to_owned()];
    config.tickets = toml::from_str(
        r#"
        [[categories]]
        name = "it"
        label = "IT support"
        queue = "it"
        zone = "Asia/Shanghai"
        "#,
    )
    .unwrap();
    no_targets(config);
}

async fn weekly_reports(mut story: Story) {
    story.say("bob", "/ticket new Printer offline category:it").await;
    story.reply_to("bob").await;
    story.post_in("it-queue").await;
    // The IT team's Monday 09:00 is 01:00 UTC: its report is posted to its queue then.
    story.advance(chrono::Duration::days(6) + chrono::Duration::hours(15)).await;
    story.quiet().await;
    story.advance(chrono::Duration::hours(1)).await;
    let it = story.post_in("it-queue").await;
    assert!(
        it.text().starts_with(
            "IT support tickets from 2026-11-30 09:00 to 2026-12-07 09:00 (Asia/Shanghai):\nOpened: 1. Now: open 1."
        ),
        "{}",
        it.text()
    );
    // The help desk's, on UTC, at 09:00: every ticket.
    story.advance(chrono::Duration::hours(7)).await;
    story.quiet().await;
    story.advance(chrono::Duration::hours(1)).await;
    let all = story.post_in("queue").await;
    assert!(all.text().starts_with("Tickets from 2026-11-30 09:00 to 2026-12-07 09:00 (UTC):"), "{}", all.text());
    // And a week on, again.
    story.advance(chrono::Duration::days(7)).await;
    assert!(story.post_in("it-queue").await.text().starts_with("IT support tickets from 2026-12-07 09:00"));
    assert!(story.post_in("queue").await.text().starts_with("Tickets from 2026-12-07 09:00"));
    story.finish().await;
}
story!(weekly_reports_on_each_teams_clock, teams_in_two_zones, weekly_reports);
