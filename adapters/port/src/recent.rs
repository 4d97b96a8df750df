//! The recent messages of the groups an adapter sees, so a reaction can find what it
//! reacts to: Telegram's reaction update names only the message, and a fetch from
//! Discord costs a call. Bounded in count and in age; lost on restart, which only means
//! a reaction to a message older than the restart finds nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{MessageRef, Quoted};

/// How many messages are kept, at most.
pub const KEEP: usize = 10_000;
/// How long a message is kept.
pub const FOR: Duration = Duration::from_secs(48 * 3600);

/// Messages by `(channel id, message id)`, oldest first.
pub struct RecentMessages {
    inner: Mutex<Inner>,
    keep: usize,
    age: Duration,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<(String, String), Quoted>,
    order: VecDeque<((String, String), Instant)>,
}

impl std::fmt::Debug for RecentMessages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecentMessages({} kept)", self.len())
    }
}

impl Default for RecentMessages {
    fn default() -> Self {
        RecentMessages::new(KEEP, FOR)
    }
}

impl RecentMessages {
    pub fn new(keep: usize, age: Duration) -> Self {
        RecentMessages { inner: Mutex::new(Inner::default()), keep, age }
    }

    /// Remembers a message; the oldest go when there are too many or they are too old.
    pub fn keep(&self, message: &MessageRef, quoted: Quoted) {
        let now = Instant::now();
        let Ok(mut inner) = self.inner.lock() else { return };
        let key = (message.channel.id.clone(), message.message_id.clone());
        if inner.by_id.insert(key.clone(), quoted).is_none() {
            inner.order.push_back((key, now));
        }
        self.forget_old(&mut inner, now);
    }

    /// What `message` said and who wrote it, if it is still kept.
    pub fn find(&self, message: &MessageRef) -> Option<Quoted> {
        let now = Instant::now();
        let mut inner = self.inner.lock().ok()?;
        self.forget_old(&mut inner, now);
        inner.by_id.get(&(message.channel.id.clone(), message.message_id.clone())).cloned()
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.by_id.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn forget_old(&self, inner: &mut Inner, now: Instant) {
        while let Some((key, at)) = inner.order.front() {
            if inner.order.len() <= self.keep && now.duration_since(*at) < self.age {
                break;
            }
            let key = key.clone();
            inner.order.pop_front();
            inner.by_id.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Account, ChannelRef, Platform};

    fn message(id: u32) -> MessageRef {
        MessageRef { channel: ChannelRef::group(Platform::Telegram, "-100"), message_id: id.to_string() }
    }

    fn said(text: &str) -> Quoted {
        let author = Account { platform: Platform::Telegram, id: "7".into(), handle: None, display_name: "Ann".into() };
        Quoted { author, text: text.to_owned(), link: None }
    }

    #[test]
    fn keeps_the_newest_within_its_bound() {
        let recent = RecentMessages::new(3, FOR);
        for id in 1..=5 {
            recent.keep(&message(id), said(&format!("message {id}")));
        }
        assert_eq!(recent.len(), 3);
        assert_eq!(recent.find(&message(1)), None, "the oldest went first");
        assert_eq!(recent.find(&message(5)).map(|q| q.text), Some("message 5".to_owned()));
    }

    #[test]
    fn forgets_what_is_too_old() {
        let recent = RecentMessages::new(10, Duration::from_millis(30));
        recent.keep(&message(1), said("old"));
        std::thread::sleep(Duration::from_millis(50));
        recent.keep(&message(2), said("new"));
        assert_eq!(recent.find(&message(1)), None);
        assert_eq!(recent.find(&message(2)).map(|q| q.text), Some("new".to_owned()));
    }
}
