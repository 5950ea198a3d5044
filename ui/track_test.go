package ui

import (
	"context"
	"encoding/json"
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/wire"
	"jiezhen/ui/keyboard"
)

// trackCases files three appeals on kiosk 7 in s as the kiosk does: one
// with a mobile that the district has replied to and completed (the feed
// brought it five minutes ago), one with a mobile still in progress, and
// an anonymous one still queued. It returns their references.
func trackCases(t testing.TB, s *store.Store) (completed, inProgress, anon data.Case) {
	t.Helper()
	file := func(id string, seq int, p *data.Person) data.Case {
		return fileAsKiosk7(t, s, data.Case{ID: id, Kind: data.CaseAppeal, AppealType: data.AppealComplaint, Category: "noise",
			Description: "楼下餐馆每晚十一点后仍在装卸货物。", Deadline: data.MustDate("2026-12-10"), Applicant: p, Anonymous: p == nil},
			testNow.Add(-48*time.Hour), seq)
	}
	completed = file("case-done", 1, &data.Person{Name: "张三", Mobile: "13812345678"})
	inProgress = file("case-open", 2, &data.Person{Name: "李四", Mobile: "13900001111"})
	anon = file("case-anon", 3, nil)
	recv := testNow.Add(-47 * time.Hour)
	receiveThenFeed(t, s, recv, []data.Case{completed, inProgress}, func(i int, v *data.Case) {
		v.History = append(v.History, data.Transition{From: data.StatusReceived, To: data.StatusDispatched, At: recv.Add(time.Hour), Reason: "派至城管科"})
		v.Status = data.StatusDispatched
		if i == 0 {
			v.History = append(v.History,
				data.Transition{From: data.StatusDispatched, To: data.StatusInProgress, At: recv.Add(2 * time.Hour)},
				data.Transition{From: data.StatusInProgress, To: data.StatusReplied, At: recv.Add(20 * time.Hour), Reason: "已责令餐馆调整装卸时间"},
				data.Transition{From: data.StatusReplied, To: data.StatusCompleted, At: recv.Add(21 * time.Hour), Reason: "已答复"})
			v.Status = data.StatusCompleted
			v.Reply = &data.Reply{Text: "已责令餐馆在晚上十点前完成装卸，城管队员将不定期巡查。", At: recv.Add(20 * time.Hour)}
		}
	})
	return completed, inProgress, anon
}

// typeRef types a reference on the reference keyboard: its letters
// layout, which also has the digits.
func typeRef(t *testing.T, w fyne.Window, ref string) {
	t.Helper()
	focusEntry(t, w, "受理编号")
	tapKey(t, w, "字母")
	typeKeys(t, w, data.NormalizeReference(ref))
}

func trackBy(t *testing.T, w fyne.Window, ref, phone4 string) {
	t.Helper()
	tap(t, w, "办件查询")
	typeRef(t, w, ref)
	if phone4 != "" {
		focusEntry(t, w, "手机号码后四位")
		typeDigits(t, w, phone4)
	}
	tap(t, w, "查询")
}

func TestTrackCaseByTouch(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, open, _ := trackCases(t, s)
	trackBy(t, w, open.Ref, "1111")
	// testNow is Wednesday 25 November; 10 December is 11 working days on.
	assertShows(t, w, "办件进度", "已派单", "派至城管科", "李*  139****1111", "2026年12月10日（还剩 11 个工作日）",
		"本机最近一次同步：2026年11月25日 10:25", "已提交", "（本机时间）", "办结后可在此评价。")
	if txt := screenText(w); strings.Contains(txt, "可能尚未同步") || strings.Contains(txt, "13900001111") || strings.Contains(txt, "装卸货物") {
		t.Errorf("the timeline says it may be stale, or shows personal data:\n%s", txt)
	}
}

func TestTrackWrongPhone4ShowsNothing(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, open, _ := trackCases(t, s)
	trackBy(t, w, open.Ref, "1112")
	assertShows(t, w, "没有找到此受理编号的办件，或手机号码后四位不符。")
	if txt := screenText(w); strings.Contains(txt, "已派单") || strings.Contains(txt, "李*") || strings.Contains(txt, "办件进度") {
		t.Errorf("a wrong phone4 shows something of the case:\n%s", txt)
	}
	// An unknown reference says exactly the same.
	unknown, _ := data.NewReference(7, testNow, 99)
	tap(t, w, "首页")
	trackBy(t, w, unknown, "1111")
	assertShows(t, w, "没有找到此受理编号的办件，或手机号码后四位不符。")
	// Four more wrong tries of the case's reference, then it is locked.
	tap(t, w, "首页")
	tap(t, w, "办件查询")
	typeRef(t, w, open.Ref)
	focusEntry(t, w, "手机号码后四位")
	for _, p4 := range []string{"2222", "3333", "4444", "5555", "1111"} {
		tapKey(t, w, "清空")
		typeDigits(t, w, p4)
		tap(t, w, "查询")
		focusEntry(t, w, "手机号码后四位")
	}
	assertShows(t, w, "此受理编号查询错误次数过多，请 15 分钟后再试，或到街道服务窗口查询。")
}

