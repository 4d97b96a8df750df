//! Approvals as people use them, on SQLite and PostgreSQL: requests routed through the
//! org chart, decisions by button, reasons by question, follow-through to the requester
//! and the approvals channel.
#![allow(clippy::unwrap_used)]

mod common;

use common::story::Story;
use deskmate::config::Config;
use deskmate_port::{Attachment, AttachmentError, ButtonStyle, Destination};

const TYPES: &str = r#"
channel = "approvals"

[[types]]
name = "purchase"
fields = [
  { name = "item", kind = "text" },
  { name = "amount", kind = "amount", currency = "CNY" },
  { name = "link", kind = "link", required = false },
]
steps = [
  { approver = "manager" },
  { approver = "head", department = "Finance", when = "amount > 5000", label = "Finance" },
]

[[types]]
name = "leave"
fields = [
  { name = "dates", kind = "dates", half_days = true },
  { name = "reason", kind = "text", required = false },
]
steps = [{ approver = "manager" }]
remind_after_hours = 24
escalate_after_hours = 48

[[types]]
name = "access"
fields = [
  { name = "system", kind = "text" },
  { name = "level", kind = "choice", options = ["read", "write"], required = false },
]
steps = [{ approver = "any", people = ["console:erin", "console:frank"], label = "IT" }]

[[types]]
name = "contract"
fields = [{ name = "party", kind = "text" }]
steps = [{ approver = "all", people = ["console:erin", "console:frank"], label = "Legal" }]

[[types]]
name = "expense"
fields = [
  { name = "amount", kind = "amount", currency = "CNY" },
  { name = "receipt", kind = "document" },
]
steps = [{ approver = "manager" }]
"#;

pub fn with_types(config: &mut Config) {
    config.channels.groups = vec!["approvals=console:approvals".to_owned()];
    config.approvals = toml::from_str(TYPES).unwrap();
}

/// dan works in Sales, managed by bob; carol heads Finance; erin and frank are IT and
/// Legal. Everyone has written once, so they can be named.
async fn org_chart(story: &Story) {
    let chat = story.chat();
    for who in ["bob", "carol", "dan", "erin", "frank"] {
        chat.say(who, "/whoami").await;
    }
    for line in [
        "/dept create Sales",
        "/dept create Finance",
        "/dept add Sales @dan",
        "/dept add Sales @bob",
        "/dept set-manager Sales @bob",
        "/dept add Finance @carol",
        "/dept set-manager Finance @carol",
    ] {
        let reply = chat.reply("alice", line).await;
        assert!(!reply.contains("Usage") && !reply.contains("no "), "{line}: {reply}");
    }
}

fn labels(m: &common::Sent) -> Vec<&str> {
    m.body.buttons.iter().map(|b| b.label.as_str()).collect()
}

async fn a_two_step_purchase_over_the_threshold(mut story: Story) {
    org_chart(&story).await;
    story
        .say(
            "dan",
            "/approval request purchase item:Laptop for the new hire amount:¥6,500 link:https://shop.example/q/1",
        )
        .await;
    let sent = story.reply_to("dan").await;
    assert_eq!(
        sent.text(),
        "Purchase #1 is sent.\n  Item: Laptop for the new hire\n  Amount: 6,500.00 CNY\n  Link: https://shop.example/q/1\n\
         Route:\n  1. Manager: bob\n  2. Finance: carol\nYou will hear of every step. /approval withdraw 1 takes it back."
    );
    let prompt = story.dm("bob").await;
    assert!(
        prompt.text().starts_with("Purchase #1 from dan waits for your decision, step 1 (Manager)."),
        "{}",
        prompt.text()
    );
    assert_eq!(labels(&prompt), ["Approve", "Reject", "Request changes"]);
    assert_eq!(prompt.body.buttons[0].style, ButtonStyle::Primary);

    // carol is not this step's approver: refused, and nothing changes.
    story.press("carol", "Approve").await;
    let refused = story.reply_to("carol").await;
    assert_eq!(
        refused.text(),
        "Only bob (or whoever they delegated to) can decide #1, step 1 (Manager). Nothing was changed."
    );
    story.quiet().await;

    story.press("bob", "Approve").await;
    assert_eq!(story.reply_to("bob").await.text(), "You approved Purchase #1, step 1 (Manager).");
    let edit = story.edit().await;
    assert!(edit.body.buttons.is_empty(), "the decided prompt keeps no live button: {edit:?}");
    assert!(edit.text().contains("\nbob approved it on 2026-11-30 09:00"), "{}", edit.text());
    assert!(matches!(&edit.to, Destination::Edit(m) if m.message_id == prompt.id), "bob's own prompt is edited");
    assert_eq!(
        story.dm("dan").await.text(),
        "bob approved your Purchase #1, step 1 (Manager). Next: step 2 (Finance) by carol."
    );
    let second = story.dm("carol").await;
    assert!(second.text().starts_with("Purchase #1 from dan waits for your decision, step 2 (Finance)."));

    // bob presses his old prompt again: told it is done, nothing changes.
    story.press_on("bob", &prompt, "Approve").await;
    assert_eq!(story.reply_to("bob").await.text(), "You already approved #1, step 1 (Manager).");

    story.press("carol", "Approve").await;
    assert_eq!(story.reply_to("carol").await.text(), "You approved Purchase #1, step 2 (Finance).");
    assert!(story.edit().await.body.buttons.is_empty());
    assert_eq!(
        story.dm("dan").await.text(),
        "Your Purchase #1 is approved: carol gave the last approval (step 2 (Finance))."
    );
    let record = story.post_in("approvals").await;
    assert!(record.text().starts_with("Purchase #1 by dan: approved on 2026-11-30 09:00."), "{}", record.text());
    assert!(record.text().ends_with("bob approved; carol approved"), "{}", record.text());

    // The approver pressing once more is told who decided; the audit shows everything.
    story.press("carol", "Approve").await;
    assert_eq!(story.reply_to("carol").await.text(), "#1 was already approved by you.");
    story.say("dan", "/approval show 1").await;
    let shown = story.reply_to("dan").await;
    for part in [
        "Purchase #1 by dan: approved",
        "1. Manager: bob - approved",
        "2. Finance: carol - approved",
        "dan (console): approval.request - item: Laptop for the new hire; amount: 6,500.00 CNY",
        "bob (console): approval.approve - step 1 (Manager)",
        "carol (console): approval.approve - step 2 (Finance)",
        "carol (console): approval.outcome - approved",
    ] {
        assert!(shown.text().contains(part), "{part:?} not in {}", shown.text());
    }
    // Someone with no part in it cannot read it.
    story.say("erin", "/approval show 1").await;
    assert!(story.reply_to("erin").await.text().contains("is not yours to see"));
    story.finish().await;
}
story!(a_two_step_purchase_over_the_threshold, with_types, a_two_step_purchase_over_the_threshold);

