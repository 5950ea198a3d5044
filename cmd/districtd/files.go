package main

import (
	"context"
	"io"

	"jiezhen/sync/server"
)

// files lists the attachment files the district holds, with the content
// that refers to each, and removes one that nothing refers to any more.
func files(args []string, stdout io.Writer) (string, error) {
	if len(args) == 0 {
		return "files", usagef("want a subcommand: list or remove")
	}
	sub, args := args[0], args[1:]
	name := "files " + sub
	fs := newFlags(name)
	dbPath := fs.String("db", "", "the district database")
	switch sub {
	case "list":
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if *dbPath == "" {
			return name, usagef("missing --db")
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			list, err := p.Files(ctx)
			if err != nil {
				return err
			}
			for _, f := range list {
				if err := printJSON(stdout, f); err != nil {
					return err
				}
			}
			return nil
		})
	case "remove":
		pos, err := parse(fs, args, 1, "PATH")
		if err != nil {
			return name, err
		}
		if *dbPath == "" {
			return name, usagef("missing --db")
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			if err := p.RemoveFile(ctx, pos[0]); err != nil {
				return err
			}
			return printJSON(stdout, map[string]any{"removed": pos[0]})
		})
	}
	return name, usagef("unknown subcommand %q: want list or remove", sub)
}