func TestTrackMistypedReferenceSaysSoAtOnce(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, open, _ := trackCases(t, s)
	n := data.NormalizeReference(open.Ref)
	swap := "1"
	if n[5] == '1' {
		swap = "2"
	}
	tap(t, w, "办件查询")
	typeRef(t, w, n[:5]+swap+n[6:])
	assertShows(t, w, "受理编号有一位输错了（校验位不符），请与回执核对")
	tapKey(t, w, "清空")
	typeKeys(t, w, n[:6])
	if strings.Contains(screenText(w), "输错") {
		t.Error("a reference still being typed is called mistyped")
	}
}

func TestTrackAnonymousByReferenceAlone(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, _, anon := trackCases(t, s)
	trackBy(t, w, anon.Ref, "")
	assertShows(t, w, "仅凭受理编号查询：只显示办理状态和公开答复。", "已提交",
		"已保存在本机，尚未送达区平台；联网后会自动送出。")
	if strings.Contains(screenText(w), "满意度评价") {
		t.Error("an anonymous appeal offers a rating")
	}
}

func TestRateCompletedCaseByTouch(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	done, _, _ := trackCases(t, s)
	trackBy(t, w, done.Ref, "5678")
	assertShows(t, w, "已办结", "已责令餐馆在晚上十点前完成装卸，城管队员将不定期巡查。", "已责令餐馆调整装卸时间",
		"此件已办结，请对办理情况作出评价（只能评价一次）。")
	tap(t, w, "我要评价")
	tap(t, w, "提交评价")
	assertShows(t, w, "请先选择一个评价等级")
	tap(t, w, "满意")
	focusEntry(t, w, "评价意见（选填）")
	typeKeys(t, w, "xiexie")
	tapKey(t, w, "谢谢")
	tap(t, w, "提交评价")
	assertShows(t, w, "您的评价：满意（已保存，等待区平台确认）")
	if strings.Contains(screenText(w), "提交评价") {
		t.Error("the rating can be given again")
	}

	ctx := context.Background()
	items, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ratings []wire.RatingBody
	for _, it := range items {
		if it.Kind == wire.ItemRating {
			var r wire.RatingBody
			if err := json.Unmarshal(it.Body, &r); err != nil {
				t.Fatal(err)
			}
			ratings = append(ratings, r)
		}
	}
	if len(ratings) != 1 || ratings[0] != (wire.RatingBody{Case: done.ID, Rating: data.RatingSatisfied, Comment: "谢谢"}) {
		t.Fatalf("rating items %+v", ratings)
	}
	// Tracked again, the rating shows as waiting and cannot be given twice.
	tap(t, w, "首页")
	trackBy(t, w, done.Ref, "5678")
	assertShows(t, w, "您的评价：满意（已保存，等待区平台确认）")
}

// sampleTimeline is a disclosure request's timeline: extended and in
// progress, or replied and completed (to be rated).
func sampleTimeline(t testing.TB, completed bool) trackResult {
	t.Helper()
	recv := testNow.Add(-30 * 24 * time.Hour)
	c := data.Case{ID: "case-sample", Ref: "007-0AB-01X", Kind: data.CaseDisclosure, Status: data.StatusExtended,
		SubmittedAt: recv.Add(-time.Hour), Deadline: data.MustDate("2026-12-22"),
		History: []data.Transition{
			{From: data.StatusSubmitted, To: data.StatusReceived, At: recv},
			{From: data.StatusReceived, To: data.StatusExtended, At: recv.Add(15 * 24 * time.Hour), Reason: "所申请信息涉及第三方权益，需书面征求第三方意见"},
		}}
	if completed {
		c.Status = data.StatusCompleted
		c.History = append(c.History,
			data.Transition{From: data.StatusExtended, To: data.StatusReplied, At: testNow.Add(-24 * time.Hour), Reason: "见答复"},
			data.Transition{From: data.StatusReplied, To: data.StatusCompleted, At: testNow.Add(-23 * time.Hour), Reason: "已答复"})
		c.Reply = &data.Reply{Type: data.ReplyDisclosed, Text: "您申请的六运小区微改造工程预算表予以公开，已按您选择的方式邮寄。", At: testNow.Add(-24 * time.Hour)}
	}
	tl := data.BuildTimeline(c, data.TrackInput{Now: testNow, Calendar: demoCalendar(t), LastSync: testNow.Add(-26 * time.Hour),
		Contact: "张*  138****5678"})
	return trackResult{tl: tl, id: c.ID}
}

