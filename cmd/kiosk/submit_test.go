package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
)

// reliefForm is a filled form of the demo's 临时救助申请 (440106005-SH-004).
const reliefForm = `{
  "applicant": {"name": "王小明", "id_number": "440106199001011235", "mobile": "13912345678"},
  "values": {
    "family_size": 3,
    "difficulty": "支出型（医疗、教育等必需支出）",
    "happened_on": "2026-10-08",
    "monthly_income": "1500.5",
    "situation": "家中老人突发疾病住院，医疗费用超出家庭承受能力。",
    "help_needed": ["生活费用", "医疗费用"]
  }
}`

func writeForm(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "form.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// outbox opens the database after the process has exited and returns
// what waits in its outbox.
func outbox(t *testing.T, db string) []store.OutboxItem {
	t.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestSubmitFilesApplication(t *testing.T) {
	db := demoDB(t)
	code, out, errs := kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004",
		"--form", writeForm(t, reliefForm), "--kiosk", "7")
	if code != 0 {
		t.Fatalf("submit: exit %d: %s", code, errs)
	}
	var r struct {
		Ref          string    `json:"ref"`
		Kind         string    `json:"kind"`
		Title        string    `json:"title"`
		Service      string    `json:"service"`
		Deadline     data.Date `json:"deadline"`
		DeadlineText string    `json:"deadline_text"`
		Workdays     int       `json:"workdays"`
		Next         []string  `json:"next"`
		Bring        []string  `json:"bring"`
		TrackURL     string    `json:"track_url"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("not one JSON object: %q (%v)", out, err)
	}
	if err := data.CheckReference(r.Ref); err != nil || !strings.HasPrefix(r.Ref, "007-") {
		t.Errorf("reference %q from kiosk 7: %v", r.Ref, err)
	}
	if r.Kind != "application" || r.Title != "您的申请已提交" || r.Service != "临时救助申请" || r.Workdays != 10 ||
		len(r.Next) == 0 || len(r.Bring) == 0 || r.TrackURL != "" ||
		!strings.HasSuffix(r.DeadlineText, "前办结") {
		t.Errorf("receipt %s", out)
	}
	if strings.Contains(out, "440106199001011235") || strings.Contains(out, "13912345678") {
		t.Error("the receipt prints personal data")
	}

	items := outbox(t, db)
	if len(items) != 1 || items[0].Kind != data.ItemCase {
		t.Fatalf("outbox holds %+v", items)
	}
	var c data.Case
	if err := json.Unmarshal(items[0].Body, &c); err != nil {
		t.Fatal(err)
	}
	// The deadline on the demo calendar, the way the window counts it.
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	years, err := s.Calendar(context.Background())
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := data.NewCalendar(years...)
	want := cal.AddWorkdays(data.DateOf(c.SubmittedAt.In(china)), 10)
	if c.Kind != data.CaseApplication || c.Service != "svc-linshi-jiuzhu" || c.Ref != r.Ref || c.Deadline != want ||
		r.Deadline != want || c.Street != "440106005" || c.Kiosk != "7" || c.Applicant == nil ||
		c.Applicant.IDNumber != "440106199001011235" || c.Values["help_needed"] != "生活费用\n医疗费用" ||
		c.Values["family_size"] != "3" || c.Values["applicant_name"] != "王小明" {
		t.Errorf("queued %+v", c)
	}
	if time.Since(c.SubmittedAt) > time.Minute {
		t.Errorf("submitted at %s", c.SubmittedAt)
	}

	// The id works as well as the code, and the serial moves on.
	code, out2, errs := kioskProcess(t, "submit", "--db", db, "--service", "svc-linshi-jiuzhu",
		"--form", writeForm(t, reliefForm), "--kiosk", "7")
	if code != 0 || !strings.Contains(out2, `"ref"`) || strings.Contains(out2, r.Ref) {
		t.Errorf("second submit: exit %d: %s %s", code, out2, errs)
	}
}

func TestSubmitRefusesBadForms(t *testing.T) {
	db := demoDB(t)
	wrongID := strings.Replace(reliefForm, "440106199001011235", "440106199001011234", 1)
	cases := []struct {
		name    string
		args    []string
		form    string
		code    int
		message string
	}{
		{"wrong ID check character", nil, wrongID, 1, `field "id_number" id number check character does not match`},
		{"not a choice", nil, strings.Replace(reliefForm, "支出型（医疗、教育等必需支出）", "其他困难", 1), 1, `field "difficulty" is not one of the choices`},
		{"missing value", nil, strings.Replace(reliefForm, `"family_size": 3,`, "", 1), 1, `field "family_size" is required`},
		{"unknown field", nil, strings.Replace(reliefForm, `"family_size": 3,`, `"family_size": 3, "pet": "猫",`, 1), 1, `field "pet" is not a field of the form`},
		{"applicant in values", nil, strings.Replace(reliefForm, `"family_size": 3,`, `"family_size": 3, "mobile": "13912345678",`, 1), 1, `field "mobile": give it in "applicant"`},
		{"no applicant", nil, `{"values": {}}`, 1, "has no applicant"},
		{"not JSON", nil, `{"applicant": `, 1, "is not a form file"},
		{"negative family size", nil, strings.Replace(reliefForm, `"family_size": 3,`, `"family_size": -3,`, 1), 1, `field "family_size" must be a number from 1 to 30`},
		{"part of a person", nil, strings.Replace(reliefForm, `"family_size": 3,`, `"family_size": 2.5,`, 1), 1, `field "family_size" must be a whole number`},
		{"hardship in the future", nil, strings.Replace(reliefForm, "2026-10-08", "2099-10-08", 1), 1, `field "happened_on" must not be after today`},
		{"hardship long ago", nil, strings.Replace(reliefForm, "2026-10-08", "1990-10-08", 1), 1, `field "happened_on" is more than 10 years from today`},
		{"multiple choice as a string", nil, strings.Replace(reliefForm, `["生活费用", "医疗费用"]`, `"生活费用"`, 1), 1, `field "help_needed" must be a list of choices`},
		{"NUL in the name", nil, strings.Replace(reliefForm, "王小明", `王小明\u0000`, 1), 1, `field "applicant_name" contains a line break or a control character`},
		{"NUL in the ID number", nil, strings.Replace(reliefForm, "440106199001011235", `44010619900101123\u0000`, 1), 1, `field "id_number" contains a line break or a control character`},
		{"NUL in free text", nil, strings.Replace(reliefForm, "住院", `住院\u0000`, 1), 1, `field "situation" contains a control character`},
		{"values as a list", nil, `{"applicant": {"name": "王小明"}, "values": []}`, 1, `is not a form file: field "values": want an object, got a list`},
		{"form as a list", nil, `[{"applicant": {"name": "王小明"}}]`, 1, `is not a form file: want an object, got a list`},
		{"an object for a number", nil, strings.Replace(reliefForm, `"family_size": 3,`, `"family_size": {"n": 3},`, 1), 1, `field "family_size" must be text or a number`},
		{"unknown service", []string{"--service", "440106005-XX-999"}, reliefForm, 1, `no service item with code or id "440106005-XX-999"`},
		{"no service", []string{"--service", ""}, reliefForm, 2, "--service CODE is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"submit", "--db", db, "--service", "440106005-SH-004", "--form", writeForm(t, tc.form)}
			args = append(args, tc.args...)
			code, out, errs := kioskProcess(t, args...)
			if code != tc.code || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.message) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line with %q", code, out, errs, tc.code, tc.message)
			}
		})
	}
	if items := outbox(t, db); len(items) != 0 {
		t.Errorf("refused forms queued %d items", len(items))
	}
}

func TestSubmitHelpShowsTheFormShape(t *testing.T) {
	code, out, _ := kiosk(t, "submit", "--help")
	if code != 0 || !strings.Contains(out, `"applicant"`) || !strings.Contains(out, `"values"`) {
		t.Errorf("exit %d: %s", code, out)
	}
}

// TestSubmitHelpExample files the example form of `kiosk submit --help`,
// as printed, so that the example a reader copies is one the kiosk takes.
func TestSubmitHelpExample(t *testing.T) {
	code, help, errs := kioskProcess(t, "submit", "--help")
	if code != 0 {
		t.Fatalf("submit --help: exit %d: %s", code, errs)
	}
	if !strings.Contains(help, "--service 440106005-SH-004") {
		t.Errorf("the help does not say which service its example is for:\n%s", help)
	}
	start := strings.Index(help, "  {\n    \"applicant\"")
	end := strings.Index(help[max(start, 0):], "\n  }\n")
	if start < 0 || end < 0 {
		t.Fatalf("no example form in the help:\n%s", help)
	}
	form := help[start : start+end+len("\n  }\n")]
	db := demoDB(t)
	code, out, errs := kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004",
		"--form", writeForm(t, form), "--kiosk", "7")
	if code != 0 {
		t.Fatalf("the help's example form: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"ref":"007-`) {
		t.Errorf("no receipt: %s", out)
	}
}

// TestSubmitReadmeExample files the 代办 example form of README.md, as
// written there, so that the example a reader copies is one the kiosk takes.
func TestSubmitReadmeExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	start := strings.Index(s, "    {\n      \"applicant\"")
	end := strings.Index(s[max(start, 0):], "\n    }\n")
	if start < 0 || end < 0 {
		t.Fatal("README.md has no example form for kiosk submit")
	}
	form := s[start : start+end+len("\n    }\n")]
	db := demoDB(t)
	code, out, errs := kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004",
		"--form", writeForm(t, form), "--kiosk", "7")
	if code != 0 {
		t.Fatalf("the README's example form: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"ref":"007-`) {
		t.Errorf("no receipt: %s", out)
	}
}

// A kiosk with no number files the application and prints the receipt,
// and says on stderr, in one line, that the receipt's reference will
// change at sync; a kiosk with a number says nothing there.
func TestSubmitWithoutKioskNumberWarns(t *testing.T) {
	t.Setenv(tokenEnv, "")
	db := demoDB(t)
	code, out, errs := kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004",
		"--form", writeForm(t, reliefForm))
	if code != 0 {
		t.Fatalf("submit: exit %d: %s", code, errs)
	}
	var r struct {
		Ref string `json:"ref"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || !strings.HasPrefix(r.Ref, "000-") {
		t.Fatalf("receipt %q: %v", out, err)
	}
	if strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "kiosk: ") ||
		!strings.Contains(errs, r.Ref) || !strings.Contains(errs, "will change at sync") {
		t.Errorf("stderr %q; want one line saying that %s will change at sync", errs, r.Ref)
	}
	if items := outbox(t, db); len(items) != 1 {
		t.Errorf("%d items queued, want 1", len(items))
	}

	code, _, errs = kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004",
		"--form", writeForm(t, reliefForm), "--kiosk", "7")
	if code != 0 || errs != "" {
		t.Errorf("submit with a number: exit %d, stderr %q; want 0 and nothing", code, errs)
	}
}
