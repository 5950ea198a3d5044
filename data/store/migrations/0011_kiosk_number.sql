-- This kiosk's number in the district, the KKK of the references it makes
-- (data.NewReference), recorded by the first start that knew it (from the
-- token or --kiosk), so that a later start without it still knows it and
-- one with another number is caught. No row: the kiosk has never had one.
CREATE TABLE kiosk_number (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	number INTEGER NOT NULL CHECK (number >= 1),
	since  INTEGER NOT NULL -- Unix ms, kiosk clock
);
