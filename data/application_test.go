package data

import (
	"errors"
	"strings"
	"testing"
)

// reliefService is an online item whose form has every field type and
// leaves out the applicant's mobile (the standard field stands in).
func reliefService() ServiceItem {
	return ServiceItem{ID: "svc-1", Code: "440106005-SH-004", Name: "临时救助申请", Online: true, PromisedDays: 10, LegalDays: 20,
		Form: FormSchema{Fields: []FormField{
			{Code: "applicant_name", Label: "申请人姓名", Type: FieldText},
			{Code: "id_number", Label: "身份证号码", Type: FieldIDNumber, Required: true},
			{Code: "family_size", Label: "家庭人口数", Type: FieldNumber, Required: true},
			{Code: "situation", Label: "困难情况说明", Type: FieldLongText, Required: true, MaxLen: 10},
			{Code: "happened_on", Label: "困难发生日期", Type: FieldDate},
			{Code: "difficulty", Label: "困难类型", Type: FieldChoice, Required: true, Choices: []string{"急难型", "支出型"}},
			{Code: "help", Label: "希望获得的帮助", Type: FieldMultiChoice, Choices: []string{"生活费用", "医疗费用"}},
		}}}
}

func TestWithApplicant(t *testing.T) {
	s := reliefService().Form.WithApplicant()
	var codes []string
	for _, f := range s.Fields {
		codes = append(codes, f.Code)
		if IsApplicantCode(f.Code) && !f.Required {
			t.Errorf("applicant field %s is optional", f.Code)
		}
	}
	want := "applicant_name id_number mobile family_size situation happened_on difficulty help"
	if got := strings.Join(codes, " "); got != want {
		t.Errorf("fields %s, want %s", got, want)
	}
	if s.Fields[0].Label != "申请人姓名" || s.Fields[2].Type != FieldMobile {
		t.Errorf("applicant fields %+v", s.Fields[:3])
	}
}

func TestNewApplication(t *testing.T) {
	today := MustDate("2026-11-25")
	good := func() FormValues {
		return FormValues{"applicant_name": " 王小明 ", "id_number": "11010519491231002x", "mobile": "13912345678",
			"family_size": "3", "situation": "住院", "happened_on": "2026-10-08", "difficulty": "支出型", "help": "医疗费用\n生活费用"}
	}
	c, err := NewApplication(reliefService(), good(), today)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != CaseApplication || c.Status != StatusSubmitted || c.Service != "svc-1" ||
		*c.Applicant != (Person{Name: "王小明", IDNumber: "11010519491231002X", Mobile: "13912345678"}) {
		t.Errorf("case %+v applicant %+v", c, c.Applicant)
	}
	if _, ok := c.Values["mobile"]; ok {
		t.Error("the standard mobile field went into values the district's form does not have")
	}
	if c.Values["id_number"] != "11010519491231002X" || c.Values["applicant_name"] != "王小明" || len(c.Values) != 7 {
		t.Errorf("values %v", c.Values)
	}

	tests := []struct {
		name   string
		change func(v FormValues)
		field  string
		reason Reason
	}{
		{"no name", func(v FormValues) { delete(v, "applicant_name") }, "applicant_name", ReasonRequired},
		{"wrong check character", func(v FormValues) { v["id_number"] = "110105194912310021" }, "id_number", ReasonIDCheckChar},
		{"short ID", func(v FormValues) { v["id_number"] = "1101051949" }, "id_number", ReasonIDLength},
		{"no mobile", func(v FormValues) { v["mobile"] = "  " }, "mobile", ReasonRequired},
		{"bad mobile", func(v FormValues) { v["mobile"] = "12912345678" }, "mobile", ReasonMobile},
		{"not a number", func(v FormValues) { v["family_size"] = "三" }, "family_size", ReasonNumber},
		{"too long", func(v FormValues) { v["situation"] = strings.Repeat("长", 11) }, "situation", ReasonTooLong},
		{"bad date", func(v FormValues) { v["happened_on"] = "2026-02-30" }, "happened_on", ReasonDate},
		{"not a choice", func(v FormValues) { v["difficulty"] = "其他" }, "difficulty", ReasonChoice},
		{"choice twice", func(v FormValues) { v["help"] = "医疗费用\n医疗费用" }, "help", ReasonChoice},
		{"unknown field", func(v FormValues) { v["pet"] = "猫" }, "pet", ReasonUnknownField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := good()
			tt.change(v)
			_, err := NewApplication(reliefService(), v, today)
			var errs FieldErrors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != tt.field || errs[0].Reason != tt.reason {
				t.Fatalf("got %v, want %s %s", err, tt.field, tt.reason)
			}
			if !strings.Contains(err.Error(), `"`+tt.field+`"`) {
				t.Errorf("error %q does not name the field", err)
			}
		})
	}

	offline := reliefService()
	offline.Online = false
	if _, err := NewApplication(offline, good(), today); !errors.Is(err, ErrNotOnline) {
		t.Errorf("an item that is not online: %v", err)
	}
	_, err = NewApplication(reliefService(), FormValues{}, today)
	var errs FieldErrors
	if !errors.As(err, &errs) || len(errs) != 6 || errs.For("mobile") == nil || !strings.Contains(err.Error(), "(and 5 more)") {
		t.Errorf("an empty form: %v", err)
	}
}

