package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// sectionOf names each kind's key in a content set's JSON. Staff accounts
// are not published in content sets.
var sectionOf = map[Kind]string{
	KindNotice:       "notices",
	KindCatalog:      "catalog",
	KindService:      "services",
	KindProvider:     "providers",
	KindConsultation: "consultations",
	KindCalendar:     "calendars",
	KindStreet:       "streets",
}

// ReadItem reads one content item of a kind as strictly as a published
// content set, checks it as Validate does on the day today, and returns
// it as the change publishing it would make (Seq 0, Version 1). The body
// of the change is the item as the district stores it, so the same item
// read on a kiosk and on the district gives the same bytes. A problem is
// a ContentErrors (from Validate) or a one-line reading error.
func ReadItem(kind Kind, raw json.RawMessage, today Date) (Change, error) {
	sec, ok := sectionOf[kind]
	if !ok {
		return Change{}, fmt.Errorf("%q is not a content kind", kind)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return Change{}, errors.New("the item is empty")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{%q:[`, sec)
	b.Write(raw)
	b.WriteString("]}")
	set, err := ReadContentSet(&b)
	if err != nil {
		return Change{}, err
	}
	if err := set.Validate(today); err != nil {
		return Change{}, err
	}
	changes, err := set.Changes()
	if err != nil {
		return Change{}, err
	}
	if len(changes) != 1 {
		return Change{}, errors.New("expected exactly one item")
	}
	return changes[0], nil
}
