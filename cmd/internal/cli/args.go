// Package cli holds what the command lines of both programs share.
package cli

import (
	"flag"
	"io"
)

// Parse parses fs's flags and the positional arguments in any order, as
// people type them (`kiosk revoke --db F 3` and `kiosk revoke 3 --db F`),
// and returns the positional ones in order. After "--" every argument is
// positional, whether it looks like a flag or not. fs prints nothing: the
// caller words the error (flag.ErrHelp for -h).
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// The flag package drops the "--" that ends the flags; what
		// follows it is all positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
