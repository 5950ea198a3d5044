package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/pin"
	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/sync/wire"
	"jiezhen/ui/keyboard"
)

// The staff tests run on a store of their own in t.TempDir(), with the
// demo content and two staff accounts of the demo street whose PINs are
// keyed like the district keys them (at a lower argon2id cost), and the
// street's PIN key sealed for the kiosk's token, which the store is given
// as the window gives it: they write.

const (
	testPIN  = "48291637"
	testPIN2 = "73510264"
	// testToken is the kiosk's token the street's PIN key is sealed for.
	testToken = "jzk_1.ui-test-secret"
)

var testPINKey = []byte("ui-test-street-pin-key-32-bytes!")

// staffKiosk is a test kiosk on a fresh store with the staff accounts
// 张敏 (PIN testPIN) and 李建国 (PIN testPIN2).
func staffKiosk(t *testing.T, opt Options) (*Kiosk, fyne.Window, *fakeClock, *store.Store) {
	t.Helper()
	s, err := loadDemo(filepath.Join(t.TempDir(), "kiosk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	var changes []data.Change
	for i, a := range []struct{ id, name, pin string }{{"staff-zm", "张敏", testPIN}, {"staff-ljg", "李建国", testPIN2}} {
		body, err := json.Marshal(data.Staff{ID: a.id, Street: "440106005", Name: a.name, Role: data.RoleStaff, PINHash: hashTestPIN(t, a.pin)})
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, data.Change{Seq: cursor + int64(i) + 1, Kind: data.KindStaff, ID: a.id, Op: data.OpUpsert, Version: 1, Body: body})
	}
	if _, err := s.Apply(ctx, store.ContentFeed, changes, cursor+int64(len(changes))); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPINKey(ctx, "440106005", 1, testToken, testPINKey); err != nil {
		t.Fatal(err)
	}
	s.UseToken(testToken)
	k, w, clock := newTestKioskOn(t, s, opt)
	return k, w, clock, s
}

// holdStreetName presses the street's name in the header for d.
func holdStreetName(t *testing.T, w fyne.Window, clock *fakeClock, d time.Duration) {
	t.Helper()
	var lp *longPress
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*longPress); ok && lp == nil {
			lp = x
		}
	})
	if lp == nil {
		t.Fatal("no long-press entry on the street's name")
	}
	lp.MouseDown(&desktop.MouseEvent{})
	clock.Advance(d)
	lp.MouseUp(&desktop.MouseEvent{})
}

// typePIN taps the digits of pin on the PIN pad, then 确定.
func typePIN(t *testing.T, w fyne.Window, pin string) {
	t.Helper()
	for _, d := range pin {
		tap(t, w, string(d))
	}
	tap(t, w, "确定")
}

// signIn goes from home to the staff home as 张敏.
func signIn(t *testing.T, k *Kiosk, w fyne.Window, clock *fakeClock) {
	t.Helper()
	holdStreetName(t, w, clock, StaffHold)
	tap(t, w, "张敏")
	typePIN(t, w, testPIN)
	if k.staff == nil || k.staff.Name != "张敏" {
		t.Fatalf("not signed in; the screen shows:\n%s", screenText(w))
	}
}

