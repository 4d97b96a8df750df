-- Full-text search over tickets (/ticket search): the title, and the body (public
-- conversation and resolution). Deskmate writes the text with Chinese, Japanese and
-- Korean runs split into characters and pairs of characters, so a word of any length in
-- those scripts is found; other words as unicode61 reads them. rowid = the ticket's id.
CREATE VIRTUAL TABLE ticket_search USING fts5(title, body, tokenize = 'unicode61');

-- A search's filters, kept so its page buttons can show the next page to the person who
-- searched.
CREATE TABLE ticket_searches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    filter     TEXT NOT NULL,
    at         INTEGER NOT NULL
);

-- Tickets opened before search existed, indexed by Deskmate at its next start (the text
-- is split in Rust, so SQL cannot index them here); new tickets are indexed as they open.
CREATE TABLE ticket_search_pending (
    ticket_id  BIGINT PRIMARY KEY REFERENCES tickets(id)
);
INSERT INTO ticket_search_pending (ticket_id) SELECT id FROM tickets;
