package outboxfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"jiezhen/sync/wire"
)

func item(id string) wire.PushItem {
	return wire.PushItem{ID: id, Kind: wire.ItemOpinion, Body: json.RawMessage(`{"text":"路灯坏了"}`)}
}

func TestRoundTrip(t *testing.T) {
	idText, rcptText, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	rcpt, err := ParseRecipient(rcptText)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(strings.NewReader(idText))
	if err != nil {
		t.Fatal(err)
	}
	var items []wire.PushItem
	for i := range wire.MaxBatch + 3 {
		items = append(items, item(fmt.Sprintf("op-%d", i)))
	}
	var buf bytes.Buffer
	in := &File{Token: "jzk_secret", Street: "440106005", ExportedAt: time.Unix(1e9, 0).UTC(), Items: items}
	if err := Write(&buf, rcpt, in); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("jzk_secret")) || bytes.Contains(buf.Bytes(), []byte("路灯")) {
		t.Fatal("clear text in the file")
	}
	out, err := Read(bytes.NewReader(buf.Bytes()), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if out.Token != in.Token || out.Street != in.Street || len(out.Items) != len(items) || out.Items[len(items)-1].ID != items[len(items)-1].ID {
		t.Fatalf("read back %+v", out)
	}
	// One byte changed anywhere: refused.
	bad := bytes.Clone(buf.Bytes())
	bad[len(bad)-20] ^= 1
	if _, err := Read(bytes.NewReader(bad), ids[0]); err == nil {
		t.Fatal("a damaged file was read")
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		f    File
		want string
	}{
		{File{Format: "x", Token: "t", Items: []wire.PushItem{item("a")}}, "format"},
		{File{Format: Format, Items: []wire.PushItem{item("a")}}, "no token"},
		{File{Format: Format, Token: "t"}, "no items"},
		{File{Format: Format, Token: "t", Items: []wire.PushItem{item("a"), item("a")}}, "twice"},
		{File{Format: Format, Token: "t", Items: []wire.PushItem{{ID: "a", Kind: "nope", Body: json.RawMessage(`{}`)}}}, "unknown kind"},
	} {
		if err := c.f.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
	for _, v := range []string{"", "age1xyz", "/no/such/file"} {
		if _, err := ParseRecipient(v); err == nil {
			t.Errorf("recipient %q accepted", v)
		}
	}
}
