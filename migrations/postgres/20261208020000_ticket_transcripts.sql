-- The transcript of a closed ticket's public conversation (an HTML page), as made when it
-- closed; made again if it is reopened and closed once more.
CREATE TABLE ticket_transcripts (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id),
    html       TEXT NOT NULL,
    made_at    BIGINT NOT NULL
);
