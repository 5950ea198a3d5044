package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"jiezhen/data/store"
	"jiezhen/ui"
)

// runApp opens the kiosk window.
func runApp(args []string) error {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	db := fs.String("db", defaultDB(), "the kiosk's database `FILE`")
	street := fs.String("street", "", "street `CODE` this kiosk serves (default: the first in the database)")
	fullscreen := fs.Bool("fullscreen", false, "run full screen")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	if err := os.MkdirAll(filepath.Dir(*db), 0o755); err != nil {
		return err
	}
	s, err := store.Open(context.Background(), *db)
	if err != nil {
		return err
	}
	defer s.Close()

	a := app.NewWithID("org.jiezhen.kiosk")
	w := a.NewWindow("街镇通 Jiezhen")
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(*fullscreen)
	if _, err := ui.New(a, w, s, ui.Options{Street: *street}); err != nil {
		return err
	}
	w.ShowAndRun()
	return nil
}
