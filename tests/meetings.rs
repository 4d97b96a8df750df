//! Meetings as people use them, on SQLite and PostgreSQL: conflicts reported before a
//! meeting is booked, invitations answered with buttons (the channel notice keeping
//! count), a decline's note, reminders on the test's clock, a cancellation reaching
//! everyone with the calendar update.
#![allow(clippy::unwrap_used)]

mod common;

use common::Sent;
use common::story::Story;
use deskmate::config::Config;
use deskmate_port::Destination;

fn with_channel(config: &mut Config) {
    config.channels.groups = vec!["meetings=console:meetings".to_owned()];
    config.meetings.channel = "meetings".to_owned();
    // An action item's ticket sits open for days here: no service-level warnings.
    config.tickets.sla = toml::from_str("low = {}\nnormal = {}\nhigh = {}\nurgent = {}\n").unwrap();
}

/// bob, carol (in Shanghai) and dan have written once; dan is in Sales.
async fn people(story: &Story) {
    let chat = story.chat();
    for who in ["bob", "carol", "dan", "erin"] {
        chat.say(who, "/whoami").await;
    }
    chat.say("carol", "/tz set Asia/Shanghai").await;
    for line in ["/dept create Sales", "/dept add Sales @dan"] {
        chat.say("alice", line).await;
    }
}

fn labels(m: &Sent) -> Vec<&str> {
    m.body.buttons.iter().map(|b| b.label.as_str()).collect()
}

fn ics(m: &Sent) -> String {
    let file = m.body.files.iter().find(|f| f.mime == "text/calendar").expect("an .ics");
    String::from_utf8(file.bytes.clone()).unwrap()
}

/// The next `n` edits, by what they say.
async fn edits(story: &mut Story, n: usize) -> Vec<Sent> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(story.edit().await);
    }
    out
}

async fn invitations_answers_reminders_and_a_cancellation(mut story: Story) {
    people(&story).await;
    story
        .say(
            "bob",
            "/meeting schedule \"Budget review\" 2026-12-01 10:00 with:@carol #Sales for:45m \
             link:https://meet.example/q4 agenda:\"Q4 numbers\"",
        )
        .await;
    let told = story.reply_to("bob").await;
    assert_eq!(
        told.text(),
        "Meeting Budget review (#1) is scheduled for 2026-12-01 10:00–10:45 (UTC).\nWith: bob, carol, dan\n\
         Join: https://meet.example/q4\nAgenda: Q4 numbers\nInvitations are sent; reminders 1d, 15m before. \
         /meeting cancel 1 calls it off."
    );
    let calendar = ics(&told);
    assert!(calendar.contains("DTSTART:20261201T100000Z") && calendar.contains("SUMMARY:Budget review"), "{calendar}");
    let notice = story.post_in("meetings").await;
    assert_eq!(
        notice.text(),
        "📅 Budget review (#1) — 2026-12-01 10:00–10:45 (UTC)\nOrganised by bob\nJoin: https://meet.example/q4\n\
         Agenda: Q4 numbers\nAccepted (1): bob\nNot answered (2): carol, dan"
    );
    // carol sees her own time.
    let to_carol = story.dm("carol").await;
    assert_eq!(
        to_carol.text(),
        "📅 bob invites you to Budget review (#1) on 2026-12-01 18:00–18:45 (Asia/Shanghai).\n\
         Join: https://meet.example/q4\nAgenda: Q4 numbers\nWill you come?"
    );
    assert_eq!(labels(&to_carol), ["Accept", "Tentative", "Decline"]);
    assert!(ics(&to_carol).contains("METHOD:REQUEST"));
    let to_dan = story.dm("dan").await;
    assert!(to_dan.text().contains("2026-12-01 10:00–10:45 (UTC)"), "{}", to_dan.text());

    story.press_on("carol", &to_carol, "Accept").await;
    assert_eq!(story.reply_to("carol").await.text(), "You accepted Budget review (#1).");
    let changed = edits(&mut story, 2).await;
    let counted = changed.iter().find(|e| e.text().starts_with("📅 Budget review")).unwrap();
    assert!(counted.text().ends_with("Accepted (2): bob, carol\nNot answered (1): dan"), "{}", counted.text());
    let hers = changed.iter().find(|e| e.text().starts_with("📅 bob invites you")).unwrap();
    assert!(matches!(&hers.to, Destination::Edit(m) if m.message_id == to_carol.id));
    assert!(hers.text().ends_with("You answered: accepted. You can change your answer below."));
    assert_eq!(labels(hers), ["Accept", "Tentative", "Decline"]);

    // Someone not invited cannot answer.
    story.press_on("erin", &to_carol, "Accept").await;
    assert_eq!(
        story.reply_to("erin").await.text(),
        "You are not invited to Budget review (#1); ask bob to invite you. Nothing was changed."
    );

    // A decline tells the organiser and asks for a note.
    story.press_on("dan", &to_dan, "Decline").await;
    assert_eq!(story.reply_to("dan").await.text(), "You declined Budget review (#1).");
    edits(&mut story, 2).await;
    assert_eq!(story.dm("bob").await.text(), "dan declined Budget review (#1).");
    let asked = story.reply_to("dan").await;
    assert!(asked.text().starts_with("You declined Budget review (#1). A note for bob?"), "{}", asked.text());
    story.answer("dan", "on leave that week").await;
    assert_eq!(story.reply_to("dan").await.text(), "Your note is passed on.");
    assert_eq!(story.dm("bob").await.text(), "dan declined Budget review (#1): on leave that week");
    let changed = edits(&mut story, 2).await;
    let counted = changed.iter().find(|e| e.text().starts_with("📅 Budget review")).unwrap();
    assert!(counted.text().ends_with("Declined (1): dan (on leave that week)"), "{}", counted.text());

    // A clash is reported by name and time; the organiser may book it anyway.
    story.say("carol", "/meeting schedule Standup 2026-12-01 18:30 with:@bob remind:none").await;
    let clash = story.reply_to("carol").await;
    assert_eq!(
        clash.text(),
        "Standup at 2026-12-01 18:30 clashes with:\n  bob: Budget review (#1) 2026-12-01 18:00–18:45\n  \
         carol: Budget review (#1) 2026-12-01 18:00–18:45\nSchedule it anyway with the button, or pick another time."
    );
    assert_eq!(story.chat().count("meetings").await, 1, "nothing booked yet");
    story.press("bob", "Schedule anyway").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Only the person who scheduled it can confirm it. Nothing was changed."
    );
    story.press("carol", "Schedule anyway").await;
    assert!(
        story
            .reply_to("carol")
            .await
            .text()
            .starts_with("Meeting Standup (#2) is scheduled for 2026-12-01 18:30–19:00 (Asia/Shanghai).")
    );
    story.post_in("meetings").await;
    story.dm("bob").await;
    story.press("carol", "Schedule anyway").await;
    assert!(story.reply_to("carol").await.text().starts_with("That meeting was scheduled or dropped already"));

    // A day before: bob and carol are reminded, dan (declined) is not.
    story.advance(chrono::Duration::hours(1)).await;
    assert_eq!(
        story.dm("bob").await.text(),
        "⏰ Budget review (#1) starts in 1d: 2026-12-01 10:00–10:45 (UTC).\nJoin: https://meet.example/q4\nAgenda: Q4 numbers"
    );
    assert!(story.dm("carol").await.text().contains("2026-12-01 18:00–18:45 (Asia/Shanghai)"));
    story.quiet().await;

    // Only the organiser (or an admin) cancels; everyone is told, with the calendar update.
    story.say("dan", "/meeting cancel 1").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "Only bob (its organiser) or an admin can change Budget review (#1). Nothing was changed."
    );
    story.say("bob", "/meeting cancel 1 moved to January").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Meeting Budget review (#1) is cancelled; everyone invited is told."
    );
    let changed = edits(&mut story, 3).await;
    assert!(
        changed.iter().all(|e| e.text().starts_with("❌ Cancelled: Budget review (#1)") && e.body.buttons.is_empty())
    );
    let to_carol = story.dm("carol").await;
    assert_eq!(
        to_carol.text(),
        "❌ bob cancelled Budget review (#1) on 2026-12-01 18:00–18:45 (Asia/Shanghai). Reason: moved to January"
    );
    let calendar = ics(&to_carol);
    assert!(calendar.contains("METHOD:CANCEL") && calendar.contains("SEQUENCE:1"), "{calendar}");
    story.dm("dan").await;
    // Its last reminder never comes.
    story.advance(chrono::Duration::hours(24)).await;
    story.quiet().await;
    story.say("bob", "/meeting list").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Your meetings to come:\n  #2 Standup — 2026-12-01 10:30–11:00 (UTC) (not answered)"
    );
    story.finish().await;
}
story!(
    invitations_answers_reminders_and_a_cancellation,
    with_channel,
    invitations_answers_reminders_and_a_cancellation
);

