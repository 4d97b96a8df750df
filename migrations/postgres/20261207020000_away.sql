-- Until when someone is away (/away, /back): no tickets are assigned to them meanwhile.
-- NULL: here.
ALTER TABLE persons ADD COLUMN away_until BIGINT;
