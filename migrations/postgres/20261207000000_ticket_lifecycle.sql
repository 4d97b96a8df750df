-- The full ticket life: open → claimed → in_progress ⇄ waiting → resolved → closed.
-- Who resolved it and when (a requester may reopen within a window after that).
ALTER TABLE tickets ADD COLUMN resolved_at BIGINT;
ALTER TABLE tickets ADD COLUMN resolved_by_id BIGINT REFERENCES persons(id);
