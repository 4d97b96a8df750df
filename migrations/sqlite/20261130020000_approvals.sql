-- Approvals: a request of a configured type goes through its chain of steps; each step
-- has its approvers. A resubmission starts a new round of steps; old rounds stay as
-- history.
CREATE TABLE approval_requests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    requester_id  INTEGER NOT NULL REFERENCES persons(id),
    -- The fields as a JSON object of their written forms, in the type's order.
    fields        TEXT NOT NULL,
    -- pending, approved, rejected, changes (changes requested), withdrawn
    status        TEXT NOT NULL,
    round         INTEGER NOT NULL,
    -- The position of the current step in the current round.
    step          INTEGER NOT NULL,
    platform      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    decided_at    INTEGER
);
CREATE INDEX approval_requests_by_requester ON approval_requests (requester_id, id);
CREATE INDEX approval_requests_by_status ON approval_requests (status, id);
CREATE INDEX approval_requests_by_time ON approval_requests (created_at, id);

CREATE TABLE approval_steps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL REFERENCES approval_requests(id),
    round       INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL,
    -- one, any, all
    rule        TEXT NOT NULL,
    -- waiting, pending, approved, rejected, changes, cancelled
    status      TEXT NOT NULL,
    -- Why the step went where it went (no manager: the admins), told to the requester.
    note        TEXT,
    started_at  INTEGER,
    decided_at  INTEGER,
    UNIQUE (request_id, round, position)
);

CREATE TABLE approval_approvers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    step_id      INTEGER NOT NULL REFERENCES approval_steps(id),
    request_id   INTEGER NOT NULL REFERENCES approval_requests(id),
    person_id    INTEGER NOT NULL REFERENCES persons(id),
    -- waiting, pending, approved, rejected, changes, passed (another approver decided
    -- the step), cancelled
    state        TEXT NOT NULL,
    decided_by   INTEGER REFERENCES persons(id),
    reason       TEXT,
    -- When it became pending (the order of an approver's list), and decided.
    pending_at   INTEGER,
    decided_at   INTEGER,
    UNIQUE (step_id, person_id)
);
-- An approver's pending list, newest first, without touching other rows.
CREATE INDEX approval_approvers_pending ON approval_approvers (person_id, state, pending_at, id);
CREATE INDEX approval_approvers_by_step ON approval_approvers (step_id);

-- Who decides for whom, until when.
CREATE TABLE approval_delegations (
    person_id    INTEGER NOT NULL REFERENCES persons(id) PRIMARY KEY,
    delegate_id  INTEGER NOT NULL REFERENCES persons(id),
    until        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX approval_delegations_by_delegate ON approval_delegations (delegate_id);

-- A request whose required fields are being asked for one by one.
CREATE TABLE approval_drafts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    requester_id  INTEGER NOT NULL REFERENCES persons(id),
    -- The fields given so far, as approval_requests.fields.
    fields        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
