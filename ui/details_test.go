package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// assertNotShown fails if any of not is visible.
func assertNotShown(t testing.TB, w fyne.Window, not ...string) {
	t.Helper()
	got := screenText(w)
	for _, s := range not {
		if strings.Contains(got, s) {
			t.Errorf("screen shows %q; it shows:\n%s", s, got)
		}
	}
}

// The home search box is empty when home comes back, whichever way.
func TestHomeSearchEmptyWhenHomeComesBack(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	for _, leave := range []string{"首页", "返回"} {
		t.Run(leave, func(t *testing.T) {
			firstEntry(t, w).SetText("长者")
			tap(t, w, "搜索")
			assertShows(t, w, "搜索结果")
			tap(t, w, leave)
			if len(k.stack) != 0 {
				t.Fatalf("%s left %d screens", leave, len(k.stack))
			}
			if got := firstEntry(t, w).Text; got != "" {
				t.Errorf("after %s the home search box holds %q", leave, got)
			}
		})
	}
	// Text typed on home stays while home is only rebuilt.
	firstEntry(t, w).SetText("长者")
	tap(t, w, "English")
	if got := firstEntry(t, w).Text; got != "长者" {
		t.Errorf("a language change emptied the home search box: %q", got)
	}
}

// addCatalogEntry puts c into s's content through the feed.
func addCatalogEntry(t testing.TB, s *store.Store, c data.CatalogEntry) {
	t.Helper()
	ctx := context.Background()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	ch := data.Change{Seq: cursor + 1, Kind: data.KindCatalog, ID: c.ID, Op: data.OpUpsert, Version: 1, Body: b}
	if _, err := s.Apply(ctx, store.ContentFeed, []data.Change{ch}, cursor+1); err != nil {
		t.Fatal(err)
	}
}

// 申请公开此信息 is not offered on an entry already published
// (TestDisclosureFromCatalogEntry: one disclosed on request has it).
func TestDisclosureNotOfferedWhenPublic(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	openCatalogEntry(k.env, k.src, "cat-gz-2012-16") // 主动公开
	assertShows(t, w, "印发2012年广州市政务公开工作要点的通知")
	assertNotShown(t, w, "申请公开此信息")
}

// 我要申报 offers no enforcement item: 占道经营查处 is reported, not
// applied for.
func TestApplyOffersNoEnforcement(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	tap(t, w, "我要申报")
	assertShows(t, w, "审批服务", "社会管理", "公共服务")
	assertNotShown(t, w, "行政执法")

	openService(k.env, k.src, "svc-zhandao-jingying")
	assertShows(t, w, "占道经营查处")
	assertNotShown(t, w, "在线申报", "本机可办")
	tap(t, w, "我要反映")
	assertShows(t, w, "反映类型")

	// Under 办事指南 the enforcement list marks nothing as applied for here.
	k.goHome()
	openServiceList(k.env, k.src, data.PowerEnforcement, false)
	assertShows(t, w, "占道经营查处")
	assertNotShown(t, w, "本机可办")
}

// A chosen tile is green, never the red of errors and primary buttons.
func TestChosenTileIsNotRed(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	tap(t, w, "我要反映")
	tap(t, w, data.AppealComplaint.Label(data.ZH))
	b := find(t, w, data.AppealComplaint.Label(data.ZH)).(*tapButton)
	if b.Importance != widget.SuccessImportance {
		t.Errorf("the chosen tile has importance %v, want success", b.Importance)
	}
	th := k.app.Settings().Theme()
	green := th.Color("success", 0)
	for _, red := range []fyne.ThemeColorName{"primary", "error"} {
		if th.Color(red, 0) == green {
			t.Errorf("the chosen colour is the %s colour", red)
		}
	}
}

