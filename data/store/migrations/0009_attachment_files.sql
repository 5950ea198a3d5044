-- Files the district shipped with content in signed bundles (blank forms,
-- posters), checked against the SHA-256 and size the content gives before
-- they were stored. path is the bundle path the content refers to
-- ("files/" + sha256 + extension). Stored with the changes that refer to
-- them, in the bundle's transaction; Sweep removes those no content
-- refers to any more.
CREATE TABLE attachment_file (
	path   TEXT PRIMARY KEY,
	sha256 TEXT NOT NULL,
	type   TEXT NOT NULL,
	size   INTEGER NOT NULL,
	data   BLOB NOT NULL
) STRICT;
