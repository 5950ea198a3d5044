package server

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Personal data at rest (docs/ARCHITECTURE.md, "Personal data at rest").
//
// The key hierarchy: a key file outside the database holds a 256-bit key
// (the key-encryption key); it wraps one or more random 256-bit data keys,
// stored wrapped in the settings table; each personal field is sealed
// with AES-256-GCM under a data key, the row's id and the field's name as
// associated data, and carries the data key's id. A keyed hash (HMAC-SHA256
// under a key derived from the data key) stands beside the one value that
// is looked up: the last four digits of the applicant's mobile.

// keyFileMagic starts the one line of a key file.
const keyFileMagic = "jiezhen-datakey-v1"

// KeyFile is the key-encryption key read from a key file.
type KeyFile struct {
	Path string
	ID   string // the first bytes of the key's SHA-256, in hex
	key  []byte
}

// ErrNoKeyFile is a key file that is not there.
var ErrNoKeyFile = errors.New("data key file does not exist")

// NewKeyFile writes a new random key to path, created 0600; an existing
// file is never overwritten.
func NewKeyFile(path string) (*KeyFile, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make a data key file: %w", err)
	}
	kf := &KeyFile{Path: path, ID: keyID(key), key: key}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data key file %s: %w", path, err)
	}
	_, err = fmt.Fprintf(f, "%s %s %s\n", keyFileMagic, kf.ID, base64.StdEncoding.EncodeToString(key))
	if err2 := f.Sync(); err == nil {
		err = err2
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("data key file %s: %w", path, err)
	}
	return kf, nil
}

// ReadKeyFile reads a key file; a missing one is ErrNoKeyFile, with the
// path in the message.
func ReadKeyFile(path string) (*KeyFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoKeyFile, path)
	}
	if err != nil {
		return nil, fmt.Errorf("data key file %s: %w", path, err)
	}
	f := strings.Fields(string(b))
	bad := fmt.Errorf("data key file %s is not a key file made by 'districtd datakey create'", path)
	if len(f) != 3 || f[0] != keyFileMagic {
		return nil, bad
	}
	key, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(key) != 32 || keyID(key) != f[1] {
		return nil, bad
	}
	return &KeyFile{Path: path, ID: f[1], key: key}, nil
}

func keyID(key []byte) string {
	h := sha256.Sum256(key)
	return hex.EncodeToString(h[:6])
}

func gcm(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // keys are always 32 bytes
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return a
}

// seal encrypts plain under key with ad, nonce first.
func seal(key, plain, ad []byte) []byte {
	a := gcm(key)
	nonce := make([]byte, a.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return a.Seal(nonce, nonce, plain, ad)
}

func unseal(key, box, ad []byte) ([]byte, error) {
	a := gcm(key)
	if len(box) < a.NonceSize() {
		return nil, errors.New("too short")
	}
	return a.Open(nil, box[:a.NonceSize()], box[a.NonceSize():], ad)
}

// Settings holding the wrapped data keys: dataKeyPrefix+id is
// "KEKID:base64(nonce|sealed key)", dataKeyCurrent the id new values are
// sealed under, dataKeySealed the id every stored value was last found
// sealed under.
const (
	dataKeyPrefix  = "datakey."
	dataKeyCurrent = "datakey_current"
	dataKeySealed  = "datakey_sealed"
)

func wrapAD(id string) []byte { return []byte("jiezhen data key " + id) }

func wrapKey(kf *KeyFile, id string, dk []byte) string {
	return kf.ID + ":" + base64.StdEncoding.EncodeToString(seal(kf.key, dk, wrapAD(id)))
}

func unwrapKey(kf *KeyFile, id, wrapped string) ([]byte, error) {
	kek, box, ok := strings.Cut(wrapped, ":")
	if !ok {
		return nil, fmt.Errorf("data key %s is stored damaged", id)
	}
	if kek != kf.ID {
		return nil, fmt.Errorf("data key file %s (key %s) is not the one this database's data key is wrapped with (key %s)", kf.Path, kf.ID, kek)
	}
	b, err := base64.StdEncoding.DecodeString(box)
	if err == nil {
		b, err = unseal(kf.key, b, wrapAD(id))
	}
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("data key %s does not unwrap with %s: the key file or the database is damaged", id, kf.Path)
	}
	return b, nil
}

