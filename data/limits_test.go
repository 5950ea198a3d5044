package data

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCheckID(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want string // "" for a good id
	}{
		{"svc-linshi-jiuzhu", ""},
		{"case-0123456789abcdef0123456789abcdef", ""},
		{"440106005", ""},
		{"n_1.v2", ""},
		{"", "is empty"},
		{"../../etc/passwd", "may hold only"},
		{"<script>alert(1)</script>", "may hold only"},
		{".hidden", "may hold only"},
		{"-flag", "may hold only"},
		{"a b", "may hold only"},
		{"a\x00b", "may hold only"},
		{"通知1", "may hold only"},
		{"a/b", "may hold only"},
		{strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 65), "longer than 64"},
	} {
		err := CheckID(tt.id)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckID(%q) = %v, want nil", tt.id, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckID(%q) = %v, want %q", tt.id, err, tt.want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tt := range []struct {
		url  string
		want string
	}{
		{"https://www.gz.gov.cn/zwfw/form.pdf", ""},
		{"http://example.org/a?b=c#d", ""},
		{"file:///etc/passwd", "must start with https: or http:"},
		{"javascript:alert(1)", "must start with https: or http:"},
		{"JavaScript:alert(1)", "must start with https: or http:"},
		{"data:text/html;base64,PHNjcmlwdD4=", "must start with https: or http:"},
		{"//example.org/x", "must start with https: or http:"},
		{"/relative/path", "must start with https: or http:"},
		{"https://", "has no host"},
		{"https://example.org/a b", "space or a control character"},
		{"https://example.org/\x00", "space or a control character"},
		{"https://example.org/" + strings.Repeat("a", 2048), "longer than 2048"},
	} {
		err := CheckURL(tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v, want nil", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckURL(%.40q) = %v, want %q", tt.url, err, tt.want)
		}
	}
}

// TestCheckFields: every string field of an item keeps its class's
// length, characters and form, and the problem names the field.
func TestCheckFields(t *testing.T) {
	huge := strings.Repeat("参", 900000)
	goodCase := func() Case {
		return Case{ID: "case-1", Ref: "007-20261125-0001-K", Kind: CaseAppeal, Street: "440106005", Status: StatusSubmitted,
			Applicant: &Person{Name: "王小明", Mobile: "13912345678"}, AppealType: AppealHelp,
			Description: "楼道灯坏了\n请尽快维修", Values: FormValues{"family_size": "3"}}
	}
	for _, tt := range []struct {
		name string
		edit func(*Case)
		want string // "" for no problem
	}{
		{"good", func(*Case) {}, ""},
		{"huge ref", func(c *Case) { c.Ref = huge }, `field "ref" is longer than 200 characters`},
		{"huge name", func(c *Case) { c.Applicant.Name = huge }, `field "applicant.name" is longer than 100 characters`},
		{"name at the limit", func(c *Case) { c.Applicant.Name = strings.Repeat("王", 100) }, ""},
		{"name over the limit", func(c *Case) { c.Applicant.Name = strings.Repeat("王", 101) }, `field "applicant.name" is longer than 100 characters`},
		{"NUL in a name", func(c *Case) { c.Applicant.Name = "王\x00明" }, `field "applicant.name" contains a line break or a control character`},
		{"line break in a name", func(c *Case) { c.Applicant.Name = "王\n明" }, `field "applicant.name" contains a line break`},
		{"NUL in free text", func(c *Case) { c.Description = "灯\x00坏了" }, `field "description" contains a control character`},
		{"escape in free text", func(c *Case) { c.Description = "\x1b[2J" }, `field "description" contains a control character`},
		{"free text over 5000", func(c *Case) { c.Description = strings.Repeat("灯", 5001) }, `field "description" is longer than 5000 characters`},
		{"path as id", func(c *Case) { c.ID = "../../etc/passwd" }, `field "id" may hold only`},
		{"script as id", func(c *Case) { c.Service = "<script>" }, `field "service" may hold only`},
		{"bad value code", func(c *Case) { c.Values["../x"] = "1" }, `field "values.../x" may hold only`},
		{"huge value", func(c *Case) { c.Values["family_size"] = huge }, `field "values.family_size" is longer than 5000`},
		{"correction note", func(c *Case) { c.Corrections = []Correction{{Case: "case-1", Note: huge}} }, `field "corrections[0].note" is longer`},
	} {
		c := goodCase()
		tt.edit(&c)
		err := CheckFields(c)
		var p *FieldProblem
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want no problem", tt.name, err)
		case tt.want != "" && (err == nil || !errors.As(err, &p) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		case err != nil && len(err.Error()) > 200:
			t.Errorf("%s: the problem is %d bytes long", tt.name, len(err.Error()))
		}
	}
	if err := CheckFields(&Opinion{ID: "o-1", Consultation: "c/1"}); err == nil || !strings.Contains(err.Error(), `field "consultation"`) {
		t.Errorf("opinion with a path as consultation: %v", err)
	}
}

