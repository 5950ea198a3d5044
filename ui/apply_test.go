package ui

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"jiezhen/data"
	"jiezhen/data/store"
)

// A good and a bad ID number for the forms: 440106199001011235 has a
// matching check character (worked in data's tests); the other differs in
// its last character only.
const (
	goodID = "440106199001011235"
	badID  = "440106199001011234"
)

// openRelief reaches the application form of 临时救助申请 the way a
// resident does: 我要申报, the category, the item, 在线申报.
func openRelief(t *testing.T, w fyne.Window) {
	t.Helper()
	tap(t, w, "我要申报")
	assertShows(t, w, "社会管理", "可在线申报")
	tap(t, w, "社会管理")
	l := firstList(t, w)
	found := false
	for i := 0; i < l.Length(); i++ {
		l.Select(i)
		if strings.Contains(screenText(w), "临时救助申请") && strings.Contains(screenText(w), "受理条件") {
			found = true
			break
		}
		tap(t, w, "返回")
		l = firstList(t, w)
	}
	if !found {
		t.Fatal("临时救助申请 is not among the online items of 社会管理")
	}
	tap(t, w, "在线申报")
	assertShows(t, w, "申请人姓名", "身份证号码", "手机号码")
}

// noteOf is the text under the field labelled label: its help or its
// problem.
func noteOf(t *testing.T, w fyne.Window, label string) string {
	t.Helper()
	for _, e := range entries(w) {
		if e.Label != label {
			continue
		}
		// The entry and its note share a VBox.
		var note string
		walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
			c, ok := o.(*fyne.Container)
			if !ok || len(c.Objects) != 2 || c.Objects[0] != fyne.CanvasObject(e) {
				return
			}
			if l, ok := c.Objects[1].(*wrapLabel); ok {
				note = l.Text
			}
		})
		return strings.TrimSpace(note)
	}
	t.Fatalf("no entry %q", label)
	return ""
}