async fn bad_meetings_create_nothing(mut story: Story) {
    people(&story).await;
    for (line, expected) in [
        (
            "/meeting schedule Sync 2026-11-29 10:00 with:@carol",
            "2026-11-29 10:00 (UTC) has already passed; pick a time in the future, e.g. in 2h or tomorrow 9:00.",
        ),
        ("/meeting schedule Sync tomorrow 10:00 for:13h", "A meeting may last at most 12h. Nothing was scheduled."),
        ("/meeting schedule Sync tomorrow 10:00 with:@nobody", "nobody"),
        (
            "/meeting schedule Sync tomorrow 10:00 with:#Nowhere",
            "There is no department `Nowhere` (/dept list shows them). Nothing was scheduled.",
        ),
        (
            "/meeting schedule Sync tomorrow 10:00 with:carol",
            "`carol` is neither a @person nor a #department; write e.g. with:@bob @carol #Sales. Nothing was scheduled.",
        ),
        (
            "/meeting schedule Sync tomorrow 10:00 channel:lobby",
            "There is no channel group `lobby`; the groups are: meetings. Nothing was scheduled.",
        ),
        (
            "/meeting schedule Sync tomorrow 10:00 remind:40d",
            "remind: `40d`: a reminder comes 1 minute to 30 days before; write e.g. remind:1d,15m or remind:none. Nothing was scheduled.",
        ),
        (
            "/meeting schedule Sync tomorrow 10:00 link:meet.example",
            "link: `meet.example` is not a link (https://…). Nothing was scheduled.",
        ),
        ("/meeting show 9", "There is no meeting #9. /meeting list shows yours."),
    ] {
        story.say("bob", line).await;
        let reply = story.reply_to("bob").await;
        assert!(reply.text().contains(expected), "{line}: {}", reply.text());
    }
    assert_eq!(story.chat().count("meetings").await, 0);
    story.say("bob", "/meeting schedule Sync tomorrow 10:00 with:@carol").await;
    story.reply_to("bob").await;
    story.post_in("meetings").await;
    story.dm("carol").await;
    story.say("erin", "/meeting show 1").await;
    assert_eq!(
        story.reply_to("erin").await.text(),
        "#1 is not yours to see: only its organiser, the people invited and admins can."
    );
    story.say("carol", "/meeting show 1").await;
    let shown = story.reply_to("carol").await;
    assert!(shown.text().starts_with("Sync (#1)\n2026-12-01 18:00–18:30 (Asia/Shanghai)"), "{}", shown.text());
    story.say("carol", "/meeting list").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Your meetings to come:\n  #1 Sync — 2026-12-01 18:00–18:30 (Asia/Shanghai) (not answered)"
    );
    story.finish().await;
}
story!(bad_meetings_create_nothing, with_channel, bad_meetings_create_nothing);

