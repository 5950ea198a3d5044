package data

import (
	"encoding/json"
	"reflect"
	"testing"

	"jiezhen/data/datatest"
)

// caseFields classifies every field of Case: true when it may hold the
// resident's personal data, which Case.WithoutPersonal removes before the
// case goes back down the feed, into a tracking answer or stays on the
// kiosk after settlement. A field added to Case fails the test below until
// it is classified here.
var caseFields = map[string]bool{
	"ID": false, "Ref": false, "Kind": false, "Street": false, "Kiosk": false,
	"Status": false, "SubmittedAt": false, "Deadline": false, "Anonymous": false,
	"Applicant": true, "Channel": false, "Public": false,
	"Service": false, "Values": true,
	"AppealType": false, "Department": false, "Category": false,
	"Description": true, "Location": true,
	"Request":     true,
	"Corrections": true,
	"History":     false, "Reply": false, "Rating": false, "RatingDefault": false,
	"MergedInto": false,
}

func TestEveryCaseFieldIsClassified(t *testing.T) {
	typ := reflect.TypeFor[Case]()
	seen := map[string]bool{}
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		seen[name] = true
		if _, ok := caseFields[name]; !ok {
			t.Errorf("Case.%s is not classified in caseFields: say whether it may hold personal data", name)
		}
	}
	for name := range caseFields {
		if !seen[name] {
			t.Errorf("caseFields classifies %s, which Case does not have", name)
		}
	}
}

// TestWithoutPersonalKeepsTheRule fills every field of a case and checks
// that WithoutPersonal empties exactly the personal ones, leaves the
// others as they were and does not touch its receiver.
func TestWithoutPersonalKeepsTheRule(t *testing.T) {
	var c Case
	cv := reflect.ValueOf(&c).Elem()
	for i := range cv.NumField() {
		datatest.Fill(cv.Field(i))
		if cv.Field(i).IsZero() {
			t.Fatalf("cannot fill Case.%s", cv.Type().Field(i).Name)
		}
	}
	before, _ := json.Marshal(c)
	v := c.WithoutPersonal()
	vv := reflect.ValueOf(v)
	for i := range vv.NumField() {
		name := vv.Type().Field(i).Name
		switch personal := caseFields[name]; {
		case personal && !vv.Field(i).IsZero():
			t.Errorf("WithoutPersonal keeps Case.%s, which may hold personal data", name)
		case !personal && !reflect.DeepEqual(vv.Field(i).Interface(), cv.Field(i).Interface()):
			t.Errorf("WithoutPersonal changes Case.%s, which holds no personal data", name)
		}
	}
	if after, _ := json.Marshal(c); string(after) != string(before) {
		t.Error("WithoutPersonal changed its receiver")
	}
}
