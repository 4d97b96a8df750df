-- The business hours each ticket calendar had when Deskmate last started ('' is the help
-- desk's, else a category's own), so a change in the config moves the running deadlines.
CREATE TABLE ticket_calendars (
    name  TEXT PRIMARY KEY,
    spec  TEXT NOT NULL
);
