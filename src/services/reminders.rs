//! Personal reminders: a one-shot timer that sends a direct message.

use chrono::{DateTime, Utc};
use deskmate_port::stable_hash;

use super::{Actor, Effect, ServiceResult, refuse};
use crate::scheduler::{Scheduler, TimerAction};
use crate::store::Tx;
use crate::{limits, replies};

#[derive(Clone)]
pub struct Reminders {
    scheduler: Scheduler,
}

impl Reminders {
    pub fn new(scheduler: Scheduler) -> Self {
        Reminders { scheduler }
    }

    pub async fn remind(&self, tx: &mut Tx, actor: &Actor, at: DateTime<Utc>, text: &str) -> ServiceResult {
        let text = limits::REMINDER.check(text)?;
        if at <= actor.at {
            return refuse(replies::time_passed(at, actor.tz));
        }
        // The same reminder asked twice is one timer.
        let key = format!("remind:{}:{}:{:x}", actor.person.id, at.timestamp_millis(), stable_hash(text));
        let fresh = self
            .scheduler
            .add_timer(tx, &key, at, TimerAction::Remind { person: actor.person.id.0, text: text.to_owned() })
            .await?;
        Ok(vec![Effect::reply(replies::reminder_set(at, actor.tz, text, fresh))])
    }
}
