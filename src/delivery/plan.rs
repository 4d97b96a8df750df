//! Effects → outbox rows, resolved to concrete destinations and idempotency keys.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use deskmate_port::{Account, ChannelKind, ChannelRef, Destination, Platform};

use crate::kernel::{Audience, Effect, Lang, PersonId, Reader, Shown};
use crate::store::{NewOutboxRow, OutboxOp, Store, StoreError, lane};

/// What caused a batch of effects: an inbound event (replies go back to it) or a job.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Unique per cause, e.g. `console:17` or `timer:42`; every row's key starts with it.
    pub key: String,
    /// Where replies go, for effects caused by a person.
    pub reply_to: Option<(ChannelRef, String)>,
    /// Who caused them: a direct message to them goes to the messenger they are using.
    pub actor: Option<PersonId>,
    /// How they read (language, zone): replies are written for them. The event's
    /// handler knows it already, so no reply looks the person up again.
    pub reader: Option<Reader>,
}

impl Origin {
    /// Messages no person's event caused (a timer, an announcement, delivery's own
    /// notices): nothing to reply to, no one's language to prefer.
    pub fn unprompted(key: String) -> Origin {
        Origin { key, reply_to: None, actor: None, reader: None }
    }
}

/// Replies are queued this far in the future for the lanes: the instance that handled
/// the command sends them at once (`send_now`), and the lanes only pick up a reply that
/// instance could not send (it crashed between commit and send).
pub const REPLY_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Who reads what: people their own language and zone, channels their group's language
/// (`[channels] languages`), everyone else the deployment's defaults.
#[derive(Debug, Clone)]
pub struct Readers {
    pub default: Reader,
    /// By `(platform, channel id)`.
    pub channels: HashMap<(Platform, String), Lang>,
}

#[derive(Clone)]
pub struct Planner {
    store: Store,
    /// The channels of each audience (`support` → the support queue).
    audiences: HashMap<String, Vec<ChannelRef>>,
    platforms: HashSet<Platform>,
    readers: Readers,
}

impl Planner {
    pub fn new(
        store: Store,
        audiences: HashMap<String, Vec<ChannelRef>>,
        platforms: HashSet<Platform>,
        readers: Readers,
    ) -> Self {
        Planner { store, audiences, platforms, readers }
    }

    fn channel_reader(&self, channel: &ChannelRef) -> Reader {
        let lang = self.readers.channels.get(&(channel.platform, channel.id.clone())).copied();
        Reader { lang: lang.unwrap_or(self.readers.default.lang), ..self.readers.default }
    }

    async fn person_reader(&self, person: PersonId) -> Result<Reader, StoreError> {
        Ok(self.reader_of(self.store.person(person).await?))
    }

    fn reader_of(&self, person: Option<crate::kernel::Person>) -> Reader {
        let default = self.readers.default;
        person.map_or(default, |p| Reader { lang: p.lang.unwrap_or(default.lang), tz: p.tz.unwrap_or(default.tz) })
    }

    /// `shown` for whoever reads the messages in `lane` (looked up only when it depends
    /// on them): the person a direct lane goes to, else the channel's readers.
    async fn body_in(
        &self,
        shown: &Shown,
        (platform, lane): (Platform, &str),
        to: &Destination,
    ) -> Result<deskmate_port::Body, StoreError> {
        if !shown.varies() {
            return Ok(shown.for_reader(self.readers.default));
        }
        let reader = match (lane::account(lane), to) {
            (Some(account), _) => self.reader_of(self.store.person_by_account(platform, account).await?),
            (None, Destination::Channel(channel)) => self.channel_reader(channel),
            (None, _) => self.readers.default,
        };
        Ok(shown.for_reader(reader))
    }

    /// The channels of `audience`; none (and a warning) for one the config does not name.
    fn channels(&self, audience: Audience) -> &[ChannelRef] {
        match self.audiences.get(audience.0) {
            Some(channels) => channels,
            None => {
                tracing::warn!(%audience, "no channels configured for this audience ([channels] groups); notice not posted");
                &[]
            }
        }
    }

