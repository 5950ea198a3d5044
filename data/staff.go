package data

import (
	"fmt"
	"strings"
)

// RoleStaff is the role of a street's staff account.
const RoleStaff = "staff"

// Staff is a street staff account. The district creates it and publishes
// it in the street's feed; the kiosk checks a PIN against PINHash, an
// argon2id hash keyed with the street's PIN key (data/pin), or, for an
// account made before the key, an argon2id hash in the PHC string format.
// The PIN itself exists only on the paper it was given on.
type Staff struct {
	ID      string `json:"id" limit:"id"`
	Street  string `json:"street" limit:"id"`
	Name    string `json:"name" limit:"name"`
	Role    string `json:"role" limit:"code"`     // RoleStaff
	PINHash string `json:"pin_hash" limit:"code"` // $argon2id-hmac-sha256$... (data/pin)
}

// Check says, in one line naming the field, what a staff account is
// missing.
func (s *Staff) Check() error {
	switch {
	case strings.TrimSpace(s.ID) == "":
		return fmt.Errorf("staff account: id is empty")
	case strings.TrimSpace(s.Street) == "":
		return fmt.Errorf("staff account %s: street is empty", s.ID)
	case strings.TrimSpace(s.Name) == "":
		return fmt.Errorf("staff account %s: name is empty", s.ID)
	case s.Role != RoleStaff:
		return fmt.Errorf("staff account %s: role %q is not %q", s.ID, s.Role, RoleStaff)
	case !strings.HasPrefix(s.PINHash, "$argon2id-hmac-sha256$") && !strings.HasPrefix(s.PINHash, "$argon2id$"):
		return fmt.Errorf("staff account %s: pin_hash is not an argon2id PIN verifier", s.ID)
	}
	return nil
}
