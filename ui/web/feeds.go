package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// Atom 1.0 feeds (RFC 4287) of a street's notices and of its newly
// answered public appeals; the pages link them from their head.

// feedLink is a page's <link rel="alternate"> to its feed.
type feedLink struct{ Href, Title string }

// feedTag starts every feed and entry id: a tag: URI (RFC 4151), so that
// ids stay the same whatever address the site is reached at.
const feedTag = "tag:jiezhen.example,2026:"

// feedEntries is how many entries a feed carries, newest first.
const feedEntries = 50

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string    `xml:"id"`
	Title     string    `xml:"title"`
	Updated   string    `xml:"updated"`
	Published string    `xml:"published,omitempty"`
	Link      atomLink  `xml:"link"`
	Category  *atomCat  `xml:"category"`
	Summary   string    `xml:"summary,omitempty"`
	Content   *atomText `xml:"content"`
}

type atomCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dayTime is a published day as a time: its start in China.
func dayTime(d data.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, china)
}

// absolute is path on the host the request came to.
func absolute(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: path}).String()
}

func (s *Site) writeFeed(w http.ResponseWriter, r *http.Request, f atomFeed) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(f); err != nil {
		s.fail(w, r, err)
		return
	}
	b.WriteByte('\n')
	h := w.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.Write(b.Bytes())
}

// newFeed starts a street's feed of the page at page (a path), whose
// own path is self.
func newFeed(r *http.Request, st *data.Street, name, title, page, self string) atomFeed {
	return atomFeed{
		Lang: "zh-CN", ID: feedTag + "s/" + st.Code + "/" + name, Title: st.Name + " · " + title,
		Author: atomPerson{Name: st.Name},
		Links: []atomLink{
			{Rel: "alternate", Type: "text/html", Href: absolute(r, page)},
			{Rel: "self", Type: "application/atom+xml", Href: absolute(r, self)},
		},
	}
}

func (s *Site) noticesFeed(w http.ResponseWriter, r *http.Request, st *data.Street) {
	list, err := streetNotices(r.Context(), s, st.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Newest first, pinned or not.
	slices.SortStableFunc(list, func(a, b data.Notice) int { return b.Published.Compare(a.Published) })
	f := newFeed(r, st, "notices", translate(data.ZH, "notices.title"), sectionPath(st, "notices"), streetPath(st.Code)+"notices.atom")
	var newest time.Time
	for i, n := range list {
		if i == feedEntries {
			break
		}
		at := dayTime(n.Published)
		if at.After(newest) {
			newest = at
		}
		path := sectionPath(st, "notices") + url.PathEscape(n.ID)
		f.Entries = append(f.Entries, atomEntry{
			ID: feedTag + "s/" + st.Code + "/notices/" + n.ID, Title: n.Title,
			Updated: atomTime(at), Published: atomTime(at),
			Link:     atomLink{Rel: "alternate", Type: "text/html", Href: absolute(r, path)},
			Category: &atomCat{Term: n.Category},
			Content:  &atomText{Type: "text", Text: n.Body},
		})
	}
	f.Updated = atomTime(feedUpdated(newest, s.p.Today()))
	s.writeFeed(w, r, f)
}

func (s *Site) appealsFeed(w http.ResponseWriter, r *http.Request, st *data.Street) {
	list, err := s.p.PublicAppeals(r.Context(), st.Code, "", true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := newFeed(r, st, "appeals", translate(data.ZH, "appeals.title"), sectionPath(st, "appeals"), streetPath(st.Code)+"appeals.atom")
	var newest time.Time
	for i, a := range list {
		if i == feedEntries {
			break
		}
		if a.Answered.After(newest) {
			newest = a.Answered
		}
		f.Entries = append(f.Entries, appealEntry(r, st, a))
	}
	f.Updated = atomTime(feedUpdated(newest, s.p.Today()))
	s.writeFeed(w, r, f)
}

// appealEntry is an answered public appeal as a feed entry: only its
// public part (server.PublicAppeal has nothing else).
func appealEntry(r *http.Request, st *data.Street, a server.PublicAppeal) atomEntry {
	title := a.Type.Label(data.ZH)
	if a.Category != "" {
		title = a.Category + "（" + title + "）"
	}
	summary := ""
	if a.Location != "" {
		summary = "地点：" + a.Location
	}
	return atomEntry{
		ID: feedTag + "s/" + st.Code + "/appeals/" + a.Ref, Title: title,
		Updated: atomTime(a.Answered), Published: atomTime(a.Answered),
		Link:     atomLink{Rel: "alternate", Type: "text/html", Href: absolute(r, sectionPath(st, "appeals")+url.PathEscape(a.Ref))},
		Category: &atomCat{Term: string(a.Type), Label: a.Type.Label(data.ZH)},
		Summary:  summary,
		Content:  &atomText{Type: "text", Text: a.Reply},
	}
}

// feedUpdated is the newest entry's time, or for an empty feed the
// start of today.
func feedUpdated(newest time.Time, today data.Date) time.Time {
	if newest.IsZero() {
		return dayTime(today)
	}
	return newest
}
