-- How the requester rated the help they got (1–5), once a ticket: a second press changes
-- the rating. The comment is optional.
CREATE TABLE ticket_ratings (
    ticket_id  INTEGER PRIMARY KEY REFERENCES tickets(id),
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    rating     INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT,
    rated_at   INTEGER NOT NULL
);
