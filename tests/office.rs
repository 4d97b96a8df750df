//! `/report office`: the help desk, approvals and meetings of one span side by side, on
//! SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use deskmate::config::Config;

fn office(config: &mut Config) {
    config.channels.support_queue = vec!["console:queue".to_owned()];
    config.channels.groups = vec!["meetings=console:meetings".to_owned()];
    config.meetings.channel = "meetings".to_owned();
    config.approvals = toml::from_str(
        r#"
        [[types]]
        name = "leave"
        fields = [{ name = "dates", kind = "dates" }]
        steps = [{ approver = "manager" }]
        "#,
    )
    .unwrap();
}

/// The id of the button labelled `label` among what was sent to `who`.
fn button(sent: &[common::Sent], who: &str, label: &str) -> String {
    sent.iter()
        .filter(|s| matches!(&s.to, deskmate_port::Destination::Direct(a) if a.id == who))
        .flat_map(|s| s.body.buttons.iter())
        .find(|b| b.label == label)
        .unwrap_or_else(|| panic!("no {label} button for {who} in {sent:#?}"))
        .id
        .clone()
}

async fn side_by_side(chat: common::Chat) {
    for who in ["bob", "carol", "dan"] {
        chat.say(who, "/whoami").await;
    }
    for line in ["/role grant @carol agent", "/dept create Sales", "/dept add Sales @dan", "/dept add Sales @bob"] {
        chat.reply("alice", line).await;
    }
    chat.reply("alice", "/dept set-manager Sales @bob").await;

    // Monday 09:00. A ticket, answered at 09:30 and resolved at 10:00.
    chat.say("dan", "/ticket new Printer jammed").await;
    // A leave request, approved by bob two hours later.
    let sent = chat.say("dan", "/approval request leave dates:2026-12-21").await;
    let approve = button(&sent, "bob", "Approve");
    chat.advance(chrono::Duration::minutes(30)).await;
    chat.say("carol", "/ticket claim 1").await;
    chat.advance(chrono::Duration::minutes(30)).await;
    chat.say("carol", "/ticket resolve 1 Cleared the paper path").await;
    // A meeting at 11:00: carol accepts, dan declines (bob, its organiser, comes).
    let sent = chat.say("bob", "/meeting schedule Standup 2026-11-30 11:00 with:@carol @dan for:30m remind:none").await;
    chat.press("carol", &button(&sent, "carol", "Accept")).await;
    chat.press("dan", &button(&sent, "dan", "Decline")).await;
    chat.advance(chrono::Duration::hours(1)).await;
    chat.press("bob", &approve).await;
    chat.advance(chrono::Duration::hours(2)).await;

    assert_eq!(
        chat.reply("alice", "/report office").await,
        "The office from 2026-11-23 13:00 to 2026-11-30 13:00 (UTC):\n\
         Help desk:\n  \
         Opened: 1. Now: resolved 1. By category: no category 1.\n  \
         First response: median 30 min, 90 % within 30 min (business hours).\n  \
         Resolution: median 1 h, 90 % within 1 h (business hours).\n  \
         Targets met: 100 % (2 of 2).\n  \
         Satisfaction: no ratings in this span.\n  \
         Open now: none.\n\
         Approvals:\n  \
         Requests made: 1 (1 approved).\n  \
         Time to decision: median 2h, 90 % within 2h (1 decision).\n\
         Meetings:\n  \
         Held: 1 meeting; attendance 67 % (2 of 3 invitations accepted, 1 declined)."
    );
    // A span before any of it counts nothing; one still to come holds no meeting yet.
    let october = chat.reply("alice", "/report office 2026-10").await;
    assert!(
        october.starts_with("The office from 2026-10-01 00:00 to 2026-11-01 00:00 (UTC):\nHelp desk:\n  Opened: 0.")
            && october.contains("Requests made: none.")
            && october.contains("Held: none in this span."),
        "{october}"
    );
    // In Chinese, on the reader's clock.
    chat.say("alice", "/lang zh-CN").await;
    let chinese = chat.reply("alice", "/report office 2026-11-30..2026-11-30").await;
    assert!(chinese.starts_with("办公概览：") && chinese.contains("会议：\n  已开会议：1 场；出席率 67%"), "{chinese}");
    // Managers and admins only.
    assert_eq!(
        chat.reply("dan", "/report office").await,
        "Only managers can use /report office. Ask an admin if you need the manager role."
    );
    chat.finish().await;
}
on_both_backends!(the_office_side_by_side, office, side_by_side);
