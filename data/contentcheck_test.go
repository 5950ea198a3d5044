package data

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// goodSet is a small content set with one item of every kind, written as an
// admin would write the file.
const goodSet = `{
  "streets": [
    {"code": "440106011", "name": "天河南街道", "district": "天河区", "address": "天河南二路", "phone": "020-12345678", "hours": "周一至周五 08:30-12:00 14:00-17:30"}
  ],
  "notices": [
    {"id": "n2", "street": "440106011", "title": "关于开展长者饭堂登记的通知", "category": "通知", "publisher": "天河南街道办事处", "published": "2026-03-02", "body": "……"},
    {"id": "n1", "title": "春节期间服务安排", "category": "公告", "publisher": "天河区政务服务中心", "published": "2026-02-10", "body": "……",
     "attachments": [{"name": "安排表", "url": "https://example.invalid/a.pdf"}]}
  ],
  "catalog": [
    {"id": "c1", "index_no": "007482910/2012-00016", "title": "关于推进街镇政务公开的意见", "publisher": "广州市人民政府办公厅",
     "topic": "政务公开", "doc_no": "穗府办〔2012〕16号", "written": "2012-04-27", "published": "2012-05-02", "validity": "in_force", "keywords": ["政务公开"], "summary": "", "disclosure": "主动公开", "timeframe": "常年公开", "body": ""}
  ],
  "services": [
    {"id": "s1", "code": "440106011-001", "name": "长者饭堂助餐登记", "category": "public", "department": "天河南街道社区服务中心",
     "audience": "60岁以上户籍长者", "basis": [], "conditions": [], "procedure": ["提交申请", "审核"], "location": "一楼大厅", "hours": "工作日",
     "materials": [{"name": "身份证", "form": "original_and_copy", "count": 1, "required": true}],
     "on_the_spot": false, "legal_days": 20, "promised_days": 5, "fee": "不收费", "fee_basis": "", "phone": "020-12345678、12345",
     "complaint_phone": "12345", "visits": 0, "online": true,
     "form": {"fields": [
       {"code": "name", "label": "姓名", "type": "text", "required": true},
       {"code": "id", "label": "身份证号码", "type": "idnumber", "required": true},
       {"code": "meal", "label": "用餐时段", "type": "multichoice", "required": true, "choices": ["午餐", "晚餐"]}
     ]}}
  ],
  "providers": [
    {"id": "p1", "street": "440106011", "name": "天河南长者饭堂", "kind": "convenience", "category": "长者饭堂", "address": "天河南一路",
     "phone": "020-87654321", "hours": {"mon": ["11:00-13:30", "17:00-19:00"], "sat": ["11:00-13:30"]}, "services": ["助餐"]}
  ],
  "consultations": [
    {"id": "k1", "title": "社区公园改造方案征求意见", "publisher": "天河南街道办事处", "draft": "……", "opens": "2026-01-05", "closes": "2026-01-30",
     "topics": [{"id": "t1", "title": "健身区"}, {"id": "t2", "title": "儿童游乐区"}],
     "feedback": [{"topic": "t1", "outcome": "adopted", "reason": "增设长者健身器材", "opinions": 12},
                  {"topic": "t2", "outcome": "not_adopted", "reason": "场地不足", "opinions": 3}]}
  ],
  "calendars": [
    {"year": 2026, "source": "国务院办公厅通知", "holidays": [{"name": "春节", "from": "2026-02-15", "to": "2026-02-23"}],
     "workdays": [{"date": "2026-02-14", "for": "春节"}, {"date": "2026-02-28", "for": "春节"}]}
  ]
}
`

var publishDay = MustDate("2026-03-10")

func readGood(t *testing.T) *ContentSet {
	t.Helper()
	s, err := ReadContentSet(strings.NewReader(goodSet))
	if err != nil {
		t.Fatalf("ReadContentSet(goodSet): %v", err)
	}
	return s
}