func TestStaffSignIn(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})

	// A short touch on the street's name does nothing.
	holdStreetName(t, w, clock, time.Second)
	if len(k.stack) != 0 {
		t.Fatal("a short touch on the street's name opened a screen")
	}
	holdStreetName(t, w, clock, StaffHold)
	assertShows(t, w, "工作人员登录", "请选择您的姓名", "张敏", "李建国")
	tap(t, w, "张敏")
	assertShows(t, w, "张敏，请输入密码")

	// The PIN shows as dots, never as digits.
	for _, d := range testPIN[:3] {
		tap(t, w, string(d))
	}
	assertShows(t, w, "●●●")
	if got := screenText(w); strings.Contains(got, testPIN[:3]) {
		t.Fatalf("the typed digits show on screen:\n%s", got)
	}
	tap(t, w, "清除")
	typePIN(t, w, testPIN)

	if k.staff == nil || k.staff.ID != "staff-zm" {
		t.Fatal("the right PIN did not sign in")
	}
	assertShows(t, w, "工作人员：张敏", "退出", "编辑便民服务", "编辑通知公告", "冲突待处理", "设备状态")

	// 首页 keeps staff mode; the name in the header leads back.
	tap(t, w, "首页")
	assertShows(t, w, "工作人员：张敏")
	tap(t, w, "工作人员：张敏")
	assertShows(t, w, "编辑便民服务")

	tap(t, w, "退出")
	if k.staff != nil || len(k.stack) != 0 {
		t.Fatalf("退出 left staff mode on (%v) or screens open (%d)", k.staff, len(k.stack))
	}
	if strings.Contains(screenText(w), "工作人员：") {
		t.Fatal("the header still shows the staff member after 退出")
	}
	if got := audited(t, s); !strings.Contains(got, "sign_in 张敏") || !strings.Contains(got, "sign_out 张敏 button") {
		t.Fatalf("the sign-in and 退出 are not both audited: %s", got)
	}
}

// audited lists the audit items waiting in the outbox as "action staff
// detail" lines.
func audited(t *testing.T, s *store.Store) string {
	t.Helper()
	items, err := s.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, it := range items {
		if it.Kind != data.ItemAudit {
			continue
		}
		var a data.AuditBody
		if err := json.Unmarshal(it.Body, &a); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.TrimSpace(a.Action+" "+a.Staff+" "+a.Detail) + "\n")
	}
	return b.String()
}

func TestStaffLockOut(t *testing.T) {
	k, w, clock, _ := staffKiosk(t, Options{})
	holdStreetName(t, w, clock, StaffHold)
	tap(t, w, "李建国")
	for left := 4; left >= 1; left-- {
		typePIN(t, w, "00000000")
		assertShows(t, w, "密码不正确，还可以再试 "+string(rune('0'+left))+" 次")
	}
	typePIN(t, w, "00000000") // the fifth
	if got := screenText(w); !strings.Contains(got, "锁定") {
		t.Fatalf("no lock-out after five wrong PINs; the screen shows:\n%s", got)
	}
	// Now even the right PIN is refused, with the time it opens again.
	typePIN(t, w, testPIN2)
	if k.staff != nil {
		t.Fatal("a locked account signed in")
	}
	until := clock.Now().Add(15 * time.Minute).Format("15:04")
	assertShows(t, w, "该账号已锁定，请于 "+until+" 后再试")

	// Another account is not locked.
	tap(t, w, "返回")
	tap(t, w, "张敏")
	typePIN(t, w, testPIN)
	if k.staff == nil {
		t.Fatal("the lock of one account kept another out")
	}
}

func TestStaffEditProviderShowsWaiting(t *testing.T) {
	kicks := 0
	k, w, clock, s := staffKiosk(t, Options{SyncNow: func() { kicks++ }})
	signIn(t, k, w, clock)
	tap(t, w, "编辑便民服务")
	firstList(t, w).Select(0)
	assertShows(t, w, "丝艺美发", "编辑", "撤下")
	tap(t, w, "编辑")

	// A phone number that is none is refused next to the field, and
	// nothing is queued.
	setEntry(t, w, "电话", "abc")
	tap(t, w, "保存")
	assertShows(t, w, "电话号码不对")
	if n := waitingEdits(t, s); n != 0 {
		t.Fatalf("%d edits queued after a refused form", n)
	}
	setEntry(t, w, "电话", "020-38861234")
	setEntry(t, w, "周六", "09:00-12:00 11:00-13:00")
	tap(t, w, "保存")
	assertShows(t, w, "这一天的时段有重叠")
	setEntry(t, w, "周六", "09:00-12:00")

	tap(t, w, "预览")
	assertShows(t, w, "预览：居民看到的样子", "020-38861234")
	tap(t, w, "返回修改")
	tap(t, w, "保存")

	// Back on the item: it shows the change at once, marked.
	assertShows(t, w, "020-38861234", "等待区县确认")
	if n := waitingEdits(t, s); n != 1 {
		t.Fatalf("%d edits waiting, want 1", n)
	}
	if kicks != 1 {
		t.Fatalf("the sync agent was woken %d times after the save, want 1", kicks)
	}
	tap(t, w, "返回")
	assertShows(t, w, "等待区县确认")

	// Residents see the mark too.
	id := firstRowID(t, s)
	openProvider(k.env, k.src, id)
	assertShows(t, w, "020-38861234", "等待区县确认")
}