async fn moved_invited_and_removed(mut story: Story) {
    people(&story).await;
    story.say("bob", "/meeting schedule Planning 2026-12-02 10:00 with:@carol remind:1h").await;
    story.reply_to("bob").await;
    story.post_in("meetings").await;
    let first = story.dm("carol").await;
    story.press_on("carol", &first, "Accept").await;
    story.reply_to("carol").await;
    edits(&mut story, 2).await;

    story.say("dan", "/meeting move 1 2026-12-02 14:00").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "Only bob (its organiser) or an admin can change Planning (#1). Nothing was changed."
    );
    story.say("bob", "/meeting move 1 2026-12-02 14:00").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Meeting Planning (#1) is moved to 2026-12-02 14:00–14:30 (UTC); everyone invited is asked again."
    );
    let changed = edits(&mut story, 2).await;
    let counted = changed.iter().find(|e| e.text().starts_with("📅 Planning")).unwrap();
    assert!(counted.text().ends_with("Accepted (1): bob\nNot answered (1): carol"), "{}", counted.text());
    let asked_again =
        changed.iter().find(|e| matches!(&e.to, Destination::Edit(m) if m.message_id == first.id)).unwrap();
    assert_eq!(
        asked_again.text(),
        "📅 bob invites you to Planning (#1) on 2026-12-02 22:00–22:30 (Asia/Shanghai).\nWill you come?"
    );
    assert_eq!(labels(asked_again), ["Accept", "Tentative", "Decline"]);
    let told = story.dm("carol").await;
    assert_eq!(
        told.text(),
        "🔁 bob moved Planning (#1) from 2026-12-02 18:00–18:30 (Asia/Shanghai) to 2026-12-02 22:00–22:30 \
         (Asia/Shanghai). Your invitation is updated: please answer it again."
    );
    assert!(ics(&told).contains("SEQUENCE:1") && ics(&told).contains("DTSTART:20261202T140000Z"));

    story.say("bob", "/meeting invite 1 @dan #Sales").await;
    assert_eq!(story.reply_to("bob").await.text(), "Invited to Planning (#1): dan. Each gets an invitation.");
    edits(&mut story, 1).await;
    let to_dan = story.dm("dan").await;
    assert!(to_dan.text().starts_with("📅 bob invites you to Planning (#1) on 2026-12-02 14:00–14:30 (UTC)."));
    story.say("bob", "/meeting invite 1 @dan").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Everyone named is already invited to Planning (#1). Nothing was changed."
    );
    story.say("bob", "/meeting remove 1 @bob").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "bob organises Planning (#1); cancel it instead. Nothing was changed."
    );
    story.say("bob", "/meeting remove 1 @erin").await;
    assert_eq!(story.reply_to("bob").await.text(), "erin is not invited to Planning (#1). Nothing was changed.");
    story.say("bob", "/meeting remove 1 @dan").await;
    assert_eq!(story.reply_to("bob").await.text(), "dan is no longer invited to Planning (#1); they are told.");
    let changed = edits(&mut story, 2).await;
    let his = changed.iter().find(|e| matches!(&e.to, Destination::Edit(m) if m.message_id == to_dan.id)).unwrap();
    assert_eq!(his.text(), "bob took you off Planning (#1): you are no longer invited.");
    assert!(his.body.buttons.is_empty());
    assert_eq!(story.dm("dan").await.text(), "bob took you off Planning (#1): you are no longer invited.");

    // The old time's reminder stays quiet; the new one reaches bob and carol, not dan.
    story.advance(chrono::Duration::hours(48)).await;
    story.quiet().await;
    story.advance(chrono::Duration::hours(4)).await;
    assert!(story.dm("bob").await.text().starts_with("⏰ Planning (#1) starts in 1h: 2026-12-02 14:00–14:30 (UTC)."));
    assert!(story.dm("carol").await.text().contains("2026-12-02 22:00–22:30 (Asia/Shanghai)"));
    story.finish().await;
}
story!(moved_invited_and_removed, with_channel, moved_invited_and_removed);

fn with_rooms(config: &mut Config) {
    with_channel(config);
    config.meetings.rooms = toml::from_str::<toml::Table>(
        r#"rooms = [
          { name = "Orion", capacity = 3, location = "2nd floor" },
          { name = "Vega", capacity = 10 },
        ]"#,
    )
    .unwrap()["rooms"]
        .clone()
        .try_into()
        .unwrap();
}

async fn rooms_are_never_double_booked(mut story: Story) {
    people(&story).await;
    story.say("bob", "/room list").await;
    assert_eq!(story.reply_to("bob").await.text(), "Rooms:\n  Orion (holds 3, 2nd floor)\n  Vega (holds 10)");
    story.say("bob", "/meeting schedule Design 2026-12-01 10:00 room:orion with:@carol").await;
    assert!(story.reply_to("bob").await.text().contains("\nRoom: Orion\n"));
    story.post_in("meetings").await;
    story.dm("carol").await;
    for (who, line, expected) in [
        (
            "dan",
            "/meeting schedule Sync 2026-12-01 10:15 room:Orion",
            "Orion is booked then: Design (#1) by bob, 2026-12-01 10:00–10:30. /room free shows the free rooms. \
             Nothing was changed.",
        ),
        (
            "bob",
            "/meeting schedule All-hands 2026-12-01 14:00 room:Orion with:@carol @dan @erin",
            "Orion holds 3; this meeting has 4 people. Pick a larger room (/room list). Nothing was changed.",
        ),
        (
            "bob",
            "/meeting schedule Sync 2026-12-01 14:00 room:Mars",
            "There is no room `Mars`; the rooms are: Orion, Vega. Nothing was scheduled.",
        ),
        ("bob", "/room free 2026-12-01 10:00 for:1h", "Free 2026-12-01 10:00–11:00 (UTC):\n  Vega (holds 10)"),
    ] {
        story.say(who, line).await;
        assert_eq!(story.reply_to(who).await.text(), expected, "{line}");
    }
    // Moving another meeting into the room's booked time is refused too.
    story.say("dan", "/meeting schedule Review 2026-12-01 11:00 room:Orion").await;
    assert!(story.reply_to("dan").await.text().starts_with("Meeting Review (#2) is scheduled"));
    story.post_in("meetings").await;
    story.say("dan", "/meeting move 2 2026-12-01 10:20").await;
    assert!(story.reply_to("dan").await.text().starts_with("Orion is booked then: Design (#1)"));
    assert_eq!(story.chat().count("meetings").await, 2);
    story.finish().await;
}
story!(rooms_are_never_double_booked, with_rooms, rooms_are_never_double_booked);

