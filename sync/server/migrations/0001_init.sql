-- The district platform's schema. Times are Unix milliseconds, UTC.

CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;
INSERT INTO counters(name, value) VALUES ('seq', 0);

-- The current state of everything kiosks can pull: content by (kind, id),
-- and each case's view for its filing kiosk.
CREATE TABLE items (
	kind    TEXT NOT NULL,
	id      TEXT NOT NULL,
	street  TEXT NOT NULL,           -- '' for district-wide
	kiosk   INTEGER NOT NULL,        -- the filing kiosk of a case, 0 for content
	version INTEGER NOT NULL,
	deleted INTEGER NOT NULL,
	body    TEXT,                    -- NULL when deleted
	seq     INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) STRICT;

-- The change feed, compacted: each item keeps only its latest change per
-- scope, so a pull from 0 is the current state plus deletions. seq is
-- given from counters.seq and only ever grows.
CREATE TABLE feed (
	seq     INTEGER PRIMARY KEY,
	kind    TEXT NOT NULL,
	id      TEXT NOT NULL,
	street  TEXT NOT NULL,
	kiosk   INTEGER NOT NULL,
	op      TEXT NOT NULL,
	version INTEGER NOT NULL,
	body    TEXT,
	UNIQUE (kind, id, street, kiosk)
) STRICT;

CREATE TABLE kiosks (
	id         INTEGER PRIMARY KEY,
	street     TEXT NOT NULL,
	name       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the token
	created_at INTEGER NOT NULL,
	revoked_at INTEGER,
	-- set when the district orders the kiosk's street refetched; cleared
	-- when the kiosk pulls from 0
	reset_pending INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The push ledger: every item id once, with the first result.
CREATE TABLE ledger (
	id     TEXT PRIMARY KEY,
	kiosk  INTEGER NOT NULL,
	kind   TEXT NOT NULL,
	hash   TEXT NOT NULL,
	result TEXT NOT NULL,
	at     INTEGER NOT NULL
) STRICT;

CREATE TABLE cases (
	id          TEXT PRIMARY KEY,
	ref         TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL,
	street      TEXT NOT NULL,
	kiosk       INTEGER NOT NULL,
	status      TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	version     INTEGER NOT NULL,
	doc         TEXT NOT NULL
) STRICT;
CREATE INDEX cases_by_street ON cases(street, received_at);
CREATE INDEX cases_by_status ON cases(status, received_at);

CREATE TABLE opinions (
	id           TEXT PRIMARY KEY,
	ref          TEXT NOT NULL,
	consultation TEXT NOT NULL,
	street       TEXT NOT NULL,
	kiosk        INTEGER NOT NULL,
	received_at  INTEGER NOT NULL,
	late         INTEGER NOT NULL,
	doc          TEXT NOT NULL
) STRICT;
CREATE INDEX opinions_by_consultation ON opinions(consultation);

CREATE TABLE ratings (
	id          TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL,
	rating      INTEGER NOT NULL,
	comment     TEXT NOT NULL,
	kiosk       INTEGER NOT NULL,
	received_at INTEGER NOT NULL
) STRICT;
