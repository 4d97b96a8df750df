-- Meetings: a meeting (one, or later a series) takes place in occurrences; each attendee
-- answers each occurrence.
CREATE TABLE meetings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    organizer_id  INTEGER NOT NULL REFERENCES persons(id),
    -- The organiser's zone when it was scheduled (an IANA name): its times are theirs.
    tz            TEXT NOT NULL,
    link          TEXT,
    agenda        TEXT,
    -- The channel group its notices go to.
    channel       TEXT,
    -- The room it books (a [[meetings.rooms]] name, as configured).
    room          TEXT,
    -- Reminder offsets before each occurrence, in minutes, as a JSON array.
    reminders     TEXT NOT NULL,
    -- scheduled, cancelled
    status        TEXT NOT NULL,
    -- Raised by every change (iCal SEQUENCE).
    sequence      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE meeting_occurrences (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    -- scheduled, cancelled
    status      TEXT NOT NULL
);
CREATE INDEX meeting_occurrences_by_meeting ON meeting_occurrences (meeting_id, starts_at);
CREATE INDEX meeting_occurrences_by_time ON meeting_occurrences (starts_at, ends_at);
CREATE INDEX meetings_by_room ON meetings (room) WHERE room IS NOT NULL;

CREATE TABLE meeting_attendees (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX meeting_attendees_by_person ON meeting_attendees (person_id, meeting_id);

-- Each attendee's answer for each occurrence; the row's id names their invitation.
CREATE TABLE meeting_rsvps (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    occurrence_id  INTEGER NOT NULL REFERENCES meeting_occurrences(id),
    person_id      INTEGER NOT NULL REFERENCES persons(id),
    -- pending, accepted, tentative, declined
    answer         TEXT NOT NULL,
    note           TEXT,
    answered_at    INTEGER,
    UNIQUE (occurrence_id, person_id)
);
CREATE INDEX meeting_rsvps_by_person ON meeting_rsvps (person_id, occurrence_id);

-- What was decided (kept once per meeting, the latest wins) and who must do what by when.
CREATE TABLE meeting_minutes (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) PRIMARY KEY,
    text        TEXT NOT NULL,
    -- A file that came with them (the core's files table).
    file_id     INTEGER REFERENCES files(id),
    author_id   INTEGER NOT NULL REFERENCES persons(id),
    at          INTEGER NOT NULL
);

CREATE TABLE meeting_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    owner_id    INTEGER NOT NULL REFERENCES persons(id),
    due_at      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES persons(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX meeting_actions_by_meeting ON meeting_actions (meeting_id, id);
CREATE INDEX meeting_actions_by_owner ON meeting_actions (owner_id, due_at);

-- Someone's own schedule: time they are busy or away, which meetings booked then clash with.
CREATE TABLE schedule_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    -- busy, away
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX schedule_entries_by_person ON schedule_entries (person_id, starts_at);

-- One row per room ever booked: a booking first takes its room's row, so two bookings
-- of one room at the same moment are made one after the other and never overlap.
CREATE TABLE meeting_rooms (
    name  TEXT PRIMARY KEY
);

-- A meeting waiting for its organiser to confirm it despite conflicts.
CREATE TABLE meeting_drafts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    organizer_id  INTEGER NOT NULL REFERENCES persons(id),
    -- What to schedule, as JSON.
    plan          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
