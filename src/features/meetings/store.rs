//! Meetings, their occurrences, attendees and answers. Every change happens in the
//! caller's transaction, with its audit entry.

use chrono::{DateTime, Utc};

use super::hours::{self, WorkHours};
use super::model::{
    Action, Attendance, Attendee, Conflict, Entry, EntryKind, Meeting, MeetingEvent, MeetingId, MeetingStatus, Minutes,
    Occurrence, OccurrenceId, Rsvp, meeting_subject,
};
use crate::kernel::{Audit, FileId, PersonId, PersonName};
use crate::store::{Result, StoreError, Tx, from_ms, log_event, ms, parse_column, with_db, with_tx};

/// A meeting to record: when it takes place (once, or each time its rule gives) and who
/// comes.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub title: String,
    pub organizer: PersonId,
    pub tz: String,
    pub link: Option<String>,
    pub agenda: Option<String>,
    pub channel: Option<String>,
    pub room: Option<String>,
    pub reminders: Vec<i64>,
    pub rule: Option<String>,
    /// Its occurrences, earliest first.
    pub spans: Vec<Span>,
    /// Everyone invited, the organiser first.
    pub attendees: Vec<PersonId>,
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: i64,
    title: String,
    organizer_id: i64,
    organizer_name: String,
    tz: String,
    link: Option<String>,
    agenda: Option<String>,
    channel: Option<String>,
    room: Option<String>,
    reminders: String,
    status: String,
    sequence: i64,
    rule: Option<String>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = StoreError;

    fn try_from(row: MeetingRow) -> Result<Meeting> {
        Ok(Meeting {
            id: MeetingId(row.id),
            title: row.title,
            organizer: PersonName { id: PersonId(row.organizer_id), name: row.organizer_name },
            tz: parse_column("meetings.tz", &row.tz)?,
            link: row.link,
            agenda: row.agenda,
            channel: row.channel,
            room: row.room,
            reminders: serde_json::from_str(&row.reminders)
                .map_err(|e| StoreError::Corrupt(format!("meetings.reminders of #{}: {e}", row.id)))?,
            status: parse_column("meetings.status", &row.status)?,
            sequence: row.sequence,
            rule: row.rule,
        })
    }
}

const MEETING_COLUMNS: &str = "m.id, m.title, m.organizer_id, p.display_name AS organizer_name, m.tz, m.link, \
     m.agenda, m.channel, m.room, m.reminders, m.status, m.sequence, m.rule";
const MEETING_FROM: &str = "FROM meetings m JOIN persons p ON p.id = m.organizer_id";

/// A meeting with one of its occurrences and someone's answer.
#[derive(sqlx::FromRow)]
struct UpcomingRow {
    #[sqlx(flatten)]
    meeting: MeetingRow,
    occurrence_id: i64,
    starts_at: i64,
    ends_at: i64,
    occurrence_status: String,
    planned_at: i64,
    answer: String,
}

pub use crate::chat::feature::Span;

type OccurrenceRow = (i64, i64, i64, i64, String, i64);

const OCCURRENCE_COLUMNS: &str = "id, meeting_id, starts_at, ends_at, status, COALESCE(planned_at, starts_at)";

fn occurrence((id, meeting, starts_at, ends_at, status, planned_at): OccurrenceRow) -> Result<Occurrence> {
    Ok(Occurrence {
        id: OccurrenceId(id),
        meeting: MeetingId(meeting),
        starts_at: from_ms(starts_at),
        ends_at: from_ms(ends_at),
        status: parse_column("meeting_occurrences.status", &status)?,
        planned_at: from_ms(planned_at),
    })
}

/// Whether `[from, to)` overlaps one of `spans` (earliest first).
fn overlaps(spans: &[Span], from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let after = spans.partition_point(|(_, end)| *end <= from);
    spans.get(after).is_some_and(|(start, _)| *start < to)
}

/// `$first, $first+1, …` for `count` values bound in a row.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