// dataKeys are the unwrapped data keys of a database.
type dataKeys struct {
	current string
	keys    map[string][]byte
}

// sealedPrefix starts every sealed value: "jzpd1:KEYID:base64".
const sealedPrefix = "jzpd1:"

func isSealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// sealedKeyID is the data key id of a sealed value.
func sealedKeyID(v string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(v, sealedPrefix), ":")
	return id
}

func fieldAD(row, field string) []byte { return []byte(row + "\x00" + field) }

// ErrNoDataKey is personal data read or written without the data key.
var ErrNoDataKey = errors.New("personal data is encrypted at rest and no data key was given (--datakey)")

// sealString seals one field's value; "" stays "". Every other value is
// sealed, one that looks sealed too: what reaches a store comes from
// residents, and a name typed as "jzpd1:..." must not pass as sealed.
func (k *dataKeys) sealString(row, field, v string) (string, error) {
	if v == "" || k == nil {
		return v, nil
	}
	box := seal(k.keys[k.current], []byte(v), fieldAD(row, field))
	return sealedPrefix + k.current + ":" + base64.RawStdEncoding.EncodeToString(box), nil
}

// openString opens a sealed value; a plain one (written before the data
// key) is returned as it is.
func (k *dataKeys) openString(row, field, v string) (string, error) {
	if !isSealed(v) {
		return v, nil
	}
	if k == nil {
		return "", ErrNoDataKey
	}
	id, box, ok := strings.Cut(strings.TrimPrefix(v, sealedPrefix), ":")
	key := k.keys[id]
	if !ok || key == nil {
		return "", fmt.Errorf("%s of %s is sealed under data key %q, which this database does not hold", field, row, id)
	}
	b, err := base64.RawStdEncoding.DecodeString(box)
	if err == nil {
		b, err = unseal(key, b, fieldAD(row, field))
	}
	if err != nil {
		return "", fmt.Errorf("%s of %s does not decrypt: damaged, or moved from another row or field", field, row)
	}
	return string(b), nil
}

// macKey derives the key of the keyed hashes from a data key.
func macKey(dk []byte) []byte {
	m := hmac.New(sha256.New, dk)
	m.Write([]byte("jiezhen lookup hash v1"))
	return m.Sum(nil)
}

// lookupHash is the keyed hash of a looked-up value of a row's field under
// the current data key: "KEYID:hex". "" for "".
func (k *dataKeys) lookupHash(field, v string) string {
	if k == nil || v == "" {
		return ""
	}
	return k.current + ":" + k.hashUnder(k.current, field, v)
}

func (k *dataKeys) hashUnder(id, field, v string) string {
	m := hmac.New(sha256.New, macKey(k.keys[id]))
	m.Write([]byte(field + "\x00" + v))
	return hex.EncodeToString(m.Sum(nil))
}

// matchHash reports whether v has the stored keyed hash h.
func (k *dataKeys) matchHash(h, field, v string) bool {
	if k == nil {
		return false
	}
	id, sum, ok := strings.Cut(h, ":")
	if !ok || k.keys[id] == nil {
		return false
	}
	return hmac.Equal([]byte(sum), []byte(k.hashUnder(id, field, v)))
}

// Leaks returns the secrets that occur in clear in dump: a database file,
// its -wal, or a pg_dump. Each secret is also looked for as JSON would
// escape it. Tests of any store engine call it on what the engine wrote.
func Leaks(dump []byte, secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if bytes.Contains(dump, []byte(s)) {
			out = append(out, s)
			continue
		}
		// Non-ASCII as \uXXXX, as encoding/json never writes it but
		// other writers may.
		var esc strings.Builder
		for _, r := range s {
			if r < 0x80 {
				esc.WriteRune(r)
			} else {
				fmt.Fprintf(&esc, `\u%04x`, r)
			}
		}
		if e := esc.String(); e != s && bytes.Contains(bytes.ToLower(dump), []byte(strings.ToLower(e))) {
			out = append(out, s)
		}
	}
	return out
}

// Setting listing the ids of the database's data keys, comma-separated.
const dataKeyIDs = "datakey_ids"