async fn a_small_purchase_needs_only_the_manager(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request purchase item:Mouse amount:120 CNY").await;
    let sent = story.reply_to("dan").await;
    assert!(sent.text().contains("Route:\n  1. Manager: bob\nYou will hear"), "{}", sent.text());
    story.dm("bob").await;
    story.say("bob", "/approval approve 1 enjoy the new mouse").await;
    story.reply_to("bob").await;
    story.edit().await;
    assert_eq!(
        story.dm("dan").await.text(),
        "Your Purchase #1 is approved: bob gave the last approval (step 1 (Manager)).\nNote from bob: enjoy the new mouse"
    );
    story.post_in("approvals").await;
    story.finish().await;
}
story!(a_small_purchase_needs_only_the_manager, with_types, a_small_purchase_needs_only_the_manager);

async fn a_rejection_with_a_reason(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request leave dates:2026-12-21..2026-12-24 reason:family visit").await;
    assert!(
        story.reply_to("dan").await.text().contains("  Dates: 2026-12-21..2026-12-24 (4 days)\n  Reason: family visit")
    );
    story.dm("bob").await;
    story.press("bob", "Reject").await;
    let question = story.reply_to("bob").await;
    assert_eq!(question.text(), "Why do you reject Leave #1? dan will see your reason.");
    assert!(question.is_private() && question.body.prompt.is_some());
    // Nothing is decided until the reason comes.
    story.quiet().await;
    story.answer("bob", "We are short-staffed that week").await;
    assert_eq!(story.reply_to("bob").await.text(), "You rejected Leave #1, step 1 (Manager).");
    let edit = story.edit().await;
    assert!(
        edit.text().ends_with("bob rejected it on 2026-11-30 09:00: We are short-staffed that week"),
        "{}",
        edit.text()
    );
    assert!(edit.body.buttons.is_empty());
    assert_eq!(
        story.dm("dan").await.text(),
        "Your Leave #1 was rejected by bob at step 1 (Manager). Reason: We are short-staffed that week"
    );
    assert!(story.post_in("approvals").await.text().contains("Leave #1 by dan: rejected"));
    // By command, a decided request is refused with who decided.
    story.say("bob", "/approval approve 1").await;
    assert_eq!(story.reply_to("bob").await.text(), "#1 was already rejected by you.");
    // A reason is required by command too.
    story.say("dan", "/approval request leave dates:2026-12-28").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.say("bob", "/approval reject 2").await;
    assert_eq!(story.reply_to("bob").await.text(), "Give the reason: /approval reject 2 <reason>");
    story.say("bob", "/approval reject 2 end of year freeze").await;
    story.reply_to("bob").await;
    story.edit().await;
    assert!(story.dm("dan").await.text().ends_with("Reason: end of year freeze"));
    story.post_in("approvals").await;
    story.finish().await;
}
story!(a_rejection_with_a_reason, with_types, a_rejection_with_a_reason);

async fn changes_requested_then_resubmitted(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request purchase item:Desk chair amount:900").await;
    story.reply_to("dan").await;
    let first = story.dm("bob").await;
    story.press("bob", "Request changes").await;
    assert_eq!(story.reply_to("bob").await.text(), "What should dan change in Purchase #1?");
    story.answer("bob", "Add the quote link").await;
    assert_eq!(story.reply_to("bob").await.text(), "You asked for changes on Purchase #1, step 1 (Manager).");
    story.edit().await;
    let told = story.dm("dan").await;
    assert_eq!(
        told.text(),
        "bob asks for changes to your Purchase #1 at step 1 (Manager). Reason: Add the quote link\n\
         Change it with /approval resubmit 1 name:value …, or /approval withdraw 1."
    );
    // Changes are not an outcome: nothing is posted for the record yet.
    story.quiet().await;

    // Only the requester resubmits, and only while changes are asked for.
    story.say("bob", "/approval resubmit 1 link:https://shop.example/chair").await;
    assert_eq!(story.reply_to("bob").await.text(), "Only the person who made #1 can resubmit it.");
    story.say("dan", "/approval resubmit 1 link:shop.example/chair").await;
    assert!(
        story
            .reply_to("dan")
            .await
            .text()
            .starts_with("link: `shop.example/chair` is not a link (https://…). Nothing was requested.")
    );
    story.say("dan", "/approval resubmit 1 link:https://shop.example/chair").await;
    let again = story.reply_to("dan").await;
    assert!(
        again.text().starts_with(
            "Purchase #1 is sent again.\n  Item: Desk chair\n  Amount: 900.00 CNY\n  Link: https://shop.example/chair"
        ),
        "{}",
        again.text()
    );
    let second = story.dm("bob").await;
    assert_ne!(second.id, first.id);
    // The old prompt's buttons are stale now.
    story.press_on("bob", &first, "Approve").await;
    assert_eq!(story.reply_to("bob").await.text(), "You already asked for changes on #1, step 1 (Manager).");
    story.press_on("bob", &second, "Approve").await;
    story.reply_to("bob").await;
    story.edit().await;
    assert!(story.dm("dan").await.text().starts_with("Your Purchase #1 is approved"));
    story.post_in("approvals").await;
    story.say("dan", "/approval show 1").await;
    let shown = story.reply_to("dan").await;
    for part in [
        "(round 2)",
        "approval.changes - step 1 (Manager): Add the quote link",
        "approval.resubmit - link: https://shop.example/chair",
    ] {
        assert!(shown.text().contains(part), "{part:?} not in {}", shown.text());
    }
    story.finish().await;
}
story!(changes_requested_then_resubmitted, with_types, changes_requested_then_resubmitted);

