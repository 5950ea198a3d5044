package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"jiezhen/data/store"
	"jiezhen/sync/bundle"
)

// cmdImport verifies a signed bundle and applies it: `kiosk import --db
// FILE [--trust PUBKEY] BUNDLE`. A refused bundle leaves the database as
// it was and the command exits 1 with the reason on one line.
func cmdImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	db := dbFlag(fs)
	trust := fs.String("trust", "", "trust the district's key `PUBKEY` (base64, or a file holding it) instead of the keys the kiosk has recorded")
	street := fs.String("street", "", "the kiosk's street `CODE` (default: the street it holds)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("import: want one BUNDLE file: %w", errUsage)
	}
	if *db == "" {
		return fmt.Errorf("import: --db FILE is required: %w", errUsage)
	}
	var pinned ed25519.PublicKey
	if *trust != "" {
		if pinned, err = readPublicKey(*trust); err != nil {
			return fmt.Errorf("import: --trust: %v: %w", err, errUsage)
		}
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("import: cannot open the bundle %s", pos[0])
	}
	defer f.Close()
	s, err := store.OpenWith(ctx, *db, store.Options{NoIndexer: true})
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := importBundle(ctx, s, f, importOptions{Trust: pinned, Street: *street, Now: time.Now()})
	if err != nil {
		return fmt.Errorf("import: refused: %w", err)
	}
	res.File = pos[0]
	return printJSON(stdout, res)
}

// readPublicKey takes a key as its base64 line or the name of a file
// holding that line.
func readPublicKey(v string) (ed25519.PublicKey, error) {
	if k, err := bundle.ParseKey(v); err == nil {
		return k, nil
	}
	f, err := os.Open(v)
	if err != nil {
		return nil, errors.New("not a base64 public key, nor a file holding one")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, err
	}
	k, err := bundle.ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", v, err)
	}
	return k, nil
}

type importOptions struct {
	// Trust, if set, is the only key trusted for this import, and is
	// recorded as trusted if the bundle is imported. Otherwise the keys
	// the kiosk recorded are trusted. Revoked keys stay refused either way.
	Trust  ed25519.PublicKey
	Street string // the kiosk's street; "" for the one it holds
	Now    time.Time
}

// importResult is what `kiosk import` prints.
type importResult struct {
	File      string `json:"file,omitempty"`
	Applied   bool   `json:"applied"`
	Note      string `json:"note,omitempty"`
	District  string `json:"district"`
	Street    string `json:"street"`
	From      int64  `json:"from"`
	To        int64  `json:"to"`
	Snapshot  bool   `json:"snapshot"`
	IssuedAt  string `json:"issued_at"`
	Signer    string `json:"signer"`
	Changes   int    `json:"changes"`
	Upserted  int    `json:"upserted"`
	Deleted   int    `json:"deleted"`
	Unchanged int    `json:"unchanged"`
	Skipped   int    `json:"skipped"`
	Cursor    int64  `json:"cursor"`
	// Keys lists the key changes the bundle carried, as "trust KEY" or
	// "revoke KEY".
	Keys []string `json:"keys,omitempty"`
}

// importBundle verifies the bundle read from r against what the kiosk
// knows and applies it, with the cursor, the keys and the newest
// issued-at, in one transaction.
func importBundle(ctx context.Context, s *store.Store, r io.Reader, opt importOptions) (importResult, error) {
	var out importResult
	tr, err := s.BundleTrust(ctx)
	if err != nil {
		return out, err
	}
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		return out, err
	}
	c := bundle.Check{Cursor: cursor, Now: opt.Now, NewestSeen: tr.NewestIssuedAt}
	for _, k := range tr.Keys {
		key, err := bundle.ParseKey(k.Key)
		if err != nil {
			return out, fmt.Errorf("recorded key %q: %v", k.Key, err)
		}
		if k.Revoked {
			c.Keys.Revoked = append(c.Keys.Revoked, key)
		} else if opt.Trust == nil {
			c.Keys.Trusted = append(c.Keys.Trusted, key)
		}
	}
	if opt.Trust != nil {
		c.Keys.Trusted = []ed25519.PublicKey{opt.Trust}
	}
	if len(c.Keys.Trusted) == 0 {
		return out, errors.New("this kiosk trusts no key yet: give --trust PUBKEY")
	}
	if c.Scope, c.District, err = kioskScope(ctx, s, opt.Street, tr.Street); err != nil {
		return out, err
	}

	b, err := bundle.Read(r, c)
	if err != nil {
		return out, err
	}
	m := b.Manifest
	out = importResult{District: m.District, Street: m.Scope, From: m.From, To: m.To, Snapshot: b.Snapshot,
		IssuedAt: m.IssuedAt.UTC().Format(time.RFC3339), Signer: bundle.EncodeKey(b.Signer), Changes: m.Changes, Cursor: cursor}
	if b.Covered {
		out.Note = fmt.Sprintf("already applied: the kiosk's cursor %d covers this bundle (%d to %d); nothing changed", cursor, m.From, m.To)
		return out, nil
	}
	imp := store.BundleImport{From: m.From, To: m.To, Changes: b.Changes, IssuedAt: m.IssuedAt, Street: m.Scope}
	if opt.Trust != nil {
		imp.Keys = append(imp.Keys, store.BundleKey{Key: bundle.EncodeKey(opt.Trust), Since: opt.Now, Via: "pinned"})
	}
	for _, kc := range b.KeyChanges {
		imp.Keys = append(imp.Keys, store.BundleKey{Key: bundle.EncodeKey(kc.Key), Revoked: kc.Op == bundle.OpRevoke, Since: opt.Now, Via: bundle.EncodeKey(kc.SignedBy)})
		out.Keys = append(out.Keys, kc.Op+" "+bundle.EncodeKey(kc.Key))
	}
	res, err := s.ApplyBundle(ctx, store.ContentFeed, imp)
	if err != nil {
		return out, err
	}
	out.Applied = true
	out.Upserted, out.Deleted, out.Unchanged, out.Skipped, out.Cursor = res.Upserted, res.Deleted, res.Unchanged, res.Skipped, res.Cursor
	return out, nil
}

// kioskScope is the street and district a bundle must be for: the street
// given, else the one earlier bundles were for, else the one street the
// kiosk holds. A kiosk that holds none (a new one) takes any street's
// bundle, and is that street's from then on.
func kioskScope(ctx context.Context, s *store.Store, given, recorded string) (street, district string, err error) {
	street = given
	if street == "" {
		street = recorded
	}
	if street == "" {
		held, err := s.Streets(ctx)
		if err != nil {
			return "", "", err
		}
		switch len(held) {
		case 0:
			return "", "", nil
		case 1:
			street = held[0].Code
		default:
			return "", "", fmt.Errorf("the kiosk holds %d streets: say which is its own with --street", len(held))
		}
	}
	st, err := s.Street(ctx, street)
	if errors.Is(err, store.ErrNotFound) {
		return street, "", nil
	}
	if err != nil {
		return "", "", err
	}
	return street, st.District, nil
}
