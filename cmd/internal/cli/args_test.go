package cli

import (
	"flag"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		args []string
		kind string
		pos  []string
	}{
		{[]string{"foo", "--kind", "bar"}, "bar", []string{"foo"}},
		{[]string{"--kind", "bar", "foo", "baz"}, "bar", []string{"foo", "baz"}},
		// After "--", flags are arguments: -- foo --kind bar sets nothing.
		{[]string{"--", "foo", "--kind", "bar"}, "", []string{"foo", "--kind", "bar"}},
		{[]string{"foo", "--", "--kind", "bar"}, "", []string{"foo", "--kind", "bar"}},
		{[]string{"--kind", "bar", "--", "-x"}, "bar", []string{"-x"}},
		{nil, "", nil},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		kind := fs.String("kind", "", "")
		pos, err := Parse(fs, c.args)
		if err != nil || *kind != c.kind || !slices.Equal(pos, c.pos) {
			t.Errorf("%q: kind %q, positional %q, %v; want %q, %q", c.args, *kind, pos, err, c.kind, c.pos)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if _, err := Parse(fs, []string{"--nope"}); err == nil {
		t.Error("an unknown flag parsed")
	}
}
