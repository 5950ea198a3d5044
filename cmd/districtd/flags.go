package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"

	"jiezhen/cmd/internal/cli"
)

// usageError is a command line that cannot run: a bad flag or argument.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// parse parses flags and positional arguments in any order, as admins
// type them (`kiosk revoke --db F 3` and `kiosk revoke 3 --db F`), and
// checks the number of positional arguments (any number for want < 0).
func parse(fs *flag.FlagSet, args []string, want int, names string) ([]string, error) {
	pos, err := cli.Parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, usagef("see 'districtd help'")
	}
	if err != nil {
		return nil, usageError{err.Error()}
	}
	if want >= 0 && len(pos) != want {
		if want == 0 {
			return nil, usagef("unexpected argument %q", pos[0])
		}
		return nil, usagef("want %s, got %d argument(s)", names, len(pos))
	}
	return pos, nil
}

func newFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet(name, flag.ContinueOnError)
}

// need checks that required string flags were given.
func need(flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return usagef("missing %s", strings.Join(missing, " and "))
	}
	return nil
}