async fn any_one_of_a_group_decides(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request access VPN for the trade fair").await;
    let sent = story.reply_to("dan").await;
    assert!(sent.text().contains("1. IT: any one of erin, frank"), "{}", sent.text());
    let to_erin = story.dm("erin").await;
    let to_frank = story.dm("frank").await;
    story.press_on("frank", &to_frank, "Approve").await;
    story.reply_to("frank").await;
    // Both prompts now say frank decided; erin's buttons are gone.
    let e1 = story.edit().await;
    let e2 = story.edit().await;
    let edited: Vec<&str> = [&e1, &e2]
        .iter()
        .map(|e| match &e.to {
            Destination::Edit(m) => m.message_id.as_str(),
            _ => "",
        })
        .collect();
    assert!(edited.contains(&to_erin.id.as_str()) && edited.contains(&to_frank.id.as_str()), "{edited:?}");
    assert!(e1.text().contains("frank approved it") && e2.text().contains("frank approved it"));
    story.dm("dan").await;
    story.post_in("approvals").await;
    story.press_on("erin", &to_erin, "Approve").await;
    assert_eq!(story.reply_to("erin").await.text(), "#1 was already approved by frank.");
    story.finish().await;
}
story!(any_one_of_a_group_decides, with_types, any_one_of_a_group_decides);

async fn all_of_a_group_must_approve(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request contract party:Acme Ltd").await;
    story.reply_to("dan").await;
    let to_erin = story.dm("erin").await;
    assert!(to_erin.text().contains("Everyone on this step must approve."));
    let to_frank = story.dm("frank").await;
    story.press_on("erin", &to_erin, "Approve").await;
    story.reply_to("erin").await;
    let edit = story.edit().await;
    assert!(matches!(&edit.to, Destination::Edit(m) if m.message_id == to_erin.id), "only erin's prompt changes");
    assert_eq!(
        story.dm("dan").await.text(),
        "erin approved your Contract #1, step 1 (Legal); still waiting for frank."
    );
    story.quiet().await;
    story.press_on("frank", &to_frank, "Approve").await;
    story.reply_to("frank").await;
    story.edit().await;
    assert_eq!(
        story.dm("dan").await.text(),
        "Your Contract #1 is approved: frank gave the last approval (step 1 (Legal))."
    );
    assert!(story.post_in("approvals").await.text().ends_with("erin approved; frank approved"));
    story.finish().await;
}
story!(all_of_a_group_must_approve, with_types, all_of_a_group_must_approve);

async fn no_dead_ends(mut story: Story) {
    org_chart(&story).await;
    // erin has no department, so no manager: her step goes to the admins, and she hears why.
    story.say("erin", "/approval request leave dates:tomorrow pm").await;
    let sent = story.reply_to("erin").await;
    assert!(
        sent.text().contains("1. Manager: alice (sent to the admins: erin has no manager in the directory)"),
        "{}",
        sent.text()
    );
    assert!(story.dm("alice").await.text().contains("Dates: 2026-12-01 pm"));
    // bob manages Sales and is in it: a purchase of his does not come back to him.
    story.say("bob", "/approval request purchase item:Monitor amount:300").await;
    let sent = story.reply_to("bob").await;
    assert!(
        sent.text().contains("1. Manager: alice (sent to the admins: bob has no manager in the directory)"),
        "{}",
        sent.text()
    );
    story.dm("alice").await;
    // carol heads Finance: her big purchase's Finance step moves up to her manager.
    story.chat().say("alice", "/dept create Board").await;
    story.chat().say("alice", "/dept add Board @erin").await;
    story.chat().say("alice", "/dept set-manager Board @erin").await;
    story.chat().say("alice", "/dept add Board @carol").await;
    story.say("carol", "/approval request purchase item:Servers amount:90000").await;
    let sent = story.reply_to("carol").await;
    assert!(
        sent.text().contains(
            "1. Manager: erin\n  2. Finance: erin (the step would be carol's own, so it goes to their manager)"
        ),
        "{}",
        sent.text()
    );
    story.dm("erin").await;
    story.finish().await;
}
story!(no_dead_ends, with_types, no_dead_ends);

