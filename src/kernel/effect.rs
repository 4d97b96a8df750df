//! What a feature decides to say: effects, which the delivery layer turns into outbox
//! rows committed with the change.

use std::sync::Arc;

use chrono_tz::Tz;
use deskmate_port::{Body, ChannelRef};

use super::{Lang, PersonId, Subject};

/// Who reads a message: in what language and on what clock (a person's own, or a
/// channel's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reader {
    pub lang: Lang,
    pub tz: Tz,
}

/// A message as its readers see it: the same for everyone, or written for each reader
/// (their language, their clock) once the delivery layer knows who that is: the person
/// a direct message goes to, the channel a notice is posted in, and, for an edit, each
/// of the messages edited.
#[derive(Clone)]
pub enum Shown {
    Same(Body),
    PerReader(Arc<dyn Fn(Reader) -> Body + Send + Sync>),
}

impl Shown {
    /// A body written for each reader.
    pub fn per_reader(write: impl Fn(Reader) -> Body + Send + Sync + 'static) -> Shown {
        Shown::PerReader(Arc::new(write))
    }

    /// A text written for each reader.
    pub fn text_per_reader(write: impl Fn(Reader) -> String + Send + Sync + 'static) -> Shown {
        Shown::PerReader(Arc::new(move |reader| Body::text(write(reader))))
    }

    pub fn for_reader(&self, reader: Reader) -> Body {
        match self {
            Shown::Same(body) => body.clone(),
            Shown::PerReader(write) => write(reader),
        }
    }

    /// Whether it depends on who reads it (and so the reader must be looked up).
    pub fn varies(&self) -> bool {
        matches!(self, Shown::PerReader(_))
    }
}

impl From<Body> for Shown {
    fn from(body: Body) -> Shown {
        Shown::Same(body)
    }
}

impl std::fmt::Debug for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Same(body) => body.fmt(f),
            Shown::PerReader(_) => f.write_str("<written for each reader>"),
        }
    }
}

/// Bodies the same for everyone compare; one written per reader equals nothing.
impl PartialEq for Shown {
    fn eq(&self, other: &Shown) -> bool {
        match (self, other) {
            (Shown::Same(a), Shown::Same(b)) => a == b,
            _ => false,
        }
    }
}

/// A named group of channels from the config (`[channels] support_queue` is `support`,
/// others come from `[channels] groups`): where a feature's notices go, without the
/// feature knowing any channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Audience(pub &'static str);

impl std::fmt::Display for Audience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Something to say as a result of an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer the person who acted. `private` answers are seen only by them where the
    /// platform allows (a toast, an ephemeral reply).
    Reply { body: Shown, private: bool },
    /// A refusal or an error: nothing changed. Seen only by the person where the platform
    /// makes that cheap (an ephemeral reply), else like a reply.
    Refusal { body: Shown, private: bool },
    /// Post to every channel of an audience and remember the messages under `subject`.
    /// A flooded channel may sum up notices that say how.
    Notice { audience: Audience, subject: Subject, body: Shown, coalesce: Option<Coalesce> },
    /// Edit every message sent under `subject` (notices, and direct messages sent with
    /// it), and every one still waiting to be sent or held for a person who cannot be
    /// reached yet.
    UpdateNotices { subject: Subject, body: Shown },
    /// A direct message to a person, on the platform they were last seen on where possible.
    /// With a `subject` it is remembered like a notice, so `UpdateNotices` for the subject
    /// edits it too (an approval prompt whose buttons go once it is decided).
    Direct { person: PersonId, body: Shown, subject: Option<Subject> },
    /// A message in the conversation on the group notices posted under `subject`: in
    /// the thread on each (Discord), as a reply to each (Telegram). It is remembered
    /// under the subject's conversation, so a reply to it reaches the subject's feature
    /// as well, and notice edits leave it alone.
    Follow { subject: Subject, body: Shown },
    /// A new message in a given channel (scheduled announcements, digests).
    PostTo { channel: ChannelRef, body: Shown },
}

impl Effect {
    pub fn reply(text: impl Into<String>) -> Effect {
        Effect::Reply { body: Body::text(text).into(), private: false }
    }

    /// A plain direct message, remembered under no subject.
    pub fn direct(person: PersonId, text: impl Into<String>) -> Effect {
        Effect::Direct { person, body: Body::text(text).into(), subject: None }
    }
}

pub type Outcome = Vec<Effect>;

/// How a notice is summed up when its channel is flooded: notices of one `kind` are
/// replaced by one message listing their labels (`#101–#103`), written by the feature
/// that owns the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coalesce {
    /// Named by the feature that owns it: `ticket.new`.
    pub kind: &'static str,
    pub label: String,
}
