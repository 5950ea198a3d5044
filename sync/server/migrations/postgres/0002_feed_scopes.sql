-- A pull reads three scopes: district-wide content, its street's content
-- and its own cases. Without these indexes it scanned every change after
-- its cursor, every other kiosk's cases included.
CREATE INDEX feed_content ON feed(street, seq) WHERE kiosk = 0;
CREATE INDEX feed_cases ON feed(kiosk, seq) WHERE kiosk <> 0;
