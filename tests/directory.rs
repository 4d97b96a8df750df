//! People, roles, departments, time zones and account links, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use common::Chat;
use deskmate::features::tickets::TicketId;
use deskmate::kernel::Role;
use deskmate_port::Platform;

async fn roles_are_admin_only(chat: Chat) {
    // First message registers a person as plain staff.
    let who = chat.reply("bob", "/whoami").await;
    assert!(who.contains("You are bob") && who.contains("Roles: staff\n"), "{who}");
    // alice is an admin from the config.
    assert!(chat.reply("alice", "/whoami").await.contains("Roles: admin, staff"));

    assert_eq!(
        chat.reply("bob", "/role grant @bob admin").await,
        "Only admins can use /role grant. Ask an admin if you need the admin role."
    );
    assert_eq!(
        chat.reply("alice", "/role grant @nobody agent").await,
        "I don't know @nobody yet — they need to write to me once (any message) before I can act on them."
    );
    assert_eq!(chat.reply("alice", "/role grant @bob manager").await, "bob is now a manager.");
    assert_eq!(chat.reply("alice", "/role grant @bob manager").await, "bob already is a manager.");
    assert_eq!(chat.reply("alice", "/role revoke @bob agent").await, "bob was not an agent.");
    assert_eq!(chat.reply("alice", "/role revoke @bob manager").await, "bob is no longer a manager.");
    // An admin from the config stays one until the config changes.
    assert_eq!(
        chat.reply("alice", "/role revoke @alice admin").await,
        "alice is an admin through the config ([directory] admins); remove them there and restart."
    );
    assert_eq!(chat.reply("alice", "/role grant @bob admin").await, "bob is now an admin.");
    chat.say("carol", "/whoami").await;
    assert_eq!(chat.reply("bob", "/role grant @carol admin").await, "carol is now an admin.");
    assert_eq!(chat.reply("carol", "/role revoke @bob admin").await, "bob is no longer an admin.");
    assert!(chat.reply("bob", "/role grant @bob agent").await.contains("Only admins"), "revoked at once");
    let bob = chat.store().person_by_handle(Platform::Console, "bob").await.unwrap().unwrap();
    let log = chat.store().events(deskmate::kernel::Subject::new("person", bob.id.0)).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action.starts_with("role.")).count(), 4, "{log:?}");
    chat.finish().await;
}
on_both_backends!(roles, roles_are_admin_only);

async fn departments_and_managers(chat: Chat) {
    chat.say("bob", "/whoami").await;
    chat.say("carol", "/whoami").await;
    assert!(chat.reply("bob", "/dept create Sales").await.contains("Only admins"));
    assert_eq!(
        chat.reply("alice", "/dept create \"Customer Care\"").await,
        "Department Customer Care created. Add people with /dept add \"Customer Care\" @person."
    );
    assert_eq!(
        chat.reply("alice", "/dept create customer care").await,
        "There is already a department called customer care."
    );
    assert_eq!(
        chat.reply("alice", "/dept add Marketing @bob").await,
        "There is no department called Marketing. /dept list shows them."
    );
    assert_eq!(chat.reply("alice", "/dept add \"customer care\" @bob").await, "bob is now in Customer Care.");
    assert_eq!(chat.reply("alice", "/dept add \"Customer Care\" @carol").await, "carol is now in Customer Care.");
    assert_eq!(
        chat.reply("alice", "/dept set-manager \"Customer Care\" @carol").await,
        "carol now manages Customer Care."
    );
    let who = chat.reply("bob", "/whoami").await;
    assert!(who.contains("Department: Customer Care") && who.contains("Manager: carol"), "{who}");
    // A manager is not their own manager.
    assert!(chat.reply("carol", "/whoami").await.contains("Manager: none"));
    assert_eq!(chat.reply("bob", "/dept list").await, "Departments:\nCustomer Care · manager: carol · 2 members");
    chat.finish().await;
}
on_both_backends!(departments, departments_and_managers);

async fn time_zones_change_how_times_read(chat: Chat) {
    chat.say("alice", "/ticket new Coffee machine leaks").await;
    // The fake clock says 2026-11-30 09:00 UTC.
    assert_eq!(
        chat.reply("alice", "/tz set Asia/Shanghai").await,
        "Your time zone is now Asia/Shanghai. It is Mon 30 Nov 2026 17:00 there."
    );
    assert!(chat.reply("alice", "/whoami").await.contains("Time zone: Asia/Shanghai\n"));
    assert!(chat.reply("alice", "/ticket show 1").await.contains("Opened: 2026-11-30 17:00 (Asia/Shanghai)"));
    chat.finish().await;
}
on_both_backends!(time_zones, time_zones_change_how_times_read);

