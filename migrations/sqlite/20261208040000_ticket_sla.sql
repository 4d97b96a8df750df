-- Service levels: when a ticket's first response and its resolution are due (in the
-- business hours of its team), when it was first answered, and, while it waits on its
-- requester, how much business time its resolution had left (the clock is paused then).
ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;
ALTER TABLE tickets ADD COLUMN first_due INTEGER;
ALTER TABLE tickets ADD COLUMN resolve_due INTEGER;
ALTER TABLE tickets ADD COLUMN resolve_left INTEGER;
