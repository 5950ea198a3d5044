-- Content drafts of the back office (docs/ADMIN.md, "Content and
-- review"): an item of a content kind as an editor writes it, outside the
-- feed until a reviewer publishes it. state is draft, pending, scheduled,
-- published, withdrawn or replaced. base_version is the item's version
-- the draft was made from (0 for a new item): a draft is published only
-- onto that version. Times are Unix milliseconds, the district's clock.
CREATE TABLE drafts (
	id                INTEGER PRIMARY KEY,
	kind              TEXT NOT NULL,
	item_id           TEXT NOT NULL,
	street            TEXT NOT NULL,            -- '' for district-wide
	body              TEXT NOT NULL,
	state             TEXT NOT NULL,
	base_version      INTEGER NOT NULL,
	published_version INTEGER NOT NULL DEFAULT 0,
	author_id         INTEGER NOT NULL,
	author            TEXT NOT NULL,
	editor_id         INTEGER NOT NULL,         -- the last to change the body
	editor            TEXT NOT NULL,
	reviewer_id       INTEGER NOT NULL DEFAULT 0,
	reviewer          TEXT NOT NULL DEFAULT '',
	reason            TEXT NOT NULL DEFAULT '', -- the last rejection's
	publish_at        INTEGER,
	expire_at         INTEGER,
	created_at        INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX drafts_by_state ON drafts(state, street, updated_at);
CREATE INDEX drafts_by_item ON drafts(kind, item_id);
CREATE INDEX drafts_due ON drafts(state, publish_at) WHERE publish_at IS NOT NULL;
CREATE INDEX drafts_expiring ON drafts(state, expire_at) WHERE expire_at IS NOT NULL;

-- Every move of a draft: who (0 and '' for the district's scheduler),
-- when, from which state to which, and a note (a rejection's reason).
CREATE TABLE draft_events (
	draft      INTEGER NOT NULL REFERENCES drafts(id),
	at         INTEGER NOT NULL,
	by_id      INTEGER NOT NULL,
	by_name    TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	note       TEXT NOT NULL
) STRICT;
CREATE INDEX draft_events_by_draft ON draft_events(draft, at);

-- The back office lists the staff edits kiosks sent by street.
CREATE INDEX audit_by_action ON audit(action, street, received_at);
