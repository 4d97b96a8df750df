//! Tickets that sit: one waiting on its requester is reminded, then closed; one resolved
//! and not reopened is closed. Each is a durable timer set when the ticket gets there and
//! cancelled when it moves on, so a restart or another instance loses none.

use serde::{Deserialize, Serialize};

use super::Tickets;
use super::model::{Ticket, TicketId, TicketStatus};
use super::store::Change;
use super::text;
use crate::chat::feature::{Cx, Kit};
use crate::kernel::{Audit, Effect, ServiceResult, Shown};
use crate::scheduler::{Fired, TimerKey};
use crate::store::{Tx, from_ms, ms};

/// Timer kinds: remind the requester of a waiting ticket; close it; close a resolved one.
const WAITING_REMIND: &str = "waiting-remind";
const WAITING_CLOSE: &str = "waiting-close";
const RESOLVED_CLOSE: &str = "resolved-close";

/// What a timer is about: the ticket, and when it got where it is (waiting, resolved),
/// in milliseconds as the store keeps times.
#[derive(Debug, Serialize, Deserialize)]
struct Sitting {
    ticket: i64,
    since: i64,
}

fn key(kind: &'static str, id: TicketId) -> TimerKey {
    TimerKey::new(super::NAME, kind, id)
}

/// After a move from `before`: the timers of the state it left are cancelled, those of
/// the state it reached are set.
pub async fn follow(cx: &mut Cx<'_>, desk: &Tickets, before: TicketStatus, t: &Ticket) -> ServiceResult<()> {
    if before == t.status {
        return Ok(());
    }
    let timers = &cx.kit.timers;
    let now = cx.actor.at;
    if before == TicketStatus::Waiting {
        timers.cancel_timer(cx.tx, &key(WAITING_REMIND, t.id)).await?;
        timers.cancel_timer(cx.tx, &key(WAITING_CLOSE, t.id)).await?;
    }
    if before == TicketStatus::Resolved {
        timers.cancel_timer(cx.tx, &key(RESOLVED_CLOSE, t.id)).await?;
    }
    let sitting = Sitting { ticket: t.id.0, since: ms(now) };
    match t.status {
        TicketStatus::Waiting => {
            let at = now + desk.rules.waiting_remind_after;
            timers.set_timer(cx.tx, &key(WAITING_REMIND, t.id), at, &sitting).await?;
        }
        TicketStatus::Resolved => {
            let at = now + desk.rules.resolved_close_after;
            timers.set_timer(cx.tx, &key(RESOLVED_CLOSE, t.id), at, &sitting).await?;
        }
        _ => {}
    }
    Ok(())
}

/// One of these timers came due. The ticket is read again: a timer that lost a race
/// with the move that would have cancelled it does nothing.
pub async fn fired(desk: &Tickets, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
    let sitting: Sitting = fired.payload()?;
    let id = TicketId(sitting.ticket);
    let Some(t) = tx.ticket(id).await? else { return Ok(Vec::new()) };
    let audit = Audit { actor: None, platform: t.platform, at: kit.clock.now() };
    match fired.kind.as_str() {
        WAITING_REMIND if t.status == TicketStatus::Waiting => {
            let since = from_ms(sitting.since);
            let closes = since + desk.rules.waiting_close_after;
            kit.timers.set_timer(tx, &key(WAITING_CLOSE, id), closes, &sitting).await?;
            let person = t.requester.id;
            let body = Shown::text_per_reader(move |r| text::waiting_reminder(r.lang, &t, since, closes, r.tz));
            Ok(vec![Effect::Direct { person, body, subject: None }])
        }
        WAITING_CLOSE if t.status == TicketStatus::Waiting => close(desk, (tx, kit), &t, Change::Lapse, audit).await,
        RESOLVED_CLOSE if t.status == TicketStatus::Resolved && t.resolved_at.map(ms) == Some(sitting.since) => {
            close(desk, (tx, kit), &t, Change::Settle, audit).await
        }
        _ => Ok(Vec::new()),
    }
}

/// Closes a ticket that sat too long. Its queue notice shows it; when it lapsed waiting
/// on the requester, they and its agent are told why.
async fn close(
    desk: &Tickets,
    (tx, kit): (&mut Tx, &Kit),
    t: &Ticket,
    change: Change<'_>,
    audit: Audit,
) -> ServiceResult {
    let Some(closed) = tx.move_ticket(t.id, t.status, TicketStatus::Closed, change, audit).await? else {
        return Ok(Vec::new());
    };
    let transcript = super::transcript::keep(tx, kit, &closed).await?;
    let mut effects = vec![
        Effect::UpdateNotices { subject: closed.subject(), body: super::service::notice(&closed, desk) },
        super::transcript::in_thread(&closed, transcript.clone()),
    ];
    if matches!(change, Change::Lapse) {
        let (ticket, waited, window) = (closed.clone(), desk.rules.waiting_close_after, desk.rules.reopen_window);
        let body = Shown::per_reader(move |r| deskmate_port::Body {
            text: text::lapsed_for_requester(r.lang, &ticket, waited, window, r.tz),
            files: vec![transcript.clone()],
            ..deskmate_port::Body::default()
        });
        effects.push(Effect::Direct { person: closed.requester.id, body, subject: None });
        if let Some(agent) = closed.assignee.as_ref().filter(|a| a.id != closed.requester.id) {
            let ticket = closed.clone();
            let body = Shown::text_per_reader(move |r| text::lapsed_for_assignee(r.lang, &ticket, waited));
            effects.push(Effect::Direct { person: agent.id, body, subject: None });
        }
    }
    Ok(effects)
}