// TestReferenceStaysInViewAfterLetters: in 长者模式 the letters layout is
// taller than the reference pad; after 字母 the reference being typed is
// brought back into the strip the keyboard leaves.
func TestReferenceStaysInViewAfterLetters(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{Elder: true})
	tap(t, w, "办件查询")
	focusEntry(t, w, "受理编号")
	tapKey(t, w, "字母")
	var ref *keyboard.Entry
	for _, e := range entries(w) {
		if e.Label == "受理编号" {
			ref = e
		}
	}
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(k.scroll).Y
	y := d.AbsolutePositionForObject(ref).Y
	if y < top || y+ref.Size().Height > top+k.scroll.Size().Height+1 {
		t.Errorf("the reference is at %.0f-%.0f, the view above the keyboard at %.0f-%.0f",
			y, y+ref.Size().Height, top, top+k.scroll.Size().Height)
	}
}

// A case waiting for the resident's correction shows its status in the
// warning colour, not the success green, and no working days left: the
// clock stands still until the corrections arrive.
func TestCorrectionShowsWarningAndNoCountdown(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	res := sampleCorrection(t, k, data.CaseApplication, false)
	openTimeline(k.env, k.tracker, res)
	var bg color.Color
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		st, ok := o.(*fyne.Container)
		if !ok || len(st.Objects) != 2 || bg != nil {
			return
		}
		r, ok := st.Objects[0].(*canvas.Rectangle)
		if !ok {
			return
		}
		walk(st.Objects[1], func(o fyne.CanvasObject) {
			if x, ok := o.(*canvas.Text); ok && strings.TrimSpace(x.Text) == "待补正" {
				bg = r.FillColor
			}
		})
	})
	if bg == nil {
		t.Fatal("no 待补正 badge on the timeline")
	}
	if want := theme.Color(theme.ColorNameWarning); bg != want {
		t.Errorf("the 待补正 badge is %v, want the theme's warning colour %v", bg, want)
	}
	txt := screenText(w)
	if strings.Contains(txt, "还剩") || strings.Contains(txt, "已超期") || strings.Contains(txt, "今天到期") {
		t.Errorf("a case waiting for correction shows a countdown:\n%s", txt)
	}
	assertShows(t, w, "暂停计时：请您按要求提交补正；区县收到补正之日起重新计算办理时限。")

	// In progress again, the days count.
	openTimeline(k.env, k.tracker, sampleTimeline(t, false))
	assertShows(t, w, "个工作日")
}

// The keyboard's enter key goes on from the reference to the four digits
// (it says 下一项), and in the four digits runs the query (确定), as 查询
// does: the reference alone typed, a resident who presses it is not left
// waiting.
func TestTrackEnterKeyMovesOnThenQueries(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, open, _ := trackCases(t, s)
	tap(t, w, "办件查询")
	typeRef(t, w, open.Ref)
	tapKey(t, w, "下一项")
	kb := keyboardOf(t, w)
	if tg := kb.Target(); tg == nil || tg.Label != "手机号码后四位" || !kb.Visible() {
		t.Fatalf("下一项 in the reference went to %v", tg)
	}
	if f := w.Canvas().Focused(); f != fyne.Focusable(kb.Target()) {
		t.Fatalf("the four digits do not have the focus: %v", f)
	}
	typeDigits(t, w, "1111")
	tapKey(t, w, "确定")
	assertShows(t, w, "办件进度", "已派单", "李*  139****1111")
}

