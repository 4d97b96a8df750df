//! Sends what the outbox holds. A lane (one conversation) is worked by one sender at a
//! time across all instances, through a lease that a crashed instance loses when it
//! expires; each row is claimed with a conditional update before it is sent, so no
//! message goes out twice from two senders.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use deskmate_port::{Body, ChannelRef, Destination, MessageRef, Messenger, OutboundMessage, Platform, SendError};
use rand::Rng;
use tokio::sync::{Notify, watch};

use super::pacing::Pacing;
use super::plan::{Origin, Planner, REPLY_GRACE};
use super::text;
use crate::kernel::Role;
use crate::kernel::clock::Clock;
use crate::kernel::{Effect, Shown};
use crate::store::{NewOutboxRow, OutboxOp, OutboxRow, OutboxState, Queued, Store, StoreError};

/// Exponential backoff with jitter for failed sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts before a message is dead-lettered.
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    /// How long a lane lease lasts without renewal, and after how long a message claimed
    /// by a sender that vanished may be claimed again. A send that takes longer than this
    /// may be repeated by another instance: delivery is at least once, with the
    /// idempotency key for platforms that can deduplicate.
    pub lease: Duration,
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: base·2^(attempt-1), capped, then a random
    /// 50–100 % of that so many failed senders do not retry in step.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self.base.saturating_mul(2_u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exp.min(self.cap);
        capped.mul_f64(rand::rng().random_range(0.5..=1.0))
    }
}

/// How many of a lane's due messages are read at once.
const LANE_READ: i64 = 16;

/// How often the dispatcher looks for due lanes when nothing wakes it.
const TICK: Duration = Duration::from_millis(250);

/// The shortest time between two looks, however often it is woken: every job that
/// queues a message wakes it, and 10,000 timers firing together on three instances had
/// each instance scan the pending outbox hundreds of times a second, starving the sends
/// the scans were for. Replies do not wait for a look (`send_soon`).
const LOOK_GAP: Duration = Duration::from_millis(50);

pub struct Dispatcher {
    store: Store,
    clock: Arc<dyn Clock>,
    planner: Planner,
    messengers: HashMap<Platform, Arc<dyn Messenger>>,
    pacing: Pacing,
    retry: RetryPolicy,
    /// This instance's name in leases and claims.
    me: String,
    /// Lanes a task of this instance is sending, each with whether a look found more
    /// due in it meanwhile (its task then reads it once more before it stops).
    busy: Mutex<HashMap<LaneKey, bool>>,
    /// Lanes this instance holds the lease of, and when it last took or renewed each.
    /// A lease is kept after its lane is flushed (a lane's next message needs no new
    /// one) and lapses on its own; a graceful stop gives them all back.
    leases: Mutex<HashMap<LaneKey, DateTime<Utc>>>,
    /// Replies this instance committed and sends itself (see [`Dispatcher::send_soon`]).
    replies: Mutex<OwnReplies>,
    wake: Notify,
    /// Writes the one message that stands for many flooded notices of a kind; set by
    /// whoever knows the kinds (the features).
    summaries: OnceLock<Summaries>,
}

/// Replies this instance sends itself: by lane in commit order (a lane with any has one
/// task sending them), each with the lanes it holds back until it is out (its event's
/// other messages: whoever typed reads the answer before the notices it caused; for at
/// most [`HOLD_AT_MOST`], so a flood's paced replies never keep its notices waiting).
#[derive(Default)]
struct OwnReplies {
    waiting: HashMap<LaneKey, VecDeque<(i64, Vec<LaneKey>)>>,
    /// How many replies hold the lane back, and since when.
    held: HashMap<LaneKey, (usize, Instant)>,
}

type LaneKey = (Platform, String);

const HOLD_AT_MOST: Duration = Duration::from_secs(1);

impl OwnReplies {
    /// Whether the lanes leave this lane alone for now.
    fn holds(&self, platform: Platform, lane: &str) -> bool {
        let key = (platform, lane.to_owned());
        self.waiting.contains_key(&key) || self.held.get(&key).is_some_and(|(_, since)| since.elapsed() < HOLD_AT_MOST)
    }
}