/// Two people book one room for the same time at the same moment, over and over: each
/// time exactly one gets it. On PostgreSQL the two run in parallel transactions.
async fn two_bookings_at_once(backend: common::Backend) {
    use deskmate_port::{EventKind, Inbound};
    let Some(chat) = common::Chat::start_with(backend, with_rooms).await else { return };
    for who in ["bob", "dan"] {
        chat.say(who, "/whoami").await;
    }
    const ROUNDS: u32 = 8;
    for round in 1..=ROUNDS {
        let line = |title: &str| EventKind::Command {
            text: format!("/meeting schedule {title} 2026-12-0{} 10:00 room:Vega", round % 9 + 1),
        };
        let (a, b) = tokio::join!(
            chat.app.router.handle(common::console_event("bob", line("Bobs"))),
            chat.app.router.handle(common::console_event("dan", line("Dans")))
        );
        a.unwrap();
        b.unwrap();
        chat.app.router.settle().await;
        let sent = chat.sent();
        let replies: Vec<&str> = sent.iter().filter(|s| s.is_reply()).map(|s| s.text()).collect();
        let booked = replies.iter().filter(|r| r.starts_with("Meeting ")).count();
        let refused = replies.iter().filter(|r| r.starts_with("Vega is booked then")).count();
        assert_eq!((booked, refused), (1, 1), "round {round}: {replies:?}");
    }
    assert_eq!(chat.count("meetings").await, i64::from(ROUNDS));
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_bookings_of_one_room_at_once_postgres() {
    two_bookings_at_once(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_bookings_of_one_room_at_once_sqlite() {
    two_bookings_at_once(common::Backend::Sqlite).await;
}

async fn minutes_and_actions(mut story: Story) {
    people(&story).await;
    story.say("bob", "/meeting schedule Kickoff 2026-12-01 10:00 with:@carol @dan remind:none").await;
    story.reply_to("bob").await;
    story.post_in("meetings").await;
    story.dm("carol").await;
    story.dm("dan").await;

    story.say("erin", "/meeting minutes 1 we agreed on nothing").await;
    assert!(story.reply_to("erin").await.text().starts_with("#1 is not yours to see"));
    story.say("bob", "/meeting minutes 1").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "The minutes of Kickoff (#1) are empty: write them after the number, give a link, or attach a file. \
         Nothing was kept."
    );
    let file = deskmate_port::Attachment::new("kickoff.pdf", "application/pdf", b"%PDF-1.4 minutes".to_vec()).unwrap();
    story.say_with("carol", "/meeting minutes 1", vec![Ok(file.clone())]).await;
    assert_eq!(story.reply_to("carol").await.text(), "The minutes of Kickoff (#1) are kept and sent to 2 people.");
    for who in ["bob", "dan"] {
        let sent = story.dm(who).await;
        assert_eq!(sent.text(), "📝 Minutes of Kickoff (#1) from carol:\n📎 kickoff.pdf");
        assert_eq!(sent.body.files, std::slice::from_ref(&file));
    }

    story.say("bob", "/meeting action 1 @dan 2026-12-04 17:00 draft the budget").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Action for dan from Kickoff (#1): draft the budget (due 2026-12-04 17:00). They are told, and reminded before."
    );
    assert_eq!(
        story.dm("dan").await.text(),
        "✅ bob gave you an action from Kickoff (#1): draft the budget. Due 2026-12-04 17:00 (UTC)."
    );
    story.say("bob", "/meeting action 1 @carol 2026-12-02 12:00 order the pizza ticket:yes").await;
    let opened = story.reply_to("bob").await;
    assert!(
        opened.text().starts_with("Ticket #1 opened") && opened.text().contains("order the pizza (for carol"),
        "{}",
        opened.text()
    );
    // The support queue is a console channel and a Telegram group in the test config.
    story.post_in("queue").await;
    story.post_in("-100500").await;
    story.say("bob", "/meeting action 1 @dan 2026-11-29 17:00 too late").await;
    assert!(story.reply_to("bob").await.text().contains("has already passed"));

    // A day before it is due, its owner is reminded.
    story.advance(chrono::Duration::hours(79)).await;
    story.quiet().await;
    story.advance(chrono::Duration::hours(1)).await;
    assert_eq!(
        story.dm("dan").await.text(),
        "⏰ Due 2026-12-04 17:00 (UTC): draft the budget (an action from Kickoff (#1))."
    );
    story.say("dan", "/meeting show 1").await;
    let shown = story.reply_to("dan").await;
    assert!(
        shown
            .text()
            .ends_with("Minutes (by carol): 📎 kickoff.pdf\nActions:\n  dan: draft the budget (due 2026-12-04 17:00)"),
        "{}",
        shown.text()
    );
    assert_eq!(shown.body.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["meeting-1.ics", "kickoff.pdf"]);
    story.finish().await;
}
story!(minutes_and_actions, with_channel, minutes_and_actions);

async fn a_personal_schedule_shows_as_a_clash(mut story: Story) {
    people(&story).await;
    story.say("carol", "/schedule add 2026-12-01 17:00 dentist for:2h").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "In your schedule as busy (entry 1): 2026-12-01 17:00–19:00 (Asia/Shanghai). Meetings booked then will show \
         it as a clash."
    );
    story.say("carol", "/schedule add 2026-12-03 09:00 holiday for:2d kind:away").await;
    story.reply_to("carol").await;
    story.say("carol", "/schedule add 2026-12-10 09:00 sabbatical for:40d").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "An entry lasts at most 31 days; add several for longer. Nothing was added."
    );
    story.say("carol", "/schedule list").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Your schedule (Asia/Shanghai):\n  1 2026-12-01 17:00–19:00 busy: dentist\n  \
         2 2026-12-03 09:00–2026-12-05 09:00 away: holiday"
    );
    story.say("bob", "/meeting schedule Sync 2026-12-01 10:00 with:@carol").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Sync at 2026-12-01 10:00 clashes with:\n  carol: busy: dentist 2026-12-01 09:00–11:00\n\
         Schedule it anyway with the button, or pick another time."
    );
    story.say("dan", "/schedule remove 1").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "You have no entry 1 (/schedule list shows yours). Nothing was changed."
    );
    story.say("carol", "/schedule remove 1").await;
    assert_eq!(story.reply_to("carol").await.text(), "Entry 1 is out of your schedule.");
    story.say("bob", "/meeting schedule Sync 2026-12-01 10:00 with:@carol").await;
    assert!(story.reply_to("bob").await.text().starts_with("Meeting Sync (#1) is scheduled"));
    story.post_in("meetings").await;
    story.dm("carol").await;
    story.finish().await;
}
story!(a_personal_schedule_shows_as_a_clash, with_channel, a_personal_schedule_shows_as_a_clash);

