//! What a feature decides to say: effects, which the delivery layer turns into outbox
//! rows committed with the change.

use deskmate_port::{Body, ChannelRef};

use super::{PersonId, Subject};

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
    Reply { body: Body, private: bool },
    /// A refusal or an error: nothing changed. Seen only by the person where the platform
    /// makes that cheap (an ephemeral reply), else like a reply.
    Refusal { body: Body, private: bool },
    /// Post to every channel of an audience and remember the messages under `subject`.
    /// A flooded channel may sum up notices that say how.
    Notice { audience: Audience, subject: Subject, body: Body, coalesce: Option<Coalesce> },
    /// Edit every message sent under `subject` (notices, and direct messages sent with
    /// it), and every one still waiting to be sent or held for a person who cannot be
    /// reached yet.
    UpdateNotices { subject: Subject, body: Body },
    /// A direct message to a person, on the platform they were last seen on where possible.
    /// With a `subject` it is remembered like a notice, so `UpdateNotices` for the subject
    /// edits it too (an approval prompt whose buttons go once it is decided).
    Direct { person: PersonId, body: Body, subject: Option<Subject> },
    /// A new message in a given channel (scheduled announcements, digests).
    PostTo { channel: ChannelRef, body: Body },
}

impl Effect {
    pub fn reply(text: impl Into<String>) -> Effect {
        Effect::Reply { body: Body::text(text), private: false }
    }

    /// A plain direct message, remembered under no subject.
    pub fn direct(person: PersonId, text: impl Into<String>) -> Effect {
        Effect::Direct { person, body: Body::text(text), subject: None }
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
