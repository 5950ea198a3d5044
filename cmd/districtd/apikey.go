package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"jiezhen/sync/server"
)

// API keys of the Open311 API (docs/OPEN311.md).

func apikey(args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) == 0 {
		return "apikey", usagef("want a subcommand: add, list or remove")
	}
	sub, args := args[0], args[1:]
	name := "apikey " + sub
	fs := newFlags(name)
	dbPath := fs.String("db", "", "the district database")
	switch sub {
	case "add":
		kname := fs.String("name", "", "whose key it is: the app or system that posts with it")
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath, "name": *kname}); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			k, key, err := p.AddAPIKey(ctx, *kname)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, key)
			fmt.Fprintf(stderr, "districtd: API key %d (%s) added for the Open311 API; it is shown only this once\n", k.ID, k.Name)
			return nil
		})
	case "list":
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath}); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			list, err := p.APIKeys(ctx)
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
	case "remove":
		pos, err := parse(fs, args, 1, "an API key ID")
		if err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath}); err != nil {
			return name, err
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil || id < 1 {
			return name, usagef("API key ID %q is not a number from 'districtd apikey list'", pos[0])
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			if err := p.RemoveAPIKey(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "API key %d removed; its client is refused from now on\n", id)
			return nil
		})
	}
	return "apikey", usagef("unknown subcommand %q: want add, list or remove", sub)
}
