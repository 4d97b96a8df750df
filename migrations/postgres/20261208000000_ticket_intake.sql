-- Where a ticket came from when nobody typed it as a command: the group message a 🎫
-- reaction turned into it, one ticket a message, with a link back to the message.
CREATE TABLE ticket_sources (
    platform    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    ticket_id   BIGINT NOT NULL REFERENCES tickets(id),
    link        TEXT,
    PRIMARY KEY (platform, channel_id, message_id)
);
CREATE INDEX ticket_sources_by_ticket ON ticket_sources (ticket_id);

-- What someone began to ask for and has not finished: a direct message waiting for "new
-- ticket or add to #12?", or a panel's title waiting for its description. Kept a day.
CREATE TABLE ticket_drafts (
    id          BIGSERIAL PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES persons(id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    category    TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX ticket_drafts_by_time ON ticket_drafts (created_at);
