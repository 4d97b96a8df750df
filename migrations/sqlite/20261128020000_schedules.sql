-- Recurring schedules, synced from the config at start. The next run is kept in UTC;
-- the planner turns due runs into jobs (unique per schedule and time) and moves
-- next_run_at on, in one transaction.
CREATE TABLE schedules (
    name         TEXT PRIMARY KEY,
    cron         TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    job          TEXT NOT NULL,
    args         TEXT NOT NULL,
    catch_up     TEXT NOT NULL,
    next_run_at  INTEGER,
    last_run_at  INTEGER,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_run_at);
