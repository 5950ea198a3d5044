-- When the retention sweep removed the personal data of a dead letter
-- (Unix ms, kiosk clock); NULL while its body is still as queued. A
-- redacted dead letter keeps its kind, id, reason and time, and of its
-- body only fields that identify nobody (Store.Sweep): it can be
-- discarded, not sent again.
ALTER TABLE dead_letters ADD COLUMN redacted_at INTEGER;
