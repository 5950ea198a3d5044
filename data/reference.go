package data

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Reference numbers are made on the kiosk, offline, when a resident
// submits: KKK-DDD-SSC, nine characters in three groups of three.
//
//	KKK  the kiosk's number in the district (base 31, up to 29,790)
//	DDD  the day, counted from RefEpoch in China time (base 31, about 81 years)
//	SS   the kiosk's serial of that day (base 31, 1 to 960)
//	C    a check character
//
// Kiosk numbers are unique in the district and a kiosk never gives one
// serial twice on a day, so references are unique across the district
// without asking anyone.
//
// The alphabet is Crockford's base 32 less Z (easily read as 2): digits
// and capitals without I, L, O, U and Z, so nothing is mistaken for 1, 0,
// V or 2 when read aloud or typed. The check character is the weighted
// sum of the eight values, weights 1 to 8, modulo 31. As 31 is prime and
// larger than every difference of two values, it catches any single
// mistyped character, and any swap of two neighbours (the weights of
// neighbours differ by one).
const refAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXY"

// RefAlphabet is every character a reference's groups may hold, for an
// input that offers only those (the kiosk's reference keys).
const RefAlphabet = refAlphabet

const refBase = 31 // len(refAlphabet), prime

// RefEpoch is day zero of the reference's day field.
var RefEpoch = Date{Year: 2024, Month: time.January, Day: 1}

// Limits of the reference's fields.
const (
	MaxRefKiosk  = refBase*refBase*refBase - 1
	MaxRefSerial = refBase*refBase - 1
)

var chinaZone = time.FixedZone("CST", 8*3600)

// NewReference makes the reference of the seq-th case (from 1) filed on
// kiosk kioskID on the day of t in China time.
func NewReference(kioskID int64, t time.Time, seq int) (string, error) {
	if kioskID < 0 || kioskID > MaxRefKiosk {
		return "", fmt.Errorf("reference: kiosk %d out of range 0-%d", kioskID, MaxRefKiosk)
	}
	if seq < 1 || seq > MaxRefSerial {
		return "", fmt.Errorf("reference: serial %d out of range 1-%d", seq, MaxRefSerial)
	}
	day := DayInChina(t)
	days := int(day.Time(time.UTC).Sub(RefEpoch.Time(time.UTC)).Hours()) / 24
	if days < 0 || days > MaxRefKiosk {
		return "", fmt.Errorf("reference: day %s out of range", day)
	}
	var v []int
	v = append(v, digits31(int(kioskID), 3)...)
	v = append(v, digits31(days, 3)...)
	v = append(v, digits31(seq, 2)...)
	v = append(v, refCheck(v))
	var b strings.Builder
	for i, d := range v {
		if i == 3 || i == 6 {
			b.WriteByte('-')
		}
		b.WriteByte(refAlphabet[d])
	}
	return b.String(), nil
}

func digits31(n, width int) []int {
	out := make([]int, width)
	for i := width - 1; i >= 0; i-- {
		out[i] = n % refBase
		n /= refBase
	}
	return out
}

func refCheck(v []int) int {
	sum := 0
	for i, d := range v {
		sum += (i + 1) * d
	}
	return sum % refBase
}

// Reference errors, for a message to the resident.
var (
	ErrRefLength = errors.New("a reference has 9 characters")
	ErrRefChar   = errors.New("a reference has a character it cannot have")
	ErrRefCheck  = errors.New("the reference's check character does not match: a character is mistyped")
)

// NormalizeReference makes what a resident typed comparable: it drops
// spaces and dashes, takes lower case as upper case, and reads O as 0 and
// I or L as 1, as Crockford's base 32 does.
func NormalizeReference(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case ' ', '-', '\u3000':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckReference reports whether s, as typed (see NormalizeReference), is
// a well-formed reference with the right check character.
func CheckReference(s string) error {
	n := NormalizeReference(s)
	if len(n) != 9 {
		return ErrRefLength
	}
	v := make([]int, 9)
	for i := 0; i < 9; i++ {
		d := strings.IndexByte(refAlphabet, n[i])
		if d < 0 {
			return ErrRefChar
		}
		v[i] = d
	}
	if refCheck(v[:8]) != v[8] {
		return ErrRefCheck
	}
	return nil
}

// FormatReference writes a valid reference as typed in its canonical
// form, KKK-DDD-SSC.
func FormatReference(s string) string {
	n := NormalizeReference(s)
	if len(n) != 9 {
		return s
	}
	return n[:3] + "-" + n[3:6] + "-" + n[6:]
}

// ReferenceKiosk returns the kiosk field (KKK) of a well-formed reference:
// the number of the kiosk that made it, or 0 for one the district gave.
func ReferenceKiosk(s string) (int64, error) {
	if err := CheckReference(s); err != nil {
		return 0, err
	}
	n := NormalizeReference(s)
	var k int64
	for i := 0; i < 3; i++ {
		k = k*refBase + int64(strings.IndexByte(refAlphabet, n[i]))
	}
	return k, nil
}