/// Two instances on one database, one of them stopped and started again while the
/// reminders wait: each reminder reaches each attendee once.
async fn reminders_once_across_instances(backend: common::Backend) {
    let Some(chat) = common::Chat::start_with(backend, with_channel).await else { return };
    let (second, second_sent) = chat.another_instance("second", with_channel).await;
    for who in ["bob", "carol"] {
        chat.say(who, "/whoami").await;
    }
    chat.say("bob", "/meeting schedule Sync 2026-12-02 10:00 with:@carol").await;
    chat.app.scheduler.stop().await;
    chat.advance(chrono::Duration::hours(25)).await;
    chat.app.scheduler.start().await.unwrap();
    chat.advance(chrono::Duration::hours(24)).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mut sent = chat.sent();
    sent.extend(second_sent.take());
    let to = |who: &str, start: &str| {
        sent.iter()
            .filter(|m| matches!(&m.to, Destination::Direct(a) if a.id == who) && m.text().starts_with(start))
            .count()
    };
    for who in ["bob", "carol"] {
        assert_eq!(to(who, "⏰ Sync (#1) starts in 1d"), 1, "{who}: {sent:#?}");
        assert_eq!(to(who, "⏰ Sync (#1) starts in 15m"), 1, "{who}: {sent:#?}");
    }
    second.shutdown().await;
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_once_across_instances_postgres() {
    reminders_once_across_instances(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_once_across_instances_sqlite() {
    reminders_once_across_instances(common::Backend::Sqlite).await;
}

async fn an_agenda_gathers_everything_on_a_plate(mut story: Story) {
    people(&story).await;
    story.chat().say("alice", "/dept set-manager Sales @bob").await;
    story.say("bob", "/meeting schedule Standup 2026-11-30 15:00 with:@carol remind:none").await;
    story.reply_to("bob").await;
    story.post_in("meetings").await;
    story.dm("carol").await;
    story.say("bob", "/meeting schedule Retro 2026-12-02 11:00 remind:none").await;
    story.reply_to("bob").await;
    story.post_in("meetings").await;
    story.say("bob", "/schedule add 2026-11-30 13:00 lunch with a client for:1h").await;
    story.reply_to("bob").await;
    story.say("dan", "/approval request leave dates:2026-12-07").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.say("bob", "/ticket new Printer jammed").await;
    story.reply_to("bob").await;
    story.post_in("queue").await;
    story.post_in("-100500").await;

    story.say("bob", "/agenda").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Your agenda today, Mon 2026-11-30 (UTC)\n  Mon 13:00–14:00 busy: lunch with a client\n  \
         Mon 15:00–15:30 Standup (#1) (accepted)\nWaiting for you:\n  \
         Ticket #1 · Printer jammed (open)\n  \
         Approval #1 (leave from dan, Manager) since 2026-11-30 09:00: /approval show 1"
    );
    story.say("bob", "/agenda week").await;
    let week = story.reply_to("bob").await;
    assert!(week.text().starts_with("Your week from Mon 2026-11-30 (UTC)"), "{}", week.text());
    assert!(week.text().contains("\n  Wed 11:00–11:30 Retro (#2) (accepted)\nWaiting for you:"), "{}", week.text());
    // carol's day is Shanghai's: the standup is her Monday evening, and her Tuesday is free.
    story.say("carol", "/agenda").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Your agenda today, Mon 2026-11-30 (Asia/Shanghai)\n  Mon 23:00–23:30 Standup (#1) (not answered)"
    );
    story.say("carol", "/agenda tomorrow").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Your agenda tomorrow, Tue 2026-12-01 (Asia/Shanghai)\n  Nothing on your calendar."
    );
    story.finish().await;
}
story!(an_agenda_gathers_everything_on_a_plate, with_channel, an_agenda_gathers_everything_on_a_plate);

/// The times an `.ics`'s series gives, expanded by an RRULE library as a calendar app
/// would: its DTSTART;TZID and RRULE, less its EXDATEs.
fn series_in(calendar: &str) -> Vec<chrono::DateTime<chrono::Utc>> {
    let line = |key: &str| calendar.lines().find(|l| l.starts_with(key)).unwrap().trim_end().to_owned();
    let (start, rule) = (line("DTSTART;TZID="), line("RRULE:"));
    let exdates: Vec<String> =
        calendar.lines().filter(|l| l.starts_with("EXDATE")).map(|l| l.trim_end().to_owned()).collect();
    let text = format!("{start}\n{rule}\n{}", exdates.join("\n"));
    let set: rrule::RRuleSet = text.trim().parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    set.all(400).dates.iter().map(|d| d.with_timezone(&chrono::Utc)).collect()
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, m, d, h, 0, 0).single().unwrap()
}

/// A weekly series keeps its organiser's wall-clock time across their clock change (Berlin
/// on 2027-03-28, New York on 2027-03-14), so an attendee in Shanghai sees it an hour
/// earlier from then on; one time is skipped; the calendar app's expansion of the `.ics`
/// gives the very times Deskmate planned.
async fn a_weekly_series_across_a_clock_change(mut story: Story) {
    people(&story).await;
    story.chat().say("bob", "/tz set Europe/Berlin").await;
    story.chat().say("dan", "/tz set America/New_York").await;
    story.say("bob", "/meeting schedule Standup 2027-03-22 09:00 with:@carol repeat:weekly times:3 remind:none").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Meeting Standup (#1) is scheduled for 2027-03-22 09:00–09:30 (Europe/Berlin).\n3 times, the first \
         2027-03-22 09:00–09:30 (Europe/Berlin), the last 2027-04-05 09:00.\nWith: bob, carol\nRepeats: weekly on Mon\n\
         Invitations are sent; no reminders. /meeting cancel 1 calls it off."
    );
    story.post_in("meetings").await;
    let invitation = story.dm("carol").await;
    assert!(
        invitation.text().starts_with("📅 bob invites you to Standup (#1) on 2027-03-22 16:00–16:30 (Asia/Shanghai).")
    );
    assert!(invitation.text().contains("Your answer counts for every time"), "{}", invitation.text());
    let calendar = ics(&invitation);
    let parsed: icalendar::Calendar = calendar.parse().unwrap();
    assert_eq!(parsed.events().count(), 1, "{calendar}");
    assert!(calendar.contains("DTSTART;TZID=Europe/Berlin:20270322T090000"), "{calendar}");
    assert_eq!(series_in(&calendar), vec![utc(2027, 3, 22, 8), utc(2027, 3, 29, 7), utc(2027, 4, 5, 7)]);

    story.say("dan", "/meeting schedule Sync 2027-03-08 09:00 with:@carol repeat:weekly times:2 remind:none").await;
    assert!(story.reply_to("dan").await.text().contains("the last 2027-03-15 09:00."));
    story.post_in("meetings").await;
    assert!(series_in(&ics(&story.dm("carol").await)) == vec![utc(2027, 3, 8, 14), utc(2027, 3, 15, 13)]);

    // Carol's own list: the shifted times, in her zone.
    story.say("carol", "/meeting list").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Your meetings to come:\n  #2 Sync — 2027-03-08 22:00–22:30 (Asia/Shanghai) (not answered)\n  \
         #2 Sync — 2027-03-15 21:00–21:30 (Asia/Shanghai) (not answered)\n  \
         #1 Standup — 2027-03-22 16:00–16:30 (Asia/Shanghai) (not answered)\n  \
         #1 Standup — 2027-03-29 15:00–15:30 (Asia/Shanghai) (not answered)\n  \
         #1 Standup — 2027-04-05 15:00–15:30 (Asia/Shanghai) (not answered)"
    );

    // One answer on the invitation counts for every time.
    story.press_on("carol", &invitation, "Accept").await;
    assert_eq!(story.reply_to("carol").await.text(), "You accepted Standup (#1), every time to come.");
    edits(&mut story, 2).await;

    // One time skipped: only its organiser may; everyone is told; the calendar drops it.
    story.say("carol", "/meeting skip 1 2027-03-29").await;
    assert!(story.reply_to("carol").await.text().starts_with("Only bob (its organiser) or an admin"));
    story.say("bob", "/meeting skip 1 2027-03-30").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Standup (#1) does not take place on 2027-03-30; /meeting show 1 lists its times. Nothing was changed."
    );
    story.say("bob", "/meeting skip 1 2027-03-29 Easter week").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Standup (#1) on 2027-03-29 09:00–09:30 (Europe/Berlin) is off; the other times stay. Everyone invited is told."
    );
    let told = story.dm("carol").await;
    assert_eq!(
        told.text(),
        "❌ bob called off Standup (#1) on 2027-03-29 15:00–15:30 (Asia/Shanghai); the other times stay. Reason: Easter week"
    );
    let calendar = ics(&told);
    assert!(calendar.contains("SEQUENCE:1") && calendar.contains("EXDATE;TZID=Europe/Berlin:20270329T090000"));
    assert_eq!(series_in(&calendar), vec![utc(2027, 3, 22, 8), utc(2027, 4, 5, 7)]);
    story.say("carol", "/meeting show 1").await;
    let shown = story.reply_to("carol").await.text().to_owned();
    assert!(
        shown.starts_with(
            "Standup (#1)\n2027-03-22 16:00–16:30 (Asia/Shanghai)\nOrganised by bob\nRepeats: weekly on Mon\n\
         Then once more, 2027-04-05 15:00\nCalled off: 2027-03-29\nAccepted (2): bob, carol"
        ),
        "{shown}"
    );

    // The series from its first time on moves an hour later, on bob's wall clock.
    story.say("bob", "/meeting move 1 2027-03-22 10:00 later:yes").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Meeting Standup (#1) is moved to 2027-03-22 10:00–10:30 (Europe/Berlin) (and the time after it, by as much); \
         everyone invited is asked again."
    );
    edits(&mut story, 2).await;
    let moved = story.dm("carol").await;
    assert!(moved.text().contains("to 2027-03-22 17:00–17:30 (Asia/Shanghai) (and the time after it, by as much)"));
    let calendar = ics(&moved);
    assert_eq!(calendar.matches("RECURRENCE-ID;TZID=Europe/Berlin:").count(), 2, "{calendar}");
    assert!(calendar.contains("DTSTART:20270405T080000Z"), "an hour later, still in summer time: {calendar}");
    story.finish().await;
}
story!(a_weekly_series_across_a_clock_change, with_channel, a_weekly_series_across_a_clock_change);

