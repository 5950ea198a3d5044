// Command districtd is the district platform that Jiezhen kiosks sync with.
// It is pure Go (CGO_ENABLED=0) and never imports Fyne.
package main

import (
	"fmt"
	"io"
	"os"

	"jiezhen/cmd/internal/version"
)

const usage = `usage: districtd <command> [flags]

commands:
  version   print the release and exit
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version.String("districtd"))
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "districtd: unknown command %q (try 'districtd help')\n", args[0])
		return 2
	}
}
