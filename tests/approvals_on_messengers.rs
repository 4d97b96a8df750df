//! An approval across messengers, through the real teloxide and serenity clients against
//! the wire-level fakes: dan asks on Telegram, his manager bob decides on Discord (bob
//! also linked a Telegram account, and gets one prompt, not two), carol of Finance
//! decides on Telegram. Each prompt's buttons are replaced by the decision once pressed.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Backend;
use common::world::{DC_BOB, DC_CHANNEL, TG_ALICE, TG_BOB, TG_CAROL, TG_DAN, TG_GROUP, WAIT, World};
use serde_json::json;

async fn both_messengers(backend: Backend) {
    let Some(world) = World::start(backend, |_| {}).await else { return };
    world.org_chart().await;
    let (telegram_fake, discord_fake) = (&world.telegram, &world.discord);
    let tg_says = |who, text: &str| world.tg_says(who, text);
    let tg_wait = |chat: i64, needle: &'static str| world.tg_wait(chat, needle);

    tg_says(TG_DAN, "/approval request purchase item:Laptop amount:¥6,500");
    tg_wait(TG_GROUP, "Purchase #1 is sent.").await;
    let prompt = world.bobs_dm(0).await;
    assert!(prompt.content.contains("Purchase #1 from Dan waits for your decision"), "{prompt:?}");
    assert_eq!(prompt.buttons(), ["ap:ok:1:1", "ap:no:1:1", "ap:chg:1:1"]);
    // One prompt, not two: nothing reached bob's Telegram.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(telegram_fake.messages_in(TG_BOB.id).iter().all(|m| !m.shown.contains("Purchase #1")));

    let pressed = discord_fake.press(DC_BOB, &prompt, "ap:ok:1:1");
    discord_fake.wait("bob's decision", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    discord_fake.wait("the prompt edited", WAIT, |f| f.message(prompt.id).is_some_and(|m| m.edits > 0)).await;
    let decided = discord_fake.message(prompt.id).unwrap();
    assert!(decided.content.contains("Bob approved it"), "{decided:?}");
    assert_eq!(decided.disabled_buttons().len(), decided.buttons().len(), "no live button: {decided:?}");

    let told = tg_wait(TG_DAN.id, "Next: step 2 (Finance) by Carol").await;
    assert!(told.shown.starts_with("Bob approved your Purchase #1"), "{}", told.shown);
    let second = tg_wait(TG_CAROL.id, "waits for your decision, step 2 (Finance)").await;
    assert_eq!(second.buttons(), ["ap:ok:1:2", "ap:no:1:2", "ap:chg:1:2"]);
    telegram_fake.press(TG_CAROL.id, TG_CAROL, second.id, "ap:ok:1:2");
    telegram_fake
        .wait("carol's prompt edited", WAIT, |f| f.message_by_id(TG_CAROL.id, second.id).is_some_and(|m| m.edits > 0))
        .await;
    let decided = telegram_fake.message_by_id(TG_CAROL.id, second.id).unwrap();
    assert!(decided.shown.contains("Carol approved it"), "{decided:?}");
    assert!(decided.buttons().is_empty(), "the keyboard is gone: {decided:?}");
    tg_wait(TG_DAN.id, "Your Purchase #1 is approved").await;

    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_across_telegram_and_discord_sqlite() {
    both_messengers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_across_telegram_and_discord_postgres() {
    both_messengers(Backend::Postgres).await;
}

/// Types whose requests carry documents.
const DOCUMENT_TYPES: &str = r#"
[[types]]
name = "purchase"
fields = [
  { name = "item", kind = "text" },
  { name = "amount", kind = "amount", currency = "CNY" },
  { name = "quote", kind = "document", required = false },
]
steps = [{ approver = "manager" }]

[[types]]
name = "expense"
fields = [
  { name = "amount", kind = "amount", currency = "CNY" },
  { name = "receipt", kind = "document" },
]
steps = [{ approver = "manager" }]
"#;

fn fingerprint(name: &str, bytes: &[u8]) -> (String, usize, u64) {
    (name.to_owned(), bytes.len(), deskmate_port::stable_hash(&String::from_utf8_lossy(bytes)))
}

/// Documents go in on one messenger and come out on the other, byte for byte: dan's
/// quote as a Telegram document with the command as its caption, his receipt as a
/// document replying to the question that asked for it, bob's receipt in the slash
/// command's file option; each approver's prompt carries the file.
async fn documents_travel_with_requests(backend: Backend) {
    let Some(world) = World::start(backend, |c| c.approvals = toml::from_str(DOCUMENT_TYPES).unwrap()).await else {
        return;
    };
    world.org_chart().await;

    let quote = b"%PDF-1.4 a quote for a monitor".to_vec();
    let caption = "/approval request purchase item:Monitor amount:900";
    world.telegram.send_document(TG_GROUP, TG_DAN, caption, ("quote.pdf", "application/pdf", &quote), None);
    let sent = world.tg_wait(TG_GROUP, "Purchase #1 is sent.").await;
    assert!(sent.shown.contains("Quote: 📎 quote.pdf (1 KB, file 1)"), "{}", sent.shown);
    let prompt = world.bobs_dm(0).await;
    assert!(prompt.content.contains("Purchase #1 from Dan waits for your decision"), "{prompt:?}");
    assert_eq!(prompt.files, [fingerprint("quote.pdf", &quote)]);
    assert_eq!(prompt.buttons(), ["ap:ok:1:1", "ap:no:1:1", "ap:chg:1:1"]);

    // The receipt is asked for in dan's direct messages; he answers with the file.
    world.tg_says(TG_DAN, "/approval request expense amount:45");
    let question = world.tg_wait(TG_DAN.id, "Expense request: Receipt?").await;
    assert!(question.forces_reply(), "{question:?}");
    let receipt = b"%PDF-1.4 taxi, 45 CNY".to_vec();
    world.telegram.send_document(TG_DAN.id, TG_DAN, "", ("taxi.pdf", "application/pdf", &receipt), Some(question.id));
    world.tg_wait(TG_DAN.id, "Expense #2 is sent.").await;
    let second = world.bobs_dm(1).await;
    assert!(second.content.contains("Receipt: 📎 taxi.pdf (1 KB, file 2)"), "{second:?}");
    assert_eq!(second.files, [fingerprint("taxi.pdf", &receipt)]);

    // bob attaches his receipt to the slash command; nobody is above him, so the
    // admin, alice, gets the prompt on Telegram with the document.
    let lunch = b"%PDF-1.4 team lunch".to_vec();
    let options = json!([{ "type": 1, "name": "request", "options": [
        { "name": "type", "type": 3, "value": "expense" },
        { "name": "fields", "type": 3, "value": "amount:300" },
    ] }]);
    let asked = world.discord.slash_with_file(
        DC_BOB,
        DC_CHANNEL,
        "approval",
        options,
        ("lunch.pdf", "application/pdf", &lunch),
    );
    world.discord.wait("bob's request", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let told = world.discord.answer(asked).callbacks[0].2["data"]["content"].as_str().unwrap().to_owned();
    assert!(told.contains("Expense #3 is sent.") && told.contains("Receipt: 📎 lunch.pdf (1 KB, file 3)"), "{told}");
    let to_alice = world.tg_wait(TG_ALICE.id, "Expense #3 from Bob waits for your decision").await;
    assert_eq!(to_alice.buttons(), ["ap:ok:3:3", "ap:no:3:3", "ap:chg:3:3"]);
    world.telegram.wait("the receipt", WAIT, |f| f.messages_in(TG_ALICE.id).iter().any(|m| m.file.is_some())).await;
    let file = world.telegram.messages_in(TG_ALICE.id).into_iter().find_map(|m| m.file).unwrap();
    assert_eq!((file.1.as_str(), file.2.as_slice()), ("lunch.pdf", lunch.as_slice()));

    // A command typed in bob's direct messages with the file attached works the same.
    let dm = world.discord.dm_channel(DC_BOB).unwrap();
    let taxi = b"%PDF-1.4 taxi to the airport".to_vec();
    world.discord.dm_with_file(
        DC_BOB,
        dm,
        "/approval request expense amount:88",
        ("taxi.pdf", "application/pdf", &taxi),
        None,
    );
    world
        .discord
        .wait("the reply in bob's DMs", WAIT, |f| {
            f.messages_in(dm).iter().any(|m| m.content.contains("Expense #4 is sent."))
        })
        .await;
    world.tg_wait(TG_ALICE.id, "Expense #4 from Bob waits for your decision").await;
    world
        .telegram
        .wait("the second receipt", WAIT, |f| {
            f.messages_in(TG_ALICE.id).iter().filter(|m| m.file.is_some()).count() == 2
        })
        .await;
    let file = world.telegram.messages_in(TG_ALICE.id).into_iter().filter_map(|m| m.file).nth(1).unwrap();
    assert_eq!((file.1.as_str(), file.2.as_slice()), ("taxi.pdf", taxi.as_slice()));

    // The slash command shows Discord a file option.
    let commands = world.discord.commands();
    let approval = commands.iter().find(|c| c["name"] == "approval").unwrap();
    let request = approval["options"].as_array().unwrap().iter().find(|o| o["name"] == "request").unwrap();
    let file_option = request["options"].as_array().unwrap().iter().find(|o| o["name"] == "file").unwrap();
    assert_eq!(file_option["type"], 11, "an ATTACHMENT option: {file_option}");
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documents_travel_with_requests_sqlite() {
    documents_travel_with_requests(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documents_travel_with_requests_postgres() {
    documents_travel_with_requests(Backend::Postgres).await;
}
