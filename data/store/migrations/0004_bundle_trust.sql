-- Signed bundles: the keys a kiosk trusts to sign them, and what it has
-- seen of bundles so far. A revoked key stays in bundle_keys as revoked,
-- so no later statement can make it trusted again.

CREATE TABLE bundle_keys (
	key      TEXT PRIMARY KEY, -- the ed25519 public key, base64
	state    TEXT NOT NULL CHECK (state IN ('trusted', 'revoked')),
	since    INTEGER NOT NULL, -- when this kiosk took the state (unix ms, kiosk clock, for display)
	via      TEXT NOT NULL DEFAULT '' -- 'pinned' or the key of the statement's signer
);

-- One row: the newest issued-at of the bundles imported (district clock,
-- unix ms), against rollback and a clock set back; and the street the
-- kiosk imports bundles for.
CREATE TABLE bundle_state (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	newest_issued_at INTEGER NOT NULL DEFAULT 0,
	street           TEXT NOT NULL DEFAULT ''
);
