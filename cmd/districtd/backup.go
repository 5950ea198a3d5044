package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"jiezhen/sync/server"
)

// backup writes an online copy of the district database
// (server.Backup); docs/DEPLOY.md says how to restore it.
func backup(args []string, stdout io.Writer) error {
	fs := newFlags("backup")
	db := fs.String("db", "", "the district database to copy (serve may be running on it)")
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
	fmt.Fprintf(stdout, "backup: %s (%d bytes, quick_check ok)\n", *out, st.Size())
	return nil
}