impl Tx {
    /// Records a meeting, its occurrence and everyone's answer-to-be (the organiser's:
    /// accepted).
    pub async fn create_meeting(&mut self, new: &NewMeeting, audit: Audit) -> Result<(MeetingId, OccurrenceId)> {
        let reminders = serde_json::to_string(&new.reminders).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let at = ms(audit.at);
        let ids = with_tx!(self, |tx| {
            let (meeting,): (i64,) = sqlx::query_as(
                "INSERT INTO meetings (title, organizer_id, tz, link, agenda, channel, room, reminders, status, \
                 sequence, created_at, updated_at, rule) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', 0, $9, $9, $10) RETURNING id",
            )
            .bind(&new.title)
            .bind(new.organizer.0)
            .bind(&new.tz)
            .bind(&new.link)
            .bind(&new.agenda)
            .bind(&new.channel)
            .bind(&new.room)
            .bind(&reminders)
            .bind(at)
            .bind(&new.rule)
            .fetch_one(&mut **tx)
            .await?;
            let mut first = None;
            for (starts_at, ends_at) in &new.spans {
                let (occurrence,): (i64,) = sqlx::query_as(
                    "INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at, status, planned_at) \
                     VALUES ($1, $2, $3, 'scheduled', $2) RETURNING id",
                )
                .bind(meeting)
                .bind(ms(*starts_at))
                .bind(ms(*ends_at))
                .fetch_one(&mut **tx)
                .await?;
                first.get_or_insert(occurrence);
            }
            let Some(occurrence) = first else { return Err(StoreError::Corrupt("a meeting without a time".into())) };
            for person in &new.attendees {
                sqlx::query("INSERT INTO meeting_attendees (meeting_id, person_id, added_at) VALUES ($1, $2, $3)")
                    .bind(meeting)
                    .bind(person.0)
                    .bind(at)
                    .execute(&mut **tx)
                    .await?;
                let (answer, answered_at) =
                    if *person == new.organizer { ("accepted", Some(at)) } else { ("pending", None) };
                // One statement a person, whatever the number of occurrences.
                sqlx::query(
                    "INSERT INTO meeting_rsvps (occurrence_id, person_id, answer, answered_at) \
                     SELECT id, $2, $3, $4 FROM meeting_occurrences WHERE meeting_id = $1 ORDER BY id",
                )
                .bind(meeting)
                .bind(person.0)
                .bind(answer)
                .bind(answered_at)
                .execute(&mut **tx)
                .await?;
            }
            log_event!(&mut **tx, audit, meeting_subject(MeetingId(meeting)), MeetingEvent::Schedule, &new.title)?;
            Ok::<_, StoreError>((meeting, occurrence))
        })?;
        Ok((MeetingId(ids.0), OccurrenceId(ids.1)))
    }