// setEntry sets the text of the form entry labelled label.
func setEntry(t *testing.T, w fyne.Window, label, text string) {
	t.Helper()
	for _, en := range allEntries(w) {
		if en.Label == label {
			en.SetText(text)
			return
		}
	}
	t.Fatalf("no entry %q on screen", label)
}

// waitingEdits counts the staff edits waiting for the district.
func waitingEdits(t *testing.T, s *store.Store) int {
	t.Helper()
	m, err := s.WaitingEdits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// firstRowID is the id of the first provider in the list order.
func firstRowID(t *testing.T, s *store.Store) string {
	t.Helper()
	rows, _, err := s.ListProviders(context.Background(), store.ProviderFilter{}, store.Page{Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatal("no providers", err)
	}
	return rows[0].ID
}

// conflictOnFirstProvider edits the first provider on the kiosk, then
// answers the queued edit as the district does when its version moved
// on: a conflict, recorded by store.SettleAll as the sync agent does.
func conflictOnFirstProvider(t *testing.T, k *Kiosk, s *store.Store) (mine, theirs data.Provider) {
	t.Helper()
	ctx := context.Background()
	id := firstRowID(t, s)
	p, err := s.Provider(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs = p, p
	mine.Description = "本店已搬到新址，欢迎光临。"
	theirs.Phone = "020-38869999"
	item, _ := json.Marshal(mine)
	if err := s.EditContent(ctx, *k.staff, store.ContentEdit{Kind: data.KindProvider, ID: id, Op: data.OpUpsert, Item: item}, testNow); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var edit *store.OutboxItem
	for i := range pending {
		if pending[i].Kind == "staff_edit" {
			edit = &pending[i]
		}
	}
	if edit == nil {
		t.Fatal("the edit is not in the outbox")
	}
	server, _ := json.Marshal(theirs)
	err = s.SettleAll(ctx, []store.Settlement{{ID: edit.ID, Answer: store.Answer{Outcome: store.Conflicted, Conflict: &store.Conflict{
		ItemKind: data.KindProvider, ItemID: id, BaseVersion: 1, Local: edit.Body, Server: server, ServerVersion: 2,
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	return mine, theirs
}

func TestStaffResolveConflict(t *testing.T) {
	for _, keep := range []bool{true, false} {
		name := map[bool]string{true: "keep_mine", false: "drop_mine"}[keep]
		t.Run(name, func(t *testing.T) {
			k, w, clock, s := staffKiosk(t, Options{})
			signIn(t, k, w, clock)
			mine, theirs := conflictOnFirstProvider(t, k, s)
			k.render() // the staff home reads the count again
			assertShows(t, w, "1 项")
			tap(t, w, "冲突待处理")
			tap(t, w, "便民服务 · "+mine.Name)
			// Both versions, field by field, the differences marked.
			assertShows(t, w, "区县当前版本（第 2 版）", "我的修改（基于第 1 版）",
				"电话（不同）", theirs.Phone, "简介（不同）", mine.Description)
			button := map[bool]string{true: "以我的修改为准", false: "放弃我的修改"}[keep]
			tap(t, w, button)
			assertShows(t, w, "确定")
			tap(t, w, button) // on the confirmation
			n, err := s.ConflictCount(context.Background())
			if err != nil || n != 0 {
				t.Fatalf("%d conflicts left (%v)", n, err)
			}
			assertShows(t, w, "没有待处理的冲突")
			got, err := s.Provider(context.Background(), mine.ID)
			if err != nil {
				t.Fatal(err)
			}
			if keep && got.Description != mine.Description {
				t.Fatalf("kept my change, but the kiosk shows %q", got.Description)
			}
			if !keep && got.Description == mine.Description {
				t.Fatalf("dropped my change, but the kiosk still shows it")
			}
		})
	}
}

func TestStaffIdleSignOut(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{IdleAfter: 120 * time.Second, IdleWarn: 20 * time.Second})
	signIn(t, k, w, clock)
	tap(t, w, "编辑通知公告")
	tap(t, w, "新增")

	// The resident reset does not throw staff out mid-edit.
	clock.Advance(150 * time.Second)
	k.Tick()
	if k.staff == nil || len(k.stack) != 3 || k.overlay.Visible() {
		t.Fatalf("after 150 s: staff %v, %d screens, warning %v", k.staff, len(k.stack), k.overlay.Visible())
	}
	// A touch starts the five minutes again.
	tap(t, w, "置顶")
	clock.Advance(4*time.Minute + 39*time.Second)
	k.Tick()
	if k.overlay.Visible() {
		t.Fatal("warning before the last 20 s")
	}
	clock.Advance(time.Second)
	k.Tick()
	assertShows(t, w, "20 秒后将退出工作人员模式并返回首页")
	clock.Advance(20 * time.Second)
	k.Tick()
	if k.staff != nil || len(k.stack) != 0 || k.overlay.Visible() {
		t.Fatalf("after 5 min: staff %v, %d screens, warning %v", k.staff, len(k.stack), k.overlay.Visible())
	}
	if strings.Contains(screenText(w), "工作人员：") {
		t.Fatal("the header still shows the staff member")
	}
	if got := audited(t, s); !strings.Contains(got, "sign_out 张敏 idle") {
		t.Fatalf("the idle sign-out is not audited: %s", got)
	}
}

// allEntries lists the on-screen keyboard's entries on screen.
func allEntries(w fyne.Window) []*keyboard.Entry {
	var out []*keyboard.Entry
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*keyboard.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

// hashTestPIN keys a PIN as the district does for a new account, at a
// lower cost.
func hashTestPIN(t *testing.T, p string) string {
	t.Helper()
	h, err := pin.HashWith(p, pin.Params{MemoryKiB: 1024, Passes: 1, Lanes: 1})
	if err == nil {
		h, err = pin.KeyHash(testPINKey, h)
	}
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A kiosk started without its token, or holding no PIN key its token
// opens, says so on the PIN pad instead of "wrong PIN", and counts
// nothing; the pad takes an eight-digit PIN and, with the message, still
// fits the window in English 长者模式.
func TestStaffSignInWithoutTheKey(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})
	s.UseToken("")
	holdStreetName(t, w, clock, StaffHold)
	tap(t, w, "张敏")
	typePIN(t, w, testPIN)
	assertShows(t, w, "本机启动时未提供设备令牌，无法核对工作人员密码。请联系管理员。")
	s.UseToken("jzk_1.another-secret")
	typePIN(t, w, testPIN)
	assertShows(t, w, "本机缺少工作人员密码密钥，无法核对密码。请联系管理员同步数据或导入新的数据包。")
	if k.staff != nil || strings.Contains(screenText(w), "密码不正确") {
		t.Fatalf("signed in, or counted as a wrong PIN:\n%s", screenText(w))
	}
	s.UseToken(testToken)
	typePIN(t, w, testPIN)
	if k.staff == nil {
		t.Fatalf("the right PIN with the token did not sign in:\n%s", screenText(w))
	}

	for _, tok := range []string{"", testToken} {
		k, w, clock, s := staffKiosk(t, Options{Elder: true, Lang: data.EN})
		s.UseToken(tok)
		holdStreetName(t, w, clock, StaffHold)
		tap(t, w, "张敏")
		for _, d := range testPIN {
			tap(t, w, string(d))
		}
		assertShows(t, w, strings.Repeat("●", len(testPIN)))
		assertFitsWindow(t, w)
		if tok == "" {
			tap(t, w, "OK")
			assertShows(t, w, "This kiosk was started without its token")
			assertFitsWindow(t, w)
			if k.staff != nil {
				t.Fatal("signed in without the token")
			}
		}
	}
}

func TestDrivesFromMounts(t *testing.T) {
	mounts := `/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
/dev/sdb1 /media/kiosk/U\040DISK vfat rw 0 0
/dev/sdc1 /run/media/kiosk/KINGSTON exfat rw 0 0
tmpfs /run tmpfs rw 0 0
`
	got, err := drivesIn(strings.NewReader(mounts), DefaultMountDirs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/media/kiosk/U DISK", "/run/media/kiosk/KINGSTON"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("drives %q, want %q", got, want)
	}
}

func TestStaffExportOutboxToUSB(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	usb := t.TempDir()
	var s *store.Store
	k, w, clock, s := staffKiosk(t, Options{
		Drives: func() ([]string, error) { return []string{usb}, nil },
		ExportOutbox: func(ctx context.Context, to string) (int, error) {
			return client.Export(ctx, s, to, id.Recipient(), "kiosk-token", "440106005", testNow)
		},
	})
	signIn(t, k, w, clock) // the sign-in is an audit item waiting to go
	tap(t, w, "设备状态")
	assertShows(t, w, "操作记录")
	tap(t, w, "导出待发送数据到U盘")
	tap(t, w, "导出到 "+usb)
	files, err := filepath.Glob(filepath.Join(usb, "*.age"))
	if err != nil || len(files) != 1 {
		t.Fatalf("files on the drive: %v (%v)", files, err)
	}
	assertShows(t, w, "已导出 1 项到 "+files[0])
	if got := audited(t, s); !strings.Contains(got, "outbox_export 张敏 1 items to "+files[0]) {
		t.Fatalf("the export is not audited: %s", got)
	}
}

func TestStaffNewNoticeThenWithdraw(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})
	signIn(t, k, w, clock)
	tap(t, w, "编辑通知公告")
	tap(t, w, "新增")

	// Required fields are named next to them, in plain words.
	tap(t, w, "保存")
	assertShows(t, w, "这一项必须填写")
	setEntry(t, w, "标题", "关于冬季用电安全的温馨提示")
	setEntry(t, w, "正文", "请居民朋友注意冬季用电安全，不私拉乱接电线。")
	tap(t, w, "置顶")
	tap(t, w, "保存")

	// The list shows it first (pinned), marked as waiting.
	assertShows(t, w, "【置顶】 关于冬季用电安全的温馨提示", "等待区县确认")
	rows, _, err := s.ListNotices(context.Background(), store.NoticeFilter{}, store.Page{Limit: 1})
	if err != nil || len(rows) == 0 || rows[0].Title != "关于冬季用电安全的温馨提示" {
		t.Fatalf("the new notice is not first in the store: %v %v", rows, err)
	}
	id := rows[0].ID
	n, err := s.Notice(context.Background(), id)
	if err != nil || n.Street != "440106005" || n.Publisher != "天河南街道" || n.Published != data.DateOf(testNow) {
		t.Fatalf("the new notice is %+v (%v)", n, err)
	}

	// 撤下 asks first; 取消 keeps it.
	firstList(t, w).Select(0)
	tap(t, w, "撤下")
	assertShows(t, w, "确定撤下「关于冬季用电安全的温馨提示」吗？撤下后居民将看不到这一条。")
	tap(t, w, "取消")
	if _, err := s.Notice(context.Background(), id); err != nil {
		t.Fatal("取消 withdrew the notice")
	}
	tap(t, w, "撤下")
	tap(t, w, "确定撤下")
	if _, err := s.Notice(context.Background(), id); err == nil {
		t.Fatal("the withdrawn notice is still on the kiosk")
	}
	assertShows(t, w, "编辑通知公告")
	if strings.Contains(screenText(w), "关于冬季用电安全的温馨提示") {
		t.Fatal("the list still shows the withdrawn notice")
	}
	if got := audited(t, s); strings.Count(got, "edit 张敏") != 2 {
		t.Fatalf("want the new notice and its withdrawal audited: %s", got)
	}
}

func TestStaffDeadLetterDiscard(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})
	signIn(t, k, w, clock)
	ctx := context.Background()
	// An edit the district refuses for good becomes a dead letter.
	id := firstRowID(t, s)
	p, err := s.Provider(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	item, _ := json.Marshal(p)
	if err := s.EditContent(ctx, *k.staff, store.ContentEdit{Kind: data.KindProvider, ID: id, Op: data.OpUpsert, Item: item}, testNow); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var settle []store.Settlement
	for _, it := range pending {
		if it.Kind == "staff_edit" {
			settle = append(settle, store.Settlement{ID: it.ID, Answer: store.Answer{Outcome: store.Refused, Reason: "the street's listing is closed for edits"}})
		}
	}
	if err := s.SettleAll(ctx, settle); err != nil || len(settle) != 1 {
		t.Fatalf("settle %d: %v", len(settle), err)
	}

	tap(t, w, "设备状态")
	assertShows(t, w, "原因：the street's listing is closed for edits", "工作人员修改")
	tap(t, w, "丢弃")
	assertShows(t, w, "丢弃后不能恢复")
	tap(t, w, "确定丢弃")
	if n, err := s.DeadLetterCount(ctx); err != nil || n != 0 {
		t.Fatalf("%d dead letters after 丢弃 (%v)", n, err)
	}
	assertShows(t, w, "没有发送失败的内容。")
}

// A resident's case the district refused shows on the health screen with
// its reference and 重试 while it keeps its data; after the retention
// sweep it says its personal data was removed and offers only 丢弃.
func TestStaffDeadLetterRedacted(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})
	ctx := context.Background()
	ref, err := data.NewReference(7, testNow, 3)
	if err != nil {
		t.Fatal(err)
	}
	refusedCase(t, s, ref, store.Answer{Outcome: store.Refused, Reason: "事项编码已停用"})
	signIn(t, k, w, clock)
	tap(t, w, "设备状态")
	shown := data.FormatReference(ref)
	assertShows(t, w, "居民申请和反映 · "+shown, "原因：事项编码已停用")
	find(t, w, "重试")

	if _, err := s.Sweep(ctx, time.Now().Add(store.DefaultRetention+time.Minute), store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	tap(t, w, "返回")
	tap(t, w, "设备状态")
	assertShows(t, w, "居民申请和反映 · "+shown, "原因：事项编码已停用", "按保留期限删除，不能重新发送；可以丢弃。")
	for _, b := range buttons(w) {
		if b == "重试" {
			t.Error("a redacted dead letter offers 重试")
		}
	}
	tap(t, w, "丢弃")
	tap(t, w, "确定丢弃")
	if n, err := s.DeadLetterCount(ctx); err != nil || n != 0 {
		t.Fatalf("%d dead letters after 丢弃 (%v)", n, err)
	}
}

// A 重试 shown before the retention sweep redacted the dead letter sends
// nothing: the health screen comes back saying why, with the explanation
// on the row and only 丢弃, and the dead letter is still there.
func TestStaffRetryAfterTheSweep(t *testing.T) {
	k, w, clock, s := staffKiosk(t, Options{})
	ctx := context.Background()
	refusedCase(t, s, "", store.Answer{Outcome: store.Refused, Reason: "the appeal has no description", Code: string(wire.RefusedIncomplete)})
	signIn(t, k, w, clock)
	tap(t, w, "设备状态")
	tap(t, w, "重试")
	// The sweep runs in the background while the confirmation is shown.
	if _, err := s.Sweep(ctx, time.Now().Add(store.DefaultRetention+time.Minute), store.DefaultRetention); err != nil {
		t.Fatal(err)
	}
	queued, err := s.OutboxCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tap(t, w, "重新发送")
	assertShows(t, w, "没有重新发送：这项内容的个人信息已按保留期限删除，只能丢弃。", "按保留期限删除，不能重新发送；可以丢弃。")
	if got := screenText(w); strings.Contains(got, "操作没有完成") {
		t.Errorf("the screen reports a failure:\n%s", got)
	}
	for _, b := range buttons(w) {
		if b == "重试" || b == "重新发送" {
			t.Errorf("a redacted dead letter still offers %s", b)
		}
	}
	find(t, w, "丢弃")
	if n, err := s.DeadLetterCount(ctx); err != nil || n != 1 {
		t.Fatalf("%d dead letters (%v), want the redacted one kept", n, err)
	}
	if n, err := s.OutboxCount(ctx); err != nil || n != queued {
		t.Fatalf("%d items queued (%v), want the %d before: nothing sent again", n, err, queued)
	}
}

// buttons lists the texts of the visible buttons.
func buttons(w fyne.Window) []string {
	var out []string
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*tapButton); ok {
			out = append(out, b.Text)
		}
	})
	return out
}

