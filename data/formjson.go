package data

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

// ReadJSON reads a resident's answers given as JSON values keyed by the
// codes of the form's fields, as a form file or a web form sends them: a
// multiple choice is a list of its choices, any other field a string or a
// number (as written), null no answer. It does not judge the values
// themselves (Validate does); a value of the wrong shape is a FieldErrors
// naming its field, in the form's order.
func (s FormSchema) ReadJSON(raw map[string]json.RawMessage) (FormValues, error) {
	v := FormValues{}
	var errs FieldErrors
	codes := make([]string, 0, len(raw))
	for code := range raw {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		multi := false
		if i := slices.IndexFunc(s.Fields, func(f FormField) bool { return f.Code == code }); i >= 0 {
			multi = s.Fields[i].Type == FieldMultiChoice
		}
		val, r := jsonValue(raw[code], multi)
		if r != "" {
			errs = append(errs, &FieldError{Field: code, Reason: r})
			continue
		}
		if val != "" {
			v[code] = val
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *FieldError) int { return fieldIndex(s, a.Field) - fieldIndex(s, b.Field) })
		return nil, errs
	}
	return v, nil
}

// jsonValue is one answer as a form value: a list's choices joined by
// line breaks, a number as written.
func jsonValue(raw json.RawMessage, multi bool) (string, Reason) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return "", ""
	}
	if multi {
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			return "", ReasonList
		}
		for _, c := range list {
			if strings.ContainsAny(c, "\r\n") {
				return "", ReasonChoice
			}
		}
		return strings.Join(list, "\n"), ""
	}
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str, ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), ""
	}
	return "", ReasonOneValue
}
