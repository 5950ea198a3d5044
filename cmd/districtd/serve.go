package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// shutdownGrace is how long requests in flight get to finish after
// SIGTERM; a push commits in milliseconds, so this is generous.
const shutdownGrace = 30 * time.Second

func serve(args []string, stderr io.Writer) error {
	fs := newFlags("serve")
	dbPath := fs.String("db", "", "the district database (created if missing)")
	addr := fs.String("addr", "", "HOST:PORT to listen on")
	withDemo := fs.Bool("demo", false, "load the demo content into an empty database")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
	key := fs.String("tls-key", "", "TLS key file (PEM)")
	bundleKey := fs.String("bundle-key", "", "the private key file (districtd keygen) to sign snapshot bundles served at "+wire.PathBundle)
	publicURL := fs.String("public-url", "", "the street website's public address, https://...: receipts' QR codes open {public-url}/s/{street}/track")
	var stmtFiles statementFiles
	fs.Var(&stmtFiles, "bundle-statement", "a key statement file every served snapshot carries (repeatable)")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if err := need(map[string]string{"db": *dbPath, "addr": *addr}); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	for _, f := range []string{*cert, *key} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("tls: %w", err)
		}
	}
	if *publicURL != "" {
		if err := server.CheckPublicURL(strings.TrimRight(*publicURL, "/")); err != nil {
			return usagef("--public-url: %v", err)
		}
	}
	cfg := serveConfig{db: *dbPath, addr: *addr, demo: *withDemo, cert: *cert, key: *key, publicURL: *publicURL}
	if *bundleKey != "" {
		priv, err := readPrivateKey(*bundleKey)
		if err != nil {
			return fmt.Errorf("--bundle-key: %w", err)
		}
		cfg.snapshots.Key = priv
	} else if len(stmtFiles) > 0 {
		return usagef("--bundle-statement needs --bundle-key")
	}
	stmts, err := readStatements(stmtFiles)
	if err != nil {
		return fmt.Errorf("--bundle-statement: %w", err)
	}
	cfg.snapshots.Statements = stmts
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveUntil(ctx, cfg, stderr)
}

// serveConfig is serve's command line.
type serveConfig struct {
	db, addr  string
	demo      bool
	cert, key string
	snapshots server.Snapshots
	// publicURL is the website's base address; "" for none (receipts
	// then carry no QR code).
	publicURL string
}

// serveUntil serves until ctx is done. It is serve without the signals,
// so tests can stop it.
func serveUntil(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	dbPath, addr, withDemo, cert, key := cfg.db, cfg.addr, cfg.demo, cfg.cert, cfg.key
	log := slog.New(slog.NewTextHandler(stderr, nil))
	// The port first: a district that cannot listen says so before it
	// creates, migrates or loads anything. Requests that arrive before
	// the log says "listening" wait in the listen queue.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(addr, err)
	}
	defer ln.Close()
	db, err := openDB(ctx, dbPath, true, true, log)
	if err != nil {
		return err
	}
	snaps := cfg.snapshots
	if snaps.Key != nil && snaps.Dir == "" {
		// Snapshots are built here and served from here; they go with
		// the process.
		if snaps.Dir, err = os.MkdirTemp("", "districtd-snapshots-"); err != nil {
			db.close(true)
			return err
		}
		defer os.RemoveAll(snaps.Dir)
	}
	db.p = server.New(db.st, server.Options{Log: log, Snapshots: snaps})
	failed := true
	defer func() { db.close(failed) }()
	if withDemo {
		if err := loadDemo(ctx, db, log); err != nil {
			return err
		}
	}
	// Every serve sets the street items' website from its flag, so a
	// kiosk's receipts follow the address the district serves today.
	if n, err := db.p.SetPublicURL(ctx, cfg.publicURL); err != nil {
		return fmt.Errorf("--public-url: %w", err)
	} else if n > 0 {
		log.Info("public url", "url", cfg.publicURL, "streets", n)
	}
	failed = false
	scheme := "http"
	if cert != "" {
		scheme = "https"
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String()+"/api/v1")
	log.Info("website", "url", scheme+"://"+ln.Addr().String()+"/")
	rated := make(chan struct{})
	defer func() { <-rated }()
	rateCtx, stopRating := context.WithCancel(ctx)
	defer stopRating()
	go func() {
		defer close(rated)
		autoRate(rateCtx, db.p, autoRateEvery, log)
	}()
	figured := make(chan struct{})
	defer func() { <-figured }()
	go func() {
		defer close(figured)
		publishFigures(rateCtx, db.p, figuresEvery, log)
	}()
	err = server.Serve(ctx, ln, siteHandler(db.p, log), cert, key, shutdownGrace, log)
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// listenError is the one line serve fails with when it cannot listen on
// addr: the address and the system's reason, without Go's wrapping.
func listenError(addr string, err error) error {
	var se *os.SyscallError
	var ae *net.AddrError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		err = errors.New("the address is in use by another program; choose another --addr")
	case errors.As(err, &se):
		err = se.Err
	case errors.As(err, &ae):
		err = errors.New(ae.Err)
	}
	return fmt.Errorf("cannot listen on %s: %v", addr, err)
}

// autoRateEvery is how often serve counts unrated completed cases as
// 基本满意 once their 7 days are over; a day late by at most this much.
const autoRateEvery = 10 * time.Minute

// autoRate runs Platform.AutoRate at once and then every interval until
// ctx is done. A failure is logged and tried again at the next tick.
func autoRate(ctx context.Context, p *server.Platform, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := p.AutoRate(ctx); err != nil && ctx.Err() == nil {
			log.Error("default ratings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// figuresEvery is how often serve sets last month's figures on each
// street (Platform.PublishFigures); only a change writes anything.
const figuresEvery = time.Hour

// publishFigures runs Platform.PublishFigures for the month before today
// at once and then every interval until ctx is done.
func publishFigures(ctx context.Context, p *server.Platform, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := p.PublishFigures(ctx, p.LastMonth()); err != nil && ctx.Err() == nil {
			log.Error("street figures", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// loadDemo publishes the demo content, the same the kiosk ships, when the
// database has no content yet; into a district already in use it would
// mix demo items with real ones.
func loadDemo(ctx context.Context, db *database, log *slog.Logger) error {
	var last int64
	err := db.st.Read(ctx, func(tx server.ReadTx) (err error) {
		last, err = tx.LastSeq()
		return err
	})
	if err != nil {
		return err
	}
	if last > 0 {
		log.Info("demo content not loaded: the database already has content")
		return nil
	}
	set, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		return err
	}
	if _, err := db.p.Publish(ctx, set); err != nil {
		return errors.New("demo content: " + err.Error())
	}
	return nil
}
