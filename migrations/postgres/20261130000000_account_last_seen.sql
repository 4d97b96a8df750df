-- When each account last wrote, so a direct message goes to the messenger its person
-- used last. Written at most once a minute per account.
ALTER TABLE accounts ADD COLUMN last_seen_at BIGINT;
