-- Failed tries of tracking a case from the website or a kiosk that does
-- not hold it (Platform.Track): one row per failure, keyed by the
-- reference ("ref:" and the reference without dashes) and by who asked
-- ("client:" and a hash of the client address, or the kiosk). Rows older
-- than the lockout window are removed as new failures come. See
-- docs/WEB.md, "Tracking".
CREATE TABLE track_failures (
	key TEXT NOT NULL,
	at  BIGINT NOT NULL
);
CREATE INDEX track_failures_by_key ON track_failures(key, at);

-- The district's settings that serve sets: "public_url", the website's
-- base address (districtd serve --public-url), which each street item
-- carries as its website. See docs/ARCHITECTURE.md.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
