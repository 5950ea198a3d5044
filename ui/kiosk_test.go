package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
)

func TestHomeTilesOpenTheirScreens(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	cases := []struct {
		tile string
		want []string
	}{
		{"通知公告", []string{"通知公告", "上一页", "下一页", "第 1 / "}},
		{"政府信息公开", []string{"政府信息公开", "第 1 / "}},
		{"办事指南", []string{"审批服务", "行政执法", "社会管理", "公共服务"}},
		{"便民服务", []string{"只看营业中", "分类：全部", "第 1 / "}},
		{"民意征集", []string{"民意征集", "第 1 / 1 页"}},
		{"我要申报", []string{"审批服务", "社会管理", "可在线申报"}},
		{"我要反映", []string{"反映类型", "事项类别", "下一步"}},
		{"办件查询", []string{"受理编号", "手机号码后四位", "查询"}},
	}
	for _, c := range cases {
		t.Run(c.tile, func(t *testing.T) {
			tap(t, w, c.tile)
			assertShows(t, w, c.want...)
			assertShows(t, w, "返回", "首页", "完成 / 退出")
			tap(t, w, "首页")
			if len(k.stack) != 0 {
				t.Fatalf("首页 left %d screens on the stack", len(k.stack))
			}
			assertShows(t, w, "我要申报")
		})
	}
}

func TestPageListOpenDetailAndBack(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	tap(t, w, "便民服务")
	assertShows(t, w, "第 1 / ")
	tap(t, w, "下一页")
	assertShows(t, w, "第 2 / ")
	tap(t, w, "上一页")
	assertShows(t, w, "第 1 / ")

	l := firstList(t, w)
	l.Select(0)
	if len(k.stack) != 2 {
		t.Fatalf("selecting a row: stack has %d screens, want 2", len(k.stack))
	}
	assertShows(t, w, "便民服务详情", "营业时间", "地址")
	tap(t, w, "返回")
	assertShows(t, w, "第 1 / ")
	tap(t, w, "完成 / 退出")
	if len(k.stack) != 0 {
		t.Fatal("完成 / 退出 did not go home")
	}
}

func TestListKeepsPageAcrossDetail(t *testing.T) {
	_, w, _ := newTestKiosk(t, Options{})
	tap(t, w, "便民服务")
	tap(t, w, "下一页")
	firstList(t, w).Select(0)
	tap(t, w, "返回")
	assertShows(t, w, "第 2 / ")
}

func TestProviderFilters(t *testing.T) {
	_, w, _ := newTestKiosk(t, Options{})
	tap(t, w, "便民服务")
	tap(t, w, "只看营业中")
	// Every row shown must carry the 营业中 badge and none 已打烊.
	got := screenText(w)
	if !containsAll(got, "第 1 / ", "营业中") || strings.Contains(got, "已打烊") {
		t.Fatalf("open-now filter shows:\n%s", got)
	}
	tap(t, w, "分类：全部")
	assertShows(t, w, "选择分类", "全部")
	tap(t, w, "长者饭堂")
	assertShows(t, w, "分类：长者饭堂")
}

func TestSearchFromHomeGroupsAndOpens(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	test.Type(firstEntry(t, w), "长者")
	tap(t, w, "搜索")
	assertShows(t, w, "搜索结果")
	if !containsAll(screenText(w), "便民服务（") {
		t.Fatalf("no provider group in results:\n%s", screenText(w))
	}
	// Open the first hit, then go back to the results and home.
	cards := allCards(w)
	if len(cards) == 0 {
		t.Fatal("no hits shown")
	}
	test.Tap(cards[0])
	if len(k.stack) != 2 {
		t.Fatalf("opening a hit: %d screens, want 2", len(k.stack))
	}
	tap(t, w, "返回")
	tap(t, w, "首页")
	assertShows(t, w, "通知公告")
}

func TestSearchWithinList(t *testing.T) {
	_, w, _ := newTestKiosk(t, Options{})
	tap(t, w, "政府信息公开")
	test.Type(firstEntry(t, w), "电子政务")
	tap(t, w, "搜索")
	assertShows(t, w, "搜索结果 · 政府信息公开", "第 1 / ")
}

