package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"jiezhen/sync/outboxfile"
	"jiezhen/sync/server"
)

// Street staff accounts, their audit trail, and outboxes carried from
// kiosks on USB drives.

func staff(args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) == 0 {
		return "staff", usagef("want a subcommand: add, list or remove")
	}
	sub, args := args[0], args[1:]
	name := "staff " + sub
	fs := newFlags(name)
	dbPath := fs.String("db", "", "the district database")
	switch sub {
	case "add":
		street := fs.String("street", "", "the staff member's street code")
		sname := fs.String("name", "", "the staff member's name")
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath, "street": *street, "name": *sname}); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			st, pin, err := p.AddStaff(ctx, *street, *sname)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, pin)
			fmt.Fprintf(stderr, "districtd: staff account %s (%s) added to street %s; the street's kiosks get it at their next sync or bundle; its PIN is shown only this once\n",
				st.ID, st.Name, st.Street)
			return nil
		})
	case "list":
		street := fs.String("street", "", "only this street's accounts")
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			list, err := p.StaffAccounts(ctx, *street)
			if err != nil {
				return err
			}
			for _, s := range list {
				// The PIN hash stays in the database.
				if err := printJSON(stdout, struct {
					ID     string `json:"id"`
					Street string `json:"street"`
					Name   string `json:"name"`
					Role   string `json:"role"`
				}{s.ID, s.Street, s.Name, s.Role}); err != nil {
					return err
				}
			}
			return nil
		})
	case "remove":
		pos, err := parse(fs, args, 1, "a staff account ID")
		if err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			if err := p.RemoveStaff(ctx, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "staff account %s removed; kiosks drop it at their next sync or bundle\n", pos[0])
			return nil
		})
	}
	return "staff", usagef("unknown subcommand %q: want add, list or remove", sub)
}

func audit(args []string, stdout io.Writer) error {
	fs := newFlags("audit")
	dbPath := fs.String("db", "", "the district database")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		list, err := p.Audit(ctx)
		if err != nil {
			return err
		}
		for _, a := range list {
			if err := printJSON(stdout, a); err != nil {
				return err
			}
		}
		return nil
	})
}

func outboxKey(args []string, stdout io.Writer) error {
	fs := newFlags("outbox-key")
	out := fs.String("out", "", "the private key file to write")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if err := need(map[string]string{"out": *out}); err != nil {
		return err
	}
	idFile, recipient, err := outboxfile.NewKey()
	if err != nil {
		return err
	}
	if err := writeNewKey(*out, []byte(idFile)); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, recipient)
	return err
}

func importOutbox(args []string, stdout io.Writer) error {
	fs := newFlags("import-outbox")
	dbPath := fs.String("db", "", "the district database")
	idPath := fs.String("identity", "", "the outbox private key file (from outbox-key)")
	keyPath := dataKeyFlag(fs)
	pos, err := parse(fs, args, 1, "one outbox FILE")
	if err != nil {
		return err
	}
	if err := need(map[string]string{"db": *dbPath, "identity": *idPath}); err != nil {
		return err
	}
	id, err := outboxfile.ReadIdentity(*idPath)
	if err != nil {
		return err
	}
	fh, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("cannot open %s", pos[0])
	}
	defer fh.Close()
	file, err := outboxfile.Read(fh, id)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	return withCases(*dbPath, *keyPath, func(ctx context.Context, p *server.Platform) error {
		res, err := p.ImportOutbox(ctx, file.Token, file.Street, file.Items)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		return printJSON(stdout, res)
	})
}
