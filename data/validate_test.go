package data

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// withCheck completes 17 digits into an ID number. It computes the check
// character the ISO 7064 MOD 11-2 way (weights 2^(17-i) mod 11, check value
// (12 - sum mod 11) mod 11, 10 written X) rather than with the weight table
// the code uses, so the two must agree for the tests to pass.
func withCheck(first17 string) string {
	sum, w := 0, 1
	for i := 16; i >= 0; i-- {
		w = w * 2 % 11
		sum += int(first17[i]-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return first17 + "X"
	}
	return first17 + fmt.Sprint(v)
}

// wrongCheck is the ID number with a check character that does not match.
func wrongCheck(first17 string) string {
	good := withCheck(first17)[17]
	for _, c := range "0123456789X" {
		if byte(c) != good {
			return first17 + string(c)
		}
	}
	panic("unreachable")
}

func TestWithCheckAgreesWithHandWorkedIDs(t *testing.T) {
	// Worked by hand in the comments of TestValidateIDNumber.
	for _, id := range []string{"11010519491231002X", "440106199001011235", "440106200002290016"} {
		if got := withCheck(id[:17]); got != id {
			t.Errorf("withCheck(%s) = %s, want %s", id[:17], got, id)
		}
	}
}

func TestIDCheckChar(t *testing.T) {
	for _, in := range []string{"", "1101051949123100", "110105194912310022", "1101051949123100a"} {
		if c := IDCheckChar(in); c != 0 {
			t.Errorf("IDCheckChar(%q) = %q, want 0", in, c)
		}
	}
	if c := IDCheckChar("11010519491231002"); c != 'X' {
		t.Errorf("IDCheckChar = %q, want X", c)
	}
}

func TestValidateIDNumber(t *testing.T) {
	today := MustDate("2026-03-10")
	tests := []struct {
		name string
		id   string
		want Reason // "" for valid
	}{
		// 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2
		// = 167; 167 mod 11 = 2, which maps to X.
		{"well-known sample, check X", "11010519491231002X", ""},
		{"lower-case x", "11010519491231002x", ""},
		// 4*7+4*9+0+1*5+0+6*4+1*2+9*1+9*6+0+0+1*9+0+1*5+1*8+2*4+3*2
		// = 194; 194 mod 11 = 7, which maps to 5.
		{"Guangzhou, check digit", "440106199001011235", ""},
		// 4*7+4*9+0+1*5+0+6*4+2*2+0+0+0+0+2*9+2*10+9*5+0+0+1*2
		// = 182; 182 mod 11 = 6, which maps to 6. 2000 is a leap year.
		{"born 2000-02-29", "440106200002290016", ""},
		{"born 2024-02-29", withCheck("44010620240229001"), ""},
		{"born today", withCheck("44010620260310001"), ""},
		{"born 1900-01-01", withCheck("44010619000101001"), ""},

		{"wrong check digit", "440106199001011234", ReasonIDCheckChar},
		{"X where a digit belongs", "44010619900101123X", ReasonIDCheckChar},
		{"digit where X belongs", "110105194912310029", ReasonIDCheckChar},
		{"wrong check, computed", wrongCheck("44010619851230123"), ReasonIDCheckChar},
		{"two digits swapped", "11010519491231020X", ReasonIDCheckChar},

		{"born 2023-02-29", withCheck("44010620230229001"), ReasonIDBirthDate},
		{"born 1900-02-29, not a leap year", withCheck("44010619000229001"), ReasonIDBirthDate},
		{"born 1899-12-31", withCheck("44010618991231001"), ReasonIDBirthDate},
		{"born tomorrow", withCheck("44010620260311001"), ReasonIDBirthDate},
		{"month 13", withCheck("44010619901301001"), ReasonIDBirthDate},
		{"day 00", withCheck("44010619900100001"), ReasonIDBirthDate},

		{"empty", "", ReasonIDLength},
		{"17 digits", "44010619900101123", ReasonIDLength},
		{"19 characters", "4401061990010112355", ReasonIDLength},
		{"old 15-digit number", "440106900101123", ReasonIDLength},
		{"letter inside", "4401061990O1011235", ReasonIDFormat},
		{"Y as check", "44010619900101123Y", ReasonIDFormat},
		{"space inside", "440106 19900101123", ReasonIDFormat},
		{"full-width digits", "４４０１０６１９９００１０１１２３５", ReasonIDFormat},
	}
	for _, tt := range tests {
		err := ValidateIDNumber(tt.id, today)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: ValidateIDNumber(%q) = %v, want nil", tt.name, tt.id, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Reason != tt.want {
			t.Errorf("%s: ValidateIDNumber(%q) = %v, want reason %s", tt.name, tt.id, err, tt.want)
		}
	}
	// Without a today there is no future to refuse.
	if err := ValidateIDNumber(withCheck("44010620990101001"), Date{}); err != nil {
		t.Errorf("zero today: %v", err)
	}
}

