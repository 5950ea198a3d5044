package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"jiezhen/data"
	kioskTheme "jiezhen/ui/theme"
)

// Touch input and read-aloud (issue 8), through the whole kiosk: the
// resident only taps, on the screens and on the on-screen keyboard.

// focusFirstEntry touches the first entry on screen, as a finger would:
// Fyne's entry takes the focus on the mouse-down, which test.Tap does not
// send, so the canvas is asked directly.
func focusFirstEntry(t *testing.T, w fyne.Window) {
	t.Helper()
	e := firstEntry(t, w)
	w.Canvas().Focus(e)
	if !keyboardOf(t, w).Visible() {
		t.Fatal("touching an entry did not bring up the keyboard")
	}
}

func TestSearchTypedInPinyinOnTheKeyboard(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	kb := keyboardOf(t, w)
	if kb.Visible() {
		t.Fatal("the keyboard is up before any entry has the focus")
	}
	focusFirstEntry(t, w)
	typeKeys(t, w, "banshi")
	if got := kb.Preedit(); got != "banshi" {
		t.Fatalf("letters waiting %q, want banshi", got)
	}
	tapKey(t, w, "办事") // the first candidate
	if got := firstEntry(t, w).Text; got != "办事" {
		t.Fatalf("search box %q after tapping 办事, want 办事", got)
	}
	tapKey(t, w, "确定") // the enter key of a search box
	if len(k.stack) != 1 {
		t.Fatalf("确定 did not open the results: %d screens", len(k.stack))
	}
	assertShows(t, w, "搜索结果", "通知公告（")
	if kb.Visible() || kb.Target() != nil {
		t.Error("the keyboard stayed up over the results")
	}
	if got := firstEntry(t, w).Text; got != "办事" {
		t.Errorf("the results' search box shows %q", got)
	}

	// A second search from the results screen's own box, with 空格 taking
	// the first candidate and the 搜索 button.
	focusFirstEntry(t, w)
	tapKey(t, w, "清空")
	typeKeys(t, w, "jumin")
	tapKey(t, w, "空格")
	got := firstEntry(t, w).Text
	if got == "" || strings.ContainsAny(got, "jumin") {
		t.Fatalf("空格 committed %q for jumin", got)
	}
	t.Logf("jumin: %s", got)
	tap(t, w, "搜索")
	assertShows(t, w, "搜索结果")
	if kb.Visible() {
		t.Error("the keyboard stayed up after 搜索")
	}
}

// TestSubmitOnResultsClosesKeyboard: 确定 in the results screen's own
// search box searches again in place and closes the keyboard, so that
// the new results show rather than stay under it.
func TestSubmitOnResultsClosesKeyboard(t *testing.T) {
	for _, kinds := range [][]data.Kind{nil, {data.KindNotice}} {
		k, w, _ := newTestKiosk(t, Options{})
		openSearch(k.env, k.src, "长者", kinds)
		focusFirstEntry(t, w)
		tapKey(t, w, "清空")
		typeKeys(t, w, "jiedao")
		tapKey(t, w, "确定")
		kb := keyboardOf(t, w)
		if kb.Visible() || kb.Target() != nil {
			t.Errorf("kinds %v: the keyboard stayed up over the results after 确定", kinds)
		}
		if got := firstEntry(t, w).Text; got != "街道" {
			t.Errorf("kinds %v: searched for %q, want 街道", kinds, got)
		}
		assertShows(t, w, "街道")
	}
}

// 搜索 beside a search box takes the letters not yet converted with them,
// on home, on the results and above a list.
func TestSearchButtonConvertsPendingPinyin(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	for _, screen := range []string{"home", "results", "list"} {
		t.Run(screen, func(t *testing.T) {
			switch screen {
			case "results":
				openSearch(k.env, k.src, "长者", nil)
			case "list":
				openCatalog(k.env, k.src)
			}
			focusFirstEntry(t, w)
			tapKey(t, w, "清空")
			typeKeys(t, w, "banshi")
			w.Canvas().Unfocus() // what a tap on the button does first
			tap(t, w, "搜索")
			assertShows(t, w, "搜索结果")
			if got := firstEntry(t, w).Text; got != "办事" {
				t.Errorf("searched for %q, want 办事", got)
			}
			tap(t, w, "首页")
		})
	}
}

