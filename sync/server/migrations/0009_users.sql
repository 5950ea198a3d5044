-- The back office's staff accounts, their sessions and the back office's
-- audit (docs/ADMIN.md). Roles are a space-separated list; streets a
-- space-separated list of street codes, empty for the whole district.
-- A user is enrolled once password and totp_secret are set; until then
-- enrol_hash (SHA-256 of the one-time enrolment token) and
-- enrol_expires let the enrolment page in. Wrong sign-ins count in
-- failures; the fifth sets locked_until. totp_step is the last TOTP time
-- step accepted, so a code is never taken twice.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	roles         TEXT NOT NULL,
	streets       TEXT NOT NULL DEFAULT '',
	password      TEXT NOT NULL DEFAULT '',
	totp_secret   TEXT NOT NULL DEFAULT '',
	totp_step     INTEGER NOT NULL DEFAULT 0,
	enrol_hash    TEXT,
	enrol_expires INTEGER NOT NULL DEFAULT 0,
	enrol_totp    TEXT NOT NULL DEFAULT '', -- the secret offered during enrolment
	failures      INTEGER NOT NULL DEFAULT 0,
	locked_until  INTEGER NOT NULL DEFAULT 0,
	disabled_at   INTEGER,
	created_at    INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_by_enrol ON users(enrol_hash) WHERE enrol_hash IS NOT NULL;

-- A signed-in user's session: the SHA-256 of its cookie's random token,
-- its CSRF token, and when it was last used (30 minutes idle end it).
-- flash is a one-time message for the next page.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	csrf       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	flash      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_by_user ON sessions(user_id);

-- What back office users did (and were refused): who, when, what, on
-- which object, in which street ('' for none or the district). detail
-- never holds personal data.
CREATE TABLE admin_audit (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	user_id   INTEGER NOT NULL,
	user_name TEXT NOT NULL,
	action    TEXT NOT NULL,
	target    TEXT NOT NULL DEFAULT '',
	street    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX admin_audit_by_time ON admin_audit(at, id);
CREATE INDEX admin_audit_by_user ON admin_audit(user_name, at);
