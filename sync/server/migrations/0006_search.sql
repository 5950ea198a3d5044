-- The website's search (docs/WEB.md, "Search"): the searchable text of
-- every live notice, catalogue entry, service item, provider and
-- consultation, with its scope, written in the same transaction as the
-- item (PutItem), and a contentless trigram FTS5 index over it. Text is
-- derived in Go (data.SearchText), so items already published when this
-- migration runs are indexed when the database is opened.
CREATE TABLE search_docs (
	rowid  INTEGER PRIMARY KEY,
	kind   TEXT NOT NULL,
	id     TEXT NOT NULL,
	street TEXT NOT NULL,            -- '' for district-wide
	title  TEXT NOT NULL,
	text   TEXT NOT NULL,
	UNIQUE (kind, id)
) STRICT;
CREATE INDEX search_docs_street ON search_docs(street, rowid);

CREATE VIRTUAL TABLE search_fts USING fts5(
	title, text, content='', contentless_delete=1, tokenize='trigram'
);
