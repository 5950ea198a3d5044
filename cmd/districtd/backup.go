package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"jiezhen/sync/server"
)

// backup writes an online copy of the district database, a SQLite file
// or pg_dump's custom format (server.Backup); docs/DEPLOY.md says how to
// restore either.
func backup(args []string, stdout io.Writer) error {
	fs := newFlags("backup")
	db := fs.String("db", "", "the district database to copy, a file or a postgres:// URL (serve may be running on it)")
	out := fs.String("out", "", "the new file to write (never overwritten; mode 0600)")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if err := need(map[string]string{"db": *db, "out": *out}); err != nil {
		return err
	}
	if err := server.Backup(context.Background(), *db, *out); err != nil {
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	check := "quick_check ok"
	if server.IsPostgresURL(*db) {
		check = "pg_dump custom format, pg_restore --list ok"
	}
	fmt.Fprintf(stdout, "backup: %s (%d bytes, %s)\n", *out, st.Size(), check)
	return nil
}
