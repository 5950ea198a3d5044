// Package outboxfile is the file in which a kiosk that has been offline
// for long carries its waiting outbox to the district on a USB drive. The
// items carry personal data, so the file is encrypted with age
// (filippo.io/age) to the district's outbox key, which only the district
// holds. Inside is one JSON object: the kiosk's identity (its token, which
// the district checks against its kiosk registry exactly as for an HTTP
// push, and its street) and the items as they would be pushed.
//
// The district applies the items through the same push path as HTTP, so
// the same idempotency holds: importing a file twice, or syncing after
// the import, stores nothing twice.
package outboxfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"filippo.io/age"

	"jiezhen/sync/wire"
)

// Format names the layout inside the encryption.
const Format = "jiezhen-outbox/1"

// MaxPlain is the most the decrypted content may hold: far more than a
// kiosk's outbox of several weeks, and a bound on what a bad file can make
// the district read into memory.
const MaxPlain = 256 << 20

// File is what an outbox file holds.
type File struct {
	Format     string          `json:"format"`
	Token      string          `json:"token"`            // the kiosk's token: its identity
	Street     string          `json:"street,omitempty"` // the kiosk's street, when it knows it
	ExportedAt time.Time       `json:"exported_at"`      // the kiosk's clock, for the record
	Items      []wire.PushItem `json:"items"`
}

// Check checks what a file must hold: the format, a token, and items that
// make a valid push request in batches.
func (f *File) Check() error {
	switch {
	case f.Format != Format:
		return fmt.Errorf("the file's format is %q, not %q", f.Format, Format)
	case strings.TrimSpace(f.Token) == "":
		return errors.New("the file does not say which kiosk wrote it (no token)")
	case len(f.Items) == 0:
		return errors.New("the file holds no items")
	}
	seen := make(map[string]bool, len(f.Items))
	for i, it := range f.Items {
		if seen[it.ID] {
			return fmt.Errorf("item %d: id %q is in the file twice", i+1, it.ID)
		}
		seen[it.ID] = true
	}
	for lo := 0; lo < len(f.Items); lo += wire.MaxBatch {
		req := wire.PushRequest{Items: f.Items[lo:min(lo+wire.MaxBatch, len(f.Items))]}
		if err := req.Check(); err != nil {
			var ie *wire.ItemError
			if errors.As(err, &ie) && lo > 0 {
				return fmt.Errorf("item %s: %v", ie.Item, err)
			}
			return err
		}
	}
	return nil
}

// ParseRecipient reads the district's outbox key: the public key itself
// (age1...), or a file holding it.
func ParseRecipient(v string) (age.Recipient, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, errors.New("no recipient: give the district's outbox public key (age1...)")
	}
	src := []byte(v)
	if !strings.HasPrefix(v, "age1") {
		b, err := readSmall(v)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an age public key (age1...) nor a file holding one", clip(v))
		}
		src = b
	}
	rs, err := age.ParseRecipients(bytes.NewReader(src))
	if err != nil || len(rs) != 1 {
		return nil, fmt.Errorf("%q is not one age public key (age1...)", clip(v))
	}
	return rs[0], nil
}

// ReadIdentity reads the district's outbox private key file.
func ReadIdentity(path string) (age.Identity, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", path, err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err != nil || len(ids) != 1 {
		return nil, fmt.Errorf("identity %s does not hold one age private key", path)
	}
	return ids[0], nil
}

// NewKey makes an outbox key pair: the identity file's text (with the
// public key in a comment, as age-keygen writes it) and the public key.
// It is a hybrid post-quantum key: the files carry personal data that
// must stay secret for years.
func NewKey() (identityFile, recipient string, err error) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		return "", "", err
	}
	recipient = id.Recipient().String()
	identityFile = fmt.Sprintf("# created: %s\n# public key: %s\n%s\n", time.Now().UTC().Format(time.RFC3339), recipient, id)
	return identityFile, recipient, nil
}

// Write encrypts f to the recipient into w.
func Write(w io.Writer, to age.Recipient, f *File) error {
	f.Format = Format
	if err := f.Check(); err != nil {
		return err
	}
	enc, err := age.Encrypt(w, to)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(enc)
	if err := json.NewEncoder(bw).Encode(f); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return enc.Close()
}

// Read decrypts and decodes an outbox file and checks it.
func Read(r io.Reader, id age.Identity) (*File, error) {
	plain, err := age.Decrypt(r, id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			return nil, errors.New("the file is not encrypted to this outbox key")
		}
		return nil, fmt.Errorf("the file is not an age-encrypted outbox file, or is damaged: %s", oneLine(err))
	}
	b, err := io.ReadAll(io.LimitReader(plain, MaxPlain+1))
	if err != nil {
		return nil, fmt.Errorf("the file is damaged: %s", oneLine(err))
	}
	if len(b) > MaxPlain {
		return nil, fmt.Errorf("the file holds more than %d MiB", MaxPlain>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("the file's content is not an outbox in JSON: %s", oneLine(err))
	}
	if err := f.Check(); err != nil {
		return nil, err
	}
	return &f, nil
}

func readSmall(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, errors.New("cannot open it")
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, 64<<10))
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}
