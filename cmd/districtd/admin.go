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
	"slices"
	"strconv"
	"time"

	"jiezhen/data"
	"jiezhen/data/dbfile"
	"jiezhen/sync/server"
)

// database is an open district database for one command.
type database struct {
	st      server.Store
	p       *server.Platform
	created []string // files this command created, removed if it fails
}

// openDB opens the database every command names with --db: a
// postgres:// or postgresql:// URL is a PostgreSQL database (migrated on
// open, shared by any number of serve replicas), anything else a SQLite
// file. Only commands that may start a new district (serve, publish)
// create a file; for the others a missing file is a typo, and creating an
// empty database there would hide it. check runs SQLite's quick_check
// first and refuses a damaged file. Errors and logs name a URL without its
// password (server.RedactURL).
func openDB(ctx context.Context, path string, create, check bool, log *slog.Logger) (*database, error) {
	if path == "" {
		return nil, usagef("missing --db")
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if server.IsPostgresURL(path) {
		st, err := server.OpenPostgres(ctx, path)
		if err != nil {
			return nil, err
		}
		return startDB(ctx, &database{st: st}, log)
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
	st, err := server.OpenSQLiteWith(ctx, path, server.SQLiteOptions{QuickCheck: check})
	if err != nil {
		db.removeCreated()
		return nil, err
	}
	if w := dbfile.Warning(path); w != "" {
		log.Warn(w)
	}
	db.st = st
	return startDB(ctx, db, log)
}

// startDB readies an opened database for a command.
func startDB(ctx context.Context, db *database, log *slog.Logger) (*database, error) {
	db.p = server.New(db.st, server.Options{Log: log})
	// Accounts published before the street PIN keys are published again
	// keyed, before anything can serve or bundle their hashes.
	if _, err := db.p.KeyStaffPINs(ctx); err != nil {
		db.close(true)
		return nil, err
	}
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
	db, err := openDB(ctx, path, create, false, nil)
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
		return "kiosk", usagef("want a subcommand: add, list, token or revoke")
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
	case "token":
		id, err := kioskID(fs, args)
		if err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			token, reinstated, err := p.NewToken(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, token)
			note := ""
			if reinstated {
				note = "; the kiosk was revoked and is in service again"
			}
			fmt.Fprintf(stderr, "districtd: kiosk %d has a new token, shown only this once; the old one no longer works%s\n", id, note)
			return nil
		})
	case "revoke":
		id, err := kioskID(fs, args)
		if err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			if err := p.RevokeKiosk(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "kiosk %d revoked\n", id)
			return nil
		})
	}
	return "kiosk", usagef("unknown subcommand %q: want add, list, token or revoke", sub)
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
// WorkdaysLeft is set while the deadline runs (0 on the day it is due);
// OverdueWorkdays instead once it has passed.
type caseLine struct {
	Ref             string         `json:"ref"`
	ID              string         `json:"id"`
	Kind            data.CaseKind  `json:"kind"`
	Street          string         `json:"street"`
	Kiosk           int64          `json:"kiosk"`
	Channel         data.Channel   `json:"channel,omitempty"` // kiosk, usb, web, ...
	Status          data.Status    `json:"status"`
	ReceivedAt      time.Time      `json:"received_at"`
	Deadline        *data.Date     `json:"deadline,omitempty"`
	WorkdaysLeft    *int           `json:"workdays_left,omitempty"`
	OverdueWorkdays int            `json:"overdue_workdays,omitempty"`
	Service         string         `json:"service,omitempty"`
	AppealType      string         `json:"appeal_type,omitempty"`
	Department      string         `json:"department,omitempty"`
	ReplyType       data.ReplyType `json:"reply_type,omitempty"`
	Rating          data.Rating    `json:"rating,omitempty"`
	RatingDefault   bool           `json:"rating_default,omitempty"`
	// Corrections counts the corrections the resident sent, and
	// CorrectedFields names the form fields they changed (not their
	// values).
	Corrections     int           `json:"corrections,omitempty"`
	CorrectedFields []string      `json:"corrected_fields,omitempty"`
	Next            []data.Status `json:"next,omitempty"`
	// Applicant is masked unless printed with --full.
	Applicant *applicantLine `json:"applicant,omitempty"`
}