func TestKeyboardHidesWhenTheScreenChanges(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	kb := keyboardOf(t, w)
	for _, leave := range []string{"返回", "首页", "完成 / 退出"} {
		t.Run(leave, func(t *testing.T) {
			tap(t, w, "通知公告")
			focusFirstEntry(t, w)
			typeKeys(t, w, "ting")
			if leave == "完成 / 退出" {
				// The footer steps aside while the keyboard is up: what
				// its 完成 / 退出 runs, as the idle guard does.
				k.Reset()
			} else {
				tap(t, w, leave)
			}
			if len(k.stack) != 0 {
				t.Fatalf("%s left %d screens", leave, len(k.stack))
			}
			if kb.Visible() || kb.Target() != nil || kb.Preedit() != "" || w.Canvas().Focused() != nil {
				t.Errorf("after %s: keyboard up %v, target %v, letters %q, focus %T",
					leave, kb.Visible(), kb.Target(), kb.Preedit(), w.Canvas().Focused())
			}
		})
	}
	// 收起 hides it on the spot.
	focusFirstEntry(t, w)
	tapKey(t, w, "收起")
	if kb.Visible() {
		t.Error("收起 left the keyboard up")
	}
}

func TestKeyboardTapsCountAsActivity(t *testing.T) {
	k, w, clock := newTestKiosk(t, Options{})
	focusFirstEntry(t, w)
	clock.Advance(119 * time.Second)
	// Pinyin letters change nothing in the entry until converted.
	typeKeys(t, w, "yang")
	if !k.lastTouch.Equal(clock.Now()) {
		t.Fatal("tapping keys did not count as activity")
	}
	clock.Advance(2 * time.Second)
	k.Tick()
	if k.overlay.Visible() {
		t.Fatal("the idle warning came up 2 s after typing")
	}
}

func TestIdleResetDismissesKeyboardAndStopsSpeech(t *testing.T) {
	sp := &fakeSpeaker{}
	k, w, clock := newTestKiosk(t, Options{Speaker: sp})
	openSearch(k.env, k.src, "长者", nil)
	tap(t, w, "朗读")
	focusFirstEntry(t, w)
	typeKeys(t, w, "ban")
	if _, speaking := sp.state(); !speaking {
		t.Fatal("not speaking after 朗读")
	}
	clock.Advance(120 * time.Second)
	k.Tick()
	if !k.overlay.Visible() {
		t.Fatal("no idle warning")
	}
	clock.Advance(20 * time.Second)
	k.Tick()
	kb := keyboardOf(t, w)
	if len(k.stack) != 0 || kb.Visible() || kb.Preedit() != "" || kb.Target() != nil {
		t.Fatalf("after the reset: %d screens, keyboard up %v, letters %q", len(k.stack), kb.Visible(), kb.Preedit())
	}
	if _, speaking := sp.state(); speaking {
		t.Fatal("still speaking after the reset")
	}
}

func TestReadAloudNotice(t *testing.T) {
	sp := &fakeSpeaker{}
	k, w, _ := newTestKiosk(t, Options{Speaker: sp})
	tap(t, w, "通知公告")
	openNotice(k.env, k.src, "thn-notice-10")
	read := find(t, w, "朗读").(*tapButton)
	test.Tap(read)
	said, speaking := sp.state()
	if len(said) != 1 || !speaking {
		t.Fatalf("朗读: said %q, speaking %v", said, speaking)
	}
	for _, want := range []string{
		"天河南街长者饭堂（体育东点）开餐公告", // the title
		"天河南街公共服务办公室",        // the publisher
		"地址：体育东路体育东横街12号首层。", // the body
		"长者可堂食，也可预约配送上门。行动不便的独居长者可由社区工作人员协助登记送餐服务。", // its last line
	} {
		if !strings.Contains(said[0], want) {
			t.Errorf("read aloud:\n%s\nwithout %q", said[0], want)
		}
	}
	for _, not := range []string{"上翻", "下翻", "返回", "首页", "朗读"} {
		if strings.Contains(said[0], not) {
			t.Errorf("read aloud the button %q:\n%s", not, said[0])
		}
	}
	if read.Text != "正在朗读，点此停止" {
		t.Fatalf("the button reads %q while speaking, want 正在朗读，点此停止", read.Text)
	}

	test.Tap(read) // 停止
	if _, speaking := sp.state(); speaking || read.Text != "朗读" {
		t.Fatalf("停止: speaking %v, button %q", speaking, read.Text)
	}

	// Speech read to its end gives the button back.
	test.Tap(read)
	sp.finish()
	if read.Text != "朗读" {
		t.Fatalf("button %q after the speech ended", read.Text)
	}

	// Leaving the screen silences it.
	test.Tap(read)
	tap(t, w, "返回")
	if _, speaking := sp.state(); speaking {
		t.Fatal("still reading the notice after 返回")
	}
	assertShows(t, w, "第 1 / ")
}