// TestTimelineStepsReadAsSteps: each step of the history shows its name
// and its time on one line, with its reason under them.
func TestTimelineStepsReadAsSteps(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	res := sampleCorrection(t, k, data.CaseApplication, false)
	openTimeline(k.env, k.tracker, res)
	d := fyne.CurrentApp().Driver()
	at := map[string][]fyne.Position{}
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		switch l := o.(type) {
		case *widget.Label:
			at[l.Text] = append(at[l.Text], d.AbsolutePositionForObject(l))
		case *wrapLabel:
			at[l.Text] = append(at[l.Text], d.AbsolutePositionForObject(l))
		}
	})
	var corr data.TimelineEvent
	for _, ev := range res.tl.Events {
		if ev.Status == data.StatusCorrection {
			corr = ev
		}
	}
	step, when := data.StatusCorrection.Label(data.ZH), k.moment(corr.At)
	if len(at[when]) != 1 {
		t.Fatalf("the time %q shows %d times", when, len(at[when]))
	}
	line := at[when][0]
	onLine, under := false, false
	for _, p := range at[step] {
		onLine = onLine || (p.Y == line.Y && p.X < line.X)
	}
	for _, p := range at[corr.Reason] {
		under = under || p.Y > line.Y
	}
	if !onLine {
		t.Errorf("the time %q is not on the line of its step %q: %v and %v", when, step, line, at[step])
	}
	if !under {
		t.Errorf("the reason %q is not under its step's line at y=%.0f: %v", corr.Reason, line.Y, at[corr.Reason])
	}
}

// fakeDistrict stands in for the district's lookup (the sync agent).
type fakeDistrict struct {
	online bool
	tl     data.Timeline
	err    error
	asked  []string
}

func (f *fakeDistrict) Online() bool { return f.online }

func (f *fakeDistrict) DistrictTimeline(_ context.Context, ref, phone4 string, _ time.Time, _ data.Lang) (data.Timeline, error) {
	f.asked = append(f.asked, ref)
	return f.tl, f.err
}

// A case the kiosk does not hold: online, the kiosk asks the district and
// shows its timeline (without a way to rate it here); a no-match from the
// district reads as the kiosk's own; offline, it says the case may have
// been filed elsewhere and to try when online.
func TestTrackAsksTheDistrict(t *testing.T) {
	elsewhere, _ := data.NewReference(3, testNow, 5)
	tl := data.Timeline{Ref: elsewhere, Kind: data.CaseAppeal, Status: data.StatusCompleted, Contact: "王*  137****2222",
		Events:  []data.TimelineEvent{{Status: data.StatusReplied, At: testNow.Add(-time.Hour), Reason: "已安排保洁"}},
		CanRate: true, Now: testNow}
	fd := &fakeDistrict{online: true, tl: tl}
	_, w, s := newAppealKiosk(t, Options{District: fd})
	trackCases(t, s)
	trackBy(t, w, elsewhere, "2222")
	assertShows(t, w, "办件进度", "已办结", "已安排保洁", "王*  137****2222", "此件不是在本机办理的")
	if txt := screenText(w); strings.Contains(txt, "我要评价") || strings.Contains(txt, "可能尚未同步") {
		t.Errorf("the district's case offers a rating here or says it may be stale:\n%s", txt)
	}
	if len(fd.asked) != 1 {
		t.Fatalf("the district was asked %d times", len(fd.asked))
	}

	fd.err = store.ErrTrackNoMatch
	tap(t, w, "首页")
	trackBy(t, w, elsewhere, "2223")
	assertShows(t, w, "没有找到此受理编号的办件，或手机号码后四位不符。")

	fd.online = false
	tap(t, w, "首页")
	trackBy(t, w, elsewhere, "2222")
	assertShows(t, w, "办件可能是在其他自助机或街道网站办理的")
	if len(fd.asked) != 2 {
		t.Fatalf("the district was asked while offline (%d)", len(fd.asked))
	}
}

// A receipt's QR code opens the street website's tracking form when the
// district gave the street a website; without one the receipt has no
// code to scan and says to track the case at a kiosk.
func TestReceiptTrackURL(t *testing.T) {
	ref, _ := data.NewReference(7, testNow, 3)
	c := data.Case{Ref: ref, Kind: data.CaseAppeal, AppealType: data.AppealComplaint}
	st := data.Street{Code: "440106005", Name: "天河南街道", Website: "https://jiezhen.example.gov.cn/s/440106005/"}
	r := NewReceipt(data.ZH, c, nil, st)
	if want := "https://jiezhen.example.gov.cn/s/440106005/track?ref=" + data.FormatReference(ref); r.TrackURL != want || !strings.Contains(r.Keep, "扫码") {
		t.Fatalf("with a website: %q %q, want %q", r.TrackURL, r.Keep, want)
	}
	st.Website = ""
	if r := NewReceipt(data.ZH, c, nil, st); r.TrackURL != "" || !strings.Contains(r.Keep, "任一台自助机") {
		t.Fatalf("without a website: %q %q", r.TrackURL, r.Keep)
	}
}