// UseKeyFile unwraps the database's data keys with the key file kf (on
// the first open with a key file, it makes the data key and stores it
// wrapped), has every write seal personal data from then on, and seals
// what the database still holds in clear or under an older data key, in
// batches of one transaction each (SealAll). Call it before the platform
// serves anything.
func (p *Platform) UseKeyFile(ctx context.Context, kf *KeyFile) error {
	k := &dataKeys{keys: map[string][]byte{}}
	err := p.raw.Write(ctx, func(tx Tx) error {
		cur, err := tx.Setting(dataKeyCurrent)
		if err != nil {
			return err
		}
		if cur == "" {
			return addDataKey(tx, kf, k)
		}
		return loadDataKeys(tx, kf, k)
	})
	if err != nil {
		return err
	}
	p.keys = k
	p.store = &sealedStore{Store: p.raw, k: k}
	_, err = p.SealAll(ctx)
	return err
}

// HasDataKey reports whether the database holds a wrapped data key, that
// is whether a key file was ever used with it.
func HasDataKey(ctx context.Context, st Store) (bool, error) {
	var cur string
	err := st.Read(ctx, func(tx ReadTx) (err error) {
		cur, err = tx.Setting(dataKeyCurrent)
		return err
	})
	return cur != "", err
}

// addDataKey makes a new random data key, stores it wrapped with kf and
// makes it the current one.
func addDataKey(tx Tx, kf *KeyFile, k *dataKeys) error {
	if err := loadDataKeys(tx, kf, k); err != nil {
		return err
	}
	dk := make([]byte, 32)
	idb := make([]byte, 4)
	if _, err := rand.Read(dk); err != nil {
		return err
	}
	if _, err := rand.Read(idb); err != nil {
		return err
	}
	id := hex.EncodeToString(idb)
	ids, err := tx.Setting(dataKeyIDs)
	if err != nil {
		return err
	}
	if ids != "" {
		ids += ","
	}
	for name, v := range map[string]string{dataKeyPrefix + id: wrapKey(kf, id, dk), dataKeyIDs: ids + id, dataKeyCurrent: id} {
		if err := tx.SetSetting(name, v); err != nil {
			return err
		}
	}
	k.keys[id], k.current = dk, id
	return nil
}

// loadDataKeys unwraps every data key of the database with kf.
func loadDataKeys(tx ReadTx, kf *KeyFile, k *dataKeys) error {
	ids, err := tx.Setting(dataKeyIDs)
	if err != nil || ids == "" {
		return err
	}
	for _, id := range strings.Split(ids, ",") {
		w, err := tx.Setting(dataKeyPrefix + id)
		if err != nil {
			return err
		}
		if k.keys[id], err = unwrapKey(kf, id, w); err != nil {
			return err
		}
	}
	k.current, err = tx.Setting(dataKeyCurrent)
	return err
}

