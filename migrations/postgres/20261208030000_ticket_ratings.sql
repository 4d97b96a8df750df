-- How the requester rated the help they got (1–5), once a ticket: a second press changes
-- the rating. The comment is optional.
CREATE TABLE ticket_ratings (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id),
    person_id  BIGINT NOT NULL REFERENCES persons(id),
    rating     BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment    TEXT,
    rated_at   BIGINT NOT NULL
);
