package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Key rotation is itself a signed act: a Statement says "trust this key"
// or "revoke this key" and is signed by a key the kiosk trusts at that
// point. A bundle carries statements in its manifest; the kiosk applies
// them in order before it checks the bundle's own signature, and records
// them only if it imports the bundle. A revoked key is never trusted
// again, whatever a later statement says.

// Ops of a key change.
const (
	OpTrust  = "trust"
	OpRevoke = "revoke"
)

const statementContext = "jiezhen key statement v1\x00"

// KeyChange is what a statement says.
type KeyChange struct {
	Op       string            `json:"op"` // OpTrust or OpRevoke
	Key      ed25519.PublicKey `json:"key"`
	IssuedAt time.Time         `json:"issued_at"`
	// SignedBy is set by Read to the statement's signer; it is not part
	// of what is signed.
	SignedBy ed25519.PublicKey `json:"-"`
}

// Statement is a KeyChange as signed: Payload is the change's JSON exactly
// as it was signed, so that no re-encoding can change what the signature
// covers.
type Statement struct {
	Payload   []byte            `json:"payload"`
	Signer    ed25519.PublicKey `json:"signer"`
	Signature []byte            `json:"signature"`
}

// SignStatement signs a key change with priv.
func SignStatement(kc KeyChange, priv ed25519.PrivateKey) (*Statement, error) {
	if kc.Op != OpTrust && kc.Op != OpRevoke {
		return nil, fmt.Errorf("key change: unknown op %q", kc.Op)
	}
	if len(kc.Key) != ed25519.PublicKeySize {
		return nil, errors.New("key change: no key")
	}
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("key change: no signing key")
	}
	payload, err := json.Marshal(kc)
	if err != nil {
		return nil, err
	}
	return &Statement{
		Payload:   payload,
		Signer:    priv.Public().(ed25519.PublicKey),
		Signature: ed25519.Sign(priv, append([]byte(statementContext), payload...)),
	}, nil
}

// open checks the statement's own signature and decodes what it says. It
// does not decide whether the signer is trusted.
func (s *Statement) open() (KeyChange, error) {
	var kc KeyChange
	if s == nil || len(s.Signer) != ed25519.PublicKeySize || len(s.Signature) != ed25519.SignatureSize {
		return kc, fmt.Errorf("key statement is incomplete: %w", ErrFormat)
	}
	if !ed25519.Verify(s.Signer, append([]byte(statementContext), s.Payload...), s.Signature) {
		return kc, fmt.Errorf("key statement: %w", ErrSignature)
	}
	if err := strictJSON(s.Payload, &kc); err != nil {
		return kc, fmt.Errorf("key statement: %v: %w", err, ErrFormat)
	}
	if kc.Op != OpTrust && kc.Op != OpRevoke {
		return kc, fmt.Errorf("key statement: unknown op %q: %w", kc.Op, ErrSchema)
	}
	if len(kc.Key) != ed25519.PublicKeySize {
		return kc, fmt.Errorf("key statement names no valid key: %w", ErrFormat)
	}
	return kc, nil
}

// ReadStatement decodes a statement file as `districtd key rotate` writes
// it, and checks its signature (not whether its signer is trusted).
func ReadStatement(b []byte) (*Statement, error) {
	var s Statement
	if err := strictJSON(b, &s); err != nil {
		return nil, fmt.Errorf("key statement: %v: %w", err, ErrFormat)
	}
	if _, err := s.open(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Keys is what a kiosk trusts. A key in Revoked is refused even when it is
// also in Trusted.
type Keys struct {
	Trusted []ed25519.PublicKey
	Revoked []ed25519.PublicKey
}

type keySet struct {
	trusted, revoked map[string]bool
}

func newKeySet(k Keys) *keySet {
	s := &keySet{trusted: map[string]bool{}, revoked: map[string]bool{}}
	for _, p := range k.Trusted {
		s.trusted[string(p)] = true
	}
	for _, p := range k.Revoked {
		s.revoked[string(p)] = true
	}
	return s
}

// check says whether key may sign.
func (s *keySet) check(key ed25519.PublicKey, what string) error {
	if s.revoked[string(key)] {
		return fmt.Errorf("%s is signed by key %s, which was revoked: %w", what, KeyID(key), ErrRevoked)
	}
	if !s.trusted[string(key)] {
		return fmt.Errorf("%s is signed by key %s, which this kiosk does not trust: %w", what, KeyID(key), ErrUntrusted)
	}
	return nil
}

// apply applies the statements in order and returns what they changed.
func (s *keySet) apply(stmts []*Statement) ([]KeyChange, error) {
	var out []KeyChange
	for i, st := range stmts {
		kc, err := st.open()
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		if err := s.check(st.Signer, fmt.Sprintf("key statement %d", i+1)); err != nil {
			return nil, err
		}
		switch kc.Op {
		case OpTrust:
			if s.revoked[string(kc.Key)] {
				return nil, fmt.Errorf("key statement %d trusts key %s, which was revoked: %w", i+1, KeyID(kc.Key), ErrRevoked)
			}
			s.trusted[string(kc.Key)] = true
		case OpRevoke:
			delete(s.trusted, string(kc.Key))
			s.revoked[string(kc.Key)] = true
		}
		kc.SignedBy = st.Signer
		out = append(out, kc)
	}
	return out, nil
}

// GenerateKey returns a new signing key.
func GenerateKey() (ed25519.PublicKey, ed25519.PrivateKey, error) {
	return ed25519.GenerateKey(rand.Reader)
}

// EncodeKey is a public key as one base64 line's text.
func EncodeKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// KeyID is a short name of a key for messages: the start of its base64.
func KeyID(pub ed25519.PublicKey) string {
	s := EncodeKey(pub)
	if len(s) > 12 {
		s = s[:12]
	}
	return s
}

// ParseKey reads a public key as EncodeKey writes it; surrounding space
// is ignored.
func ParseKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not an ed25519 public key in base64")
	}
	return ed25519.PublicKey(b), nil
}

const privatePrefix = "JZB-PRIVATE-KEY-1 "

// MarshalPrivateKey is the text of a private key file: a marked line with
// the key's seed in base64.
func MarshalPrivateKey(priv ed25519.PrivateKey) []byte {
	return []byte(privatePrefix + base64.StdEncoding.EncodeToString(priv.Seed()) + "\n")
}

// ParsePrivateKey reads a private key file.
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	line := string(bytes.TrimSpace(b))
	rest, ok := strings.CutPrefix(line, privatePrefix)
	if !ok {
		return nil, errors.New("not a bundle signing key file")
	}
	seed, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("the signing key file is damaged")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// strictJSON decodes exactly one JSON value with no unknown fields.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}
