-- Files people sent with a command or an answer (a quote on a purchase request), kept
-- so they can be shown again and passed on to whoever must see them. Features point at
-- them by id.
CREATE TABLE files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uploader_id  INTEGER NOT NULL REFERENCES persons(id),
    name         TEXT NOT NULL,
    mime         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    created_at   INTEGER NOT NULL
);

-- A question that takes a file as its answer (a document a request lacks).
ALTER TABLE prompts ADD COLUMN takes_files INTEGER NOT NULL DEFAULT 0;
