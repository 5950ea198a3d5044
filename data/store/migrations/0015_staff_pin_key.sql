-- The street's staff PIN key (data/pin), which the staff verifiers of the
-- feed are keyed with, as this kiosk holds it: sealed under a key derived
-- from a kiosk's token (pin.WrapKey), never in the clear. A bundle brings
-- one row per kiosk of its street, the HTTP API one for this kiosk; a
-- sign-in opens the row its token opens. See docs/ARCHITECTURE.md, "Staff
-- PINs: threat model".
CREATE TABLE staff_pin_key (
	street TEXT NOT NULL,
	kiosk  INTEGER NOT NULL,
	sealed TEXT NOT NULL,
	PRIMARY KEY (street, kiosk)
) STRICT;
