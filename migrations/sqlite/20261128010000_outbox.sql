-- Every outbound message, written in the same transaction as the change that caused it,
-- then delivered by the dispatcher. A lane is one conversation (a channel, or a DM
-- account): messages in a lane go out in order and at the lane's pace.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key         TEXT NOT NULL UNIQUE,
    platform         TEXT NOT NULL,
    lane             TEXT NOT NULL,
    op               TEXT NOT NULL,
    destination      TEXT NOT NULL,
    body             TEXT NOT NULL,
    subject          TEXT,
    coalesce_kind    TEXT,
    coalesce_label   TEXT,
    priority         INTEGER NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    claimed_by       TEXT,
    claimed_at       INTEGER,
    last_error       TEXT,
    message_id       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_lane ON outbox (platform, lane, state, priority, id);

-- Which instance is sending a lane, until when. A crashed instance's lanes are taken
-- over once its lease expires.
CREATE TABLE outbox_lanes (
    platform    TEXT NOT NULL,
    lane        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, lane)
);
