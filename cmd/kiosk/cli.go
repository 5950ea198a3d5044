package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"jiezhen/cmd/internal/cli"
	"jiezhen/cmd/internal/demo"
	"jiezhen/cmd/internal/version"
	"jiezhen/data"
	"jiezhen/data/dbfile"
	"jiezhen/data/store"
)

const usage = `usage: kiosk [command] [flags]

With no command, opens the kiosk window:
  kiosk [--db FILE] [--street CODE] [--district URL] [--fullscreen] [--elder] [--idle D] [--retention D]
        [--outbox-recipient PUBKEY] [--mount-dirs /media,/run/media] [--trust PUBKEY]
        [--printer /dev/usb/lp0|cups:QUEUE] [--printer-width 576|384]
  (the token comes from $JIEZHEN_TOKEN and carries the kiosk's number, the first part of
  the references it makes, kept in its database; it also opens the staff PIN key, so staff
  sign in only on a window started with it; a .jzb bundle on a USB drive
  plugged in is offered for import, and five taps on the kiosk's name list them all)

commands:
  demo    --db FILE [--replace] [--street CODE]
                                         load the demo street's content into an empty database
  status  --db FILE [--check]            print the kiosk's state as one JSON object, after
                                         SQLite's quick_check (--check: the full
                                         integrity_check); a damaged file is refused
  search  --db FILE [--kind K] QUERY     print one JSON object per hit, best first
  show    --db FILE KIND ID              print one item as a JSON object
  sync    --db FILE --district URL [--token TOKEN] [--trust PUBKEY] --once [--max-time D]
                                         run one sync cycle with the district (far behind:
                                         a signed snapshot first, verified like import),
                                         ending within --max-time (default 60s) whatever
                                         the district answers; URL without /api/v1; a
                                         token of another street is refused, nothing sent
  import  --db FILE [--trust PUBKEY] [--street CODE] BUNDLE.jzb
                                         verify a signed bundle and apply it
  track   --db FILE REF [--phone4 NNNN]  print a case's timeline as one JSON object
  export  --db FILE --to FILE --recipient PUBKEY [--token TOKEN]
                                         write the waiting outbox to a file encrypted to the
                                         district's outbox key (for a USB drive); the items
                                         stay queued
  submit  --db FILE --service CODE --form FILE.json [--token TOKEN] [--kiosk NUMBER]
                                         file an application for a resident (代办); prints the receipt
  reset   --db FILE --street CODE        move the kiosk to another street: clear the old street's
                                         content, cases, cursor and kiosk number (refused while
                                         items wait in the outbox); then sync with the new token
  version                                print the release
`

// command is one headless subcommand. It prints its result on stdout and
// returns an error whose text is printed as one line after "kiosk: ";
// stderr takes a note beside a result, one line after "kiosk: " too.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

var commands = map[string]command{
	"demo":   cmdDemo,
	"status": cmdStatus,
	"search": cmdSearch,
	"show":   cmdShow,
	"sync":   cmdSync,
	"import": cmdImport,
	"submit": cmdSubmit,
	"track":  cmdTrack,
	"export": cmdExport,
	"reset":  cmdReset,
}

// errUsage marks an error in how the command was called (exit status 2).
var errUsage = errors.New("usage")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, version.String("kiosk"))
			return 0
		case "help", "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fail(stderr, runApp(args, stderr))
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kiosk: unknown command %q (try 'kiosk help')\n", args[0])
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs := &runState{stderr: stderr}
	err := cmd(context.WithValue(ctx, runKey{}, rs), args[1:], stdout, stderr)
	if err != nil {
		// The command has closed its store: a database it created goes
		// with its failure, so no empty kiosk is left behind.
		for _, path := range rs.created {
			dbfile.Remove(path)
		}
	}
	return fail(stderr, err)
}

// runState is what a command's run shares with the helpers it calls: the
// standard error for warnings, and the databases it created.
type runState struct {
	stderr  io.Writer
	created []string
}

type runKey struct{}

func stateOf(ctx context.Context) *runState {
	if rs, ok := ctx.Value(runKey{}).(*runState); ok {
		return rs
	}
	return &runState{stderr: io.Discard}
}

// fail prints err as one line and turns it into an exit status.
func fail(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	fmt.Fprintln(stderr, "kiosk: "+msg)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// parse parses flags that may stand before, between or after the
// positional arguments, and returns the positional ones; after "--"
// every argument is positional (cmd/internal/cli).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %w", fs.Name(), err, errUsage)
	}
	return pos, nil
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "the kiosk's database `FILE`")
}

// openDB opens the database named by --db, which must be given. A file
// it creates is removed again if the command fails.
func openDB(ctx context.Context, cmd string, path string) (*store.Store, error) {
	return openWith(ctx, cmd, path, store.Options{})
}

func openWith(ctx context.Context, cmd string, path string, opts store.Options) (*store.Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%s: --db FILE is required: %w", cmd, errUsage)
	}
	s, err := store.OpenWith(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	rs := stateOf(ctx)
	if s.Created() {
		rs.created = append(rs.created, path)
	}
	return s, nil
}

