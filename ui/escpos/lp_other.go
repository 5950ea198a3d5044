//go:build !linux

package escpos

import "os"

const (
	lpNoError  = 0x08
	lpPaperOut = 0x20
)

// lpStatus: only Linux's printer drivers are asked.
func lpStatus(*os.File) (int, bool) { return 0, false }

func lpAbortOnError(*os.File) {}
