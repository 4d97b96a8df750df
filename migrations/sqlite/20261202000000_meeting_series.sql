-- Meeting series: the rule a meeting repeats by (an RFC 5545 RRULE body, read on the
-- organiser's wall clock; NULL for a meeting that happens once), and for each occurrence
-- the time its rule gave it, which a moved occurrence keeps (iCal RECURRENCE-ID).
ALTER TABLE meetings ADD COLUMN rule TEXT;
ALTER TABLE meeting_occurrences ADD COLUMN planned_at INTEGER;
UPDATE meeting_occurrences SET planned_at = starts_at;

-- A person's calendar settings: working hours (NULL: the config's), the daily digest
-- (on or off, and when the next one is due: one indexed row a person, not a timer), and
-- the secret token of their iCal feed.
CREATE TABLE meeting_prefs (
    person_id       INTEGER PRIMARY KEY REFERENCES persons(id),
    -- mon,tue,… and minutes after midnight, in the person's zone.
    work_days       TEXT,
    work_from       INTEGER,
    work_to         INTEGER,
    -- 1 on, 0 off, NULL: as the config says.
    digest          INTEGER,
    digest_next_at  INTEGER,
    feed_token      TEXT UNIQUE
);
CREATE INDEX meeting_prefs_digest_due ON meeting_prefs (digest_next_at);
