// Command kiosk is Jiezhen's touch kiosk. With no command it opens the
// window residents use; its subcommands are the headless tools IT staff,
// tests and benchmarks drive.
package main

import (
	"log/slog"
	"os"

	_ "jiezhen/cmd/kiosk/internal/clocale" // before Fyne reads the locale
)

func main() {
	// The program's one logger: every line, the standard log package's
	// and Fyne's included, passes the redacting handler. The window adds
	// its log file (runApp); stores opened by the commands log here.
	slog.SetDefault(newLogger(os.Stderr, os.Getenv(tokenEnv)))
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