func TestApplicationFiledByTouch(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	openRelief(t, w)

	// Page 1: the applicant, with a wrong check character first.
	focusEntry(t, w, "申请人姓名")
	typeKeys(t, w, "wang")
	tapKey(t, w, "王")
	focusEntry(t, w, "身份证号码")
	typeDigits(t, w, badID[:17])
	if n := noteOf(t, w, "身份证号码"); strings.Contains(n, "校验码") {
		t.Errorf("17 characters typed already show %q", n)
	}
	typeDigits(t, w, badID[17:])
	idMsg := data.ReasonIDCheckChar.Message(data.ZH)
	if n := noteOf(t, w, "身份证号码"); n != idMsg {
		t.Errorf("next to the ID number: %q, want %q", n, idMsg)
	}
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13912345678")
	tap(t, w, "下一步")
	assertShows(t, w, "请按提示修改本页标红的内容", idMsg)
	focusEntry(t, w, "身份证号码")
	tapKey(t, w, "清空")
	typeDigits(t, w, goodID)
	if n := noteOf(t, w, "身份证号码"); n == idMsg {
		t.Error("the message stayed after the ID number was corrected")
	}
	tap(t, w, "下一步")

	// The rest of the form, over as many pages as it takes.
	for page := 0; !strings.Contains(screenText(w), "请核对以下内容"); page++ {
		if page > 6 {
			t.Fatalf("no review page after 6 pages; the screen shows:\n%s", screenText(w))
		}
		text := screenText(w)
		if strings.Contains(text, "家庭人口数") {
			focusEntry(t, w, "家庭人口数")
			typeDigits(t, w, "3")
		}
		if strings.Contains(text, "家庭月收入（元）") {
			focusEntry(t, w, "家庭月收入（元）")
			typeDigits(t, w, "1500.5")
		}
		if strings.Contains(text, "困难类型") {
			tap(t, w, "支出型（医疗、教育等必需支出）")
		}
		if strings.Contains(text, "困难发生日期") {
			tap(t, w, "请点此选择日期")
			assertShows(t, w, "2026年", "困难发生日期：2026年11月25日")
			tap(t, w, "10 月")
			tap(t, w, "8")
			assertShows(t, w, "困难发生日期：2026年10月8日")
			tap(t, w, "确定")
			assertShows(t, w, "2026年10月8日")
		}
		if strings.Contains(text, "希望获得的帮助") {
			tap(t, w, "医疗费用")
			tap(t, w, "生活费用")
		}
		if strings.Contains(text, "困难情况说明") {
			focusEntry(t, w, "困难情况说明")
			typeKeys(t, w, "zhuyuan")
			tapKey(t, w, "住院")
		}
		tap(t, w, "下一步")
	}

	// The review: everything, masked, with the materials and the consent.
	assertShows(t, w, "王", "4401**********1235", "139****5678", "支出型（医疗、教育等必需支出）",
		"2026年10月8日", "1500.5", "生活费用、医疗费用", "住院", "临时救助申请书", "请带齐以下材料到窗口核验", "提交即表示您同意")
	if text := screenText(w); strings.Contains(text, goodID) || strings.Contains(text, "13912345678") {
		t.Error("the review page shows a whole ID or mobile number")
	}
	tap(t, w, "提交")

	ctx := context.Background()
	items, err := s.Pending(ctx, 0)
	if err != nil || len(items) != 1 || items[0].Kind != data.ItemCase {
		t.Fatalf("outbox: %v, %+v", err, items)
	}
	c, err := s.Case(ctx, items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// 临时救助 promises 10 working days.
	want := demoCalendar(t).AddWorkdays(data.DateOf(testNow), 10)
	if c.Kind != data.CaseApplication || c.Service != "svc-linshi-jiuzhu" || c.Status != data.StatusSubmitted ||
		c.Deadline != want || c.Street != k.street.Code || c.Applicant == nil ||
		c.Applicant.Name != "王" || c.Applicant.IDNumber != goodID || c.Applicant.Mobile != "13912345678" {
		t.Errorf("filed %+v, want 临时救助申请 by 王 due %s", c, want)
	}
	wantValues := data.FormValues{
		"applicant_name": "王", "id_number": goodID, "mobile": "13912345678",
		"family_size": "3", "difficulty": "支出型（医疗、教育等必需支出）", "happened_on": "2026-10-08",
		"monthly_income": "1500.5", "situation": "住院", "help_needed": "生活费用\n医疗费用",
	}
	for code, v := range wantValues {
		if c.Values[code] != v {
			t.Errorf("value %s = %q, want %q", code, c.Values[code], v)
		}
	}
	if len(c.Values) != len(wantValues) {
		t.Errorf("values %v", c.Values)
	}
	assertShows(t, w, "您的申请已提交", "临时救助申请", spacedRef(c.Ref), k.date(want)+"前办结", "需要带的材料")
	tap(t, w, "完成")
	if len(k.stack) != 0 || strings.Contains(screenText(w), c.Ref) {
		t.Error("完成 left the receipt")
	}
}

// An item done on the spot promises the day itself.
func TestApplicationReceiptOnTheSpot(t *testing.T) {
	c := data.Case{Kind: data.CaseApplication, Ref: "7-1-1", Deadline: data.MustDate("2026-11-25")}
	svc := &data.ServiceItem{Name: "就业失业登记", OnTheSpot: true, Location: "综合窗口",
		Materials: []data.Material{{Name: "居民身份证", Form: data.FormOriginal, Required: true}}}
	r := NewReceipt(data.ZH, c, svc, data.Street{Name: "天河南街道"})
	if r.DeadlineText != "即办件：材料核验无误后当场办结" || r.Deadline == nil || len(r.Bring) != 1 ||
		!strings.Contains(strings.Join(r.Next, ""), "综合窗口") {
		t.Errorf("receipt %+v", r)
	}
	svc.OnTheSpot = false
	c.Deadline = data.Date{}
	if r := NewReceipt(data.EN, c, svc, data.Street{}); r.Deadline != nil || r.DeadlineText != "The window will tell you when it will be done" {
		t.Errorf("no time limit: %+v", r)
	}
}

// The guide of an online item has 在线申报 on a kiosk that files cases and
// not on one that does not.
func TestGuideHasApplyButton(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	openService(k.env, k.src, "svc-laoren-youdai")
	find(t, w, "在线申报")
	k.cases = nil
	k.render()
	if strings.Contains(screenText(w), "在线申报") {
		t.Error("在线申报 on a kiosk without a case writer")
	}
}

func TestApplicationWriteFailureKeepsForm(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	svc, err := s.Service(context.Background(), "svc-jiuye-dengji")
	if err != nil {
		t.Fatal(err)
	}
	st := newFormState()
	for code, v := range map[string]string{"applicant_name": "李四", "id_number": goodID, "mobile": "13812345678",
		"reg_type": "失业登记", "education": "高中/中专/技校", "training": "需要"} {
		st.values[code] = v
	}
	st.page = 99 // the review
	openForm(k.env, failingCases{s}, applicationSpec(k.env, svc), st)
	assertShows(t, w, "请核对以下内容")
	tap(t, w, "提交")
	assertShows(t, w, "未能保存，您的申请尚未提交", "请核对以下内容")
	if items, _ := s.Pending(context.Background(), 0); len(items) != 0 {
		t.Errorf("outbox holds %d items after a failed write", len(items))
	}
}

// reliefValues are the answers of a complete 临时救助申请.
var reliefValues = data.FormValues{
	"applicant_name": "王小明", "id_number": goodID, "mobile": "13912345678",
	"family_size": "3", "difficulty": "支出型（医疗、教育等必需支出）", "happened_on": "2026-10-08",
	"monthly_income": "1500.5", "situation": "家中老人突发疾病住院，医疗费用超出家庭承受能力。", "help_needed": "生活费用\n医疗费用",
}

// openReliefForm opens the 临时救助申请 form at page (a large page is the
// review), with the answers of reliefValues when filled.
func openReliefForm(t testing.TB, k *Kiosk, page int, filled bool) *formState {
	t.Helper()
	return openFilledForm(k, applicationSpec(k.env, mustService(t, k, "svc-linshi-jiuzhu")), reliefValues, page, filled)
}

// reliefReceipt opens the receipt of a filed 临时救助申请.
func reliefReceipt(t testing.TB, k *Kiosk) {
	t.Helper()
	svc := mustService(t, k, "svc-linshi-jiuzhu")
	ref, _ := data.NewReference(7, testNow, 2)
	openFiled(k, applicationSpec(k.env, svc), data.Case{Ref: ref, Kind: data.CaseApplication, Service: svc.ID, Deadline: data.MustDate("2026-12-09")})
}

// Every page of every online form of the demo fits the kiosk's screen in
// both modes, with a problem shown under every field and under the page:
// nothing is cut off and nothing needs scrolling while the keyboard is
// down.
func TestFormPagesFitTheScreen(t *testing.T) {
	ctx := context.Background()
	rows, _, err := openDemo(t).ListServices(ctx, store.ServiceFilter{Online: true}, store.Page{Limit: 100})
	if err != nil || len(rows) < 2 {
		t.Fatalf("%d online services: %v", len(rows), err)
	}
	for _, elder := range []bool{false, true} {
		k, w, _ := newAppealKiosk(t, Options{Elder: elder})
		check := func(name string, spec *formSpec) {
			st := newFormState()
			for _, f := range spec.fields {
				st.problems[f.Code] = data.ReasonIDFormat // the longest message
			}
			st.problem = k.L("form.fix_page")
			openForm(k.env, k.cases, spec, st)
			for page := 0; ; page++ {
				st.page = page
				k.render()
				if strings.Contains(screenText(w), "请核对以下内容") {
					if page < 1 {
						t.Errorf("%s: no pages", name)
					}
					break
				}
				if page == 0 {
					// The date picker, on the longest month.
					for _, f := range spec.fields {
						if f.Type == data.FieldDate {
							st.picking, st.pick = f.Code, data.MustDate("2026-08-01")
							k.render()
							if h := w.Content().MinSize().Height; h > 800 {
								t.Errorf("%s, %s: the date picker needs %.0f pixels of height", name, modeName(elder), h)
							}
							st.picking = ""
							k.render()
							break
						}
					}
				}
				if h := w.Content().MinSize().Height; h > 800 {
					t.Errorf("%s, %s, page %d: needs %.0f pixels of height", name, modeName(elder), page+1, h)
				}
				if sc := k.scroll; sc != nil && sc.Content.MinSize().Height > sc.Size().Height+1 {
					t.Errorf("%s, %s, page %d: %.0f pixels in a view %.0f high", name, modeName(elder), page+1,
						sc.Content.MinSize().Height, sc.Size().Height)
				}
			}
			k.goHome()
		}
		for _, r := range rows {
			svc, err := k.src.Service(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			check(r.Name, applicationSpec(k.env, svc))
		}
		for _, d := range data.Deliveries {
			spec := disclosureSpec(k.env)
			shows := spec.shows
			spec.shows = func(code string, v data.FormValues) bool {
				v[data.CodeDelivery] = string(d)
				return shows(code, v)
			}
			check("依申请公开 "+string(d), spec)
		}
	}
}

// The idle reset drops a half-filled application with the ID number in
// it; the next resident starts on an empty form.
func TestIdleResetClearsHalfFilledApplication(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	openRelief(t, w)
	focusEntry(t, w, "身份证号码")
	typeDigits(t, w, goodID)
	k.Reset()
	if len(k.stack) != 0 || strings.Contains(screenText(w), goodID) {
		t.Fatal("the reset left the form")
	}
	openRelief(t, w)
	if got := entryText(t, w, "身份证号码"); got != "" {
		t.Errorf("a new application starts with the ID number %q", got)
	}
}

// What shows next to a field while it is typed: nothing while the value
// can still become a good one, the problem as soon as it cannot.
func TestLiveProblem(t *testing.T) {
	today := data.DateOf(testNow)
	id := data.FormField{Code: "id_number", Type: data.FieldIDNumber, Required: true}
	mobile := data.FormField{Code: "mobile", Type: data.FieldMobile, Required: true}
	number := data.FormField{Code: "n", Type: data.FieldNumber, Required: true}
	text := data.FormField{Code: "t", Type: data.FieldText, Required: true, MaxLen: 4}
	for _, tt := range []struct {
		f    data.FormField
		val  string
		want data.Reason
	}{
		{id, "", ""},
		{id, goodID[:10], ""},
		{id, goodID, ""},
		{id, badID, data.ReasonIDCheckChar},
		{id, "44010619900101123X5", data.ReasonIDLength},
		{id, "4401061990X", data.ReasonIDLength},
		{id, "440106199013011235", data.ReasonIDBirthDate},
		{mobile, "139", ""},
		{mobile, "12", data.ReasonMobile},
		{mobile, "139123456789", data.ReasonMobile},
		{number, "3.", ""},
		{number, "3.5", ""},
		{number, "3..", data.ReasonNumber},
		{number, "三", data.ReasonNumber},
		{text, "   ", ""},
		{text, "一二三四五", data.ReasonTooLong},
	} {
		if got := liveProblem(tt.f, tt.val, today); got != tt.want {
			t.Errorf("%s %q: %q, want %q", tt.f.Type, tt.val, got, tt.want)
		}
	}
}

// On a form page, 下一项 goes down the page's typed fields; the last one's
// key reads 完成 and closes the keyboard, bringing 下一步 into view,
// instead of going back up to the first field.
func TestFormLastFieldKeyIsDone(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	openReliefForm(t, k, 0, false)
	ens := entries(w)
	if len(ens) < 2 {
		t.Fatalf("the first page has %d typed fields", len(ens))
	}
	first, last := ens[0], ens[len(ens)-1]
	kb := keyboardOf(t, w)
	focusEntry(t, w, first.Label)
	for i := 1; i < len(ens); i++ {
		tapKey(t, w, "下一项")
		if kb.Target() != ens[i] {
			t.Fatalf("下一项 from %q did not go to %q", ens[i-1].Label, ens[i].Label)
		}
	}
	if kb.Target() != last {
		t.Fatal("not at the page's last field")
	}
	tapKey(t, w, "填好了")
	if kb.Visible() {
		t.Error("填好了 on the last field left the keyboard up")
	}
	if f := w.Canvas().Focused(); f == fyne.Focusable(first) {
		t.Errorf("完成 on the last field %q went back to the first, %q", last.Label, first.Label)
	}
	find(t, w, "下一步")

	// In English the key says Finished, not the footer's Done.
	k.toggleLang()
	openReliefForm(t, k, 0, false)
	ens = entries(w)
	focusEntry(t, w, ens[len(ens)-1].Label)
	tapKey(t, w, "Finished")
	if keyboardOf(t, w).Visible() {
		t.Error("Finished left the keyboard up")
	}
}

// A date of birth opens its picker 40 years back, where ±10 and ±1 years
// reach most residents' birth years in a few taps; other dates open at
// today, and a date chosen before opens at itself. Where the form has the
// resident's ID number already, the date of birth opens at the one it gives.
func TestBirthDatePickerStartsYearsBack(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	svc, err := k.src.Service(context.Background(), "svc-laoren-youdai")
	if err != nil {
		t.Fatal(err)
	}
	relief, err := k.src.Service(context.Background(), "svc-linshi-jiuzhu")
	if err != nil {
		t.Fatal(err)
	}
	field := func(s data.ServiceItem, code string) data.FormField {
		for _, f := range s.Form.Fields {
			if f.Code == code {
				return f
			}
		}
		t.Fatalf("%s has no field %s", s.ID, code)
		return data.FormField{}
	}
	for _, tc := range []struct {
		spec  *formSpec
		field data.FormField
		set   string
		want  string
		id    string // the form's ID number
	}{
		{applicationSpec(k.env, svc), field(svc, "birth_date"), "", "1986-11-25", ""},
		{applicationSpec(k.env, relief), field(relief, "happened_on"), "", "2026-11-25", ""},
		{applicationSpec(k.env, svc), field(svc, "birth_date"), "1950-03-08", "1950-03-08", ""},
		// The ID number typed on the first page gives the date of birth.
		{applicationSpec(k.env, svc), field(svc, "birth_date"), "", "1948-02-29", "440106194802291238"},
		// A wrong one gives nothing.
		{applicationSpec(k.env, svc), field(svc, "birth_date"), "", "1986-11-25", "440106194802291234"},
	} {
		st := newFormState()
		if tc.set != "" {
			st.values[tc.field.Code] = tc.set
		}
		if tc.id != "" {
			st.values["id_number"] = tc.id
		}
		openForm(k.env, k.cases, tc.spec, st)
		test.Tap(k.env.dateButton(tc.spec, st, tc.field).(fyne.Tappable))
		if st.picking != tc.field.Code || st.pick != data.MustDate(tc.want) {
			t.Errorf("%s: the picker opened at %s (picking %q), want %s", tc.field.Code, st.pick, st.picking, tc.want)
		}
		if tc.set == "" {
			assertShows(t, w, strconv.Itoa(data.MustDate(tc.want).Year)+"年", "−10", "+10")
		}
	}
}
