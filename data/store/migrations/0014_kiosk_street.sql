-- The street this kiosk serves, recorded when the district first named
-- its token's street (or by kiosk reset), so that a token of another
-- street is refused before anything is pushed. No row: the kiosk goes by
-- the street its content is for.
CREATE TABLE kiosk_street (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	street TEXT NOT NULL CHECK (street <> ''),
	since  INTEGER NOT NULL -- Unix ms, kiosk clock
);
