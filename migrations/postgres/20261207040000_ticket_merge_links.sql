-- A duplicate merged into another ticket (/ticket merge): closed, pointing at it.
ALTER TABLE tickets ADD COLUMN merged_into BIGINT REFERENCES tickets(id);

-- Related tickets (/ticket link), each pair once with the smaller id first.
CREATE TABLE ticket_links (
    low   BIGINT NOT NULL REFERENCES tickets(id),
    high  BIGINT NOT NULL REFERENCES tickets(id),
    PRIMARY KEY (low, high)
);
CREATE INDEX ticket_links_by_high ON ticket_links (high, low);
