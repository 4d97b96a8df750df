//! The ways a request reaches the help desk besides `/ticket new` (a panel, a direct
//! message, a reaction), the conversation relayed through the queue notice's thread, and
//! the solved tickets suggested to the agent who takes a new one; on SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::story::Story;
use deskmate::config::Config;

fn categories(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.tickets = toml::from_str(
        r#"
        [[categories]]
        name = "it"
        label = "IT support"
        agents = ["console:carol"]

        [[categories]]
        name = "facilities"
        "#,
    )
    .unwrap();
}

fn labels(sent: &common::Sent) -> Vec<&str> {
    sent.body.buttons.iter().map(|b| b.label.as_str()).collect()
}

async fn intake(mut story: Story) {
    story.chat().say("carol", "/whoami").await;
    for who in ["bob", "dave", "ann"] {
        story.chat().say(who, "/whoami").await;
    }

    // A panel: a button per category. Only agents post one.
    story.say("bob", "/ticket panel").await;
    assert!(story.reply_to("bob").await.text().starts_with("Only agents can use /ticket panel."));
    story.say("carol", "/ticket panel plumbing").await;
    assert!(story.reply_to("carol").await.text().starts_with("There is no category `plumbing`"));
    story.say("carol", "/ticket panel").await;
    let panel = story.reply_to("carol").await;
    assert_eq!(labels(&panel), ["IT support", "facilities"]);
    assert!(panel.text().starts_with("Need help?"), "{}", panel.text());

    // bob presses IT support: asked what he needs (the first line its title, the details
    // below); the ticket opens in its category.
    story.press_on("bob", &panel, "IT support").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "IT support: what do you need help with? The first line is its title; add what happened, where and \
         since when below it."
    );
    story.answer("bob", "VPN drops every hour\nSince Monday, on the office wifi only.").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Ticket #1 opened: VPN drops every hour (priority normal). The support team has been notified."
    );
    let first = story.post_in("queue").await;
    assert!(first.text().contains("VPN drops every hour"), "{}", first.text());
    let shown = story.chat().reply("bob", "/ticket show 1").await;
    assert!(shown.contains("Category: it"), "{shown}");
    assert!(shown.contains("bob: Since Monday, on the office wifi only."), "{shown}");

    // A direct message from someone with a ticket open: about it, or new?
    story.write("bob", "My monitor flickers\nsince this morning, both screens").await;
    let asked = story.reply_to("bob").await;
    assert_eq!(labels(&asked), ["Add to #1", "New ticket"]);
    assert!(asked.text().contains("#1 VPN drops every hour"), "{}", asked.text());
    story.press_on("bob", &asked, "New ticket").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Ticket #2 opened: My monitor flickers (priority normal). The support team has been notified."
    );
    story.post_in("queue").await;
    // The same button again finds its draft gone.
    story.press_on("bob", &asked, "New ticket").await;
    assert_eq!(story.reply_to("bob").await.text(), "That button is no longer valid.");

    story.write("bob", "The VPN dropped twice more").await;
    let asked = story.reply_to("bob").await;
    let mut offered = labels(&asked);
    offered.sort_unstable();
    assert_eq!(offered, ["Add to #1", "Add to #2", "New ticket"]);
    story.press_on("bob", &asked, "Add to #1").await;
    assert_eq!(story.reply_to("bob").await.text(), "Added to ticket #1; the support team has it.");
    let relayed = story.under(&first).await;
    assert_eq!(relayed.text(), "bob on ticket #1 (VPN drops every hour): The VPN dropped twice more");

    // Someone with nothing open: their message is a ticket at once.
    story.write("dave", "Can I get a second monitor?").await;
    assert!(story.reply_to("dave").await.text().starts_with("Ticket #3 opened: Can I get a second monitor?"));
    story.post_in("queue").await;

    // A 🎫 on ann's message in the group: a ticket for ann, with a link back.
    story.react("carol", "🎫", "m500", "ann", "The coffee machine on 2F leaks again").await;
    assert!(story.dm("carol").await.text().starts_with("Ticket #4 opened: The coffee machine on 2F leaks again"));
    story.post_in("queue").await;
    assert_eq!(
        story.dm("ann").await.text(),
        "carol turned your message into ticket #4: The coffee machine on 2F leaks again. You will hear here as it \
         moves; add to it with /ticket reply 4 <text>."
    );
    let shown = story.chat().reply("ann", "/ticket show 4").await;
    assert!(shown.contains("From the message: https://chat.example/general/m500"), "{shown}");
    // A second 🎫, by anyone, opens nothing new; other emoji do nothing.
    story.react("dave", "🎫", "m500", "ann", "The coffee machine on 2F leaks again").await;
    assert_eq!(story.dm("dave").await.text(), "That message is ticket #4 already; nothing new was opened.");
    story.react("dave", "👍", "m501", "ann", "thanks!").await;
    assert_eq!(story.chat().count("tickets").await, 4);
    story.finish().await;
}
story!(intake_by_panel_direct_message_and_reaction, categories, intake);

