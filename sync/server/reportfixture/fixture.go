// Package reportfixture builds a district database whose report figures
// are known by construction, for the tests of the reports in sync/server
// and cmd/districtd. Every case is filed and moved through the platform's
// own paths (push, the website's filing, the clerk's moves, AutoRate) at
// chosen times of the district's clock; the comment on Build lists them.
package reportfixture

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// The two streets.
const (
	StreetA = "440106005"
	StreetB = "440106006"
)

// Clock is the district's clock, set by the fixture.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to a time given in China as "2006-01-02 15:04".
func (c *Clock) Set(china string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", china, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}

// ReportTime is when the tests ask for the reports (China time).
const ReportTime = "2027-01-05 10:00"

const content = `{
 "streets": [
  {"code": "440106005", "name": "天河南街道", "district": "天河区", "address": "天河南二路29号", "phone": "020-38621180", "hours": "周一至周五"},
  {"code": "440106006", "name": "林和街道", "district": "天河区", "address": "林和中路158号", "phone": "020-38812345", "hours": "周一至周五"}],
 "notices": [
  {"id": "n-a", "street": "440106005", "title": "天河南通知", "category": "通知", "publisher": "天河南街道", "published": "2025-12-01", "body": "天河南"},
  {"id": "n-b", "street": "440106006", "title": "林和通知", "category": "通知", "publisher": "林和街道", "published": "2025-12-01", "body": "林和"}],
 "services": [{"id": "svc-a", "street": "440106005", "code": "A-001", "name": "居住登记", "category": "social", "department": "天河南街道",
  "audience": "居民", "basis": [], "conditions": [], "materials": [], "procedure": [], "location": "窗口", "hours": "工作日",
  "on_the_spot": false, "legal_days": 10, "promised_days": 5, "fee": "不收费", "fee_basis": "无", "phone": "020-38621180",
  "complaint_phone": "12345", "visits": 0, "online": true,
  "form": {"fields": [{"code": "name", "label": "姓名", "type": "text", "required": true}]}}],
 "providers": [{"id": "p-a", "street": "440106005", "name": "长者饭堂", "kind": "organisation", "category": "长者饭堂",
  "address": "六运三街22号", "phone": "020-38578308", "hours": {"mon": ["11:00-13:00"]}, "services": ["午餐"]}],
 "consultations": [{"id": "zj-a", "street": "440106005", "title": "微改造意见征集", "publisher": "天河南街道", "draft": "方案",
  "opens": "2026-11-10", "closes": "2026-12-31", "topics": [{"id": "t1", "title": "口袋公园"}]}],
 "calendars": [{"year": 2026, "source": "test calendar", "demo": true,
  "holidays": [{"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07"}], "workdays": []}]
}`

// Fixture is the built district.
type Fixture struct {
	t      testing.TB
	ctx    context.Context
	P      *server.Platform
	Store  server.Store
	Clock  *Clock
	kiosks map[string]server.Kiosk
	refs   map[string]string // case id -> reference
}

// Build files, at the times given (China), through the platform:
//
// Street A (kiosks A1 from 2025-12-01, A2 from 2026-11-16), November 2026:
//
//	c0  disclosure, 科研机构, received 2025-12-29, replied (disclosed) 2026-01-06
//	c8  咨询, received 2026-10-26 (deadline 10-29), replied late 11-10, rated 2 on 11-12
//	c9  咨询, received 2026-10-26 (deadline 10-29), never answered
//	c1  咨询, received 11-02 (deadline 11-05), replied 11-03, rated 5 on 11-04
//	c2  投诉, received 11-02 (deadline 11-19), replied late 11-20, default 基本满意 on 11-28
//	c3  disclosure, 商业企业, received 11-03, 补正 11-04, corrected 11-09 (deadline 12-07), replied (withheld_secret) 11-25
//	c4  disclosure, 自然人, received 11-05, extended 11-20, open
//	c7  投诉, received 11-06, merged into c2 on 11-09
//	web-c10 application on the website, received 11-16 (deadline 11-23), completed 11-18, default 基本满意 on 11-28
//	c5  求助, received 11-30 23:30 (the month's last working day), open
//	c6  求助, received 12-01 00:30, open
//
// Content of street A: n-a withdrawn 11-04; n-nov published 11-02 and
// changed 11-03; n-exp published 11-02 with its end date 11-15. A1 syncs
// on ten days of November (2–6, 9–13), A2 on 11-17..19. One opinion on
// zj-a on 11-12, without feedback. An inspector's 督办 on c9 on 11-19.
//
// Street B (kiosk B1 from 2025-12-01, never synced): b1 咨询 received
// 11-10, replied 11-11, rated 1 on 11-12; and one disclosure request per
// reply type, received 2026-12-01 and replied 12-02, the requester kinds
// taken in turn (data.Requesters[i%6]).
func Build(t testing.TB, st server.Store) *Fixture {
	t.Helper()
	f := &Fixture{t: t, ctx: context.Background(), Store: st, Clock: &Clock{}, kiosks: map[string]server.Kiosk{}, refs: map[string]string{}}
	f.P = server.New(st, server.Options{Now: f.Clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Clock.Set("2025-12-01 09:00")
	set, err := data.ReadContentSet(strings.NewReader(content))
	f.check(err)
	_, err = f.P.Publish(f.ctx, set)
	f.check(err)
	for _, k := range []struct{ name, street string }{{"A1", StreetA}, {"B1", StreetB}} {
		kk, _, err := f.P.AddKiosk(f.ctx, k.street, k.name)
		f.check(err)
		f.kiosks[k.name] = kk
	}
	f.at("2025-12-29 10:00").file("A1", "c0", disclosureCase(StreetA, data.RequesterResearch))
	f.at("2026-01-06 10:00").reply("c0", data.ReplyDisclosed)
	f.at("2026-10-26 10:00").file("A1", "c8", appealCase(StreetA, data.AppealConsult))
	f.file("A1", "c9", appealCase(StreetA, data.AppealConsult))
	f.at("2026-11-02 09:00").publishNotice("n-nov", "十一月通知", data.Date{})
	f.publishNotice("n-exp", "限期通知", data.MustDate("2026-11-15"))
	f.at("2026-11-02 10:00").file("A1", "c1", appealCase(StreetA, data.AppealConsult))
	f.file("A1", "c2", appealCase(StreetA, data.AppealComplaint))
	f.at("2026-11-03 09:00").publishNotice("n-nov", "十一月通知（更新）", data.Date{})
	f.at("2026-11-03 10:00").reply("c1", "")
	f.move("c1", data.StatusCompleted)
	f.file("A1", "c3", disclosureCase(StreetA, data.RequesterCompany))
	f.at("2026-11-04 10:00").rate("A1", "c1", data.RatingVerySatisfied)
	f.move("c3", data.StatusCorrection)
	_, err = f.P.Unpublish(f.ctx, data.KindNotice, "n-a")
	f.check(err)
	f.at("2026-11-05 10:00").file("A1", "c4", disclosureCase(StreetA, data.RequesterPerson))
	f.at("2026-11-06 10:00").file("A1", "c7", appealCase(StreetA, data.AppealComplaint))
	f.at("2026-11-09 10:00").correct("A1", "c3")
	f.mergeInto("c7", "c2")
	f.at("2026-11-10 10:00").reply("c8", "")
	f.move("c8", data.StatusCompleted)
	f.file("B1", "b1", appealCase(StreetB, data.AppealConsult))
	f.at("2026-11-11 10:00").reply("b1", "")
	f.move("b1", data.StatusCompleted)
	f.at("2026-11-12 10:00").rate("A1", "c8", data.RatingUnsatisfied)
	f.rate("B1", "b1", data.RatingVeryUnsatisfied)
	f.opinion("A1", "o1")
	for _, d := range []string{"02", "03", "04", "05", "06", "09", "10", "11", "12", "13"} {
		f.at("2026-11-" + d + " 08:00").pull("A1")
	}
	f.at("2026-11-16 09:00")
	a2, _, err := f.P.AddKiosk(f.ctx, StreetA, "A2")
	f.check(err)
	f.kiosks["A2"] = a2
	f.at("2026-11-16 10:00").fileWeb("web-c10", applicationCase())
	for _, d := range []string{"17", "18", "19"} {
		f.at("2026-11-" + d + " 08:00").pull("A2")
	}
	f.at("2026-11-18 10:00").move("web-c10", data.StatusAccepted)
	f.move("web-c10", data.StatusCompleted)
	f.at("2026-11-19 10:00")
	inspector, _, err := f.P.AddUser(f.ctx, "监察员", []server.Role{server.RoleInspector}, nil, "")
	f.check(err)
	_, err = f.P.Supervise(f.ctx, inspector, f.refs["c9"], "请尽快答复")
	f.check(err)
	f.at("2026-11-20 10:00").reply("c2", "")
	f.move("c2", data.StatusCompleted)
	f.move("c4", data.StatusExtended)
	f.at("2026-11-25 10:00").reply("c3", data.ReplyWithheldSecret)
	f.at("2026-11-28 10:00")
	n, err := f.P.AutoRate(f.ctx)
	f.check(err)
	if n != 2 {
		t.Fatalf("AutoRate rated %d cases, want c2 and c10", n)
	}
	f.at("2026-11-30 23:30").file("A1", "c5", appealCase(StreetA, data.AppealHelp))
	f.at("2026-12-01 00:30").file("A1", "c6", appealCase(StreetA, data.AppealHelp))
	f.at("2026-12-01 10:00")
	for i := range data.ReplyTypes {
		f.file("B1", fmt.Sprintf("d%02d", i), disclosureCase(StreetB, data.Requesters[i%len(data.Requesters)]))
	}
	f.at("2026-12-02 10:00")
	for i, rt := range data.ReplyTypes {
		f.reply(fmt.Sprintf("d%02d", i), rt)
	}
	f.Clock.Set(ReportTime)
	return f
}

func (f *Fixture) check(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *Fixture) at(china string) *Fixture {
	f.Clock.Set(china)
	return f
}

// Ref is the reference of the case filed as id.
func (f *Fixture) Ref(id string) string { return f.refs[id] }

// A valid ID number (check character per GB 11643) and mobile.
const (
	idNumber = "440106199001011235"
	mobile   = "13800138000"
)

func appealCase(street string, t data.AppealType) data.Case {
	return data.Case{Kind: data.CaseAppeal, Street: street, AppealType: t, Description: "路灯不亮", Location: "六运三街",
		Applicant: &data.Person{Name: "张三", IDNumber: idNumber, Mobile: mobile}}
}

func disclosureCase(street string, r data.Requester) data.Case {
	return data.Case{Kind: data.CaseDisclosure, Street: street,
		Request:   &data.DisclosureRequest{Requester: r, Information: "某文件", Delivery: data.DeliveryPickup},
		Applicant: &data.Person{Name: "王五", IDNumber: idNumber, Mobile: mobile}}
}

func applicationCase() data.Case {
	return data.Case{Kind: data.CaseApplication, Street: StreetA, Service: "svc-a", Values: data.FormValues{"name": "李四"},
		Applicant: &data.Person{Name: "李四", IDNumber: idNumber, Mobile: mobile}}
}

func (f *Fixture) body(v any) []byte {
	b, err := json.Marshal(v)
	f.check(err)
	return b
}

func (f *Fixture) push(kiosk string, it wire.PushItem) wire.PushResult {
	f.t.Helper()
	res, err := f.P.Push(f.ctx, f.kiosks[kiosk], &wire.PushRequest{Items: []wire.PushItem{it}})
	f.check(err)
	if r := res.Results[0]; r.Outcome != wire.Accepted {
		f.t.Fatalf("push %s: %+v", it.ID, r)
	}
	return res.Results[0]
}

func (f *Fixture) file(kiosk, id string, c data.Case) *Fixture {
	f.t.Helper()
	c.ID, c.Status, c.SubmittedAt = id, data.StatusSubmitted, f.Clock.Now()
	f.refs[id] = f.push(kiosk, wire.PushItem{ID: id, Kind: wire.ItemCase, Body: f.body(c)}).Ref
	return f
}

func (f *Fixture) fileWeb(id string, c data.Case) {
	f.t.Helper()
	c.ID, c.Status, c.SubmittedAt = id, data.StatusSubmitted, f.Clock.Now()
	res, err := f.P.FileFromWeb(f.ctx, c.Street, wire.ItemCase, id, f.body(c))
	f.check(err)
	f.refs[id] = res.Ref
}

func (f *Fixture) move(id string, to data.Status) {
	f.t.Helper()
	_, err := f.P.MoveCase(f.ctx, server.CaseMove{Ref: f.refs[id], To: to, Reason: "依规办理"})
	f.check(wrap(id, err))
}

func (f *Fixture) reply(id string, rt data.ReplyType) {
	f.t.Helper()
	_, err := f.P.MoveCase(f.ctx, server.CaseMove{Ref: f.refs[id], To: data.StatusReplied, Reason: "答复如下", ReplyType: rt})
	f.check(wrap(id, err))
}

func (f *Fixture) mergeInto(id, into string) {
	f.t.Helper()
	_, err := f.P.MoveCase(f.ctx, server.CaseMove{Ref: f.refs[id], To: data.StatusMerged, Reason: "同一事项", Into: f.refs[into]})
	f.check(wrap(id, err))
}

func (f *Fixture) rate(kiosk, id string, r data.Rating) {
	f.push(kiosk, wire.PushItem{ID: "rate-" + id, Kind: wire.ItemRating, Body: f.body(wire.RatingBody{Case: id, Rating: r})})
}

func (f *Fixture) correct(kiosk, id string) {
	f.push(kiosk, wire.PushItem{ID: "corr-" + id, Kind: wire.ItemCorrection, Body: f.body(data.Correction{Case: id, Information: "补充文件名称"})})
}

func (f *Fixture) opinion(kiosk, id string) {
	o := data.Opinion{ID: id, Consultation: "zj-a", Topic: "t1", Text: "希望增加座椅", Anonymous: true, At: f.Clock.Now()}
	f.push(kiosk, wire.PushItem{ID: id, Kind: wire.ItemOpinion, Body: f.body(o)})
}

func (f *Fixture) pull(kiosk string) {
	f.t.Helper()
	_, err := f.P.Pull(f.ctx, f.kiosks[kiosk], wire.PullRequest{})
	f.check(err)
}

func (f *Fixture) publishNotice(id, title string, until data.Date) {
	f.t.Helper()
	today := data.DayInChina(f.Clock.Now())
	set := &data.ContentSet{Notices: []data.Notice{{ID: id, Street: StreetA, Title: title, Category: "通知",
		Publisher: "天河南街道", Published: today, Body: title, Until: until}}}
	_, err := f.P.Publish(f.ctx, set)
	f.check(err)
}

func wrap(id string, err error) error {
	if err != nil {
		return fmt.Errorf("case %s: %w", id, err)
	}
	return nil
}

func eq[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func ratio(n, d int) report.Ratio { return report.Ratio{Num: n, Den: d} }

// CheckStreetANovember checks every figure of street A's November 2026, as
// reportfixture.Build constructs it.
func CheckStreetANovember(t testing.TB, m report.Monthly) {
	t.Helper()
	eq(t, "name", m.Name, "天河南街道")
	eq(t, "as of", m.AsOf, data.MustDate("2026-11-30"))
	eq(t, "working days", m.WorkingDay, 21)
	c := m.Cases
	// c1 c2 c3 c4 c5 c7 c10; not c6 (00:30 on 1 December), not c8 c9 (October).
	eq(t, "received", c.Received, 7)
	// application, 咨询, 求助, 投诉, 举报, 建议, 意见, 依申请公开
	eq(t, "by type", c.ByType, []int{1, 1, 1, 2, 0, 0, 0, 2})
	eq(t, "by channel", c.ByChannel, []int{6, 1, 0, 0})
	eq(t, "application by channel", c.ByTypeChannel[0], []int{0, 1, 0, 0})
	eq(t, "completed", c.Completed, 5)                 // c1 c2 c3 c8 c10
	eq(t, "on time", c.OnTime, ratio(3, 5))            // c1 c3 c10
	eq(t, "overdue now", c.OverdueNow, 1)              // c9
	eq(t, "overdue during", c.OverdueDuring, 3)        // c2 c8 c9
	eq(t, "median", c.MedianDays, 11)                  // 1 2 11 12 14
	eq(t, "p90", c.P90Days, 14)                        // c2
	eq(t, "corrections", c.Corrections, 1)             // c3
	eq(t, "extensions", c.Extensions, 1)               // c4
	eq(t, "merged", c.Merged, 1)                       // c7
	eq(t, "supervision", m.Supervision, 1)             // c9
	eq(t, "ratings", c.Ratings, [5]int{0, 1, 2, 0, 1}) // c8 2, c2 c10 default 3, c1 5
	eq(t, "default ratings", c.RatingsDefault, 2)      // c2 c10
	eq(t, "satisfaction", c.Satisfaction, ratio(3, 4)) //
	eq(t, "content", m.Content[0], report.ContentRow{Kind: data.KindNotice, Label: "通知公告", Published: 2, Updated: 1, Withdrawn: 1})
	for _, r := range m.Content[1:] {
		eq(t, string(r.Kind), r.Published+r.Updated+r.Withdrawn, 0)
	}
	eq(t, "guides", m.Guides, 1)
	eq(t, "stale guides", m.GuidesStale, 0) // svc-a written 364 days before
	eq(t, "expired notices", m.NoticesExpired, 1)
	eq(t, "opinions", [2]int{m.OpinionsReceived, m.OpinionsAnswered}, [2]int{1, 0})
	eq(t, "kiosks", len(m.Kiosks), 2)
	if len(m.Kiosks) == 2 {
		eq(t, "A1", m.Kiosks[0].Synced, ratio(10, 30))
		eq(t, "A2", m.Kiosks[1].Synced, ratio(3, 15))
	}
	eq(t, "availability", m.Availability, ratio(13, 45))
}

// CheckQuarterQ4 checks the figures of the fourth quarter of 2026 that do
// not move with the district's clock (kiosk availability and the
// scores built on it do), as reportfixture.Build constructs them.
func CheckQuarterQ4(t testing.TB, q report.Quarterly) {
	t.Helper()
	eq(t, "quarter", q.Quarter, "2026Q4")
	eq(t, "from", q.From, data.MustDate("2026-10-01"))
	eq(t, "criteria", len(q.Criteria), 5)
	if q.Formula == "" {
		t.Error("no formula printed")
	}
	if len(q.Streets) != 2 {
		t.Fatalf("streets %+v", q.Streets)
	}
	a, b := q.Streets[0], q.Streets[1]
	eq(t, "streets", [2]string{a.Street, b.Street}, [2]string{StreetA, StreetB})
	eq(t, "ranks", [2]int{a.Rank, b.Rank}, [2]int{1, 2})
	eq(t, "previous ranks", [2]int{a.PreviousRank, b.PreviousRank}, [2]int{2, 1})
	parts := func(s report.StreetScore) map[string]report.Score {
		m := map[string]report.Score{}
		for _, p := range s.Parts {
			m[p.ID] = p
		}
		return m
	}
	pa, pb := parts(a), parts(b)
	eq(t, "A on time", pa["on_time"].Value, ratio(3, 5))
	eq(t, "A satisfaction", pa["satisfaction"].Value, ratio(3, 4))
	eq(t, "A freshness", pa["freshness"].Value, ratio(2, 5))
	eq(t, "A feedback", pa["feedback"].Value, ratio(0, 1))
	eq(t, "A points", [4]float64{pa["on_time"].Points, pa["satisfaction"].Points, pa["freshness"].Points, pa["feedback"].Points},
		[4]float64{18, 22.5, 6, 0})
	eq(t, "B on time", pb["on_time"].Value, ratio(len(data.ReplyTypes)+1, len(data.ReplyTypes)+1))
	eq(t, "B feedback", pb["feedback"].Value, ratio(0, 0))
}

// CheckStreetAYear checks every figure of street A's annual report for
// 2026 (the overview's text aside), every cell of its table included.
func CheckStreetAYear(t testing.TB, a report.Annual) {
	t.Helper()
	eq(t, "A street", a.Street, StreetA)
	eq(t, "A year received", a.Cases.Received, 10) // c1..c10 but c0
	eq(t, "A year on time", a.Cases.OnTime, ratio(4, 6))
	eq(t, "A notices published", a.Published[0].Published, 2)
	eq(t, "A live notices", a.Live["notice"], 2)
	want := map[string][report.NumCols]int{}
	set := func(key string, col, n int) {
		c := want[key]
		c[col] = n
		want[key] = c
	}
	set("new", report.ColPerson, 1)
	set("new", report.ColCompany, 1)
	set("new", report.ColTotal, 2)
	set("carried_in", report.ColResearch, 1)
	set("carried_in", report.ColTotal, 1)
	set("disclosed", report.ColResearch, 1)
	set("disclosed", report.ColTotal, 1)
	set("withheld.1", report.ColCompany, 1)
	set("withheld.1", report.ColTotal, 1)
	set("total", report.ColResearch, 1)
	set("total", report.ColCompany, 1)
	set("total", report.ColTotal, 2)
	set("carried_out", report.ColPerson, 1)
	set("carried_out", report.ColTotal, 1)
	for _, r := range a.Table.Rows {
		eq(t, "A row "+r.Key, r.Counts, want[r.Key])
	}
}

// CheckStreetBTable checks every cell of street B's table of 2026: one
// request per reply type, the requester kinds in turn.
func CheckStreetBTable(t testing.TB, b report.Annual) {
	t.Helper()
	rows := map[data.ReplyType]string{
		"already_public": "disclosed", "disclosed": "disclosed", "not_disclosed": "", "not_exist": "unavailable.1",
		"not_held": "unavailable.1", "repeat": "not_processed.2", "registration": "withheld.8", "partly_disclosed": "partly",
		"withheld_secret": "withheld.1", "withheld_law": "withheld.2", "withheld_safety": "withheld.3",
		"withheld_third_party": "withheld.4", "withheld_internal": "withheld.5", "withheld_process": "withheld.6",
		"withheld_enforcement": "withheld.7", "withheld_query": "withheld.8", "needs_making": "unavailable.2",
		"unclear": "unavailable.3", "petition": "not_processed.1", "publication": "not_processed.3",
		"excessive": "not_processed.4", "confirm": "not_processed.5", "no_correction": "other.1", "unpaid": "other.2", "other": "other.3",
	}
	cols := []int{report.ColPerson, report.ColCompany, report.ColResearch, report.ColNonprofit, report.ColLegalService, report.ColOtherOrg}
	want := map[string][report.NumCols]int{}
	inc := func(key string, col int) {
		c := want[key]
		c[col]++
		c[report.ColTotal]++
		want[key] = c
	}
	for i, rt := range data.ReplyTypes {
		col := cols[i%6]
		inc("new", col)
		inc("total", col)
		if rows[rt] != "" {
			inc(rows[rt], col)
		}
	}
	eq(t, "B street", b.Street, StreetB)
	for _, r := range b.Table.Rows {
		eq(t, "B row "+r.Key, r.Counts, want[r.Key])
	}
	eq(t, "B unclassified", b.Table.Unclassified, []string{"d02"})
}
