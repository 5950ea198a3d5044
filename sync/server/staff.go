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
)

// AddStaff creates a staff account for a published street: a random PIN,
// hashed with argon2id, published in the street's feed as kind staff. It
// returns the account and the PIN, which is shown this once and never
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
	hash, err := pin.Hash(code)
	if err != nil {
		return data.Staff{}, "", err
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return data.Staff{}, "", err
	}
	st := data.Staff{ID: "staff-" + hex.EncodeToString(id[:]), Street: street, Name: name, Role: data.RoleStaff, PINHash: hash}
	if err := st.Check(); err != nil {
		return data.Staff{}, "", err
	}
	body, err := json.Marshal(st)
	if err != nil {
		return data.Staff{}, "", err
	}
	err = p.store.Write(ctx, func(tx Tx) error {
		if err := knownStreet(tx, street); err != nil {
			return err
		}
		_, err := tx.PutItem(Item{Kind: data.KindStaff, ID: st.ID, Street: street, Version: 1, Body: body})
		return err
	})
	if err != nil {
		return data.Staff{}, "", err
	}
	p.log.Info("staff account added", "street", street, "id", st.ID)
	return st, code, nil
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
