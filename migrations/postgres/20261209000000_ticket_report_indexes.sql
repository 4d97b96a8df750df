-- The tickets report reads what happened in a span: each moment it looks at has an index,
-- so a month's report reads that month's tickets, not every ticket ever opened.
CREATE INDEX tickets_by_created ON tickets (created_at);
CREATE INDEX tickets_by_first_response ON tickets (first_response_at);
CREATE INDEX tickets_by_resolved ON tickets (resolved_at);
CREATE INDEX ticket_ratings_by_time ON ticket_ratings (rated_at);
