//! Turns the services' [`Effect`]s into messages on the right platforms, and remembers
//! posted notices so they can be edited when their subject changes.

use std::collections::HashMap;
use std::sync::Arc;

use deskmate_port::{Account, ChannelRef, Destination, Messenger, OutboundMessage, Platform};

use crate::clock::Clock;
use crate::services::Effect;
use crate::store::Store;

/// Where the effects of one inbound event came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub channel: ChannelRef,
    pub reply_handle: String,
}

#[derive(Clone)]
pub struct Delivery {
    store: Store,
    clock: Arc<dyn Clock>,
    messengers: HashMap<Platform, Arc<dyn Messenger>>,
    support_queue: Vec<ChannelRef>,
}

impl Delivery {
    pub fn new(store: Store, clock: Arc<dyn Clock>, support_queue: Vec<ChannelRef>) -> Self {
        Delivery {
            store,
            clock,
            messengers: HashMap::new(),
            support_queue,
        }
    }

    pub fn add_messenger(&mut self, messenger: Arc<dyn Messenger>) {
        self.messengers.insert(messenger.platform(), messenger);
    }

    /// Delivers in order. A failed send is logged and the rest still go out: the change
    /// behind them is already committed.
    pub async fn deliver(&self, origin: &Origin, effects: Vec<Effect>) {
        for effect in effects {
            if let Err(e) = self.deliver_one(origin, effect).await {
                tracing::warn!(error = %format!("{e:#}"), "delivery failed");
            }
        }
    }

    async fn deliver_one(&self, origin: &Origin, effect: Effect) -> anyhow::Result<()> {
        match effect {
            Effect::Reply { body, private } => {
                let to = Destination::Reply {
                    channel: origin.channel.clone(),
                    reply_handle: origin.reply_handle.clone(),
                    private,
                };
                self.send(origin.channel.platform, OutboundMessage { to, body })
                    .await?;
            }
            Effect::PostToQueue { subject, body } => {
                for channel in &self.support_queue {
                    if !self.messengers.contains_key(&channel.platform) {
                        continue;
                    }
                    let msg = OutboundMessage {
                        to: Destination::Channel(channel.clone()),
                        body: body.clone(),
                    };
                    let posted = self.send(channel.platform, msg).await?;
                    self.store
                        .save_notice(&subject, &posted, self.clock.now())
                        .await?;
                }
            }
            Effect::UpdateNotices { subject, body } => {
                for notice in self.store.notices(&subject).await? {
                    let platform = notice.channel.platform;
                    if self.messengers.contains_key(&platform) {
                        self.send(
                            platform,
                            OutboundMessage {
                                to: Destination::Edit(notice),
                                body: body.clone(),
                            },
                        )
                        .await?;
                    }
                }
            }
            Effect::Direct { person, body } => {
                let accounts = self.store.accounts_of(person).await?;
                if let Some(account) = self.pick_account(&accounts, origin.channel.platform) {
                    let platform = account.platform;
                    self.send(
                        platform,
                        OutboundMessage {
                            to: Destination::Direct(account.clone()),
                            body,
                        },
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Prefer the platform the conversation is on, then any platform we can reach.
    fn pick_account<'a>(
        &self,
        accounts: &'a [Account],
        preferred: Platform,
    ) -> Option<&'a Account> {
        accounts
            .iter()
            .find(|a| a.platform == preferred && self.messengers.contains_key(&a.platform))
            .or_else(|| {
                accounts
                    .iter()
                    .find(|a| self.messengers.contains_key(&a.platform))
            })
    }

    async fn send(
        &self,
        platform: Platform,
        message: OutboundMessage,
    ) -> anyhow::Result<deskmate_port::MessageRef> {
        let messenger = self
            .messengers
            .get(&platform)
            .ok_or_else(|| anyhow::anyhow!("no messenger for {platform}"))?;
        Ok(messenger.send(message).await?)
    }
}
