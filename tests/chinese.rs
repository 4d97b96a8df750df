//! The stories once more in Simplified Chinese: a company whose language is zh-CN runs
//! through every feature — help, directory, tickets, reminders, approvals, meetings,
//! personal schedules — including its refusals, and every message anyone gets (replies,
//! direct messages, channel notices, buttons) is Chinese, with only the syntax (commands,
//! `key:value`, `@names`, numbers) left in Latin letters.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Chat, Sent};
use regex::Regex;

const TYPES: &str = r#"
channel = "approvals"

[[types]]
name = "leave"
title = "请假"
fields = [
  { name = "dates", kind = "dates", half_days = true, label = "日期" },
  { name = "reason", kind = "text", required = false, label = "事由" },
]
steps = [{ approver = "manager", label = "上级" }]
"#;

/// What is left of a message once the syntax is taken out: usage lines, `/commands`,
/// `key:value`, `@names`, `#ids`, `<args>` and `[options]`.
fn words(text: &str) -> String {
    // A command quoted in a sentence runs on in lowercase words: `/schedule hours mon-fri`.
    let command = Regex::new(r"/[a-z][\w-]*(?:\s+[a-z0-9][\w:.,|-]*)*").unwrap();
    let syntax = Regex::new(r"\S*[/:@#<>\[\]|=]\S*").unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('/') && !l.starts_with("用法："))
        .map(|l| syntax.replace_all(&command.replace_all(l, " "), " ").into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every message is Chinese: it has Chinese characters, no two English words in a row
/// outside the syntax, and Chinese button labels.
fn all_chinese(sent: &[Sent]) {
    let english = Regex::new(r"[A-Za-z]{3,}[ ,.;]+[A-Za-z]{3,}").unwrap();
    let cjk = Regex::new(r"\p{Han}").unwrap();
    for m in sent {
        let text = m.text();
        assert!(cjk.is_match(text), "not Chinese: {text}");
        let left = words(text);
        assert!(!english.is_match(&left), "English in: {text}\n(left after the syntax: {left})");
        for button in &m.body.buttons {
            assert!(cjk.is_match(&button.label), "button `{}` on: {text}", button.label);
        }
    }
}

async fn everything_reads_chinese(chat: Chat) {
    let mut sent = Vec::new();
    let mut say = async |who: &str, line: &str| {
        let got = chat.say(who, line).await;
        assert!(!got.is_empty(), "no answer to {who}: {line}");
        sent.extend(got);
    };
    for who in ["bob", "carol", "dan"] {
        say(who, "/whoami").await;
    }
    for line in [
        "/role grant @carol agent",
        "/dept create 销售部",
        "/dept add 销售部 @dan",
        "/dept add 销售部 @bob",
        "/dept set-manager 销售部 @bob",
        "/dept list",
        "/role grant @dan",
    ] {
        say("alice", line).await;
    }
    for line in [
        "/help",
        "/help ticket",
        "/help meeting",
        "/help approval",
        "/nonsense",
        "/ticket show abc",
        "/remind",
        "/tz set Asia/Shanghai",
        "/lang",
    ] {
        say("dan", line).await;
    }

    // Tickets: open, list, claim, close, with refusals on the way.
    say("dan", "/ticket new 三楼打印机卡纸 priority:high").await;
    say("dan", "/ticket claim 1").await;
    say("carol", "/ticket list").await;
    say("carol", "/ticket claim 1").await;
    say("carol", "/ticket show 1").await;
    say("carol", "/ticket close 1 换了新硒鼓").await;
    say("dan", &format!("/ticket new {}", "长".repeat(201))).await;

    // Reminders and the personal schedule.
    say("dan", "/remind 明天上午9点 交周报").await;
    say("dan", "/remind 昨天 交周报").await;
    say("dan", "/schedule add 明天下午3点 看牙医 for:2h").await;
    say("dan", "/schedule list").await;
    say("dan", "/schedule hours").await;

    // Approvals: a leave to the manager, who approves with a note.
    say("dan", "/approval types").await;
    say("dan", "/approval request leave dates:12月7日下午..12月8日 reason:探亲").await;
    say("dan", "/approval request leave").await;
    say("bob", "/approval list").await;
    say("bob", "/approval approve 1 路上注意安全").await;
    say("dan", "/approval show 1").await;
    say("bob", "/approval delegate @carol until 周五").await;
    say("bob", "/away off").await;

    // Meetings: scheduled with a clash, answered, moved, listed, cancelled.
    say("bob", "/meeting schedule 周会 明天下午3点 @dan for:1h").await;
    say("bob", "/meeting list").await;
    say("dan", "/meeting show 1").await;
    say("bob", "/meeting move 1 后天上午10点").await;
    say("bob", "/meeting findtime @dan 30m").await;
    say("dan", "/agenda week").await;
    say("bob", "/meeting cancel 1 改期再议").await;

    // Anything still on its way (reminders, notices) comes in too.
    chat.advance(chrono::Duration::days(1)).await;
    sent.extend(chat.sent());
    assert!(sent.len() > 60, "the session said {} things", sent.len());
    // Dates typed in Chinese were read: the leave starts on the afternoon of the 7th.
    let leave = sent.iter().find(|m| m.text().starts_with("请假 #1 已提交")).expect("the leave was sent");
    assert!(leave.text().contains("日期：2026-12-07 pm..2026-12-08（1.5 天）"), "{}", leave.text());
    all_chinese(&sent);
    chat.finish().await;
}

fn in_chinese(config: &mut deskmate::config::Config) {
    config.general.language = "zh-CN".to_owned();
    config.channels.groups = vec!["approvals=console:approvals".to_owned()];
    config.approvals = toml::from_str(TYPES).unwrap();
}
on_both_backends!(a_chinese_company, in_chinese, everything_reads_chinese);
