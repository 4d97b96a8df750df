-- Meeting series: the rule a meeting repeats by (an RFC 5545 RRULE body, read on the
-- organiser's wall clock; NULL for a meeting that happens once), and for each occurrence
-- the time its rule gave it, which a moved occurrence keeps (iCal RECURRENCE-ID).
ALTER TABLE meetings ADD COLUMN rule TEXT;
ALTER TABLE meeting_occurrences ADD COLUMN planned_at INTEGER;
UPDATE meeting_occurrences SET planned_at = starts_at;
