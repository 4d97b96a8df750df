//! Each person's iCal feed: `GET /ical/<secret>.ics` on the HTTP listener, which calendar
//! apps subscribe to; `/ical link` gives the address, `/ical reset` makes a new one (the
//! old stops working).

use rand::Rng;

use super::{Meetings, ical, text};
use crate::chat::feature::{Cx, Kit, Page};
use crate::kernel::{Effect, ServiceResult, refuse};

/// Its path's first segment.
pub const PREFIX: &str = "ical";
/// How far back the feed reaches.
const FEED_DAYS_BACK: i64 = 30;
/// The most meetings a feed holds.
const FEED_MAX: i64 = 500;

/// `/ical link`: the caller's feed address (made on first use).
pub async fn link(desk: &Meetings, cx: &mut Cx<'_>) -> ServiceResult {
    let Some(base) = &desk.feed_base else { return refuse(text::feed_off(cx.actor.lang)) };
    let token = match cx.tx.feed_token(cx.actor.person.id).await? {
        Some(token) => token,
        None => new_token(cx).await?,
    };
    Ok(vec![Effect::Reply {
        body: deskmate_port::Body::text(text::feed_link(cx.actor.lang, &url(base, &token))).into(),
        private: true,
    }])
}

/// `/ical reset`: a new address; the old one stops working at once.
pub async fn reset(desk: &Meetings, cx: &mut Cx<'_>) -> ServiceResult {
    let Some(base) = &desk.feed_base else { return refuse(text::feed_off(cx.actor.lang)) };
    let token = new_token(cx).await?;
    Ok(vec![Effect::Reply {
        body: deskmate_port::Body::text(text::feed_reset(cx.actor.lang, &url(base, &token))).into(),
        private: true,
    }])
}

fn url(base: &str, token: &str) -> String {
    format!("{base}/{PREFIX}/{token}.ics")
}

async fn new_token(cx: &mut Cx<'_>) -> ServiceResult<String> {
    let bytes: [u8; 20] = rand::rng().random();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    cx.tx.set_feed_token(cx.actor.person.id, &token).await?;
    Ok(token)
}

/// `GET /ical/<token>.ics`: the feed of the token's owner; an unknown token is not found.
pub async fn page(kit: &Kit, rest: &str) -> ServiceResult<Option<Page>> {
    let Some(token) = rest.strip_suffix(".ics").filter(|t| t.len() == 40 && t.chars().all(|c| c.is_ascii_hexdigit()))
    else {
        return Ok(None);
    };
    let Some(owner) = kit.store.feed_owner(token).await? else { return Ok(None) };
    let Some(person) = kit.store.person(owner).await? else { return Ok(None) };
    let since = kit.clock.now() - chrono::Duration::days(FEED_DAYS_BACK);
    let mut tx = kit.store.begin().await?;
    let meetings = tx.feed_meetings(owner, since, FEED_MAX).await?;
    tx.rollback().await?;
    let body = ical::feed(&person.display_name, &meetings).into_bytes();
    Ok(Some(Page { content_type: "text/calendar; charset=utf-8", body }))
}
