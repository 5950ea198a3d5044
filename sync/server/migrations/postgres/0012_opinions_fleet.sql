-- The back office's opinions and kiosk fleet (docs/ADMIN.md).
--
-- An opinion's topic, for the counts per topic, and the district's mark
-- on it: adopted, partly or not_adopted with the reason, who marked it
-- and when ('' and NULL until marked).
ALTER TABLE opinions ADD COLUMN topic TEXT NOT NULL DEFAULT '';
UPDATE opinions SET topic = coalesce(doc::jsonb->>'topic', '');
ALTER TABLE opinions ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE opinions ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE opinions ADD COLUMN marked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE opinions ADD COLUMN marked_at BIGINT;
DROP INDEX opinions_by_consultation;
CREATE INDEX opinions_by_consultation ON opinions(consultation, street, received_at);

-- What a kiosk last told the district, written at most once a minute
-- per kiosk on its pulls and pushes: when (seen_at), its app version,
-- its outbox depth and dead letters, and its content cursor (NULL: not
-- reported).
ALTER TABLE kiosks ADD COLUMN seen_at BIGINT;
ALTER TABLE kiosks ADD COLUMN app_version TEXT NOT NULL DEFAULT '';
ALTER TABLE kiosks ADD COLUMN outbox BIGINT;
ALTER TABLE kiosks ADD COLUMN dead_letters BIGINT;
ALTER TABLE kiosks ADD COLUMN cursor BIGINT;
CREATE INDEX kiosks_by_street ON kiosks(street, id);

-- The last signed bundle built of each street (districtd bundle, the
-- snapshots served over HTTP, the back office's download).
CREATE TABLE street_bundles (
	street     TEXT PRIMARY KEY,
	from_seq   BIGINT NOT NULL,
	to_seq     BIGINT NOT NULL,
	changes    BIGINT NOT NULL,
	bytes      BIGINT NOT NULL,
	issued_at  BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	built_at   BIGINT NOT NULL
);
