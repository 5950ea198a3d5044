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
	"jiezhen/data/redact"
	"jiezhen/sync/server"
	"jiezhen/sync/server/metrics"
	"jiezhen/sync/wire"
)

// shutdownGrace is how long requests in flight get to finish after
// SIGTERM; a push commits in milliseconds, so this is generous.
const shutdownGrace = 30 * time.Second

func serve(args []string, stderr io.Writer) error {
	fs := newFlags("serve")
	dbPath := fs.String("db", "", "the district database (created if missing)")
	addr := fs.String("addr", "", "HOST:PORT to listen on")
	metricsAddr := fs.String("metrics-addr", "", "HOST:PORT to serve Prometheus metrics, /healthz and /readyz on (none by default)")
	withDemo := fs.Bool("demo", false, "load the demo content into an empty database")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
	key := fs.String("tls-key", "", "TLS key file (PEM)")
	bundleKey := fs.String("bundle-key", "", "the private key file (districtd keygen) to sign snapshot bundles served at "+wire.PathBundle)
	keyPath := dataKeyFlag(fs)
	publicURL := fs.String("public-url", "", "the street website's public address, https://...: receipts' QR codes open {public-url}/s/{street}/track")
	var stmtFiles repeated
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
	cfg := serveConfig{db: *dbPath, addr: *addr, metricsAddr: *metricsAddr, demo: *withDemo, cert: *cert, key: *key, publicURL: *publicURL,
		datakey: dataKeyPath(*keyPath, *dbPath)}
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
	db, addr string
	// metricsAddr is the metrics listener's address; "" for none.
	metricsAddr string
	demo        bool
	cert, key   string
	snapshots   server.Snapshots
	// publicURL is the website's base address; "" for none (receipts
	// then carry no QR code).
	publicURL string
	// datakey is the data key file, made if missing on a database that
	// holds no data key yet (useDataKey).
	datakey string
}

// serveUntil serves until ctx is done. It is serve without the signals,
// so tests can stop it.
func serveUntil(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	dbPath, addr, withDemo, cert, key := cfg.db, cfg.addr, cfg.demo, cfg.cert, cfg.key
	if cfg.datakey == "" {
		cfg.datakey = dataKeyPath("", dbPath)
	}
	// Every line passes the redacting handler (data/redact), as the kiosk's do.
	log := redact.New(slog.NewTextHandler(stderr, nil))
	// The port first: a district that cannot listen says so before it
	// creates, migrates or loads anything. Requests that arrive before
	// the log says "listening" wait in the listen queue.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(addr, err)
	}
	defer ln.Close()
	var mln net.Listener
	if cfg.metricsAddr != "" {
		if mln, err = net.Listen("tcp", cfg.metricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr: %w", listenError(cfg.metricsAddr, err))
		}
		defer mln.Close()
	}
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
	m := metrics.New(log)
	db.p = server.New(db.st, server.Options{Log: log, Snapshots: snaps, OnPush: m.OnPush})
	m.Attach(db.p)
	failed := true
	defer func() { db.close(failed) }()
	if err := db.useDataKey(ctx, cfg.datakey, true, log); err != nil {
		return err
	}
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
	// The metrics address first: the website's line is the last of
	// those that say where serve answers.
	if mln != nil {
		log.Info("metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String()+"/api/v1")
	log.Info("website", "url", scheme+"://"+ln.Addr().String()+"/")
	rated, scheduled, figured := make(chan struct{}), make(chan struct{}), make(chan struct{})
	defer func() { <-rated; <-scheduled; <-figured }()
	tickCtx, stopTicking := context.WithCancel(ctx)
	defer stopTicking()
	go func() {
		defer close(rated)
		every(tickCtx, autoRateEvery, "default ratings", log, func(ctx context.Context) error {
			_, err := db.p.AutoRate(ctx)
			return err
		})
	}()
	go func() {
		defer close(figured)
		every(tickCtx, figuresEvery, "street figures", log, func(ctx context.Context) error {
			_, err := db.p.PublishFigures(ctx, db.p.LastMonth())
			return err
		})
	}()
	go func() {
		defer close(scheduled)
		every(tickCtx, scheduleEvery, "content schedule", log, func(ctx context.Context) error {
			_, err := db.p.RunSchedule(ctx)
			return err
		})
	}()
	if mln != nil {
		mctx, stopMetrics := context.WithCancel(ctx)
		metricsDone := make(chan error, 1)
		defer func() { stopMetrics(); <-metricsDone }()
		go func() { metricsDone <- server.Serve(mctx, mln, m.Handler(), "", "", shutdownGrace, log) }()
	}
	err = server.Serve(ctx, ln, m.Instrument(siteHandler(db.p, log)), cert, key, shutdownGrace, log)
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

// scheduleEvery is how often serve publishes the back office's drafts
// whose publish-at has come and withdraws those whose expire-at has
// (Platform.RunSchedule); the back office also runs it before it lists
// drafts.
const scheduleEvery = time.Minute

// every runs fn at once and then every interval until ctx is done. A
// failure is logged under what and tried again at the next tick.
func every(ctx context.Context, interval time.Duration, what string, log *slog.Logger, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			log.Error(what, "err", err)
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
