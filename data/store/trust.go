package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"jiezhen/data"
)

// What the kiosk keeps for signed bundles (sync/bundle, which the store
// does not import): the keys it trusts or has revoked, the newest
// issued-at it has imported, and the street it imports bundles for. A
// bundle is applied with all of these in one transaction with the cursor,
// so a crash leaves either the old state or the new, never new content
// without the trust that let it in.

// BundleKey is a bundle signing key as the kiosk knows it.
type BundleKey struct {
	Key     string    `json:"key"` // ed25519 public key, base64
	Revoked bool      `json:"revoked"`
	Since   time.Time `json:"since"`
	Via     string    `json:"via"` // "pinned", or the key that signed the statement
}

// BundleTrust is what the kiosk has recorded about bundles.
type BundleTrust struct {
	Keys           []BundleKey
	NewestIssuedAt time.Time // zero before the first import
	Street         string    // "" before the first import
}

// ErrBundleCursor: the feed's cursor is no longer where the bundle was
// verified against (a sync moved it meanwhile). Nothing was applied.
var ErrBundleCursor = errors.New("the cursor moved while the bundle was read")

// BundleTrust returns the keys, the newest issued-at and the street.
func (s *Store) BundleTrust(ctx context.Context) (BundleTrust, error) {
	var t BundleTrust
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT key, state, since, via FROM bundle_keys ORDER BY since, key")
		if err != nil {
			return err
		}
		err = scanRows(rows, func(rows *sql.Rows) error {
			var k BundleKey
			var state string
			var since int64
			if err := rows.Scan(&k.Key, &state, &since, &k.Via); err != nil {
				return err
			}
			k.Revoked, k.Since = state == "revoked", time.UnixMilli(since)
			t.Keys = append(t.Keys, k)
			return nil
		})
		if err != nil {
			return err
		}
		var newest int64
		err = tx.QueryRowContext(ctx, "SELECT newest_issued_at, street FROM bundle_state WHERE id = 1").Scan(&newest, &t.Street)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if newest > 0 {
			t.NewestIssuedAt = time.UnixMilli(newest).UTC()
		}
		return err
	})
	if err != nil {
		return BundleTrust{}, fmt.Errorf("bundle trust: %w", err)
	}
	return t, nil
}

// BundleImport is a verified bundle for ApplyBundle.
type BundleImport struct {
	From, To int64 // the bundle's range: the cursor must be in [From, To)
	Changes  []data.Change
	IssuedAt time.Time
	Street   string
	// Keys to record: a key pinned for this import, and the key changes
	// the bundle carried, in order. A revoked key stays revoked.
	Keys []BundleKey
	// Stream, when set, replaces Changes: it calls apply with the
	// bundle's changes, batch after batch in order, as it reads and
	// verifies them, and returns the first error, of apply or its own.
	// All of it happens in the import's transaction, so an error leaves
	// the kiosk as it was.
	Stream func(apply func([]data.Change) error) error
	// Files the changes refer to, already checked against what the
	// content says of them; stored with the changes.
	Files []AttachmentFile
	// PINKeys are the street's staff PIN key sealed for each of its
	// kiosks; each replaces the one the kiosk held for the same kiosk.
	PINKeys []SealedPINKey
}

// ApplyBundle applies a verified bundle through the same path as a page
// of the feed, and in the same transaction moves the feed's cursor to To
// (leaving the cursor of the kiosk's cases where it was: see Cursors),
// stores the files, records the keys and raises the newest issued-at. If the cursor is no
// longer in [From, To) it applies nothing and returns ErrBundleCursor.
func (s *Store) ApplyBundle(ctx context.Context, feed string, b BundleImport) (ApplyResult, error) {
	res := ApplyResult{Cursor: b.To}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		current, cases, err := cursors(ctx, tx, feed)
		if err != nil {
			return err
		}
		if current < b.From || current >= b.To {
			return fmt.Errorf("bundle %d to %d, cursor %d: %w", b.From, b.To, current, ErrBundleCursor)
		}
		// A bundle carries no cases: the kiosk's cases stay where they
		// were, to be pulled from there.
		if err := setCasesCursor(ctx, tx, feed, cases, b.To); err != nil {
			return err
		}
		a := newApplier(ctx, tx)
		defer a.close()
		if b.Stream == nil {
			if err := a.applyAll(b.Changes, b.To, &res); err != nil {
				return fmt.Errorf("apply bundle: %w", err)
			}
		} else {
			// Each batch as a page with more to come, so the list
			// indexes of the tables the first finds empty are built
			// once, at the end.
			a.more = true
			err := b.Stream(func(cs []data.Change) error { return a.applyAll(cs, b.To, &res) })
			a.more, a.fresh = false, nil
			if err != nil {
				return fmt.Errorf("apply bundle: %w", err)
			}
			if err := restoreDeferred(ctx, tx); err != nil {
				return err
			}
		}
		if err := putAttachmentFiles(ctx, tx, b.Files); err != nil {
			return fmt.Errorf("apply bundle: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_state(feed, cursor) VALUES(?, ?)
			ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor`, feed, b.To); err != nil {
			return err
		}
		for _, k := range b.Keys {
			since := k.Since
			if since.IsZero() {
				since = s.now()
			}
			q := `INSERT INTO bundle_keys(key, state, since, via) VALUES(?, 'trusted', ?, ?)
				ON CONFLICT(key) DO NOTHING`
			if k.Revoked {
				q = `INSERT INTO bundle_keys(key, state, since, via) VALUES(?, 'revoked', ?, ?)
					ON CONFLICT(key) DO UPDATE SET state = 'revoked', since = excluded.since, via = excluded.via
					WHERE state <> 'revoked'`
			}
			if _, err := tx.ExecContext(ctx, q, k.Key, since.UnixMilli(), k.Via); err != nil {
				return err
			}
		}
		if err := putPINKeys(ctx, tx, b.Street, b.PINKeys); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO bundle_state(id, newest_issued_at, street) VALUES(1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET newest_issued_at = max(newest_issued_at, excluded.newest_issued_at),
				street = excluded.street`, b.IssuedAt.UnixMilli(), b.Street)
		return err
	})
	if err != nil {
		return ApplyResult{}, err
	}
	s.kickIndexer()
	return res, nil
}