func TestValidateMobile(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"13800138000", true},
		{"19912345678", true},
		{"13000000000", true},
		{"17012345678", true},
		{"12345678901", false}, // second digit 2
		{"10012345678", false},
		{"23800138000", false},
		{"1380013800", false},
		{"138001380000", false},
		{"1380013800a", false},
		{"138 0013 8000", false},
		{"+8613800138000", false},
		{"１３８００１３８０００", false},
		{"", false},
	}
	for _, tt := range tests {
		err := ValidateMobile(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateMobile(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		var fe *FieldError
		if err != nil && (!errors.As(err, &fe) || fe.Reason != ReasonMobile) {
			t.Errorf("ValidateMobile(%q) = %#v, want a *FieldError with reason mobile", tt.in, err)
		}
	}
}

func TestMasks(t *testing.T) {
	tests := []struct {
		fn   func(string) string
		name string
		in   string
		want string
	}{
		{MaskID, "id", "440106199001011235", "4401**********1235"},
		{MaskID, "id", "11010519491231002X", "1101**********002X"},
		{MaskID, "id", "110105491231002", "1101*******1002"},
		{MaskID, "id", "1234567", "*******"},
		{MaskID, "id", "12345678901234", "**************"},
		{MaskID, "id", "", ""},
		{MaskID, "id", "张三", "**"},
		{MaskID, "id", "身份证号码４４０１０６１９９００１", "身份证号*********９００１"},
		{MaskMobile, "mobile", "13800138000", "138****8000"},
		{MaskMobile, "mobile", "19912341234", "199****1234"},
		{MaskMobile, "mobile", "1380013800", "**********"},
		{MaskMobile, "mobile", "138001380001", "************"},
		{MaskMobile, "mobile", "138", "***"},
		{MaskMobile, "mobile", "", ""},
		{MaskMobile, "mobile", "\xff\xfe", "**"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("mask %s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestReasonMessages(t *testing.T) {
	reasons := []Reason{ReasonRequired, ReasonUnknownField, ReasonTooLong, ReasonNumber, ReasonDate, ReasonChoice,
		ReasonIDLength, ReasonIDFormat, ReasonIDBirthDate, ReasonIDCheckChar, ReasonMobile}
	seen := map[string]Reason{}
	for _, r := range reasons {
		zh, en := r.Message(ZH), r.Message(EN)
		if zh == en || zh == string(r) || en == string(r) {
			t.Errorf("%s: messages %q / %q are not translated", r, zh, en)
		}
		if prev, dup := seen[zh]; dup {
			t.Errorf("%s and %s share the message %q", r, prev, zh)
		}
		seen[zh] = r
		msg := (&FieldError{Reason: r}).Error()
		if first := msg[:1]; first != strings.ToLower(first) || msg == string(r) || strings.HasSuffix(msg, ".") {
			t.Errorf("%s: Error() = %q, want a lower-case English sentence", r, msg)
		}
	}
	if got := ReasonIDCheckChar.Message(ZH); got != "身份证号码最后一位校验码不对，请核对" {
		t.Errorf("check char message = %q", got)
	}
	if got := Reason("nonsense").Message(ZH); got == "" {
		t.Error("an unknown reason has no message")
	}
	if got := (&FieldError{Field: "mobile", Reason: ReasonMobile}).Error(); got != `field "mobile" is not a mainland mobile number` {
		t.Errorf("Error() = %q", got)
	}
}

func testSchema() FormSchema {
	return FormSchema{Fields: []FormField{
		{Code: "name", Label: "申请人姓名", Type: FieldText, Required: true},
		{Code: "id", Label: "身份证号码", Type: FieldIDNumber, Required: true},
		{Code: "mobile", Label: "手机号码", Type: FieldMobile, Required: true},
		{Code: "people", Label: "家庭人口", Type: FieldNumber},
		{Code: "since", Label: "入住日期", Type: FieldDate},
		{Code: "type", Label: "申请类型", Type: FieldChoice, Required: true, Choices: []string{"首次申请", "续期"}},
		{Code: "needs", Label: "服务需求", Type: FieldMultiChoice, Choices: []string{"助餐", "助浴", "助洁"}},
		{Code: "note", Label: "情况说明", Type: FieldLongText},
		{Code: "unit", Label: "房号", Type: FieldText, MaxLen: 6},
	}}
}

func goodValues() FormValues {
	return FormValues{
		"name":   "陈小明",
		"id":     "440106199001011235",
		"mobile": "13800138000",
		"people": "3",
		"since":  "2024-02-29",
		"type":   "续期",
		"needs":  "助餐\n助洁",
		"note":   strings.Repeat("说", 2000),
		"unit":   "1203室",
	}
}

func TestFormValidate(t *testing.T) {
	today := MustDate("2026-03-10")
	tests := []struct {
		name   string
		change map[string]string // applied to goodValues; "" deletes
		want   []string          // "field:reason" in order
	}{
		{"all good", nil, nil},
		{"optional fields left out", map[string]string{"people": "", "since": "", "needs": "", "note": "", "unit": ""}, nil},
		{"missing required name", map[string]string{"name": ""}, []string{"name:required"}},
		{"blank name", map[string]string{"name": "  \t"}, []string{"name:required"}},
		{"missing everything required", map[string]string{"name": "", "id": "", "mobile": "", "type": ""},
			[]string{"name:required", "id:required", "mobile:required", "type:required"}},
		{"bad choice", map[string]string{"type": "首次"}, []string{"type:choice"}},
		{"choice with spaces", map[string]string{"type": " 续期"}, []string{"type:choice"}},
		{"bad multichoice part", map[string]string{"needs": "助餐\n助行"}, []string{"needs:choice"}},
		{"repeated multichoice part", map[string]string{"needs": "助餐\n助餐"}, []string{"needs:choice"}},
		{"empty multichoice part", map[string]string{"needs": "助餐\n"}, []string{"needs:choice"}},
		{"one multichoice", map[string]string{"needs": "助浴"}, nil},
		{"number with decimals", map[string]string{"people": "2.5"}, nil},
		{"negative number", map[string]string{"people": "-1"}, []string{"people:range"}},
		{"number words", map[string]string{"people": "三"}, []string{"people:number"}},
		{"NaN", map[string]string{"people": "NaN"}, []string{"people:number"}},
		{"exponent", map[string]string{"people": "1e3"}, []string{"people:number"}},
		{"bad date", map[string]string{"since": "2023-02-29"}, []string{"since:date"}},
		{"date with slashes", map[string]string{"since": "2024/02/29"}, []string{"since:date"}},
		{"bad id check", map[string]string{"id": "440106199001011234"}, []string{"id:id_check_char"}},
		{"lower-case x", map[string]string{"id": "11010519491231002x"}, nil},
		{"bad mobile", map[string]string{"mobile": "12800138000"}, []string{"mobile:mobile"}},
		{"text at default limit", map[string]string{"name": strings.Repeat("名", 100)}, nil},
		{"text over default limit", map[string]string{"name": strings.Repeat("名", 101)}, []string{"name:too_long"}},
		{"longtext over default limit", map[string]string{"note": strings.Repeat("说", 2001)}, []string{"note:too_long"}},
		{"own max_len", map[string]string{"unit": "1203号房间"}, []string{"unit:too_long"}},
		{"unknown fields", map[string]string{"zz": "x", "age": "30"}, []string{"age:unknown_field", "zz:unknown_field"}},
		{"several", map[string]string{"name": "", "type": "其他", "extra": "1"}, []string{"name:required", "type:choice", "extra:unknown_field"}},
	}
	s := testSchema()
	if err := s.Check(); err != nil {
		t.Fatalf("test schema: %v", err)
	}
	for _, tt := range tests {
		v := goodValues()
		for k, val := range tt.change {
			if val == "" {
				delete(v, k)
			} else {
				v[k] = val
			}
		}
		var got []string
		for _, e := range s.Validate(v, today) {
			got = append(got, e.Field+":"+string(e.Reason))
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: Validate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFormCheck(t *testing.T) {
	field := func(code string, typ FieldType, choices ...string) FormField {
		return FormField{Code: code, Label: "标签", Type: typ, Choices: choices}
	}
	tests := []struct {
		name   string
		fields []FormField
		want   []string // each must appear in the error; none means valid
	}{
		{"empty form", nil, nil},
		{"every type", []FormField{field("a", FieldText), field("b", FieldLongText), field("c", FieldNumber), field("d", FieldDate),
			field("e", FieldChoice, "x"), field("f", FieldMultiChoice, "x", "y"), field("g", FieldIDNumber), field("h", FieldMobile)}, nil},
		{"empty code", []FormField{field("", FieldText)}, []string{"form field 1: code is empty"}},
		{"duplicate code", []FormField{field("a", FieldText), field("a", FieldDate)}, []string{`form field 2 "a": code is used twice`}},
		{"unknown type", []FormField{field("a", "email")}, []string{`unknown type "email"`}},
		{"choice without choices", []FormField{field("a", FieldChoice)}, []string{"a choice field needs choices"}},
		{"multichoice without choices", []FormField{field("a", FieldMultiChoice)}, []string{"a multichoice field needs choices"}},
		{"choices on text", []FormField{field("a", FieldText, "x")}, []string{"a text field cannot have choices"}},
		{"duplicate choice", []FormField{field("a", FieldChoice, "x", "x")}, []string{`choice "x" is listed twice`}},
		{"blank choice", []FormField{field("a", FieldChoice, "x", " ")}, []string{"choice 2 is empty"}},
		{"line break in choice", []FormField{field("a", FieldMultiChoice, "x\ny")}, []string{"line break"}},
		{"no label", []FormField{{Code: "a", Type: FieldText}}, []string{"label is empty"}},
		{"negative max_len", []FormField{{Code: "a", Label: "l", Type: FieldText, MaxLen: -1}}, []string{"max_len -1 is negative"}},
		{"two problems", []FormField{field("", FieldText), field("b", FieldChoice)}, []string{"code is empty", "needs choices"}},
	}
	for _, tt := range tests {
		err := FormSchema{Fields: tt.fields}.Check()
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("%s: Check() = %v, want nil", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: Check() = nil, want an error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Check() = %v, want it to mention %q", tt.name, err, w)
			}
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	if got := NormalizeIDNumber(" 110105 19491231 002x "); got != "11010519491231002X" {
		t.Errorf("NormalizeIDNumber = %q", got)
	}
}

func TestIDBirthDate(t *testing.T) {
	today := MustDate("2026-11-25")
	for _, tc := range []struct {
		id   string
		want string
	}{
		{"440106194802291238", "1948-02-29"},
		{" 44010619480229123 8", "1948-02-29"}, // spaces as typed
		{"440106194802291234", ""},             // wrong check character
		{"440106194902291235", ""},             // 29 February 1949 does not exist
		{"4401061948022912", ""},               // too short
	} {
		d, ok := IDBirthDate(tc.id, today)
		if got := map[bool]string{true: d.String()}[ok]; got != tc.want {
			t.Errorf("IDBirthDate(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
