package web

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// Attachment files are served under the item that refers to them
// (…/notices/{id}/files/{sha256}.pdf), so only files that published
// content of this street shows can be read, and each with the type the
// district recorded when it took the file.

// file serves one attachment file of an item of kind.
func (s *Site) file(kind data.Kind) streetHandler {
	return func(w http.ResponseWriter, r *http.Request, st *data.Street) {
		ctx := r.Context()
		it, err := s.p.Content(ctx, kind, r.PathValue("id"))
		if errors.Is(err, server.ErrNotFound) || (err == nil && it.Street != "" && it.Street != st.Code) {
			s.notFound(w, r, st)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		atts, err := data.Attachments(kind, it.Body)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		path := "files/" + r.PathValue("file")
		var att *data.Attachment
		for i := range atts {
			if atts[i].Shipped() && atts[i].File == path {
				att = &atts[i]
				break
			}
		}
		if att == nil {
			s.notFound(w, r, st)
			return
		}
		f, b, err := s.p.FileData(ctx, path)
		if errors.Is(err, server.ErrNotFound) {
			s.notFound(w, r, st)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.Type)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		// Content-addressed: the bytes under a path never change.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		disp := "inline"
		if !att.IsImage() {
			disp = "attachment"
		}
		h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": downloadName(att.Name, f.Type)}))
		w.Write(b)
	}
}

// downloadName is the attachment's name with its type's extension.
func downloadName(name, typ string) string {
	ext := data.AttachmentTypes[typ]
	if strings.HasSuffix(strings.ToLower(name), ext) || (ext == ".jpg" && strings.HasSuffix(strings.ToLower(name), ".jpeg")) {
		return name
	}
	return name + ext
}

// fileName is the last part of a shipped file's path, as its URL under
// the item ends.
func fileName(path string) string { return strings.TrimPrefix(path, "files/") }
