package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"jiezhen/cmd/internal/version"
	"jiezhen/data/dbfile"
	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/sync/outboxfile"
	"jiezhen/ui"
	"jiezhen/ui/escpos"
	"jiezhen/ui/speech"
)

// runApp opens the kiosk window.
func runApp(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	db := fs.String("db", defaultDB(), "the kiosk's database `FILE`")
	street := fs.String("street", "", "street `CODE` this kiosk serves (default: the first in the database)")
	fullscreen := fs.Bool("fullscreen", false, "run full screen and keep the screen from blanking")
	idle := fs.Duration("idle", ui.DefaultIdleAfter, "reset to home after this long without a touch (then a 20 s warning)")
	elder := fs.Bool("elder", false, "start in 长者模式 (large text and targets), and return to it on reset")
	district := fs.String("district", "", "sync with the district platform at `URL` while the window is open (token from $"+tokenEnv+")")
	retention := fs.Duration("retention", store.DefaultRetention, "remove the personal data of a case this long after the district has acknowledged it")
	outboxKey := fs.String("outbox-recipient", "", "the district's outbox public `KEY` (age1..., or a file holding it): staff can then export the waiting outbox to a USB drive")
	kiosk := fs.Int64("kiosk", 0, "this kiosk's `NUMBER` in the district (districtd's kiosk id), the first part of the references it makes (default: the number its token carries, else the one its database recorded)")
	mounts := listFlag(ui.DefaultMountDirs)
	fs.Var(&mounts, "mount-dirs", "comma-separated `FOLDERS` where USB drives appear, watched for .jzb bundles")
	trust := fs.String("trust", "", "the district's bundle key `PUBKEY` (base64, or a file holding it), trusted while the kiosk trusts none")
	printerSpec := fs.String("printer", "", "print each receipt on the ESC/POS receipt printer at `DEVICE` (/dev/usb/lp0) or through the CUPS queue cups:QUEUE (a raw job)")
	printerWidth := fs.Int("printer-width", escpos.Width80, "the receipt printer's print width in `DOTS`: 576 (80 mm paper) or 384 (58 mm)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %q: %w", pos[0], errUsage)
	}
	if *retention < 0 {
		return fmt.Errorf("--retention must not be negative: %w", errUsage)
	}
	var recipient age.Recipient
	if *outboxKey != "" {
		r, err := outboxfile.ParseRecipient(*outboxKey)
		if err != nil {
			return fmt.Errorf("--outbox-recipient: %w: %w", err, errUsage)
		}
		recipient = r
	}
	var pinned ed25519.PublicKey
	if *trust != "" {
		var err error
		if pinned, err = readPublicKey(*trust); err != nil {
			return fmt.Errorf("--trust: %v: %w", err, errUsage)
		}
	}
	var printer *escpos.Printer
	if *printerWidth != escpos.Width80 && *printerWidth != escpos.Width58 {
		return fmt.Errorf("--printer-width %d: want %d (80 mm paper) or %d (58 mm): %w", *printerWidth, escpos.Width80, escpos.Width58, errUsage)
	}
	if *printerSpec != "" {
		var err error
		if printer, err = escpos.Parse(*printerSpec, *printerWidth); err != nil {
			return fmt.Errorf("--printer: %w: %w", err, errUsage)
		}
	} else if *printerWidth != escpos.Width80 {
		return fmt.Errorf("--printer-width without --printer: %w", errUsage)
	}
	number, err := numberOf(*kiosk, os.Getenv(tokenEnv))
	if err != nil {
		return err
	}
	// Folders already there keep their mode; new ones are the owner's only.
	if err := os.MkdirAll(filepath.Dir(*db), dbfile.PrivateDir); err != nil {
		return err
	}
	// The window's one logger, to standard error and its log file.
	logs, err := openLogFile(filepath.Join(filepath.Dir(*db), logName), maxLogSize)
	if err != nil {
		return fmt.Errorf("the log file: %w", err)
	}
	defer logs.Close()
	log := newLogger(io.MultiWriter(stderr, logs), os.Getenv(tokenEnv))
	slog.SetDefault(log)
	s, err := store.OpenWith(context.Background(), *db, store.Options{QuickCheck: true, Log: log})
	if errors.Is(err, store.ErrDamaged) || errors.Is(err, store.ErrNotDatabase) {
		// Staff see why instead of an empty kiosk; the reason is logged.
		log.Error("kiosk: the database is refused", "error", err)
		a := app.NewWithID("org.jiezhen.kiosk")
		w := a.NewWindow("街镇通 Jiezhen")
		fitScreen(a, w)
		w.SetFullScreen(*fullscreen)
		ui.ShowDamaged(a, w)
		w.ShowAndRun()
		return err
	}
	if err != nil {
		return err
	}
	defer s.Close()
	if w := dbfile.Warning(*db); w != "" {
		log.Warn("kiosk: " + w)
	}
	// The token opens the staff PIN key; it is never stored.
	s.UseToken(os.Getenv(tokenEnv))
	if number, err = settleNumber(context.Background(), s, number); err != nil {
		if s.Created() {
			s.Close()
			dbfile.Remove(s.Path())
		}
		return err
	}
	if number == 0 {
		log.Warn("kiosk: " + noNumberNote)
	}
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	go sweepEvery(sweepCtx, s, *retention, sweepInterval(*retention), log)

	// Without a district the header reports offline with the local counts.
	// The agent also tells the staff health screen when the district's URL
	// answers, but not as the district (ui.WrongAnswerSource).
	var syncSrc ui.SyncSource
	var syncNow func()
	var remote ui.DistrictTracker
	if *district != "" {
		agent, err := client.New(context.Background(), s, client.Config{
			District:  *district,
			Token:     os.Getenv(tokenEnv),
			Street:    *street,
			UserAgent: "jiezhen-kiosk/" + version.Version,
			Trust:     pinned,
			Log:       log,
		})
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		go agent.Run(ctx)
		syncSrc, syncNow = agent, agent.Kick
		remote = districtTracker{agent: agent, st: s}
	}

	a := app.NewWithID("org.jiezhen.kiosk")
	w := a.NewWindow("街镇通 Jiezhen")
	fitScreen(a, w)
	if *fullscreen {
		w.SetFullScreen(true)
		keepScreenOn(log)
	}
	// Shown on the bundle screen as where a file is: absolute, not ".".
	dbDir, err := filepath.Abs(filepath.Dir(*db))
	if err != nil {
		dbDir = filepath.Dir(*db)
	}
	opt := ui.Options{
		Street: *street, IdleAfter: *idle, Elder: *elder, Sync: syncSrc, SyncNow: syncNow, KioskID: number,
		FirstFrame: firstFrameHook(a),
		Bundles:    bundleImporter{s: s, street: *street, trust: pinned},
		MountDirs:  mounts,
		BundleDirs: []string{dbDir},
		District:   remote,
		Log:        log,
		ReadLog:    logs.Tail,
	}
	if printer != nil {
		opt.Printer = printer
		// A printer switched off now may be on when the first resident
		// files; staff see its state on the health screen.
		if err := printer.Check(context.Background()); err != nil {
			log.Warn("kiosk: the receipt printer cannot print now", "error", err)
		}
	}
	if recipient != nil {
		opt.ExportOutbox = func(ctx context.Context, to string) (int, error) {
			st, err := exportStreet(ctx, s, *street)
			if err != nil {
				return 0, err
			}
			return client.Export(ctx, s, to, recipient, os.Getenv(tokenEnv), st, time.Now())
		}
	}
	// Without espeak-ng there are no 朗读 buttons (a nil *speech.Speaker
	// must not become a non-nil ui.Speaker).
	if sp := speech.New(); sp != nil {
		opt.Speaker = sp
		defer sp.Stop() // espeak-ng would read on after the window closed
	} else {
		log.Info("kiosk: " + speech.Program + " not found; read-aloud is off")
	}
	k, err := ui.New(a, w, s, opt)
	if err != nil {
		return err
	}
	defer k.Close()
	w.ShowAndRun()
	return nil
}

