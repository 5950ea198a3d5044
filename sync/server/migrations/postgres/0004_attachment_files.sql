-- Files the district ships with content (blank forms, posters), added with
-- `districtd attach`. Content-addressed: path is "files/" + the SHA-256 in
-- lower hex + the extension of the type sniffed from the bytes, so the
-- same bytes are stored once. Content refers to them by path, and bundles
-- carry each file referred to by the changes they carry.
CREATE TABLE files (
	path     TEXT PRIMARY KEY,
	sha256   TEXT NOT NULL UNIQUE,
	type     TEXT NOT NULL,  -- application/pdf, image/png or image/jpeg
	size     BIGINT NOT NULL,
	name     TEXT NOT NULL,  -- the file's name when it was added, for the admin
	added_at BIGINT NOT NULL,
	data     BYTEA NOT NULL
);
