package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"strconv"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/ui"
)

const submitUsage = `usage: kiosk submit --db FILE --service CODE --form FILE.json [--token TOKEN] [--kiosk NUMBER]

Files an application on a resident's behalf (代办) from a filled form, with
the checks of the kiosk's own form, queues it for the district like one made
on the screen, and prints the receipt as one JSON object: the reference,
the deadline and what happens next.

The reference starts with the kiosk's number: the one its token carries
(--token, default $JIEZHEN_TOKEN), or --kiosk, or else the one its
database recorded at an earlier start. A kiosk with none still files the
application, and says on stderr that the district will replace the
receipt's reference at sync.

CODE is the service item's 事项编码 or its id (kiosk search --kind service).
FILE.json holds the applicant and the answers, keyed by the codes of the
item's form (kiosk show --db FILE service ID lists them). For the demo's
临时救助申请 (--service 440106005-SH-004):

  {
    "applicant": {"name": "王小明", "id_number": "440106199001011235", "mobile": "13912345678"},
    "values": {
      "family_size": 3,
      "happened_on": "2026-10-08",
      "monthly_income": 1800,
      "difficulty": "支出型（医疗、教育等必需支出）",
      "situation": "家人住院，医疗费用支出较大",
      "help_needed": ["生活费用", "医疗费用"]
    }
  }

Dates are YYYY-MM-DD, within the window the field gives (a date of birth
or of an event in the past); a choice is one of the form's choices as
written, a multiple choice a list of them, a number a JSON number or a
string within the field's range. Text takes no control characters. A bad
answer is refused with one line naming its field, and nothing is queued.
`

// maxFormFile bounds the form file: a filled form is a few kilobytes.
const maxFormFile = 1 << 20

// submitForm is the JSON shape of a filled form file.
type submitForm struct {
	Applicant *struct {
		Name     string `json:"name"`
		IDNumber string `json:"id_number"`
		Mobile   string `json:"mobile"`
	} `json:"applicant"`
	Values map[string]json.RawMessage `json:"values"`
}

func cmdSubmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	db := dbFlag(fs)
	service := fs.String("service", "", "the service item's `CODE` (事项编码) or id")
	form := fs.String("form", "", "the filled form, `FILE.json`")
	kiosk := fs.Int64("kiosk", 0, "this kiosk's `NUMBER` in the district, the first part of the reference (default: its token's)")
	token := fs.String("token", "", "this kiosk's `TOKEN`, which carries its number (default: $"+tokenEnv+")")
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			_, err := io.WriteString(stdout, submitUsage)
			return err
		}
	}
	if pos, err := parse(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return fmt.Errorf("submit: unexpected argument %q: %w", pos[0], errUsage)
	}
	switch {
	case *service == "":
		return fmt.Errorf("submit: --service CODE is required: %w", errUsage)
	case *form == "":
		return fmt.Errorf("submit: --form FILE.json is required: %w", errUsage)
	}
	tok := *token
	if tok == "" {
		tok = os.Getenv(tokenEnv)
	}
	number, err := numberOf(*kiosk, tok)
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	applicant, answers, err := readSubmitForm(*form)
	if err != nil {
		return err
	}
	s, err := openExisting(ctx, "submit", *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if number, err = settleNumber(ctx, s, number); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	svc, err := findService(ctx, s, *service)
	if err != nil {
		return err
	}
	streets, err := s.Streets(ctx)
	if err != nil {
		return err
	}
	if len(streets) == 0 {
		return fmt.Errorf("submit: %s holds no street: load its content first", *db)
	}
	street := streets[0]

	values, err := svc.Form.WithApplicant().ReadJSON(answers)
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	maps.Copy(values, applicant)
	now := time.Now()
	c, err := data.NewApplication(svc, values, data.DateOf(now.In(china)))
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	c.Street = street.Code
	c.SubmittedAt = now
	if number > 0 {
		c.Kiosk = strconv.FormatInt(number, 10)
	}
	days, ok := ui.CaseDays(c, &svc)
	if !ok {
		days = -1
	}
	filed, err := s.FileCase(ctx, c, number, days)
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	if err := printJSON(stdout, ui.NewReceipt(data.ZH, filed, &svc, street)); err != nil {
		return err
	}
	if number == 0 {
		// The district gives the case a reference of its own at sync:
		// the one on this receipt will not find it.
		_, err = fmt.Fprintf(stderr, "kiosk: note: reference %s will change at sync, and the receipt will not find the case: "+
			"this kiosk has no number; give it its token from 'districtd kiosk add' (--token or $%s)\n", filed.Ref, tokenEnv)
	}
	return err
}

var china = time.FixedZone("CST", 8*3600)

// readSubmitForm reads a filled form file: the applicant under the
// applicant's field codes, and the answers as JSON values for the item's
// form to read (data.FormSchema.ReadJSON).
func readSubmitForm(path string) (data.FormValues, map[string]json.RawMessage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("submit: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFormFile+1))
	if err != nil {
		return nil, nil, fmt.Errorf("submit: %s: %w", path, err)
	}
	if len(b) > maxFormFile {
		return nil, nil, fmt.Errorf("submit: %s is larger than %d bytes", path, maxFormFile)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sf submitForm
	if err := dec.Decode(&sf); err != nil {
		return nil, nil, fmt.Errorf("submit: %s is not a form file: %s", path, data.ExplainJSON(err))
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("submit: %s holds more than one JSON object", path)
	}
	if sf.Applicant == nil {
		return nil, nil, fmt.Errorf("submit: %s has no applicant", path)
	}
	for code := range sf.Values {
		if data.IsApplicantCode(code) {
			return nil, nil, fmt.Errorf("submit: field %q: give it in \"applicant\", not in \"values\"", code)
		}
	}
	applicant := data.FormValues{
		data.CodeApplicantName: sf.Applicant.Name,
		data.CodeIDNumber:      sf.Applicant.IDNumber,
		data.CodeMobile:        sf.Applicant.Mobile,
	}
	return applicant, sf.Values, nil
}

// findService finds a service item by id or by its code.
func findService(ctx context.Context, s *store.Store, codeOrID string) (data.ServiceItem, error) {
	svc, err := s.Service(ctx, codeOrID)
	if err == nil {
		return svc, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return svc, err
	}
	rows, _, err := s.ListServices(ctx, store.ServiceFilter{Code: codeOrID}, store.Page{Limit: 2})
	if err != nil {
		return svc, err
	}
	if len(rows) == 0 {
		return svc, fmt.Errorf("submit: no service item with code or id %q", codeOrID)
	}
	if len(rows) > 1 {
		return svc, fmt.Errorf("submit: code %q names more than one service item; give its id", codeOrID)
	}
	return s.Service(ctx, rows[0].ID)
}
