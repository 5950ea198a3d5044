-- When each kiosk last pulled (seen_at, Unix milliseconds) and the cursor
-- it was handed (NULL: it has not pulled since this migration): what the
-- metrics' gauges read (docs/DEPLOY.md, "Metrics and health"). districtd
-- keeps the latest pull of each kiosk in memory and writes them here in
-- one transaction every few seconds, so a pull stays a read.
ALTER TABLE kiosks ADD COLUMN seen_at INTEGER;
ALTER TABLE kiosks ADD COLUMN cursor INTEGER;