/// Each time of a series is answered on its own from its reminder; an endless series
/// booking a room is planned a year ahead and says so; bad repeats change nothing.
async fn a_series_answered_time_by_time(mut story: Story) {
    people(&story).await;
    story.say("bob", "/meeting schedule Daily 2026-12-01 10:00 with:@carol repeat:daily times:3 remind:15m").await;
    assert!(story.reply_to("bob").await.text().contains("3 times, the first 2026-12-01 10:00–10:30 (UTC)"));
    story.post_in("meetings").await;
    story.dm("carol").await;
    story.advance(chrono::Duration::hours(24) + chrono::Duration::minutes(46)).await;
    story.dm("bob").await;
    let reminder = story.dm("carol").await;
    assert!(reminder.text().starts_with("⏰ Daily (#1) starts in 15m: 2026-12-01 18:00–18:30 (Asia/Shanghai)."));
    assert_eq!(labels(&reminder), ["Accept", "Tentative", "Decline"]);
    story.press_on("carol", &reminder, "Decline").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "You declined Daily (#1) on 2026-12-01 18:00–18:30 (Asia/Shanghai) (that time only)."
    );
    assert_eq!(story.dm("bob").await.text(), "carol declined Daily (#1).");
    story.reply_to("carol").await; // a note for bob?
    assert!(edits(&mut story, 1).await[0].text().contains("Declined (1): carol"), "the notice counts the first time");
    // The next day carol is reminded again: she declined only the first time.
    story.advance(chrono::Duration::hours(24)).await;
    story.dm("bob").await;
    assert!(story.dm("carol").await.text().contains("2026-12-02 18:00–18:30 (Asia/Shanghai)"));
    story.quiet().await;
    // The series ends from that day on: the last time's reminder never comes.
    story.say("bob", "/meeting skip 1 2026-12-02 later:yes wrapping up").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Daily (#1) on 2026-12-02 10:00–10:30 (UTC) is off and the time after it: the series ends there. \
         Everyone invited is told."
    );
    let told = story.dm("carol").await;
    assert_eq!(
        told.text(),
        "❌ bob called off Daily (#1) on 2026-12-02 18:00–18:30 (Asia/Shanghai) and the time after it: the series \
         ends there. Reason: wrapping up"
    );
    assert_eq!(series_in(&ics(&told)), vec![utc(2026, 12, 1, 10)]);
    story.advance(chrono::Duration::hours(24)).await;
    story.quiet().await;

    for (line, expected) in [
        (
            "/meeting schedule X 2026-12-07 09:00 repeat:hourly",
            "repeat:hourly: `hourly` is not a repeat I know. Write daily, weekdays, weekly, weekly:mon,thu, biweekly, \
             monthly, monthly:second-tue or an RRULE such as FREQ=WEEKLY;BYDAY=MO. Nothing was scheduled.",
        ),
        (
            "/meeting schedule X 2026-12-07 09:00 repeat:FREQ=HOURLY",
            "repeat:FREQ=HOURLY: a meeting repeats at most daily. Write daily, weekdays, weekly, weekly:mon,thu, \
             biweekly, monthly, monthly:second-tue or an RRULE such as FREQ=WEEKLY;BYDAY=MO. Nothing was scheduled.",
        ),
        (
            "/meeting schedule X 2026-12-07 09:00 repeat:weekly until:2026-12-01",
            "repeat:weekly: it gives no time from the first one on (is until: before the start?). Write daily, \
             weekdays, weekly, weekly:mon,thu, biweekly, monthly, monthly:second-tue or an RRULE such as \
             FREQ=WEEKLY;BYDAY=MO. Nothing was scheduled.",
        ),
        (
            "/meeting schedule X 2026-12-07 09:00 times:3",
            "until: and times: end a series; add repeat:, e.g. repeat:weekly until:2027-03-31. Nothing was scheduled.",
        ),
        (
            "/meeting schedule X 2026-12-07 09:00 repeat:FREQ=DAILY;BYHOUR=9,10 for:2h",
            "Its times would overlap each other: each lasts 2h, longer than the time between two. Nothing was changed.",
        ),
        (
            "/meeting skip 1 2026-12-02",
            "Only bob (its organiser) or an admin can change Daily (#1). Nothing was changed.",
        ),
    ] {
        story.say("dan", line).await;
        assert_eq!(story.reply_to("dan").await.text(), expected, "{line}");
    }
    assert_eq!(story.chat().count("meetings").await, 1, "nothing more booked");

    // An endless series with a room: a year of it is booked, and the organiser is told.
    story.say("dan", "/meeting schedule Planning 2026-12-07 09:00 repeat:weekly room:Vega remind:none").await;
    let told = story.reply_to("dan").await;
    assert!(
        told.text().contains(
            "53 times, the first 2026-12-07 09:00–09:30 (UTC), the last 2027-12-06 09:00. A series is \
         planned at most 365 days ahead: schedule it again then to go on."
        ),
        "{}",
        told.text()
    );
    story.post_in("meetings").await;
    story.say("erin", "/meeting schedule Offsite 2027-06-07 09:15 room:Vega").await;
    assert!(
        story.reply_to("erin").await.text().starts_with("Vega is booked then: Planning (#2) by dan, 2027-06-07 09:00")
    );
    story.finish().await;
}
story!(a_series_answered_time_by_time, with_rooms, a_series_answered_time_by_time);

