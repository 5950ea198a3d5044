package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// database is an open district database for one command.
type database struct {
	st      *server.SQLite
	p       *server.Platform
	created []string // files this command created, removed if it fails
}

// openDB opens the database at path. Only commands that may start a new
// district (serve, publish) create it; for the others a missing file is a
// typo, and creating an empty database there would hide it.
func openDB(ctx context.Context, path string, create bool, log *slog.Logger) (*database, error) {
	if path == "" {
		return nil, usagef("missing --db")
	}
	db := &database{}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if !create {
			return nil, fmt.Errorf("database %s does not exist", path)
		}
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if _, err := os.Stat(f); errors.Is(err, os.ErrNotExist) {
				db.created = append(db.created, f)
			}
		}
	} else if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	st, err := server.OpenSQLite(ctx, path)
	if err != nil {
		db.removeCreated()
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db.st = st
	db.p = server.New(st, server.Options{Log: log})
	return db, nil
}

// close closes the database; if the command failed, files it created are
// removed, so a failed first publish leaves nothing behind.
func (db *database) close(failed bool) {
	db.st.Close()
	if failed {
		db.removeCreated()
	}
}

func (db *database) removeCreated() {
	for _, f := range db.created {
		os.Remove(f)
	}
}

// withDB runs fn on the database and closes it.
func withDB(path string, create bool, fn func(ctx context.Context, p *server.Platform) error) error {
	ctx := context.Background()
	db, err := openDB(ctx, path, create, nil)
	if err != nil {
		return err
	}
	err = fn(ctx, db.p)
	db.close(err != nil)
	return err
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func streets(args []string, stdout io.Writer) error {
	fs := newFlags("streets")
	dbPath := fs.String("db", "", "the district database")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		list, err := p.Streets(ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			if err := printJSON(stdout, struct {
				Code string `json:"code"`
				Name string `json:"name"`
			}{s.Code, s.Name}); err != nil {
				return err
			}
		}
		return nil
	})
}

func kiosk(args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) == 0 {
		return "kiosk", usagef("want a subcommand: add, list or revoke")
	}
	sub, args := args[0], args[1:]
	name := "kiosk " + sub
	fs := newFlags(name)
	dbPath := fs.String("db", "", "the district database")
	switch sub {
	case "add":
		street := fs.String("street", "", "the kiosk's street code")
		kname := fs.String("name", "", "a name that says where the kiosk stands")
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath, "street": *street, "name": *kname}); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			k, token, err := p.AddKiosk(ctx, *street, *kname)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, token)
			fmt.Fprintf(stderr, "districtd: kiosk %d added to street %s; its token is shown only this once\n", k.ID, k.Street)
			return nil
		})
	case "list":
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			list, err := p.Kiosks(ctx)
			if err != nil {
				return err
			}
			for _, k := range list {
				if err := printJSON(stdout, k); err != nil {
					return err
				}
			}
			return nil
		})
	case "revoke":
		pos, err := parse(fs, args, 1, "a kiosk ID")
		if err != nil {
			return name, err
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id < 1 {
			return name, usagef("kiosk ID %q is not a number from 'districtd kiosk list'", pos[0])
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			if err := p.RevokeKiosk(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "kiosk %d revoked\n", id)
			return nil
		})
	}
	return "kiosk", usagef("unknown subcommand %q: want add, list or revoke", sub)
}

func publish(args []string, stdout io.Writer) error {
	fs := newFlags("publish")
	dbPath := fs.String("db", "", "the district database")
	pos, err := parse(fs, args, 1, "one CONTENT.json")
	if err != nil {
		return err
	}
	if *dbPath == "" {
		return usagef("missing --db")
	}
	// Read and check the file before touching the database.
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("read content: %w", err)
	}
	set, err := data.ReadContentSet(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	return withDB(*dbPath, true, func(ctx context.Context, p *server.Platform) error {
		res, err := p.Publish(ctx, set)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		return printJSON(stdout, map[string]any{"added": res.Added, "changed": res.Changed, "unchanged": res.Unchanged, "seq": res.Last})
	})
}

func unpublish(args []string, stdout io.Writer) error {
	fs := newFlags("unpublish")
	dbPath := fs.String("db", "", "the district database")
	pos, err := parse(fs, args, 2, "KIND and ID")
	if err != nil {
		return err
	}
	kind := data.Kind(pos[0])
	if !kind.Valid() {
		return usagef("%q is not a content kind (one of %v)", pos[0], data.ContentKinds)
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		seq, err := p.Unpublish(ctx, kind, pos[1])
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"kind": kind, "id": pos[1], "seq": seq})
	})
}

