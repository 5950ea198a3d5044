package pin

import (
	"strings"
	"testing"
)

func TestHashCheck(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if !Valid(p) {
		t.Fatalf("New gave %q", p)
	}
	h, err := Hash(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, p) {
		t.Fatalf("hash %q", h)
	}
	if ok, err := Check(h, p); err != nil || !ok {
		t.Fatalf("right PIN: %v %v", ok, err)
	}
	wrong := "000000"
	if p == wrong {
		wrong = "000001"
	}
	if ok, err := Check(h, wrong); err != nil || ok {
		t.Fatalf("wrong PIN: %v %v", ok, err)
	}
	h2, _ := Hash(p)
	if h2 == h {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
}

func TestCheckRefusesBadHashes(t *testing.T) {
	for _, h := range []string{
		"", "123456", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", // 4 GiB
		"$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
	} {
		if _, err := Check(h, "123456"); err != ErrFormat {
			t.Errorf("%q: %v", h, err)
		}
	}
	for _, p := range []string{"", "12345", "1234567", "12345a", "１２３４５６"} {
		if Valid(p) {
			t.Errorf("Valid(%q)", p)
		}
	}
}

// BenchmarkCheck is the cost of one sign-in attempt on the kiosk (and of
// one guess for whoever tries PINs against a hash offline).
func BenchmarkCheck(b *testing.B) {
	h, err := Hash("246810")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Check(h, "135790")
	}
}
