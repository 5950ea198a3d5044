package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/data/store"
)

// districtdBinary builds the real districtd program (with -race, like
// kioskBinary, to reuse the packages the test run has compiled).
func districtdBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "districtd")
	if out, err := exec.Command("go", "build", "-race", "-o", bin, "../districtd").CombinedOutput(); err != nil {
		t.Fatalf("go build districtd: %v\n%s", err, out)
	}
	return bin
}

// districtdRun runs one districtd command to its end and returns stdout;
// it fails the test unless the command succeeds.
func districtdRun(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("districtd %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// districtdServe starts `districtd serve` (on a port the OS picks, unless
// extra gives --addr) and returns its base URL; the process gets SIGTERM
// when the test ends.
func districtdServe(t *testing.T, bin, db string, extra ...string) string {
	t.Helper()
	args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(https?://\S+)/api/v1`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Error("districtd serve did not stop on SIGTERM")
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-exited:
		t.Fatalf("districtd serve exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("districtd serve did not start")
	}
	return ""
}

// fillForm fills every field of a service's form with a valid value.
func fillForm(t *testing.T, f data.FormSchema) data.FormValues {
	t.Helper()
	v := data.FormValues{}
	for _, fl := range f.Fields {
		switch fl.Type {
		case data.FieldIDNumber:
			v[fl.Code] = "440106199001011235"
		case data.FieldMobile:
			v[fl.Code] = "13912345678"
		case data.FieldDate:
			v[fl.Code] = "1950-01-01"
		case data.FieldNumber:
			v[fl.Code] = "2"
		case data.FieldChoice, data.FieldMultiChoice:
			v[fl.Code] = fl.Choices[0]
		case data.FieldLongText:
			v[fl.Code] = "2025年老旧小区改造资金使用情况"
		default:
			v[fl.Code] = "天河南二路1号"
		}
	}
	if errs := f.Validate(v, data.DateOf(time.Now())); len(errs) > 0 {
		t.Fatalf("filled form does not validate: %v", errs[0])
	}
	return v
}

// The end-to-end path of every kind of case: filed on a kiosk while the
// district is down, through the code the window files with; the district
// comes up; `kiosk sync --once`; the clerk moves the case through its
// lifecycle with the real `districtd cases set`; the kiosk syncs again and
// its store has the whole timeline, the reply and the deadline the
// district set, under the reference on the resident's receipt.
func TestCaseLifecycleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs districtd")
	}
	ctx := context.Background()
	bin := districtdBinary(t)
	dir := t.TempDir()
	districtDB, content := demoDistrict(t, bin, dir)
	token, added := districtdRun(t, bin, "kiosk", "add", "--db", districtDB, "--street", demo.Street, "--name", "一号机")
	token = strings.TrimSpace(token)
	var kioskID int64
	if _, err := fmt.Sscanf(added, "districtd: kiosk %d added", &kioskID); err != nil {
		t.Fatalf("kiosk add said %q", added)
	}

	// The kiosk has its content; the district goes down.
	db := filepath.Join(dir, "kiosk.db")
	if code, _, errs := kiosk(t, "demo", "--db", db); code != 0 {
		t.Fatalf("kiosk demo: %s", errs)
	}
	var svc data.ServiceItem
	for _, s := range content.Services {
		if s.Online && !s.OnTheSpot && s.PromisedDays > 0 && (s.Street == "" || s.Street == demo.Street) {
			svc = s
			break
		}
	}
	// The cases as the window's forms build them.
	today := data.DateOf(time.Now())
	appCase, err := data.NewApplication(svc, fillForm(t, svc.Form.WithApplicant()), today)
	if err != nil {
		t.Fatal(err)
	}
	appDays, _ := svc.DeadlineDays()
	discValues := fillForm(t, data.DisclosureForm())
	discValues[data.CodeDelivery] = string(data.DeliveryPickup)
	discCase, err := data.NewDisclosure(discValues, today)
	if err != nil {
		t.Fatal(err)
	}
	person := &data.Person{Name: "李四", Mobile: "13912345678"}
	now := time.Now()
	filings := []struct {
		c     data.Case
		kiosk int64
		days  int
	}{
		{appCase, kioskID, appDays},
		{data.Case{Kind: data.CaseAppeal, AppealType: data.AppealComplaint, Category: "noise", Description: "夜间施工噪音", Location: "天河南二路", Applicant: person}, kioskID, data.DefaultAppealDays[data.AppealComplaint]},
		{discCase, kioskID, data.DisclosureDays},
		// A kiosk started without its number: the district gives the reference.
		{data.Case{Kind: data.CaseAppeal, AppealType: data.AppealConsult, Description: "咨询办事时间", Anonymous: true}, 0, data.DefaultAppealDays[data.AppealConsult]},
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var filed []data.Case
	for _, f := range filings {
		f.c.Street, f.c.Status, f.c.SubmittedAt = demo.Street, data.StatusSubmitted, now
		c, err := s.FileCase(ctx, f.c, f.kiosk, f.days)
		if err != nil {
			t.Fatal(err)
		}
		filed = append(filed, c)
	}
	s.Close()
	app, apl, disc, anon := filed[0], filed[1], filed[2], filed[3]

	url := districtdServe(t, bin, districtDB)
	sync := func() {
		t.Helper()
		code, out, errs := kioskProcess(t, "sync", "--db", db, "--district", url, "--token", token, "--once")
		if code != 0 {
			t.Fatalf("kiosk sync: exit %d: %s", code, errs)
		}
		var res struct{ Refused int }
		if json.Unmarshal([]byte(out), &res) != nil || res.Refused != 0 {
			t.Fatalf("kiosk sync: %s", out)
		}
	}
	sync()
	local := func(id string) data.Case {
		t.Helper()
		s, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, err := s.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []data.Case{app, apl, disc} {
		if got := local(c.ID); got.Ref != c.Ref || got.Status != data.StatusReceived {
			t.Fatalf("after the first sync, case %s is %s %s: the receipt said %s", c.ID, got.Ref, got.Status, c.Ref)
		}
	}
	gotAnon := local(anon.ID)
	if k, err := data.ReferenceKiosk(gotAnon.Ref); err != nil || k != 0 {
		t.Fatalf("a kiosk without a number: reference %s (filed as %s): %v", gotAnon.Ref, anon.Ref, err)
	}

	set := func(ref string, args ...string) map[string]any {
		t.Helper()
		out, _ := districtdRun(t, bin, append([]string{"cases", "--db", districtDB, "set", ref}, args...)...)
		var line map[string]any
		if err := json.Unmarshal([]byte(out), &line); err != nil {
			t.Fatalf("cases set: %q", out)
		}
		return line
	}
	// The application: returned for correction, corrected on the kiosk,
	// accepted, done.
	set(app.Ref, "correction", "--reason", "缺少户口簿首页复印件")
	sync()
	if got := local(app.ID); got.Status != data.StatusCorrection {
		t.Fatalf("the correction notice did not reach the kiosk: %+v", got)
	}
	s, _ = store.Open(ctx, db)
	if _, err := s.QueueCorrection(ctx, app.Ref, data.Correction{Note: "已在服务中心补交户口簿复印件"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	sync()
	set(app.Ref, "accepted")
	set(app.Ref, "in_progress")
	set(app.Ref, "completed", "--reason", "优待证已制作完成，请到服务中心领取")

	// The appeal: dispatched to a department, replied, completed. Typed
	// without dashes, in lower case.
	typed := strings.ToLower(strings.ReplaceAll(apl.Ref, "-", ""))
	set(typed, "dispatched", "--department", "街道城管科")
	set(apl.Ref, "in_progress")
	set(apl.Ref, "replied", "--reason", "已责令施工单位夜间停工")
	set(apl.Ref, "completed", "--reason", "回访确认已解决")

	// The disclosure request: extended, then replied with its type.
	before := set(disc.Ref, "extended", "--reason", "需征求第三方意见")
	set(disc.Ref, "replied", "--reason", "请于工作日到服务中心领取", "--reply-type", "disclosed")
	set(disc.Ref, "completed", "--reason", "已领取")
	sync()

	want := map[string][]data.Status{
		app.ID:  {data.StatusReceived, data.StatusCorrection, data.StatusReceived, data.StatusAccepted, data.StatusInProgress, data.StatusCompleted},
		apl.ID:  {data.StatusReceived, data.StatusDispatched, data.StatusInProgress, data.StatusReplied, data.StatusCompleted},
		disc.ID: {data.StatusReceived, data.StatusExtended, data.StatusReplied, data.StatusCompleted},
	}
	for id, statuses := range want {
		got := local(id)
		var seen []data.Status
		for _, h := range got.History {
			seen = append(seen, h.To)
		}
		if !slices.Equal(seen, statuses) || got.Status != data.StatusCompleted || got.History[len(got.History)-1].Reason == "" {
			t.Errorf("case %s on the kiosk: timeline %v, want %v", id, seen, statuses)
		}
		if got.Applicant != nil || got.Values != nil || got.Description != "" || got.Request != nil {
			t.Errorf("case %s on the kiosk still holds personal data: %+v", id, got)
		}
	}
	if got := local(app.ID); got.History[1].Reason != "缺少户口簿首页复印件" {
		t.Errorf("the correction notice's reason: %+v", got.History)
	}
	if got := local(apl.ID); got.Department != "街道城管科" || got.Reply == nil || got.Reply.Text != "已责令施工单位夜间停工" || got.Ref != apl.Ref {
		t.Errorf("the appeal on the kiosk: %+v", got)
	}
	got := local(disc.ID)
	if got.Reply == nil || got.Reply.Type != data.ReplyDisclosed || got.Reply.Text != "请于工作日到服务中心领取" {
		t.Errorf("the disclosure reply on the kiosk: %+v", got.Reply)
	}
	if got.History[1].Reason != "需征求第三方意见" || got.Deadline.String() != before["deadline"] || !disc.Deadline.Before(got.Deadline) {
		t.Errorf("the extension on the kiosk: deadline %s (filed with %s, district says %v), history %+v",
			got.Deadline, disc.Deadline, before["deadline"], got.History)
	}

	// And `kiosk track`, which prints what the tracking screen shows.
	track := func(ref string) data.Timeline {
		t.Helper()
		code, out, errs := kioskProcess(t, "track", "--db", db, ref, "--phone4", "5678")
		var tl data.Timeline
		if code != 0 || json.Unmarshal([]byte(out), &tl) != nil {
			t.Fatalf("kiosk track %s: exit %d: %s%s", ref, code, out, errs)
		}
		return tl
	}
	tl := track(disc.Ref)
	if tl.Reply == nil || tl.Reply.Type != data.ReplyDisclosed || tl.Deadline == nil || tl.Deadline.Date != got.Deadline ||
		len(tl.Extensions) != 1 || tl.Extensions[0].Reason != "需征求第三方意见" || !tl.CanRate {
		t.Errorf("kiosk track of the disclosure request: %+v", tl)
	}
	if tl := track(apl.Ref); tl.Department != "街道城管科" || tl.Reply == nil || len(tl.Events) < 5 {
		t.Errorf("kiosk track of the appeal: %+v", tl)
	}
}

// demoDistrict publishes the demo content into a new district database in
// dir with the districtd binary bin, and returns the database's path and
// the content.
func demoDistrict(t *testing.T, bin, dir string) (string, *data.ContentSet) {
	t.Helper()
	db := filepath.Join(dir, "district.db")
	content, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	contentFile := filepath.Join(dir, "content.json")
	b, _ := json.Marshal(content)
	if err := os.WriteFile(contentFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	districtdRun(t, bin, "publish", "--db", db, contentFile)
	return db, content
}
