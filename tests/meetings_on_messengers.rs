//! A meeting across messengers, through the real teloxide and serenity clients against
//! the wire-level fakes: dan books it on Telegram, its notice goes to the Telegram group,
//! bob answers his invitation with a Discord button and carol hers with a Telegram one
//! (then says why); the group's notice keeps count.
#![allow(clippy::unwrap_used)]

mod common;

use common::Backend;
use common::world::{DC_BOB, DC_CHANNEL, TG_CAROL, TG_DAN, TG_GROUP, WAIT, World};
use serde_json::json;

async fn rsvp_on_both_messengers(backend: Backend) {
    let Some(world) = World::start(backend, |c| {
        c.channels.groups = vec![format!("meetings=telegram:{TG_GROUP}")];
        c.meetings.channel = "meetings".to_owned();
    })
    .await
    else {
        return;
    };
    world.org_chart().await;

    world.tg_says(TG_DAN, "/meeting schedule Retro 2026-12-05 10:00 with:@bob @carol for:1h");
    world.tg_wait(TG_GROUP, "Meeting Retro (#1) is scheduled").await;
    let notice = world.tg_wait(TG_GROUP, "📅 Retro (#1)").await;
    assert!(notice.shown.ends_with("Accepted (1): Dan\nNot answered (2): Bob, Carol"), "{}", notice.shown);
    world
        .telegram
        .wait("the notice's .ics", WAIT, |f| {
            f.messages_in(TG_GROUP).iter().any(|m| m.file.as_ref().is_some_and(|f| f.1 == "meeting-1.ics"))
        })
        .await;

    // bob was last on Discord: his invitation is there, with the calendar file.
    let invitation = world.bobs_dm(0).await;
    assert!(invitation.content.contains("Dan invites you to Retro (#1)"), "{invitation:?}");
    assert_eq!(invitation.buttons(), ["mt:yes:1", "mt:maybe:1", "mt:no:1"]);
    assert_eq!(invitation.files.first().map(|f| f.0.as_str()), Some("meeting-1.ics"));
    let pressed = world.discord.press(DC_BOB, &invitation, "mt:yes:1");
    world.discord.wait("bob's answer", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    world
        .discord
        .wait("bob's invitation edited", WAIT, |f| f.message(invitation.id).is_some_and(|m| m.edits > 0))
        .await;
    let edited = world.discord.message(invitation.id).unwrap();
    assert!(edited.content.contains("You answered: accepted"), "{edited:?}");
    world
        .telegram
        .wait("the notice counts bob", WAIT, |f| {
            f.message_by_id(TG_GROUP, notice.id).is_some_and(|m| m.shown.contains("Accepted (2): Dan, Bob"))
        })
        .await;

    // carol declines on Telegram and says why.
    let hers = world.tg_wait(TG_CAROL.id, "Dan invites you to Retro (#1)").await;
    assert_eq!(hers.buttons(), ["mt:yes:1", "mt:maybe:1", "mt:no:1"]);
    world.telegram.press(TG_CAROL.id, TG_CAROL, hers.id, "mt:no:1");
    let asked = world.tg_wait(TG_CAROL.id, "A note for Dan?").await;
    assert!(asked.forces_reply(), "{asked:?}");
    world.tg_wait(TG_DAN.id, "Carol declined Retro (#1).").await;
    world.telegram.reply(TG_CAROL.id, TG_CAROL, asked.id, "down with a cold");
    world.tg_wait(TG_DAN.id, "Carol declined Retro (#1): down with a cold").await;
    world
        .telegram
        .wait("the notice shows the note", WAIT, |f| {
            f.message_by_id(TG_GROUP, notice.id)
                .is_some_and(|m| m.shown.contains("Declined (1): Carol (down with a cold)"))
        })
        .await;
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rsvp_on_both_messengers_sqlite() {
    rsvp_on_both_messengers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rsvp_on_both_messengers_postgres() {
    rsvp_on_both_messengers(Backend::Postgres).await;
}

/// dan finds a time on Telegram and books it with one of its buttons; bob answers a
/// series' invitation on Discord for every time at once.
async fn findtime_and_a_series_on_both_messengers(backend: Backend) {
    let Some(world) = World::start(backend, |_| {}).await else {
        return;
    };
    world.org_chart().await;

    world.tg_says(TG_DAN, "/meeting findtime @bob @carol 30m title:Sync");
    let offered = world.tg_wait(TG_GROUP, "Everyone is free, within their working hours, for 30m").await;
    let buttons = offered.buttons();
    assert_eq!(buttons.len(), 3, "{offered:?}");
    assert!(buttons.iter().all(|b| b.starts_with("mt:pick:")), "{buttons:?}");
    world.telegram.press(TG_GROUP, TG_DAN, offered.id, &buttons[0]);
    world.tg_wait(TG_GROUP, "Meeting Sync (#1) is scheduled").await;
    let invitation = world.bobs_dm(0).await;
    assert!(invitation.content.contains("Dan invites you to Sync (#1)"), "{invitation:?}");

    world.tg_says(TG_DAN, "/meeting schedule Weekly 2027-01-04 10:00 with:@bob repeat:weekly times:3");
    world.tg_wait(TG_GROUP, "Meeting Weekly (#2) is scheduled").await;
    let series = world.bobs_dm(1).await;
    assert!(series.content.contains("Repeats: weekly on Mon"), "{series:?}");
    assert_eq!(series.buttons(), ["mt:yes:2:all", "mt:maybe:2:all", "mt:no:2:all"]);
    let pressed = world.discord.press(DC_BOB, &series, "mt:yes:2:all");
    world.discord.wait("bob's answer", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    world.discord.wait("bob's invitation edited", WAIT, |f| f.message(series.id).is_some_and(|m| m.edits > 0)).await;
    assert!(world.discord.message(series.id).unwrap().content.contains("You answered: accepted"));
    // A person picked from Discord's mention list inside a text option arrives as
    // <@id>: it names that account (handles are per messenger; departments are not).
    let with = format!("<@{}> #Finance", DC_BOB.id);
    let options = json!([{ "name": "schedule", "type": 1, "options": [
        { "name": "title", "type": 3, "value": "Call" },
        { "name": "when", "type": 3, "value": "2027-02-01 10:00" },
        { "name": "with", "type": 3, "value": with },
    ] }]);
    let asked = world.discord.slash(DC_BOB, DC_CHANNEL, "meeting", options);
    world
        .discord
        .wait("the meeting booked from Discord", WAIT, |f| {
            f.replies_to(asked).iter().any(|m| m.content.contains("Meeting Call (#3) is scheduled"))
        })
        .await;
    let booked = world.discord.replies_to(asked).into_iter().find(|m| m.content.contains("Call (#3)")).unwrap();
    assert!(booked.content.contains("With: Bob, Carol"), "{booked:?}");
    world.tg_wait(TG_CAROL.id, "Bob invites you to Call (#3)").await;
    world.tg_says(TG_DAN, "/meeting show 2");
    let shown = world.tg_wait(TG_GROUP, "Weekly (#2)\n").await;
    assert!(shown.shown.contains("Accepted (2): Dan, Bob"), "{}", shown.shown);
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn findtime_and_a_series_on_both_messengers_sqlite() {
    findtime_and_a_series_on_both_messengers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn findtime_and_a_series_on_both_messengers_postgres() {
    findtime_and_a_series_on_both_messengers(Backend::Postgres).await;
}
