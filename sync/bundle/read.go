package bundle

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"jiezhen/data"
	"jiezhen/data/fastjson"
)

const (
	changesDir = "changes/"
	filesDir   = "files/"
	// maxStatements keeps a manifest from making the kiosk verify an
	// endless chain of signatures.
	maxStatements = 64
)

// Check is what the kiosk knows when it reads a bundle.
type Check struct {
	Keys     Keys
	Scope    string // the kiosk's street; "" accepts any (a kiosk not yet bound to one)
	District string // the kiosk's district; "" accepts any
	Cursor   int64  // the kiosk's cursor of the content feed
	Now      time.Time
	// NewestSeen is the newest issued-at of the bundles imported so far.
	NewestSeen time.Time
	// OnFile, if set, receives each attachment after its hash has been
	// checked; otherwise attachments are checked and dropped.
	OnFile func(File) error
}

// Result is a verified bundle.
type Result struct {
	Manifest Manifest
	Signer   ed25519.PublicKey
	// KeyChanges are the manifest's statements, verified, in order: the
	// kiosk records them when it imports the bundle.
	KeyChanges []KeyChange
	// Covered: the kiosk's cursor is already at or past the bundle's end.
	// Nothing was read past the manifest, and there is nothing to apply.
	Covered  bool
	Changes  []data.Change
	Snapshot bool // From is 0
}

// Read reads and verifies a bundle from r in the order of docs/SYNC.md. An
// error wraps one of the Err values and says in one line what was wrong.
// A bundle already covered by c.Cursor is not an error: the result says
// Covered.
func Read(r io.Reader, c Check) (*Result, error) {
	rd, err := Open(r, c)
	if err != nil {
		return nil, err
	}
	if rd.res.Covered {
		return rd.res, nil
	}
	if err := rd.Entries(nil); err != nil {
		return nil, err
	}
	return rd.res, nil
}

// Reader is a bundle read as far as its entries: its header, signature,
// scope, range and expiry have passed (steps 1 to 5 of Read), and Result
// holds what they gave. Entries reads the rest.
type Reader struct {
	br   *bufio.Reader
	c    Check
	res  *Result
	done bool
}

// Result is what the bundle said so far; after Entries with a nil
// onChanges it holds the changes too.
func (rd *Reader) Result() *Result { return rd.res }

// Entries reads and checks every entry, in order, through its declared
// length and hash (step 6), and then that the file ends. With onChanges
// set, each change entry's changes go to it, in order and once their
// entry has passed its hash, and Result.Changes stays empty: the caller
// may apply them while the next entry is read, and must undo them if
// Entries fails. Entries may be called once, and not on a bundle that is
// Covered.
func (rd *Reader) Entries(onChanges func([]data.Change) error) error {
	if rd.done || rd.res.Covered {
		return errors.New("bundle: Entries called twice or on a covered bundle")
	}
	rd.done = true
	return readEntries(rd.br, &rd.res.Manifest, rd.c, rd.res, onChanges)
}