async fn bad_requests_change_nothing(mut story: Story) {
    org_chart(&story).await;
    for (line, expected) in [
        (
            "/approval request holiday dates:tomorrow",
            "There is no approval type `holiday`. The types are: purchase, leave, access, contract, expense. (/approval types shows their fields)",
        ),
        (
            "/approval request purchase item:Laptop amount:1200 USD",
            "amount: this request takes amounts in CNY, not USD. Nothing was requested.\nUsage: /approval request purchase item:<item> amount:<amount> [link:<link>]",
        ),
        (
            "/approval request access system:VPN level:root",
            "level: `root` is not one of read, write. Nothing was requested.\nUsage: /approval request access system:<system> [level:<level>]",
        ),
        (
            "/approval request purchase item:Laptop link:quote.pdf amount:100",
            "link: `quote.pdf` is not a link (https://…). Nothing was requested.\nUsage: /approval request purchase item:<item> amount:<amount> [link:<link>]",
        ),
        (
            "/approval request purchase item:Laptop amount:12x",
            "amount: `12x` is not an amount (e.g. 1200, 1,200.50 or 1200 CNY). Nothing was requested.\nUsage: /approval request purchase item:<item> amount:<amount> [link:<link>]",
        ),
        (
            "/approval request leave dates:2026-12-05..2026-12-01",
            "dates: it ends (2026-12-01) before it starts (2026-12-05). Nothing was requested.\nUsage: /approval request leave dates:<dates> [reason:<reason>]",
        ),
        (
            "/approval request purchase item:Laptop amout:1200",
            "A purchase request has no field `amout`. Did you mean amount? Its fields: item, amount, link.\nUsage: /approval request purchase item:<item> amount:<amount> [link:<link>]",
        ),
        ("/approval list all", "Only admins can list everyone's requests. /approval list mine shows yours."),
        ("/approval show 99", "There is no approval request #99."),
    ] {
        story.say("dan", line).await;
        assert_eq!(story.reply_to("dan").await.text(), expected, "{line}");
    }
    assert_eq!(story.chat().count("approval_requests").await, 0);

    // Withdrawn: the approver's prompt says so and deciding it is refused.
    story.say("dan", "/approval request leave dates:2026-12-01..2026-12-02").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.say("bob", "/approval withdraw 1").await;
    assert_eq!(story.reply_to("bob").await.text(), "Only the person who made #1 can withdraw it.");
    story.say("dan", "/approval withdraw 1").await;
    assert_eq!(story.reply_to("dan").await.text(), "Leave #1 is withdrawn. Its approvers' prompts say so.");
    let edit = story.edit().await;
    assert!(edit.text().ends_with("Withdrawn by dan: nothing to decide.") && edit.body.buttons.is_empty());
    story.press("bob", "Approve").await;
    assert_eq!(story.reply_to("bob").await.text(), "#1 was withdrawn by dan.");
    story.say("dan", "/approval withdraw 1").await;
    assert_eq!(story.reply_to("dan").await.text(), "#1 was withdrawn by dan.");
    story.finish().await;
}
story!(bad_requests_change_nothing, with_types, bad_requests_change_nothing);

async fn lists(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request leave dates:2026-12-01").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.say("dan", "/approval request purchase item:Pens amount:20").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.say("bob", "/approval list").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Waiting for your decision (page 1):\n  #2 purchase from dan, Manager, since 2026-11-30 09:00\n  \
         #1 leave from dan, Manager, since 2026-11-30 09:00"
    );
    story.say("dan", "/approval list mine type:leave").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "Your requests (page 1):\n  #1 leave by dan: pending, made 2026-11-30 09:00"
    );
    story.say("alice", "/approval list all status:approved").await;
    assert_eq!(story.reply_to("alice").await.text(), "Requests: none.");
    story.say("bob", "/approval list pending page:2").await;
    assert_eq!(story.reply_to("bob").await.text(), "Nothing waiting for you on page 2.");
    story.say("dan", "/approval types").await;
    let types = story.reply_to("dan").await;
    assert!(types.text().contains("purchase (Purchase)\n  item: text\n  amount: an amount in CNY"), "{}", types.text());
    assert!(types.text().contains("approved by: Manager, then Finance (when amount > 5000)"), "{}", types.text());
    story.finish().await;
}
story!(lists, with_types, lists);

async fn a_delegate_decides_on_someones_behalf(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request purchase item:Headset amount:300").await;
    story.reply_to("dan").await;
    let to_bob = story.dm("bob").await;

    // Refused: to oneself, and a loop.
    story.say("bob", "/approval delegate @bob until 2026-12-10").await;
    assert_eq!(story.reply_to("bob").await.text(), "You cannot delegate to yourself. Nothing was changed.");
    story.say("bob", "/approval delegate @carol until 2026-11-01").await;
    assert_eq!(story.reply_to("bob").await.text(), "That date has passed; a delegation needs an end in the future.");

    story.say("bob", "/approval delegate @carol until 2026-12-10").await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "Until 2026-12-11 00:00 (UTC), carol decides your approvals; the record will say on your behalf. \
         The 1 prompt waiting for you went to them too. /approval undelegate ends it sooner."
    );
    assert_eq!(
        story.dm("carol").await.text(),
        "bob asked you to decide their approvals until 2026-12-11 00:00 (UTC). Their prompts will come to you."
    );
    let moved = story.dm("carol").await;
    assert!(moved.text().starts_with("Moved to you by a delegation.\nPurchase #1 from dan waits"), "{}", moved.text());
    assert!(moved.text().ends_with("(You decide on behalf of bob.)"), "{}", moved.text());
    story.say("carol", "/approval delegate @bob until 2026-12-05").await;
    assert_eq!(
        story.reply_to("carol").await.text(),
        "bob already hands their approvals on to you: that would be a loop. Nothing was changed."
    );
    // The delegate sees it in their pending list, marked as someone else's; so does
    // whoever carol hands on to in turn.
    story.say("carol", "/approval list").await;
    assert!(story.reply_to("carol").await.text().contains("#1 purchase from dan, Manager, for bob"));
    story.say("carol", "/approval delegate @frank until 2026-12-03").await;
    assert!(story.reply_to("carol").await.text().contains("frank decides your approvals"));
    story.dm("frank").await;
    story.say("frank", "/approval list").await;
    assert!(story.reply_to("frank").await.text().contains("#1 purchase from dan, Manager, for bob"));
    story.say("carol", "/approval undelegate").await;
    story.reply_to("carol").await;
    story.dm("frank").await;

    // Someone else still cannot decide it.
    story.press_on("erin", &moved, "Approve").await;
    assert!(story.reply_to("erin").await.text().starts_with("Only bob (or whoever they delegated to)"));
    story.press_on("carol", &moved, "Approve").await;
    assert_eq!(story.reply_to("carol").await.text(), "You approved Purchase #1, step 1 (Manager) on behalf of bob.");
    // Both copies of the prompt, bob's and carol's, show the decision.
    let e1 = story.edit().await;
    let e2 = story.edit().await;
    let ids: Vec<String> = [&e1, &e2]
        .iter()
        .map(|e| match &e.to {
            Destination::Edit(m) => m.message_id.clone(),
            _ => String::new(),
        })
        .collect();
    assert!(ids.contains(&to_bob.id) && ids.contains(&moved.id), "{ids:?}");
    assert!(e1.text().contains("carol on behalf of bob approved it"), "{}", e1.text());
    story.dm("dan").await;
    assert!(story.post_in("approvals").await.text().ends_with("carol approved for bob"));
    story.say("dan", "/approval show 1").await;
    assert!(
        story
            .reply_to("dan")
            .await
            .text()
            .contains("carol (console): approval.approve - step 1 (Manager) on behalf of bob")
    );

    // New prompts go straight to the delegate.
    story.say("dan", "/approval request purchase item:Cable amount:30").await;
    story.reply_to("dan").await;
    let direct = story.dm("carol").await;
    assert!(
        direct.text().starts_with("Purchase #2 from dan waits")
            && direct.text().ends_with("(You decide on behalf of bob.)")
    );

    // The delegation ends by itself: bob hears it, and the waiting prompt comes back to him.
    story.advance(chrono::Duration::days(11)).await;
    assert_eq!(story.dm("bob").await.text(), "Your delegation has ended; your approvals come to you again.");
    let back = story.dm("bob").await;
    assert!(back.text().starts_with("Moved to you by a delegation.\nPurchase #2 from dan"), "{}", back.text());
    story.press_on("carol", &direct, "Approve").await;
    assert!(story.reply_to("carol").await.text().starts_with("Only bob (or whoever they delegated to)"));
    story.finish().await;
}
story!(a_delegate_decides_on_someones_behalf, with_types, a_delegate_decides_on_someones_behalf);

