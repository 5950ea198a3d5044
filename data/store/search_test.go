package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"jiezhen/data"
)

func search(t *testing.T, s *Store, q Query) Results {
	t.Helper()
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func hitIDs(res Results) []string {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids
}

func seedSearch(t *testing.T, s *Store) {
	apply(t, s, 5,
		upsert(t, 1, data.KindNotice, "n1", 1, notice("n1", "关于小区停水的通知", "因管道维修，三月五日全天停水，请居民提前储水。")),
		upsert(t, 2, data.KindNotice, "n2", 1, notice("n2", "社区活动预告", "本周六在社区服务中心举办长者饭堂开放日，欢迎居民参加。")),
		upsert(t, 3, data.KindService, "s1", 1, data.ServiceItem{ID: "s1", Name: "居住证申领", Category: data.PowerPublic,
			Conditions: []string{"在本街道居住满半年"}, Procedure: []string{"提交材料", "窗口受理"},
			FAQ: []data.FAQ{{Q: "停水期间能否办理？", A: "可以，服务中心正常开放。"}}}),
		upsert(t, 4, data.KindProvider, "p1", 1, data.Provider{ID: "p1", Name: "长者饭堂（天河南）", Category: "长者饭堂",
			Address: "天河南二路12号", Services: []string{"午餐", "送餐上门"}}),
		upsert(t, 5, data.KindCatalog, "c1", 1, data.CatalogEntry{ID: "c1", Title: "供水管网改造计划", DocNo: "穗水〔2026〕3号",
			Keywords: []string{"供水", "管网"}, Summary: "Water supply upgrade plan"}),
	)
}

// TestSearchFindsPendingAndHidesStale is the search guarantee: before the
// indexer has run, an applied record is found, and text it replaced or a
// record deleted is not.
func TestSearchFindsPendingAndHidesStale(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	seedSearch(t, s)

	for _, indexed := range []bool{false, true} {
		t.Run(fmt.Sprintf("indexed=%v", indexed), func(t *testing.T) {
			if indexed {
				if _, err := s.IndexPending(ctx, 2); err != nil {
					t.Fatal(err)
				}
			}
			if got := hitIDs(search(t, s, Query{Text: "停水"})); !same(got, "n1", "s1") {
				t.Errorf("停水: %v", got)
			}
			if got := hitIDs(search(t, s, Query{Text: "长者饭堂"})); !same(got, "p1", "n2") {
				t.Errorf("长者饭堂: %v, want p1 (title) before n2", got)
			}
		})
	}

	// Index everything, then change text and delete without indexing.
	s.IndexPending(ctx, 0)
	apply(t, s, 7,
		upsert(t, 6, data.KindNotice, "n1", 2, notice("n1", "关于小区停电的通知", "因线路检修，三月六日停电。")),
		data.Change{Seq: 7, Kind: data.KindProvider, ID: "p1", Op: data.OpDelete, Version: 2})
	for _, indexed := range []bool{false, true} {
		t.Run(fmt.Sprintf("after edit indexed=%v", indexed), func(t *testing.T) {
			if indexed {
				if _, err := s.IndexPending(ctx, 1); err != nil {
					t.Fatal(err)
				}
			}
			if got := hitIDs(search(t, s, Query{Text: "小区停水"})); len(got) != 0 {
				t.Errorf("old text still found: %v", got)
			}
			if got := hitIDs(search(t, s, Query{Text: "小区停电"})); !same(got, "n1") {
				t.Errorf("new text: %v", got)
			}
			if got := hitIDs(search(t, s, Query{Text: "送餐上门"})); len(got) != 0 {
				t.Errorf("deleted provider found: %v", got)
			}
			if got := hitIDs(search(t, s, Query{Text: "长者饭堂"})); !same(got, "n2") {
				t.Errorf("长者饭堂 after delete: %v", got)
			}
		})
	}
	st, _ := s.Status(ctx)
	if st.SearchPending != 0 {
		t.Errorf("%d rows still pending", st.SearchPending)
	}
}

func same(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(want, ",")
}

func TestSearchQueries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	seedSearch(t, s)
	s.IndexPending(ctx, 0)

	cases := []struct {
		q    Query
		want []string
	}{
		{Query{Text: "  停水  "}, []string{"n1", "s1"}},                              // short: title match first
		{Query{Text: "水"}, []string{"n1", "c1", "s1"}},                             // one character: titles, notices before the catalogue
		{Query{Text: "停水", Kinds: []data.Kind{data.KindService}}, []string{"s1"}},  // kinds filter, short
		{Query{Text: "服务中心", Kinds: []data.Kind{data.KindNotice}}, []string{"n2"}}, // kinds filter, FTS
		{Query{Text: "居民 停水"}, []string{"n1"}},                                     // two short terms, AND
		{Query{Text: "服务中心 长者"}, []string{"n2"}},                                   // long and short term
		{Query{Text: "WATER supply"}, []string{"c1"}},                              // ASCII case folds
		{Query{Text: `穗水〔2026〕3号`}, []string{"c1"}},                                // catalogue metadata
		{Query{Text: `"停水`}, nil},                                                  // quotes are text, not syntax
		{Query{Text: "送餐上门"}, []string{"p1"}},                                      // provider services
		{Query{Text: "本街道居住"}, []string{"s1"}},                                     // guide conditions
		{Query{Text: "   "}, nil},
	}
	for _, c := range cases {
		res := search(t, s, c.q)
		if got := hitIDs(res); !same(got, c.want...) || res.Total != len(c.want) {
			t.Errorf("%q kinds %v: got %v (total %d), want %v", c.q.Text, c.q.Kinds, got, res.Total, c.want)
		}
	}
	if _, err := s.Search(ctx, Query{Text: "水", Kinds: []data.Kind{data.KindCalendar}}); err == nil {
		t.Error("searching an unsearchable kind is not refused")
	}

	// Paging: limit and offset over the merged hits.
	res := search(t, s, Query{Text: "水", Limit: 2, Offset: 1})
	if !same(hitIDs(res), "c1", "s1") || res.Total != 3 {
		t.Errorf("page 2 of 水: %v total %d", hitIDs(res), res.Total)
	}
}

