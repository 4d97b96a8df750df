-- Inbound events already applied, by platform and event id, so a re-delivered update
-- (a Telegram update read again after a crash, a retried webhook) changes nothing twice.
-- Rows older than a week are pruned.
CREATE TABLE processed_events (
    event_key     TEXT PRIMARY KEY,
    processed_at  INTEGER NOT NULL
);
CREATE INDEX processed_events_by_age ON processed_events (processed_at);