// The timeline names what the case is about: the service item of an
// application, the type and category of an appeal.
func TestTimelineNamesTheSubject(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, open, _ := trackCases(t, s)
	trackBy(t, w, open.Ref, "1111")
	assertShows(t, w, "诉求 · 投诉 · 噪音扰民  "+data.FormatReference(open.Ref))

	app := fileAsKiosk7(t, s, data.Case{ID: "case-app", Kind: data.CaseApplication, Service: "svc-laoren-youdai",
		Applicant: &data.Person{Name: "王五", Mobile: "13700002222"}, Deadline: data.MustDate("2026-12-10")},
		testNow.Add(-time.Hour), 4)
	tap(t, w, "首页")
	trackBy(t, w, app.Ref, "2222")
	assertShows(t, w, "办事申请 · 老年人优待证办理  "+data.FormatReference(app.Ref))
}

// 朗读 says on screen that it is reading, and its stop stops it.
func TestReadAloudShowsItSpeaks(t *testing.T) {
	sp := &fakeSpeaker{}
	k, w, _ := newTestKiosk(t, Options{Speaker: sp})
	openNotice(k.env, k.src, "thn-notice-10")
	assertNotShown(t, w, "正在朗读")
	tap(t, w, "朗读")
	tap(t, w, "正在朗读，点此停止")
	if _, speaking := sp.state(); speaking {
		t.Fatal("正在朗读，点此停止 did not stop the speech")
	}
	assertNotShown(t, w, "正在朗读")
	tap(t, w, "朗读")
	sp.finish()
	assertNotShown(t, w, "正在朗读")
}

// overlayButton returns the button labelled label on the window's top
// overlay (a pop-up), or nil.
func overlayButton(w fyne.Window, label string) *tapButton {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	var found *tapButton
	walk(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*tapButton); ok && b.Text == label && found == nil {
			found = b
		}
	})
	return found
}

// 完成/退出 asks before it throws away a half-filled form, and only then.
func TestFinishAsksBeforeDiscardingAForm(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	// Nothing given yet: straight home.
	tap(t, w, "我要反映")
	tap(t, w, "完成 / 退出")
	if len(k.stack) != 0 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("an empty form: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
	}

	tap(t, w, "我要反映")
	tap(t, w, data.AppealComplaint.Label(data.ZH))
	tap(t, w, "完成 / 退出")
	stay := overlayButton(w, "继续填写")
	if stay == nil || len(k.stack) != 1 {
		t.Fatalf("a half-filled form: no question (stack %d)", len(k.stack))
	}
	if overlayButton(w, "清除并退出") == nil {
		t.Fatal("the question has no 清除并退出")
	}
	test.Tap(stay)
	if len(k.stack) != 1 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("继续填写: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
	}
	if b := find(t, w, data.AppealComplaint.Label(data.ZH)).(*tapButton); b.Importance != widget.SuccessImportance {
		t.Error("继续填写 lost the choice")
	}
	tap(t, w, "完成 / 退出")
	test.Tap(overlayButton(w, "清除并退出"))
	if len(k.stack) != 0 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("清除并退出: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
	}

	// A letter typed into an application is enough; the idle reset takes
	// the question away with the form.
	openApplication(k.env, k.cases, mustService(t, k, "svc-laoren-youdai"))
	focusEntry(t, w, "申请人姓名")
	typeKeys(t, w, "li")
	tapKey(t, w, "李")
	tapKey(t, w, "收起") // the footer steps aside while the keyboard is up
	tap(t, w, "完成 / 退出")
	if overlayButton(w, "继续填写") == nil {
		t.Fatal("a typed name: no question")
	}
	k.Reset()
	if len(k.stack) != 0 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("the reset: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
	}
}