func TestSearchHighlights(t *testing.T) {
	s, _ := openTest(t, Options{NoIndexer: true})
	long := strings.Repeat("前文内容，", 20) + "请到社区服务中心办理。社区服务中心地址见下。" + strings.Repeat("后文", 40)
	apply(t, s, 2,
		upsert(t, 1, data.KindNotice, "n1", 1, notice("n1", "办理须知", long)),
		upsert(t, 2, data.KindNotice, "n2", 1, notice("n2", "Notice", "Open the KIOSK; the kiosk helps.")))
	for _, indexed := range []bool{false, true} {
		if indexed {
			s.IndexPending(context.Background(), 0)
		}
		res := search(t, s, Query{Text: "服务中心 社区"})
		if len(res.Hits) != 1 {
			t.Fatalf("hits: %+v", res.Hits)
		}
		h := res.Hits[0]
		if n := len([]rune(h.Snippet)); n > data.SnippetRunes {
			t.Errorf("snippet has %d runes", n)
		}
		var marked []string
		for _, r := range h.Highlights {
			marked = append(marked, h.Snippet[r[0]:r[1]])
		}
		// 社区 and 服务中心 are adjacent: one merged range each time.
		if !same(marked, "社区服务中心", "社区服务中心") {
			t.Errorf("highlights %v in %q", marked, h.Snippet)
		}
		res = search(t, s, Query{Text: "kiosk"})
		h = res.Hits[0]
		marked = marked[:0]
		for _, r := range h.Highlights {
			marked = append(marked, h.Snippet[r[0]:r[1]])
		}
		if !same(marked, "KIOSK", "kiosk") {
			t.Errorf("ASCII highlights %v in %q", marked, h.Snippet)
		}
	}
}

