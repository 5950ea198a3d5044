package assets_test

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"jiezhen/assets"
	"jiezhen/data"
)

const (
	mainStreet  = "440106005" // 天河南街道
	otherStreet = "440106006" // 林和街道
	seedID      = "cat-gz-2012-16"
)

var demoToday = data.MustDate("2026-11-25")

// loadDemo reads every demo file strictly and merges them into one set.
func loadDemo(t *testing.T) *data.ContentSet {
	t.Helper()
	names, err := fs.Glob(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 7 {
		t.Fatalf("demo has %d files, want at least 7: %v", len(names), names)
	}
	all, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func TestDemoValidates(t *testing.T) {
	set := loadDemo(t)
	if err := set.Validate(demoToday); err != nil {
		if problems, ok := err.(data.ContentErrors); ok {
			for _, p := range problems {
				t.Error(p)
			}
			return
		}
		t.Fatal(err)
	}
	if _, err := set.Changes(); err != nil {
		t.Fatal(err)
	}
}

func TestDemoStreets(t *testing.T) {
	set := loadDemo(t)
	codes := map[string]data.Street{}
	for _, s := range set.Streets {
		codes[s.Code] = s
		if !s.Demo {
			t.Errorf("street %s %s is not marked demo", s.Code, s.Name)
		}
	}
	if s := codes[mainStreet]; s.Name != "天河南街道" || s.Address == "" || !strings.HasPrefix(s.Phone, "020-") || s.Hours == "" {
		t.Errorf("main street = %+v", s)
	}
	if codes[otherStreet].Name != "林和街道" {
		t.Errorf("second street = %+v", codes[otherStreet])
	}
	// Every item that names a street names a known one.
	check := func(kind, id, street string) {
		if street != "" {
			if _, ok := codes[street]; !ok {
				t.Errorf("%s %s: unknown street %q", kind, id, street)
			}
		}
	}
	for _, n := range set.Notices {
		check("notice", n.ID, n.Street)
	}
	for _, c := range set.Catalog {
		check("catalog", c.ID, c.Street)
	}
	for _, s := range set.Services {
		check("service", s.ID, s.Street)
	}
	for _, p := range set.Providers {
		check("provider", p.ID, p.Street)
	}
	for _, c := range set.Consultations {
		check("consultation", c.ID, c.Street)
	}
}

func TestDemoNotices(t *testing.T) {
	set := loadDemo(t)
	byStreet := map[string]int{}
	categories := map[string]bool{}
	explained := false
	for _, n := range set.Notices {
		byStreet[n.Street]++
		if n.Street == mainStreet {
			categories[n.Category] = true
		}
		if n.Title == "关于本机演示数据的说明" && n.Pinned && strings.Contains(n.Body, "演示数据") {
			explained = true
		}
	}
	if byStreet[mainStreet] < 12 {
		t.Errorf("%d notices for the main street, want at least 12", byStreet[mainStreet])
	}
	if byStreet[""] == 0 {
		t.Error("no district-wide notices")
	}
	if byStreet[otherStreet] != 3 {
		t.Errorf("%d notices for 林和街道, want 3", byStreet[otherStreet])
	}
	for _, c := range []string{"通知", "公告", "公示", "政策解读"} {
		if !categories[c] {
			t.Errorf("no %s among the main street's notices", c)
		}
	}
	if !explained {
		t.Error("no pinned notice explaining that the content is demo data")
	}
}

func TestDemoCatalog(t *testing.T) {
	set := loadDemo(t)
	if len(set.Catalog) < 20 {
		t.Errorf("%d catalogue entries, want at least 20", len(set.Catalog))
	}
	for _, c := range set.Catalog {
		if c.DocNo == "" || c.Topic == "" || len(c.Keywords) == 0 || c.Summary == "" ||
			c.Disclosure == "" || c.Timeframe == "" || c.Body == "" {
			t.Errorf("catalogue entry %s lacks metadata: %+v", c.ID, c)
		}
	}
	i := slices.IndexFunc(set.Catalog, func(c data.CatalogEntry) bool { return c.ID == seedID })
	if i < 0 {
		t.Fatalf("the seed document %s is missing", seedID)
	}
	seed := set.Catalog[i]
	if seed.DocNo != "穗府办〔2012〕16号" || seed.Publisher != "广州市人民政府办公厅" ||
		seed.Published != data.MustDate("2012-03-25") || seed.Street != "" {
		t.Errorf("seed metadata = %q %q %v street %q", seed.DocNo, seed.Publisher, seed.Published, seed.Street)
	}
	body := seed.Body
	if n := len([]rune(body)); n < 5000 {
		t.Errorf("seed body has %d characters, want the full text (over 5,000)", n)
	}
	// The seed writes 街(镇) with ASCII parentheses and commas.
	for _, want := range []string{
		"各区、县级市人民政府",
		"五、建设基层电子政务公开平台试点,打造城乡幸福社区",
		"街(镇)电子政务公开平台",
		"个体私营工商户",
		"广州市人民政府办公厅秘书处2012年3月29日印发",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("seed body lacks %q", want)
		}
	}
	for _, junk := range []string{"相关新闻", "当前位置", "分享到", "扫一扫"} {
		if strings.Contains(body, junk) {
			t.Errorf("seed body still has page furniture %q", junk)
		}
	}
}

func TestDemoServices(t *testing.T) {
	set := loadDemo(t)
	if len(set.Services) < 15 {
		t.Errorf("%d services, want at least 15", len(set.Services))
	}
	cats := map[data.PowerCategory]bool{}
	names := map[string]bool{}
	for _, s := range set.Services {
		cats[s.Category] = true
		names[s.Name] = true
		types := map[data.FieldType]bool{}
		for _, f := range s.Form.Fields {
			types[f.Type] = true
		}
		if len(s.Form.Fields) == 0 || !types[data.FieldIDNumber] || !types[data.FieldMobile] || !types[data.FieldText] {
			t.Errorf("service %s: form needs a name, an idnumber and a mobile field", s.ID)
		}
		if len(s.Basis) == 0 || len(s.Conditions) == 0 || len(s.Materials) == 0 || len(s.Procedure) == 0 ||
			s.Location == "" || s.Hours == "" || s.Fee == "" || s.ComplaintPhone == "" || len(s.FAQ) < 2 || s.URL == "" {
			t.Errorf("service %s: incomplete guide", s.ID)
		}
		if !s.OnTheSpot && s.LegalDays == 0 {
			t.Errorf("service %s: neither on the spot nor a legal time limit", s.ID)
		}
		if !strings.HasPrefix(s.URL, "https://jiezhen.example/") {
			t.Errorf("service %s: url %q is not on the example domain", s.ID, s.URL)
		}
	}
	for _, c := range data.PowerCategories {
		if !cats[c] {
			t.Errorf("no service in category %s", c)
		}
	}
	// The kiosk's 我要申报 shows every input: the online forms together
	// cover every field type, and at least two items can be applied for.
	online := 0
	covered := map[data.FieldType]bool{}
	for _, s := range set.Services {
		if s.Online {
			online++
			for _, f := range s.Form.Fields {
				covered[f.Type] = true
			}
		}
	}
	if online < 2 {
		t.Errorf("%d services can be applied for online, want at least 2", online)
	}
	for _, ft := range data.FieldTypes {
		if !covered[ft] {
			t.Errorf("no online form has a %s field", ft)
		}
	}
	for _, n := range []string{"来穗人员居住登记", "城乡居民医保参保登记", "老年人优待证办理", "临时救助申请", "残疾人证办理", "生育登记", "依申请公开政府信息"} {
		if !names[n] {
			t.Errorf("no service %s", n)
		}
	}
}

func TestDemoProviders(t *testing.T) {
	set := loadDemo(t)
	main, other := 0, 0
	cats := map[string]bool{}
	var allDay, lunchBreak, closedSunday, pastMidnight bool
	for _, p := range set.Providers {
		switch p.Street {
		case mainStreet:
			main++
			cats[p.Category] = true
		case otherStreet:
			other++
		}
		if p.Hours.Closed() {
			t.Errorf("provider %s has no hours", p.ID)
		}
		if p.Phone == "" {
			t.Errorf("provider %s has no phone", p.ID)
		}
		if digits := strings.TrimPrefix(p.Phone, "020-"); digits == p.Phone {
			if len(p.Phone) != 11 || p.Phone[0] != '1' || p.Phone[1] < '3' || p.Phone[1] > '9' {
				t.Errorf("provider %s: mobile %q is malformed", p.ID, p.Phone)
			}
		} else if len(digits) != 8 {
			t.Errorf("provider %s: landline %q is malformed", p.ID, p.Phone)
		}
		every := true
		for wd := range 7 {
			if len(p.Hours[wd]) != 1 || p.Hours[wd][0] != (data.Span{Start: 0, End: 24 * 60}) {
				every = false
			}
			if len(p.Hours[wd]) > 1 {
				lunchBreak = true
			}
			for _, s := range p.Hours[wd] {
				if s.Overnight() {
					pastMidnight = true
				}
			}
		}
		allDay = allDay || every
		if len(p.Hours[0]) == 0 && len(p.Hours[6]) > 0 {
			closedSunday = true
		}
	}
	if main < 60 || len(cats) < 8 {
		t.Errorf("main street has %d providers in %d categories, want at least 60 in 8", main, len(cats))
	}
	if other != 6 {
		t.Errorf("林和街道 has %d providers, want 6", other)
	}
	if !allDay || !lunchBreak || !closedSunday || !pastMidnight {
		t.Errorf("hours variety: 24h %v, lunch break %v, closed Sunday %v, past midnight %v", allDay, lunchBreak, closedSunday, pastMidnight)
	}
}

func TestDemoConsultations(t *testing.T) {
	set := loadDemo(t)
	if len(set.Consultations) != 3 {
		t.Fatalf("%d consultations, want 3", len(set.Consultations))
	}
	closed, open := 0, 0
	for _, c := range set.Consultations {
		if len(c.Topics) < 3 || strings.Count(c.Draft, "\n") < 2 {
			t.Errorf("consultation %s: want 3-4 topics and a draft of several paragraphs", c.ID)
		}
		if c.OpenOn(demoToday) {
			open++
		}
		if !c.ClosedOn(demoToday) {
			continue
		}
		closed++
		answered := map[string]bool{}
		outcomes := map[data.Outcome]bool{}
		for _, f := range c.Feedback {
			answered[f.Topic] = true
			outcomes[f.Outcome] = true
		}
		for _, tp := range c.Topics {
			if !answered[tp.ID] {
				t.Errorf("closed consultation %s has no feedback on topic %s", c.ID, tp.ID)
			}
		}
		for _, o := range []data.Outcome{data.OutcomeAdopted, data.OutcomePartly, data.OutcomeNotAdopted} {
			if !outcomes[o] {
				t.Errorf("closed consultation %s has no %s feedback", c.ID, o)
			}
		}
	}
	if closed != 1 || open < 1 {
		t.Errorf("%d closed and %d open consultations on %s, want 1 closed and at least 1 open", closed, open, demoToday)
	}
}

func TestDemoCalendars(t *testing.T) {
	set := loadDemo(t)
	years := map[int]data.CalendarYear{}
	for _, y := range set.Calendars {
		years[y.Year] = y
	}
	y26, ok26 := years[2026]
	y27, ok27 := years[2027]
	if !ok26 || !ok27 {
		t.Fatalf("calendar 2026 present %v, 2027 present %v; want both", ok26, ok27)
	}
	if y26.Demo || !strings.Contains(y26.Source, "国务院办公厅") {
		t.Errorf("2026 should follow the State Council notice and not be demo: %+v", y26)
	}
	if !y27.Demo {
		t.Error("2027 is a projection and must be marked demo")
	}
	if _, err := data.NewCalendar(set.Calendars...); err != nil {
		t.Fatal(err)
	}
	// Spot checks against the 2026 notice.
	holidays := map[data.Date]string{}
	for _, h := range y26.Holidays {
		for d := h.From; !h.To.Before(d); d = d.AddDays(1) {
			holidays[d] = h.Name
		}
	}
	for day, want := range map[string]string{"2026-02-15": "春节", "2026-02-23": "春节", "2026-10-07": "国庆节", "2026-05-05": "劳动节"} {
		if got := holidays[data.MustDate(day)]; got != want {
			t.Errorf("%s is %q, want %q", day, got, want)
		}
	}
	workdays := map[data.Date]bool{}
	for _, w := range y26.Workdays {
		workdays[w.Date] = true
	}
	for _, day := range []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"} {
		if !workdays[data.MustDate(day)] {
			t.Errorf("%s is not a make-up working day", day)
		}
	}
}
