-- Street staff: their accounts from the feed, the count of wrong PINs and
-- the lock, and the edits made on this kiosk that wait for the district.

CREATE TABLE staff (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	street  TEXT NOT NULL DEFAULT '',
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL
);
CREATE INDEX staff_by_name ON staff(name, id);

-- Kept by account id, apart from the account's row, so that a refetch of
-- the feed does not unlock an account.
CREATE TABLE staff_signin (
	staff_id     TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL DEFAULT 0, -- wrong PINs since the last success or lock
	locked_until INTEGER NOT NULL DEFAULT 0  -- Unix milliseconds; 0 when not locked
);

-- One row per content item with a staff edit that the district has not
-- taken yet. The content table shows the edit; this row keeps the
-- district's own version of the item (dist_*, the newest one the feed
-- brought, NULL body when absent or deleted), so that a feed change never
-- overwrites the waiting edit, and dropping the edit restores it.
CREATE TABLE staff_waiting (
	kind          TEXT NOT NULL,
	id            TEXT NOT NULL,
	outbox_id     TEXT NOT NULL, -- the latest edit's outbox item
	op            TEXT NOT NULL, -- the latest edit's op
	body          TEXT,          -- the latest edit's item, NULL for a delete
	local_version INTEGER NOT NULL, -- the version the edit will have at the district
	dist_version  INTEGER NOT NULL,
	dist_body     TEXT,
	PRIMARY KEY (kind, id)
);
CREATE INDEX staff_waiting_by_outbox ON staff_waiting(outbox_id);
