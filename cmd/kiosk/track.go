package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
)

// cmdTrack prints a case's timeline as one JSON object: what the tracking
// screen shows, built by the same code (store.Timeline).
func cmdTrack(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("track", flag.ContinueOnError)
	db := dbFlag(fs)
	phone4 := fs.String("phone4", "", "the last four digits `NNNN` of the mobile given on the case")
	lang := fs.String("lang", "zh", "language of the labels: zh or en")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("track: want one REF: %w", errUsage)
	}
	l := data.Lang(*lang)
	if l != data.ZH && l != data.EN {
		return fmt.Errorf("track: --lang is zh or en, not %q: %w", *lang, errUsage)
	}
	if err := data.CheckReference(pos[0]); err != nil {
		return fmt.Errorf("track: %q is not a reference: %v", pos[0], err)
	}
	s, err := openExisting(ctx, "track", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	tl, _, err := s.Timeline(ctx, pos[0], *phone4, time.Now(), l)
	switch {
	case errors.Is(err, store.ErrTrackNoMatch):
		if *phone4 == "" {
			return fmt.Errorf("track: no case %s without --phone4 (only anonymous appeals are tracked by the reference alone)", data.FormatReference(pos[0]))
		}
		return fmt.Errorf("track: no case %s with those four digits", data.FormatReference(pos[0]))
	case err != nil:
		return fmt.Errorf("track: %w", err)
	}
	return printJSON(stdout, tl)
}
