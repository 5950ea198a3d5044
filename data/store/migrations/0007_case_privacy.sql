-- What tracking needs of a case once its personal data has left the
-- kiosk, kept in columns that the feed's and the settlement's rewrites of
-- doc leave alone:
--   track_ref  the reference as filed on this kiosk, normalised
--              (data.NormalizeReference), which the resident types;
--   phone4     a slow keyed hash of the last four digits of the mobile
--              given, '' when there was none (store.phone4Hash);
--   contact    the contact, masked (张*  138****5678);
--   acked_at   when the district acknowledged the case, by the kiosk's
--              clock (Unix ms): the retention sweep counts from it;
--   rating, rated_at
--              the resident's rating, queued for the district and shown
--              as waiting until the feed brings the case as rated.
ALTER TABLE cases ADD COLUMN track_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN phone4 TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN acked_at INTEGER;
ALTER TABLE cases ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN rated_at INTEGER;
CREATE INDEX cases_by_track_ref ON cases(track_ref);

-- The key of the phone4 hashes: random per kiosk database, never leaves it.
CREATE TABLE kiosk_secret (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	key BLOB NOT NULL
);
INSERT INTO kiosk_secret(id, key) VALUES (1, randomblob(32));

-- Failed tracking attempts per reference (normalised), to limit guessing
-- the four digits: a reference with too many recent failures is refused
-- for a while whether or not it exists.
CREATE TABLE track_failures (
	ref TEXT NOT NULL,
	at  INTEGER NOT NULL -- Unix ms, kiosk clock
);
CREATE INDEX track_failures_by_ref ON track_failures(ref, at);
