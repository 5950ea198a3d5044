// Package pin makes and checks the PINs of street staff accounts: a random
// six-digit PIN, hashed with argon2id (golang.org/x/crypto/argon2) into the
// PHC string format, $argon2id$v=19$m=...,t=...,p=...$salt$hash, so that
// the parameters travel with the hash and can be raised later.
package pin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Length is the number of digits of a PIN.
const Length = 6

// The parameters of new hashes: RFC 9106's second recommended option
// scaled down to what a kiosk's small CPU does in well under a second
// (19 MiB, two passes, one lane, as OWASP recommends for argon2id).
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
)

// Upper bounds on the parameters a stored hash may ask for: a hash comes
// from the district's feed, and one with absurd parameters must not make
// the kiosk allocate gigabytes.
const (
	maxMemoryKiB = 256 * 1024
	maxPasses    = 16
	maxLanes     = 16
)

// ErrFormat: the stored hash is not an argon2id PHC string this package
// can check.
var ErrFormat = errors.New("not an argon2id PIN hash")

// New returns a random PIN of Length digits.
func New() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Valid reports whether s has the form of a PIN: Length ASCII digits.
func Valid(s string) bool {
	if len(s) != Length {
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

// Hash hashes a PIN with a fresh random salt.
func Hash(p string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(p), salt, passes, memoryKiB, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check reports whether p is the PIN hashed in hash. The comparison takes
// the same time whatever the difference.
func Check(hash, p string) (bool, error) {
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, ErrFormat
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrFormat
	}
	var m, t uint32
	var l uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &l); err != nil {
		return false, ErrFormat
	}
	if m == 0 || m > maxMemoryKiB || t == 0 || t > maxPasses || l == 0 || l > maxLanes {
		return false, ErrFormat
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrFormat
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return false, ErrFormat
	}
	got := argon2.IDKey([]byte(p), salt, t, m, l, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}
