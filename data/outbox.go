package data

import (
	"encoding/json"
	"time"
)

// The outbox vocabulary: every write that flows from a kiosk (or the
// website) to the district is an outbox item of one of these kinds, with
// the body the kind names. The kiosk's store queues them, the sync agent
// pushes them (sync/wire gives them their names in the API) and the
// district's push handler decodes them; all of them use these types, so
// the JSON cannot drift apart.

// ItemKind is the kind of an outbox item.
type ItemKind string

const (
	ItemCase      ItemKind = "case"       // body: Case (application, appeal or disclosure request)
	ItemOpinion   ItemKind = "opinion"    // body: Opinion
	ItemRating    ItemKind = "rating"     // body: RatingBody
	ItemStaffEdit ItemKind = "staff_edit" // body: StaffEdit, with BaseVersion beside it
	// ItemCorrection: body Correction, what the resident supplied for a
	// case returned for correction; the case goes back to received.
	ItemCorrection ItemKind = "correction"
	ItemAudit      ItemKind = "audit" // body: AuditBody
)

// ItemKinds lists every outbox item kind the district takes.
var ItemKinds = []ItemKind{ItemCase, ItemOpinion, ItemRating, ItemStaffEdit, ItemCorrection, ItemAudit}

// Valid reports whether k is a known item kind.
func (k ItemKind) Valid() bool {
	for _, v := range ItemKinds {
		if v == k {
			return true
		}
	}
	return false
}

// KindCase is the kind of the feed's changes that carry a resident's case
// back to the kiosk that filed it: its status, history and reply. It is
// not content, so it is not in ContentKinds; only the filing kiosk's feed
// has it, and its body is Case.WithoutPersonal.
const KindCase Kind = "case"

// RatingBody is a resident's satisfaction rating of a completed case. Case
// is the case's client-generated id.
type RatingBody struct {
	Case   string `json:"case" limit:"id"`
	Rating Rating `json:"rating"`
	// Comment is optional free text; it may hold personal data.
	Comment string `json:"comment,omitempty" limit:"text"`
}

// StaffEdit is street staff changing one content item of their own street
// on the kiosk. Item is the whole new item for an upsert (a Notice,
// Provider, ...) and empty for a delete.
type StaffEdit struct {
	Kind Kind            `json:"kind" limit:"code"`
	ID   string          `json:"id" limit:"id"`
	Op   Op              `json:"op" limit:"code"`
	Item json.RawMessage `json:"item,omitempty"`
}

// StaffEditBody is a staff edit as the kiosk's outbox keeps it: the edit
// and the version of the item it was made on. The push sends the
// StaffEdit as the item's body and BaseVersion beside it.
type StaffEditBody struct {
	StaffEdit
	BaseVersion int64 `json:"base_version"`
}

// AuditBody records one action of street staff on the kiosk: sign-in,
// failed PIN, edit, conflict decision, bundle import, outbox export. At is
// the kiosk's clock, kept for the record; the district stamps its own
// time on receipt.
type AuditBody struct {
	Action  string    `json:"action" limit:"code"`
	Staff   string    `json:"staff" limit:"name"`  // the staff member's name
	StaffID string    `json:"staff_id" limit:"id"` // the account's id
	Detail  string    `json:"detail,omitempty" limit:"text"`
	At      time.Time `json:"at"`
}