func TestReadContentSet(t *testing.T) {
	s := readGood(t)
	if len(s.Streets) != 1 || len(s.Notices) != 2 || len(s.Catalog) != 1 || len(s.Services) != 1 ||
		len(s.Providers) != 1 || len(s.Consultations) != 1 || len(s.Calendars) != 1 {
		t.Fatalf("read %+v", s)
	}
	if f := s.Services[0].Form.Fields[2]; f.Type != FieldMultiChoice || len(f.Choices) != 2 {
		t.Errorf("form field = %+v", f)
	}
	if got := s.Providers[0].Hours.Summary(ZH); got != "周一 11:00-13:30 17:00-19:00；周二至周五休息；周六 11:00-13:30；周日休息" {
		t.Errorf("provider hours = %q", got)
	}
	if s.Calendars[0].Workdays[1].Date != MustDate("2026-02-28") {
		t.Errorf("calendar = %+v", s.Calendars[0])
	}
	if err := s.Validate(publishDay); err != nil {
		t.Errorf("Validate(goodSet) = %v", err)
	}
}

func TestReadContentSetErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "  \n", "the input is empty"},
		{"not an object", `[]`, "line 1 col 1: want an object"},
		{"unknown section", `{"notice": []}`, `line 1 col 2: unknown section "notice"`},
		{"section twice", "{\"notices\": [],\n \"notices\": []}", `line 2 col 2: section "notices" is given twice`},
		{"section not a list", `{"notices": {"id": "n1"}}`, `section "notices": want a list`},
		{"unknown field", "{\"notices\": [\n  {\"id\": \"n1\"},\n  {\"id\": \"n2\", \"titel\": \"x\"}\n]}",
			`line 3 col 3: notices[1] (id "n2"): unknown field "titel"`},
		{"unknown nested field", `{"services": [{"id": "s1", "form": {"fields": [{"code": "a", "kind": "text"}]}}]}`,
			`services[0] (id "s1"): unknown field "kind"`},
		{"wrong type", `{"services": [{"id": "s1", "legal_days": "20"}]}`,
			`services[0] (id "s1"): field "legal_days": want a number, got a string`},
		{"impossible date", `{"notices": [{"id": "n1", "published": "2026-02-29"}]}`,
			`notices[0] (id "n1"): date "2026-02-29": want YYYY-MM-DD with a real day`},
		{"bad hours", `{"providers": [{"id": "p1", "hours": {"mon": ["8:00-12:00"]}}]}`,
			`providers[0] (id "p1"): hours mon: span "8:00-12:00"`},
		{"unknown day", `{"providers": [{"id": "p1", "hours": {"monday": []}}]}`, `unknown day "monday"`},
		{"street named by code", `{"streets": [{"code": "440106011", "nam": "x"}]}`, `streets[0] (id "440106011"): unknown field "nam"`},
		{"calendar named by year", `{"calendars": [{"year": 2026, "holiday": []}]}`, `calendars[0] (id 2026): unknown field "holiday"`},
		{"syntax error in item", "{\"notices\": [\n  {\"id\": \"n1\" \"title\": \"x\"}\n]}",
			`line 2 col 15: notices[0]: invalid character '"' after object key:value pair`},
		{"trailing data", "{\"notices\": []}\n{\"notices\": []}", "line 1 col 16: unexpected data after the end of the content set"},
		{"trailing garbage", `{"notices": []} x`, "unexpected data after the end"},
		{"cut short", `{"notices": [{"id": "n1"}`, "the input ends in the middle"},
		{"cut short in item", `{"notices": [{"id": `, "notices[0]"},
	}
	for _, tt := range tests {
		s, err := ReadContentSet(strings.NewReader(tt.in))
		if err == nil || s != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ReadContentSet = %v, %v; want an error mentioning %q", tt.name, s, err, tt.want)
		}
	}
	// Trailing white space is not trailing data, and null sections are empty.
	if _, err := ReadContentSet(strings.NewReader("{\"notices\": null}\n\n")); err != nil {
		t.Errorf("null section: %v", err)
	}
}

func TestValidateProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *ContentSet)
		want   string
	}{
		{"notice without id", func(s *ContentSet) { s.Notices[0].ID = "" }, `notice "": id is empty`},
		{"duplicate notice id", func(s *ContentSet) { s.Notices[1].ID = "n2" }, `notice "n2": id is used twice`},
		{"notice without title", func(s *ContentSet) { s.Notices[0].Title = " " }, `notice "n2": title is empty`},
		{"notice from the future", func(s *ContentSet) { s.Notices[0].Published = MustDate("2026-03-11") }, `notice "n2": published 2026-03-11 is after today (2026-03-10)`},
		{"notice without date", func(s *ContentSet) { s.Notices[0].Published = Date{} }, `notice "n2": published is missing`},
		{"attachment without url or file", func(s *ContentSet) { s.Notices[1].Attachments[0].URL = "" }, `notice "n1": attachment "安排表" needs a url or a file`},
		{"attachment without name", func(s *ContentSet) { s.Notices[1].Attachments[0].Name = "" }, `notice "n1": attachment "https://example.invalid/a.pdf" has no name`},
		{"file with a short sha256", func(s *ContentSet) { a := shipped(); a.SHA256 = "abc"; s.Notices[1].Attachments[0] = a },
			`notice "n1": attachment "表格.pdf": sha256 "abc" is not 64 lower-case hex digits`},
		{"file of another type", func(s *ContentSet) { a := shipped(); a.Type = "application/msword"; s.Notices[1].Attachments[0] = a },
			`notice "n1": attachment "表格.pdf": type "application/msword" is not application/pdf, image/png or image/jpeg`},
		{"file too large", func(s *ContentSet) { a := shipped(); a.Size = MaxAttachmentSize + 1; s.Notices[1].Attachments[0] = a },
			`notice "n1": attachment "表格.pdf": size 10485761 is not between 1 and 10485760 bytes`},
		{"file path not its hash", func(s *ContentSet) { a := shipped(); a.File = "files/form.pdf"; s.Notices[1].Attachments[0] = a },
			`notice "n1": attachment "表格.pdf": file "files/form.pdf" should be "files/` + shippedSum + `.pdf"`},
		{"hash without file", func(s *ContentSet) {
			a := shipped()
			a.File = ""
			a.URL = "https://example.invalid/a.pdf"
			s.Notices[1].Attachments[0] = a
		},
			`notice "n1": attachment "表格.pdf" has sha256, size or type but no file`},
		{"template of another type", func(s *ContentSet) {
			a := shipped()
			a.Type = "image/gif"
			s.Services[0].Materials[0].Template = &a
		}, `service "s1": material "身份证": template: attachment "表格.pdf": type "image/gif" is not`},
		{"catalog without index", func(s *ContentSet) { s.Catalog[0].IndexNo = "" }, `catalog "c1": index_no is empty`},
		{"written after published", func(s *ContentSet) { s.Catalog[0].Written = MustDate("2012-05-03") },
			`catalog "c1": written 2012-05-03 is after published 2012-05-02`},
		{"written on no real day", func(s *ContentSet) { s.Catalog[0].Written = Date{2012, 2, 30} }, `catalog "c1": written 2012-02-30 is not a real day`},
		{"validity in words", func(s *ContentSet) { s.Catalog[0].Validity = "有效" },
			`catalog "c1": validity "有效" is not one of [in_force expired repealed]`},
		{"validity on two lines", func(s *ContentSet) { s.Catalog[0].Validity = "in_force\nexpired" }, `catalog "c1": field "validity"`},
		{"service without name", func(s *ContentSet) { s.Services[0].Name = "" }, `service "s1": name is empty`},
		{"unknown category", func(s *ContentSet) { s.Services[0].Category = "审批服务" }, `service "s1": category "审批服务" is not one of`},
		{"promise beyond the law", func(s *ContentSet) { s.Services[0].PromisedDays = 25 }, `promised_days 25 is longer than legal_days 20`},
		{"letters for a phone", func(s *ContentSet) { s.Services[0].Phone = "call us" }, `service "s1": phone "call us" does not look like a phone number`},
		{"too short a phone", func(s *ContentSet) { s.Services[0].ComplaintPhone = "110" }, `complaint_phone "110"`},
		{"service needs a phone", func(s *ContentSet) { s.Services[0].Phone = "" }, `service "s1": phone is empty`},
		{"bad material form", func(s *ContentSet) { s.Services[0].Materials[0].Form = "scan" }, `material "身份证": unknown form "scan"`},
		{"bad form schema", func(s *ContentSet) { s.Services[0].Form.Fields[2].Choices = nil }, `service "s1": form field 3 "meal": a multichoice field needs choices`},
		{"online without form", func(s *ContentSet) { s.Services[0].Form.Fields = nil }, `service "s1": it can be applied for online but its form has no fields`},
		{"unknown provider kind", func(s *ContentSet) { s.Providers[0].Kind = "shop" }, `provider "p1": kind "shop"`},
		{"overlapping hours", func(s *ContentSet) {
			s.Providers[0].Hours[1] = append(s.Providers[0].Hours[1], Span{Start: 780, End: 900})
		}, `provider "p1": hours mon: 11:00-13:30 overlaps 13:00-15:00`},
		{"consultation closes before it opens", func(s *ContentSet) { s.Consultations[0].Closes = MustDate("2026-01-04") },
			`consultation "k1": closes 2026-01-04 is before opens 2026-01-05`},
		{"feedback while still open", func(s *ContentSet) { s.Consultations[0].Closes = MustDate("2026-03-10") },
			`consultation "k1": it has feedback but is open until 2026-03-10`},
		{"feedback on a missing topic", func(s *ContentSet) { s.Consultations[0].Feedback[1].Topic = "t9" }, `feedback on topic "t9", which it does not have`},
		{"feedback without reason", func(s *ContentSet) { s.Consultations[0].Feedback[0].Reason = "" }, `feedback on topic "t1" gives no reason`},
		{"unknown outcome", func(s *ContentSet) { s.Consultations[0].Feedback[0].Outcome = "rejected" }, `feedback on topic "t1": unknown outcome "rejected"`},
		{"duplicate topic", func(s *ContentSet) { s.Consultations[0].Topics[1].ID = "t1" }, `topic id "t1" is used twice`},
		{"calendar with a weekday make-up", func(s *ContentSet) { s.Calendars[0].Workdays[0].Date = MustDate("2026-02-13") },
			`calendar "2026": calendar 2026: make-up working day 2026-02-13 is a Friday`},
		{"calendar too far ahead", func(s *ContentSet) {
			s.Calendars[0].Year = 2028
			s.Calendars[0].Holidays = nil
			s.Calendars[0].Workdays = nil
		},
			`calendar "2028": year 2028 is too far ahead`},
		{"duplicate calendar", func(s *ContentSet) { s.Calendars = append(s.Calendars, s.Calendars[0]) }, `calendar "2026": id is used twice`},
		{"street code", func(s *ContentSet) { s.Streets[0].Code = "4401" }, `street "4401": code "4401" is not a 9- or 12-digit township code`},
		{"street without name", func(s *ContentSet) { s.Streets[0].Name = "" }, `street "440106011": name is empty`},
		{"impossible date built in code", func(s *ContentSet) { s.Catalog[0].Published = Date{2026, 2, 29} }, `catalog "c1": published 2026-02-29 is not a real day`},
	}
	for _, tt := range tests {
		s := readGood(t)
		tt.change(s)
		err := s.Validate(publishDay)
		var ce ContentErrors
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate = %v, want a ContentErrors mentioning %q", tt.name, err, tt.want)
		}
	}
}