fn one_queue(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
}

async fn relay(mut story: Story) {
    story.chat().say("carol", "/whoami").await;
    story.chat().reply("alice", "/role grant @carol agent").await;
    story.chat().say("erin", "/whoami").await;

    story.say("bob", "/ticket new Printer jammed").await;
    story.reply_to("bob").await;
    let notice = story.post_in("queue").await;
    story.say("carol", "/ticket claim 1").await;
    story.reply_to("carol").await;
    story.edit().await;
    story.dm("bob").await;

    // carol writes in the notice's thread: bob reads it by direct message.
    story.in_thread("carol", &notice, "Which floor are you on?").await;
    assert_eq!(story.reply_to("carol").await.text(), "Added to ticket #1; bob has it.");
    assert_eq!(story.dm("bob").await.text(), "carol on ticket #1 (Printer jammed): Which floor are you on?");

    // bob answers in private: into the thread, and to carol.
    story.write("bob", "Third floor, by the kitchen").await;
    let asked = story.reply_to("bob").await;
    story.press_on("bob", &asked, "Add to #1").await;
    assert_eq!(story.reply_to("bob").await.text(), "Added to ticket #1; carol has it.");
    assert_eq!(story.dm("carol").await.text(), "bob on ticket #1 (Printer jammed): Third floor, by the kitchen");
    assert_eq!(story.under(&notice).await.text(), "bob on ticket #1 (Printer jammed): Third floor, by the kitchen");

    // `!note` in the thread is internal: bob hears nothing of it.
    story.in_thread("carol", &notice, "!note toner batch 7 is faulty, replace not refill").await;
    assert_eq!(story.reply_to("carol").await.text(), "Internal note added to ticket #1. Its requester never sees it.");
    let shown = story.chat().reply("bob", "/ticket show 1").await;
    assert!(!shown.contains("toner batch"), "{shown}");

    // Someone with no part in it may not write there.
    story.in_thread("erin", &notice, "me too").await;
    assert!(story.reply_to("erin").await.text().starts_with("Only the requester of ticket #1"));
    story.finish().await;
}
story!(relay_through_the_queue_thread, one_queue, relay);

async fn similar(chat: common::Chat) {
    chat.say("carol", "/whoami").await;
    chat.reply("alice", "/role grant @carol agent").await;
    for (title, fix) in [
        ("VPN drops every hour", "Reinstalled the VPN client"),
        ("Projector in room 4 shows no picture", "Swapped the HDMI cable"),
        ("打印机卡纸", "换了新的硒鼓"),
    ] {
        chat.say("bob", &format!("/ticket new {title}")).await;
        let id = chat.count("tickets").await;
        chat.say("carol", &format!("/ticket claim {id}")).await;
        chat.say("carol", &format!("/ticket resolve {id} {fix}")).await;
    }
    chat.say("bob", "/ticket new The VPN keeps dropping at home").await;
    let sent = chat.say("carol", "/ticket claim 4").await;
    let to_carol: Vec<&str> = sent
        .iter()
        .filter(|s| matches!(&s.to, deskmate_port::Destination::Direct(a) if a.id == "carol"))
        .map(|s| s.text())
        .collect();
    assert_eq!(
        to_carol,
        ["Solved tickets like #4 (only you see this):\n#1 VPN drops every hour — fixed: Reinstalled the VPN client"]
    );
    assert!(sent.iter().all(|s| !s.text().contains("Reinstalled")
        || matches!(&s.to, deskmate_port::Destination::Direct(a) if a.id == "carol")));

    chat.say("bob", "/ticket new 三楼的打印机又卡纸了").await;
    let sent = chat.say("carol", "/ticket claim 5").await;
    assert!(sent.iter().any(|s| s.text().contains("#3 打印机卡纸 — fixed: 换了新的硒鼓")), "{sent:#?}");

    // Nothing alike: nothing suggested.
    chat.say("bob", "/ticket new Parking badge expired").await;
    let sent = chat.say("carol", "/ticket claim 6").await;
    assert!(sent.iter().all(|s| !s.text().starts_with("Solved tickets like")), "{sent:#?}");
    chat.finish().await;
}
on_both_backends!(similar_tickets_for_the_agent_who_claims, one_queue, similar);
