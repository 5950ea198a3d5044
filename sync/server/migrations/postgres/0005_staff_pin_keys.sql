-- Each street's staff PIN key: 32 random bytes that key the PIN verifiers
-- published in the street's feed (data/pin). Kiosks get it over the
-- authenticated API, or in bundles wrapped for each kiosk under its token;
-- it never travels in the clear. See docs/ARCHITECTURE.md, "Staff PINs:
-- threat model".
CREATE TABLE pin_keys (
	street     TEXT PRIMARY KEY,
	key        BYTEA NOT NULL CHECK (length(key) = 32),
	created_at BIGINT NOT NULL
);