// TestStringFieldsDeclareLimits: every string field of every item type
// names its class, so a new field cannot go unchecked by mistake.
func TestStringFieldsDeclareLimits(t *testing.T) {
	var walk func(typ reflect.Type, path string)
	seen := map[reflect.Type]bool{}
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] || typ.Implements(jsonMarshaler) {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			sf := typ.Field(i)
			ft := sf.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.String {
				c := Limit(sf.Tag.Get("limit"))
				if _, ok := Limits[c]; !ok {
					t.Errorf("%s.%s has no known limit class (%q)", typ, sf.Name, c)
				}
			}
			walk(sf.Type, path+"."+sf.Name)
		}
	}
	for _, v := range []any{Street{}, Notice{}, CatalogEntry{}, ServiceItem{}, Provider{}, Consultation{},
		CalendarYear{}, Staff{}, Case{}, Correction{}, Opinion{}} {
		walk(reflect.TypeOf(v), "")
	}
}

func TestFormRules(t *testing.T) {
	today := MustDate("2026-11-25")
	form := FormSchema{Fields: []FormField{
		{Code: "family_size", Label: "家庭人口数", Type: FieldNumber, Min: NewBound(1), Max: NewBound(30), Whole: true},
		{Code: "income", Label: "月收入", Type: FieldNumber},
		{Code: "happened_on", Label: "困难发生日期", Type: FieldDate, When: DatePast, Years: 2},
		{Code: "birth_date", Label: "出生日期", Type: FieldDate},
		{Code: "appointment", Label: "预约日期", Type: FieldDate, When: DateFuture, Years: 1},
		{Code: "any_day", Label: "日期", Type: FieldDate},
		{Code: "name", Label: "姓名", Type: FieldText},
		{Code: "story", Label: "说明", Type: FieldLongText},
		{Code: "help", Label: "帮助", Type: FieldMultiChoice, Choices: []string{"生活费用", "医疗费用"}},
	}}
	if err := form.Check(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		code, val string
		want      Reason
		detail    string
	}{
		{"family_size", "3", "", ""},
		{"family_size", "1", "", ""},
		{"family_size", "30", "", ""},
		{"family_size", "-3", ReasonRange, `field "family_size" must be a number from 1 to 30`},
		{"family_size", "0", ReasonRange, ""},
		{"family_size", "31", ReasonRange, ""},
		{"family_size", "2.5", ReasonWhole, `field "family_size" must be a whole number`},
		{"income", "1500.5", "", ""},
		{"income", "-1", ReasonRange, `field "income" must be a number from 0 to 1000000000`},
		{"income", "99999999999", ReasonRange, ""},
		{"happened_on", "2026-11-25", "", ""},
		{"happened_on", "2025-01-01", "", ""},
		{"happened_on", "2026-11-26", ReasonAfterToday, `field "happened_on" must not be after today`},
		{"happened_on", "2099-01-01", ReasonAfterToday, ""},
		{"happened_on", "2024-11-24", ReasonDateWindow, `field "happened_on" is more than 2 years from today`},
		{"birth_date", "1949-10-01", "", ""},
		{"birth_date", "2027-01-01", ReasonAfterToday, ""},
		{"birth_date", "1870-01-01", ReasonDateWindow, `field "birth_date" is more than 150 years from today`},
		{"appointment", "2026-11-25", "", ""},
		{"appointment", "2026-12-01", "", ""},
		{"appointment", "2026-11-24", ReasonBeforeToday, `field "appointment" must not be before today`},
		{"appointment", "2028-01-01", ReasonDateWindow, ""},
		{"any_day", "2030-01-01", "", ""},
		{"any_day", "3026-01-01", ReasonDateWindow, ""},
		{"name", "王小明", "", ""},
		{"name", "王\x00明", ReasonControl, `field "name" contains a line break or a control character`},
		{"name", "王\n明", ReasonControl, ""},
		{"name", "王\u202e明", "", ""}, // a format character is text, not a control character
		{"story", "第一行\n第二行\t完", "", ""},
		{"story", "第一行\x00", ReasonControl, `field "story" contains a control character`},
		{"story", "\x07", ReasonControl, ""},
		{"help", "生活费用\n医疗费用", "", ""},
	} {
		errs := form.Validate(FormValues{tt.code: tt.val}, today)
		fe := FieldErrors(errs).For(tt.code)
		var got Reason
		if fe != nil {
			got = fe.Reason
		}
		if got != tt.want {
			t.Errorf("%s = %q: reason %q, want %q", tt.code, tt.val, got, tt.want)
			continue
		}
		if tt.detail != "" && fe.Error() != tt.detail {
			t.Errorf("%s = %q: %q, want %q", tt.code, tt.val, fe.Error(), tt.detail)
		}
		if tt.want != "" && (tt.want.Message(ZH) == "请核对这一项" || tt.want.Message(EN) == "Please check this") {
			t.Errorf("reason %s has no message for residents", tt.want)
		}
	}
}

