package data

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxAttachmentSize is the largest file the district ships with content:
// a scanned form or a poster, not a video.
const MaxAttachmentSize = 10 << 20

// AttachmentTypes are the MIME types a shipped file may have, with the
// extension its bundle path takes. A kiosk shows images and lists PDFs
// for staff to print; nothing else is shipped.
var AttachmentTypes = map[string]string{
	"application/pdf": ".pdf",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
}

// AttachmentPath is the bundle path of a shipped file: content-addressed,
// so the same bytes always travel and are kept under one name.
func AttachmentPath(sha256Hex, mimeType string) string {
	return "files/" + sha256Hex + AttachmentTypes[mimeType]
}

// Shipped reports whether the district ships a copy of the file.
func (a Attachment) Shipped() bool { return a.File != "" }

// IsImage reports whether the shipped file is a picture.
func (a Attachment) IsImage() bool { return strings.HasPrefix(a.Type, "image/") }

// problem says in one phrase what is wrong with an attachment, "" if
// nothing is.
func (a Attachment) problem() string {
	name := a.Name
	if name == "" {
		name = a.URL + a.File
	}
	switch {
	case strings.TrimSpace(a.Name) == "":
		return fmt.Sprintf("attachment %q has no name", name)
	case a.URL == "" && a.File == "":
		return fmt.Sprintf("attachment %q needs a url or a file", name)
	}
	if !a.Shipped() {
		if a.SHA256 != "" || a.Size != 0 || a.Type != "" {
			return fmt.Sprintf("attachment %q has sha256, size or type but no file", name)
		}
		return ""
	}
	if h, err := hex.DecodeString(a.SHA256); err != nil || len(h) != 32 || a.SHA256 != strings.ToLower(a.SHA256) {
		return fmt.Sprintf("attachment %q: sha256 %q is not 64 lower-case hex digits", name, a.SHA256)
	}
	if _, ok := AttachmentTypes[a.Type]; !ok {
		return fmt.Sprintf("attachment %q: type %q is not application/pdf, image/png or image/jpeg", name, a.Type)
	}
	if a.Size <= 0 || a.Size > MaxAttachmentSize {
		return fmt.Sprintf("attachment %q: size %d is not between 1 and %d bytes", name, a.Size, MaxAttachmentSize)
	}
	if want := AttachmentPath(a.SHA256, a.Type); a.File != want {
		return fmt.Sprintf("attachment %q: file %q should be %q (its sha256 and type)", name, a.File, want)
	}
	return ""
}

// Attachments returns the attachments of a content item's body: a
// notice's, and the templates of a service's materials. Other kinds have
// none.
func Attachments(kind Kind, body []byte) ([]Attachment, error) {
	switch kind {
	case KindNotice:
		var n struct {
			Attachments []Attachment `json:"attachments"`
		}
		if err := json.Unmarshal(body, &n); err != nil {
			return nil, fmt.Errorf("%s: the body does not decode", kind)
		}
		return n.Attachments, nil
	case KindService:
		var s struct {
			Materials []struct {
				Template *Attachment `json:"template"`
			} `json:"materials"`
		}
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("%s: the body does not decode", kind)
		}
		var out []Attachment
		for _, m := range s.Materials {
			if m.Template != nil {
				out = append(out, *m.Template)
			}
		}
		return out, nil
	}
	return nil, nil
}

// ShippedFiles returns the shipped files an upsert refers to, each path
// once; a deletion refers to none.
func ShippedFiles(c Change) ([]Attachment, error) {
	if c.Op != OpUpsert {
		return nil, nil
	}
	all, err := Attachments(c.Kind, c.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", c.Kind, c.ID, err)
	}
	var out []Attachment
	seen := map[string]bool{}
	for _, a := range all {
		if a.Shipped() && !seen[a.File] {
			seen[a.File] = true
			out = append(out, a)
		}
	}
	return out, nil
}