func TestIdleResetClearsTypedSearch(t *testing.T) {
	k, w, clock := newTestKiosk(t, Options{IdleAfter: 120 * time.Second, IdleWarn: 20 * time.Second})
	test.Type(firstEntry(t, w), "养老")
	tap(t, w, "通知公告")
	w.Canvas().Focus(firstEntry(t, w))

	clock.Advance(119 * time.Second)
	k.Tick()
	if k.overlay.Visible() {
		t.Fatal("warning shown before 120 s")
	}
	clock.Advance(time.Second)
	k.Tick()
	if !k.overlay.Visible() {
		t.Fatal("no warning at 120 s")
	}
	assertShows(t, w, "20 秒后将清除本次操作并返回首页", "继续使用")

	// 继续使用 keeps the session.
	tap(t, w, "继续使用")
	if k.overlay.Visible() || len(k.stack) != 1 {
		t.Fatal("继续使用 did not keep the session")
	}

	clock.Advance(125 * time.Second)
	k.Tick()
	assertShows(t, w, "15 秒后")
	clock.Advance(15 * time.Second)
	k.Tick()
	if k.overlay.Visible() || len(k.stack) != 0 {
		t.Fatalf("after the countdown: overlay %v, %d screens", k.overlay.Visible(), len(k.stack))
	}
	if got := firstEntry(t, w).Text; got != "" {
		t.Fatalf("search text %q survived the reset", got)
	}
	if f := w.Canvas().Focused(); f != nil {
		t.Fatalf("%T still has the keyboard after the reset", f)
	}
	// A pristine home does not warn again.
	clock.Advance(10 * time.Minute)
	k.Tick()
	if k.overlay.Visible() {
		t.Fatal("warning on an untouched home")
	}
}

func TestLanguageToggleChangesTiles(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	assertShows(t, w, "通知公告", "办事指南")
	tap(t, w, "English")
	if k.lang != data.EN {
		t.Fatal("language did not change")
	}
	assertShows(t, w, "Notices", "Service guides", "Apply", "Done / Exit", "中文")
	tap(t, w, "中文")
	assertShows(t, w, "通知公告")
	tap(t, w, "English")
	tap(t, w, "Done / Exit")
	assertShows(t, w, "通知公告")
}

func TestElderToggleEnlarges(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	before := find(t, w, "搜索").(*tapButton).MinSize()
	tap(t, w, "长者模式")
	if !k.theme.Elder || !k.elder {
		t.Fatal("长者模式 did not switch the theme")
	}
	after := find(t, w, "搜索").(*tapButton).MinSize()
	if after.Height <= before.Height || after.Height < 60 {
		t.Fatalf("search button %v in elder mode, %v before", after, before)
	}
	// The next resident starts in the normal mode.
	tap(t, w, "完成 / 退出")
	if k.theme.Elder {
		t.Fatal("完成 / 退出 kept 长者模式")
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func allCards(w fyne.Window) []*tapCard {
	var out []*tapCard
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if c, ok := o.(*tapCard); ok {
			out = append(out, c)
		}
	})
	return out
}

func TestHighlight(t *testing.T) {
	text := "天河南街长者饭堂开餐"
	segs := highlight(text, [][2]int{{12, 24}, {13, 20}, {27, 99}, {1, 3}}, false)
	var got []string
	for _, s := range segs {
		ts := s.(*widget.TextSegment)
		mark := ""
		if ts.Style.ColorName == theme.ColorNamePrimary && ts.Style.TextStyle.Bold {
			mark = "*"
		}
		got = append(got, mark+ts.Text)
	}
	// The overlapping, out-of-range and mid-character ranges are skipped.
	want := []string{"天河南街", "*长者饭堂", "开餐"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("segments %q, want %q", got, want)
	}
	if r := termRanges("长者饭堂 长者", "长者 饭堂"); len(r) != 2 || r[0] != [2]int{0, 12} {
		t.Fatalf("termRanges = %v", r)
	}
}

func TestConsultationStates(t *testing.T) {
	k, _, clock := newTestKiosk(t, Options{})
	opens, closes := data.MustDate("2026-11-20"), data.MustDate("2026-11-30")
	for _, c := range []struct {
		day  string
		want string
	}{{"2026-11-19", "未开始"}, {"2026-11-20", "征集中"}, {"2026-11-30", "征集中"}, {"2026-12-01", "已结束"}} {
		clock.t = data.MustDate(c.day).Time(testNow.Location()).Add(12 * time.Hour)
		if got, _ := k.consultationState(opens, closes); got != c.want {
			t.Errorf("%s: %s, want %s", c.day, got, c.want)
		}
	}
}

func TestClosedConsultationShowsFeedback(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	openConsultation(k.env, k.src, "zj-2026-02")
	assertShows(t, w, "已结束", "意见采纳情况", "理由", "征求意见稿")
}