/// `(kind, labels)` → the summary text.
pub type Summaries = Box<dyn Fn(&str, &[String]) -> String + Send + Sync>;

/// What a sender knows beside the row it sends: the rows of the lane it claimed with it
/// (all of the lane's due ones when `complete`), and which of them were merged into an
/// earlier one's post.
#[derive(Default)]
struct Batch<'a> {
    rows: &'a [OutboxRow],
    complete: bool,
    merged: HashSet<i64>,
}

enum Outcome {
    Sent(MessageRef),
    /// Nothing to do after all (an edit of a notice that was never posted).
    Skipped,
    Failed(SendError),
}

impl Dispatcher {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        planner: Planner,
        messengers: Vec<Arc<dyn Messenger>>,
        pacing: Pacing,
        retry: RetryPolicy,
        me: String,
    ) -> Dispatcher {
        let messengers = messengers.into_iter().map(|m| (m.platform(), m)).collect();
        Dispatcher {
            store,
            clock,
            planner,
            messengers,
            pacing,
            retry,
            me,
            busy: Mutex::new(HashMap::new()),
            leases: Mutex::new(HashMap::new()),
            replies: Mutex::new(OwnReplies::default()),
            wake: Notify::new(),
            summaries: OnceLock::new(),
        }
    }

    /// Names who writes summaries of flooded notices; once, at start.
    pub fn set_summaries(&self, summaries: Summaries) {
        if self.summaries.set(summaries).is_err() {
            tracing::warn!("the summaries of flooded notices were set twice; the first stay");
        }
    }

    fn summary(&self, kind: &str, labels: &[String]) -> String {
        match self.summaries.get() {
            Some(write) => write(kind, labels),
            None => format!("{} × {kind}: {}", labels.len(), labels.join(", ")),
        }
    }

    /// Something was queued: look sooner than the next tick.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    fn stale_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::from_std(self.retry.lease).unwrap_or_default()
    }

    /// Hands committed messages to be sent beside the caller, which goes on at once: an
    /// event is acknowledged when it commits, never when its replies have gone out at the
    /// platform's pace. Replies leave in commit order per lane (one task per lane sends
    /// them); the rest are the lanes', woken once the replies are out (so whoever typed
    /// reads their answer before the notices it caused) or at once when there is none.
    pub fn send_soon(self: &Arc<Self>, queued: &[Queued]) {
        let (replies, others): (Vec<&Queued>, Vec<&Queued>) = queued.iter().partition(|q| q.op == OutboxOp::Reply);
        let Some(last) = replies.last() else {
            return self.poke();
        };
        let mut held: Vec<(Platform, String)> = others.iter().map(|q| (q.platform, q.lane.clone())).collect();
        held.sort();
        held.dedup();
        let mut start = Vec::new();
        {
            let mut own = self.replies.lock().unwrap_or_else(|p| p.into_inner());
            for lane in &held {
                own.held.entry(lane.clone()).or_insert((0, Instant::now())).0 += 1;
            }
            for q in &replies {
                let waiting = own.waiting.entry((q.platform, q.lane.clone())).or_default();
                if waiting.is_empty() {
                    start.push((q.platform, q.lane.clone()));
                }
                // The event's last reply releases its other messages' lanes.
                let releases = if q.id == last.id { std::mem::take(&mut held) } else { Vec::new() };
                waiting.push_back((q.id, releases));
            }
        }
        for (platform, lane) in start {
            let me = self.clone();
            tokio::spawn(async move { me.send_lane_replies(platform, lane).await });
        }
    }

    /// Sends a lane's replies in order until none is left. The id being sent stays at the
    /// front until it is done, so [`Self::send_soon`] sees the lane busy and starts no
    /// second task.
    async fn send_lane_replies(&self, platform: Platform, lane: String) {
        let key = (platform, lane);
        let front = |own: &OwnReplies| own.waiting.get(&key).and_then(|q| q.front()).map(|(id, _)| *id);
        let mut next = front(&self.replies.lock().unwrap_or_else(|p| p.into_inner()));
        while let Some(id) = next {
            self.send_reply(platform, id).await;
            let mut own = self.replies.lock().unwrap_or_else(|p| p.into_inner());
            let releases = own.waiting.get_mut(&key).and_then(|q| q.pop_front()).map(|(_, r)| r).unwrap_or_default();
            let mut freed = false;
            for lane in releases {
                if let Some((n, _)) = own.held.get_mut(&lane) {
                    *n -= 1;
                    if *n == 0 {
                        own.held.remove(&lane);
                        freed = true;
                    }
                }
            }
            next = front(&own);
            if next.is_none() {
                own.waiting.remove(&key);
            }
            drop(own);
            // A lane no reply holds back any more is the lanes' again. (A lane held past
            // HOLD_AT_MOST, or one whose own replies are out, waits for the next tick:
            // in a flood a poke per reply had the lanes scan the whole outbox 30 times a
            // second.)
            if freed {
                self.poke();
            }
        }
    }

    fn sends_itself(&self, platform: Platform, lane: &str, id: i64) -> bool {
        let own = self.replies.lock().unwrap_or_else(|p| p.into_inner());
        own.waiting.get(&(platform, lane.to_owned())).is_some_and(|waiting| waiting.iter().any(|(r, _)| *r == id))
    }

    /// Sends these messages' replies now, in order, then wakes the lanes for the rest.
    pub async fn send_now(&self, queued: &[Queued]) {
        for q in queued.iter().filter(|q| q.op == OutboxOp::Reply) {
            self.send_reply(q.platform, q.id).await;
        }
        self.poke();
    }

    /// Sends one reply at the platform's pace, unless it is gone or taken: claimed and
    /// read in one statement.
    async fn send_reply(&self, platform: Platform, id: i64) {
        self.pacing.global_ready(platform).await;
        let now = self.clock.now();
        let due_by = now + chrono::Duration::from_std(REPLY_GRACE * 2).unwrap_or_default();
        match self.store.outbox_claim(id, &self.me, now, due_by, self.stale_before(now)).await {
            Ok(Some(row)) => self.deliver(row).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming a reply"),
        }
    }

    /// Works due lanes until `stop` turns true.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let looked = tokio::time::Instant::now();
            self.spawn_due_lanes().await;
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(TICK) => {}
                // A dropped sender means the app is gone: stop too.
                changed = stop.changed() => if changed.is_err() { return },
            }
            // Pokes meanwhile are kept by the Notify's permit and answered by one look.
            tokio::time::sleep_until(looked + LOOK_GAP).await;
        }
    }

    async fn spawn_due_lanes(self: &Arc<Self>) {
        let now = self.clock.now();
        let lanes = match self.store.outbox_due_lanes(now, self.stale_before(now), 256).await {
            Ok(lanes) => lanes,
            Err(e) => return tracing::warn!(error = %e, "looking for due messages"),
        };
        for (platform, lane) in lanes {
            // Not a lane this instance is sending replies in, or holding back behind one.
            let ours = self.replies.lock().unwrap_or_else(|p| p.into_inner()).holds(platform, &lane);
            if !self.messengers.contains_key(&platform) || ours {
                continue;
            }
            let key = (platform, lane);
            // A lane already being sent is read once more when its task is done.
            let sending = {
                let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
                let sending = busy.contains_key(&key);
                busy.insert(key.clone(), sending);
                sending
            };
            if !sending {
                let me = self.clone();
                tokio::spawn(async move { me.work_lane(key).await });
            }
        }
    }

    /// Flushes a lane, again as long as looks found more in it meanwhile: a lane whose
    /// read came back short is done without reading it once more to see it empty.
    async fn work_lane(&self, key: LaneKey) {
        loop {
            self.flush_lane(key.0, &key.1).await;
            let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
            if busy.get(&key) == Some(&true) {
                busy.insert(key.clone(), false);
            } else {
                busy.remove(&key);
                return;
            }
        }
    }

    /// Takes or renews this instance's lease on a lane unless it did so lately.
    async fn hold_lane(&self, platform: Platform, lane: &str) -> bool {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.retry.lease).unwrap_or_default();
        let key = (platform, lane.to_owned());
        let fresh = |taken: &DateTime<Utc>| now >= *taken && now - *taken <= lease / 3;
        if self.leases.lock().unwrap_or_else(|p| p.into_inner()).get(&key).is_some_and(fresh) {
            return true;
        }
        let held = match self.store.lease_lane(platform, lane, &self.me, now, now + lease).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(error = %e, lane, "leasing a lane");
                false
            }
        };
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        if held {
            // Forget lapsed leases now and then: direct lanes are one per person.
            if leases.len() >= 1_024 {
                leases.retain(|_, taken| now - *taken <= lease);
            }
            leases.insert(key, now);
        } else {
            leases.remove(&key);
            tracing::debug!(lane, "lane leased elsewhere");
        }
        held
    }

    /// Gives back every lane lease this instance holds, so other instances need not wait
    /// for them to lapse (a graceful stop).
    pub async fn release_leases(&self) {
        self.leases.lock().unwrap_or_else(|p| p.into_inner()).clear();
        if let Err(e) = self.store.release_lanes(&self.me).await {
            tracing::warn!(error = %e, "giving back the lane leases");
        }
    }

    /// Sends everything due, lane by lane, until nothing is left or `deadline` passes.
    /// For graceful shutdown and tests. Returns whether the outbox is empty of due rows.
    pub async fn drain(self: &Arc<Self>, deadline: Duration) -> bool {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let now = self.clock.now();
            let due = match self.store.outbox_due_lanes(now, self.stale_before(now), 256).await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "looking for due messages");
                    Vec::new()
                }
            };
            let due: Vec<_> = due.into_iter().filter(|(p, _)| self.messengers.contains_key(p)).collect();
            let sending = !self.replies.lock().unwrap_or_else(|p| p.into_inner()).waiting.is_empty();
            if due.is_empty() && !sending && self.busy.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
                return true;
            }
            if tokio::time::Instant::now() >= until {
                return false;
            }
            self.spawn_due_lanes().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends a lane's due messages in order while this instance holds the lane's lease,
    /// until a read comes back short (the lane had no more due).
    async fn flush_lane(&self, platform: Platform, lane: &str) {
        if !self.hold_lane(platform, lane).await {
            return;
        }
        let paced = self.pacing.paces(platform, lane);
        loop {
            if let Err(e) = self.coalesce_if_flooded(platform, lane).await {
                tracing::warn!(error = %e, lane, "summing up a flooded lane");
            }
            let now = self.clock.now();
            // A few at a time: a paced lane claims each just before it is sent (it sends
            // one every few seconds, and a claim older than the lease is anyone's); an
            // unpaced one claims them together.
            let rows = match self.store.outbox_lane(platform, lane, now, self.stale_before(now), LANE_READ).await {
                Ok(rows) => rows,
                Err(e) => return tracing::warn!(error = %e, lane, "reading a lane"),
            };
            let short = rows.len() < LANE_READ as usize;
            // A reply this instance is still sending itself (a flood outlasts the grace):
            // its sender keeps the lane's order, and two waiting for one pacing slot
            // would waste the other's.
            let mine = rows.iter().position(|r| r.op == OutboxOp::Reply && self.sends_itself(platform, lane, r.id));
            let rows = &rows[..mine.unwrap_or(rows.len())];
            let went_on = if paced {
                self.send_paced(platform, lane, rows).await
            } else {
                self.send_together(lane, rows, short && mine.is_none()).await
            };
            if !went_on || short || mine.is_some() {
                return;
            }
        }
    }

    /// Sends rows one by one at the lane's pace, each claimed just before; `false` when
    /// the lane is lost or the store fails.
    async fn send_paced(&self, platform: Platform, lane: &str, rows: &[OutboxRow]) -> bool {
        for row in rows {
            if !self.hold_lane(platform, lane).await {
                return false;
            }
            if row.op == OutboxOp::Reply {
                self.pacing.global_ready(platform).await;
            } else {
                self.pacing.lane_ready(platform, lane).await;
            }
            let now = self.clock.now();
            match self.store.outbox_claim(row.id, &self.me, now, now, self.stale_before(now)).await {
                Ok(Some(claimed)) => self.deliver(claimed).await,
                // Taken by another sender, merged into a later edit, or summed up.
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, lane, "claiming a message");
                    return false;
                }
            }
        }
        true
    }

    /// Claims rows of an unpaced lane in one statement, sends them in order and records
    /// the plain deliveries in one statement (a notice's is recorded at once: a later
    /// edit in the same batch looks it up).
    async fn send_together(&self, lane: &str, rows: &[OutboxRow], complete: bool) -> bool {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let now = self.clock.now();
        let claimed = match self.store.outbox_claim_many(&ids, &self.me, now, self.stale_before(now)).await {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::warn!(error = %e, lane, "claiming messages");
                return false;
            }
        };
        let mut batch = Batch { rows: &claimed, complete, merged: HashSet::new() };
        let mut sent = Vec::new();
        for row in &claimed {
            if batch.merged.contains(&row.id) {
                continue;
            }
            match self.attempt(row, &mut batch).await {
                Outcome::Sent(message) if row.remembered_as().is_none() => {
                    crate::metrics::global().delivery(row.platform, "sent");
                    sent.push((row.id, message.message_id));
                }
                outcome => self.record(row, outcome).await,
            }
        }
        if let Err(e) = self.store.outbox_sent_many(&sent, &self.me, self.clock.now()).await {
            // The claims expire and the rows go again: at least once, never lost.
            tracing::error!(error = %e, lane, "recording deliveries");
        }
        true
    }

    /// When a lane holds more than it may send within the horizon, notices of one kind
    /// ("new ticket") become one summary instead of waiting for hours.
    async fn coalesce_if_flooded(&self, platform: Platform, lane: &str) -> Result<(), StoreError> {
        let Some(capacity) = self.pacing.capacity_soon(platform, lane) else { return Ok(()) };
        let depth = self.store.outbox_lane_depth(platform, lane).await?;
        if depth <= capacity as i64 {
            return Ok(());
        }
        let now = self.clock.now();
        let pending = self.store.outbox_lane(platform, lane, now + chrono::Duration::days(3650), now, 10_000).await?;
        let mut groups: HashMap<String, Vec<&OutboxRow>> = HashMap::new();
        for row in pending.iter().filter(|r| r.attempts == 0) {
            if let Some(kind) = &row.coalesce_kind {
                groups.entry(kind.clone()).or_default().push(row);
            }
        }
        for (kind, rows) in groups {
            if rows.len() < 2 {
                continue;
            }
            let labels: Vec<String> = rows.iter().filter_map(|r| r.coalesce_label.clone()).collect();
            let first = rows[0];
            let summary = NewOutboxRow {
                idem_key: format!("summary:{}:{}-{}", first.lane, first.id, rows[rows.len() - 1].id),
                platform,
                lane: lane.to_owned(),
                op: OutboxOp::Post,
                destination: first.destination.clone(),
                body: Body::text(self.summary(&kind, &labels)),
                subject: None,
                coalesce: None,
                priority: first.priority,
                due: now,
            };
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let mut tx = self.store.begin().await?;
            tx.enqueue(&[summary], now).await?;
            tx.outbox_set_state(&ids, OutboxState::Coalesced, now).await?;
            tx.commit().await?;
            tracing::info!(lane, kind, count = ids.len(), "flooded lane: notices summed up");
        }
        Ok(())
    }

    /// Sends one claimed row and records what happened.
    async fn deliver(&self, row: OutboxRow) {
        let outcome = self.attempt(&row, &mut Batch::default()).await;
        self.record(&row, outcome).await;
    }

    /// Records what became of a claimed row.
    async fn record(&self, row: &OutboxRow, outcome: Outcome) {
        let now = self.clock.now();
        let attempt = u32::try_from(row.attempts + 1).unwrap_or(u32::MAX);
        let metrics = crate::metrics::global();
        let result = match &outcome {
            Outcome::Sent(_) => "sent",
            Outcome::Skipped => "skipped",
            Outcome::Failed(SendError::RateLimited { .. }) => "rate_limited",
            Outcome::Failed(SendError::Transient(_)) if attempt < self.retry.max_attempts => "retry",
            Outcome::Failed(SendError::Unreachable(_)) if matches!(row.destination, Destination::Direct(_)) => {
                "unreachable"
            }
            Outcome::Failed(_) => "dead",
        };
        metrics.delivery(row.platform, result);
        let recorded = match outcome {
            Outcome::Sent(message) => self.store.outbox_sent(row, &self.me, &message, now).await,
            Outcome::Skipped => self.store.outbox_sent_nothing(row, &self.me, now).await,
            Outcome::Failed(SendError::RateLimited { retry_after_secs }) => {
                tracing::info!(lane = %row.lane, retry_after_secs, "rate limited by the platform");
                let next = now + chrono::Duration::seconds(i64::try_from(retry_after_secs).unwrap_or(i64::MAX / 2_000));
                self.store.outbox_retry(row.id, &self.me, next, "rate limited", false).await
            }
            Outcome::Failed(SendError::Transient(error)) if attempt < self.retry.max_attempts => {
                let delay = chrono::Duration::from_std(self.retry.delay(attempt)).unwrap_or_default();
                tracing::warn!(lane = %row.lane, attempt, error, "send failed; will retry");
                self.store.outbox_retry(row.id, &self.me, now + delay, &error, true).await
            }
            Outcome::Failed(SendError::Unreachable(error)) if matches!(row.destination, Destination::Direct(_)) => {
                self.hold_unreachable(row, &error).await
            }
            Outcome::Failed(e) => {
                tracing::error!(lane = %row.lane, attempt, error = %e, "message dead-lettered");
                match self.store.outbox_dead(row.id, &self.me, &e.to_string(), now).await {
                    Ok(()) => self.tell_admins(row, &e.to_string()).await,
                    Err(e) => Err(e),
                }
            }
        };
        if let Err(e) = recorded {
            // The claim expires and the row is tried again: at least once, never lost.
            tracing::error!(error = %e, id = row.id, "recording a delivery");
        }
    }

    /// Sends a claimed row. A notice posted late takes the text of the edits queued
    /// behind it, which are then merged (and not sent on their own).
    async fn attempt(&self, row: &OutboxRow, batch: &mut Batch<'_>) -> Outcome {
        tracing::debug!(id = row.id, lane = %row.lane, op = ?row.op, "sending");
        let Some(messenger) = self.messengers.get(&row.platform) else {
            return Outcome::Failed(SendError::Transient(format!("no {} messenger running", row.platform)));
        };
        let send = |to: Destination, body: Body| {
            messenger.send(OutboundMessage { to, body, idempotency_key: row.idem_key.clone() })
        };
        match (&row.op, &row.subject) {
            (OutboxOp::Edit, Some(subject)) => {
                let notices = match self.store.notices(subject).await {
                    Ok(n) => n,
                    Err(e) => return Outcome::Failed(SendError::Transient(e.to_string())),
                };
                let mut last = None;
                for notice in
                    notices.into_iter().filter(|n| n.message.channel.platform == row.platform && n.lane == row.lane)
                {
                    match send(Destination::Edit(notice.message), row.body.clone()).await {
                        Ok(m) => last = Some(m),
                        Err(e) => return Outcome::Failed(e),
                    }
                }
                last.map_or(Outcome::Skipped, Outcome::Sent)
            }
            (OutboxOp::Post | OutboxOp::Direct, Some(subject)) => {
                // Edits queued behind this message change what it should say: send the
                // latest version once instead of sending and editing.
                // A first attempt read with all of its lane's due rows finds them there;
                // otherwise they are looked up (a held message's edits may have found
                // nothing to edit meanwhile).
                let edits = if batch.complete && row.attempts == 0 {
                    Ok(batch
                        .rows
                        .iter()
                        .filter(|r| r.id > row.id && r.op == OutboxOp::Edit && r.subject.as_deref() == Some(subject))
                        .cloned()
                        .collect())
                } else {
                    self.store.outbox_pending_edits(row.platform, &row.lane, subject, row.id, &self.me).await
                };
                let body = match edits {
                    Ok(edits) if !edits.is_empty() => {
                        let ids: Vec<i64> = edits.iter().map(|e| e.id).collect();
                        let latest = edits.last().map(|e| e.body.clone()).unwrap_or_else(|| row.body.clone());
                        if let Err(e) = self.mark(&ids, OutboxState::Merged).await {
                            return Outcome::Failed(SendError::Transient(e.to_string()));
                        }
                        batch.merged.extend(ids);
                        latest
                    }
                    Ok(_) => row.body.clone(),
                    Err(e) => return Outcome::Failed(SendError::Transient(e.to_string())),
                };
                send(row.destination.clone(), body).await.map_or_else(Outcome::Failed, Outcome::Sent)
            }
            _ => send(row.destination.clone(), row.body.clone()).await.map_or_else(Outcome::Failed, Outcome::Sent),
        }
    }

    async fn mark(&self, ids: &[i64], state: OutboxState) -> Result<(), StoreError> {
        let mut tx = self.store.begin().await?;
        tx.outbox_set_state(ids, state, self.clock.now()).await?;
        tx.commit().await
    }

    /// The person cannot get direct messages yet (they never opened a chat with the
    /// bot): the message waits until they do, and the first time they are told so in
    /// the group they last spoke in.
    async fn hold_unreachable(&self, row: &OutboxRow, error: &str) -> Result<(), StoreError> {
        let Destination::Direct(account) = &row.destination else { return Ok(()) };
        let now = self.clock.now();
        tracing::info!(lane = %row.lane, error, "direct message held until the person opens a chat with the bot");
        let Some(group) = self.store.hold_unreachable(row.id, &self.me, account, error, now).await? else {
            return Ok(());
        };
        let channel = ChannelRef::group(account.platform, group);
        // In the group's language: everyone there reads it.
        let account = account.clone();
        let body = Shown::text_per_reader(move |r| text::direct_unreachable(r.lang, &account));
        let origin = Origin::unprompted(format!("unreachable:{}", row.id));
        let rows = self.planner.plan(&origin, &[Effect::PostTo { channel, body }], now).await?;
        let mut tx = self.store.begin().await?;
        tx.enqueue(&rows, now).await?;
        tx.commit().await?;
        self.poke();
        Ok(())
    }

    /// A dead letter is reported to every admin, unless it was itself such a report.
    async fn tell_admins(&self, row: &OutboxRow, error: &str) -> Result<(), StoreError> {
        if row.idem_key.starts_with("dead:") {
            return Ok(());
        }
        let admins = self.store.persons_with_role(Role::Admin).await?;
        let (platform, lane, said, error) = (row.platform, row.lane.clone(), row.body.text.clone(), error.to_owned());
        let body = Shown::text_per_reader(move |r| text::dead_letter(r.lang, platform, &lane, &said, &error));
        let effects: Vec<Effect> =
            admins.into_iter().map(|person| Effect::Direct { person, body: body.clone(), subject: None }).collect();
        let origin = Origin::unprompted(format!("dead:{}", row.id));
        let now = self.clock.now();
        let rows = self.planner.plan(&origin, &effects, now).await?;
        let mut tx = self.store.begin().await?;
        tx.enqueue(&rows, now).await?;
        tx.commit().await?;
        self.poke();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 6,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(60),
            lease: Duration::from_secs(30),
        };
        for attempt in 1..=10 {
            let d = policy.delay(attempt);
            let full = Duration::from_secs(2 * 2_u64.pow(attempt - 1)).min(Duration::from_secs(60));
            assert!(d <= full && d >= full / 2, "attempt {attempt}: {d:?} vs {full:?}");
        }
    }
}
