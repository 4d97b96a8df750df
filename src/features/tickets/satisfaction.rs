//! Satisfaction: when a ticket is resolved its requester is asked to rate the help, 1 to
//! 5, with buttons; the first rating asks for an optional comment, a later press changes
//! the rating (each ticket is rated once). A low rating goes to the team lead (or the
//! category's queue when it has none).

use deskmate_port::{Body, Button, ButtonStyle};

use super::model::{Ticket, TicketId, TicketStatus};
use super::service::find;
use super::{NAMESPACE, Tickets, text};
use crate::chat::feature::Cx;
use crate::chat::{button, questions};
use crate::kernel::{Effect, Outcome, ServiceResult, Shown, refuse};

/// Button and question verbs: `tk:rate:<ticket>:<stars>`, `tk:comment:<ticket>`.
pub const RATE: &str = "rate";
pub const COMMENT: &str = "comment";
/// Ratings at or below this are the lead's business.
const LOW: i64 = 2;
/// How long the comment question waits.
const ASKING: chrono::Duration = chrono::Duration::days(2);

/// The message asking the requester of a newly resolved ticket to rate it.
pub fn ask(ticket: &Ticket) -> Effect {
    let t = ticket.clone();
    let body = Shown::per_reader(move |r| Body {
        text: text::rate_please(r.lang, &t),
        buttons: (1..=5)
            .map(|stars| Button {
                id: button::encode(NAMESPACE, RATE, &[&t.id, &stars]),
                label: text::stars_label(r.lang, stars),
                style: ButtonStyle::Secondary,
            })
            .collect(),
        ..Body::default()
    });
    Effect::Direct { person: ticket.requester.id, body, subject: None }
}

/// A rating button pressed: by the requester only, on a resolved or closed ticket.
pub async fn rate(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, stars: i64) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    if !ticket.is_requester(&actor.person) {
        return refuse(text::rate_not_yours(actor.lang, id));
    }
    if !(1..=5).contains(&stars) {
        return refuse(crate::chat::text::stale_button(actor.lang));
    }
    if !matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return refuse(text::rate_not_done(actor.lang, id));
    }
    let before = cx.tx.rate_ticket(id, actor.person.id, stars, actor.at).await?;
    let mut effects: Outcome = match before {
        None => {
            let question = text::ask_rating_comment(actor.lang, id, stars);
            let action = button::encode(NAMESPACE, COMMENT, &[&id]);
            let me = actor.person.id;
            vec![questions::ask(cx, me, question, &action, ASKING).await?]
        }
        Some(was) => vec![Effect::reply(text::rating_changed(actor.lang, id, stars, was))],
    };
    // A low rating, new or lowered, is the lead's to hear.
    if stars <= LOW && before.is_none_or(|was| was > LOW) {
        effects.push(tell_lead(cx, desk, &ticket, stars, None).await?);
    }
    Ok(effects)
}

/// The comment answered: kept with the rating; the lead reads it with a low one.
pub async fn comment(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, said: &str) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    let said = said.trim();
    let Some(stars) = cx.tx.comment_rating(id, actor.person.id, said).await? else {
        return refuse(text::rate_not_yours(actor.lang, id));
    };
    let mut effects = vec![Effect::reply(text::rating_comment_kept(actor.lang, id))];
    if stars <= LOW {
        effects.push(tell_lead(cx, desk, &ticket, stars, Some(said)).await?);
    }
    Ok(effects)
}

/// The team lead hears of a low rating by direct message; a category without one (or
/// whose lead has not written to Deskmate yet), its queue.
async fn tell_lead(
    cx: &mut Cx<'_>,
    desk: &Tickets,
    ticket: &Ticket,
    stars: i64,
    comment: Option<&str>,
) -> ServiceResult<Effect> {
    let (t, said) = (ticket.clone(), comment.map(str::to_owned));
    let body = Shown::text_per_reader(move |r| text::low_rating(r.lang, &t, stars, said.as_deref()));
    Ok(match super::sla::lead_of(cx.tx, desk, ticket).await? {
        Some(person) => Effect::Direct { person, body, subject: None },
        None => Effect::Notice {
            audience: desk.queue_of(ticket.category.as_deref()),
            subject: crate::kernel::Subject::new("ticket-rating", ticket.id.0),
            body,
            coalesce: None,
        },
    })
}