func TestServiceGuideSections(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	openService(k.env, k.src, "svc-laoren-youdai")
	assertShows(t, w, "基本信息", "受理条件", "申请材料", "办理流程", "办结时限", "收费", "办理地点和时间", "咨询 / 投诉电话", "扫码在手机上查看")
}

func TestPointerMovementCountsAsActivity(t *testing.T) {
	k, w, clock := newTestKiosk(t, Options{})
	tap(t, w, "通知公告")
	clock.Advance(121 * time.Second)
	k.Tick()
	if !k.overlay.Visible() {
		t.Fatal("no warning")
	}
	// The window appearing under a resting pointer is not activity.
	test.MoveMouse(w.Canvas(), fyne.NewPos(300, 300))
	if !k.overlay.Visible() {
		t.Fatal("a pointer entering the window dismissed the warning")
	}
	// A touchscreen moves the pointer before it taps: that alone keeps the
	// session, wherever it lands.
	test.MoveMouse(w.Canvas(), fyne.NewPos(700, 420))
	if k.overlay.Visible() || !k.lastTouch.Equal(clock.Now()) {
		t.Fatal("pointer movement did not count as activity")
	}
}

func TestHeaderClockAndSyncState(t *testing.T) {
	last := testNow.Add(-time.Hour)
	k, w, clock := newTestKiosk(t, Options{Sync: fakeSync{online: true, last: &last, waiting: 3}})
	assertShows(t, w, "2026年11月25日 星期三 10:30", "在线", "上次同步：11-25 09:30　待发送：3 项")
	clock.Advance(2 * time.Minute)
	k.Tick()
	assertShows(t, w, "10:32")
}

// TestHeaderShowsChinaTimeOnAUTCClock: a kiosk whose system clock is in
// UTC still shows the date and time of the street, in China time.
func TestHeaderShowsChinaTimeOnAUTCClock(t *testing.T) {
	k, w, clock := newTestKiosk(t, Options{})
	clock.t = time.Date(2026, 11, 25, 17, 5, 0, 0, time.UTC) // 01:05 on the 26th in China
	k.Tick()
	assertShows(t, w, "2026年11月26日 星期四 01:05")
}

func TestStoreSyncStatusBeforeSyncExists(t *testing.T) {
	online, last, waiting := StoreSyncStatus{Store: openDemo(t)}.SyncStatus()
	if online || last != nil || waiting != 0 {
		t.Fatalf("got online=%v last=%v waiting=%d, want offline, never synced, nothing waiting", online, last, waiting)
	}
}

// changingSync reports a new last sync time once moved is set.
type changingSync struct {
	last  time.Time
	moved *bool
}

func (c changingSync) SyncStatus() (bool, *time.Time, int) {
	t := c.last
	if *c.moved {
		t = t.Add(time.Minute)
	}
	return true, &t, 0
}

func TestUntouchedHomeFollowsSync(t *testing.T) {
	moved := false
	k, w, _ := newTestKiosk(t, Options{Sync: changingSync{last: testNow, moved: &moved}})
	before := k.root.Objects[0]
	moved = true
	for range 5 {
		k.Tick()
	}
	if k.root.Objects[0] == before {
		t.Fatal("home was not rebuilt after a sync")
	}
	assertShows(t, w, "上次同步：11-25 10:31")

	// A screen in use is left alone.
	tap(t, w, "通知公告")
	before = k.root.Objects[0]
	moved = false
	for range 5 {
		k.Tick()
	}
	if k.root.Objects[0] != before {
		t.Fatal("a screen in use was rebuilt by a sync")
	}
}

// TestSearchAnswersFirst: for 长者饭堂 the canteens' group comes first, and
// a canteen's snippet is its address, phone and hours, labelled.
func TestSearchAnswersFirst(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{Speaker: &fakeSpeaker{}})
	openSearch(k.env, k.src, "长者饭堂", nil)
	text := screenText(w)
	providers, notices := strings.Index(text, "便民服务（"), strings.Index(text, "通知公告（")
	if providers < 0 || notices < 0 || providers > notices {
		t.Errorf("the providers' group is not before the notices':\n%s", text)
	}
	for _, want := range []string{"地址：天河区体育东路体育东横街12号首层", "电话：020-"} {
		if !strings.Contains(strings.ReplaceAll(text, "\n", ""), want) {
			t.Errorf("the results do not show %q:\n%s", want, text)
		}
	}
}