// 首页 and 返回 ask before they throw away a half-filled form, with
// 完成/退出's question; 清除并退出 then goes where the button goes (返回 one
// screen back, 首页 home). A screen without answers goes at once, and so
// does one above a form, which 返回 leaves alone.
func TestHomeAndBackAskBeforeDiscardingAForm(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	kb := keyboardOf(t, w)
	for _, leave := range []string{"首页", "返回"} {
		t.Run(leave, func(t *testing.T) {
			// Nothing given yet: no question.
			tap(t, w, "我要反映")
			tap(t, w, leave)
			if len(k.stack) != 0 || w.Canvas().Overlays().Top() != nil {
				t.Fatalf("an empty form: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
			}

			tap(t, w, "我要反映")
			tap(t, w, data.AppealComplaint.Label(data.ZH))
			tap(t, w, leave)
			stay := overlayButton(w, "继续填写")
			if stay == nil || len(k.stack) != 1 {
				t.Fatalf("a half-filled form: no question (stack %d)", len(k.stack))
			}
			if overlayButton(w, "清除并退出") == nil {
				t.Fatal("the question has no 清除并退出")
			}
			test.Tap(stay)
			if len(k.stack) != 1 || w.Canvas().Overlays().Top() != nil {
				t.Fatalf("继续填写: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
			}
			if b := find(t, w, data.AppealComplaint.Label(data.ZH)).(*tapButton); b.Importance != widget.SuccessImportance {
				t.Error("继续填写 lost the choice")
			}
			tap(t, w, leave)
			test.Tap(overlayButton(w, "清除并退出"))
			if len(k.stack) != 0 || w.Canvas().Overlays().Top() != nil {
				t.Fatalf("清除并退出: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
			}

			// A letter typed into an application, the keyboard still up
			// (the title bar stays above it): the question comes over the
			// keyboard put away.
			openService(k.env, k.src, "svc-laoren-youdai")
			tap(t, w, "在线申报")
			focusEntry(t, w, "申请人姓名")
			typeKeys(t, w, "li")
			tapKey(t, w, "李")
			tap(t, w, leave)
			if overlayButton(w, "继续填写") == nil || len(k.stack) != 2 {
				t.Fatalf("a typed name: no question (stack %d)", len(k.stack))
			}
			if kb.Visible() {
				t.Error("the keyboard stays up over the question")
			}
			test.Tap(overlayButton(w, "清除并退出"))
			want := map[string]int{"首页": 0, "返回": 1}[leave]
			if len(k.stack) != want || w.Canvas().Overlays().Top() != nil {
				t.Fatalf("清除并退出 from an application: %d screens, want %d; pop-up %v", len(k.stack), want, w.Canvas().Overlays().Top())
			}
			if leave == "返回" {
				assertShows(t, w, "老年人优待证办理", "在线申报")
				tap(t, w, "首页") // the guide holds nothing: home at once
				if len(k.stack) != 0 || w.Canvas().Overlays().Top() != nil {
					t.Fatalf("首页 from the guide: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
				}
			}
		})
	}

	// 返回 from a screen above a half-filled form leaves the form where it
	// was, without asking: only the screens a button drops count.
	tap(t, w, "我要反映")
	tap(t, w, data.AppealComplaint.Label(data.ZH))
	openNotice(k.env, k.src, "thn-notice-10")
	tap(t, w, "返回")
	if len(k.stack) != 1 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("返回 over the form: %d screens, pop-up %v", len(k.stack), w.Canvas().Overlays().Top())
	}
	if b := find(t, w, data.AppealComplaint.Label(data.ZH)).(*tapButton); b.Importance != widget.SuccessImportance {
		t.Error("the form lost its choice")
	}
}

// 完成/退出 is not red, and stands apart from the screen's lowest button
// (在线申报, 立即同步): more than the layouts' padding and the footer's
// rule, 13 pixels (17 in 长者模式), that were between them.
func TestFinishApartFromPrimaryButtons(t *testing.T) {
	for _, elder := range []bool{false, true} {
		t.Run(modeName(elder), func(t *testing.T) {
			k, w, _ := newTestKiosk(t, Options{Elder: elder})
			openService(k.env, k.src, "svc-laoren-youdai")
			finish := find(t, w, "完成 / 退出").(*tapButton)
			if finish.Importance == widget.HighImportance {
				t.Error("完成 / 退出 is a red primary button")
			}
			d := fyne.CurrentApp().Driver()
			// The screen's body ends a padding above the footer.
			bottom := d.AbsolutePositionForObject(k.footer).Y - theme.Padding()
			if gap := d.AbsolutePositionForObject(finish).Y - bottom; gap < 20 {
				t.Errorf("完成 / 退出 is %.0f px under the screen's body", gap)
			}
		})
	}
}

// errorMarks counts the fields marked in the error colour: boxes around
// choices and dates, and entries' borders.
func errorMarks(w fyne.Window) int {
	red := theme.Color(theme.ColorNameError)
	n := 0
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*canvas.Rectangle); ok && r.StrokeWidth > 0 && r.StrokeColor == red {
			n++
		}
	})
	return n
}

