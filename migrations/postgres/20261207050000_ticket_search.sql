-- Full-text search over tickets (/ticket search): the title (weight A) and the body
-- (public conversation and resolution, weight B), as a 'simple' tsvector of the text
-- Deskmate writes with Chinese, Japanese and Korean runs split into characters and pairs
-- of characters, so a word of any length in those scripts is found.
CREATE TABLE ticket_search (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id),
    doc        tsvector NOT NULL
);
CREATE INDEX ticket_search_doc ON ticket_search USING GIN (doc);

-- A search's filters, kept so its page buttons can show the next page to the person who
-- searched.
CREATE TABLE ticket_searches (
    id         BIGSERIAL PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES persons(id),
    filter     TEXT NOT NULL,
    at         BIGINT NOT NULL
);

-- Tickets opened before search existed, indexed by Deskmate at its next start (the text
-- is split in Rust, so SQL cannot index them here); new tickets are indexed as they open.
CREATE TABLE ticket_search_pending (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id)
);
INSERT INTO ticket_search_pending (ticket_id) SELECT id FROM tickets;