func TestDeadlineDays(t *testing.T) {
	for _, tt := range []struct {
		s    ServiceItem
		days int
		ok   bool
	}{
		{ServiceItem{OnTheSpot: true, PromisedDays: 5}, 0, true},
		{ServiceItem{PromisedDays: 5, LegalDays: 20}, 5, true},
		{ServiceItem{LegalDays: 20}, 20, true},
		{ServiceItem{}, 0, false},
	} {
		if d, ok := tt.s.DeadlineDays(); d != tt.days || ok != tt.ok {
			t.Errorf("%+v: %d %v, want %d %v", tt.s, d, ok, tt.days, tt.ok)
		}
	}
}

func TestNewDisclosure(t *testing.T) {
	today := MustDate("2026-11-25")
	base := func(delivery string) FormValues {
		return FormValues{"applicant_name": "李四", "id_number": "440106199001011235", "mobile": "13812345678",
			"information": "2026年天河南街道老旧小区改造项目的招标文件", "purpose": "了解本小区改造安排",
			"delivery": delivery, "address": "天河南二路38号", "email": "lisi@example.com"}
	}
	c, err := NewDisclosure(base("post"), today)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != CaseDisclosure || c.Request == nil || c.Request.Delivery != DeliveryPost ||
		c.Applicant.Address != "天河南二路38号" || c.Applicant.Email != "" || c.Request.Purpose != "了解本小区改造安排" {
		t.Errorf("by post: %+v %+v %+v", c, c.Request, c.Applicant)
	}
	c, err = NewDisclosure(base("pickup"), today)
	if err != nil || c.Applicant.Address != "" || c.Applicant.Email != "" {
		t.Errorf("pickup keeps %+v (%v)", c.Applicant, err)
	}
	tests := []struct {
		name   string
		v      FormValues
		field  string
		reason Reason
	}{
		{"post without address", func() FormValues { v := base("post"); delete(v, "address"); return v }(), "address", ReasonRequired},
		{"email without email", func() FormValues { v := base("email"); v["email"] = ""; return v }(), "email", ReasonRequired},
		{"bad email", func() FormValues { v := base("email"); v["email"] = "lisi@example"; return v }(), "email", ReasonEmail},
		{"no delivery", func() FormValues { v := base(""); return v }(), "delivery", ReasonRequired},
		{"unknown delivery", base("fax"), "delivery", ReasonChoice},
		{"no information", func() FormValues { v := base("pickup"); v["information"] = " "; return v }(), "information", ReasonRequired},
		{"bad ID", func() FormValues { v := base("pickup"); v["id_number"] = "440106199001011234"; return v }(), "id_number", ReasonIDCheckChar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDisclosure(tt.v, today)
			var errs FieldErrors
			if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != tt.field || errs[0].Reason != tt.reason {
				t.Fatalf("got %v, want %s %s", err, tt.field, tt.reason)
			}
		})
	}
	// Problems come in the form's order, the conditional ones included.
	v := base("post")
	delete(v, "address")
	v["id_number"] = "1"
	_, err = NewDisclosure(v, today)
	var errs FieldErrors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Field != "id_number" || errs[1].Field != "address" {
		t.Errorf("order: %v", err)
	}
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"lisi@example.com": "li***@example.com",
		"a@b.cn":           "***@b.cn",
		"nobody":           "******",
	} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