// Each problem of one field names that field's path in the item, so that
// a form can show it next to the field.
func TestValidateProblemFields(t *testing.T) {
	tests := []struct {
		change func(s *ContentSet)
		field  string
	}{
		{func(s *ContentSet) { s.Notices[0].Title = "" }, "title"},
		{func(s *ContentSet) { s.Notices[0].Title = strings.Repeat("长", 201) }, "title"},
		{func(s *ContentSet) { s.Notices[1].Attachments[0].Name = "" }, "attachments[0]"},
		{func(s *ContentSet) { s.Catalog[0].Written = MustDate("2012-05-03") }, "written"},
		{func(s *ContentSet) { s.Services[0].PromisedDays = 25 }, "promised_days"},
		{func(s *ContentSet) { s.Services[0].Materials[0].Form = "scan" }, "materials[0].form"},
		{func(s *ContentSet) { s.Services[0].Form.Fields[2].Choices = nil }, "form.fields[2].choices"},
		{func(s *ContentSet) { s.Services[0].Form.Fields[2].Choices[1] = "" }, "form.fields[2].choices[1]"},
		{func(s *ContentSet) { s.Services[0].Conditions = []string{"a", strings.Repeat("长", 5001)} }, "conditions[1]"},
		{func(s *ContentSet) {
			s.Providers[0].Hours[1] = append(s.Providers[0].Hours[1], Span{Start: 780, End: 900})
		}, "hours.mon"},
		{func(s *ContentSet) { s.Consultations[0].Feedback[1].Reason = "" }, "feedback[1].reason"},
		{func(s *ContentSet) { s.Consultations[0].Topics[1].Title = " " }, "topics[1].title"},
		{func(s *ContentSet) { s.Calendars[0].Workdays[0].Date = MustDate("2026-02-13") }, "holidays"},
	}
	for _, tt := range tests {
		s := readGood(t)
		tt.change(s)
		var ce ContentErrors
		if err := s.Validate(publishDay); !errors.As(err, &ce) || len(ce) != 1 || ce[0].Field != tt.field {
			t.Errorf("Validate = %#v, want one problem of field %q", err, tt.field)
		}
	}
}

