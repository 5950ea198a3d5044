package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// `districtd opinions`, run as its own process: one JSON line an opinion,
// a consultation's with --consultation, with the district's mark and
// without the resident's name or mobile; an unknown consultation is one
// line on stderr.
func TestOpinionsCommand(t *testing.T) {
	db := published(t)
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := server.New(st, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	k, err := p.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	var req wire.PushRequest
	for _, id := range []string{"op-1", "op-2"} {
		body, _ := json.Marshal(data.Opinion{ID: id, Consultation: "zj-a", Topic: "t1", Text: "希望增加座椅", Name: "王五", Mobile: "13800138000", At: time.Now()})
		req.Items = append(req.Items, wire.PushItem{ID: id, Kind: wire.ItemOpinion, Body: body})
	}
	if _, err := p.Push(ctx, k, &req); err != nil {
		t.Fatal(err)
	}
	if _, err := p.MarkOpinion(ctx, server.User{ID: 1, Name: "审核员"}, "op-2", data.OutcomePartly, "部分采纳"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		cmd := districtdCommand(append([]string{"opinions", "--db", db}, args...)...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		code := 0
		if ee != nil {
			code = ee.ExitCode()
		}
		return code, out.String(), errb.String()
	}
	for _, args := range [][]string{nil, {"--consultation", "zj-a"}} {
		code, out, errs := run(args...)
		if code != 0 || errs != "" {
			t.Fatalf("opinions %v: exit %d, stderr %q", args, code, errs)
		}
		if strings.Contains(out, "王五") || strings.Contains(out, "13800138000") {
			t.Fatalf("opinions %v prints the resident's name or mobile: %s", args, out)
		}
		ls := lines(out)
		if len(ls) != 2 {
			t.Fatalf("opinions %v: %d lines: %q", args, len(ls), out)
		}
		var first, second opinionLine
		if json.Unmarshal([]byte(ls[0]), &first) != nil || json.Unmarshal([]byte(ls[1]), &second) != nil {
			t.Fatalf("not JSON lines: %q", out)
		}
		if first.ID != "op-1" || first.Ref != "zj-a-1" || first.Consultation != "zj-a" || first.Topic != "t1" || first.Text != "希望增加座椅" ||
			first.Kiosk != k.ID || first.Street != "440106005" || first.Outcome != "" || first.MarkedAt != nil {
			t.Errorf("first line: %+v", first)
		}
		if second.ID != "op-2" || second.Outcome != data.OutcomePartly || second.Reason != "部分采纳" || second.MarkedBy != "审核员" || second.MarkedAt == nil {
			t.Errorf("second line: %+v", second)
		}
	}
	code, out, errs := run("--consultation", "zj-none")
	if code != 1 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, `no consultation "zj-none"`) {
		t.Errorf("an unknown consultation: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = run("--topic", "t1")
	if code != 2 || strings.Count(errs, "\n") != 1 {
		t.Errorf("an unknown flag: exit %d, stderr %q", code, errs)
	}
}
