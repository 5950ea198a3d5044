package ui

import (
	"strings"
	"testing"

	"jiezhen/data"
)

// The field rules of data show while a value is typed: a number past the
// field's range, a part of a person, a control character; a number below
// the minimum waits, as it may still grow into the range.
func TestLiveProblemFieldRules(t *testing.T) {
	today := data.DateOf(testNow)
	size := data.FormField{Code: "family_size", Type: data.FieldNumber, Required: true, Min: data.NewBound(10), Max: data.NewBound(30), Whole: true}
	text := data.FormField{Code: "t", Type: data.FieldText, Required: true}
	for _, tt := range []struct {
		f    data.FormField
		val  string
		want data.Reason
	}{
		{size, "1", ""},
		{size, "12", ""},
		{size, "31", data.ReasonRange},
		{size, "-3", data.ReasonRange},
		{size, "12.5", data.ReasonWhole},
		{text, "王\x00", data.ReasonControl},
	} {
		if got := liveProblem(tt.f, tt.val, today); got != tt.want {
			t.Errorf("%s %q: %q, want %q", tt.f.Code, tt.val, got, tt.want)
		}
	}
}

// The demo's 临时救助申请 declares its family size as 1 to 30 people: a
// family of 31 gets the range's problem next to the field, and a date in
// the future the past date's, after 下一步.
func TestFormShowsFieldRulesNextToTheField(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	values := data.FormValues{}
	for c, v := range reliefValues {
		values[c] = v
	}
	values["happened_on"] = "2026-12-25" // a month after testNow
	delete(values, "family_size")
	st := openFilledForm(k, applicationSpec(k.env, mustService(t, k, "svc-linshi-jiuzhu")), values, 0, true)
	for page := 0; !strings.Contains(screenText(w), "家庭人口数"); page++ {
		if page > 6 {
			t.Fatal("no page asks for 家庭人口数")
		}
		tap(t, w, "下一步")
	}
	focusEntry(t, w, "家庭人口数")
	typeDigits(t, w, "31")
	if n, want := noteOf(t, w, "家庭人口数"), data.ReasonRange.Message(data.ZH); n != want {
		t.Errorf("next to 家庭人口数 = 31: %q, want %q", n, want)
	}
	for page := 0; st.problems["happened_on"] == ""; page++ {
		if page > 6 || strings.Contains(screenText(w), "请核对以下内容") {
			t.Fatalf("a hardship date after today was not refused; problems %v", st.problems)
		}
		if strings.Contains(screenText(w), "家庭人口数") {
			focusEntry(t, w, "家庭人口数")
			tapKey(t, w, "清空")
			typeDigits(t, w, "3")
		}
		tap(t, w, "下一步")
	}
	if st.problems["happened_on"] != data.ReasonAfterToday {
		t.Errorf("problem of the hardship date %q, want %q", st.problems["happened_on"], data.ReasonAfterToday)
	}
	assertShows(t, w, data.ReasonAfterToday.Message(data.ZH))
}

// A staff edit breaking a field rule gets its problem next to the field,
// in the kiosk's words, and nothing is queued.
func TestStaffEditShowsFieldRulesNextToTheField(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})
	signIn(t, k, w, clock)
	tap(t, w, "编辑便民服务")
	firstList(t, w).Select(0)
	tap(t, w, "编辑")
	setEntry(t, w, "名称", strings.Repeat("美", 101))
	tap(t, w, "保存")
	assertShows(t, w, data.ReasonTooLong.Message(data.ZH))
	if strings.Contains(screenText(w), `field "name"`) {
		t.Error("the field rule's problem is shown in English code words")
	}
	if n := waitingEdits(t, s); n != 0 {
		t.Fatalf("%d edits queued after a refused form", n)
	}
}