// A form's problems show at their fields, all at once, marked, and go
// when the field is fixed; a choice left empty says 请选择.
func TestFormProblemsAtTheirFields(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	st := openReliefForm(t, k, 0, true)
	delete(st.values, "difficulty")
	delete(st.values, "happened_on")
	k.render()
	for i := 0; i < 4 && !strings.Contains(screenText(w), "请选择"); i++ {
		tap(t, w, "下一步")
	}
	assertShows(t, w, "请选择\n", "请按提示修改本页标红的内容")
	if n := errorMarks(w); n != 1 {
		t.Errorf("%d fields marked, want the choice", n)
	}
	tap(t, w, "其他")
	assertNotShown(t, w, "请选择\n")
	if n := errorMarks(w); n != 0 {
		t.Errorf("%d fields marked after choosing", n)
	}
	for i := 0; i < 4 && !strings.Contains(screenText(w), "请选择日期"); i++ {
		tap(t, w, "下一步")
	}
	assertShows(t, w, "请选择日期")
	if n := errorMarks(w); n != 1 {
		t.Errorf("%d fields marked, want the date", n)
	}
}

// The appeal's problems show at their fields, all at once, and go as each
// is fixed.
func TestAppealProblemsAtTheirFields(t *testing.T) {
	_, w, _ := newAppealKiosk(t, Options{})
	tap(t, w, "我要反映")
	tap(t, w, "下一步")
	assertShows(t, w, "请选择反映类型", "请选择事项类别")
	if n := errorMarks(w); n != 2 {
		t.Errorf("%d fields marked, want the type and the category", n)
	}
	tap(t, w, data.AppealComplaint.Label(data.ZH))
	assertNotShown(t, w, "请选择反映类型")
	assertShows(t, w, "请选择事项类别")
	tap(t, w, "噪音扰民")
	assertNotShown(t, w, "请选择事项类别", "请按提示修改")

	tap(t, w, "下一步")
	focusEntry(t, w, "问题描述")
	typeKeys(t, w, "ye")
	tapKey(t, w, "夜")
	tap(t, w, "下一步")
	tap(t, w, "下一步") // neither name nor mobile
	assertShows(t, w, "请填写姓名", "这一项必须填写")
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "li")
	tapKey(t, w, "李")
	assertNotShown(t, w, "请填写姓名")
	assertShows(t, w, "这一项必须填写")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "138")
	assertNotShown(t, w, "这一项必须填写")
	typeDigits(t, w, "12345678")
	assertNotShown(t, w, "请按提示修改")
	if n := errorMarks(w); n != 0 {
		t.Errorf("%d fields still marked", n)
	}
}

// 请输入受理编号 shows at the field and goes once it is typed.
func TestTrackProblemGoesWhenFixed(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	_, open, _ := trackCases(t, s)
	tap(t, w, "办件查询")
	tap(t, w, "查询")
	assertShows(t, w, "请输入受理编号")
	if n := errorMarks(w); n != 1 {
		t.Errorf("%d fields marked, want the reference", n)
	}
	typeRef(t, w, open.Ref)
	assertNotShown(t, w, "请输入受理编号")
	if n := errorMarks(w); n != 0 {
		t.Errorf("%d fields still marked", n)
	}
}
