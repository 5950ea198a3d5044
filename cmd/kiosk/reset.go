package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"jiezhen/data/store"
)

// cmdReset moves the kiosk to another street on purpose: it clears the
// old street's content, cases, cursor and recorded kiosk number, and
// records the new street, so that the next sync with a token of that
// street starts clean (store.ResetKiosk). It is refused while items wait
// in the outbox: they are the old street's, and only its token can send
// them. See docs/ARCHITECTURE.md, "The kiosk's street".
func cmdReset(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	db := dbFlag(fs)
	street := fs.String("street", "", "the street `CODE` the kiosk serves from now on")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("reset: unexpected argument %q: %w", pos[0], errUsage)
	}
	code := strings.TrimSpace(*street)
	if code == "" {
		return fmt.Errorf("reset: --street CODE is required: the street the kiosk serves from now on: %w", errUsage)
	}
	s, err := openExisting(ctx, "reset", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	held, err := s.KioskStreets(ctx)
	if err != nil {
		return err
	}
	was := strings.Join(held, ", ")
	if was == "" {
		was = "none"
	}
	if err := s.ResetKiosk(ctx, code, time.Now()); err != nil {
		if errors.Is(err, store.ErrOutboxNotEmpty) {
			n, _ := s.OutboxCount(ctx)
			return fmt.Errorf("reset: %d item(s) filed on this kiosk (street %s) wait in the outbox; nothing was changed: send them first with 'kiosk sync' and the token of street %s, or with no network carry them to the district with 'kiosk export' and sync once with that token for the answers", n, was, was)
		}
		return fmt.Errorf("reset: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "the kiosk serves street %s now (it was: %s); its content, cases, cursor and kiosk number are cleared: sync with a token of street %s\n", code, was, code)
	return err
}