// openExisting is openDB for commands that only read: a missing file is
// an error rather than a new empty database (unless a -wal is left of it,
// which Open refuses as the remainder of a lost file).
func openExisting(ctx context.Context, cmd string, path string) (*store.Store, error) {
	return openExistingWith(ctx, cmd, path, store.Options{})
}

func openExistingWith(ctx context.Context, cmd string, path string, opts store.Options) (*store.Store, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			if _, werr := os.Stat(path + "-wal"); werr != nil {
				return nil, fmt.Errorf("%s: no database at %s", cmd, path)
			}
		}
	}
	return openWith(ctx, cmd, path, opts)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func cmdDemo(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	db := dbFlag(fs)
	replace := fs.Bool("replace", false, "replace the content of a non-empty database")
	street := fs.String("street", demo.Street, "load the scope of street `CODE`: its own and district-wide content")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("demo: unexpected argument %q: %w", pos[0], errUsage)
	}
	// Read and validate the demo set before touching the database.
	set, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		return err
	}
	// A kiosk holds one street's scope, as the district's feed serves it.
	scoped := set.Scope(*street)
	if len(scoped.Streets) == 0 {
		return fmt.Errorf("demo: the demo content has no street %q: %w", *street, errUsage)
	}
	changes, err := scoped.Changes()
	if err != nil {
		return err
	}
	s, err := openDB(ctx, "demo", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty && !*replace {
		return fmt.Errorf("demo: %s already holds content; add --replace to replace it", *db)
	}
	// Demo content is not from the district's feed: it goes through the
	// one apply path without moving the feed's cursor, so a later sync
	// still pulls everything. A replace swaps all content in one
	// transaction, so a failure keeps the old content.
	var res store.ApplyResult
	if empty {
		var cursor int64
		if cursor, err = s.Cursor(ctx, store.ContentFeed); err == nil {
			res, err = s.Apply(ctx, store.ContentFeed, changes, cursor)
		}
	} else {
		res, err = s.ReplaceContent(ctx, changes)
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	n := res.Upserted
	return printJSON(stdout, map[string]any{"db": *db, "loaded": n})
}

func cmdStatus(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	db := dbFlag(fs)
	full := fs.Bool("check", false, "run SQLite's full integrity_check instead of its quick_check")
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("status: unexpected argument %q: %w", pos[0], errUsage)
	}
	s, err := openExistingWith(ctx, "status", *db, store.Options{QuickCheck: !*full, IntegrityCheck: *full})
	if err != nil {
		return err
	}
	defer s.Close()
	if w := dbfile.Warning(*db); w != "" {
		fmt.Fprintln(stateOf(ctx).stderr, "kiosk: "+w)
	}
	st, err := s.Status(ctx)
	if err != nil {
		return err
	}
	out := struct {
		store.Status
		// KioskNumberNote says why a kiosk without a number matters.
		KioskNumberNote string `json:"kiosk_number_note,omitempty"`
	}{Status: st}
	if st.KioskNumber == 0 {
		out.KioskNumberNote = noNumberNote
	}
	return printJSON(stdout, out)
}

func cmdSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	db := dbFlag(fs)
	kind := fs.String("kind", "", "only hits of this `KIND` (notice, catalog, service, provider, consultation)")
	limit := fs.Int("limit", 20, "at most `N` hits")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(pos, " "))
	if query == "" {
		return fmt.Errorf("search: give a QUERY: %w", errUsage)
	}
	q := store.Query{Text: query, Limit: *limit}
	if *kind != "" {
		k := data.Kind(*kind)
		if !k.Valid() || k == data.KindStaff {
			return fmt.Errorf("search: unknown kind %q: %w", *kind, errUsage)
		}
		q.Kinds = []data.Kind{k}
	}
	s, err := openExisting(ctx, "search", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Search(ctx, q)
	if err != nil {
		return err
	}
	if len(res.Hits) == 0 {
		// Nothing on stdout reads the same as a failure that printed
		// nothing; say it, and exit 0: finding nothing is an answer.
		what := "item"
		if *kind != "" {
			what = *kind
		}
		_, err := fmt.Fprintf(stderr, "kiosk: no %s matches %q\n", what, query)
		return err
	}
	for _, h := range res.Hits {
		if err := printJSON(stdout, h); err != nil {
			return err
		}
	}
	return nil
}

func cmdShow(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	db := dbFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("show: want KIND ID: %w", errUsage)
	}
	kind := data.Kind(pos[0])
	if !kind.Valid() || kind == data.KindStaff {
		return fmt.Errorf("show: unknown kind %q: %w", pos[0], errUsage)
	}
	s, err := openExisting(ctx, "show", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	doc, _, err := s.Get(ctx, kind, pos[1])
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("show: no %s with id %q", kind, pos[1])
	}
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return err
	}
	return printJSON(stdout, v)
}

// defaultDB is where the kiosk keeps its database when --db is not given.
func defaultDB() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		dir = "."
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		}
	}
	return filepath.Join(dir, "jiezhen", "kiosk.db")
}
