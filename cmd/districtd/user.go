package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"jiezhen/sync/server"
)

// Back office accounts (docs/ADMIN.md): `districtd user` adds them with a
// one-time enrolment link, gives a new enrolment, lists, disables and
// enables them. Each change is written to the back office's audit under
// cliUser.

// cliUser is who the back office's audit names for a change made with
// districtd on the server (user id 0).
var cliUser = server.User{Name: "districtd"}

func user(args []string, stdout, stderr io.Writer) (string, error) {
	if len(args) == 0 {
		return "user", usagef("want a subcommand: add, reset, list, disable or enable")
	}
	sub, args := args[0], args[1:]
	name := "user " + sub
	fs := newFlags(name)
	dbPath := fs.String("db", "", "the district database")
	switch sub {
	case "add":
		uname := fs.String("name", "", "the user's name, to sign in with")
		var roleFlags, streets repeated
		fs.Var(&roleFlags, "role", "a role: admin, editor, reviewer, handler or inspector (repeatable)")
		fs.Var(&streets, "street", "a street the user works for (repeatable; none: the whole district)")
		department := fs.String("department", "", "a handler's department, one of the district's (the back office's departments page)")
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath, "name": *uname}); err != nil {
			return name, err
		}
		if len(roleFlags) == 0 {
			return name, usagef("missing --role (admin, editor, reviewer, handler or inspector)")
		}
		roles := make([]server.Role, len(roleFlags))
		for i, r := range roleFlags {
			role, err := server.ParseRole(r)
			if err != nil {
				return name, usageError{err.Error()}
			}
			roles[i] = role
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			u, token, err := p.AddUser(ctx, *uname, roles, streets, *department)
			if err != nil {
				return err
			}
			if err := p.AdminAudit(ctx, cliUser, "user.add", "user:"+strconv.FormatInt(u.ID, 10), u.Access()); err != nil {
				return err
			}
			return printEnrolment(ctx, p, stdout, stderr, u, token, "added")
		})
	case "reset", "disable", "enable":
		uname := fs.String("name", "", "the user's name")
		id := fs.Int64("id", 0, "the user's id (user list)")
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		if err := need(map[string]string{"db": *dbPath}); err != nil {
			return name, err
		}
		if (*uname == "") == (*id == 0) {
			return name, usagef("want --name NAME or --id N")
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			var u server.User
			var err error
			if *id != 0 {
				u, err = p.UserByID(ctx, *id)
				if err != nil {
					return fmt.Errorf("there is no user %d", *id)
				}
			} else if u, err = p.UserByName(ctx, *uname); err != nil {
				return err
			}
			target := "user:" + strconv.FormatInt(u.ID, 10)
			switch sub {
			case "reset":
				u, token, err := p.ResetUser(ctx, u.ID)
				if err != nil {
					return err
				}
				if err := p.AdminAudit(ctx, cliUser, "user.reset", target, ""); err != nil {
					return err
				}
				return printEnrolment(ctx, p, stdout, stderr, u, token, "must enrol again (the old password and authenticator no longer work, its sessions ended)")
			default:
				if _, err := p.SetUserDisabled(ctx, u.ID, sub == "disable"); err != nil {
					return err
				}
				if err := p.AdminAudit(ctx, cliUser, "user."+sub, target, ""); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "user %d (%s) %sd\n", u.ID, u.Name, sub)
				return nil
			}
		})
	case "list":
		if _, err := parse(fs, args, 0, ""); err != nil {
			return name, err
		}
		return name, withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
			list, err := p.Users(ctx)
			if err != nil {
				return err
			}
			now := p.Now()
			for _, u := range list {
				state := "active"
				switch {
				case u.Disabled:
					state = "disabled"
				case !u.Enrolled:
					state = "not_enrolled"
				case now.Before(u.LockedUntil):
					state = "locked"
				}
				streets := u.Streets
				if streets == nil {
					streets = []string{}
				}
				if err := printJSON(stdout, struct {
					ID         int64         `json:"id"`
					Name       string        `json:"name"`
					Roles      []server.Role `json:"roles"`
					Streets    []string      `json:"streets"`
					Department string        `json:"department,omitempty"`
					State      string        `json:"state"`
					CreatedAt  time.Time     `json:"created_at"`
				}{u.ID, u.Name, u.Roles, streets, u.Department, state, u.CreatedAt}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return "user", usagef("unknown subcommand %q: want add, reset, list, disable or enable", sub)
}

// printEnrolment prints the enrolment link on stdout, under the
// website's public address when serve has one (--public-url), else as a
// path; stderr says what it is.
func printEnrolment(ctx context.Context, p *server.Platform, stdout, stderr io.Writer, u server.User, token, what string) error {
	base, err := p.PublicURL(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, base+"/admin/enrol/"+token)
	until := p.Now().Add(server.EnrolTTL).Format("2006-01-02 15:04 MST")
	fmt.Fprintf(stderr, "districtd: user %d (%s) %s; give them the enrolment link, which works once until %s and is shown only this once\n",
		u.ID, u.Name, what, until)
	if base == "" {
		fmt.Fprintln(stderr, "districtd: no public URL is set (serve --public-url), so the link is a path: put the back office's address in front of it")
	}
	return nil
}