func TestFormSchemaCheckRules(t *testing.T) {
	for _, tt := range []struct {
		f    FormField
		want string
	}{
		{FormField{Code: "n", Label: "n", Type: FieldNumber, Min: NewBound(5), Max: NewBound(1)}, "min 5 is larger than max 1"},
		{FormField{Code: "t", Label: "t", Type: FieldText, Min: NewBound(1)}, "only a number field has min, max or whole"},
		{FormField{Code: "t", Label: "t", Type: FieldText, When: DatePast}, "only a date field has when or years"},
		{FormField{Code: "d", Label: "d", Type: FieldDate, When: "someday"}, `when "someday" is not`},
		{FormField{Code: "d", Label: "d", Type: FieldDate, Years: -1}, "years -1 is negative"},
	} {
		err := FormSchema{Fields: []FormField{tt.f}}.Check()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.f, err, tt.want)
		}
	}
	var f FormField
	if err := json.Unmarshal([]byte(`{"code":"n","label":"n","type":"number","min":0.5,"max":30,"whole":true}`), &f); err != nil ||
		f.Min != NewBound(0.5) || f.Max != NewBound(30) || !f.Whole {
		t.Errorf("read %+v, %v", f, err)
	}
	if b, _ := json.Marshal(FormField{Code: "t", Label: "t", Type: FieldText}); strings.Contains(string(b), "min") || strings.Contains(string(b), "when") {
		t.Errorf("a field without bounds writes %s", b)
	}
}

