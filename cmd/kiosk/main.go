// Command kiosk is Jiezhen's touch kiosk. With no command it opens the
// window residents use; its subcommands are the headless tools IT staff,
// tests and benchmarks drive.
package main

import (
	"os"

	_ "jiezhen/cmd/kiosk/internal/clocale" // before Fyne reads the locale
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
