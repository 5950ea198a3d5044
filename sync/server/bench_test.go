package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// quiet silences the request log, which would otherwise be most of what a
// benchmark measures.
func quiet(e *env) {
	e.p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	e.srv.Config.Handler = Handler(e.p)
}

// BenchmarkServerPush drains appeals to the real handler over loopback
// HTTP in batches of wire.MaxBatch, each batch one transaction on a real
// SQLite file. items/s counts accepted items.
func BenchmarkServerPush(b *testing.B) {
	e := newEnv(b)
	quiet(e)
	batch := make([]wire.PushItem, 0, wire.MaxBatch)
	n := 0
	flush := func() {
		if len(batch) == 0 {
			return
		}
		resp := e.push(e.tokA1, batch...)
		for _, r := range resp.Results {
			if r.Outcome != wire.Accepted {
				b.Fatalf("%+v", r)
			}
		}
		batch = batch[:0]
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		batch = append(batch, appeal(b, fmt.Sprintf("bench-%d", n), streetA))
		n++
		if len(batch) == wire.MaxBatch {
			flush()
		}
	}
	flush()
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "items/s")
}

// pullSeedN is how many changes BenchmarkServerPull's fresh kiosk pulls.
const pullSeedN = 100_000

// BenchmarkServerPull has a fresh kiosk pull pullSeedN changes from 0 to
// the end in pages of wire.MaxLimit over loopback HTTP, decoding every
// page, from a district on SQLite and one on PostgreSQL (internal/pgtest)
// in the same run. changes/s counts changes received.
func BenchmarkServerPull(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchServerPull(b, newEnvOn(b, openSQLite(b))) })
	b.Run("postgres", func(b *testing.B) { benchServerPull(b, newEnvOn(b, openPostgres(b))) })
}

func benchServerPull(b *testing.B, e *env) {
	quiet(e)
	ctx := context.Background()
	err := e.st.Write(ctx, func(tx Tx) error {
		for i := range pullSeedN {
			n := data.Notice{ID: fmt.Sprintf("bench-%06d", i), Street: streetA, Title: fmt.Sprintf("第%d号通知", i),
				Category: "通知", Publisher: "天河南街道办事处", Published: data.MustDate("2026-11-02"),
				Body: "为做好辖区居民服务工作，现将有关事项通知如下：请居民携带身份证到服务中心办理。"}
			body, _ := json.Marshal(n)
			if _, err := tx.PutItem(Item{Kind: data.KindNotice, ID: n.ID, Street: streetA, Version: 1, Body: body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	client := e.srv.Client()
	total := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		var after int64
		got := 0
		for {
			req, _ := http.NewRequest("GET", e.srv.URL+wire.PathChanges+"?"+wire.PullRequest{After: after, Limit: wire.MaxLimit}.Query().Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+e.tokA2)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page wire.PullResponse
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Fatalf("pull: %d %v", resp.StatusCode, err)
			}
			got += len(page.Changes)
			after = page.Next
			if !page.More {
				break
			}
		}
		if got < pullSeedN {
			b.Fatalf("pulled %d changes, want at least %d", got, pullSeedN)
		}
		total += got
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "changes/s")
}
