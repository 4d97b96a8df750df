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
        "Standup at 2026-12-01 18:30 clashes with:\n  carol: Budget review (#1) 2026-12-01 18:00–18:45\n  \
         bob: Budget review (#1) 2026-12-01 18:00–18:45\nSchedule it anyway with the button, or pick another time."
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