    pub async fn meeting(&mut self, id: MeetingId) -> Result<Option<Meeting>> {
        let row: Option<MeetingRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {MEETING_COLUMNS} {MEETING_FROM} WHERE m.id = $1")))
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await?
        });
        row.map(Meeting::try_from).transpose()
    }

    /// A meeting's occurrences, earliest first.
    pub async fn occurrences(&mut self, id: MeetingId) -> Result<Vec<Occurrence>> {
        let rows: Vec<OccurrenceRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {OCCURRENCE_COLUMNS} FROM meeting_occurrences WHERE meeting_id = $1 ORDER BY starts_at"
            )))
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?
        });
        rows.into_iter().map(occurrence).collect()
    }

    pub async fn occurrence(&mut self, id: OccurrenceId) -> Result<Option<Occurrence>> {
        let row: Option<OccurrenceRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {OCCURRENCE_COLUMNS} FROM meeting_occurrences WHERE id = $1"
            )))
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?
        });
        row.map(occurrence).transpose()
    }

    /// Who is invited to an occurrence, with their answers, the organiser first.
    pub async fn attendees(&mut self, occurrence: OccurrenceId) -> Result<Vec<(i64, Attendee)>> {
        type Row = (i64, i64, String, String, Option<String>);
        let rows: Vec<Row> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT r.id, p.id, p.display_name, r.answer, r.note FROM meeting_rsvps r \
                 JOIN persons p ON p.id = r.person_id WHERE r.occurrence_id = $1 ORDER BY r.id",
            )
            .bind(occurrence.0)
            .fetch_all(&mut **tx)
            .await?
        });
        rows.into_iter()
            .map(|(row, person, name, answer, note)| {
                Ok((
                    row,
                    Attendee {
                        person: PersonName { id: PersonId(person), name },
                        rsvp: parse_column("meeting_rsvps.answer", &answer)?,
                        note,
                    },
                ))
            })
            .collect()
    }

    /// Records `person`'s answer for an occurrence (a new answer replaces the note);
    /// `false` when they are not invited.
    pub async fn answer_meeting(
        &mut self,
        occurrence: OccurrenceId,
        person: PersonId,
        answer: Rsvp,
        audit: Audit,
        meeting: MeetingId,
    ) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE meeting_rsvps SET answer = $3, note = NULL, answered_at = $4 \
                 WHERE occurrence_id = $1 AND person_id = $2",
            )
            .bind(occurrence.0)
            .bind(person.0)
            .bind(answer.as_str())
            .bind(ms(audit.at))
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Rsvp, answer.as_str())?;
            Ok(true)
        })
    }

    /// Adds a note to a decline; `false` when the answer is no longer a decline.
    pub async fn note_decline(&mut self, occurrence: OccurrenceId, person: PersonId, note: &str) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE meeting_rsvps SET note = $3 WHERE occurrence_id = $1 AND person_id = $2 AND answer = 'declined'",
            )
            .bind(occurrence.0)
            .bind(person.0)
            .bind(note)
            .execute(&mut **tx)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Cancels a scheduled meeting and its occurrences; `false` when it was not
    /// scheduled (cancelled already, by someone else at the same moment).
    pub async fn cancel_meeting(&mut self, id: MeetingId, reason: &str, audit: Audit) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 \
                 WHERE id = $1 AND status = 'scheduled'",
            )
            .bind(id.0)
            .bind(ms(audit.at))
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("UPDATE meeting_occurrences SET status = 'cancelled' WHERE meeting_id = $1")
                .bind(id.0)
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, meeting_subject(id), MeetingEvent::Cancel, reason)?;
            Ok(true)
        })
    }

    /// What any of `people` already does during one of `spans` (earliest first): the
    /// scheduled meetings (other than `except`) they have not declined, and their own
    /// schedule entries. One query each, whatever the number of people or spans.
    pub async fn conflicts(
        &mut self,
        people: &[PersonId],
        spans: &[Span],
        except: Option<MeetingId>,
    ) -> Result<Vec<Conflict>> {
        let (Some((from, _)), Some(to)) = (spans.first(), spans.iter().map(|(_, end)| *end).max()) else {
            return Ok(Vec::new());
        };
        if people.is_empty() {
            return Ok(Vec::new());
        }
        // Who, the entry's kind ('' for a meeting), what (a meeting's title and number, an
        // entry's note), when.
        type Row = (String, String, String, i64, i64);
        let meetings = format!(
            "SELECT p.display_name, CAST('' AS TEXT), m.title || ' (#' || m.id || ')', o.starts_at, o.ends_at \
             FROM meeting_rsvps r \
             JOIN meeting_occurrences o ON o.id = r.occurrence_id JOIN meetings m ON m.id = o.meeting_id \
             JOIN persons p ON p.id = r.person_id \
             WHERE r.answer <> 'declined' AND o.status = 'scheduled' AND o.starts_at < $2 AND o.ends_at > $1 \
             AND m.id <> $3 AND r.person_id IN ({}) ORDER BY o.starts_at",
            placeholders(4, people.len())
        );
        let entries = format!(
            "SELECT p.display_name, e.kind, e.note, e.starts_at, e.ends_at \
             FROM schedule_entries e JOIN persons p ON p.id = e.person_id \
             WHERE e.starts_at < $2 AND e.ends_at > $1 AND e.person_id IN ({}) ORDER BY e.starts_at",
            placeholders(3, people.len())
        );
        let mut out = Vec::new();
        for (sql, except) in [(meetings, Some(except.map_or(0, |m| m.0))), (entries, None)] {
            let rows: Vec<Row> = with_tx!(self, |tx| {
                let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(ms(*from)).bind(ms(to));
                if let Some(except) = except {
                    query = query.bind(except);
                }
                for person in people {
                    query = query.bind(person.0);
                }
                query.fetch_all(&mut **tx).await?
            });
            out.extend(
                rows.into_iter()
                    .map(|(person, kind, what, starts_at, ends_at)| Conflict {
                        person,
                        what,
                        kind: kind.parse().ok(),
                        starts_at: from_ms(starts_at),
                        ends_at: from_ms(ends_at),
                    })
                    .filter(|c| overlaps(spans, c.starts_at, c.ends_at)),
            );
        }
        out.sort_by(|a, b| (a.starts_at, &a.person).cmp(&(b.starts_at, &b.person)));
        Ok(out)
    }

    /// The occurrences `person` is invited to that end after `after` (and start before
    /// `before`, if given), soonest first.
    pub async fn upcoming_meetings(
        &mut self,
        person: PersonId,
        (after, before): (DateTime<Utc>, Option<DateTime<Utc>>),
        limit: i64,
    ) -> Result<Vec<(Meeting, Occurrence, Rsvp)>> {
        // One query: the meeting comes with each occurrence (an agenda lists up to hundreds).
        let rows: Vec<UpcomingRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {MEETING_COLUMNS}, o.id AS occurrence_id, o.starts_at, o.ends_at, \
                 o.status AS occurrence_status, COALESCE(o.planned_at, o.starts_at) AS planned_at, r.answer \
                 {MEETING_FROM} JOIN meeting_occurrences o ON o.meeting_id = m.id \
                 JOIN meeting_rsvps r ON r.occurrence_id = o.id \
                 WHERE r.person_id = $1 AND o.ends_at > $2 AND o.starts_at < $4 AND o.status = 'scheduled' \
                 ORDER BY o.starts_at LIMIT $3"
            )))
            .bind(person.0)
            .bind(ms(after))
            .bind(limit)
            .bind(before.map_or(i64::MAX, ms))
            .fetch_all(&mut **tx)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                let o = occurrence((
                    row.occurrence_id,
                    row.meeting.id,
                    row.starts_at,
                    row.ends_at,
                    row.occurrence_status,
                    row.planned_at,
                ))?;
                let answer = parse_column("meeting_rsvps.answer", &row.answer)?;
                Ok((Meeting::try_from(row.meeting)?, o, answer))
            })
            .collect()
    }

    /// Moves occurrences: everyone but the organiser answers them again; calendar apps
    /// get a higher SEQUENCE.
    pub async fn move_occurrences(
        &mut self,
        meeting: &Meeting,
        moves: &[(OccurrenceId, Span)],
        audit: Audit,
    ) -> Result<()> {
        let Some((_, (first, _))) = moves.first() else { return Ok(()) };
        let detail = match moves.len() {
            1 => format!("to {}", first.format("%Y-%m-%d %H:%M UTC")),
            n => format!("to {} and {} later times", first.format("%Y-%m-%d %H:%M UTC"), n - 1),
        };
        with_tx!(self, |tx| {
            for (occurrence, (starts_at, ends_at)) in moves {
                sqlx::query("UPDATE meeting_occurrences SET starts_at = $2, ends_at = $3 WHERE id = $1")
                    .bind(occurrence.0)
                    .bind(ms(*starts_at))
                    .bind(ms(*ends_at))
                    .execute(&mut **tx)
                    .await?;
                sqlx::query(
                    "UPDATE meeting_rsvps SET answer = 'pending', note = NULL, answered_at = NULL \
                     WHERE occurrence_id = $1 AND person_id <> $2",
                )
                .bind(occurrence.0)
                .bind(meeting.organizer.id.0)
                .execute(&mut **tx)
                .await?;
            }
            sqlx::query("UPDATE meetings SET sequence = sequence + 1, updated_at = $2 WHERE id = $1")
                .bind(meeting.id.0)
                .bind(ms(audit.at))
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, meeting_subject(meeting.id), MeetingEvent::Move, &detail)?;
        });
        Ok(())
    }

    /// Invites more people to a meeting and its occurrences to come; those already
    /// invited are left as they are. Returns who was added.
    pub async fn invite(
        &mut self,
        meeting: MeetingId,
        people: &[PersonId],
        after: DateTime<Utc>,
        audit: Audit,
    ) -> Result<Vec<PersonId>> {
        let mut added = Vec::new();
        for person in people {
            let fresh = with_tx!(self, |tx| {
                sqlx::query(
                    "INSERT INTO meeting_attendees (meeting_id, person_id, added_at) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(meeting.0)
                .bind(person.0)
                .bind(ms(audit.at))
                .execute(&mut **tx)
                .await?
                .rows_affected()
                    == 1
            });
            if !fresh {
                continue;
            }
            with_tx!(self, |tx| {
                sqlx::query(
                    "INSERT INTO meeting_rsvps (occurrence_id, person_id, answer) \
                     SELECT id, $2, 'pending' FROM meeting_occurrences WHERE meeting_id = $1 AND ends_at > $3",
                )
                .bind(meeting.0)
                .bind(person.0)
                .bind(ms(after))
                .execute(&mut **tx)
                .await?;
                log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Invite, &person.0.to_string())?;
            });
            added.push(*person);
        }
        Ok(added)
    }

    /// Takes someone off a meeting; returns their answers' rows (their invitations), or
    /// `None` when they were not invited.
    pub async fn uninvite(&mut self, meeting: MeetingId, person: PersonId, audit: Audit) -> Result<Option<Vec<i64>>> {
        with_tx!(self, |tx| {
            let done = sqlx::query("DELETE FROM meeting_attendees WHERE meeting_id = $1 AND person_id = $2")
                .bind(meeting.0)
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
            let rows: Vec<(i64,)> = sqlx::query_as(
                "DELETE FROM meeting_rsvps WHERE person_id = $2 \
                 AND occurrence_id IN (SELECT id FROM meeting_occurrences WHERE meeting_id = $1) RETURNING id",
            )
            .bind(meeting.0)
            .bind(person.0)
            .fetch_all(&mut **tx)
            .await?;
            log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Remove, &person.0.to_string())?;
            Ok(Some(rows.into_iter().map(|(id,)| id).collect()))
        })
    }

    /// Takes a room for the rest of the transaction: a second booking of it waits here
    /// until the first commits, then sees it.
    pub async fn lock_room(&mut self, room: &str) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("INSERT INTO meeting_rooms (name) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(room)
                .execute(&mut **tx)
                .await?;
            sqlx::query("UPDATE meeting_rooms SET name = name WHERE name = $1").bind(room).execute(&mut **tx).await?;
        });
        Ok(())
    }

    /// The scheduled meetings (other than `except`) that book `room` during one of
    /// `spans` (earliest first).
    pub async fn room_bookings(
        &mut self,
        room: &str,
        spans: &[Span],
        except: Option<MeetingId>,
    ) -> Result<Vec<Conflict>> {
        let (Some((from, _)), Some(to)) = (spans.first(), spans.iter().map(|(_, end)| *end).max()) else {
            return Ok(Vec::new());
        };
        type Row = (String, i64, String, i64, i64);
        let rows: Vec<Row> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT p.display_name, m.id, m.title, o.starts_at, o.ends_at FROM meetings m \
                 JOIN meeting_occurrences o ON o.meeting_id = m.id JOIN persons p ON p.id = m.organizer_id \
                 WHERE m.room = $1 AND o.status = 'scheduled' AND o.starts_at < $3 AND o.ends_at > $2 AND m.id <> $4 \
                 ORDER BY o.starts_at",
            )
            .bind(room)
            .bind(ms(*from))
            .bind(ms(to))
            .bind(except.map_or(0, |m| m.0))
            .fetch_all(&mut **tx)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(organizer, meeting, title, starts_at, ends_at)| Conflict {
                person: organizer,
                what: format!("{title} (#{meeting})"),
                kind: None,
                starts_at: from_ms(starts_at),
                ends_at: from_ms(ends_at),
            })
            .filter(|c| overlaps(spans, c.starts_at, c.ends_at))
            .collect())
    }

    /// Records `person`'s answer for every occurrence of a meeting still to come (after
    /// `after`); `false` when they are invited to none.
    pub async fn answer_series(
        &mut self,
        meeting: MeetingId,
        person: PersonId,
        after: DateTime<Utc>,
        answer: Rsvp,
        audit: Audit,
    ) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE meeting_rsvps SET answer = $3, note = NULL, answered_at = $4 WHERE person_id = $2 \
                 AND occurrence_id IN (SELECT id FROM meeting_occurrences WHERE meeting_id = $1 AND ends_at > $5 \
                 AND status = 'scheduled')",
            )
            .bind(meeting.0)
            .bind(person.0)
            .bind(answer.as_str())
            .bind(ms(audit.at))
            .bind(ms(after))
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            let detail = format!("{} (every time to come)", answer.as_str());
            log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Rsvp, &detail)?;
            Ok(true)
        })
    }

    /// Calls off occurrences of a series; `false` when none of them was scheduled.
    pub async fn skip_occurrences(
        &mut self,
        meeting: MeetingId,
        occurrences: &[OccurrenceId],
        detail: &str,
        audit: Audit,
    ) -> Result<bool> {
        if occurrences.is_empty() {
            return Ok(false);
        }
        // One statement, however many times a series ends with.
        let sql = format!(
            "UPDATE meeting_occurrences SET status = 'cancelled' WHERE meeting_id = $1 AND status = 'scheduled' \
             AND id IN ({})",
            placeholders(2, occurrences.len())
        );
        let skipped = with_tx!(self, |tx| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(meeting.0);
            for occurrence in occurrences {
                query = query.bind(occurrence.0);
            }
            query.execute(&mut **tx).await?.rows_affected()
        });
        if skipped == 0 {
            return Ok(false);
        }
        with_tx!(self, |tx| {
            sqlx::query("UPDATE meetings SET sequence = sequence + 1, updated_at = $2 WHERE id = $1")
                .bind(meeting.0)
                .bind(ms(audit.at))
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Skip, detail)?;
        });
        Ok(true)
    }

    /// Keeps a meeting's minutes (replacing earlier ones).
    pub async fn keep_minutes(
        &mut self,
        meeting: MeetingId,
        text: &str,
        file: Option<FileId>,
        audit: Audit,
    ) -> Result<()> {
        let author = audit.actor.map_or(0, |p| p.0);
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO meeting_minutes (meeting_id, text, file_id, author_id, at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (meeting_id) DO UPDATE SET text = $2, file_id = $3, author_id = $4, at = $5",
            )
            .bind(meeting.0)
            .bind(text)
            .bind(file.map(|f| f.0))
            .bind(author)
            .bind(ms(audit.at))
            .execute(&mut **tx)
            .await?;
            log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Minutes, text)?;
        });
        Ok(())
    }

    pub async fn minutes(&mut self, meeting: MeetingId) -> Result<Option<Minutes>> {
        let row: Option<(String, Option<i64>, String)> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT n.text, n.file_id, p.display_name FROM meeting_minutes n JOIN persons p ON p.id = n.author_id \
                 WHERE n.meeting_id = $1",
            )
            .bind(meeting.0)
            .fetch_optional(&mut **tx)
            .await?
        });
        Ok(row.map(|(text, file, author)| Minutes { text, file: file.map(FileId), author }))
    }

    /// Records an action item.
    pub async fn add_action(
        &mut self,
        meeting: MeetingId,
        owner: PersonId,
        due_at: DateTime<Utc>,
        text: &str,
        audit: Audit,
    ) -> Result<i64> {
        let by = audit.actor.map_or(0, |p| p.0);
        with_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO meeting_actions (meeting_id, owner_id, due_at, text, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(meeting.0)
            .bind(owner.0)
            .bind(ms(due_at))
            .bind(text)
            .bind(by)
            .bind(ms(audit.at))
            .fetch_one(&mut **tx)
            .await?;
            log_event!(&mut **tx, audit, meeting_subject(meeting), MeetingEvent::Action, text)?;
            Ok(id)
        })
    }

    /// A meeting's action items, oldest first.
    pub async fn actions(&mut self, meeting: MeetingId) -> Result<Vec<Action>> {
        self.actions_where("a.meeting_id = $1", meeting.0).await
    }

    pub async fn action(&mut self, id: i64) -> Result<Option<Action>> {
        Ok(self.actions_where("a.id = $1", id).await?.pop())
    }

    async fn actions_where(&mut self, condition: &'static str, value: i64) -> Result<Vec<Action>> {
        type Row = (i64, i64, i64, String, i64, String);
        let rows: Vec<Row> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT a.id, a.meeting_id, a.owner_id, p.display_name, a.due_at, a.text FROM meeting_actions a \
                 JOIN persons p ON p.id = a.owner_id WHERE {condition} ORDER BY a.id"
            )))
            .bind(value)
            .fetch_all(&mut **tx)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, meeting, owner, name, due_at, text)| Action {
                id,
                meeting: MeetingId(meeting),
                owner: PersonName { id: PersonId(owner), name },
                due_at: from_ms(due_at),
                text,
            })
            .collect())
    }

    /// Adds an entry to someone's own schedule.
    pub async fn add_entry(
        &mut self,
        person: PersonId,
        kind: EntryKind,
        note: &str,
        (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
        at: DateTime<Utc>,
    ) -> Result<i64> {
        with_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO schedule_entries (person_id, kind, note, starts_at, ends_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(person.0)
            .bind(kind.as_str())
            .bind(note)
            .bind(ms(starts_at))
            .bind(ms(ends_at))
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await?;
            Ok(id)
        })
    }

    /// `person`'s entries that end after `after`, soonest first.
    pub async fn entries(&mut self, person: PersonId, after: DateTime<Utc>, limit: i64) -> Result<Vec<Entry>> {
        let rows: Vec<(i64, String, String, i64, i64)> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT id, kind, note, starts_at, ends_at FROM schedule_entries \
                 WHERE person_id = $1 AND ends_at > $2 ORDER BY starts_at LIMIT $3",
            )
            .bind(person.0)
            .bind(ms(after))
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        });
        rows.into_iter()
            .map(|(id, kind, note, starts_at, ends_at)| {
                Ok(Entry {
                    id,
                    kind: parse_column("schedule_entries.kind", &kind)?,
                    note,
                    starts_at: from_ms(starts_at),
                    ends_at: from_ms(ends_at),
                })
            })
            .collect()
    }

    /// Removes one of `person`'s entries; `false` when they have no such entry.
    pub async fn remove_entry(&mut self, person: PersonId, id: i64) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query("DELETE FROM schedule_entries WHERE id = $1 AND person_id = $2")
                .bind(id)
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The people of a department named (ignoring case); `None` when there is none.
    pub async fn department_members(&mut self, name: &str) -> Result<Option<Vec<PersonId>>> {
        let dept: Option<(i64,)> = with_tx!(self, |tx| {
            sqlx::query_as("SELECT id FROM departments WHERE name_key = $1")
                .bind(name.to_lowercase())
                .fetch_optional(&mut **tx)
                .await?
        });
        let Some((dept,)) = dept else { return Ok(None) };
        let members: Vec<(i64,)> = with_tx!(self, |tx| {
            sqlx::query_as("SELECT id FROM persons WHERE dept_id = $1 ORDER BY id")
                .bind(dept)
                .fetch_all(&mut **tx)
                .await?
        });
        Ok(Some(members.into_iter().map(|(id,)| PersonId(id)).collect()))
    }

    /// Keeps a meeting that waits for its organiser's "schedule anyway".
    pub async fn create_meeting_draft(&mut self, organizer: PersonId, plan: &str, at: DateTime<Utc>) -> Result<i64> {
        with_tx!(self, |tx| {
            // Drafts nobody confirmed within a day are gone.
            sqlx::query("DELETE FROM meeting_drafts WHERE created_at < $1")
                .bind(ms(at - chrono::Duration::days(1)))
                .execute(&mut **tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO meeting_drafts (organizer_id, plan, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(organizer.0)
            .bind(plan)
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await?;
            Ok(id)
        })
    }

    /// Takes a draft (once): its organiser and plan.
    pub async fn take_meeting_draft(&mut self, id: i64) -> Result<Option<(PersonId, String)>> {
        let row: Option<(i64, String)> = with_tx!(self, |tx| {
            sqlx::query_as("DELETE FROM meeting_drafts WHERE id = $1 RETURNING organizer_id, plan")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
        });
        Ok(row.map(|(p, plan)| (PersonId(p), plan)))
    }
}

impl MeetingStatus {
    pub fn is_on(self) -> bool {
        self == MeetingStatus::Scheduled
    }
}

/// Someone's calendar settings and what finding them a time or a digest needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub person: PersonName,
    pub tz: Option<chrono_tz::Tz>,
    /// Their own working hours; `None`: the config's.
    pub hours: Option<WorkHours>,
    /// On, off, or `None`: as the config says.
    pub digest: Option<bool>,
    pub digest_next_at: Option<DateTime<Utc>>,
}