// TestReadersSeeWholeBatches runs readers while batches apply: every count
// a reader sees must be a whole number of batches, in the notice table and
// in search, and the cursor must match it.
func TestReadersSeeWholeBatches(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{}) // with the background indexer racing too
	const batches, per = 20, 50

	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				var n int
				var cursor int64
				tx, err := s.r.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				tx.QueryRowContext(ctx, "SELECT count(*) FROM notice").Scan(&n)
				tx.QueryRowContext(ctx, "SELECT coalesce(max(cursor), 0) FROM sync_state").Scan(&cursor)
				tx.Rollback()
				if n%per != 0 || int64(n) != cursor {
					errs <- fmt.Errorf("reader saw %d notices at cursor %d", n, cursor)
					return
				}
				res, err := s.Search(ctx, Query{Text: "批次通知", Limit: 1})
				if err != nil {
					errs <- err
					return
				}
				if res.Total%per != 0 {
					errs <- fmt.Errorf("search saw %d hits", res.Total)
					return
				}
			}
		}()
	}
	seq := int64(0)
	for b := range batches {
		var changes []data.Change
		for i := range per {
			seq++
			id := fmt.Sprintf("b%d-%d", b, i)
			changes = append(changes, upsert(t, seq, data.KindNotice, id, 1, notice(id, "批次通知", "正文")))
		}
		apply(t, s, seq, changes...)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if res := search(t, s, Query{Text: "批次通知"}); res.Total != batches*per {
		t.Errorf("final total %d", res.Total)
	}
}