/// bob (Berlin), carol (Shanghai, who works 06:00–23:00) and dan (New York, at the
/// dentist Monday morning) share one working hour a day; findtime offers its earliest
/// free times, and a press schedules the meeting.
async fn findtime_across_three_zones(mut story: Story) {
    people(&story).await;
    story.chat().say("bob", "/tz set Europe/Berlin").await;
    story.chat().say("dan", "/tz set America/New_York").await;
    story.say("carol", "/schedule hours mon-fri 06:00-23:00").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Your working hours are now Mon–Fri 06:00–23:00 (Asia/Shanghai): /meeting findtime looks within them."
    );
    story.say("dan", "/schedule add 2026-11-30 09:00 dentist for:30m").await;
    story.reply_to("dan").await;
    story.say("bob", "/meeting findtime @carol @dan 30m title:\"Launch sync\"").await;
    let offered = story.reply_to("bob").await;
    assert_eq!(
        offered.text(),
        "Everyone is free, within their working hours, for 30m (Europe/Berlin):\n  \
         2026-11-30 15:30–16:00 — bob Mon 15:30, carol Mon 22:30, dan Mon 09:30\n  \
         2026-12-01 15:00–15:30 — bob Tue 15:00, carol Tue 22:00, dan Tue 09:00\n  \
         2026-12-01 15:30–16:00 — bob Tue 15:30, carol Tue 22:30, dan Tue 09:30\n\
         Press one to schedule Launch sync then."
    );
    assert_eq!(labels(&offered), ["Mon 30 Nov 15:30", "Tue 01 Dec 15:00", "Tue 01 Dec 15:30"]);
    story.press_on("carol", &offered, "Tue 01 Dec 15:00").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "Only the person who scheduled it can confirm it. Nothing was changed."
    );
    story.press_on("bob", &offered, "Tue 01 Dec 15:00").await;
    assert!(story.reply_to("bob").await.text().starts_with(
        "Meeting Launch sync (#1) is scheduled for 2026-12-01 15:00–15:30 (Europe/Berlin).\nWith: bob, carol, dan"
    ));
    assert!(story.dm("carol").await.text().contains("on 2026-12-01 22:00–22:30 (Asia/Shanghai)"));
    assert!(story.dm("dan").await.text().contains("on 2026-12-01 09:00–09:30 (America/New_York)"));
    story.press_on("bob", &offered, "Mon 30 Nov 15:30").await;
    assert!(story.reply_to("bob").await.text().starts_with("That meeting was scheduled or dropped already"));

    // Now Tuesday's hour holds the meeting: the next offers move on.
    story.say("bob", "/meeting findtime @carol @dan 30m within:2d").await;
    let offered = story.reply_to("bob").await;
    assert_eq!(labels(&offered), ["Mon 30 Nov 15:30", "Tue 01 Dec 15:30"]);
    for (line, expected) in [
        (
            "/meeting findtime @carol",
            "Say how long, after who: /meeting findtime @bob @carol 45m [within:week] [title:\"Design sync\"]. \
             Nothing was changed.",
        ),
        (
            "/meeting findtime @carol 30m within:never",
            "within:never: write today, tomorrow, week, or a number of days up to 14d (e.g. within:3d). \
             Nothing was changed.",
        ),
        ("/meeting findtime @carol 13h", "A meeting may last at most 12h. Nothing was scheduled."),
        (
            "/schedule hours 9-5",
            "`9-5`: write the days, then the hours. Write e.g. /schedule hours mon-fri 09:00-17:30, or /schedule \
             hours default. Nothing was changed.",
        ),
        (
            "/schedule hours mon-fri 17:00-09:00",
            "`mon-fri 17:00-09:00`: `17:00-09:00`: the end comes before the start. Write e.g. /schedule hours \
             mon-fri 09:00-17:30, or /schedule hours default. Nothing was changed.",
        ),
        (
            "/schedule hours",
            "Your working hours are the company's: Mon–Fri 09:00–17:00 (Europe/Berlin). Set yours with e.g. \
             /schedule hours mon-fri 08:00-16:00.",
        ),
    ] {
        story.say("bob", line).await;
        assert_eq!(story.reply_to("bob").await.text(), expected, "{line}");
    }
    story.finish().await;
}
story!(findtime_across_three_zones, findtime_across_three_zones);

