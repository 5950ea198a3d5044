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
	"jiezhen/sync/client"
)

// cmdImport verifies a signed bundle and applies it: `kiosk import --db
// FILE [--trust PUBKEY] BUNDLE`. A refused bundle leaves the database as
// it was and the command exits 1 with the reason on one line.
func cmdImport(ctx context.Context, args []string, stdout, _ io.Writer) error {
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
	s, err := openWith(ctx, "import", *db, store.Options{NoIndexer: true})
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := client.ImportBundle(ctx, s, f, client.ImportOptions{Trust: pinned, Street: *street, Now: time.Now()})
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
