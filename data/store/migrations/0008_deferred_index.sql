-- The first sync of an empty kiosk writes its kind tables without their
-- list indexes and builds them once when the sync is complete (see
-- applybatch.go, deferIndexes). Each dropped index is recorded here in
-- the transaction that drops it, so that whatever stops the sync, the
-- next complete sync, the next Open or RestoreIndexes builds it again.
CREATE TABLE deferred_index (
	name TEXT PRIMARY KEY,
	tbl  TEXT NOT NULL,
	sql  TEXT NOT NULL
);
