-- A ticket's category ([[tickets.categories]]): its team and queue. NULL: none.
ALTER TABLE tickets ADD COLUMN category TEXT;
CREATE INDEX tickets_by_category ON tickets (category, status, id);

-- Round-robin turns. Each assignment in a category ('' for none) takes the next turn from
-- its counter (whose row lock also orders assignments made at once on several
-- instances); the eligible agent whose last turn is oldest goes next.
CREATE TABLE ticket_turn_counters (
    category  TEXT PRIMARY KEY,
    turn      BIGINT NOT NULL
);
CREATE TABLE ticket_turns (
    category   TEXT NOT NULL,
    person_id  BIGINT NOT NULL REFERENCES persons(id),
    turn       BIGINT NOT NULL,
    PRIMARY KEY (category, person_id)
);