// TestReadJSON: answers given as JSON take the shape their field needs; a
// multiple choice is a list.
func TestReadJSON(t *testing.T) {
	form := FormSchema{Fields: []FormField{
		{Code: "size", Label: "人数", Type: FieldNumber},
		{Code: "name", Label: "姓名", Type: FieldText},
		{Code: "help", Label: "帮助", Type: FieldMultiChoice, Choices: []string{"生活费用", "医疗费用"}},
	}}
	read := func(s string) (FormValues, error) {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			t.Fatal(err)
		}
		return form.ReadJSON(raw)
	}
	v, err := read(`{"size": 3, "name": "王小明", "help": ["生活费用", "医疗费用"]}`)
	if err != nil || v["size"] != "3" || v["name"] != "王小明" || v["help"] != "生活费用\n医疗费用" {
		t.Errorf("good answers: %v, %v", v, err)
	}
	if v, err := read(`{"size": "2.5", "name": null, "help": []}`); err != nil || v["size"] != "2.5" || len(v) != 1 {
		t.Errorf("a number as a string, null and an empty list: %v, %v", v, err)
	}
	for _, tt := range []struct{ in, want string }{
		{`{"help": "生活费用"}`, `field "help" must be a list of choices`},
		{`{"help": "生活费用\n医疗费用"}`, `field "help" must be a list of choices`},
		{`{"help": {"a": 1}}`, `field "help" must be a list of choices`},
		{`{"help": [1, 2]}`, `field "help" must be a list of choices`},
		{`{"help": ["生活费用\n医疗费用"]}`, `field "help" is not one of the choices`},
		{`{"name": ["王小明"]}`, `field "name" must be text or a number, not a list or an object`},
		{`{"size": {"n": 3}}`, `field "size" must be text or a number`},
		{`{"size": [1], "help": "x"}`, `field "size" must be text or a number, not a list or an object (and 1 more)`},
	} {
		if _, err := read(tt.in); err == nil || err.Error() != tt.want && !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.in, err, tt.want)
		}
	}
}

// TestContentRules: published content and staff edits keep the same
// rules: ids, urls and every string field's length.
func TestContentRules(t *testing.T) {
	today := MustDate("2026-11-25")
	notice := func(edit string) string {
		return `{"id": "n1", "street": "440106005", "title": "停水通知", "category": "通知", "publisher": "街道办",
			"published": "2026-11-20", "body": "明日停水"` + edit + `}`
	}
	for _, tt := range []struct {
		name, raw, want string
	}{
		{"good", notice(""), ""},
		{"good url", notice(`, "attachments": [{"name": "表格", "url": "https://www.gz.gov.cn/a.pdf"}]`), ""},
		{"file url", notice(`, "attachments": [{"name": "表格", "url": "file:///etc/passwd"}]`), `field "attachments[0].url" must start with https: or http:`},
		{"javascript url", notice(`, "attachments": [{"name": "表格", "url": "javascript:alert(1)"}]`), `field "attachments[0].url" must start with https: or http:`},
		{"data url", notice(`, "attachments": [{"name": "表格", "url": "data:text/html,x"}]`), `must start with https: or http:`},
		{"path as id", strings.Replace(notice(""), `"n1"`, `"../../etc/passwd"`, 1), `field "id" may hold only`},
		{"script as id", strings.Replace(notice(""), `"n1"`, `"<script>"`, 1), `field "id" may hold only`},
		{"huge title", strings.Replace(notice(""), "停水通知", strings.Repeat("停", 201), 1), `field "title" is longer than 200 characters`},
		{"NUL in title", strings.Replace(notice(""), "停水通知", `停水\u0000通知`, 1), `field "title" contains a line break or a control character`},
		{"huge id", strings.Replace(notice(""), `"n1"`, `"`+strings.Repeat("n", 900000)+`"`, 1), `field "id" is longer than 64 characters`},
	} {
		_, err := ReadItem(KindNotice, json.RawMessage(tt.raw), today)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		case err != nil && (len(err.Error()) > 300 || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s: not a short line: %d bytes", tt.name, len(err.Error()))
		}
	}
	svc := `{"id": "s1", "code": "X-1", "name": "办证", "category": "public", "department": "街道", "phone": "12345",
		"url": "javascript:alert(1)", "form": {"fields": []}}`
	if _, err := ReadItem(KindService, json.RawMessage(svc), today); err == nil || !strings.Contains(err.Error(), `field "url" must start with https: or http:`) {
		t.Errorf("service with a javascript: url: %v", err)
	}
}