// The health screen shows the kiosk's number, and says when it has none
// that its references will be replaced at sync.
func TestHealthShowsKioskNumber(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{KioskID: 7})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	assertShows(t, w, "本机编号", "同步位置")
	if got := screenText(w); !strings.Contains(got, "本机编号\n7\n") || strings.Contains(got, "本机没有编号") {
		t.Errorf("kiosk 7's health screen:\n%s", got)
	}

	k, w, _ = newTestKiosk(t, Options{})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	assertShows(t, w, "本机编号", "本机没有编号：它生成的办件编号会在同步时被区平台替换")
}

// failedSync is a sync source whose last sync stopped with err.
type failedSync struct {
	fakeSync
	err string
}

func (f failedSync) SyncError() string { return f.err }

// The health screen says why the last sync did not finish, in the
// agent's words (here its refusal of a token of another street), and
// says nothing while the sync finishes.
func TestHealthShowsSyncError(t *testing.T) {
	const refusal = "the token is kiosk 9's of street 440106006, but this kiosk serves street 440106005; nothing was sent"
	k, w, _ := newTestKiosk(t, Options{KioskID: 7, Sync: failedSync{fakeSync{online: true}, refusal}})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	assertShows(t, w, "上次同步未完成："+refusal)

	k, w, _ = newTestKiosk(t, Options{KioskID: 7, Sync: failedSync{fakeSync{online: true}, ""}})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	assertShows(t, w, "本机编号")
	if got := screenText(w); strings.Contains(got, "上次同步未完成") {
		t.Errorf("a health screen after a finished sync:\n%s", got)
	}
}