// Every detail screen and the search results have 朗读, reading what the
// screen shows; lists and home do not.
func TestReadAloudOnEveryDetailScreen(t *testing.T) {
	cases := []struct {
		journey string
		want    string // a text the screen shows
	}{
		{"notice", "开餐公告"},
		{"catalog_entry", "索引号"},
		{"service", "受理条件"},
		{"provider", "营业时间"},
		{"consultation_closed", "意见采纳情况"},
		{"search", "搜索结果"},
		{"search_kind", "便民服务"},
		{"soon", "本机暂未开通此项服务"},
	}
	byName := map[string]func(testing.TB, *Kiosk){}
	for _, j := range journeys {
		byName[j.name] = j.open
	}
	for _, c := range cases {
		t.Run(c.journey, func(t *testing.T) {
			sp := &fakeSpeaker{}
			k, w, _ := newTestKiosk(t, Options{Speaker: sp})
			byName[c.journey](t, k)
			tap(t, w, "朗读")
			said, _ := sp.state()
			if len(said) != 1 || len(said[0]) < 20 {
				t.Fatalf("said %q", said)
			}
			if c.journey != "search" && c.journey != "search_kind" && !strings.Contains(said[0], c.want) {
				t.Errorf("read aloud:\n%s\nwithout %q", said[0], c.want)
			}
		})
	}
	for _, name := range []string{"home", "notices", "providers", "service_categories"} {
		t.Run(name, func(t *testing.T) {
			k, w, _ := newTestKiosk(t, Options{Speaker: &fakeSpeaker{}})
			byName[name](t, k)
			if strings.Contains(screenText(w), "朗读") {
				t.Error("a list or home has 朗读")
			}
		})
	}
}

// Without espeak-ng the kiosk has no speaker and no 朗读 anywhere.
func TestNoReadButtonWithoutSpeaker(t *testing.T) {
	for _, j := range journeys {
		k, w, _ := newTestKiosk(t, Options{})
		j.open(t, k)
		if strings.Contains(screenText(w), "朗读") {
			t.Errorf("%s shows 朗读 with no speaker", j.name)
		}
	}
}

// The search results read their hits: the title and snippet of each card.
func TestReadAloudSearchResults(t *testing.T) {
	sp := &fakeSpeaker{}
	k, w, _ := newTestKiosk(t, Options{Speaker: sp})
	openSearch(k.env, k.src, "长者饭堂", nil)
	tap(t, w, "朗读")
	said, _ := sp.state()
	cards := allCards(w)
	if len(cards) == 0 || len(said) != 1 {
		t.Fatalf("%d hits, said %q", len(cards), said)
	}
	for _, c := range cards[:2] {
		if !strings.Contains(said[0], c.label) {
			t.Errorf("read aloud:\n%s\nwithout the hit %q", said[0], c.label)
		}
	}
}

// In 长者模式 touching a field reads its label; in the normal mode it does
// not. Switching to 长者模式 enlarges the keys.
func TestElderModeReadsFieldLabels(t *testing.T) {
	sp := &fakeSpeaker{}
	_, w, _ := newTestKiosk(t, Options{Speaker: sp})
	focusFirstEntry(t, w)
	if said, _ := sp.state(); len(said) != 0 {
		t.Fatalf("the normal mode read %q", said)
	}
	tapKey(t, w, "收起") // the footer steps aside while the keyboard is up
	tap(t, w, "长者模式")
	focusFirstEntry(t, w)
	said, _ := sp.state()
	if len(said) != 1 || said[0] != "请输入关键词，如：长者饭堂" {
		t.Fatalf("touching the search box in 长者模式 read %q", said)
	}
	min := kioskTheme.MinTarget(true)
	n := 0
	walkTappables(w, func(o fyne.CanvasObject, name string) {
		if !strings.Contains(typeName(o), "keyboard.key") {
			return
		}
		n++
		if s := o.Size(); s.Width < min || s.Height < min {
			t.Errorf("key %.0fx%.0f after switching to 长者模式", s.Width, s.Height)
		}
	})
	if n < 40 {
		t.Fatalf("%d keys on screen", n)
	}
}
