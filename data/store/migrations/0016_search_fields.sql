-- The searchable text now has one line per field, empty ones included, so
-- that snippets can name the field they quote (data.SearchFields). Every
-- indexed item is marked for the background indexer, which derives its
-- text again; until then search reads the marked items from their rows.
INSERT OR IGNORE INTO search_queue (kind, id) SELECT kind, id FROM search_docs ORDER BY rowid;
