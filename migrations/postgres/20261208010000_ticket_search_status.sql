-- Each ticket's status in its search document, as the word `~open` (weight D; no word
-- Deskmate indexes starts with `~`), so a search filtered by status is narrowed by the
-- GIN index itself instead of reading every match's ticket. PostgreSQL only: on SQLite the
-- filter after the match is fast enough.
UPDATE ticket_search s SET doc = s.doc || setweight(array_to_tsvector(ARRAY['~' || t.status]), 'D')
FROM tickets t WHERE t.id = s.ticket_id;
