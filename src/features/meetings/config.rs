//! `[meetings]`: where notices go, when reminders come, how long a meeting may be.

use serde::{Deserialize, Serialize};

use super::hours::WorkHours;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeetingsConfig {
    /// The channel group (`[channels] groups`) meeting notices go to unless a meeting
    /// names another; empty: invitations by direct message only.
    pub channel: String,
    /// Reminders before each meeting, e.g. `["1d", "15m"]`; a meeting may set its own.
    pub reminders: Vec<String>,
    /// A meeting's length when none is given.
    pub default_duration: String,
    /// The longest meeting.
    pub max_duration: String,
    /// Rooms meetings may book (`[[meetings.rooms]]`).
    pub rooms: Vec<RoomConfig>,
    /// Everyone's working days and hours until they set their own (`/schedule hours`):
    /// `/meeting findtime` looks within them, the digest comes on those days.
    pub work_days: String,
    pub work_hours: String,
    /// The daily digest by direct message: on for everyone (each can turn it off with
    /// `/schedule digest off`), and when, on each person's clock.
    pub digest: bool,
    pub digest_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomConfig {
    /// One word, typed as `room:<name>`.
    pub name: String,
    /// How many people it holds.
    pub capacity: u32,
    #[serde(default)]
    pub location: String,
}

impl Default for MeetingsConfig {
    fn default() -> Self {
        MeetingsConfig {
            channel: String::new(),
            reminders: vec!["1d".to_owned(), "15m".to_owned()],
            default_duration: "30m".to_owned(),
            max_duration: "12h".to_owned(),
            rooms: Vec::new(),
            work_days: "mon-fri".to_owned(),
            work_hours: "09:00-17:00".to_owned(),
            digest: true,
            digest_at: "09:00".to_owned(),
        }
    }
}

/// The config, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub channel: Option<String>,
    /// Minutes before, largest first.
    pub reminders: Vec<i64>,
    pub default_duration: chrono::Duration,
    pub max_duration: chrono::Duration,
    pub rooms: Vec<RoomConfig>,
    pub hours: WorkHours,
    pub digest: bool,
    pub digest_at: chrono::NaiveTime,
}

impl MeetingsConfig {
    pub fn compile(&self) -> Result<Settings, String> {
        let reminders = read_offsets(&self.reminders).map_err(|e| format!("reminders: {e}"))?;
        let default_duration = read_duration(&self.default_duration).map_err(|e| format!("default_duration: {e}"))?;
        let max_duration = read_duration(&self.max_duration).map_err(|e| format!("max_duration: {e}"))?;
        if default_duration > max_duration {
            return Err("default_duration: longer than max_duration".to_owned());
        }
        let channel = Some(self.channel.trim().to_lowercase()).filter(|c| !c.is_empty());
        let mut names = std::collections::HashSet::new();
        for room in &self.rooms {
            let name = room.name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) || name.contains(':') {
                return Err(format!("rooms: `{}`: a room's name is one word", room.name));
            }
            if !names.insert(name.to_lowercase()) {
                return Err(format!("rooms: `{name}` is named twice"));
            }
            if room.capacity == 0 {
                return Err(format!("rooms: `{name}`: capacity must be at least 1"));
            }
        }
        let hours =
            WorkHours::read(&self.work_days, &self.work_hours).map_err(|e| format!("work_days/work_hours: {e}"))?;
        let digest_at = chrono::NaiveTime::parse_from_str(self.digest_at.trim(), "%H:%M")
            .map_err(|_| format!("digest_at: `{}` is not a time of day; write e.g. 09:00", self.digest_at))?;
        Ok(Settings {
            channel,
            reminders,
            default_duration,
            max_duration,
            rooms: self.rooms.clone(),
            hours,
            digest: self.digest,
            digest_at,
        })
    }
}

/// `30m`, `1h30m`, `1d`.
pub fn read_duration(text: &str) -> Result<chrono::Duration, String> {
    crate::chat::commands::read_duration(text)
}

/// Why reminder offsets were refused; people read it in their language (the config's
/// errors in these words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OffsetError {
    /// Not a length of time: the offset as typed, and the duration reader's explanation.
    #[error("{problem}")]
    Unreadable { offset: String, problem: String },
    /// Under a minute or over 30 days (as typed).
    #[error("`{0}`: a reminder comes 1 minute to 30 days before")]
    OutOfRange(String),
    #[error("at most 5 reminders")]
    TooMany,
}

/// Reminder offsets (`1d`, `15m`, at most 5, none over 30 days) as minutes, largest first.
pub fn read_offsets(offsets: &[impl AsRef<str>]) -> Result<Vec<i64>, OffsetError> {
    let mut minutes = Vec::new();
    for offset in offsets {
        let offset: &str = offset.as_ref();
        let d =
            read_duration(offset).map_err(|problem| OffsetError::Unreadable { offset: offset.to_owned(), problem })?;
        if d > chrono::Duration::days(30) || d < chrono::Duration::minutes(1) {
            return Err(OffsetError::OutOfRange(offset.to_owned()));
        }
        minutes.push(d.num_minutes());
    }
    minutes.sort_unstable_by(|a, b| b.cmp(a));
    minutes.dedup();
    if minutes.len() > 5 {
        return Err(OffsetError::TooMany);
    }
    Ok(minutes)
}