// The health screen explains a refusal the district gave a code to in
// the kiosk's language, with the district's own sentence as the detail;
// one with a code the kiosk does not know, or none (an older district),
// shows the district's sentence.
func TestStaffDeadLetterReasonInTheKiosksLanguage(t *testing.T) {
	for _, lang := range []data.Lang{data.ZH, data.EN} {
		k, w, _, s := staffKiosk(t, Options{Lang: lang})
		ctx := context.Background()
		refusals := []store.Answer{
			{Outcome: store.Refused, Reason: `service "svc-gaoling-jintie" is not published`, Code: string(wire.RefusedNotPublished)},
			{Outcome: store.Refused, Reason: "the kiosk sent too much today", Code: "quota"},
			{Outcome: store.Refused, Reason: "the opinion is empty"},
		}
		for i, a := range refusals {
			id := fmt.Sprintf("op-%d", i)
			if err := s.Enqueue(ctx, store.OutboxItem{ID: id, Kind: "opinion", Body: []byte(`{"id":"` + id + `"}`), CreatedAt: testNow}); err != nil {
				t.Fatal(err)
			}
			if err := s.Settle(ctx, id, a); err != nil {
				t.Fatal(err)
			}
		}
		k.staffSignIn(sampleStaff)
		openHealth(k.env)
		if lang == data.ZH {
			assertShows(t, w, "原因：该事项或意见征集（或其中的议题）已不再发布。",
				`区平台原文：service "svc-gaoling-jintie" is not published`,
				"原因：the kiosk sent too much today", "原因：the opinion is empty")
			if got := screenText(w); strings.Contains(got, "原因：service") {
				t.Errorf("the coded refusal shows the district's sentence as its reason:\n%s", got)
			}
		} else {
			assertShows(t, w, "Reason: The service or consultation (or its topic) is no longer published.",
				`The district's words: service "svc-gaoling-jintie" is not published`,
				"Reason: the kiosk sent too much today", "Reason: the opinion is empty")
		}
	}
}

