package ui

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"jiezhen/data"
	"jiezhen/data/store"
)

// Reasons the district gives when it returns the cases of
// correctionCases for correction.
const (
	appMissing        = "家庭月收入填写有误，请更正，并补交收入证明"
	disclosureMissing = "所需信息描述不明确，请写明文件名称或文号"
)

// correctionCases files an application for 临时救助申请 (mobile ending
// 5678) and a disclosure request (mobile ending 1111) on kiosk 7 of s,
// as the kiosk does; the district acknowledges both (the kiosk drops
// their personal data) and then returns them for correction, which
// reaches the kiosk through the feed as the sync agent applies it.
func correctionCases(t testing.TB, s *store.Store) (app, disc data.Case) {
	t.Helper()
	submitted := testNow.Add(-72 * time.Hour)
	file := func(c data.Case, seq int) data.Case {
		c.Deadline = data.MustDate("2026-12-10")
		return fileAsKiosk7(t, s, c, submitted, seq)
	}
	app = file(data.Case{ID: "case-app", Kind: data.CaseApplication, Service: "svc-linshi-jiuzhu",
		Applicant: &data.Person{Name: "王五", IDNumber: goodID, Mobile: "13812345678"},
		Values:    data.FormValues{"applicant_name": "王五", "id_number": goodID, "mobile": "13812345678", "monthly_income": "15000"}}, 1)
	disc = file(data.Case{ID: "case-disc", Kind: data.CaseDisclosure,
		Applicant: &data.Person{Name: "赵六", IDNumber: goodID, Mobile: "13900001111"},
		Request:   &data.DisclosureRequest{Information: "那个文件", Delivery: data.DeliveryPickup}}, 2)
	recv := submitted.Add(time.Hour)
	receiveThenFeed(t, s, recv, []data.Case{app, disc}, func(_ int, v *data.Case) {
		reason := appMissing
		if v.Kind == data.CaseDisclosure {
			reason = disclosureMissing
		}
		v.History = append(v.History, data.Transition{From: data.StatusReceived, To: data.StatusCorrection, At: recv.Add(24 * time.Hour), Reason: reason})
		v.Status = data.StatusCorrection
	})
	return app, disc
}