fn with_digest(config: &mut Config) {
    config.meetings.digest = true;
}

/// Each person's digest comes at 09:00 on their own clock with their day on it; a person
/// who turned theirs off gets none; a day with nothing on it sends nothing.
async fn the_digest_at_each_persons_nine(mut story: Story) {
    people(&story).await;
    story.chat().say("bob", "/tz set Europe/Berlin").await;
    story.chat().say("dan", "/tz set America/New_York").await;
    story.say("bob", "/meeting schedule Review 2026-12-01 10:00 with:@carol @dan @erin remind:none").await;
    story.reply_to("bob").await;
    for who in ["carol", "dan", "erin"] {
        story.dm(who).await;
    }
    story.say("dan", "/schedule add 2026-11-30 13:00 lunch with Sam for:1h").await;
    story.reply_to("dan").await;
    story.say("erin", "/schedule digest off").await;
    assert_eq!(story.reply_to("erin").await.text(), "Your digest is off. /schedule digest on brings it back.");
    // Monday 09:20 UTC: everyone's next digest is planned; Berlin's and Shanghai's 09:00
    // have passed today.
    story.advance(chrono::Duration::minutes(20)).await;
    story.quiet().await;
    // 14:05 UTC is 09:05 in New York.
    story.advance(chrono::Duration::minutes(285)).await;
    assert_eq!(
        story.dm("dan").await.text(),
        "☀️ Your day, Mon 2026-11-30 (America/New_York)\n  Mon 13:00–14:00 busy: lunch with Sam\n\
         (/schedule digest off stops these.)"
    );
    story.quiet().await;
    // Tuesday 01:05 UTC is 09:05 in Shanghai.
    story.advance(chrono::Duration::hours(11)).await;
    let to_carol = story.dm("carol").await;
    assert!(to_carol.text().starts_with("☀️ Your day, Tue 2026-12-01 (Asia/Shanghai)\n  "), "{}", to_carol.text());
    assert!(to_carol.text().contains("17:00") && to_carol.text().contains("Review (#1)"), "{}", to_carol.text());
    story.quiet().await;
    // 08:05 UTC is 09:05 in Berlin; erin's 09:00 UTC passes without one.
    story.advance(chrono::Duration::hours(7)).await;
    let to_bob = story.dm("bob").await;
    assert!(to_bob.text().starts_with("☀️ Your day, Tue 2026-12-01 (Europe/Berlin)\n  "), "{}", to_bob.text());
    assert!(to_bob.text().contains("10:00"), "{}", to_bob.text());
    story.advance(chrono::Duration::hours(1)).await;
    story.quiet().await;
    story.finish().await;
}
story!(the_digest_at_each_persons_nine, with_digest, the_digest_at_each_persons_nine);

fn with_listener(config: &mut Config) {
    config.http.listen = "127.0.0.1:0".to_owned();
}

/// `GET path` on the app's HTTP listener: the status line and the body.
async fn get(story: &Story, path: &str) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = story.chat().app.http.expect("the listener is on");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// Each person's feed holds every meeting they are invited to, series and all, and
/// parses as iCalendar; a reset link stops the old one.
async fn a_calendar_feed_per_person(mut story: Story) {
    people(&story).await;
    story.say("bob", "/meeting schedule Standup 2026-12-07 09:00 with:@carol repeat:weekly times:4 remind:none").await;
    story.reply_to("bob").await;
    story.dm("carol").await;
    story.say("bob", "/meeting schedule \"1:1\" 2026-12-02 15:00 with:@carol remind:none").await;
    story.reply_to("bob").await;
    story.dm("carol").await;
    story.say("bob", "/meeting schedule Private 2026-12-03 15:00 remind:none").await;
    story.reply_to("bob").await;
    story.say("bob", "/meeting skip 1 2026-12-14").await;
    story.reply_to("bob").await;
    story.dm("carol").await;

    story.say("carol", "/ical link").await;
    let said = story.reply_to("carol").await.text().to_owned();
    assert!(
        said.starts_with("Your calendar feed (every meeting you are invited to): http://127.0.0.1:0/ical/"),
        "{said}"
    );
    let path = said[said.find("/ical/").unwrap()..].split_whitespace().next().unwrap().to_owned();
    story.say("carol", "/ical link").await;
    assert!(story.reply_to("carol").await.text().contains(&path), "the same link until it is reset");
    let (status, body) = get(&story, &path).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    let feed: icalendar::Calendar = body.parse().unwrap_or_else(|e| panic!("{e}: {body}"));
    let titles: Vec<&str> = feed.events().filter_map(|e| icalendar::Component::get_summary(e)).collect();
    assert_eq!(titles, ["1:1", "Standup"], "carol's two meetings, not bob's private one");
    assert!(body.contains("X-WR-CALNAME:Deskmate: carol"), "{body}");
    assert_eq!(series_in(&body), vec![utc(2026, 12, 7, 9), utc(2026, 12, 21, 9), utc(2026, 12, 28, 9)]);

    story.say("carol", "/ical reset").await;
    let said = story.reply_to("carol").await.text().to_owned();
    let fresh = said[said.find("/ical/").unwrap()..].trim().to_owned();
    assert_ne!(fresh, path);
    assert_eq!(get(&story, &path).await.0, "HTTP/1.1 404 Not Found");
    assert_eq!(get(&story, &fresh).await.0, "HTTP/1.1 200 OK");
    assert_eq!(get(&story, "/ical/nothing.ics").await.0, "HTTP/1.1 404 Not Found");
    assert_eq!(get(&story, "/nowhere/at/all").await.0, "HTTP/1.1 404 Not Found");
    story.finish().await;
}
story!(a_calendar_feed_per_person, with_listener, a_calendar_feed_per_person);
