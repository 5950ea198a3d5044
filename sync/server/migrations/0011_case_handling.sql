-- Case handling in the back office (docs/ADMIN.md, "Cases").
--
-- Each case row carries what the work queue sorts and filters by, so the
-- queue is read from one partial index of the open cases and never
-- touches the closed ones: the street handling the case (assigned: its
-- own street until it is handed over; 'district' for the district), its
-- channel, whether it is open (not completed, rated, refused or merged),
-- and due, its deadline while the deadline runs (data.Case.Running),
-- else '9999-12-31' so that those sort last.
ALTER TABLE cases ADD COLUMN assigned TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN open INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN due TEXT NOT NULL DEFAULT '9999-12-31';
UPDATE cases SET
	assigned = street,
	channel = coalesce(json_extract(doc, '$.channel'), ''),
	open = status NOT IN ('completed', 'rated', 'refused', 'merged'),
	due = CASE WHEN status IN ('received', 'accepted', 'dispatched', 'in_progress', 'extended')
		AND coalesce(json_extract(doc, '$.deadline'), '') NOT IN ('', '0000-00-00')
		THEN json_extract(doc, '$.deadline') ELSE '9999-12-31' END;
CREATE INDEX cases_queue ON cases(assigned, due, received_at, kind, status, channel) WHERE open = 1;
CREATE INDEX cases_open_due ON cases(due, received_at, assigned, kind, status, channel) WHERE open = 1;

-- What staff record on a case that the resident never sees: internal
-- notes, 督办 notes from inspectors, hand-overs between streets and the
-- district, and the merge of a duplicate into the case. Never read by the
-- feed, tracking, the website or Open311.
CREATE TABLE case_events (
	id        INTEGER PRIMARY KEY,
	case_id   TEXT NOT NULL,
	at        INTEGER NOT NULL,
	kind      TEXT NOT NULL,          -- note, supervise, handover, merged_in
	user_id   INTEGER NOT NULL,
	user_name TEXT NOT NULL,
	text      TEXT NOT NULL,
	target    TEXT NOT NULL DEFAULT '' -- handover: the street (or 'district'); merged_in: the duplicate's reference
) STRICT;
CREATE INDEX case_events_by_case ON case_events(case_id, at, id);
CREATE INDEX case_events_supervise ON case_events(at) WHERE kind = 'supervise';

-- The departments an appeal may be dispatched to, and the reply
-- templates per case kind, both edited by the district's admins.
CREATE TABLE departments (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE reply_templates (
	id    INTEGER PRIMARY KEY,
	kind  TEXT NOT NULL,
	title TEXT NOT NULL,
	text  TEXT NOT NULL,
	UNIQUE (kind, title)
) STRICT;
