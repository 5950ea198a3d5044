package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"jiezhen/cmd/internal/version"
	"jiezhen/sync/client"
)

// tokenEnv is where the token may come from instead of --token, which
// other users of the machine can see in the process list.
const tokenEnv = "JIEZHEN_TOKEN"

// killEnv names a failpoint for crash tests: with JIEZHEN_FAILPOINT_SYNC_KILL=N
// the process sends itself SIGKILL at the N-th step of the sync (see
// client.Config.Trace), so a test can stop it at an exact point of the
// push or the pull. Unset, it costs nothing.
const killEnv = "JIEZHEN_FAILPOINT_SYNC_KILL"

// onceLimit bounds `kiosk sync --once` whatever the district answers or
// asks (a long Retry-After ends the run instead of sleeping); what was
// not sent stays queued (docs/ARCHITECTURE.md, the sync agent).
const onceLimit = 60 * time.Second

// cmdSync syncs the kiosk's database with the district: once with --once,
// otherwise until SIGINT or SIGTERM.
func cmdSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	db := dbFlag(fs)
	district := fs.String("district", "", "the district platform's `URL`")
	token := fs.String("token", "", "this kiosk's `TOKEN` (default: $"+tokenEnv+")")
	street := fs.String("street", "", "the kiosk's street `CODE`, checked by the district")
	once := fs.Bool("once", false, "run one full cycle (push, then pull) and exit, within --max-time")
	maxTime := fs.Duration("max-time", onceLimit, "with --once, stop after this long whatever the district answers; what was not sent stays queued")
	timeout := fs.Duration("attempt-timeout", client.DefaultAttemptTimeout, "time limit of each attempt")
	retries := fs.Int("retries", client.DefaultRetries, "retries of each request before the cycle gives up")
	batch := fs.Int("batch", client.DefaultBatch, "outbox items per push")
	page := fs.Int("page", client.DefaultPage, "changes per pull")
	verbose := fs.Bool("v", false, "log the sync's steps to stderr")
	trust := fs.String("trust", "", "the district's bundle key `PUBKEY` (base64, or a file holding it), pinned with the first snapshot the kiosk takes when far behind, if it trusts none yet")
	snapshotBehind := fs.Int64("snapshot-behind", client.DefaultSnapshotBehind, "take a signed snapshot instead of paging when more than this many changes behind (negative: never)")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("sync: unexpected argument %q: %w", pos[0], errUsage)
	}
	if *district == "" {
		return fmt.Errorf("sync: --district URL is required: %w", errUsage)
	}
	tok := *token
	if tok == "" {
		tok = os.Getenv(tokenEnv)
	}
	if tok == "" {
		return fmt.Errorf("sync: no token: give --token TOKEN or set %s: %w", tokenEnv, errUsage)
	}
	// The token's number is recorded by the agent, once the district
	// has said the token is of this kiosk's street (see client.Agent).
	if _, err := numberOf(0, tok); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if *maxTime <= 0 {
		return fmt.Errorf("sync: --max-time must be more than 0, not %s: %w", *maxTime, errUsage)
	}
	if *retries == 0 {
		*retries = -1 // the client's "none"
	}

	var pinned ed25519.PublicKey
	if *trust != "" {
		var err error
		if pinned, err = readPublicKey(*trust); err != nil {
			return fmt.Errorf("sync: --trust: %v: %w", err, errUsage)
		}
	}

	s, err := openDB(ctx, "sync", *db)
	if err != nil {
		return err
	}
	defer s.Close()

	cfg := client.Config{
		District:       *district,
		Token:          tok,
		Street:         *street,
		AttemptTimeout: *timeout,
		Retries:        *retries,
		Batch:          *batch,
		Page:           *page,
		UserAgent:      "jiezhen-kiosk/" + version.Version,
		Trace:          failpoint(os.Getenv(killEnv)),
		Trust:          pinned,
		SnapshotBehind: *snapshotBehind,
	}
	if *verbose {
		cfg.Log = newLogger(stderr, tok)
	}
	a, err := client.New(ctx, s, cfg)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *once {
		octx, cancel := context.WithTimeout(ctx, *maxTime)
		defer cancel()
		res, err := a.OnceResult(octx)
		if err != nil && ctx.Err() == nil && errors.Is(octx.Err(), context.DeadlineExceeded) {
			why := ""
			if last := a.Status().LastError; last != "" {
				why = " (last: " + last + ")"
			}
			return fmt.Errorf("sync: stopped after %s, the limit of --max-time; what was not sent stays queued%s", *maxTime, why)
		}
		if err != nil {
			return fmt.Errorf("sync: %w", err)
		}
		return printJSON(stdout, res)
	}
	if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("sync: %w", err)
	}
	return nil
}

// failpoint returns the Trace hook of killEnv's value, or nil.
func failpoint(v string) func(string) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return nil
	}
	var steps atomic.Int64
	return func(step string) {
		if steps.Add(1) == int64(n) {
			fmt.Fprintf(os.Stderr, "failpoint: SIGKILL at step %d (%s)\n", n, step)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Kill() // SIGKILL: no deferred function, no clean close
			}
			select {} // the signal is on its way
		}
	}
}
