package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"jiezhen/data"
	"jiezhen/data/pin"
)

// The staff PIN key on the kiosk. Staff accounts arrive with verifiers
// keyed with their street's PIN key (data/pin); the kiosk holds that key
// only sealed under a key derived from its token, which it is given at
// start ($JIEZHEN_TOKEN or --token) and never stores, so that a copy of
// the database without the token cannot check PINs offline. See
// docs/ARCHITECTURE.md, "Staff PINs: threat model".

// SealedPINKey is a street's PIN key sealed for one kiosk (pin.WrapKey).
type SealedPINKey struct {
	Kiosk  int64
	Sealed string
}

// Why a kiosk cannot check a staff PIN. Neither is a wrong PIN: nothing
// is counted.
var (
	// ErrNoToken: the kiosk was started without its token.
	ErrNoToken = errors.New("this kiosk was started without its token, so it cannot check staff PINs: start it with $JIEZHEN_TOKEN")
	// ErrNoPINKey: no key the kiosk holds opens with its token.
	ErrNoPINKey = errors.New("this kiosk holds no staff PIN key for its token: sync with the district, or import a bundle made after its token was issued")
)

// UseToken gives the store the kiosk's token, which opens the staff PIN
// key at sign-in. Only its hash is kept, in memory.
func (s *Store) UseToken(token string) {
	if token == "" {
		s.tokenHash.Store(nil)
		return
	}
	h := pin.TokenHash(token)
	s.tokenHash.Store(&h)
}

// SetPINKey stores the street's staff PIN key, as the district gave it to
// this kiosk over its authenticated API, sealed under token, in place of
// the one it held for kiosk.
func (s *Store) SetPINKey(ctx context.Context, street string, kiosk int64, token string, key []byte) error {
	sealed, err := pin.WrapKey(pin.TokenHash(token), street, key)
	if err != nil {
		return fmt.Errorf("staff PIN key: %w", err)
	}
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		return putPINKeys(ctx, tx, street, []SealedPINKey{{Kiosk: kiosk, Sealed: sealed}})
	})
	if err != nil {
		return fmt.Errorf("staff PIN key: %w", err)
	}
	return nil
}

// putPINKeys stores a bundle's sealed keys in tx, each in place of the
// one the kiosk held for the same kiosk; the others stay (the one the API
// gave this kiosk, if a snapshot made before it existed has none for it).
func putPINKeys(ctx context.Context, tx *sql.Tx, street string, keys []SealedPINKey) error {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff_pin_key(street, kiosk, sealed) VALUES(?, ?, ?)
			ON CONFLICT(street, kiosk) DO UPDATE SET sealed = excluded.sealed`, street, k.Kiosk, k.Sealed); err != nil {
			return err
		}
	}
	return nil
}

// pinKey opens the street's staff PIN key with hash, the hash of the
// kiosk's token.
func (s *Store) pinKey(ctx context.Context, street string, hash []byte) ([]byte, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT sealed FROM staff_pin_key WHERE street = ? ORDER BY kiosk", street)
	if err != nil {
		return nil, err
	}
	var key []byte
	err = scanRows(rows, func(rows *sql.Rows) error {
		var sealed string
		if err := rows.Scan(&sealed); err != nil {
			return err
		}
		if key == nil {
			key, _ = pin.UnwrapKey(hash, street, sealed)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, ErrNoPINKey
	}
	return key, nil
}

// PINKeyMissing reports whether the kiosk holds a staff account keyed
// with a street's PIN key that it cannot open with token: the sync agent
// then asks the district for the key.
func (s *Store) PINKeyMissing(ctx context.Context, token string) (bool, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT street, doc FROM staff ORDER BY street")
	if err != nil {
		return false, err
	}
	streets := map[string]bool{}
	err = scanRows(rows, func(rows *sql.Rows) error {
		var street, doc string
		if err := rows.Scan(&street, &doc); err != nil {
			return err
		}
		var st data.Staff
		if json.Unmarshal([]byte(doc), &st) == nil && pin.Keyed(st.PINHash) {
			streets[street] = true
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("staff PIN key: %w", err)
	}
	hash := pin.TokenHash(token)
	for street := range streets {
		if _, err := s.pinKey(ctx, street, hash); errors.Is(err, ErrNoPINKey) {
			return true, nil
		} else if err != nil {
			return false, fmt.Errorf("staff PIN key: %w", err)
		}
	}
	return false, nil
}
