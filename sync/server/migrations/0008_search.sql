-- The website's search (docs/WEB.md, "Search"): the searchable text of
-- every live notice, catalogue entry, service item, provider and
-- consultation, with its scope, written in the same transaction as the
-- item (PutItem), and a contentless trigram FTS5 index over it. Text is
-- derived in Go (data.SearchText), so items already published when this
-- migration runs are indexed when the database is opened. The same rows
-- carry what a street's home lists (sort, category, opens), so the home
-- reads only what it shows.
CREATE TABLE search_docs (
	rowid  INTEGER PRIMARY KEY,
	kind   TEXT NOT NULL,
	id     TEXT NOT NULL,
	street TEXT NOT NULL,            -- '' for district-wide
	title  TEXT NOT NULL,
	text   TEXT NOT NULL,
	-- notices: 1 if pinned, else 0, then the publication date; catalogue
	-- entries: the publication date; consultations: the closing date.
	sort     TEXT NOT NULL,
	category TEXT NOT NULL,          -- services and providers
	opens    TEXT NOT NULL,          -- consultations: the opening date
	UNIQUE (kind, id)
) STRICT;
CREATE INDEX search_docs_street ON search_docs(street, rowid);
CREATE INDEX search_docs_sort ON search_docs(kind, street, sort, id, opens);

-- How many search documents each (kind, scope, category) has, kept with
-- them, so that the home's counts by category read a handful of rows.
CREATE TABLE search_counts (
	kind     TEXT NOT NULL,
	street   TEXT NOT NULL,
	category TEXT NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (kind, street, category)
) STRICT;

CREATE VIRTUAL TABLE search_fts USING fts5(
	title, text, content='', contentless_delete=1, tokenize='trigram'
);
