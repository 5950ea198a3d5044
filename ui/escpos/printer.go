package escpos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// What can go wrong at the printer, in the words a screen names it by
// (errors.Is). Every error Print and Check return wraps one of them.
var (
	ErrMissing = errors.New("the printer is not connected")
	ErrNoPaper = errors.New("the printer is out of paper")
	ErrOffline = errors.New("the printer is offline or has a fault")
	ErrDenied  = errors.New("the kiosk may not use the printer")
	ErrTimeout = errors.New("the printer does not answer")
	ErrFailed  = errors.New("the printer did not take the receipt")
)

// Timeout is how long a job may take to reach the printer.
const Timeout = 30 * time.Second

// Printer is a receipt printer: a device file the job is written to, or a
// CUPS queue lp sends it to as a raw job.
type Printer struct {
	dev   string // the device file; empty for a queue
	queue string // the CUPS queue
	width int    // dots
	// lp and lpstat are the CUPS commands (looked up in $PATH by Parse).
	lp, lpstat string
}

// Parse reads a --printer value: an absolute path of a device file
// (/dev/usb/lp0) or cups:QUEUE, and the print width in dots (Width58 or
// Width80). A device that is not there yet is not refused (the printer
// may be switched on later), but a folder is; a queue needs CUPS's lp.
func Parse(spec string, width int) (*Printer, error) {
	if width != Width58 && width != Width80 {
		return nil, fmt.Errorf("width %d dots: want %d (80 mm paper) or %d (58 mm)", width, Width80, Width58)
	}
	p := &Printer{width: width}
	if q, ok := strings.CutPrefix(spec, "cups:"); ok {
		if !validQueue(q) {
			return nil, fmt.Errorf("%q: a CUPS queue name is letters, digits, '-', '_' and '.' (cups:QUEUE)", spec)
		}
		lp, err := exec.LookPath("lp")
		if err != nil {
			return nil, fmt.Errorf("%q: CUPS's lp command is not installed (Debian package cups-client)", spec)
		}
		p.queue, p.lp = q, lp
		p.lpstat, _ = exec.LookPath("lpstat") // optional: without it there is no status
		return p, nil
	}
	if spec == "" || !filepath.IsAbs(spec) {
		return nil, fmt.Errorf("%q: want the device file's absolute path (/dev/usb/lp0) or cups:QUEUE", spec)
	}
	if fi, err := os.Stat(spec); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%q is a folder, not a device file", spec)
	}
	p.dev = filepath.Clean(spec)
	return p, nil
}

// validQueue reports whether q is a CUPS queue name lp can be given.
func validQueue(q string) bool {
	if q == "" || len(q) > 127 {
		return false
	}
	for _, r := range q {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// Width is the print width in dots.
func (p *Printer) Width() int { return p.width }

// String names the printer as the --printer flag did.
func (p *Printer) String() string {
	if p.queue != "" {
		return "cups:" + p.queue
	}
	return p.dev
}

// Print sends img as one job (Encode), within Timeout. Before it writes
// it asks the printer's status where it can, so a receipt is not left in
// a printer without paper for the next person to take.
func (p *Printer) Print(ctx context.Context, img image.Image) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	job := Encode(img)
	if p.queue != "" {
		return p.printCUPS(ctx, job)
	}
	return p.printDevice(ctx, job)
}

// Check says whether the printer can print now: nil, or one of the errors
// above. It writes nothing.
func (p *Printer) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if p.queue != "" {
		return p.checkCUPS(ctx)
	}
	f, err := p.open()
	if err != nil {
		return err
	}
	defer f.Close()
	return p.status(f)
}

// open opens the device for writing; it must be there already.
func (p *Printer) open() (*os.File, error) {
	f, err := os.OpenFile(p.dev, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, p.deviceError(err)
	}
	return f, nil
}

// status asks the kernel's printer driver for the printer's status lines
// (lpStatus); a file that is not a printer has none and passes.
func (p *Printer) status(f *os.File) error {
	st, ok := lpStatus(f)
	// As the driver reads them: the error line first, then why.
	switch {
	case !ok || st&lpNoError != 0:
		return nil
	case st&lpPaperOut != 0:
		return fmt.Errorf("%s: %w", p.dev, ErrNoPaper)
	}
	return fmt.Errorf("%s: %w", p.dev, ErrOffline)
}

func (p *Printer) printDevice(ctx context.Context, job []byte) error {
	f, err := p.open()
	if err != nil {
		return err
	}
	// The write may wait for the printer; closing the file on a timeout
	// ends it.
	done := make(chan error, 1)
	go func() {
		defer f.Close()
		lpAbortOnError(f)
		if err := p.status(f); err != nil {
			done <- err
			return
		}
		_, err := f.Write(job)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !isPrinterError(err) {
			return p.deviceError(err)
		}
		return err
	case <-ctx.Done():
		f.Close()
		return fmt.Errorf("%s: %w", p.dev, ErrTimeout)
	}
}

func isPrinterError(err error) bool {
	for _, e := range []error{ErrMissing, ErrNoPaper, ErrOffline, ErrDenied, ErrTimeout, ErrFailed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// deviceError names what an error of the device file means at a printer.
// The Linux USB printer driver answers ENOSPC when the paper is out, EIO
// when the printer is off line or has a fault, ENODEV when it has been
// unplugged.
func (p *Printer) deviceError(err error) error {
	var kind error
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO):
		kind = ErrMissing
	case errors.Is(err, fs.ErrPermission):
		kind = ErrDenied
	case errors.Is(err, syscall.ENOSPC):
		kind = ErrNoPaper
	case errors.Is(err, syscall.EIO):
		kind = ErrOffline
	default:
		kind = ErrFailed
	}
	return fmt.Errorf("%s: %w (%v)", p.dev, kind, unwrapPath(err))
}

// unwrapPath drops the path an *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// printCUPS hands the job to lp as a raw job, which CUPS passes to the
// printer untouched.
func (p *Printer) printCUPS(ctx context.Context, job []byte) error {
	if err := p.checkCUPS(ctx); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, p.lp, "-d", p.queue, "-o", "raw", "-t", "receipt", "-s")
	cmd.Stdin = bytes.NewReader(job)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("cups:%s: %w", p.queue, ErrTimeout)
	}
	if err != nil {
		return fmt.Errorf("cups:%s: %w: lp: %s", p.queue, ErrFailed, firstLine(out, err))
	}
	return nil
}

// checkCUPS asks lpstat whether the queue is there and accepts jobs; a
// job for a disabled queue would wait and come out for someone else.
// Without lpstat it says nothing.
func (p *Printer) checkCUPS(ctx context.Context) error {
	if p.lpstat == "" {
		return nil
	}
	out, err := exec.CommandContext(ctx, p.lpstat, "-p", p.queue).CombinedOutput()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("cups:%s: %w", p.queue, ErrTimeout)
	case err != nil:
		return fmt.Errorf("cups:%s: %w: lpstat: %s", p.queue, ErrMissing, firstLine(out, err))
	case bytes.Contains(out, []byte(" disabled")):
		return fmt.Errorf("cups:%s: %w: lpstat: %s", p.queue, ErrOffline, firstLine(out, nil))
	}
	return nil
}

// firstLine is a command's first line of output, or its error.
func firstLine(out []byte, err error) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if line == "" && err != nil {
		return err.Error()
	}
	return line
}
