-- When each kiosk last pulled, and from which cursor: what the metrics'
-- fleet gauges read (docs/DEPLOY.md, "Metrics"). districtd keeps the
-- latest pull of each kiosk in memory and writes them here in one
-- transaction every few seconds, so a pull stays a read.
CREATE TABLE kiosk_seen (
	kiosk   INTEGER PRIMARY KEY,
	seen_at INTEGER NOT NULL,
	cursor  INTEGER NOT NULL
) STRICT;
