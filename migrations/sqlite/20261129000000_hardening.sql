-- Who closed a ticket (the notice names them, not the assignee).
ALTER TABLE tickets ADD COLUMN closed_by_id INTEGER REFERENCES persons(id);

-- Wrong /link codes, counted per person and per platform to lock guessing out.
CREATE TABLE link_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    platform   TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX link_failures_by_person ON link_failures (person_id, at);
CREATE INDEX link_failures_by_platform ON link_failures (platform, at);

-- Events whose handling failed with a bug (a panic): answered with an apology and a
-- reference, never applied, kept for an admin to look up by that reference.
CREATE TABLE failed_events (
    event_key  TEXT PRIMARY KEY,
    reference  TEXT NOT NULL,
    error      TEXT NOT NULL,
    at         INTEGER NOT NULL
);