// TestSearchAfterBulkApply: right after a 10,000-item apply, before any
// indexing, search (which then narrows the queued rows by their JSON doc)
// finds items by text from their bodies, finds nothing that only matches
// the JSON, finds a service by its category's label, which only its
// derived text holds, and finds text the producer spelled with \u escapes.
func TestSearchAfterBulkApply(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	const n = 10_000
	changes := make([]data.Change, 0, n+2)
	for i := range n {
		id := fmt.Sprintf("n%05d", i)
		changes = append(changes, upsert(t, int64(i+1), data.KindNotice, id, 1,
			notice(id, "社区通知", fmt.Sprintf("第%05d号告示：今日检修。", i))))
	}
	changes = append(changes, upsert(t, n+1, data.KindService, "s1", 1, data.ServiceItem{ID: "s1", Name: "居住证申领", Category: data.PowerPublic}))
	changes = append(changes, data.Change{Seq: n + 2, Kind: data.KindNotice, ID: "esc", Op: data.OpUpsert, Version: 1,
		Body: []byte(`{"id":"esc","title":"\u505c\u6c34\u901a\u77e5","body":"\u4e09\u6708\u4e94\u65e5"}`)})
	apply(t, s, n+2, changes...)

	for _, indexed := range []bool{false, true} {
		t.Run(fmt.Sprintf("indexed=%v", indexed), func(t *testing.T) {
			if indexed {
				if _, err := s.IndexPending(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}
			if got := hitIDs(search(t, s, Query{Text: "第07777号"})); !same(got, "n07777") {
				t.Errorf("search 第07777号: %v", got)
			}
			if res := search(t, s, Query{Text: "号告示 今日检修", Limit: 5}); res.Total != n || len(res.Hits) != 5 {
				t.Errorf("search 号告示 今日检修: total %d, %d hits", res.Total, len(res.Hits))
			}
			for _, q := range []string{"title", "publisher", "published", "pinned", `"body"`, "id", "2026-03-01"} {
				if res := search(t, s, Query{Text: q}); res.Total != 0 {
					t.Errorf("search %q finds %d: %v", q, res.Total, hitIDs(res))
				}
			}
			if got := hitIDs(search(t, s, Query{Text: "公共服务"})); !same(got, "s1") {
				t.Errorf("search 公共服务 (category label): %v", got)
			}
			if got := hitIDs(search(t, s, Query{Text: "停水"})); !same(got, "esc") {
				t.Errorf("search 停水 (escaped in the JSON): %v", got)
			}
			if got := hitIDs(search(t, s, Query{Text: "五日"})); !same(got, "esc") {
				t.Errorf("search 五日 (short, escaped in the JSON): %v", got)
			}
		})
	}
}

// TestSearchQueuedDeleteAndUpdate: with more items queued than
// pendingScanMin, an update's old text and a deleted item are not found
// before the indexer runs, and the new text is.
func TestSearchQueuedDeleteAndUpdate(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	const n = pendingScanMin + 10
	var changes []data.Change
	for i := range n {
		id := fmt.Sprintf("n%05d", i)
		changes = append(changes, upsert(t, int64(i+1), data.KindNotice, id, 1, notice(id, "通知", fmt.Sprintf("旧文%05d", i))))
	}
	apply(t, s, n, changes...)
	if _, err := s.IndexPending(ctx, 0); err != nil {
		t.Fatal(err)
	}
	changes = changes[:0]
	for i := range n {
		id := fmt.Sprintf("n%05d", i)
		changes = append(changes, upsert(t, int64(n+i+1), data.KindNotice, id, 2, notice(id, "通知", fmt.Sprintf("新文%05d", i))))
	}
	changes = append(changes, data.Change{Seq: 2*n + 1, Kind: data.KindNotice, ID: "n00003", Op: data.OpDelete, Version: 3})
	apply(t, s, 2*n+1, changes...)
	for _, indexed := range []bool{false, true} {
		if indexed {
			if _, err := s.IndexPending(ctx, 300); err != nil {
				t.Fatal(err)
			}
		}
		if res := search(t, s, Query{Text: "旧文"}); res.Total != 0 {
			t.Errorf("indexed=%v: old text found: %v", indexed, hitIDs(res))
		}
		if got := hitIDs(search(t, s, Query{Text: "新文00005"})); !same(got, "n00005") {
			t.Errorf("indexed=%v: new text: %v", indexed, got)
		}
		if res := search(t, s, Query{Text: "新文00003"}); res.Total != 0 {
			t.Errorf("indexed=%v: deleted item found", indexed)
		}
		if res := search(t, s, Query{Text: "新文0"}); res.Total != n-1 {
			t.Errorf("indexed=%v: 新文0 total %d", indexed, res.Total)
		}
	}
}

// TestSearchUndecodableDoc: a stored doc that no longer decodes (a later
// version reading it more strictly) is found by no search and indexed
// empty; searching and indexing go on for the other items.
func TestSearchUndecodableDoc(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	seedSearch(t, s)
	if _, err := s.w.Exec(`UPDATE notice SET doc = '{"id": 7}' WHERE id = 'n1'`); err != nil {
		t.Fatal(err)
	}
	for _, indexed := range []bool{false, true} {
		if indexed {
			if _, err := s.IndexPending(ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		if got := hitIDs(search(t, s, Query{Text: "停水"})); !same(got, "s1") {
			t.Errorf("indexed=%v: search 停水: %v", indexed, got)
		}
	}
	// The broken row goes before the checks at cleanup.
	if _, err := s.w.Exec(`DELETE FROM notice WHERE id = 'n1'`); err != nil {
		t.Fatal(err)
	}
}

// TestIntegrityCheckAfterIndexChanges searches through the only reader,
// which makes FTS5 cache the index structure on it, then replaces the
// content, so the indexer clears the index and writes a new one. The
// integrity check finds the file sound (checked on that reader, FTS5 would
// walk the cached structure's vanished segments and report corruption, see
// checkIntegrity), and search sees the new index.
func TestIntegrityCheckAfterIndexChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true, Readers: 1})
	seedSearch(t, s)
	if _, err := s.IndexPending(ctx, 1); err != nil { // a segment per item
		t.Fatal(err)
	}
	if got := hitIDs(search(t, s, Query{Text: "长者饭堂"})); !same(got, "p1", "n2") {
		t.Fatalf("长者饭堂: %v", got)
	}
	if _, err := s.ReplaceContent(ctx, []data.Change{
		upsert(t, 1, data.KindNotice, "n9", 1, notice("n9", "长者饭堂搬迁通知", "新址在社区服务中心二楼。")),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexPending(ctx, 0); err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, s) // before any search refreshes the reader's cache
	if got := hitIDs(search(t, s, Query{Text: "长者饭堂"})); !same(got, "n9") {
		t.Errorf("长者饭堂 after the replace: %v, want n9", got)
	}
	if got := hitIDs(search(t, s, Query{Text: "居住证"})); len(got) != 0 {
		t.Errorf("居住证 after the replace: %v, want nothing", got)
	}
}

// TestSearchRanksNamesFirst: for 长者饭堂 the canteens come first, though
// newer notices mention them, and then the kinds by data.SearchKindOrder,
// whether the items are indexed or still queued and whether the query
// goes through the index (长者饭堂) or the scan (饭堂).
func TestSearchRanksNamesFirst(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	hours := data.WeekHours{}
	if err := hours.UnmarshalJSON([]byte(`{"mon":["11:00-13:00","17:00-18:30"]}`)); err != nil {
		t.Fatal(err)
	}
	canteen := func(id, name string) data.Provider {
		return data.Provider{ID: id, Name: name, Category: "长者饭堂", Address: "天河区体育东路12号首层", Phone: "020-38880001",
			Hours: hours, Services: []string{"午餐", "晚餐"}}
	}
	apply(t, s, 7,
		upsert(t, 1, data.KindProvider, "p1", 1, canteen("p1", "长者饭堂（体育东点）")),
		upsert(t, 2, data.KindProvider, "p2", 1, canteen("p2", "长者饭堂（龙口东点）")),
		upsert(t, 3, data.KindConsultation, "z1", 1, data.Consultation{ID: "z1", Title: "开餐时间征求意见", Draft: "拟调整长者饭堂的开餐时间。"}),
		upsert(t, 4, data.KindCatalog, "c1", 1, data.CatalogEntry{ID: "c1", Title: "助餐补贴标准", Body: "长者饭堂助餐补贴按月发放。"}),
		upsert(t, 5, data.KindNotice, "n1", 1, notice("n1", "开餐公告", "天河南街长者饭堂于11月9日起正式开餐。")),
		upsert(t, 6, data.KindNotice, "n2", 1, notice("n2", "重阳节活动", "活动当天长者饭堂照常供餐。")),
		upsert(t, 7, data.KindService, "s1", 1, data.ServiceItem{ID: "s1", Name: "助餐服务申请", Category: data.PowerPublic,
			Conditions: []string{"在长者饭堂登记用餐"}}),
	)
	want := []string{"p2", "p1", "s1", "n2", "n1", "z1", "c1"}
	for _, indexed := range []bool{false, true} {
		if indexed {
			if _, err := s.IndexPending(ctx, 100); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []string{"长者饭堂", "饭堂"} {
			res := search(t, s, Query{Text: q})
			if got := hitIDs(res); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("indexed=%v: %s finds %v, want %v", indexed, q, got, want)
			}
			if !res.Hits[0].InTitle || res.Hits[2].InTitle {
				t.Errorf("indexed=%v: %s: InTitle of the first and third hits: %v, %v", indexed, q, res.Hits[0].InTitle, res.Hits[2].InTitle)
			}
			// A canteen found by its name quotes its address, phone and
			// hours, each a part of its own, not its category 长者饭堂.
			var fields, texts []string
			for _, p := range res.Hits[0].Parts {
				fields, texts = append(fields, p.Field), append(texts, p.Text)
			}
			if strings.Join(fields, " ") != "address phone hours" {
				t.Errorf("indexed=%v: %s: the canteen's snippet quotes %v (%q)", indexed, q, fields, texts)
			}
		}
	}
	// By name alone the snippet is the address, the phone and the hours.
	res := search(t, s, Query{Text: "龙口东点"})
	var got []string
	for _, p := range res.Hits[0].Parts {
		got = append(got, p.Field+"="+p.Text)
	}
	if want := "address=天河区体育东路12号首层|phone=020-38880001|hours=" + hours.Summary(data.ZH); strings.Join(got, "|") != want {
		t.Errorf("the snippet of a name match is %q, want %q", strings.Join(got, "|"), want)
	}
}
