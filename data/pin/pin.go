// Package pin makes and checks the PINs of street staff accounts.
//
// A PIN is Length random digits. It is hashed with argon2id
// (golang.org/x/crypto/argon2) and the hash is then keyed with the
// street's PIN key, a random secret only the district and its street's
// kiosks hold: what the district publishes, and what travels in the feed
// and in bundles, is a verifier
//
//	$argon2id-hmac-sha256$v=19$m=...,t=...,p=...$salt$mac
//
// where mac is HMAC-SHA256(street key, context + argon2id(PIN, salt)).
// Without the key it tells nothing about the PIN; with it, each guess
// still costs an argon2id hash. The parameters travel with it, so they
// can be raised later. Accounts made before the key read
// $argon2id$v=19$m=...,t=...,p=...$salt$hash (PHC form, no key); Check
// still takes them, and KeyHash turns one into a verifier of the same PIN.
// docs/ARCHITECTURE.md ("Staff PINs: threat model") gives the figures.
package pin

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Length is the number of digits of a new PIN; LegacyLength that of PINs
// given before, which still sign in.
const (
	Length       = 8
	LegacyLength = 6
)

// Params are argon2id's costs.
type Params struct {
	MemoryKiB uint32
	Passes    uint32
	Lanes     uint8
}

// Default is what new hashes cost: about half a second and 128 MiB on a
// kiosk's CPU per sign-in, RFC 9106's second recommended option with the
// memory doubled and one lane (a kiosk checks one PIN at a time).
var Default = Params{MemoryKiB: 128 * 1024, Passes: 3, Lanes: 1}

const (
	saltLen = 16
	keyLen  = 32
	// KeySize is the length of a street's PIN key.
	KeySize = 32
)

// Upper bounds on the parameters a stored hash may ask for: a hash comes
// from the district's feed, and one with absurd parameters must not make
// the kiosk allocate gigabytes.
const (
	maxMemoryKiB = 256 * 1024
	maxPasses    = 16
	maxLanes     = 16
)

const (
	plainID = "argon2id"
	keyedID = "argon2id-hmac-sha256"
	// macContext separates the verifier's HMAC from any other use of
	// the key.
	macContext = "jiezhen staff pin v1\x00"
	// wrapContext is the HKDF info of the key that wraps a street's
	// PIN key for one kiosk.
	wrapContext = "jiezhen staff pin key wrap v1\x00"
)

// Errors of Check and UnwrapKey.
var (
	// ErrFormat: the stored value is not a PIN hash this package can
	// check.
	ErrFormat = errors.New("not an argon2id PIN hash")
	// ErrNoKey: the value is a keyed verifier and no key was given.
	ErrNoKey = errors.New("the PIN verifier needs the street's PIN key")
	// ErrWrap: a wrapped key does not open with this token (another
	// kiosk's, an older token's, or damaged).
	ErrWrap = errors.New("the wrapped PIN key does not open with this token")
)

// New returns a random PIN of Length digits.
func New() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", Length, n.Int64()), nil
}

// Valid reports whether s has the form of a PIN: LegacyLength to Length
// ASCII digits.
func Valid(s string) bool {
	if len(s) < LegacyLength || len(s) > Length {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var b64 = base64.RawStdEncoding

// Hash hashes a PIN with a fresh random salt and the Default costs, in
// the unkeyed PHC form; KeyHash makes the verifier that may travel. The
// district hashes outside its write transaction and keys inside it.
func Hash(p string) (string, error) { return HashWith(p, Default) }

// HashWith is Hash with other costs (tests use cheap ones).
func HashWith(p string, prm Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(p), salt, prm.Passes, prm.MemoryKiB, prm.Lanes, keyLen)
	return format(plainID, prm, salt, sum), nil
}

func format(id string, prm Params, salt, sum []byte) string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s", id, argon2.Version, prm.MemoryKiB, prm.Passes, prm.Lanes,
		b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// KeyHash turns an unkeyed hash (Hash's, or an account's from before the
// street key) into the verifier of the same PIN under key.
func KeyHash(key []byte, hash string) (string, error) {
	if len(key) != KeySize {
		return "", fmt.Errorf("a street's PIN key is %d bytes, not %d", KeySize, len(key))
	}
	h, err := parse(hash)
	if err != nil {
		return "", err
	}
	if h.id != plainID || len(h.sum) != keyLen {
		return "", ErrFormat
	}
	return format(keyedID, h.prm, h.salt, mac(key, h.sum)), nil
}

// Keyed reports whether stored is a keyed verifier, which Check can
// check only with the street's key.
func Keyed(stored string) bool { return strings.HasPrefix(stored, "$"+keyedID+"$") }

// Known reports whether stored has the form of a verifier or of an
// unkeyed hash, without checking its parameters.
func Known(stored string) bool { return Keyed(stored) || strings.HasPrefix(stored, "$"+plainID+"$") }

func mac(key, sum []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(macContext))
	m.Write(sum)
	return m.Sum(nil)
}