type CalendarRow = (i64, String, Option<String>, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

const CALENDAR_SELECT: &str = "SELECT p.id, p.display_name, p.tz, c.work_days, c.work_from, c.work_to, c.digest, \
     c.digest_next_at FROM persons p LEFT JOIN meeting_prefs c ON c.person_id = p.id";

fn calendar((person, name, tz, days, from, to, digest, next): CalendarRow) -> Calendar {
    let hours = match (days, from, to) {
        (Some(days), Some(from), Some(to)) => WorkHours::from_kept(&days, from, to),
        _ => None,
    };
    Calendar {
        person: PersonName { id: PersonId(person), name },
        // A zone no longer known reads as none: the config's is used.
        tz: tz.and_then(|z| z.parse().ok()),
        hours,
        digest: digest.map(|d| d != 0),
        digest_next_at: next.map(from_ms),
    }
}

impl Tx {
    /// The calendars of `people` (in no particular order).
    pub async fn calendars(&mut self, people: &[PersonId]) -> Result<Vec<Calendar>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{CALENDAR_SELECT} WHERE p.id IN ({})", placeholders(1, people.len()));
        let rows: Vec<CalendarRow> = with_tx!(self, |tx| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for person in people {
                query = query.bind(person.0);
            }
            query.fetch_all(&mut **tx).await?
        });
        Ok(rows.into_iter().map(calendar).collect())
    }

    /// People whose next digest is not planned yet (new people), at most `limit`.
    pub async fn unplanned_digests(&mut self, limit: i64) -> Result<Vec<Calendar>> {
        let rows: Vec<CalendarRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CALENDAR_SELECT} WHERE c.digest_next_at IS NULL ORDER BY p.id LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        });
        Ok(rows.into_iter().map(calendar).collect())
    }

    /// People whose digest is due by `now`, earliest first, at most `limit`.
    pub async fn due_digests(&mut self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Calendar>> {
        let rows: Vec<CalendarRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{CALENDAR_SELECT} WHERE c.digest_next_at <= $1 ORDER BY c.digest_next_at LIMIT $2"
            )))
            .bind(ms(now))
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        });
        Ok(rows.into_iter().map(calendar).collect())
    }

    async fn ensure_prefs(&mut self, person: PersonId) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("INSERT INTO meeting_prefs (person_id) VALUES ($1) ON CONFLICT DO NOTHING")
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    /// When someone's next digest is due.
    pub async fn plan_digest(&mut self, person: PersonId, next: Option<DateTime<Utc>>) -> Result<()> {
        self.ensure_prefs(person).await?;
        with_tx!(self, |tx| {
            sqlx::query("UPDATE meeting_prefs SET digest_next_at = $2 WHERE person_id = $1")
                .bind(person.0)
                .bind(next.map(ms))
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    /// Turns someone's digest on or off.
    pub async fn set_digest(&mut self, person: PersonId, on: bool) -> Result<()> {
        self.ensure_prefs(person).await?;
        with_tx!(self, |tx| {
            sqlx::query("UPDATE meeting_prefs SET digest = $2 WHERE person_id = $1")
                .bind(person.0)
                .bind(i64::from(on))
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    /// Sets someone's working hours (`None`: back to the config's).
    pub async fn set_work_hours(&mut self, person: PersonId, hours: Option<&WorkHours>) -> Result<()> {
        self.ensure_prefs(person).await?;
        with_tx!(self, |tx| {
            sqlx::query("UPDATE meeting_prefs SET work_days = $2, work_from = $3, work_to = $4 WHERE person_id = $1")
                .bind(person.0)
                .bind(hours.map(|h| hours::days_text(&h.days)))
                .bind(hours.map(|h| hours::minutes(h.from)))
                .bind(hours.map(|h| hours::minutes(h.to)))
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    /// Someone's iCal feed token, if they have one.
    pub async fn feed_token(&mut self, person: PersonId) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = with_tx!(self, |tx| {
            sqlx::query_as("SELECT feed_token FROM meeting_prefs WHERE person_id = $1")
                .bind(person.0)
                .fetch_optional(&mut **tx)
                .await?
        });
        Ok(row.and_then(|(token,)| token))
    }

    /// Gives someone a new feed token (the old one stops working).
    pub async fn set_feed_token(&mut self, person: PersonId, token: &str) -> Result<()> {
        self.ensure_prefs(person).await?;
        with_tx!(self, |tx| {
            sqlx::query("UPDATE meeting_prefs SET feed_token = $2 WHERE person_id = $1")
                .bind(person.0)
                .bind(token)
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    /// Times `people` are busy within `[from, to)`: meetings they have not declined and
    /// their schedule entries.
    pub async fn busy(&mut self, people: &[PersonId], (from, to): Span) -> Result<Vec<(PersonId, Span)>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let ids = placeholders(3, people.len());
        let sql = format!(
            "SELECT r.person_id, o.starts_at, o.ends_at FROM meeting_rsvps r \
             JOIN meeting_occurrences o ON o.id = r.occurrence_id \
             WHERE r.answer <> 'declined' AND o.status = 'scheduled' AND o.starts_at < $2 AND o.ends_at > $1 \
             AND r.person_id IN ({ids}) \
             UNION ALL SELECT e.person_id, e.starts_at, e.ends_at FROM schedule_entries e \
             WHERE e.starts_at < $2 AND e.ends_at > $1 AND e.person_id IN ({ids})"
        );
        let rows: Vec<(i64, i64, i64)> = with_tx!(self, |tx| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ms(from)).bind(ms(to));
            for person in people {
                query = query.bind(person.0);
            }
            query.fetch_all(&mut **tx).await?
        });
        Ok(rows.into_iter().map(|(p, a, b)| (PersonId(p), (from_ms(a), from_ms(b)))).collect())
    }
}

/// The person whose feed a token opens.
impl crate::store::Store {
    pub async fn feed_owner(&self, token: &str) -> Result<Option<PersonId>> {
        let row: Option<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT person_id FROM meeting_prefs WHERE feed_token = $1")
                .bind(token)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(p,)| PersonId(p)))
    }
}

impl Tx {
    /// The meetings held in `[from, to)` (occurrences neither cancelled nor of a
    /// cancelled meeting, starting then) and what their invitations were answered.
    pub async fn meeting_attendance(&mut self, (from, to): (DateTime<Utc>, DateTime<Utc>)) -> Result<Attendance> {
        let (held, invited, accepted, declined): (i64, i64, i64, i64) = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT COUNT(DISTINCT o.id), COUNT(r.id), \
                 COALESCE(SUM(CASE WHEN r.answer = 'accepted' THEN 1 ELSE 0 END), 0), \
                 COALESCE(SUM(CASE WHEN r.answer = 'declined' THEN 1 ELSE 0 END), 0) \
                 FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id \
                 LEFT JOIN meeting_rsvps r ON r.occurrence_id = o.id \
                 WHERE o.status = 'scheduled' AND m.status = 'scheduled' AND o.starts_at >= $1 AND o.starts_at < $2",
            )
            .bind(ms(from))
            .bind(ms(to))
            .fetch_one(&mut **tx)
            .await?
        });
        Ok(Attendance { held, invited, accepted, declined })
    }

    /// The meetings `person` is invited to with a time ending after `since` (newest
    /// first, at most `limit`), each with all its occurrences: two queries.
    pub async fn feed_meetings(
        &mut self,
        person: PersonId,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(Meeting, Vec<Occurrence>)>> {
        let rows: Vec<MeetingRow> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {MEETING_COLUMNS} {MEETING_FROM} JOIN meeting_attendees a ON a.meeting_id = m.id \
                 WHERE a.person_id = $1 AND EXISTS (SELECT 1 FROM meeting_occurrences o WHERE o.meeting_id = m.id \
                 AND o.ends_at > $2) ORDER BY m.id DESC LIMIT $3"
            )))
            .bind(person.0)
            .bind(ms(since))
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        });
        let meetings: Vec<Meeting> = rows.into_iter().map(Meeting::try_from).collect::<Result<_>>()?;
        if meetings.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {OCCURRENCE_COLUMNS} FROM meeting_occurrences WHERE meeting_id IN ({}) ORDER BY starts_at",
            placeholders(1, meetings.len())
        );
        let rows: Vec<OccurrenceRow> = with_tx!(self, |tx| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for m in &meetings {
                query = query.bind(m.id.0);
            }
            query.fetch_all(&mut **tx).await?
        });
        let mut occurrences: Vec<Occurrence> = rows.into_iter().map(occurrence).collect::<Result<_>>()?;
        Ok(meetings
            .into_iter()
            .map(|m| {
                let (mine, rest): (Vec<Occurrence>, Vec<Occurrence>) =
                    std::mem::take(&mut occurrences).into_iter().partition(|o| o.meeting == m.id);
                occurrences = rest;
                (m, mine)
            })
            .collect())
    }
}