// applicantLine is a case's applicant as 'districtd cases' prints it:
// masked (name, ID number and mobile as the back office masks them, no
// address or email), or in full.
type applicantLine struct {
	Name     string `json:"name,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	Mobile   string `json:"mobile,omitempty"`
	Address  string `json:"address,omitempty"`
	Email    string `json:"email,omitempty"`
}

func applicantOf(a *data.Person, full bool) *applicantLine {
	switch {
	case a == nil:
		return nil
	case full:
		return &applicantLine{Name: a.Name, IDNumber: a.IDNumber, Mobile: a.Mobile, Address: a.Address, Email: a.Email}
	}
	l := applicantLine{Name: data.MaskName(a.Name)}
	if a.IDNumber != "" {
		l.IDNumber = data.MaskID(a.IDNumber)
	}
	if a.Mobile != "" {
		l.Mobile = data.MaskMobile(a.Mobile)
	}
	return &l
}

func lineOf(r server.CaseRecord, cal *data.Calendar, today data.Date) caseLine {
	c := &r.Case
	l := caseLine{Ref: c.Ref, ID: c.ID, Kind: c.Kind, Street: c.Street, Kiosk: r.Kiosk, Channel: c.Channel,
		Status: c.Status, ReceivedAt: r.ReceivedAt, Service: c.Service, AppealType: string(c.AppealType),
		Department: c.Department, Rating: c.Rating, RatingDefault: c.RatingDefault, Next: c.Kind.Next(c.Status)}
	if c.Reply != nil {
		l.ReplyType = c.Reply.Type
	}
	l.Corrections = len(c.Corrections)
	for _, corr := range c.Corrections {
		for code := range corr.Values {
			if !slices.Contains(l.CorrectedFields, code) {
				l.CorrectedFields = append(l.CorrectedFields, code)
			}
		}
	}
	slices.Sort(l.CorrectedFields)
	if !c.Deadline.IsZero() {
		d := c.Deadline
		l.Deadline = &d
	}
	if left, ok := c.WorkdaysLeft(cal, today); ok {
		if left < 0 {
			l.OverdueWorkdays = -left
		} else {
			l.WorkdaysLeft = &left
		}
	}
	return l
}

// printCases prints case lines with their working days counted on the
// district's calendar; with full, the applicant in full, each case's
// disclosure first written to the back office's audit as user districtd.
func printCases(ctx context.Context, p *server.Platform, stdout io.Writer, full bool, list ...server.CaseRecord) error {
	cal, today, err := p.Calendar(ctx)
	if err != nil {
		return err
	}
	for _, r := range list {
		l := lineOf(r, cal, today)
		l.Applicant = applicantOf(r.Case.Applicant, full)
		if full && r.Case.Applicant != nil {
			street := r.Assigned
			if street == "" {
				street = r.Case.Street
			}
			if err := p.AdminAuditIn(ctx, cliUser, street, "unmask", r.Case.Ref, "districtd cases --full"); err != nil {
				return err
			}
		}
		if err := printJSON(stdout, l); err != nil {
			return err
		}
	}
	return nil
}

func cases(args []string, stdout io.Writer) (string, error) {
	fs := newFlags("cases")
	dbPath := fs.String("db", "", "the district database")
	status := fs.String("status", "", "list: only cases in this status")
	street := fs.String("street", "", "list: only cases of this street")
	reason := fs.String("reason", "", "set: why, as the resident will read it (for replied: the reply)")
	replyType := fs.String("reply-type", "", "set replied on a disclosure request: one of "+fmt.Sprint(data.ReplyTypes))
	into := fs.String("into", "", "set merged: the reference of the appeal this one joins")
	department := fs.String("department", "", "set dispatched: the department the appeal goes to")
	full := fs.Bool("full", false, "list: the applicant's data in full, each case audited as user districtd (default: masked)")
	keyPath := dataKeyFlag(fs)
	pos, err := parse(fs, args, -1, "")
	if err != nil {
		return "cases", err
	}
	if len(pos) == 0 {
		return "cases", usagef("want a subcommand: list, set or autorate")
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	sub, pos := pos[0], pos[1:]
	name := "cases " + sub
	setFlags := given["reason"] || given["reply-type"] || given["into"] || given["department"]
	switch sub {
	case "list":
		if len(pos) > 0 {
			return name, usagef("unexpected argument %q", pos[0])
		}
		if setFlags {
			return name, usagef("--reason, --reply-type, --into and --department go with 'cases set'")
		}
		if *status != "" && !knownStatus(data.Status(*status)) {
			return name, usagef("unknown status %q", *status)
		}
		return name, withCases(*dbPath, *keyPath, func(ctx context.Context, p *server.Platform) error {
			list, err := p.Cases(ctx, server.CaseFilter{Status: data.Status(*status), Street: *street})
			if err != nil {
				return err
			}
			return printCases(ctx, p, stdout, *full, list...)
		})
	case "set":
		if len(pos) != 2 {
			return name, usagef("want REF and STATUS, got %d argument(s)", len(pos))
		}
		if given["status"] || given["street"] || given["full"] {
			return name, usagef("--status, --street and --full go with 'cases list'")
		}
		to := data.Status(pos[1])
		if !knownStatus(to) {
			return name, usagef("unknown status %q", pos[1])
		}
		if *replyType != "" && !slices.Contains(data.ReplyTypes, data.ReplyType(*replyType)) {
			return name, usagef("unknown reply type %q: one of %v", *replyType, data.ReplyTypes)
		}
		if given["department"] && to != data.StatusDispatched {
			return name, usagef("--department goes with status %s", data.StatusDispatched)
		}
		if given["into"] && to != data.StatusMerged {
			return name, usagef("--into goes with status %s", data.StatusMerged)
		}
		if given["reply-type"] && to != data.StatusReplied {
			return name, usagef("--reply-type goes with status %s", data.StatusReplied)
		}
		return name, withCases(*dbPath, *keyPath, func(ctx context.Context, p *server.Platform) error {
			r, err := p.MoveCase(ctx, server.CaseMove{Ref: pos[0], To: to, Reason: *reason,
				ReplyType: data.ReplyType(*replyType), Into: *into, Department: *department})
			if err != nil {
				return err
			}
			return printCases(ctx, p, stdout, false, r)
		})
	case "autorate":
		if len(pos) > 0 {
			return name, usagef("unexpected argument %q", pos[0])
		}
		if setFlags || given["status"] || given["street"] || given["full"] {
			return name, usagef("'cases autorate' takes only --db and --datakey")
		}
		return name, withCases(*dbPath, *keyPath, func(ctx context.Context, p *server.Platform) error {
			n, err := p.AutoRate(ctx)
			if err != nil {
				return err
			}
			return printJSON(stdout, map[string]int{"rated": n})
		})
	}
	return "cases", usagef("unknown subcommand %q: want list, set or autorate", sub)
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

// kioskID parses the one argument of a kiosk subcommand: an id from
// 'districtd kiosk list'.
func kioskID(fs *flag.FlagSet, args []string) (int64, error) {
	pos, err := parse(fs, args, 1, "a kiosk ID")
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("kiosk ID %q is not a number from 'districtd kiosk list'", pos[0])
	}
	return id, nil
}