// RewrapDataKeys wraps the database's data keys with the key file next
// instead of old, in one transaction, and returns how many it rewrapped.
// The values stay as they are: only the key file changes. Until the new
// file replaces the old one where districtd reads it, districtd refuses
// to start with the old one, naming both keys.
func RewrapDataKeys(ctx context.Context, st Store, old, next *KeyFile) (int, error) {
	n := 0
	err := st.Write(ctx, func(tx Tx) error {
		k := &dataKeys{keys: map[string][]byte{}}
		if err := loadDataKeys(tx, old, k); err != nil {
			return err
		}
		if len(k.keys) == 0 {
			return errors.New("the database holds no data key yet: start districtd serve with a key file first")
		}
		n = 0
		for id, dk := range k.keys {
			if err := tx.SetSetting(dataKeyPrefix+id, wrapKey(next, id, dk)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// NewDataKey makes a new data key the current one and seals everything
// under it (SealAll); the older keys stay, wrapped, for what an
// interrupted run left under them, which the next open with the key file
// goes on sealing.
func (p *Platform) NewDataKey(ctx context.Context, kf *KeyFile) (int, error) {
	if p.keys == nil {
		return 0, ErrNoDataKey
	}
	k := &dataKeys{keys: map[string][]byte{}}
	if err := p.raw.Write(ctx, func(tx Tx) error { return addDataKey(tx, kf, k) }); err != nil {
		return 0, err
	}
	p.keys = k
	p.store = &sealedStore{Store: p.raw, k: k}
	return p.SealAll(ctx)
}

// sealBatch is how many cases SealAll seals in one transaction (a
// variable for the tests).
var sealBatch = 200

// SealAll seals every case's personal fields that are in clear, or under
// another data key than the current one, sealBatch cases per write
// transaction, and returns how many cases it sealed. It stops after the
// database is found all sealed under the current key (a setting), so it
// costs one read at later opens; interrupted, it goes on where it stopped
// at the next open, as each batch committed is kept. The back office's
// TOTP keys are sealed first (sealAccounts), at every open.
func (p *Platform) SealAll(ctx context.Context) (int, error) {
	k := p.keys
	if k == nil {
		return 0, ErrNoDataKey
	}
	if err := p.sealAccounts(ctx); err != nil {
		return 0, err
	}
	var done string
	err := p.raw.Read(ctx, func(tx ReadTx) (err error) {
		done, err = tx.Setting(dataKeySealed)
		return err
	})
	if err != nil || done == k.current {
		return 0, err
	}
	n, after := 0, ""
	for {
		// A page of cases as stored, read without opening them.
		var page []CaseRecord
		err := p.raw.Read(ctx, func(tx ReadTx) (err error) {
			page, err = tx.CasesAfter(after, sealBatch)
			return err
		})
		if err != nil {
			return n, err
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].Case.ID
		var todo []string
		for i := range page {
			if k.caseNeedsSealing(&page[i]) {
				todo = append(todo, page[i].Case.ID)
			}
		}
		if len(todo) == 0 {
			continue
		}
		err = p.store.Write(ctx, func(tx Tx) error {
			for _, id := range todo {
				rec, err := tx.Case(id)
				if err != nil {
					return fmt.Errorf("seal case %s: %w", id, err)
				}
				if err := tx.PutCase(rec); err != nil {
					return fmt.Errorf("seal case %s: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(todo)
		p.log.Info("personal data sealed", "cases", len(todo), "up_to", after)
	}
	if err := p.sealOpinions(ctx); err != nil {
		return n, err
	}
	err = p.raw.Write(ctx, func(tx Tx) error {
		// Cases filed meanwhile were sealed on their way in.
		return tx.SetSetting(dataKeySealed, k.current)
	})
	return n, err
}

// sealOpinions seals the opinions' names and mobiles as SealAll does the
// cases, a page of sealBatch opinions per write transaction.
func (p *Platform) sealOpinions(ctx context.Context) error {
	k := p.keys
	after := ""
	for {
		var page []OpinionRecord
		err := p.raw.Read(ctx, func(tx ReadTx) (err error) {
			page, err = tx.OpinionsAfter(after, sealBatch)
			return err
		})
		if err != nil || len(page) == 0 {
			return err
		}
		from := after
		after = page[len(page)-1].Opinion.ID
		var todo []string
		for _, o := range page {
			if k.stale(o.Opinion.Name) || k.stale(o.Opinion.Mobile) {
				todo = append(todo, o.Opinion.ID)
			}
		}
		if len(todo) == 0 {
			continue
		}
		err = p.store.Write(ctx, func(tx Tx) error {
			list, err := tx.OpinionsAfter(from, len(page))
			if err != nil {
				return err
			}
			for _, o := range list {
				if slices.Contains(todo, o.Opinion.ID) {
					if err := tx.UpdateOpinion(o); err != nil {
						return fmt.Errorf("seal opinion %s: %w", o.Opinion.ID, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// sealAccounts seals the back office's TOTP keys still in clear, or under
// another data key than the current one, in one write transaction.
// Accounts are few (a district's staff), so every open reads them all
// rather than keep a setting: a database sealed before TOTP keys were is
// sealed at its next open, and later opens cost one read.
func (p *Platform) sealAccounts(ctx context.Context) error {
	k := p.keys
	var todo []int64
	err := p.raw.Read(ctx, func(tx ReadTx) error {
		list, err := tx.Accounts()
		for i := range list {
			if k.accountNeedsSealing(&list[i]) {
				todo = append(todo, list[i].ID)
			}
		}
		return err
	})
	if err != nil || len(todo) == 0 {
		return err
	}
	err = p.store.Write(ctx, func(tx Tx) error {
		for _, id := range todo {
			a, err := tx.Account(id)
			if err == nil {
				err = tx.PutAccount(a)
			}
			if err != nil {
				return fmt.Errorf("seal the TOTP key of user %d: %w", id, err)
			}
		}
		return nil
	})
	if err == nil {
		p.log.Info("TOTP keys sealed", "users", len(todo))
	}
	return err
}
