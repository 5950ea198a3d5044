-- Opening hours by week instead of by provider: providers with the same
-- week (most shops keep one of a few) share its rows, and the provider row
-- names its week by a key that spells the rows out, "weekday:start-end"
-- per row in order, separated by spaces (store.hoursKey). Applying a
-- provider then writes one short column instead of about eight rows in two
-- B-trees. "Open now" stays an indexed query: the rows open at a moment
-- through hours_spans_open, their providers through provider_by_hours.
-- Rows follow the same rules as before: within one day, start inclusive,
-- end exclusive; a span past midnight is two rows.
CREATE TABLE hours_spans (
	hours     TEXT NOT NULL,
	weekday   INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 = Sunday, as time.Weekday
	start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
	end_min   INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),
	CHECK (start_min < end_min),
	PRIMARY KEY (hours, weekday, start_min)
) WITHOUT ROWID;

ALTER TABLE provider ADD COLUMN hours TEXT; -- NULL: no opening hours
UPDATE provider SET hours = (
	SELECT group_concat(weekday || ':' || start_min || '-' || end_min, ' ' ORDER BY weekday, start_min)
	FROM provider_hours WHERE provider_id = provider.id);
INSERT INTO hours_spans(hours, weekday, start_min, end_min)
	SELECT DISTINCT p.hours, h.weekday, h.start_min, h.end_min
	FROM provider p JOIN provider_hours h ON h.provider_id = p.id;
DROP TABLE provider_hours;

CREATE INDEX hours_spans_open ON hours_spans(weekday, start_min, end_min, hours);
CREATE INDEX provider_by_hours ON provider(hours);