/// `/lang zh-CN`: from then on the directory answers in Chinese, dates the Chinese way;
/// `/lang` alone says which; an unknown language changes nothing.
async fn a_person_chooses_chinese(chat: Chat) {
    assert_eq!(
        chat.reply("bob", "/lang").await,
        "I speak English (en) with you. /lang zh-CN switches to Chinese, /lang en to English."
    );
    assert_eq!(
        chat.reply("bob", "/lang fr").await,
        "I speak en (English) and zh-CN (简体中文); `fr` is neither. Nothing was changed."
    );
    assert_eq!(chat.reply("bob", "/lang zh-CN").await, "好的，以后我用简体中文和你交流。");
    assert_eq!(
        chat.reply("bob", "/tz set Asia/Shanghai").await,
        "你的时区已改为 Asia/Shanghai，当地时间是 2026年11月30日（周一）17:00。"
    );
    assert_eq!(
        chat.reply("bob", "/whoami").await,
        "你是 bob（编号 1）。\n角色：员工\n部门：无\n上级：无\n时区：Asia/Shanghai\n语言：简体中文（zh-CN）\n账号：console @bob"
    );
    assert_eq!(
        chat.reply("bob", "/lang xx").await,
        "我会说 en（English）和 zh-CN（简体中文），“xx”都不是。没有做任何更改。"
    );
    // /help, usage errors and the nouns in them are Chinese too; the syntax stays.
    let help = chat.reply("bob", "/help").await;
    assert!(help.starts_with("命令列表（发送 /help <命令> 查看详情）：\n/help — 列出所有命令"), "{help}");
    assert!(help.contains("\n/ticket — 提交和处理服务台工单"), "{help}");
    let help = chat.reply("bob", "/help ticket").await;
    assert!(help.contains("\n/ticket claim <id>\n  从队列中认领工单（仅限客服）\n  <id> — 工单编号"), "{help}");
    assert_eq!(
        chat.reply("bob", "/ticket show abc").await,
        "<id>：“abc”不是有效的编号（工单）\n用法：/ticket show <id>"
    );
    assert_eq!(
        chat.reply("bob", "/remind").await,
        "缺少 <when>（如 in 2h、明天 9:00、下周一 10:00、2026-12-01 15:00）\n用法：/remind <when> <text>"
    );
    // Others still read English; a Chinese speaker can go back.
    assert!(chat.reply("alice", "/help").await.starts_with("Commands (/help <command> for details):"));
    assert!(chat.reply("alice", "/whoami").await.contains("Language: English (en)"));
    assert_eq!(chat.reply("bob", "/lang 英文").await, "From now on I speak English with you.");
    chat.finish().await;
}
on_both_backends!(chinese, a_person_chooses_chinese);

