//! The help desk across the real Telegram and Discord clients, against their wire-level
//! fakes: a requester on Telegram and an agent in the queue notice's Discord thread
//! talking through Deskmate; the same in a Telegram group's reply chain; and reactions
//! on both that turn a message into a ticket.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::fake_discord::User as DcUser;
use common::world::{DC_CHANNEL, TG_BOB, TG_CAROL, TG_GROUP, WAIT, World};
use serde_json::json;

const DC_CAROL: DcUser = DcUser { id: 500_000_000_000_000_003, name: "Carol" };

/// The queue is a Discord channel; carol, an admin there, works it.
fn queue_on_discord(config: &mut deskmate::config::Config) {
    config.channels.support_queue = vec![format!("discord:{DC_CHANNEL}")];
    config.directory.admins.push(format!("discord:{}", DC_CAROL.id));
}

/// bob's private chat with the bot on Telegram (it has his id).
fn bobs_chat() -> i64 {
    TG_BOB.id
}

async fn telegram_requester_discord_agent(world: World) {
    // bob writes to the bot in private: a ticket, posted to the Discord queue with a thread.
    world.telegram.say(bobs_chat(), TG_BOB, "The colour printer on 3F is jammed");
    world.tg_wait(bobs_chat(), "Ticket #1 opened: The colour printer on 3F is jammed").await;
    world.discord.wait("the notice's thread", WAIT, |f| !f.threads().is_empty()).await;
    let (_, notice, _) = world.discord.threads()[0].clone();
    let thread = notice;

    // carol answers in the thread: bob reads it on Telegram.
    world.discord.say(DC_CAROL, thread, "Is it showing an error code?", false);
    world
        .tg_wait(bobs_chat(), "Carol on ticket #1 (The colour printer on 3F is jammed): Is it showing an error code?")
        .await;
    world
        .discord
        .wait("carol's receipt", WAIT, |f| {
            f.messages_in(thread).iter().any(|m| m.content.contains("Added to ticket #1; Bob has it."))
        })
        .await;

    // bob answers in private; asked whether it is about #1, he presses Add to #1: it
    // reaches the thread.
    world.telegram.say(bobs_chat(), TG_BOB, "Yes, E42");
    let asked = world.tg_wait(bobs_chat(), "Is this message about it, or a new request?").await;
    let add = asked.buttons().into_iter().find(|b| b.starts_with("tk:add:")).unwrap();
    world.telegram.press(bobs_chat(), TG_BOB, asked.id, &add);
    world
        .discord
        .wait("bob's answer in the thread", WAIT, |f| {
            f.messages_in(thread)
                .iter()
                .any(|m| m.content.contains("Bob on ticket #1") && m.content.contains("Yes, E42"))
        })
        .await;

    // `!note` in the thread stays with the team: bob's chat gets nothing more.
    let before = world.telegram.messages_in(bobs_chat()).len();
    world.discord.say(DC_CAROL, thread, "!note E42 is the fuser, order part 7731", false);
    world
        .discord
        .wait("the note's receipt", WAIT, |f| {
            f.messages_in(thread).iter().any(|m| m.content.contains("Internal note added to ticket #1"))
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = world.telegram.messages_in(bobs_chat());
    assert_eq!(after.len(), before, "bob read: {:?}", after.last().map(|m| &m.shown));
    assert!(after.iter().all(|m| !m.shown.contains("fuser")));
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relay_telegram_requester_discord_thread_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, queue_on_discord).await {
        telegram_requester_discord_agent(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relay_telegram_requester_discord_thread_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, queue_on_discord).await {
        telegram_requester_discord_agent(world).await;
    }
}

/// The queue is the Telegram group (the world's default); carol is an admin there.
fn queue_on_telegram(config: &mut deskmate::config::Config) {
    config.directory.admins.push(format!("telegram:{}", TG_CAROL.id));
}

async fn telegram_reply_chain_and_reaction(world: World) {
    world.tg_says(TG_CAROL, "/whoami");
    world.tg_wait(TG_GROUP, "You are").await;
    world.telegram.say(bobs_chat(), TG_BOB, "/ticket new Wifi in room 2 is slow");
    world.tg_wait(bobs_chat(), "Ticket #1 opened").await;
    let notice = world.tg_wait(TG_GROUP, "Wifi in room 2 is slow").await;

    // carol replies to the notice in the group: bob reads it.
    world.telegram.reply(TG_GROUP, TG_CAROL, notice.id, "Which network, guest or staff?");
    world.tg_wait(bobs_chat(), "Carol on ticket #1 (Wifi in room 2 is slow): Which network, guest or staff?").await;

    // bob's answer joins the chain: a reply to the notice.
    world.telegram.say(bobs_chat(), TG_BOB, "Staff");
    let asked = world.tg_wait(bobs_chat(), "Is this message about it").await;
    let add = asked.buttons().into_iter().find(|b| b.starts_with("tk:add:")).unwrap();
    world.telegram.press(bobs_chat(), TG_BOB, asked.id, &add);
    let relayed = world.tg_wait(TG_GROUP, "Bob on ticket #1 (Wifi in room 2 is slow): Staff").await;
    assert_eq!(relayed.reply_to, Some(notice.id), "in the notice's reply chain");

    // carol replies to bob's relayed message: that reaches bob too.
    world.telegram.reply(TG_GROUP, TG_CAROL, relayed.id, "Thanks, rebooting the access point");
    world.tg_wait(bobs_chat(), "Carol on ticket #1 (Wifi in room 2 is slow): Thanks, rebooting the access point").await;

    // A ✍ reaction on bob's message in the group makes it a ticket for bob.
    let said = world.telegram.message_json(TG_GROUP, TG_BOB, "The kitchen tap drips all day");
    let (message_id, chat) = (said["message_id"].as_i64().unwrap(), said["chat"].clone());
    world.telegram.push_update(json!({ "message": said }));
    let react = |user: common::fake_telegram::User| {
        json!({ "message_reaction": {
            "chat": chat, "message_id": message_id, "user": user.json(), "date": chrono::Utc::now().timestamp(),
            "old_reaction": [], "new_reaction": [{ "type": "emoji", "emoji": "✍" }],
        } })
    };
    world.telegram.push_update(react(TG_CAROL));
    world.tg_wait(bobs_chat(), "Carol turned your message into ticket #2: The kitchen tap drips all day").await;
    world.tg_wait(TG_CAROL.id, "Ticket #2 opened: The kitchen tap drips all day").await;
    world.tg_wait(TG_GROUP, "The kitchen tap drips all day").await;
    // Again: nothing new.
    world.telegram.push_update(react(TG_BOB));
    world.tg_wait(bobs_chat(), "That message is ticket #2 already").await;
    assert_eq!(common::count(&world.app.store, "tickets").await, 2);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn telegram_reply_chain_and_reaction_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, queue_on_telegram).await {
        telegram_reply_chain_and_reaction(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn telegram_reply_chain_and_reaction_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, queue_on_telegram).await {
        telegram_reply_chain_and_reaction(world).await;
    }
}

async fn discord_reaction(world: World) {
    // carol's message in the Discord channel; bob reacts 🎫: a ticket for carol.
    let said = world.discord.say(DC_CAROL, DC_CHANNEL, "Badge reader at the back door is dead", false);
    tokio::time::sleep(Duration::from_millis(200)).await;
    world.discord.react(common::world::DC_BOB, DC_CHANNEL, said, "🎫");
    world
        .discord
        .wait("the ticket's notice", WAIT, |f| {
            f.messages_in(DC_CHANNEL)
                .iter()
                .any(|m| m.content.contains("Badge reader at the back door is dead") && m.id != said)
        })
        .await;
    let shown = world.app.store.ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap();
    assert_eq!(shown.requester.name, "Carol");
    // 👍 opens nothing.
    world.discord.react(common::world::DC_BOB, DC_CHANNEL, said, "👍");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(common::count(&world.app.store, "tickets").await, 1);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn discord_reaction_opens_a_ticket_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, queue_on_discord).await {
        discord_reaction(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn discord_reaction_opens_a_ticket_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, queue_on_discord).await {
        discord_reaction(world).await;
    }
}

async fn panels(world: World) {
    // On Discord: carol posts a panel; bob's press opens a form; his answer is a ticket.
    let posted =
        world.discord.slash(DC_CAROL, DC_CHANNEL, "ticket", json!([{ "name": "panel", "type": 1, "options": [] }]));
    world.discord.wait("the panel", WAIT, |f| !f.replies_to(posted).is_empty()).await;
    let panel = world.discord.replies_to(posted)[0].clone();
    assert_eq!(panel.buttons(), ["tk:panel:-"]);
    let pressed = world.discord.press(common::world::DC_BOB, &panel, "tk:panel:-");
    world.discord.wait("the form", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    let (kind, _, form) = world.discord.answer(pressed).callbacks[0].clone();
    assert_eq!(kind, 9, "a modal");
    assert!(form.to_string().contains("What do you need help with?"), "{form}");
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    world.discord.submit(common::world::DC_BOB, DC_CHANNEL, &custom_id, "Scanner offline\nThe one by reception");
    world
        .discord
        .wait("the ticket's notice", WAIT, |f| {
            f.messages_in(DC_CHANNEL)
                .iter()
                .any(|m| m.content.contains("Ticket #1") && m.content.contains("Scanner offline"))
        })
        .await;

    // On Telegram: the same panel in the group; bob's press asks him by a reply-forced
    // question, and his reply opens the ticket.
    world.tg_says(TG_CAROL, "/whoami");
    world.tg_wait(TG_GROUP, "You are").await;
    world.tg_says(TG_CAROL, "/ticket panel");
    let panel = world.tg_wait(TG_GROUP, "Need help?").await;
    assert_eq!(panel.buttons(), ["tk:panel:-"]);
    world.telegram.press(TG_GROUP, TG_BOB, panel.id, "tk:panel:-");
    let asked = world.tg_wait(TG_GROUP, "What do you need help with?").await;
    assert!(asked.forces_reply(), "a question bob answers by replying");
    world.telegram.reply(TG_GROUP, TG_BOB, asked.id, "Projector remote missing\nRoom 4");
    world.tg_wait(TG_GROUP, "Ticket #2 opened: Projector remote missing").await;
    let ticket = world.app.store.ticket(deskmate::features::tickets::TicketId(2)).await.unwrap().unwrap();
    assert_eq!(ticket.requester.name, "Bob");
    world.finish().await;
}

/// Carol is an admin on both; the queue is the Discord channel.
fn panels_config(config: &mut deskmate::config::Config) {
    queue_on_discord(config);
    config.directory.admins.push(format!("telegram:{}", TG_CAROL.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn panels_on_both_messengers_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, panels_config).await {
        panels(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn panels_on_both_messengers_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, panels_config).await {
        panels(world).await;
    }
}

async fn ratings(world: World) {
    // Telegram: bob's ticket, resolved by carol in the group; bob rates it in private and
    // comments by replying to the question.
    world.tg_says(TG_CAROL, "/whoami");
    world.tg_wait(TG_GROUP, "You are").await;
    world.telegram.say(bobs_chat(), TG_BOB, "/ticket new Headset crackles");
    world.tg_wait(bobs_chat(), "Ticket #1 opened").await;
    world.tg_says(TG_CAROL, "/ticket claim 1");
    world.tg_says(TG_CAROL, "/ticket resolve 1 New headset");
    let asked = world.tg_wait(bobs_chat(), "How did we do on ticket #1").await;
    assert_eq!(asked.buttons(), ["tk:rate:1:1", "tk:rate:1:2", "tk:rate:1:3", "tk:rate:1:4", "tk:rate:1:5"]);
    world.telegram.press(bobs_chat(), TG_BOB, asked.id, "tk:rate:1:4");
    let question = world.tg_wait(bobs_chat(), "Thanks: ticket #1 rated 4 of 5").await;
    assert!(question.forces_reply());
    world.telegram.reply(bobs_chat(), TG_BOB, question.id, "Quick and friendly");
    world.tg_wait(bobs_chat(), "Thanks, your comment on ticket #1 is kept").await;
    // A second press changes it: the answer is the press's toast.
    let query = world.telegram.press(bobs_chat(), TG_BOB, asked.id, "tk:rate:1:5");
    world
        .telegram
        .wait("the changed rating", WAIT, |f| {
            f.answers(&query).iter().flatten().any(|t| t == "Your rating of ticket #1 is now 5 of 5 (it was 4).")
        })
        .await;

    // Discord: a ticket of bob's there, rated with the buttons of its direct message.
    let opened = world.discord.slash(
        common::world::DC_BOB,
        DC_CHANNEL,
        "ticket",
        json!([{ "name": "new", "type": 1, "options": [{ "name": "title", "type": 3, "value": "Dock flickers" }] }]),
    );
    world.discord.wait("the ticket", WAIT, |f| !f.answer(opened).callbacks.is_empty()).await;
    world.tg_says(TG_CAROL, "/ticket claim 2");
    world.tg_says(TG_CAROL, "/ticket resolve 2 New dock");
    world
        .discord
        .wait("bob's rating request", WAIT, |f| {
            f.dm_channel(common::world::DC_BOB)
                .is_some_and(|c| f.messages_in(c).iter().any(|m| m.content.contains("How did we do on ticket #2")))
        })
        .await;
    let channel = world.discord.dm_channel(common::world::DC_BOB).unwrap();
    let asked = world.discord.messages_in(channel).into_iter().find(|m| m.content.contains("How did we do")).unwrap();
    assert_eq!(asked.buttons().len(), 5);
    let pressed = world.discord.press(common::world::DC_BOB, &asked, "tk:rate:2:2");
    world.discord.wait("the comment form", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    assert_eq!(world.discord.answer(pressed).callbacks[0].0, 9, "the comment is asked with a form");
    // The lead (no category: the queue, the Telegram group) hears of the low rating.
    world.tg_wait(TG_GROUP, "Ticket #2 (Dock flickers) was rated 2 of 5 by Bob").await;
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ratings_on_both_messengers_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, queue_on_telegram).await {
        ratings(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ratings_on_both_messengers_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, queue_on_telegram).await {
        ratings(world).await;
    }
}

async fn breach_buttons(world: World) {
    // An urgent ticket on Telegram, nobody takes it: 30 business minutes later (Monday
    // 09:30) the queue group gets the breach with its buttons, and carol takes it over
    // with a press.
    world.tg_says(TG_CAROL, "/whoami");
    world.tg_wait(TG_GROUP, "You are").await;
    world.telegram.say(bobs_chat(), TG_BOB, "/ticket new Door badge reader dead priority:urgent");
    world.tg_wait(bobs_chat(), "Ticket #1 opened").await;
    world.clock.advance(chrono::Duration::minutes(31));
    world.app.scheduler.time_passed(chrono::Duration::minutes(31)).await.unwrap();
    let breach = world.tg_wait(TG_GROUP, "missed its first-response target").await;
    assert_eq!(breach.buttons(), ["tk:takeover:1", "tk:reassign:1", "tk:extend:1"]);
    world.telegram.press(TG_GROUP, TG_CAROL, breach.id, "tk:takeover:1");
    world.tg_wait(bobs_chat(), "is now with Carol").await;
    let ticket = world.app.store.ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap();
    assert_eq!(ticket.assignee.map(|a| a.name).as_deref(), Some("Carol"));
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn breach_buttons_on_telegram_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, queue_on_telegram).await {
        breach_buttons(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn breach_buttons_on_telegram_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, queue_on_telegram).await {
        breach_buttons(world).await;
    }
}

async fn breach_on_discord(world: World) {
    // The queue on Discord: the breach post there, and Extend opens a form for carol
    // (an admin); her answer moves the deadline.
    world.telegram.say(bobs_chat(), TG_BOB, "/ticket new Projector bulb gone priority:urgent");
    world.tg_wait(bobs_chat(), "Ticket #1 opened").await;
    world.clock.advance(chrono::Duration::minutes(31));
    world.app.scheduler.time_passed(chrono::Duration::minutes(31)).await.unwrap();
    world
        .discord
        .wait("the breach", WAIT, |f| f.messages_in(DC_CHANNEL).iter().any(|m| m.content.contains("missed its")))
        .await;
    let breach = world.discord.messages_in(DC_CHANNEL).into_iter().find(|m| m.content.contains("missed its")).unwrap();
    assert_eq!(breach.buttons(), ["tk:takeover:1", "tk:reassign:1", "tk:extend:1"]);
    let pressed = world.discord.press(DC_CAROL, &breach, "tk:extend:1");
    world.discord.wait("the form", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    let (kind, _, form) = world.discord.answer(pressed).callbacks[0].clone();
    assert_eq!(kind, 9, "a modal");
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    world.discord.submit(DC_CAROL, DC_CHANNEL, &custom_id, "1h vendor on the way");
    world
        .discord
        .wait("the new deadline", WAIT, |f| {
            f.all_messages().iter().any(|m| m.content.contains("first response is now due by"))
        })
        .await;
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn breach_buttons_on_discord_sqlite() {
    if let Some(world) = World::start(common::Backend::Sqlite, queue_on_discord).await {
        breach_on_discord(world).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn breach_buttons_on_discord_postgres() {
    if let Some(world) = World::start(common::Backend::Postgres, queue_on_discord).await {
        breach_on_discord(world).await;
    }
}
