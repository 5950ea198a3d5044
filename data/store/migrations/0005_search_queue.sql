-- Search documents are no longer written by Apply. Apply marks the items
-- whose searchable text may have changed in search_queue (kind, id); the
-- indexer derives the text from the item's doc, writes search_docs and
-- search_fts together and clears the mark. So a row of search_docs is
-- always in search_fts with the same text, and search reads queued items
-- from their kind table instead of from search_docs or the index.
-- seq is the order of marking: the indexer gives new documents rowids in
-- that order, and search lists queued items newest first by it.
CREATE TABLE search_queue (
	seq  INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	id   TEXT NOT NULL,
	UNIQUE (kind, id)
);

-- Bring rows still pending under the old scheme into the index, so that
-- every search_docs row is indexed, then drop the old marks.
DELETE FROM search_fts WHERE rowid IN (SELECT rowid FROM search_pending WHERE in_fts);
INSERT INTO search_fts(rowid, title, text)
	SELECT d.rowid, d.title, d.text FROM search_pending p JOIN search_docs d ON d.rowid = p.rowid;
DROP TABLE search_pending;