async fn linking_accounts_follows_the_person(chat: Chat) {
    // alice (console admin) opens a ticket, then links her Telegram account.
    chat.say("alice", "/ticket new Laptop will not boot").await;
    let code_reply = chat.say("alice", "/link").await;
    assert!(code_reply[0].is_private());
    let code = code_reply[0].text().split_whitespace().nth(4).unwrap().trim_end_matches('.').to_owned();
    assert_eq!(code.len(), 9, "ABCD-EFGH: {}", code_reply[0].text());

    // On Telegram she is a stranger first: registered as staff.
    let sent = chat.say_on_telegram(4242, "alice_tg", "/whoami").await;
    assert!(sent[0].text().contains("Roles: staff\n"), "{}", sent[0].text());
    let sent = chat.say_on_telegram(4242, "alice_tg", "/ticket new Printer offline").await;
    // The reply and the queue's notice may arrive in either order.
    assert!(sent.iter().any(|m| m.text().starts_with("Ticket #2 opened")), "{sent:?}");

    // A wrong code is refused; the right one links, in lower case too.
    let sent = chat.say_on_telegram(4242, "alice_tg", "/link ZZZZ-ZZZZ").await;
    assert_eq!(
        sent[0].text(),
        "That code is unknown or expired. Run /link on your other account for a new one. \
         4 more wrong codes lock /link for a while."
    );
    // Lower case and without the dash works too.
    let typed = code.to_lowercase().replace('-', "");
    let sent = chat.say_on_telegram(4242, "alice_tg", &format!("/link {typed}")).await;
    assert_eq!(
        sent[0].text(),
        "Linked: this account now belongs to alice. Roles, tickets and approvals follow you across messengers."
    );

    // Her roles and tickets follow her; the code is spent.
    let sent = chat.say_on_telegram(4242, "alice_tg", "/whoami").await;
    let who = sent[0].text();
    assert!(
        who.contains("Roles: admin, staff") && who.contains("console @alice") && who.contains("telegram @alice_tg"),
        "{who}"
    );
    let alice = chat.store().person_by_handle(Platform::Console, "alice").await.unwrap().unwrap();
    assert!(alice.roles.holds(Role::Admin));
    let second = chat.store().ticket(TicketId(2)).await.unwrap().unwrap();
    assert_eq!(second.requester.id, alice.id, "the Telegram ticket now belongs to alice");
    let sent = chat.say_on_telegram(4343, "mallory", &format!("/link {code}")).await;
    assert!(sent[0].text().contains("unknown or expired"));

    // Codes expire after ten minutes.
    let sent = chat.say("alice", "/link").await;
    let code = sent[0].text().split_whitespace().nth(4).unwrap().trim_end_matches('.').to_owned();
    chat.clock.advance(chrono::Duration::minutes(11));
    let sent = chat.say_on_telegram(4444, "alice_other", &format!("/link {code}")).await;
    assert!(sent[0].text().contains("unknown or expired"));
    chat.finish().await;
}
on_both_backends!(linking, linking_accounts_follows_the_person);

/// A direct message to someone else goes to the messenger they wrote from last; one to
/// the person acting goes where they are acting.
async fn direct_messages_follow_the_messenger_used_last(chat: Chat) {
    chat.say("carol", "/whoami").await;
    chat.say("alice", "/role grant @carol agent").await;
    chat.say("alice", "/ticket new Laptop will not boot").await;
    let sent = chat.say("alice", "/link").await;
    let code = sent[0].text().split_whitespace().nth(4).unwrap().trim_end_matches('.').to_owned();
    // Later, alice writes from Telegram: that is now where she is.
    chat.clock.advance(chrono::Duration::minutes(2));
    chat.say_on_telegram(4242, "alice_tg", &format!("/link {code}")).await;

    let sent = chat.say("carol", "/ticket claim 1").await;
    let dm = direct_to(&chat, sent, "4242").await;
    assert_eq!(
        (dm.platform, dm.text()),
        (Platform::Telegram, "carol is now working on your ticket #1: Laptop will not boot.")
    );

    // Back on the console a while later: the next one follows her there.
    chat.clock.advance(chrono::Duration::minutes(2));
    chat.say("alice", "/whoami").await;
    let sent = chat.say("carol", "/ticket close 1 new battery").await;
    let dm = direct_to(&chat, sent, "alice").await;
    assert_eq!(dm.platform, Platform::Console, "{dm:?}");
    // A reminder set on the console reaches her on Telegram if that is where she went.
    chat.say("alice", "/remind in 1h stretch").await;
    chat.advance(chrono::Duration::minutes(2)).await;
    chat.say_on_telegram(4242, "alice_tg", "/whoami").await;
    chat.advance(chrono::Duration::minutes(58)).await;
    let dm = chat.next_dm("4242").await;
    assert_eq!((dm.platform, dm.text()), (Platform::Telegram, "Reminder: stretch"));
    chat.finish().await;
}
on_both_backends!(direct_messages_follow_the_messenger_used_last, direct_messages_follow_the_messenger_used_last);

/// The direct message to account `id` among what a command sent, or the next one.
async fn direct_to(chat: &Chat, sent: Vec<common::Sent>, id: &str) -> common::Sent {
    match sent.into_iter().find(|m| matches!(&m.to, deskmate_port::Destination::Direct(a) if a.id == id)) {
        Some(dm) => dm,
        None => chat.next_dm(id).await,
    }
}

