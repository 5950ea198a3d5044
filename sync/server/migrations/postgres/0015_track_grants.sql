-- The website's tracking tokens (docs/WEB.md, "Tracking"): after the
-- tracking form, a random token shows one case (in full, or its public
-- part) for 30 minutes. They are kept here, not in a process's memory, so
-- that any districtd replica serving the website finds a token another
-- one gave out. Only the token's SHA-256 is kept; expired rows are
-- removed as new tokens are given.
CREATE TABLE track_grants (
	token_hash  TEXT PRIMARY KEY,
	case_id     TEXT NOT NULL,
	street      TEXT NOT NULL,
	public_only BIGINT NOT NULL,
	expires     BIGINT NOT NULL
);
CREATE INDEX track_grants_by_expiry ON track_grants(expires);
