// Package bundle reads and writes signed sync bundles (.jzb files): the
// changes of one street's scope from sequence A to B, built and signed on
// the district platform and carried to a kiosk by HTTP or on a USB stick.
// It is the only package that knows the file layout.
//
// # Layout
//
// All integers are big-endian. A bundle is read front to back, once:
//
//	magic      8 bytes  "JZBUNDLE"
//	format     2 bytes  layout version, 1
//	signer    32 bytes  the ed25519 public key that signed the manifest
//	signature 64 bytes  ed25519 over "jiezhen bundle v1\x00" + manifest
//	length     4 bytes  the manifest's length, at most MaxManifest
//	manifest            JSON (Manifest)
//	entries             in manifest order, each:
//	  path length  2 bytes
//	  path                 as listed in the manifest
//	  data length  8 bytes  as listed in the manifest
//	  data                 whose SHA-256 the manifest lists
//	end of file         nothing may follow the last entry
//
// The signature covers the manifest, and the manifest lists every entry's
// path, length and SHA-256, so one signature covers the whole file. Change
// entries ("changes/NNNNNN.jsonl") hold one data.Change per line, the same
// format as the HTTP pull, in increasing sequence. Other entries live
// under "files/" (attachments such as PDF forms).
//
// # Verification
//
// Read checks in the order of docs/SYNC.md and stops at the first failure:
// the manifest's size; the signature against the trusted keys (after any
// key-change statements the manifest carries, each signed by a key that
// is trusted at that point); the scope; A <= cursor < B (a gap is refused
// and names the sequence the kiosk has; B <= cursor is a no-op); the
// expiry against the later of the clock and the newest issued-at already
// seen, then that the bundle is not older than that; then every entry
// through its declared length and hash. Nothing is read beyond the
// limits below, so a bundle that claims ten gigabytes allocates nothing
// for it.
package bundle

import (
	"errors"
	"strings"
	"time"
)

// Ext is a bundle file's extension.
const Ext = ".jzb"

// Format is the layout version this package writes and reads; Schema the
// manifest's.
const (
	Format = 1
	Schema = 1
)

// Limits of what Read accepts, checked before anything is read into
// memory.
const (
	MaxManifest = 4 << 20  // bytes of manifest JSON
	MaxEntries  = 10000    // entries in one bundle
	MaxEntry    = 64 << 20 // bytes of one entry
	MaxTotal    = 1 << 30  // bytes of all entries together; the changes are held in memory until applied
	MaxPath     = 200      // bytes of an entry's path
)

// ChangesPerEntry is how many changes Write's helper puts in one entry:
// small enough that an entry of realistic items stays far below MaxEntry.
const ChangesPerEntry = 2000

const (
	magic      = "JZBUNDLE"
	headerSize = 8 + 2 + 32 + 64 + 4
	sigContext = "jiezhen bundle v1\x00"
)

// Manifest describes a bundle. From is A (0 for a full snapshot) and To is
// B: a kiosk whose cursor is in [From, To) may import it, and its cursor
// is To afterwards.
type Manifest struct {
	Schema     int          `json:"schema"`
	District   string       `json:"district"`
	Scope      string       `json:"scope"` // the street code
	From       int64        `json:"from"`
	To         int64        `json:"to"`
	IssuedAt   time.Time    `json:"issued_at"`
	ExpiresAt  time.Time    `json:"expires_at"`
	Changes    int          `json:"changes"` // how many changes the entries hold
	Statements []*Statement `json:"statements,omitempty"`
	Entries    []Entry      `json:"entries"`
	// PINKeys carry the street's staff PIN key, wrapped for each of its
	// kiosks under a key derived from that kiosk's token (data/pin), so
	// that only a kiosk with its token can check staff PINs: never the
	// key itself.
	PINKeys []PINKey `json:"pin_keys,omitempty"`
}

// PINKey is the street's staff PIN key sealed for one kiosk
// (pin.WrapKey).
type PINKey struct {
	Kiosk  int64  `json:"kiosk"`
	Sealed string `json:"sealed"`
}

// MaxPINKeys bounds the wrapped keys of one manifest: one per kiosk of
// the street.
const MaxPINKeys = 10000

// HasFiles reports whether the manifest lists attachment entries.
func (m *Manifest) HasFiles() bool {
	for _, e := range m.Entries {
		if strings.HasPrefix(e.Path, filesDir) {
			return true
		}
	}
	return false
}

// Entry is the manifest's record of one entry.
type Entry struct {
	Path   string `json:"path"`
	Length int64  `json:"length"`
	SHA256 string `json:"sha256"` // lower-case hex
}

// File is an entry's content, as Write takes it.
type File struct {
	Path string
	Data []byte
}

// Errors that Read wraps, so that callers and tests can tell refusals
// apart. The message around them says what exactly was wrong.
var (
	ErrFormat    = errors.New("not a valid bundle")
	ErrSchema    = errors.New("bundle version not understood")
	ErrTooLarge  = errors.New("over the size limits")
	ErrSignature = errors.New("signature does not verify")
	ErrUntrusted = errors.New("key not trusted")
	ErrRevoked   = errors.New("key revoked")
	ErrScope     = errors.New("wrong scope")
	ErrGap       = errors.New("gap")
	ErrExpired   = errors.New("expired")
	ErrRollback  = errors.New("older than a bundle already imported")
	ErrEntry     = errors.New("bad entry")
)