// A catalogue entry may be published the day it was written, and may
// leave its written date and validity unstated.
func TestValidateCatalogDates(t *testing.T) {
	s := readGood(t)
	if c := s.Catalog[0]; c.Written != MustDate("2012-04-27") || c.Validity != ValidityInForce {
		t.Fatalf("read written %v and validity %q", c.Written, c.Validity)
	}
	s.Catalog[0].Written = s.Catalog[0].Published
	if err := s.Validate(publishDay); err != nil {
		t.Errorf("written on the day it was published: %v", err)
	}
	s.Catalog[0].Written, s.Catalog[0].Validity = Date{}, ""
	if err := s.Validate(publishDay); err != nil {
		t.Errorf("without a written date or validity: %v", err)
	}
	for _, v := range Validities {
		s.Catalog[0].Validity = v
		if err := s.Validate(publishDay); err != nil {
			t.Errorf("validity %q: %v", v, err)
		}
		if v.Label(ZH) == string(v) || v.Label(EN) == string(v) {
			t.Errorf("validity %q has no label", v)
		}
	}
}

const shippedSum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// shipped is an attachment the district ships, as `districtd attach`
// prints it.
func shipped() Attachment {
	return Attachment{Name: "表格.pdf", File: "files/" + shippedSum + ".pdf", SHA256: shippedSum, Size: 4, Type: "application/pdf"}
}

func TestValidateShippedAttachments(t *testing.T) {
	s := readGood(t)
	s.Notices[1].Attachments = append(s.Notices[1].Attachments, shipped())
	withURL := shipped()
	withURL.URL = "https://example.invalid/form.pdf"
	s.Services[0].Materials[0].Template = &withURL
	if err := s.Validate(publishDay); err != nil {
		t.Fatalf("a file alone, and a file with a url, should be valid: %v", err)
	}
	changes, err := s.Changes()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		files, err := ShippedFiles(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			got = append(got, string(c.Kind)+" "+c.ID+" "+f.File)
		}
	}
	want := []string{"notice n1 files/" + shippedSum + ".pdf", "service s1 files/" + shippedSum + ".pdf"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ShippedFiles = %q, want %q", got, want)
	}
	del := Change{Kind: KindNotice, ID: "n1", Op: OpDelete}
	if files, err := ShippedFiles(del); err != nil || len(files) != 0 {
		t.Fatalf("a deletion refers to no file: %v %v", files, err)
	}
}

func TestValidateZeroToday(t *testing.T) {
	s := readGood(t)
	s.Notices[0].Published = MustDate("2099-01-01")
	s.Consultations[0].Closes = MustDate("2099-01-01")
	if err := s.Validate(Date{}); err != nil {
		t.Errorf("with no today, date-relative checks should be skipped: %v", err)
	}
}

