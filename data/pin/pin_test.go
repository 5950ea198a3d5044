package pin

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; the parameters travel with each hash.
var cheap = Params{MemoryKiB: 1024, Passes: 1, Lanes: 1}

func TestNewIsEightDigits(t *testing.T) {
	for range 20 {
		p, err := New()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != Length || Length != 8 || !Valid(p) {
			t.Fatalf("New gave %q", p)
		}
	}
}

func TestHashCheck(t *testing.T) {
	p := "24681357"
	h, err := HashWith(p, cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Contains(h, p) || Keyed(h) {
		t.Fatalf("hash %q", h)
	}
	if ok, err := Check(h, nil, p); err != nil || !ok {
		t.Fatalf("right PIN: %v %v", ok, err)
	}
	if ok, err := Check(h, nil, "24681358"); err != nil || ok {
		t.Fatalf("wrong PIN: %v %v", ok, err)
	}
	h2, _ := HashWith(p, cheap)
	if h2 == h {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
}

// The default costs are what the threat model's figures assume.
func TestDefaultCost(t *testing.T) {
	if Default != (Params{MemoryKiB: 131072, Passes: 3, Lanes: 1}) {
		t.Fatalf("Default is %+v: update docs/ARCHITECTURE.md's figures", Default)
	}
}

// A keyed verifier checks only with the street's key: without it, even the
// right PIN does not verify, and another key verifies nothing.
func TestKeyedVerifier(t *testing.T) {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	p := "13572468"
	h, _ := HashWith(p, cheap)
	v, err := KeyHash(key, h)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "$argon2id-hmac-sha256$v=19$m=1024,t=1,p=1$") || !Keyed(v) || !Known(v) {
		t.Fatalf("verifier %q", v)
	}
	// The salt stays, the hash does not travel.
	if strings.Split(v, "$")[4] != strings.Split(h, "$")[4] || strings.Contains(v, strings.Split(h, "$")[5]) {
		t.Fatalf("verifier %q of hash %q", v, h)
	}
	if ok, err := Check(v, key, p); err != nil || !ok {
		t.Fatalf("right PIN with the key: %v %v", ok, err)
	}
	if ok, err := Check(v, key, "13572469"); err != nil || ok {
		t.Fatalf("wrong PIN with the key: %v %v", ok, err)
	}
	if ok, err := Check(v, nil, p); !errors.Is(err, ErrNoKey) || ok {
		t.Fatalf("right PIN without the key: %v %v", ok, err)
	}
	other, _ := NewKey()
	if ok, err := Check(v, other, p); err != nil || ok {
		t.Fatalf("right PIN with another key: %v %v", ok, err)
	}
	if _, err := KeyHash(key, v); !errors.Is(err, ErrFormat) {
		t.Fatalf("keying a verifier again: %v", err)
	}
	if _, err := KeyHash(key[:16], h); err == nil {
		t.Fatal("a short key was taken")
	}
}

func TestWrapKey(t *testing.T) {
	key, _ := NewKey()
	tok := TokenHash("jzk_7.secret")
	sealed, err := WrapKey(tok, "440106005", key)
	if err != nil {
		t.Fatal(err)
	}
	if !WrappedValid(sealed) || strings.Contains(sealed, b64.EncodeToString(key)) {
		t.Fatalf("sealed %q", sealed)
	}
	got, err := UnwrapKey(tok, "440106005", sealed)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("unwrap: %x %v", got, err)
	}
	for _, c := range []struct{ tok, street, sealed string }{
		{"jzk_8.secret", "440106005", sealed}, // another kiosk's token
		{"jzk_7.secret", "440106006", sealed}, // another street
		{"jzk_7.secret", "440106005", "AAAA"}, // damaged
		{"jzk_7.secret", "440106005", sealed[:len(sealed)-2] + "AA"},
	} {
		if _, err := UnwrapKey(TokenHash(c.tok), c.street, c.sealed); !errors.Is(err, ErrWrap) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestCheckRefusesBadHashes(t *testing.T) {
	key, _ := NewKey()
	for _, h := range []string{
		"", "123456", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 4 GiB
		"$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id-hmac-sha256$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // short mac
	} {
		if _, err := Check(h, key, "123456"); err != ErrFormat {
			t.Errorf("%q: %v", h, err)
		}
	}
	for _, p := range []string{"", "12345", "123456789", "12345a", "１２３４５６"} {
		if Valid(p) {
			t.Errorf("Valid(%q)", p)
		}
	}
	for _, p := range []string{"123456", "12345678"} {
		if !Valid(p) {
			t.Errorf("!Valid(%q)", p)
		}
	}
}

// BenchmarkCheck is the cost of one sign-in attempt on the kiosk (and of
// one guess for whoever holds the verifier and the street's key).
func BenchmarkCheck(b *testing.B) {
	key, _ := NewKey()
	h, err := Hash("24681012")
	if err != nil {
		b.Fatal(err)
	}
	v, _ := KeyHash(key, h)
	for b.Loop() {
		Check(v, key, "13579024")
	}
}