// Check reports whether p is the PIN of stored: a keyed verifier, checked
// with the street's key (ErrNoKey without one), or an unkeyed hash, for
// which key is not needed. The comparison takes the same time whatever the
// difference.
func Check(stored string, key []byte, p string) (bool, error) {
	h, err := parse(stored)
	if err != nil {
		return false, err
	}
	if h.id == keyedID && len(key) != KeySize {
		return false, ErrNoKey
	}
	got := argon2.IDKey([]byte(p), h.salt, h.prm.Passes, h.prm.MemoryKiB, h.prm.Lanes, uint32(len(h.sum)))
	if h.id == keyedID {
		if len(got) != keyLen {
			return false, ErrFormat
		}
		got = mac(key, got)
	}
	return subtle.ConstantTimeCompare(got, h.sum) == 1, nil
}

type parsed struct {
	id        string
	prm       Params
	salt, sum []byte
}

func parse(stored string) (parsed, error) {
	var h parsed
	parts := strings.Split(stored, "$")
	// "", id, "v=19", "m=..,t=..,p=..", salt, hash or mac
	if len(parts) != 6 || parts[0] != "" || (parts[1] != plainID && parts[1] != keyedID) {
		return h, ErrFormat
	}
	h.id = parts[1]
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, ErrFormat
	}
	prm := &h.prm
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &prm.MemoryKiB, &prm.Passes, &prm.Lanes); err != nil {
		return h, ErrFormat
	}
	if prm.MemoryKiB == 0 || prm.MemoryKiB > maxMemoryKiB || prm.Passes == 0 || prm.Passes > maxPasses ||
		prm.Lanes == 0 || prm.Lanes > maxLanes {
		return h, ErrFormat
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return h, ErrFormat
	}
	if h.sum, err = b64.DecodeString(parts[5]); err != nil || len(h.sum) < 16 || len(h.sum) > 64 {
		return h, ErrFormat
	}
	if h.id == keyedID && len(h.sum) != sha256.Size {
		return h, ErrFormat
	}
	return h, nil
}

// NewKey returns a new street PIN key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, nil
}

// TokenHash is the SHA-256 of a kiosk's token: what the district stores
// of it, and what a street's PIN key is wrapped for that kiosk with.
func TokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// wrapKey derives the AES-256 key that wraps the street's PIN key for the
// kiosk whose token has this hash.
func wrapKey(tokenHash []byte, street string) (cipher.AEAD, error) {
	if len(tokenHash) != sha256.Size {
		return nil, errors.New("a token hash is 32 bytes")
	}
	k, err := hkdf.Key(sha256.New, tokenHash, nil, wrapContext+street, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// WrapKey seals the street's PIN key for one kiosk: AES-256-GCM under
// HKDF-SHA256(the SHA-256 of its token, the street), as base64 of nonce
// and sealed key. Only that token opens it.
func WrapKey(tokenHash []byte, street string, key []byte) (string, error) {
	if len(key) != KeySize {
		return "", fmt.Errorf("a street's PIN key is %d bytes, not %d", KeySize, len(key))
	}
	aead, err := wrapKey(tokenHash, street)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return b64.EncodeToString(aead.Seal(nonce, nonce, key, []byte(street))), nil
}

// UnwrapKey opens what WrapKey sealed, or fails with ErrWrap.
func UnwrapKey(tokenHash []byte, street, sealed string) ([]byte, error) {
	aead, err := wrapKey(tokenHash, street)
	if err != nil {
		return nil, err
	}
	b, err := b64.DecodeString(sealed)
	if err != nil || len(b) != aead.NonceSize()+KeySize+aead.Overhead() {
		return nil, ErrWrap
	}
	key, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte(street))
	if err != nil {
		return nil, ErrWrap
	}
	return key, nil
}

// WrappedValid reports whether sealed has the length of a wrapped key.
func WrappedValid(sealed string) bool {
	b, err := b64.DecodeString(sealed)
	return err == nil && len(b) == 12+KeySize+16
}