// caseLine is what `cases` prints of a case: enough to find and move it,
// and no personal data, since terminals and their scrollback are shared.
type caseLine struct {
	Ref        string        `json:"ref"`
	ID         string        `json:"id"`
	Kind       data.CaseKind `json:"kind"`
	Street     string        `json:"street"`
	Kiosk      int64         `json:"kiosk"`
	Status     data.Status   `json:"status"`
	ReceivedAt time.Time     `json:"received_at"`
	Deadline   *data.Date    `json:"deadline,omitempty"`
	Service    string        `json:"service,omitempty"`
	AppealType string        `json:"appeal_type,omitempty"`
	Next       []data.Status `json:"next,omitempty"`
}

func lineOf(r server.CaseRecord) caseLine {
	l := caseLine{Ref: r.Case.Ref, ID: r.Case.ID, Kind: r.Case.Kind, Street: r.Case.Street, Kiosk: r.Kiosk,
		Status: r.Case.Status, ReceivedAt: r.ReceivedAt, Service: r.Case.Service, AppealType: string(r.Case.AppealType),
		Next: r.Case.Kind.Next(r.Case.Status)}
	if !r.Case.Deadline.IsZero() {
		d := r.Case.Deadline
		l.Deadline = &d
	}
	return l
}

func cases(args []string, stdout io.Writer) (string, error) {
	fs := newFlags("cases")
	dbPath := fs.String("db", "", "the district database")
	status := fs.String("status", "", "list: only cases in this status")
	street := fs.String("street", "", "list: only cases of this street")
	reason := fs.String("reason", "", "set: why, as the resident will read it")
	replyType := fs.String("reply-type", "", "set replied on a disclosure request: one of "+fmt.Sprint(data.ReplyTypes))
	into := fs.String("into", "", "set merged: the reference of the appeal this one joins")
	pos, err := parse(fs, args, -1, "")
	if err != nil {
		return "cases", err
	}
	if len(pos) == 0 {
		return "cases", usagef("want a subcommand: list or set")
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	sub, pos := pos[0], pos[1:]
	name := "cases " + sub
	switch sub {
	case "list":
		if len(pos) > 0 {
			return name, usagef("unexpected argument %q", pos[0])
		}
		if given["reason"] || given["reply-type"] || given["into"] {
			return name, usagef("--reason, --reply-type and --into go with 'cases set'")
		}
		if *status != "" && !knownStatus(data.Status(*status)) {
			return name, usagef("unknown status %q", *status)
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			list, err := p.Cases(ctx, server.CaseFilter{Status: data.Status(*status), Street: *street})
			if err != nil {
				return err
			}
			for _, r := range list {
				if err := printJSON(stdout, lineOf(r)); err != nil {
					return err
				}
			}
			return nil
		})
	case "set":
		if len(pos) != 2 {
			return name, usagef("want REF and STATUS, got %d argument(s)", len(pos))
		}
		if given["status"] || given["street"] {
			return name, usagef("--status and --street go with 'cases list'")
		}
		if !knownStatus(data.Status(pos[1])) {
			return name, usagef("unknown status %q", pos[1])
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			r, err := p.MoveCase(ctx, server.CaseMove{Ref: pos[0], To: data.Status(pos[1]), Reason: *reason, ReplyType: data.ReplyType(*replyType), Into: *into})
			if err != nil {
				return err
			}
			return printJSON(stdout, lineOf(r))
		})
	}
	return "cases", usagef("unknown subcommand %q: want list or set", sub)
}

func knownStatus(s data.Status) bool {
	for _, k := range []data.CaseKind{data.CaseApplication, data.CaseAppeal, data.CaseDisclosure} {
		for _, v := range k.Statuses() {
			if v == s {
				return true
			}
		}
	}
	return false
}

func reset(args []string, stdout io.Writer) error {
	fs := newFlags("reset")
	dbPath := fs.String("db", "", "the district database")
	street := fs.String("street", "", "the street whose kiosks refetch")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if err := need(map[string]string{"db": *dbPath, "street": *street}); err != nil {
		return err
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		n, err := p.OrderReset(ctx, *street)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d kiosk(s) of street %s will refetch at their next pull\n", n, *street)
		return nil
	})
}
