package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"jiezhen/data/redact"
	"jiezhen/sync/server"
)

// The data key file (docs/ARCHITECTURE.md, "Personal data at rest"): every
// command that reads or writes residents' personal data takes --datakey,
// by default the database's path with ".key" appended.

// dataKeyFlag adds --datakey to a command's flags.
func dataKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("datakey", "", "the data key file that unlocks residents' personal data (default: the database's path + \".key\")")
}

// dataKeyPath is the key file of the database at db: the flag's value,
// else db + ".key" beside a SQLite file. A PostgreSQL URL has no folder
// to put it in (and may hold a password): "", which useDataKey and
// rotate refuse.
func dataKeyPath(flagValue, db string) string {
	if flagValue != "" {
		return flagValue
	}
	if server.IsPostgresURL(db) {
		return ""
	}
	return db + ".key"
}

// errDataKeyFlag is the refusal of a PostgreSQL database without --datakey.
var errDataKeyFlag = usagef("a database at a PostgreSQL URL has no default data key file: give it with --datakey")

// useDataKey reads the key file at path and has the platform seal and
// open personal data with it, sealing what the database still holds in
// clear. With create (serve), a missing file is made (mode 0600) with a
// warning, but only while the database holds no data key: once one is
// wrapped with a key file, only that file opens it, and a new one would
// leave every resident's data unreadable.
func (db *database) useDataKey(ctx context.Context, path string, create bool, log *slog.Logger) error {
	if path == "" {
		return errDataKeyFlag
	}
	kf, err := server.ReadKeyFile(path)
	if errors.Is(err, server.ErrNoKeyFile) && create {
		has, herr := server.HasDataKey(ctx, db.st)
		if herr != nil {
			return herr
		}
		if has {
			return fmt.Errorf("data key file %s does not exist, and the database's personal data is sealed under the key it held: restore it from its backup, or give it with --datakey", path)
		}
		if kf, err = server.NewKeyFile(path); err != nil {
			return err
		}
		log.Warn("made a new data key file: back it up apart from the database, which cannot be read without it", "file", path)
	} else if errors.Is(err, server.ErrNoKeyFile) {
		return fmt.Errorf("data key file %s does not exist: residents' personal data cannot be read without it (give it with --datakey)", path)
	}
	if err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 && log != nil {
		log.Warn(fmt.Sprintf("warning: data key file %s is mode %04o, readable by other users, and it unlocks personal data: chmod 600 %s", path, st.Mode().Perm(), path))
	}
	return db.p.UseKeyFile(ctx, kf)
}

// withCases is withDB for a command that reads or writes residents'
// personal data, with the data key file at keyPath (--datakey's value).
func withCases(path, keyPath string, fn func(ctx context.Context, p *server.Platform) error) error {
	return withCasesKey(path, keyPath, false, fn)
}

// withCasesKey is withCases; with create, a missing key file is made as
// serve makes it, while the database holds no data key yet, and the
// warning goes to stderr: import-outbox, like serve, may be the first to
// store a resident's case in a new database.
func withCasesKey(path, keyPath string, create bool, fn func(ctx context.Context, p *server.Platform) error) error {
	ctx := context.Background()
	db, err := openDB(ctx, path, false, false, nil)
	if err != nil {
		return err
	}
	var log *slog.Logger
	if create {
		log = redact.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if err := db.useDataKey(ctx, dataKeyPath(keyPath, path), create, log); err != nil {
		db.close(true)
		return err
	}
	err = fn(ctx, db.p)
	db.close(err != nil)
	return err
}

func datakey(args []string, stdout io.Writer) (string, error) {
	if len(args) == 0 {
		return "datakey", usagef("want a subcommand: create or rotate")
	}
	name := "datakey " + args[0]
	switch args[0] {
	case "create":
		fs := newFlags(name)
		out := fs.String("out", "", "the key file to write (mode 0600; never overwritten)")
		if _, err := parse(fs, args[1:], 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"out": *out}); err != nil {
			return name, err
		}
		kf, err := server.NewKeyFile(*out)
		if err != nil {
			return name, err
		}
		fmt.Fprintf(stdout, "wrote data key file %s (key %s): keep a backup of it apart from the database's\n", kf.Path, kf.ID)
		return name, nil
	case "rotate":
		fs := newFlags(name)
		dbPath := fs.String("db", "", "the district database (districtd serve stopped)")
		old := dataKeyFlag(fs)
		next := fs.String("new", "", "the key file to wrap the data keys with instead (made if missing)")
		reencrypt := fs.Bool("reencrypt", false, "also make a new data key and seal every case, opinion and TOTP key under it")
		if _, err := parse(fs, args[1:], 0, ""); err != nil {
			return name, err
		}
		if *dbPath == "" {
			return name, usagef("missing --db")
		}
		if *next == "" && !*reencrypt {
			return name, usagef("give --new FILE (a new key file), --reencrypt (a new data key), or both")
		}
		return name, rotate(*dbPath, dataKeyPath(*old, *dbPath), *next, *reencrypt, stdout)
	}
	return "datakey", usagef("unknown subcommand %q: want create or rotate", args[0])
}

// rotate rewraps the database's data keys with the key file next (when
// given) and, with reencrypt, seals everything under a new data key.
func rotate(dbPath, oldPath, nextPath string, reencrypt bool, stdout io.Writer) error {
	ctx := context.Background()
	if oldPath == "" {
		return errDataKeyFlag
	}
	old, err := server.ReadKeyFile(oldPath)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, dbPath, false, false, nil)
	if err != nil {
		return err
	}
	defer db.close(false)
	kf := old
	if nextPath != "" {
		next, err := server.ReadKeyFile(nextPath)
		if errors.Is(err, server.ErrNoKeyFile) {
			next, err = server.NewKeyFile(nextPath)
		}
		if err != nil {
			return err
		}
		n, err := server.RewrapDataKeys(ctx, db.st, old, next)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rewrapped %d data key(s) with %s (key %s): districtd now needs it in place of %s\n", n, next.Path, next.ID, old.Path)
		kf = next
	}
	if !reencrypt {
		return nil
	}
	if err := db.p.UseKeyFile(ctx, kf); err != nil {
		return err
	}
	n, err := db.p.NewDataKey(ctx, kf)
	if err != nil {
		return fmt.Errorf("%w (run it again to go on: each batch sealed is kept)", err)
	}
	fmt.Fprintf(stdout, "sealed %d case(s) under a new data key\n", n)
	return nil
}