// Open reads and verifies a bundle from r up to its entries (see Reader).
// A bundle already covered by c.Cursor is not an error: the result says
// Covered, and there is nothing more to read.
func Open(r io.Reader, c Check) (*Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var hdr [headerSize]byte
	if n, _ := io.ReadFull(br, hdr[:len(magic)]); string(hdr[:n]) != magic {
		return nil, fmt.Errorf("the file does not start as a bundle: %w", ErrFormat)
	}
	if _, err := io.ReadFull(br, hdr[len(magic):]); err != nil {
		return nil, fmt.Errorf("the file ends inside the header: %w", ErrFormat)
	}
	if v := binary.BigEndian.Uint16(hdr[8:]); v != Format {
		return nil, fmt.Errorf("bundle layout version %d, this kiosk reads %d: %w", v, Format, ErrSchema)
	}
	signer := ed25519.PublicKey(bytes.Clone(hdr[10:42]))
	sig := hdr[42:106]
	n := binary.BigEndian.Uint32(hdr[106:])
	// 1. Cap the manifest's size before reading it.
	if n > MaxManifest {
		return nil, fmt.Errorf("the manifest claims %d bytes, over the limit of %d: %w", n, MaxManifest, ErrTooLarge)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		return nil, fmt.Errorf("the file ends inside the manifest: %w", ErrFormat)
	}

	// 2. The signature, against the trusted keys as the manifest's key
	// statements leave them. A signer trusted already is verified before
	// the manifest is decoded; only a signer the kiosk does not know yet
	// makes it look for statements first.
	keys := newKeySet(c.Keys)
	res := &Result{Signer: signer}
	if err := keys.check(signer, "the bundle"); err == nil {
		if !ed25519.Verify(signer, append([]byte(sigContext), body...), sig) {
			return nil, fmt.Errorf("the bundle's %w", ErrSignature)
		}
		m, err := parseManifest(body)
		if err != nil {
			return nil, err
		}
		res.Manifest = *m
		if res.KeyChanges, err = keys.apply(m.Statements); err != nil {
			return nil, err
		}
		// A statement may revoke the very key that signed the bundle.
		if err := keys.check(signer, "the bundle"); err != nil {
			return nil, err
		}
	} else if errors.Is(err, ErrRevoked) {
		return nil, err
	} else {
		m, perr := parseManifest(body)
		if perr != nil || len(m.Statements) == 0 {
			return nil, err
		}
		if res.KeyChanges, perr = keys.apply(m.Statements); perr != nil {
			return nil, perr
		}
		if err := keys.check(signer, "the bundle"); err != nil {
			return nil, err
		}
		if !ed25519.Verify(signer, append([]byte(sigContext), body...), sig) {
			return nil, fmt.Errorf("the bundle's %w", ErrSignature)
		}
		res.Manifest = *m
	}
	m := &res.Manifest
	res.Snapshot = m.From == 0

	// 3. Scope.
	if c.Scope != "" && m.Scope != c.Scope {
		return nil, fmt.Errorf("the bundle is for street %s, this kiosk is street %s: %w", m.Scope, c.Scope, ErrScope)
	}
	if c.District != "" && m.District != c.District {
		return nil, fmt.Errorf("the bundle is from district %s, this kiosk belongs to %s: %w", m.District, c.District, ErrScope)
	}

	// 4. A <= cursor < B.
	if m.From > c.Cursor {
		return nil, fmt.Errorf("the bundle starts at sequence %d but this kiosk has only up to %d: it needs a bundle from %d or earlier, or a full snapshot: %w",
			m.From, c.Cursor, c.Cursor, ErrGap)
	}
	if m.To <= c.Cursor {
		res.Covered = true
		return &Reader{br: br, c: c, res: res}, nil
	}

	// 5. Expiry against the later of the clock and the newest issued-at
	// seen, so a clock set back does not revive an old bundle; and no
	// bundle older than one already imported.
	now := c.Now
	if c.NewestSeen.After(now) {
		now = c.NewestSeen
	}
	if !now.Before(m.ExpiresAt) {
		return nil, fmt.Errorf("the bundle expired at %s: %w", m.ExpiresAt.UTC().Format(time.RFC3339), ErrExpired)
	}
	if m.IssuedAt.Before(c.NewestSeen) {
		return nil, fmt.Errorf("the bundle was issued at %s, before the newest one imported (%s): %w",
			m.IssuedAt.UTC().Format(time.RFC3339), c.NewestSeen.UTC().Format(time.RFC3339), ErrRollback)
	}

	// 6. Every entry through its declared length and hash: Entries.
	return &Reader{br: br, c: c, res: res}, nil
}

