-- API keys of the Open311 API (docs/OPEN311.md): a civic app or a city
-- hotline system posts requests with one. Only the key's SHA-256 is kept,
-- as for kiosk tokens.
CREATE TABLE api_keys (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	key_hash   TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
) STRICT;