// corrections are the correction items waiting in s's outbox.
func corrections(t *testing.T, s *store.Store) []data.Correction {
	t.Helper()
	items, err := s.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []data.Correction
	for _, it := range items {
		if it.Kind != data.ItemCorrection {
			continue
		}
		var c data.Correction
		if err := json.Unmarshal(it.Body, &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// pageWith taps 下一步 until the form's page shows text.
func pageWith(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	for range 8 {
		if strings.Contains(screenText(w), text) {
			return
		}
		tap(t, w, "下一步")
	}
	t.Fatalf("no page shows %q; the screen shows:\n%s", text, screenText(w))
}

func TestCorrectApplicationByTouch(t *testing.T) {
	var kicks atomic.Int32
	_, w, s := newAppealKiosk(t, Options{SyncNow: func() { kicks.Add(1) }})
	app, _ := correctionCases(t, s)
	trackBy(t, w, app.Ref, "5678")
	assertShows(t, w, "待补正", "需要补正："+appMissing)
	tap(t, w, "补正材料")
	assertShows(t, w, "需要补正："+appMissing, "只填写需要补正的项目", "申请人姓名", "身份证号码")
	// The kiosk swept what was filed: nothing is prefilled.
	for _, en := range entries(w) {
		if en.Text != "" {
			t.Errorf("entry %q is prefilled with %q", en.Label, en.Text)
		}
	}
	pageWith(t, w, "家庭月收入（元）")
	focusEntry(t, w, "家庭月收入（元）")
	typeDigits(t, w, "2100")
	pageWith(t, w, "例如：已到街道服务中心")
	focusEntry(t, w, "说明")
	typeKeys(t, w, "buchong")
	tapKey(t, w, "补充")
	pageWith(t, w, "请核对以下内容")
	assertShows(t, w, "家庭月收入（元）", "2100", "补充")
	if strings.Contains(screenText(w), "申请人姓名") {
		t.Error("the review lists fields left empty")
	}
	tap(t, w, "提交")
	assertShows(t, w, "办件进度", "已提交补正，同步后区县将重新受理", "补正已提交，等待同步")
	if strings.Contains(screenText(w), "补正材料") {
		t.Error("a second correction is offered while one waits")
	}
	got := corrections(t, s)
	if len(got) != 1 || got[0].Case != app.ID || len(got[0].Values) != 1 || got[0].Values["monthly_income"] != "2100" ||
		got[0].Note != "补充" || got[0].Information != "" {
		t.Fatalf("queued corrections %+v", got)
	}
	if kicks.Load() != 1 {
		t.Errorf("the sync was kicked %d times, want once", kicks.Load())
	}
	// Tracked again, the correction still waits and is not offered again.
	tap(t, w, "首页")
	trackBy(t, w, app.Ref, "5678")
	assertShows(t, w, "补正已提交，等待同步")
	if strings.Contains(screenText(w), "补正材料") || strings.Contains(screenText(w), "已提交补正，同步后") {
		t.Errorf("tracked again, the timeline offers a correction or repeats the confirmation:\n%s", screenText(w))
	}
}

func TestCorrectionInvalidValueQueuesNothing(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	app, _ := correctionCases(t, s)
	trackBy(t, w, app.Ref, "5678")
	tap(t, w, "补正材料")
	focusEntry(t, w, "身份证号码")
	typeDigits(t, w, badID)
	idMsg := data.ReasonIDCheckChar.Message(data.ZH)
	if n := noteOf(t, w, "身份证号码"); n != idMsg {
		t.Errorf("next to the ID number: %q, want %q", n, idMsg)
	}
	tap(t, w, "下一步")
	assertShows(t, w, "请按提示修改本页标红的内容", idMsg)
	if strings.Contains(screenText(w), "请核对以下内容") {
		t.Fatal("a bad ID number passed the page")
	}
	// Emptied, the field is optional again; with nothing filled in at
	// all, 提交 says what is needed and queues nothing.
	focusEntry(t, w, "身份证号码")
	tapKey(t, w, "清空")
	pageWith(t, w, "请核对以下内容")
	tap(t, w, "提交")
	assertShows(t, w, "请至少填写一项需要补正的内容，或在“说明”中写明已补交的材料。")
	if got := corrections(t, s); len(got) != 0 {
		t.Fatalf("queued %+v", got)
	}
	if q, err := s.CorrectionQueued(context.Background(), app.ID); err != nil || q {
		t.Fatalf("CorrectionQueued %v %v", q, err)
	}
}

func TestCorrectDisclosureByTouch(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, disc := correctionCases(t, s)
	trackBy(t, w, disc.Ref, "1111")
	assertShows(t, w, "需要补正："+disclosureMissing)
	tap(t, w, "补正材料")
	assertShows(t, w, "所需信息的内容描述（选填）", "说明（选填）")
	if strings.Contains(screenText(w), "身份证号码") || strings.Contains(screenText(w), "获取方式") {
		t.Error("the disclosure correction asks for more than the information and a note")
	}
	focusEntry(t, w, "所需信息的内容描述")
	typeKeys(t, w, "wenjian")
	tapKey(t, w, "文件")
	pageWith(t, w, "请核对以下内容")
	tap(t, w, "提交")
	assertShows(t, w, "补正已提交，等待同步")
	got := corrections(t, s)
	if len(got) != 1 || got[0].Case != disc.ID || got[0].Information != "文件" || got[0].Values != nil {
		t.Fatalf("queued corrections %+v", got)
	}
}

// A case waiting for correction shows no notice to someone who gave only
// the reference: a named case needs the four digits.
func TestCorrectionNeedsPhone4(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	app, _ := correctionCases(t, s)
	trackBy(t, w, app.Ref, "")
	if txt := screenText(w); strings.Contains(txt, "需要补正") || strings.Contains(txt, "补正材料") {
		t.Errorf("without the four digits the correction shows:\n%s", txt)
	}
}

// sampleCorrection is an application's timeline waiting for correction,
// for the screens' walk; queued: its correction was just queued.
func sampleCorrection(t testing.TB, k *Kiosk, kind data.CaseKind, queued bool) trackResult {
	t.Helper()
	recv := testNow.Add(-48 * time.Hour)
	reason := appMissing
	if kind == data.CaseDisclosure {
		reason = disclosureMissing
	}
	c := data.Case{ID: "case-corr", Ref: "007-0AB-02Y", Kind: kind, Status: data.StatusCorrection, Service: "svc-linshi-jiuzhu",
		SubmittedAt: recv.Add(-time.Hour), Deadline: data.MustDate("2026-12-10"),
		History: []data.Transition{
			{From: data.StatusSubmitted, To: data.StatusReceived, At: recv},
			{From: data.StatusReceived, To: data.StatusCorrection, At: recv.Add(20 * time.Hour), Reason: reason},
		}}
	tl := data.BuildTimeline(c, data.TrackInput{Now: testNow, LastSync: testNow.Add(-5 * time.Minute), Contact: "王*  138****5678"})
	res := trackResult{tl: tl, id: c.ID, corr: &correctionInfo{missing: reason, queued: queued, sent: queued}}
	if kind == data.CaseApplication {
		svc, err := k.src.Service(context.Background(), c.Service)
		if err != nil {
			t.Fatal(err)
		}
		res.corr.svc = &svc
	}
	return res
}

// openCorrectionAt opens the correction form of a sample case at page
// (99: the review), filled with a corrected income and a note.
func openCorrectionAt(t testing.TB, k *Kiosk, kind data.CaseKind, page int) {
	t.Helper()
	res := sampleCorrection(t, k, kind, false)
	st := newFormState()
	st.page = page
	if page > 0 {
		st.values["monthly_income"] = "2100"
		st.values[data.CodeInformation] = "2026年六运小区微改造工程预算表"
		st.values[correctionNote] = "已到街道服务中心补交收入证明"
	}
	k.env.open(func() string { return k.L("correction.title") }, func() fyne.CanvasObject {
		return newForm(k.env, nil, correctionSpec(k.env, k.tracker, &res), st)
	})
}