// parseManifest decodes and checks a manifest's shape. The schema version
// is read first, so that a newer manifest is refused as such and not as
// damaged.
func parseManifest(body []byte) (*Manifest, error) {
	var v struct {
		Schema int `json:"schema"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("the manifest is not valid JSON: %w", ErrFormat)
	}
	if v.Schema != Schema {
		return nil, fmt.Errorf("manifest schema version %d, this kiosk reads %d: %w", v.Schema, Schema, ErrSchema)
	}
	var m Manifest
	if err := strictJSON(body, &m); err != nil {
		return nil, fmt.Errorf("the manifest does not decode (%v): %w", err, ErrFormat)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// validate checks what a manifest says about itself.
func (m *Manifest) validate() error {
	switch {
	case m.Schema != Schema:
		return fmt.Errorf("manifest schema version %d, this kiosk reads %d: %w", m.Schema, Schema, ErrSchema)
	case strings.TrimSpace(m.Scope) == "":
		return fmt.Errorf("the manifest names no scope: %w", ErrFormat)
	case m.From < 0 || m.To <= m.From:
		return fmt.Errorf("the manifest's range %d to %d is empty or negative: %w", m.From, m.To, ErrFormat)
	case m.IssuedAt.IsZero() || !m.ExpiresAt.After(m.IssuedAt):
		return fmt.Errorf("the manifest's issued-at and expires-at are missing or out of order: %w", ErrFormat)
	case m.Changes < 0:
		return fmt.Errorf("the manifest's change count is negative: %w", ErrFormat)
	case len(m.Statements) > maxStatements:
		return fmt.Errorf("the manifest carries %d key statements, over the limit of %d: %w", len(m.Statements), maxStatements, ErrTooLarge)
	case len(m.Entries) > MaxEntries:
		return fmt.Errorf("the manifest lists %d entries, over the limit of %d: %w", len(m.Entries), MaxEntries, ErrTooLarge)
	case len(m.PINKeys) > MaxPINKeys:
		return fmt.Errorf("the manifest carries %d staff PIN keys, over the limit of %d: %w", len(m.PINKeys), MaxPINKeys, ErrTooLarge)
	}
	for _, k := range m.PINKeys {
		if k.Kiosk < 1 || len(k.Sealed) == 0 || len(k.Sealed) > 200 {
			return fmt.Errorf("the manifest's staff PIN key for kiosk %d is malformed: %w", k.Kiosk, ErrFormat)
		}
	}
	seen := make(map[string]bool, len(m.Entries))
	var total int64
	for _, e := range m.Entries {
		if err := checkPath(e.Path); err != nil {
			return err
		}
		if seen[e.Path] {
			return fmt.Errorf("the manifest lists entry %q twice: %w", e.Path, ErrEntry)
		}
		seen[e.Path] = true
		if e.Length < 0 || e.Length > MaxEntry {
			return fmt.Errorf("entry %q claims %d bytes, over the limit of %d: %w", e.Path, e.Length, MaxEntry, ErrTooLarge)
		}
		if total += e.Length; total > MaxTotal {
			return fmt.Errorf("the entries claim over %d bytes in all: %w", MaxTotal, ErrTooLarge)
		}
		if h, err := hex.DecodeString(e.SHA256); err != nil || len(h) != sha256.Size || e.SHA256 != strings.ToLower(e.SHA256) {
			return fmt.Errorf("entry %q has no valid SHA-256: %w", e.Path, ErrFormat)
		}
	}
	return nil
}

// checkPath refuses entry paths that are not plain relative paths under
// changes/ or files/: nothing absolute, nothing that climbs out with
// "..", no backslashes or drive letters, nothing a file system would read
// differently from how the manifest lists it.
func checkPath(p string) error {
	bad := func(why string) error { return fmt.Errorf("entry path %q %s: %w", p, why, ErrEntry) }
	switch {
	case p == "" || len(p) > MaxPath:
		return bad("is empty or too long")
	case !utf8.ValidString(p):
		return bad("is not UTF-8")
	case strings.HasPrefix(p, "/"):
		return bad("is absolute")
	case strings.ContainsAny(p, "\\:"):
		return bad("has a backslash or colon")
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return bad("has a control character")
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return bad("escapes its folder")
		}
	}
	if path.Clean(p) != p {
		return bad("is not a clean path")
	}
	if !strings.HasPrefix(p, changesDir) && !strings.HasPrefix(p, filesDir) {
		return bad("is neither under changes/ nor under files/")
	}
	if p == changesDir || p == filesDir {
		return bad("names a folder")
	}
	return nil
}

// readEntries reads every listed entry, in order, through its declared
// length and hash, then makes sure the file ends.
func readEntries(br *bufio.Reader, m *Manifest, c Check, res *Result, onChanges func([]data.Change) error) error {
	listed := make(map[string]bool, len(m.Entries))
	for _, e := range m.Entries {
		listed[e.Path] = true
	}
	last := m.From
	count := 0 // changes read so far
	var buf bytes.Buffer
	for _, want := range m.Entries {
		p, length, err := entryHeader(br)
		if err == io.EOF {
			return fmt.Errorf("entry %q is listed but missing: the file ends before it: %w", want.Path, ErrEntry)
		}
		if err != nil {
			return err
		}
		if p != want.Path {
			if listed[p] {
				return fmt.Errorf("entry %q comes where the manifest lists %q: %w", p, want.Path, ErrEntry)
			}
			return fmt.Errorf("entry %q is not listed in the manifest: %w", p, ErrEntry)
		}
		if length > uint64(want.Length) {
			return fmt.Errorf("entry %q is %d bytes, longer than the %d declared: %w", p, length, want.Length, ErrEntry)
		}
		if length < uint64(want.Length) {
			return fmt.Errorf("entry %q is %d bytes, shorter than the %d declared: %w", p, length, want.Length, ErrEntry)
		}
		// The buffer grows only as data arrives, up to the declared
		// length, which the manifest's checks keep under MaxEntry.
		buf.Reset()
		h := sha256.New()
		got, err := io.Copy(&buf, io.TeeReader(io.LimitReader(br, want.Length), h))
		if err != nil {
			return fmt.Errorf("entry %q: %v: %w", p, err, ErrFormat)
		}
		if got != want.Length {
			return fmt.Errorf("the file ends inside entry %q: %w", p, ErrFormat)
		}
		if hex.EncodeToString(h.Sum(nil)) != want.SHA256 {
			return fmt.Errorf("entry %q does not match its SHA-256 in the manifest: %w", p, ErrEntry)
		}
		if strings.HasPrefix(p, changesDir) {
			if onChanges == nil {
				if last, err = decodeChanges(p, buf.Bytes(), m, last, m.Changes-count, &res.Changes); err != nil {
					return err
				}
				count = len(res.Changes)
				continue
			}
			var cs []data.Change
			if last, err = decodeChanges(p, buf.Bytes(), m, last, m.Changes-count, &cs); err != nil {
				return err
			}
			count += len(cs)
			if err := onChanges(cs); err != nil {
				return err
			}
		} else if c.OnFile != nil {
			if err := c.OnFile(File{Path: p, Data: bytes.Clone(buf.Bytes())}); err != nil {
				return err
			}
		}
	}
	if count != m.Changes {
		return fmt.Errorf("the entries hold %d changes, the manifest says %d: %w", count, m.Changes, ErrEntry)
	}
	// Nothing may follow the last entry.
	if _, err := br.ReadByte(); err == io.EOF {
		return nil
	}
	br.UnreadByte()
	if p, _, err := entryHeader(br); err == nil {
		return fmt.Errorf("entry %q is not listed in the manifest: %w", p, ErrEntry)
	}
	return fmt.Errorf("data follows the last entry: %w", ErrEntry)
}

// entryHeader reads an entry's path and length; io.EOF means the file
// ended cleanly before it.
func entryHeader(br *bufio.Reader) (string, uint64, error) {
	var n [2]byte
	if _, err := io.ReadFull(br, n[:]); err != nil {
		if err == io.EOF {
			return "", 0, io.EOF
		}
		return "", 0, fmt.Errorf("the file ends inside an entry header: %w", ErrFormat)
	}
	pl := binary.BigEndian.Uint16(n[:])
	if pl == 0 || pl > MaxPath {
		return "", 0, fmt.Errorf("an entry's path is %d bytes: %w", pl, ErrEntry)
	}
	var rest [MaxPath + 8]byte
	if _, err := io.ReadFull(br, rest[:int(pl)+8]); err != nil {
		return "", 0, fmt.Errorf("the file ends inside an entry header: %w", ErrFormat)
	}
	p := string(rest[:pl])
	if err := checkPath(p); err != nil {
		return "", 0, err
	}
	return p, binary.BigEndian.Uint64(rest[pl : pl+8]), nil
}

// changeSchema reads change lines in one pass where it can (most of
// reading a bundle was encoding/json scanning each body twice);
// encoding/json reads the others.
var changeSchema = fastjson.For(reflect.TypeFor[data.Change]())

// decodeChanges decodes one change entry, checking that its changes are
// content of the bundle's range in strictly increasing sequence.
func decodeChanges(p string, b []byte, m *Manifest, last int64, room int, out *[]data.Change) (int64, error) {
	line := 0
	for len(b) > 0 {
		line++
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return last, fmt.Errorf("entry %q line %d does not end: %w", p, line, ErrEntry)
		}
		var ch data.Change
		if changeSchema == nil || !changeSchema.Decode(b[:i], &ch) {
			ch = data.Change{}
			if err := json.Unmarshal(b[:i], &ch); err != nil {
				return last, fmt.Errorf("entry %q line %d is not a change: %w", p, line, ErrEntry)
			}
		}
		b = b[i+1:]
		switch {
		case !ch.Kind.Valid():
			return last, fmt.Errorf("entry %q line %d: %q is not a content kind: %w", p, line, ch.Kind, ErrEntry)
		case ch.ID == "":
			return last, fmt.Errorf("entry %q line %d: the change has no id: %w", p, line, ErrEntry)
		case ch.Op != data.OpUpsert && ch.Op != data.OpDelete:
			return last, fmt.Errorf("entry %q line %d: unknown op %q: %w", p, line, ch.Op, ErrEntry)
		case ch.Seq <= last || ch.Seq > m.To:
			return last, fmt.Errorf("entry %q line %d: sequence %d is out of order or outside %d to %d: %w", p, line, ch.Seq, m.From, m.To, ErrEntry)
		}
		if room == 0 {
			return last, fmt.Errorf("the entries hold more changes than the %d the manifest says: %w", m.Changes, ErrEntry)
		}
		last, room = ch.Seq, room-1
		*out = append(*out, ch)
	}
	return last, nil
}