async fn away_hands_approvals_to_the_manager(mut story: Story) {
    org_chart(&story).await;
    // bob has no manager: his approvals stay with him, but no tickets are given to him.
    story.say("bob", "/away until friday").await;
    assert!(story.reply_to("bob").await.text().starts_with("You are away until 2026-12-05 00:00 (UTC): no tickets"));
    story.say("bob", "/back").await;
    assert_eq!(story.reply_to("bob").await.text(), "Welcome back: tickets can come to you again.");
    story.say("bob", "/back").await;
    assert_eq!(story.reply_to("bob").await.text(), "You were not away; nothing changed.");
    story.say("dan", "/away until 2026-12-02").await;
    assert!(story.reply_to("dan").await.text().starts_with("Until 2026-12-03 00:00 (UTC), bob decides your approvals"));
    assert!(story.dm("bob").await.text().starts_with("dan asked you to decide their approvals"));
    story.say("dan", "/away off").await;
    assert_eq!(story.reply_to("dan").await.text(), "Your delegation to bob is over; your prompts come to you again.");
    assert_eq!(story.dm("bob").await.text(), "dan is back: you no longer decide their approvals.");
    story.say("dan", "/away off").await;
    assert_eq!(story.reply_to("dan").await.text(), "You were not away; nothing changed.");
    // Ended early: nothing more is said when its end date comes.
    story.advance(chrono::Duration::days(4)).await;
    story.quiet().await;
    // Replaced by a shorter one: only the one in force says it ended.
    story.say("dan", "/away until 2026-12-05 to:@carol").await;
    story.reply_to("dan").await;
    story.dm("carol").await;
    story.say("dan", "/away until 2026-12-05 09:00 to:@bob").await;
    assert!(story.reply_to("dan").await.text().contains("bob decides your approvals"));
    story.dm("bob").await;
    story.advance(chrono::Duration::days(3)).await;
    assert_eq!(story.dm("dan").await.text(), "Your delegation has ended; your approvals come to you again.");
    story.advance(chrono::Duration::days(2)).await;
    story.quiet().await;
    story.finish().await;
}
story!(away_hands_approvals_to_the_manager, with_types, away_hands_approvals_to_the_manager);

async fn a_reminder_then_an_escalation(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request leave dates:2026-12-14..2026-12-18").await;
    story.reply_to("dan").await;
    let first = story.dm("bob").await;
    story.advance(chrono::Duration::hours(23)).await;
    story.quiet().await;
    story.advance(chrono::Duration::hours(2)).await;
    let reminder = story.dm("bob").await;
    assert!(
        reminder
            .text()
            .starts_with("Reminder: this still waits for you since 2026-11-30 09:00 UTC.\nLeave #1 from dan"),
        "{}",
        reminder.text()
    );
    assert_eq!(labels(&reminder), ["Approve", "Reject", "Request changes"]);
    // Once only.
    story.advance(chrono::Duration::hours(12)).await;
    story.quiet().await;
    // Past the deadline: bob has no manager above him, so the admins take it too.
    story.advance(chrono::Duration::hours(12)).await;
    assert_eq!(
        story.dm("dan").await.text(),
        "Your Leave #1 waited too long at step 1 (Manager): it now also goes to alice."
    );
    let escalated = story.dm("alice").await;
    assert!(escalated.text().starts_with("Escalated to you: its approver has not decided in time.\nLeave #1 from dan"));
    story.press_on("alice", &escalated, "Approve").await;
    assert_eq!(story.reply_to("alice").await.text(), "You approved Leave #1, step 1 (Manager).");
    // bob's prompt, his reminder and alice's prompt all lose their buttons.
    let mut edited = Vec::new();
    for _ in 0..3 {
        let e = story.edit().await;
        assert!(e.body.buttons.is_empty());
        if let Destination::Edit(m) = &e.to {
            edited.push(m.message_id.clone());
        }
    }
    for m in [&first, &reminder, &escalated] {
        assert!(edited.contains(&m.id), "{} not edited: {edited:?}", m.id);
    }
    story.dm("dan").await;
    story.post_in("approvals").await;
    story.press_on("bob", &first, "Approve").await;
    assert_eq!(story.reply_to("bob").await.text(), "#1 was already approved by alice.");
    story.say("dan", "/approval show 1").await;
    let shown = story.reply_to("dan").await;
    assert!(
        shown.text().contains("Deskmate (console): approval.remind - step 1 (Manager) reminded"),
        "{}",
        shown.text()
    );
    assert!(shown.text().contains("Deskmate (console): approval.escalate - step 1 (Manager) escalated to alice"));
    // Nothing more fires for a decided request.
    story.advance(chrono::Duration::days(5)).await;
    story.quiet().await;

    // A step decided in time is never reminded.
    story.say("dan", "/approval request leave dates:2026-12-21").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.press("bob", "Approve").await;
    story.reply_to("bob").await;
    story.edit().await;
    story.dm("dan").await;
    story.post_in("approvals").await;
    story.advance(chrono::Duration::days(3)).await;
    story.quiet().await;
    story.finish().await;
}
story!(a_reminder_then_an_escalation, with_types, a_reminder_then_an_escalation);

