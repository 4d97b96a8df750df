-- A ticket's conversation: replies between its requester and its agents, and internal
-- notes that no requester ever sees.
CREATE TABLE ticket_messages (
    id         BIGSERIAL PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    author_id  BIGINT NOT NULL REFERENCES persons(id),
    internal   BOOLEAN NOT NULL,
    body       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, id);

-- People who follow a ticket's updates by direct message (/ticket watch).
CREATE TABLE ticket_watchers (
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    person_id  BIGINT NOT NULL REFERENCES persons(id),
    PRIMARY KEY (ticket_id, person_id)
);
CREATE INDEX ticket_watchers_by_person ON ticket_watchers (person_id);

-- Tags (/ticket tag 12 +vpn -printer).
CREATE TABLE ticket_tags (
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    tag        TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_by_tag ON ticket_tags (tag, ticket_id);

-- Canned replies agents send with /reply <name> <ticket> (/canned add|list|remove).
CREATE TABLE canned_replies (
    name        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES persons(id),
    created_at  BIGINT NOT NULL
);