// 上翻 / 下翻 on the health screen turn a visible page less one line of
// text: the line at the bottom edge is at the top after 下翻, and 上翻
// comes back to the start, in both modes.
func TestHealthPagesByAPage(t *testing.T) {
	for _, elder := range []bool{false, true} {
		k, w, _ := newTestKiosk(t, Options{KioskID: 7, Elder: elder})
		k.staffSignIn(sampleStaff)
		openHealth(k.env)
		var sc *container.Scroll
		walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
			if s, ok := o.(*container.Scroll); ok && sc == nil {
				sc = s
			}
		})
		if sc == nil {
			t.Fatal("the health screen has no scroll")
		}
		h := sc.Size().Height
		if sc.Content.MinSize().Height < 2*h {
			t.Fatalf("elder %v: content %.0f px in a scroll of %.0f: too short to page twice", elder, sc.Content.MinSize().Height, h)
		}
		line := widget.NewLabel("字").MinSize().Height
		tap(t, w, k.L("scroll.down"))
		if y := sc.Offset.Y; y < h-line-1 || y > h-line+1 {
			t.Errorf("elder %v: 下翻 moved %.0f px in a view of %.0f, want %.0f (a page less a line of %.0f)", elder, y, h, h-line, line)
		}
		tap(t, w, k.L("scroll.down"))
		if y := sc.Offset.Y; y < 2*(h-line)-1 && y < sc.Content.MinSize().Height-h-1 {
			t.Errorf("elder %v: two turns reached %.0f px", elder, y)
		}
		tap(t, w, k.L("scroll.up"))
		tap(t, w, k.L("scroll.up"))
		if y := sc.Offset.Y; y != 0 {
			t.Errorf("elder %v: back at %.0f px after two 上翻", elder, y)
		}
	}
}

// refusedCase queues a resident's appeal with personal data under ref and
// settles it with the district's refusal ans, so it is a dead letter.
func refusedCase(t *testing.T, s *store.Store, ref string, ans store.Answer) {
	t.Helper()
	c := data.Case{ID: "case-refused", Ref: ref, Kind: data.CaseAppeal, Street: "440106005", Status: data.StatusSubmitted,
		SubmittedAt: testNow, AppealType: data.AppealComplaint, Description: "楼下餐馆油烟很大",
		Applicant: &data.Person{Name: "赵六", IDNumber: goodID, Mobile: "13812345678"}}
	body, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Enqueue(ctx, store.OutboxItem{ID: c.ID, Kind: "case", Body: body, CreatedAt: testNow, Case: &c}); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, c.ID, ans); err != nil {
		t.Fatal(err)
	}
}