/// Two approvers of an "any one of" step press Approve at the same moment, many times
/// over: each time exactly one decision is recorded, and the other is told who decided.
/// On PostgreSQL the two presses run in parallel transactions.
async fn two_approvers_pressing_at_once(backend: common::Backend) {
    use deskmate_port::{EventKind, Inbound};
    let Some(chat) = common::Chat::start_with(backend, with_types).await else { return };
    for who in ["dan", "erin", "frank"] {
        chat.say(who, "/whoami").await;
    }
    const ROUNDS: i64 = 12;
    for round in 1..=ROUNDS {
        let sent = chat.say("dan", &format!("/approval request access system {round}")).await;
        let dm =
            |who: &str| sent.iter().find(|m| matches!(&m.to, Destination::Direct(a) if a.id == who)).cloned().unwrap();
        let (to_erin, to_frank) = (dm("erin"), dm("frank"));
        let press = |who: &str, m: &common::Sent| {
            common::console_event(who, EventKind::Button { button_id: m.body.buttons[0].id.clone(), message: None })
        };
        let (a, b) = tokio::join!(
            chat.app.router.handle(press("erin", &to_erin)),
            chat.app.router.handle(press("frank", &to_frank))
        );
        a.unwrap();
        b.unwrap();
        chat.app.router.settle().await;
        let sent = chat.sent();
        let replies: Vec<&str> = sent.iter().filter(|s| s.is_reply()).map(|s| s.text()).collect();
        let won = replies.iter().filter(|r| r.starts_with("You approved Access")).count();
        let lost = replies.iter().filter(|r| r.starts_with(&format!("#{round} was already approved by "))).count();
        assert_eq!((won, lost), (1, 1), "round {round}: {replies:?}");
    }
    let decided = count(&chat, "SELECT COUNT(*) FROM approval_approvers WHERE state = 'approved'").await;
    let passed = count(&chat, "SELECT COUNT(*) FROM approval_approvers WHERE state = 'passed'").await;
    let logged = count(&chat, "SELECT COUNT(*) FROM events WHERE action = 'approval.approve'").await;
    let approved = count(&chat, "SELECT COUNT(*) FROM approval_requests WHERE status = 'approved'").await;
    assert_eq!((decided, passed, logged, approved), (ROUNDS, ROUNDS, ROUNDS, ROUNDS));
    chat.finish().await;
}

