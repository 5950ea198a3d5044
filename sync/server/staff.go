package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"jiezhen/data"
	"jiezhen/data/pin"
	"jiezhen/sync/wire"
)

// AddStaff creates a staff account for a published street: a random PIN,
// hashed with argon2id and keyed with the street's PIN key (made with the
// street's first account), published in the street's feed as kind staff.
// It returns the account and the PIN, which is shown this once and never
// stored.
func (p *Platform) AddStaff(ctx context.Context, street, name string) (data.Staff, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return data.Staff{}, "", errors.New("the staff member needs a name")
	}
	code, err := pin.New()
	if err != nil {
		return data.Staff{}, "", err
	}
	// The costly hash is made before the write transaction; only the
	// keying, which needs the street's key, is inside it.
	hash, err := pin.Hash(code)
	if err != nil {
		return data.Staff{}, "", err
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return data.Staff{}, "", err
	}
	st := data.Staff{ID: "staff-" + hex.EncodeToString(id[:]), Street: street, Name: name, Role: data.RoleStaff}
	err = p.store.Write(ctx, func(tx Tx) error {
		if err := knownStreet(tx, street); err != nil {
			return err
		}
		key, err := p.streetPINKey(tx, street)
		if err != nil {
			return err
		}
		if st.PINHash, err = pin.KeyHash(key, hash); err != nil {
			return err
		}
		if err := st.Check(); err != nil {
			return err
		}
		body, err := json.Marshal(st)
		if err != nil {
			return err
		}
		_, err = tx.PutItem(Item{Kind: data.KindStaff, ID: st.ID, Street: street, Version: 1, Body: body})
		return err
	})
	if err != nil {
		return data.Staff{}, "", err
	}
	p.log.Info("staff account added", "street", street, "id", st.ID)
	return st, code, nil
}

// streetPINKey returns the street's staff PIN key, made and stored the
// first time it is asked for.
func (p *Platform) streetPINKey(tx Tx, street string) ([]byte, error) {
	key, err := tx.PINKey(street)
	if !errors.Is(err, ErrNotFound) {
		return key, err
	}
	if key, err = pin.NewKey(); err != nil {
		return nil, err
	}
	return key, tx.AddPINKey(street, key, p.clock())
}

// StaffPINKey is the staff PIN key of the kiosk's street, for the kiosk
// to check its staff's PINs with (wire.PathPINKey); made if the street
// has none yet.
func (p *Platform) StaffPINKey(ctx context.Context, k Kiosk) (wire.PINKey, error) {
	var key []byte
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		key, err = p.streetPINKey(tx, k.Street)
		return err
	})
	if err != nil {
		return wire.PINKey{}, err
	}
	return wire.PINKey{Street: k.Street, Kiosk: k.ID, Key: key}, nil
}

// KeyStaffPINs publishes again, keyed with their street's PIN key, the
// accounts whose PIN hash is still the unkeyed argon2id hash of before
// the street keys: their PINs stay as they were, and the hash leaves the
// feed (which keeps only an item's latest change). It returns how many
// it published; districtd runs it whenever it opens the database.
func (p *Platform) KeyStaffPINs(ctx context.Context) (int, error) {
	var n int
	err := p.store.Read(ctx, func(tx ReadTx) error {
		items, err := tx.LiveItems(data.KindStaff)
		for _, it := range items {
			var s data.Staff
			if err := jsonDecode(it.Body, &s); err == nil && !pin.Keyed(s.PINHash) {
				n++
			}
		}
		return err
	})
	if err != nil || n == 0 {
		return 0, err
	}
	n = 0
	err = p.store.Write(ctx, func(tx Tx) error {
		n = 0
		items, err := tx.LiveItems(data.KindStaff)
		if err != nil {
			return err
		}
		for _, it := range items {
			var s data.Staff
			if err := jsonDecode(it.Body, &s); err != nil {
				return fmt.Errorf("staff %s: %w", it.ID, err)
			}
			if pin.Keyed(s.PINHash) {
				continue
			}
			key, err := p.streetPINKey(tx, it.Street)
			if err != nil {
				return err
			}
			if s.PINHash, err = pin.KeyHash(key, s.PINHash); err != nil {
				return fmt.Errorf("staff %s: its PIN hash cannot be keyed: %w", it.ID, err)
			}
			body, err := json.Marshal(s)
			if err != nil {
				return err
			}
			it.Version++
			it.Body = body
			if _, err := tx.PutItem(it); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("keying the staff PIN hashes: %w", err)
	}
	p.log.Info("staff PIN hashes keyed with their street's key", "accounts", n)
	return n, nil
}

// StaffAccounts lists the published staff accounts, of one street or of
// all when street is "", by street and name.
func (p *Platform) StaffAccounts(ctx context.Context, street string) ([]data.Staff, error) {
	var out []data.Staff
	err := p.store.Read(ctx, func(tx ReadTx) error {
		items, err := tx.LiveItems(data.KindStaff)
		if err != nil {
			return err
		}
		for _, it := range items {
			if street != "" && it.Street != street {
				continue
			}
			var s data.Staff
			if err := jsonDecode(it.Body, &s); err != nil {
				return fmt.Errorf("staff %s: %w", it.ID, err)
			}
			out = append(out, s)
		}
		return nil
	})
	slicesSortStaff(out)
	return out, err
}

// RemoveStaff unpublishes a staff account: the street's kiosks drop it at
// their next pull or bundle.
func (p *Platform) RemoveStaff(ctx context.Context, id string) error {
	_, err := p.Unpublish(ctx, data.KindStaff, id)
	return err
}

// Audit lists the staff actions kiosks reported, in the order received.
func (p *Platform) Audit(ctx context.Context) ([]AuditRecord, error) {
	var out []AuditRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.Audit()
		return err
	})
	return out, err
}

func slicesSortStaff(s []data.Staff) {
	slices.SortFunc(s, func(a, b data.Staff) int {
		return cmp.Or(cmp.Compare(a.Street, b.Street), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}