func TestContentErrorsMessage(t *testing.T) {
	var e ContentErrors
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		e = append(e, ContentProblem{Kind: KindNotice, ID: id, Problem: "title is empty"})
	}
	want := `content set has 7 problems: notice "a": title is empty; notice "b": title is empty; notice "c": title is empty; ` +
		`notice "d": title is empty; notice "e": title is empty; and 2 more`
	if e.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", e.Error(), want)
	}
	if got := e[:1].Error(); got != `content set has 1 problem: notice "a": title is empty` {
		t.Errorf("Error() = %s", got)
	}
}

func TestChanges(t *testing.T) {
	s := readGood(t)
	changes, err := s.Changes()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range changes {
		order = append(order, string(c.Kind)+":"+c.ID)
		if c.Op != OpUpsert || c.Version != 1 || c.Seq != 0 || len(c.Body) == 0 {
			t.Errorf("change %s %s = %+v", c.Kind, c.ID, c)
		}
	}
	want := "notice:n1 notice:n2 catalog:c1 service:s1 provider:p1 consultation:k1 calendar:2026 street:440106011"
	if strings.Join(order, " ") != want {
		t.Errorf("order = %v, want %s", order, want)
	}

	// Bodies decode back to the items, strictly.
	var n Notice
	dec := json.NewDecoder(strings.NewReader(string(changes[0].Body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil || n.ID != "n1" || n.Published != MustDate("2026-02-10") || n.Attachments[0].Name != "安排表" {
		t.Errorf("notice body %s: %+v, %v", changes[0].Body, n, err)
	}
	var p Provider
	if err := json.Unmarshal(changes[4].Body, &p); err != nil || p.Hours.String() != s.Providers[0].Hours.String() {
		t.Errorf("provider body %s: %v", changes[4].Body, err)
	}
	var y CalendarYear
	if err := json.Unmarshal(changes[6].Body, &y); err != nil || y.Year != 2026 || len(y.Workdays) != 2 {
		t.Errorf("calendar body %s: %v", changes[6].Body, err)
	}

	// The same set in another order gives the same feed.
	s.Notices[0], s.Notices[1] = s.Notices[1], s.Notices[0]
	again, err := s.Changes()
	if err != nil {
		t.Fatal(err)
	}
	for i := range changes {
		if changes[i].ID != again[i].ID || string(changes[i].Body) != string(again[i].Body) {
			t.Errorf("change %d differs after reordering the input: %s vs %s", i, changes[i].ID, again[i].ID)
		}
	}
}

func TestChangesErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *ContentSet)
		want   string
	}{
		{"empty id", func(s *ContentSet) { s.Catalog[0].ID = "" }, "catalog with an empty id"},
		{"duplicate id", func(s *ContentSet) { s.Notices[1].ID = "n2" }, `notice "n2" is given twice`},
		{"duplicate year", func(s *ContentSet) { s.Calendars = append(s.Calendars, s.Calendars[0]) }, `calendar "2026" is given twice`},
		{"unmarshallable hours", func(s *ContentSet) { s.Providers[0].Hours[0] = []Span{{}} }, `provider "p1"`},
	}
	for _, tt := range tests {
		s := readGood(t)
		tt.change(s)
		changes, err := s.Changes()
		if err == nil || changes != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Changes = %d changes, %v; want an error mentioning %q", tt.name, len(changes), err, tt.want)
		}
	}
}

func TestPlausiblePhone(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"020-12345678", true},
		{"(020) 1234 5678", true},
		{"+86 20 12345678", true},
		{"12345", true},
		{"13800138000", true},
		{"020-12345678、020-87654321", true},
		{"020-12345678转8001", true},
		{"转8001", false},
		{"110", false},
		{"", false},
		{"、", false},
		{"tel:12345", false},
	}
	for _, tt := range tests {
		if got := plausiblePhone(tt.in); got != tt.ok {
			t.Errorf("plausiblePhone(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}