async fn count(chat: &common::Chat, sql: &'static str) -> i64 {
    let store = chat.store();
    if let Some(pool) = store.sqlite_pool() {
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    } else {
        sqlx::query_scalar(sql).fetch_one(store.postgres_pool().unwrap()).await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_approvers_pressing_at_once_postgres() {
    two_approvers_pressing_at_once(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_approvers_pressing_at_once_sqlite() {
    two_approvers_pressing_at_once(common::Backend::Sqlite).await;
}

async fn missing_fields_are_asked_for(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request purchase link:https://shop.example/q/9").await;
    let q1 = story.reply_to("dan").await;
    assert_eq!(q1.text(), "Purchase request (2 questions to go): Item? Give text.");
    assert!(q1.is_private() && q1.body.prompt.is_some());
    story.answer("dan", "Standing desk").await;
    let q2 = story.reply_to("dan").await;
    assert_eq!(q2.text(), "Purchase request: Amount? Give an amount in CNY, e.g. 1200, 1,200.50 or 1200 CNY.");
    // A bad answer is refused; the same question can be answered again.
    story.answer("dan", "1200 USD").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "amount: this request takes amounts in CNY, not USD. Answer again with an amount in CNY, e.g. 1200, 1,200.50 or 1200 CNY."
    );
    assert_eq!(story.chat().count("approval_requests").await, 0);
    story.answer("dan", "¥1,800").await;
    let sent = story.reply_to("dan").await;
    assert!(
        sent.text().starts_with(
            "Purchase #1 is sent.\n  Item: Standing desk\n  Amount: 1,800.00 CNY\n  Link: https://shop.example/q/9"
        ),
        "{}",
        sent.text()
    );
    story.dm("bob").await;
    // The question is used up.
    story.answer("dan", "2000").await;
    assert!(story.reply_to("dan").await.text().contains("already"), "answered once");
    story.finish().await;
}
story!(missing_fields_are_asked_for, with_types, missing_fields_are_asked_for);

async fn the_approvals_report(mut story: Story) {
    org_chart(&story).await;
    story.say("dan", "/approval request leave dates:2026-12-07").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.advance(chrono::Duration::hours(2)).await;
    story.say("bob", "/approval approve 1").await;
    story.reply_to("bob").await;
    story.edit().await;
    story.dm("dan").await;
    story.post_in("approvals").await;

    story.say("dan", "/approval request purchase item:Chair amount:300").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.advance(chrono::Duration::hours(4)).await;
    story.say("bob", "/approval reject 2 over budget").await;
    story.reply_to("bob").await;
    story.edit().await;
    story.dm("dan").await;
    story.post_in("approvals").await;

    story.say("dan", "/approval request leave dates:2026-12-08").await;
    story.reply_to("dan").await;
    story.dm("bob").await;
    story.advance(chrono::Duration::hours(1)).await;
    story.say("bob", "/approval approve 3").await;
    story.reply_to("bob").await;
    story.edit().await;
    story.dm("dan").await;
    story.post_in("approvals").await;
    story.say("dan", "/approval request purchase item:Lamp amount:100").await;
    story.reply_to("dan").await;
    story.dm("bob").await;

    story.say("dan", "/report approvals").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "Only managers can use /report approvals. Ask an admin if you need the manager role."
    );
    story.say("alice", "/report approvals week").await;
    assert_eq!(
        story.reply_to("alice").await.text(),
        "Approvals, 2026-11-23 16:00 to 2026-11-30 16:00:\n  leave: 2 (2 approved)\n  purchase: 2 (1 pending, 1 rejected)\n\
         Time to decision per step (median / 90th percentile):\n  leave, step 1 (Manager): 1h / 2h over 2 decisions\n  \
         purchase, step 1 (Manager): 4h / 4h over 1 decision"
    );
    // A month later nothing of it is in the week's report, and all of it in its month's.
    story.advance(chrono::Duration::days(30)).await;
    story.say("alice", "/report approvals").await;
    let later = story.reply_to("alice").await;
    assert!(later.text().ends_with("2026-12-30 16:00:\n  no requests made"), "{}", later.text());
    story.say("alice", "/report approvals 2026-11").await;
    let november = story.reply_to("alice").await;
    assert!(november.text().contains("leave: 2 (2 approved)\n  purchase: 2"), "{}", november.text());
    story.finish().await;
}
story!(the_approvals_report, with_types, the_approvals_report);

/// Two instances on one database, one of them restarted in between: the reminder and
/// the escalation each fire once.
async fn timers_fire_once_across_instances(backend: common::Backend) {
    let Some(chat) = common::Chat::start_with(backend, with_types).await else { return };
    let (second, second_sent) = chat.another_instance("second", with_types).await;
    for who in ["bob", "dan"] {
        chat.say(who, "/whoami").await;
    }
    chat.say("alice", "/dept create Sales").await;
    chat.say("alice", "/dept add Sales @dan").await;
    chat.say("alice", "/dept set-manager Sales @bob").await;
    chat.say("dan", "/approval request leave dates:2026-12-14").await;
    // The first instance stops and starts again while the timers wait.
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
    assert_eq!(to("bob", "Reminder: "), 1, "{sent:#?}");
    assert_eq!(to("alice", "Escalated to you"), 1, "{sent:#?}");
    assert_eq!(to("dan", "Your Leave #1 waited too long"), 1, "{sent:#?}");
    second.shutdown().await;
    chat.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timers_fire_once_across_instances_postgres() {
    timers_fire_once_across_instances(common::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timers_fire_once_across_instances_sqlite() {
    timers_fire_once_across_instances(common::Backend::Sqlite).await;
}

async fn lists_come_in_pages(mut story: Story) {
    org_chart(&story).await;
    for day in 1..=11 {
        story.say("dan", &format!("/approval request leave dates:2026-12-{day:02}")).await;
        story.reply_to("dan").await;
        story.dm("bob").await;
    }
    story.say("bob", "/approval list").await;
    let first = story.reply_to("bob").await;
    assert_eq!(first.text().lines().filter(|l| l.starts_with("  #")).count(), 10);
    assert!(first.text().contains("  #11 leave") && !first.text().contains("  #1 leave"), "newest first");
    assert!(first.text().ends_with("Next page: /approval list pending page:2"), "{}", first.text());
    story.say("bob", "/approval list pending page:2").await;
    let second = story.reply_to("bob").await;
    assert_eq!(
        second.text(),
        "Waiting for your decision (page 2):\n  #1 leave from dan, Manager, since 2026-11-30 09:00"
    );
    story.say("dan", "/approval list mine since:2026-12-01").await;
    assert_eq!(story.reply_to("dan").await.text(), "Your requests: none.");
    story.say("dan", "/approval list mine since:yesterday").await;
    assert_eq!(story.reply_to("dan").await.text(), "since: `yesterday` is not a date; write e.g. since:2026-11-01");
    story.say("alice", "/approval list all type:holiday").await;
    assert!(story.reply_to("alice").await.text().starts_with("There is no approval type `holiday`."));
    story.say("alice", "/approval list all type:leave status:pending page:2").await;
    assert_eq!(
        story.reply_to("alice").await.text(),
        "Requests (page 2):\n  #1 leave by dan: pending, made 2026-11-30 09:00"
    );
    story.finish().await;
}
story!(lists_come_in_pages, with_types, lists_come_in_pages);

fn pdf(name: &str, content: &str) -> Attachment {
    Attachment::new(name, "application/pdf", format!("%PDF-1.4 {content}").into_bytes()).unwrap()
}

async fn a_document_goes_with_the_request_to_each_approver(mut story: Story) {
    org_chart(&story).await;
    let receipt = pdf("taxi receipt.pdf", "taxi 120");
    story.say_with("dan", "/approval request expense amount:120", vec![Ok(receipt.clone())]).await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "Expense #1 is sent.\n  Amount: 120.00 CNY\n  Receipt: 📎 taxi receipt.pdf (1 KB, file 1)\n\
         Route:\n  1. Manager: bob\nYou will hear of every step. /approval withdraw 1 takes it back."
    );
    let prompt = story.dm("bob").await;
    assert!(prompt.text().contains("Receipt: 📎 taxi receipt.pdf (1 KB, file 1)"), "{}", prompt.text());
    assert_eq!(prompt.body.files, std::slice::from_ref(&receipt), "the approver gets the file itself");
    assert_eq!(labels(&prompt), ["Approve", "Reject", "Request changes"]);

    // Whoever may see the request gets the file again with /approval show; others not.
    story.say("bob", "/approval show 1").await;
    assert_eq!(story.reply_to("bob").await.body.files, std::slice::from_ref(&receipt));
    story.say("erin", "/approval show 1").await;
    let refused = story.reply_to("erin").await;
    assert!(refused.body.files.is_empty() && refused.text().starts_with("#1 is not yours"), "{refused:?}");

    // Without the file: asked for it; a text that is no link is refused and the
    // question stays open; a file answers it.
    story.say("dan", "/approval request expense amount:80").await;
    let asked = story.reply_to("dan").await;
    assert_eq!(
        asked.text(),
        "Expense request: Receipt? Reply with the file attached or a link https://…, or send the request again \
         with the file."
    );
    story.answer("dan", "in my drawer").await;
    assert_eq!(
        story.reply_to("dan").await.text(),
        "receipt: `in my drawer` is not a link (https://…); or attach the file to the message. \
         Answer again with an attached file, or a link https://…."
    );
    let lunch = pdf("lunch.pdf", "lunch 80");
    story.answer_with("dan", "", lunch.clone()).await;
    assert!(story.reply_to("dan").await.text().starts_with("Expense #2 is sent."));
    let second = story.dm("bob").await;
    assert_eq!(second.body.files, [lunch]);

    // Changes asked for: a new file replaces the old one.
    story.say("bob", "/approval changes 2 the receipt is unreadable").await;
    story.reply_to("bob").await;
    story.edit().await;
    story.dm("dan").await;
    let rescanned = pdf("lunch-rescan.pdf", "lunch 80, readable");
    story.say_with("dan", "/approval resubmit 2", vec![Ok(rescanned.clone())]).await;
    assert!(story.reply_to("dan").await.text().contains("Receipt: 📎 lunch-rescan.pdf (1 KB, file 3)"));
    assert_eq!(story.dm("bob").await.body.files, [rescanned]);
    story.say("bob", "/approval show 2").await;
    let history = story.reply_to("bob").await;
    assert!(
        history.text().contains("approval.resubmit - receipt: 📎 lunch-rescan.pdf (1 KB, file 3)"),
        "{}",
        history.text()
    );
    story.finish().await;
}
story!(
    a_document_goes_with_the_request_to_each_approver,
    with_types,
    a_document_goes_with_the_request_to_each_approver
);

async fn files_where_none_belong_change_nothing(mut story: Story) {
    org_chart(&story).await;
    let file = pdf("quote.pdf", "quote");
    let usage = "Usage: /approval request expense amount:<amount> receipt:<link or attached file>";
    for (line, files, expected) in [
        (
            "/approval request leave dates:2026-12-07",
            vec![Ok(file.clone())],
            "A leave request takes no file, and a file came with it. Nothing was requested.\n\
             Usage: /approval request leave dates:<dates> [reason:<reason>]"
                .to_owned(),
        ),
        (
            "/approval request expense amount:90",
            vec![Ok(file.clone()), Ok(pdf("second.pdf", "2"))],
            format!(
                "An expense request takes one file (receipt), and 2 files came with it. A field given a link takes \
                 no file; to say which field a file is for, name it with nothing after it (e.g. receipt:). \
                 Nothing was requested.\n{usage}"
            ),
        ),
        (
            "/approval request expense amount:90 receipt:https://drive.example/r.pdf",
            vec![Ok(file.clone())],
            format!(
                "An expense request takes one file (receipt), and a file came with it. A field given a link takes \
                 no file; to say which field a file is for, name it with nothing after it (e.g. receipt:). \
                 Nothing was requested.\n{usage}"
            ),
        ),
        (
            // A kept file's written form, typed, is only words: no way to someone's file.
            "/approval request expense amount:90 receipt:📎 quote.pdf (1 KB, file 1)",
            vec![],
            format!(
                "receipt: `📎 quote.pdf (1 KB, file 1)` is not a link (https://…); or attach the file to the \
                 message. Nothing was requested.\n{usage}"
            ),
        ),
        (
            "/approval approve 1",
            vec![Ok(file.clone())],
            "/approval approve takes no file; send it without one. Nothing was changed.".to_owned(),
        ),
        (
            "/approval request expense amount:90",
            vec![Err(AttachmentError::Unreadable { name: "scan.pdf".into(), why: "timed out".into() })],
            "The file scan.pdf could not be fetched from the messenger (timed out); send it again. \
             Nothing was changed."
                .to_owned(),
        ),
        (
            "/approval request expense amount:90",
            vec![Err(AttachmentError::TooLarge { name: "scan.tiff".into(), size: 31_000_000, max: 20_971_520 })],
            "The file scan.tiff is 31.0 MB; files of at most 21.0 MB are taken. Nothing was changed.".to_owned(),
        ),
        (
            "/approval request expense amount:90",
            vec![Ok(Attachment::new("scan.tiff", "image/tiff", vec![0; 11 * 1024 * 1024]).unwrap())],
            "scan.tiff is 11.5 MB; a request's document may be at most 10 MB, so that every approver's messenger \
             can deliver it. Give a link to it instead. Nothing was requested."
                .to_owned(),
        ),
    ] {
        story.say_with("dan", line, files).await;
        assert_eq!(story.reply_to("dan").await.text(), expected, "{line}");
    }
    assert_eq!(story.chat().count("files").await, 0, "a refused file is not kept");
    assert_eq!(story.chat().count("approval_requests").await, 0);

    // A file named for its field, with a link beside it for nothing else: kept.
    story.say_with("dan", "/approval request expense receipt: amount:90", vec![Ok(file.clone())]).await;
    // (Which id: PostgreSQL spends ids on the refused files rolled back above.)
    assert!(story.reply_to("dan").await.text().contains("Receipt: 📎 quote.pdf (1 KB, file "));
    story.dm("bob").await;

    // A question that asks for words takes no file.
    story.press("bob", "Reject").await;
    assert!(story.reply_to("bob").await.text().starts_with("Why do you reject"));
    story.answer_with("bob", "no", file.clone()).await;
    assert_eq!(
        story.reply_to("bob").await.text(),
        "That question takes text, not a file: reply with text only. Nothing was changed."
    );
    story.answer("bob", "not a business expense").await;
    assert_eq!(story.reply_to("bob").await.text(), "You rejected Expense #1, step 1 (Manager).");
    story.edit().await;
    story.dm("dan").await;
    story.post_in("approvals").await;
    story.finish().await;
}
story!(files_where_none_belong_change_nothing, with_types, files_where_none_belong_change_nothing);
