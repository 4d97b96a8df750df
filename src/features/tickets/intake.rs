//! Ways in besides `/ticket new`: a panel of buttons, one per category, that asks what is
//! needed (the answer's first line its title, the rest its description); a direct message, which opens a ticket or (after asking) is
//! added to the writer's open one; and a reaction in a group that makes the message a
//! ticket, its author the requester.

use deskmate_port::{Body, Button, ButtonStyle, MessageRef, Quoted};

use super::conversation::{self, Via};
use super::model::{Priority, TicketStatus};
use super::service::{self, Request};
use super::store::TicketFilter;
use super::{NAMESPACE, Tickets, text};
use crate::chat::feature::Cx;
use crate::chat::{button, questions};
use crate::kernel::{Effect, Outcome, ServiceResult, Shown, refuse};

/// How long the panel's questions wait for their answers.
const ASKING: chrono::Duration = chrono::Duration::minutes(30);
/// The most of someone's open tickets a direct message offers to add to.
const OFFERED: usize = 3;
/// A title cut from longer text keeps this many characters.
const TITLE_CUT: usize = 80;

/// Verbs of the intake buttons and questions: `tk:panel:it`, `tk:describe:it`,
/// `tk:add:<draft>:<ticket>`, `tk:fresh:<draft>`.
pub const PANEL: &str = "panel";
pub const DESCRIBE: &str = "describe";
pub const ADD: &str = "add";
pub const FRESH: &str = "fresh";
/// The panel's button when there are no categories (`tk:panel:-`).
const ANY: &str = "-";