// keepScreenOn turns off the X screen saver and display power management,
// best effort: a kiosk whose screen goes dark looks broken. Where xset is
// missing or there is no X server it says so once and carries on.
func keepScreenOn(log *slog.Logger) {
	if out, err := exec.Command("xset", "s", "off", "-dpms", "s", "noblank").CombinedOutput(); err != nil {
		log.Warn("kiosk: could not keep the screen on", "xset", err, "output", string(out))
	}
}

// firstFrameHook serves start-up measurements: with JIEZHEN_FIRST_FRAME
// set it prints the wall-clock time of the first painted frame to stderr,
// and with the value "exit" it then quits.
func firstFrameHook(a fyne.App) func() {
	mode := os.Getenv("JIEZHEN_FIRST_FRAME")
	if mode == "" {
		return nil
	}
	return func() {
		fmt.Fprintf(os.Stderr, "first-frame %d\n", time.Now().UnixNano())
		if mode == "exit" {
			fyne.Do(a.Quit)
		}
	}
}

// sweepInterval is how often the window's sweep runs: often enough that
// personal data never outlives the retention by more than a quarter of
// it, and at most hourly.
func sweepInterval(retention time.Duration) time.Duration {
	return min(max(retention/4, time.Minute), time.Hour)
}

// sweepEvery removes personal data past the retention (store.Sweep) now
// and then every interval, until ctx ends. A failed sweep is logged
// without details and tried again at the next tick.
func sweepEvery(ctx context.Context, s *store.Store, retention, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx, time.Now(), retention); err != nil && ctx.Err() == nil {
			log.Warn("kiosk: retention sweep", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var _ ui.WrongAnswerSource = (*client.Agent)(nil)
