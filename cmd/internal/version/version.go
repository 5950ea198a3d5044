// Package version holds the release of both programs. Release builds set
// Version with -ldflags "-X jiezhen/cmd/internal/version.Version=1.2.3".
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release, "dev" for a local build.
var Version = "dev"

// String describes the build in one line: release, VCS revision when known,
// and the Go toolchain.
func String(program string) string {
	rev := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " (" + s.Value[:12] + ")"
			}
		}
	}
	return fmt.Sprintf("%s %s%s %s", program, Version, rev, runtime.Version())
}
