-- Content: one table per kind. Each row keeps the item's full JSON in doc
-- (what the getters return) next to the few columns that lists filter and
-- sort on, so a list row never has to decode JSON.

CREATE TABLE notice (
	id        TEXT PRIMARY KEY,
	version   INTEGER NOT NULL,
	street    TEXT NOT NULL DEFAULT '',
	title     TEXT NOT NULL,
	category  TEXT NOT NULL DEFAULT '',
	publisher TEXT NOT NULL DEFAULT '',
	published TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD sorts as text
	pinned    INTEGER NOT NULL DEFAULT 0,
	doc       TEXT NOT NULL
);
CREATE INDEX notice_by_date ON notice(pinned DESC, published DESC, id);
CREATE INDEX notice_by_category ON notice(category, pinned DESC, published DESC, id);

CREATE TABLE catalog (
	id        TEXT PRIMARY KEY,
	version   INTEGER NOT NULL,
	street    TEXT NOT NULL DEFAULT '',
	title     TEXT NOT NULL,
	index_no  TEXT NOT NULL DEFAULT '',
	doc_no    TEXT NOT NULL DEFAULT '',
	topic     TEXT NOT NULL DEFAULT '',
	publisher TEXT NOT NULL DEFAULT '',
	published TEXT NOT NULL DEFAULT '',
	doc       TEXT NOT NULL
);
CREATE INDEX catalog_by_date ON catalog(published DESC, id);
CREATE INDEX catalog_by_topic ON catalog(topic, published DESC, id);

CREATE TABLE service (
	id         TEXT PRIMARY KEY,
	version    INTEGER NOT NULL,
	street     TEXT NOT NULL DEFAULT '',
	code       TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL,
	category   TEXT NOT NULL DEFAULT '',
	department TEXT NOT NULL DEFAULT '',
	online     INTEGER NOT NULL DEFAULT 0,
	doc        TEXT NOT NULL
);
CREATE INDEX service_by_name ON service(name, id);
CREATE INDEX service_by_category ON service(category, name, id);

CREATE TABLE provider (
	id       TEXT PRIMARY KEY,
	version  INTEGER NOT NULL,
	street   TEXT NOT NULL DEFAULT '',
	name     TEXT NOT NULL,
	kind     TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	address  TEXT NOT NULL DEFAULT '',
	phone    TEXT NOT NULL DEFAULT '',
	doc      TEXT NOT NULL
);
CREATE INDEX provider_by_category ON provider(category, name, id);
CREATE INDEX provider_by_kind ON provider(kind, category, name, id);

-- Opening hours as rows so that "open now" is an indexed query. A span that
-- runs past midnight is stored as two rows, one on each day, so every row
-- satisfies start_min < end_min and the query is a plain range test.
CREATE TABLE provider_hours (
	provider_id TEXT NOT NULL REFERENCES provider(id) ON DELETE CASCADE,
	weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 = Sunday, as time.Weekday
	start_min   INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
	end_min     INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),
	CHECK (start_min < end_min)
);
CREATE INDEX provider_hours_open ON provider_hours(weekday, start_min, end_min, provider_id);
CREATE INDEX provider_hours_provider ON provider_hours(provider_id);

CREATE TABLE consultation (
	id        TEXT PRIMARY KEY,
	version   INTEGER NOT NULL,
	street    TEXT NOT NULL DEFAULT '',
	title     TEXT NOT NULL,
	publisher TEXT NOT NULL DEFAULT '',
	opens     TEXT NOT NULL DEFAULT '',
	closes    TEXT NOT NULL DEFAULT '',
	doc       TEXT NOT NULL
);
CREATE INDEX consultation_by_closes ON consultation(closes DESC, id);

CREATE TABLE calendar (
	id      TEXT PRIMARY KEY, -- the year as text: the change feed's item id
	version INTEGER NOT NULL,
	street  TEXT NOT NULL DEFAULT '',
	year    INTEGER NOT NULL,
	doc     TEXT NOT NULL
);

CREATE TABLE street (
	id      TEXT PRIMARY KEY, -- the street code
	version INTEGER NOT NULL,
	street  TEXT NOT NULL DEFAULT '',
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL
);

-- Search. search_docs holds the searchable text of every item and is kept in
-- step inside the apply transaction; search_fts is only an index over it and
-- is brought up to date afterwards by the indexer (trigram indexing costs
-- about fifteen times a plain insert). search_pending marks the rowids whose
-- index entry is missing or stale; search reads them directly instead of
-- trusting the index, so it never misses or resurrects an item.
CREATE TABLE search_docs (
	rowid INTEGER PRIMARY KEY,
	kind  TEXT NOT NULL,
	id    TEXT NOT NULL,
	title TEXT NOT NULL,
	text  TEXT NOT NULL,
	UNIQUE (kind, id)
);

-- in_fts records whether search_fts still holds an entry for the rowid, so
-- the indexer deletes only entries that exist: a contentless_delete table
-- records a tombstone for every delete, even of a rowid it never had.
CREATE TABLE search_pending (
	rowid  INTEGER PRIMARY KEY,
	in_fts INTEGER NOT NULL
);

CREATE VIRTUAL TABLE search_fts USING fts5(
	title, text,
	content = '', contentless_delete = 1,
	tokenize = 'trigram'
);

-- Kiosk -> district. The id is generated on the kiosk and doubles as the
-- idempotency key the district deduplicates on. Times are Unix milliseconds
-- of the kiosk's clock, used only to order retries locally.
CREATE TABLE outbox (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	body            TEXT NOT NULL,
	created_at      INTEGER NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(next_attempt_at, created_at);

CREATE TABLE dead_letters (
	id        TEXT PRIMARY KEY,
	kind      TEXT NOT NULL,
	body      TEXT NOT NULL,
	reason    TEXT NOT NULL,
	failed_at INTEGER NOT NULL
);

CREATE TABLE conflicts (
	id             INTEGER PRIMARY KEY,
	item_kind      TEXT NOT NULL,
	item_id        TEXT NOT NULL,
	base_version   INTEGER NOT NULL,
	local          TEXT NOT NULL,
	server         TEXT NOT NULL,
	server_version INTEGER NOT NULL,
	created_at     INTEGER NOT NULL,
	resolved_at    INTEGER
);
CREATE INDEX conflicts_open ON conflicts(resolved_at);

CREATE TABLE sync_state (
	feed         TEXT PRIMARY KEY,
	cursor       INTEGER NOT NULL DEFAULT 0,
	last_sync_at INTEGER -- Unix milliseconds; NULL until a sync has completed
);

-- The resident's own cases as filed on this kiosk; status changes arrive
-- through the feed.
CREATE TABLE cases (
	id           TEXT PRIMARY KEY,
	ref          TEXT NOT NULL,
	kind         TEXT NOT NULL,
	status       TEXT NOT NULL,
	submitted_at INTEGER NOT NULL,
	doc          TEXT NOT NULL
);
CREATE INDEX cases_by_ref ON cases(ref);
CREATE INDEX cases_by_time ON cases(submitted_at DESC);