/// `/ticket panel [category]`: a message anyone can open a ticket from, a button per
/// category (or the one named).
pub fn panel(cx: &Cx<'_>, desk: &Tickets, category: Option<&str>) -> ServiceResult {
    let lang = cx.actor.lang;
    let categories: Vec<_> = match category {
        Some(name) => match desk.rules.category(name) {
            Some(c) => vec![c],
            None => return refuse(text::unknown_category(lang, name, &desk.rules.category_names())),
        },
        None => desk.rules.categories.iter().collect(),
    };
    let buttons = if categories.is_empty() {
        vec![panel_button(ANY, text::label(lang, "button-open-ticket"))]
    } else {
        categories.iter().map(|c| panel_button(&c.name, c.label.clone())).collect()
    };
    let body = Body { text: text::panel(lang), buttons, ..Body::default() };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

fn panel_button(category: &str, label: String) -> Button {
    Button { id: button::encode(NAMESPACE, PANEL, &[&category]), label, style: ButtonStyle::Primary }
}

/// A panel's button pressed: the presser is asked what they need, in one answer (a
/// Discord form, a Telegram reply): its first line the title, the rest the details.
pub async fn pressed_panel(cx: &mut Cx<'_>, desk: &Tickets, category: &str) -> ServiceResult {
    let label = match category {
        ANY => None,
        name => match desk.rules.category(name) {
            Some(c) => Some(c.label.clone()),
            // The config changed since the panel was posted.
            None => return refuse(crate::chat::text::stale_button(cx.actor.lang)),
        },
    };
    let question = text::ask_request(cx.actor.lang, label.as_deref());
    let action = button::encode(NAMESPACE, DESCRIBE, &[&category]);
    let me = cx.actor.person.id;
    Ok(vec![questions::ask(cx, me, question, &action, ASKING).await?])
}

/// The panel's question answered: the ticket opens in the panel's category.
pub async fn described(cx: &mut Cx<'_>, desk: &Tickets, category: &str, said: &str) -> ServiceResult {
    let actor = cx.actor;
    let said = said.trim();
    let title = title_of(said);
    if title.is_empty() {
        return refuse(crate::chat::text::prompt_empty(actor.lang));
    }
    // Below the title line, the details; a title cut short keeps the whole text.
    let first = said.lines().next().unwrap_or_default().trim();
    let details = if title == first { said[said.find('\n').unwrap_or(said.len())..].trim() } else { said };
    let request = Request {
        title: &title,
        description: Some(details).filter(|d| !d.is_empty()),
        priority: Priority::Normal,
        category: (category != ANY).then_some(category),
        requester: actor.person.name(),
    };
    Ok(service::open_request(cx, desk, request).await?.1)
}

/// Text written to Deskmate in private: a new ticket, or, for someone with tickets open,
/// the question whether it is about one of them.
pub async fn direct(cx: &mut Cx<'_>, desk: &Tickets, said: &str) -> ServiceResult {
    let actor = cx.actor;
    let said = said.trim();
    if said.is_empty() {
        return Ok(vec![Effect::reply(crate::chat::text::plain_text(actor.lang))]);
    }
    let filter = TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving: Some(actor.person.id), limit: 50 };
    let mut open = cx.kit.store.tickets(filter).await?;
    open.retain(|t| t.is_requester(&actor.person));
    open.truncate(OFFERED);
    let title = title_of(said);
    if open.is_empty() && too_short(said) {
        // "hello", "thanks": a press away from a ticket, not one already.
        let draft = cx.tx.save_draft(actor.person.id, (&title, said), None, actor.at).await?;
        let open_it = Button {
            id: button::encode(NAMESPACE, FRESH, &[&draft]),
            label: text::label(actor.lang, "button-open-ticket"),
            style: ButtonStyle::Primary,
        };
        let body = Body { text: text::short_request(actor.lang, said), buttons: vec![open_it], ..Body::default() };
        return Ok(vec![Effect::Reply { body: body.into(), private: false }]);
    }
    if open.is_empty() {
        let request = Request {
            title: &title,
            description: Some(said),
            priority: Priority::Normal,
            category: None,
            requester: actor.person.name(),
        };
        return Ok(service::open_request(cx, desk, request).await?.1);
    }
    let draft = cx.tx.save_draft(actor.person.id, (&title, said), None, actor.at).await?;
    let mut buttons: Vec<Button> = open
        .iter()
        .map(|t| Button {
            id: button::encode(NAMESPACE, ADD, &[&draft, &t.id]),
            label: text::add_to_label(actor.lang, t.id),
            style: ButtonStyle::Primary,
        })
        .collect();
    buttons.push(Button {
        id: button::encode(NAMESPACE, FRESH, &[&draft]),
        label: text::label(actor.lang, "button-new-ticket"),
        style: ButtonStyle::Secondary,
    });
    let body = Body { text: text::new_or_add(actor.lang, &open), buttons, ..Body::default() };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

/// "Add to #12" pressed: the kept message joins that ticket's conversation.
pub async fn add(cx: &mut Cx<'_>, desk: &Tickets, draft: i64, ticket: super::TicketId) -> ServiceResult {
    let Some((_, body, _)) = cx.tx.take_draft(draft, cx.actor.person.id).await? else {
        return refuse(crate::chat::text::stale_button(cx.actor.lang));
    };
    conversation::reply(cx, desk, ticket, &body, Via::Command).await
}

/// "New ticket" pressed: the kept message opens one.
pub async fn fresh(cx: &mut Cx<'_>, desk: &Tickets, draft: i64) -> ServiceResult {
    let actor = cx.actor;
    let Some((title, body, _)) = cx.tx.take_draft(draft, actor.person.id).await? else {
        return refuse(crate::chat::text::stale_button(actor.lang));
    };
    let request = Request {
        title: &title,
        description: Some(&body),
        priority: Priority::Normal,
        category: None,
        requester: actor.person.name(),
    };
    Ok(service::open_request(cx, desk, request).await?.1)
}

/// A reaction in a group: with one of the intake emoji, the message becomes a ticket
/// (once); its author is the requester, the reactor is told. `None` for other emoji.
pub async fn reaction(
    cx: &mut Cx<'_>,
    desk: &Tickets,
    emoji: &str,
    on: &MessageRef,
    message: Option<&Quoted>,
) -> ServiceResult<Option<Outcome>> {
    if !desk.rules.opens_ticket(emoji) {
        return Ok(None);
    }
    let actor = cx.actor;
    if let Some(ticket) = cx.tx.ticket_from_message(on).await? {
        return Ok(Some(vec![Effect::reply(text::already_a_ticket(actor.lang, ticket))]));
    }
    let Some(message) = message.filter(|m| !m.text.trim().is_empty()) else {
        return Ok(Some(vec![Effect::reply(text::reaction_unread(actor.lang))]));
    };
    let Some(requester) = cx.kit.store.person_by_account(message.author.platform, &message.author.id).await? else {
        return Ok(Some(vec![Effect::reply(text::reaction_unread(actor.lang))]));
    };
    let said = message.text.trim();
    let title = title_of(said);
    let description = match &message.link {
        Some(link) => format!("{said}\n\n{}", text::from_message(requester.lang.unwrap_or(actor.lang), link)),
        None => said.to_owned(),
    };
    let request = Request {
        title: &title,
        description: Some(&description),
        priority: Priority::Normal,
        category: None,
        requester: requester.name(),
    };
    let (ticket, mut effects) = service::open_request(cx, desk, request).await?;
    cx.tx.record_source(on, ticket.id, message.link.as_deref()).await?;
    if requester.id != actor.person.id {
        let (t, by) = (ticket.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::made_a_ticket(r.lang, &t, &by));
        effects.push(Effect::Direct { person: requester.id, body, subject: None });
    }
    Ok(Some(effects))
}

/// Too short to be taken for a request without asking: two words or fewer (a greeting,
/// a thanks), or, in Chinese, fewer than four characters.
fn too_short(said: &str) -> bool {
    let words = said.split_whitespace().count();
    let unspaced = said.chars().filter(|c| !c.is_ascii() && c.is_alphabetic()).count();
    words <= 2 && unspaced < 4
}

/// A title from free text: its first line, cut at a word near [`TITLE_CUT`].
pub fn title_of(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    if line.chars().count() <= TITLE_CUT {
        return line.to_owned();
    }
    let cut: String = line.chars().take(TITLE_CUT).collect();
    let at_word = cut.rfind(char::is_whitespace).filter(|i| *i > TITLE_CUT / 2).map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end())
}

#[cfg(test)]
mod tests {
    use super::{title_of, too_short};

    #[test]
    fn greetings_are_too_short_to_open_a_ticket_unasked() {
        for said in ["hello", "hi there", "thanks!", "你好", "谢谢"] {
            assert!(too_short(said), "{said}");
        }
        for said in ["my VPN is down", "打印机卡纸了", "Printer on 3F jammed"] {
            assert!(!too_short(said), "{said}");
        }
    }

    #[test]
    fn a_title_is_the_first_line_cut_at_a_word() {
        assert_eq!(title_of("\n  Printer jammed  \nit says E42"), "Printer jammed");
        let long = "The printer on the third floor keeps jamming whenever anyone prints more than ten pages at once";
        let title = title_of(long);
        assert_eq!(title, "The printer on the third floor keeps jamming whenever anyone prints more than…");
        assert!(title.chars().count() <= 81);
        let chinese = "三楼的打印机".repeat(20);
        assert_eq!(title_of(&chinese).chars().count(), 81, "no spaces: cut at the limit");
    }
}
