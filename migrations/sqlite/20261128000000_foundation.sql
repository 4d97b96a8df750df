-- People, their accounts on each platform, roles and departments.
CREATE TABLE departments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,
    manager_id  INTEGER REFERENCES persons(id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE persons (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name  TEXT NOT NULL,
    tz            TEXT,
    dept_id       INTEGER REFERENCES departments(id),
    manager_id    INTEGER REFERENCES persons(id),
    created_at    INTEGER NOT NULL
);

CREATE TABLE accounts (
    platform      TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    handle        TEXT,
    display_name  TEXT NOT NULL,
    person_id     INTEGER NOT NULL REFERENCES persons(id),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (platform, external_id)
);
CREATE INDEX accounts_by_handle ON accounts (platform, handle);
CREATE INDEX accounts_by_person ON accounts (person_id);

CREATE TABLE person_roles (
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    role       TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
);

CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    expires_at  INTEGER NOT NULL
);

-- Work orders.
CREATE TABLE tickets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    priority      TEXT NOT NULL,
    status        TEXT NOT NULL,
    requester_id  INTEGER NOT NULL REFERENCES persons(id),
    assignee_id   INTEGER REFERENCES persons(id),
    resolution    TEXT,
    platform      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    claimed_at    INTEGER,
    closed_at     INTEGER,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX tickets_by_status ON tickets (status, id);
CREATE INDEX tickets_by_requester ON tickets (requester_id, id);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, id);

-- Messages the bot posted about a subject (e.g. 'ticket:12'), so they can be edited when
-- the subject changes.
CREATE TABLE notices (
    subject       TEXT NOT NULL,
    platform      TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    channel_kind  TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    posted_at     INTEGER NOT NULL,
    PRIMARY KEY (subject, platform, channel_id, message_id)
);

-- Who did what, when, from where. Append-only.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    actor_id  INTEGER REFERENCES persons(id),
    platform  TEXT NOT NULL,
    subject   TEXT NOT NULL,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_subject ON events (subject, id);