/// Guessing link codes is hopeless: a few wrong codes lock one person out, and many from
/// one platform lock the platform out, each until the oldest failure leaves the window.
async fn link_guessing_is_locked_out(chat: Chat) {
    chat.say("alice", "/whoami").await;
    let code =
        chat.say("alice", "/link").await[0].text().split_whitespace().nth(4).unwrap().trim_end_matches('.').to_owned();
    for i in 0..3 {
        let sent = chat.say_on_telegram(7001, "mallory", &format!("/link AAAA-AAA{i}")).await;
        assert!(sent[0].text().contains("unknown or expired"), "{}", sent[0].text());
    }
    // The fourth try is refused before the code is even looked at: even the right code.
    let sent = chat.say_on_telegram(7001, "mallory", &format!("/link {code}")).await;
    assert!(sent[0].text().starts_with("Too many wrong link codes: /link is locked until"), "{}", sent[0].text());
    assert_eq!(chat.count("link_codes").await, 1, "the code was not spent");
    let mallory = chat.store().person_by_handle(Platform::Telegram, "mallory").await.unwrap().unwrap();
    assert!(!mallory.roles.holds(Role::Admin));
    // The lock lifts when the window has passed.
    chat.clock.advance(chrono::Duration::minutes(16));
    let sent = chat.say_on_telegram(7001, "mallory", "/link AAAA-AAAA").await;
    assert!(sent[0].text().contains("unknown or expired"), "{}", sent[0].text());

    // Many accounts together: the platform's bound (5 here) locks the next one out too.
    for (n, user) in [(7101, "m1"), (7102, "m2"), (7103, "m3"), (7104, "m4")] {
        let sent = chat.say_on_telegram(n, user, "/link BBBB-BBBB").await;
        assert!(sent[0].text().contains("unknown or expired"), "{}", sent[0].text());
    }
    let sent = chat.say_on_telegram(7105, "m5", "/link CCCC-CCCC").await;
    assert!(sent[0].text().starts_with("Too many wrong link codes"), "{}", sent[0].text());
    // The console is another platform, and not locked.
    let sent = chat.say("bob", "/link DDDD-DDDD").await;
    assert!(sent[0].text().contains("unknown or expired"), "{}", sent[0].text());
    chat.finish().await;
}
on_both_backends!(
    link_lockout,
    |c: &mut deskmate::config::Config| {
        c.limits.link_failures_per_person = 3;
        c.limits.link_failures_per_platform = 5;
    },
    link_guessing_is_locked_out
);

/// Two admins revoking each other at the same moment never leave the deployment without
/// an admin: one revoke wins, the other is refused as the last admin's.
async fn concurrent_revokes_keep_an_admin(chat: Chat) {
    use deskmate_port::{EventKind, Inbound};
    for who in ["bob", "carol"] {
        chat.say(who, "/whoami").await;
    }
    let store = chat.store();
    for round in 0..10 {
        // Exactly two admins, neither from the config.
        let mut tx = store.begin().await.unwrap();
        for who in ["bob", "carol"] {
            let p = store.person_by_handle(Platform::Console, who).await.unwrap().unwrap();
            tx.grant_role(
                p.id,
                Role::Admin,
                deskmate::store::Audit { actor: None, platform: Platform::Console, at: chrono::Utc::now() },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let revoke = |by: &str, whom: &str| {
            common::console_event(by, EventKind::Command { text: format!("/role revoke @{whom} admin") })
        };
        let (a, b) = tokio::join!(
            chat.app.router.handle(revoke("bob", "carol")),
            chat.app.router.handle(revoke("carol", "bob"))
        );
        a.unwrap();
        b.unwrap();
        let admins = chat.count("person_roles WHERE role = 'admin'").await;
        assert_eq!(admins, 1, "round {round}: one admin is left");
    }
    chat.app.router.settle().await;
    let said: Vec<String> = chat.sent().into_iter().map(|s| s.text().to_owned()).collect();
    assert_eq!(said.iter().filter(|t| t.contains("no longer an admin")).count(), 10, "{said:?}");
    // The loser is refused as the last admin, or, when the winner committed before the
    // loser's message was read, as no longer an admin at all.
    let refused = said.iter().filter(|t| t.contains("leave nobody as admin") || t.starts_with("Only admins")).count();
    assert_eq!(refused, 10, "{said:?}");
    chat.finish().await;
}
on_both_backends!(
    concurrent_revokes,
    |c: &mut deskmate::config::Config| c.directory.admins = Vec::new(),
    concurrent_revokes_keep_an_admin
);
