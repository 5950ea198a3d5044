package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/sync/outboxfile"
)

// cmdExport writes the waiting outbox to a file encrypted to the
// district's outbox key, for a USB drive. The items stay queued.
func cmdExport(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	db := dbFlag(fs)
	to := fs.String("to", "", "the `FILE` to write, on the USB drive")
	recipient := fs.String("recipient", "", "the district's outbox public key (age1...), or a file holding it")
	token := fs.String("token", "", "this kiosk's `TOKEN`, which tells the district whose outbox it is (default: $"+tokenEnv+")")
	street := fs.String("street", "", "the kiosk's street `CODE`, checked by the district (default: the street of its bundles)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("export: unexpected argument %q: %w", pos[0], errUsage)
	}
	if *to == "" || *recipient == "" {
		return fmt.Errorf("export: --to FILE and --recipient PUBKEY are required: %w", errUsage)
	}
	rcpt, err := outboxfile.ParseRecipient(*recipient)
	if err != nil {
		return fmt.Errorf("export: %w: %w", err, errUsage)
	}
	tok := *token
	if tok == "" {
		tok = os.Getenv(tokenEnv)
	}
	if tok == "" {
		return fmt.Errorf("export: no token: give --token TOKEN or set %s: %w", tokenEnv, errUsage)
	}
	s, err := openExisting(ctx, "export", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := exportStreet(ctx, s, *street)
	if err != nil {
		return err
	}
	n, err := client.Export(ctx, s, *to, rcpt, tok, st, time.Now())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "exported %d items to %s; they stay queued until the district answers\n", n, *to)
	return err
}

// exportStreet is the street named, else the one the kiosk's bundles are
// for, else none.
func exportStreet(ctx context.Context, s *store.Store, street string) (string, error) {
	if street != "" {
		return street, nil
	}
	t, err := s.BundleTrust(ctx)
	if err != nil {
		return "", err
	}
	return t.Street, nil
}
