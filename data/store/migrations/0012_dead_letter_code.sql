-- The kind of the district's refusal (wire.RefusalCode: not_published,
-- form, ...), which the staff health screen explains in the kiosk's
-- language with the reason as the detail. Empty when the district sent
-- none (an older district) or for dead letters refused before it.
ALTER TABLE dead_letters ADD COLUMN code TEXT NOT NULL DEFAULT '';
