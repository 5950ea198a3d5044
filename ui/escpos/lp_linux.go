package escpos

import (
	"os"
	"syscall"
	"unsafe"
)

// The Linux printer drivers' ioctls and status lines (linux/lp.h); the USB
// printer driver (usblp) answers both.
const (
	ioctlLPABORT     = 0x0604
	ioctlLPGETSTATUS = 0x060b

	lpNoError  = 0x08 // LP_PERRORP: the printer reports no error
	lpPaperOut = 0x20 // LP_POUTPA
)

// lpStatus reads the printer's status lines; ok is false when f is not a
// printer device (a file, /dev/null).
func lpStatus(f *os.File) (status int, ok bool) {
	var st int32
	sc, err := f.SyscallConn()
	if err != nil {
		return 0, false
	}
	var errno syscall.Errno
	if err := sc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlLPGETSTATUS, uintptr(unsafe.Pointer(&st)))
	}); err != nil || errno != 0 {
		return 0, false
	}
	return int(st), true
}

// lpAbortOnError asks the driver to fail a write when the paper runs out
// (ENOSPC) instead of waiting for paper for ever; a file that is not a
// printer ignores it.
func lpAbortOnError(f *os.File) {
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) {
			syscall.Syscall(syscall.SYS_IOCTL, fd, ioctlLPABORT, 1)
		})
	}
}
