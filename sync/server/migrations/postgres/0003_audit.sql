-- Street staff's actions on kiosks, as the kiosks report them in their
-- outbox: when the district received each (received_at, the district's
-- clock), the kiosk's own time of the action (at), the kiosk and the staff
-- member.
CREATE TABLE audit (
	rowid       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	id          TEXT PRIMARY KEY, -- the outbox item's id
	kiosk       BIGINT NOT NULL,
	street      TEXT NOT NULL,
	staff       TEXT NOT NULL,
	staff_id    TEXT NOT NULL,
	action      TEXT NOT NULL,
	detail      TEXT NOT NULL,
	at          BIGINT NOT NULL,
	received_at BIGINT NOT NULL
);
CREATE INDEX audit_by_time ON audit(received_at, id);