    /// The rows that carry `effects` out. Platforms without a running messenger are
    /// left out: nothing could ever deliver them.
    pub async fn plan(
        &self,
        origin: &Origin,
        effects: &[Effect],
        now: DateTime<Utc>,
    ) -> Result<Vec<NewOutboxRow>, StoreError> {
        let mut rows = Vec::new();
        for (i, effect) in effects.iter().enumerate() {
            let key = format!("{}:{i}", origin.key);
            match effect {
                Effect::Reply { body, private } | Effect::Refusal { body, private } => {
                    let quiet = matches!(effect, Effect::Refusal { .. });
                    let Some((channel, handle)) = &origin.reply_to else {
                        tracing::warn!(origin = %origin.key, "a reply without an event to answer; dropped");
                        continue;
                    };
                    let body = if body.varies() {
                        body.for_reader(origin.reader.unwrap_or(self.readers.default))
                    } else {
                        body.for_reader(self.readers.default)
                    };
                    rows.push(NewOutboxRow {
                        idem_key: key,
                        platform: channel.platform,
                        lane: channel.id.clone(),
                        op: OutboxOp::Reply,
                        destination: Destination::Reply {
                            channel: channel.clone(),
                            reply_handle: handle.clone(),
                            private: *private,
                            quiet,
                        },
                        subject: question_subject(&body),
                        body,
                        coalesce: None,
                        priority: 0,
                        due: now + chrono::Duration::from_std(REPLY_GRACE).unwrap_or_default(),
                    });
                }
                Effect::Notice { audience, subject, body, coalesce } => {
                    for channel in self.channels(*audience).iter().filter(|c| self.platforms.contains(&c.platform)) {
                        rows.push(NewOutboxRow {
                            idem_key: format!("{key}:{}:{}", channel.platform, channel.id),
                            platform: channel.platform,
                            lane: channel.id.clone(),
                            op: OutboxOp::Post,
                            body: body.for_reader(self.channel_reader(channel)),
                            destination: Destination::Channel(channel.clone()),
                            subject: Some(subject.to_string()),
                            coalesce: coalesce.as_ref().map(|c| (c.kind.to_owned(), c.label.clone())),
                            priority: 2,
                            due: now,
                        });
                    }
                }
                Effect::UpdateNotices { subject, body } => {
                    // Every lane a message about the subject was sent in or waits in.
                    let subject = subject.to_string();
                    let mut lanes: Vec<(Platform, String, Destination)> = Vec::new();
                    let mut add = |platform: Platform, lane: String, to: Destination| {
                        if !lanes.iter().any(|(p, l, _)| *p == platform && *l == lane) {
                            lanes.push((platform, lane, to));
                        }
                    };
                    for notice in self.store.notices(&subject).await? {
                        let channel = notice.message.channel;
                        add(channel.platform, notice.lane, Destination::Channel(channel));
                    }
                    for waiting in self.store.outbox_unsent(&subject).await? {
                        add(waiting.platform, waiting.lane, waiting.destination);
                    }
                    for (platform, lane, destination) in lanes.into_iter().filter(|(p, ..)| self.platforms.contains(p))
                    {
                        let body = self.body_in(body, (platform, &lane), &destination).await?;
                        rows.push(NewOutboxRow {
                            idem_key: format!("{key}:{platform}:{lane}"),
                            platform,
                            lane,
                            op: OutboxOp::Edit,
                            body,
                            destination,
                            subject: Some(subject.clone()),
                            coalesce: None,
                            priority: 2,
                            due: now,
                        });
                    }
                }
                Effect::Follow { subject, body } => {
                    // Under each group notice already out; one still waiting to be sent
                    // has no conversation yet, and what is said now goes to its
                    // participants directly (the feature's own messages) anyway.
                    for notice in self.store.notices(subject).await? {
                        let channel = &notice.message.channel;
                        if channel.kind != ChannelKind::Group || !self.platforms.contains(&channel.platform) {
                            continue;
                        }
                        rows.push(NewOutboxRow {
                            idem_key: format!(
                                "{key}:{}:{}:{}",
                                channel.platform, channel.id, notice.message.message_id
                            ),
                            platform: channel.platform,
                            lane: notice.lane.clone(),
                            op: OutboxOp::Post,
                            body: body.for_reader(self.channel_reader(channel)),
                            destination: Destination::Under(notice.message.clone()),
                            subject: Some(subject.conversation()),
                            coalesce: None,
                            priority: 2,
                            due: now,
                        });
                    }
                }
                Effect::PostTo { channel, body } => {
                    if !self.platforms.contains(&channel.platform) {
                        tracing::info!(channel = %channel.id, platform = %channel.platform, "no messenger for a scheduled post");
                        continue;
                    }
                    rows.push(NewOutboxRow {
                        idem_key: key,
                        platform: channel.platform,
                        lane: channel.id.clone(),
                        op: OutboxOp::Post,
                        body: body.for_reader(self.channel_reader(channel)),
                        destination: Destination::Channel(channel.clone()),
                        subject: None,
                        coalesce: None,
                        priority: 2,
                        due: now,
                    });
                }
                Effect::Direct { person, body, subject } => {
                    let accounts = self.store.accounts_of(*person).await?;
                    // The actor is on the event's messenger; anyone else gets it on the one
                    // they wrote from last.
                    let preferred =
                        origin.reply_to.as_ref().filter(|_| origin.actor == Some(*person)).map(|(c, _)| c.platform);
                    let Some(account) = self.pick_account(&accounts, preferred) else {
                        tracing::info!(person = %person, "no reachable account for a direct message");
                        continue;
                    };
                    let body = if body.varies() {
                        body.for_reader(self.person_reader(*person).await?)
                    } else {
                        body.for_reader(self.readers.default)
                    };
                    rows.push(NewOutboxRow {
                        idem_key: key,
                        platform: account.platform,
                        lane: direct_lane(account),
                        op: OutboxOp::Direct,
                        destination: Destination::Direct(account.clone()),
                        subject: question_subject(&body).or_else(|| subject.map(|s| s.to_string())),
                        body,
                        coalesce: None,
                        priority: 1,
                        due: now,
                    });
                }
            }
        }
        Ok(rows)
    }

    /// Prefer `preferred`, then the account that wrote last on a platform we can reach
    /// (`accounts` come in that order).
    fn pick_account<'a>(&self, accounts: &'a [Account], preferred: Option<Platform>) -> Option<&'a Account> {
        accounts
            .iter()
            .find(|a| Some(a.platform) == preferred && self.platforms.contains(&a.platform))
            .or_else(|| accounts.iter().find(|a| self.platforms.contains(&a.platform)))
    }
}

/// Direct messages to one account share a lane, kept apart from channel ids.
fn direct_lane(account: &Account) -> String {
    lane::direct(&account.id)
}

/// A question's message is remembered, so a reply to it finds it.
fn question_subject(body: &deskmate_port::Body) -> Option<String> {
    body.prompt.as_ref().and_then(|p| p.parse().ok()).map(|id| crate::store::prompt_subject(id).to_string())
}
