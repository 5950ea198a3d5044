-- What this database has once held, so that a start can tell a kiosk whose
-- rows are gone from a new one (Open refuses it, docs/ARCHITECTURE.md):
-- kiosk_number is set when a number is first recorded (the kiosk never
-- removes it), street when a street's content first arrives; the kiosk's
-- own removals of every street (a reset, a replace, the feed's deletes)
-- clear it in the same transaction. The row itself is made here: a file
-- without it has lost it.
CREATE TABLE store_marks (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	kiosk_number INTEGER NOT NULL DEFAULT 0,
	street       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO store_marks(id, kiosk_number, street)
	VALUES (1, EXISTS (SELECT 1 FROM kiosk_number), EXISTS (SELECT 1 FROM street));
CREATE TRIGGER store_marks_kiosk_number AFTER INSERT ON kiosk_number
BEGIN
	UPDATE store_marks SET kiosk_number = 1 WHERE id = 1;
END;
CREATE TRIGGER store_marks_street AFTER INSERT ON street
BEGIN
	UPDATE store_marks SET street = 1 WHERE id = 1;
END;
