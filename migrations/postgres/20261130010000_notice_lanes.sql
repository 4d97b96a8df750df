-- The outbox lane a remembered message was sent from: a channel's id, or `dm:<account>`
-- for a direct message (whose channel id a platform may only tell after sending), so an
-- edit queued in that lane finds the messages it is to edit.
ALTER TABLE notices ADD COLUMN lane TEXT;
UPDATE notices SET lane = channel_id;

-- An edit of a subject looks for its messages still waiting in the outbox.
CREATE INDEX outbox_by_subject ON outbox (subject) WHERE subject IS NOT NULL;
