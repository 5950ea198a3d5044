package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/wire"
)

// Store is where the district platform keeps its state. The platform's
// rules (what is accepted, versions, scopes, lifecycles) live in Platform;
// a store only keeps rows and hands out sequence numbers, so that a
// PostgreSQL store can follow by implementing these two interfaces.
//
// Write runs fn atomically and strictly after every earlier write (a
// store may commit several together): the feed's sequence numbers must
// become visible in the order they were given, or a reader could move its
// cursor past a change that commits later. If fn returns an error, nothing
// it did is kept; when Write returns nil, what fn did is durable.
//
// WriteAside runs a small write that touches neither the feed nor the
// search counts (what a kiosk told the district, the day it synced):
// atomically, but outside that order, so that on an engine whose writes
// queue for one lock it does not wait behind them. It may be less durable
// than Write (a crash may drop the last ones); nothing a resident filed
// goes through it. A store with one writer runs it as a Write.
type Store interface {
	Read(ctx context.Context, fn func(ReadTx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
	WriteAside(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// ErrNotFound is returned by lookups of one row that is not there.
var ErrNotFound = errors.New("not found")

// ReadTx reads one consistent snapshot.
type ReadTx interface {
	draftReader // drafts.go
	// LastSeq is the highest sequence number given so far, 0 for none.
	LastSeq() (int64, error)
	// Feed returns up to limit changes of the scope in increasing seq:
	// its content with seq > after and its kiosk's cases with seq >
	// casesAfter.
	Feed(scope Scope, after, casesAfter int64, limit int) ([]data.Change, error)
	// ScopeEnd is the highest seq of the scope's content, 0 for none.
	ScopeEnd(scope Scope) (int64, error)
	// Behind counts the changes Feed would return without a limit.
	Behind(scope Scope, after, casesAfter int64) (int64, error)

	Item(kind data.Kind, id string) (Item, error)
	// LiveItems lists the items of a kind that are not deleted, by id.
	LiveItems(kind data.Kind) ([]Item, error)
	// StreetItems lists the live items of a kind that a street shows:
	// its own and the district-wide ones, by id.
	StreetItems(kind data.Kind, street string) ([]Item, error)
	// Search finds the street's live items (its own and the
	// district-wide ones) matching every term, grouped by kind.
	Search(street string, terms []string, perKind int) ([]SearchGroup, error)
	// StreetHome reads what a street's home page lists.
	StreetHome(street string, n int, today data.Date) (StreetHome, error)

	Kiosk(id int64) (Kiosk, error)
	KioskByTokenHash(hash string) (Kiosk, error)
	Kiosks() ([]Kiosk, error)
	// TokenHashes maps each kiosk of the street that is not revoked to
	// the hash of its token.
	TokenHashes(street string) (map[int64]string, error)
	// PINKey is the street's staff PIN key, ErrNotFound if it has none.
	PINKey(street string) ([]byte, error)

	// Entry is the push ledger's record of an item id.
	Entry(id string) (Entry, error)
	// Seen is what the district has of a push's items, read in one
	// statement: the ledger's records of those of ids it has, and which
	// of caseIDs are cases it has.
	Seen(ids, caseIDs []string) (map[string]Entry, map[string]bool, error)

	Case(id string) (CaseRecord, error)
	CaseByRef(ref string) (CaseRecord, error)
	Cases(f CaseFilter) ([]CaseRecord, error)
	// CasesAfter lists up to limit cases with ids above after, by id.
	CasesAfter(after string, limit int) ([]CaseRecord, error)
	// PublicAppeals lists a street's appeals whose resident agreed to
	// show them (data.Case.Public), newest reply first; with Answered,
	// only those with a reply.
	PublicAppeals(f PublicFilter) ([]CaseRecord, error)

	CaseWorkReader

	// Opinions lists up to limit opinions with ids above after, by id.
	OpinionsAfter(after string, limit int) ([]OpinionRecord, error)

	// Audit lists the staff actions received, in the order received.
	Audit() ([]AuditRecord, error)

	// Opinions lists the opinions f selects, oldest first, and how many
	// it selects without its Offset and Limit.
	Opinions(f OpinionFilter) ([]OpinionRecord, int, error)
	// Opinion is one opinion by id, ErrNotFound if there is none.
	Opinion(id string) (OpinionRecord, error)
	// OpinionCounts counts a consultation's opinions of the streets (none:
	// all) per topic and outcome.
	OpinionCounts(consultation string, streets []string) ([]TopicCount, error)
	// ConsultationCounts counts the opinions of the streets (none: all)
	// per consultation: the key is its id.
	ConsultationCounts(streets []string) (map[string]TopicCount, error)

	// ScopedItems lists the live items of a kind of the streets (none:
	// all) and the district-wide ones, by id.
	ScopedItems(kind data.Kind, streets []string) ([]Item, error)
	// StreetKiosks lists the kiosks of the streets (none: all) by id.
	StreetKiosks(streets []string) ([]Kiosk, error)
	// StreetBundles is the last bundle built of each of the streets
	// (none: all), by street.
	StreetBundles(streets []string) (map[string]BundleRecord, error)

	// APIKeyByHash is the Open311 API key with this hash; APIKeys lists
	// them by id.
	APIKeyByHash(hash string) (APIKey, error)
	APIKeys() ([]APIKey, error)

	// File is a stored attachment file without its bytes; FileData its
	// bytes. Both return ErrNotFound for a path not stored.
	File(path string) (StoredFile, error)
	FileData(path string) ([]byte, error)
	// Files lists the stored attachment files, without their bytes, by
	// path.
	Files() ([]StoredFile, error)

	// TrackFailures counts the failed tracking tries under key later
	// than since.
	TrackFailures(key string, since time.Time) (int, error)
	// TrackGrant is the tracking token with this hash, ErrNotFound if
	// none was given (expired ones may still be there).
	TrackGrant(tokenHash string) (TrackGrant, error)
	// Setting is a district setting's value, "" when it is not set.
	Setting(name string) (string, error)
	// The reports' reads (sqlite_report.go).
	CaseFacts(q FactsQuery) ([]report.Facts, error)
	CaseTotals(street string, p report.Period) (report.Totals, error)
	RequestFacts(street string, p report.Period) ([]report.Facts, error)
	ContentEvents(from, to time.Time) ([]report.ContentEvent, error)
	LastWrites(kind data.Kind, before time.Time) (map[string]report.Day, error)
	KioskDays(from, to report.Day) (map[int64][]report.Day, error)
	// KioskSynced reports whether MarkKioskDay recorded the kiosk on
	// the day.
	KioskSynced(kiosk int64, day report.Day) (bool, error)
	OpinionsBetween(from, to time.Time) ([]OpinionRecord, error)

	// GaugeKiosks lists the kiosks in service with their last pull.
	GaugeKiosks() ([]GaugeKiosk, error)
	// FeedAfter counts, up to limit, the changes of a street's content
	// and the district-wide content after seq.
	FeedAfter(street string, after int64, limit int) (int64, error)
	// Backlog counts per street the cases in one of the open statuses,
	// and of those the ones in a running status whose deadline fell
	// before today.
	Backlog(open, running []data.Status, today data.Date) (map[string][2]int64, error)
	UsersReadTx
}

// Tx is a write transaction.
type Tx interface {
	ReadTx
	draftWriter // drafts.go
	// PutItem stores the item's new state and records it in the feed,
	// returning its seq. If the item was in another scope before, the old
	// scope first gets a deletion, so that kiosks which can no longer see
	// the item drop it.
	PutItem(it Item) (int64, error)
	// NextSerial returns the next number, from 1, of the named series
	// (a street's cases of one day, a consultation's opinions).
	NextSerial(series string) (int64, error)
	AddKiosk(k Kiosk, tokenHash string) (int64, error)
	// SetTokenHash replaces the hash of a kiosk's token.
	SetTokenHash(id int64, tokenHash string) error
	RevokeKiosk(id int64, at time.Time) error
	// ReinstateKiosk undoes RevokeKiosk (with a new token set meanwhile).
	ReinstateKiosk(id int64) error
	PutEntry(e Entry) error
	PutCase(c CaseRecord) error
	CaseWorkWriter
	AddOpinion(o OpinionRecord) error
	// MarkOpinion records the district's mark on an opinion (Outcome,
	// Reason, MarkedBy, MarkedAt of o).
	MarkOpinion(o OpinionRecord) error
	// SeeKiosk records what a kiosk told the district; nil fields keep
	// what was recorded before.
	SeeKiosk(id int64, s KioskSeen) error
	// PutBundle records the last bundle built of a street.
	PutBundle(b BundleRecord) error
	// UpdateOpinion replaces the opinion of o's id as received (sealing
	// its personal fields, docs/ARCHITECTURE.md "Personal data at rest").
	UpdateOpinion(o OpinionRecord) error
	AddRating(r RatingRecord) error
	AddAudit(a AuditRecord) error
	// OrderReset marks every kiosk of the street as due to refetch, and
	// returns how many there are; ResetDone clears the mark of one.
	OrderReset(street string) (int, error)
	ResetDone(kiosk int64) error
	// PutFile stores an attachment file; one already stored under its
	// path is kept as it is, and added is false.
	PutFile(f StoredFile, data []byte) (added bool, err error)
	// DeleteFile removes a stored file; false if there was none.
	DeleteFile(path string) (bool, error)
	// AddPINKey stores a street's staff PIN key; a street has one.
	AddPINKey(street string, key []byte, at time.Time) error
	// AddAPIKey stores an Open311 API key by its hash; RemoveAPIKey
	// deletes one, false if there was none.
	AddAPIKey(k APIKey, keyHash string) (int64, error)
	RemoveAPIKey(id int64) (bool, error)
	// AddTrackFailure records a failed tracking try under key at at, and
	// drops every failure (of any key) at or before expired.
	AddTrackFailure(key string, at, expired time.Time) error
	// AddTrackGrant stores a tracking token by its hash, and drops every
	// token expired at now.
	AddTrackGrant(tokenHash string, g TrackGrant, now time.Time) error
	// SetSetting sets a district setting; "" removes it.
	SetSetting(name, value string) error
	// LogContent records a publish, update or withdrawal for the reports;
	// MarkKioskDay a day a kiosk synced on.
	LogContent(at time.Time, kind data.Kind, id, street, op string) error
	MarkKioskDay(kiosk int64, day report.Day) error
	UsersTx
}

// TrackGrant is what a website tracking token shows until it expires:
// one case of the street, in full or only its public part.
type TrackGrant struct {
	Case       string
	Street     string
	PublicOnly bool
	Expires    time.Time
}

// APIKey is a client of the Open311 API, known by its key's hash.
type APIKey struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Scope is what one kiosk may see: content of its street and of the whole
// district (street ""), and the cases it filed itself.
type Scope struct {
	Street string
	Kiosk  int64
}

// Item is the current state of one thing in the feed: a content item, or
// the kiosk's view of a case (Kind wire.KindCase, with Kiosk set).
type Item struct {
	Kind    data.Kind
	ID      string
	Street  string // "" for district-wide
	Kiosk   int64  // the filing kiosk for a case, 0 for content
	Version int64
	Deleted bool
	Body    json.RawMessage // nil when deleted
	Seq     int64           // set by the store
	// New is set by a caller that knows no item of its kind and id was
	// ever stored (the view of a case being filed): PutItem does not look
	// for the one it replaces.
	New bool
}

// Kiosk is a registered kiosk. Its token is never stored, only its hash.
type Kiosk struct {
	ID        int64      `json:"id"`
	Street    string     `json:"street"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// ResetPending: the district ordered a refetch the kiosk has not
	// started yet.
	ResetPending bool `json:"reset_pending,omitempty"`
	// Seen is what the kiosk last told the district (SeeKiosk).
	Seen KioskSeen `json:"seen,omitzero"`
}

// KioskSeen is what a kiosk told the district with a pull or a push:
// when, its app version (from its User-Agent), its outbox depth and dead
// letters (wire.HeaderOutbox, wire.HeaderDeadLetters) and its content
// cursor (a pull's after). Nil is not reported.
type KioskSeen struct {
	At          *time.Time `json:"at,omitempty"`
	Version     string     `json:"version,omitempty"`
	Outbox      *int       `json:"outbox,omitempty"`
	DeadLetters *int       `json:"dead_letters,omitempty"`
	Cursor      *int64     `json:"cursor,omitempty"`
}

// BundleRecord is a signed bundle built of a street.
type BundleRecord struct {
	Street    string    `json:"street"`
	From, To  int64     `json:"-"`
	Changes   int       `json:"changes"`
	Bytes     int64     `json:"bytes"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	BuiltAt   time.Time `json:"built_at"`
}

// Entry is the push ledger's record of one item id: who sent it, a hash
// of what was sent and the result given the first time.
type Entry struct {
	ID     string
	Kiosk  int64
	Kind   wire.ItemKind
	Hash   string
	Result wire.PushResult
	At     time.Time
}

// CaseRecord is the district's full record of a case, personal data
// included.
type CaseRecord struct {
	Case       data.Case
	Kiosk      int64
	ReceivedAt time.Time
	Version    int64 // the version of the case's item in the feed
	// Assigned is the street that handles the case in the back office,
	// or AssignedDistrict; "" when read from a store means the case's own
	// street, and PutCase stores that.
	Assigned string
	// Phone4Hash is the keyed hash of the last four digits of the
	// applicant's mobile, which tracking compares ("KEYID:hex", "" for
	// none). The platform's sealing layer sets it; a store keeps it
	// beside the case (docs/ARCHITECTURE.md, "Personal data at rest").
	Phone4Hash string
}

// FactsQuery selects the report facts of a street ("" for all) and a
// kind ("" for all) that matter to a period: received in it, open at its
// start, or (unless NoRatings) rated in it.
type FactsQuery struct {
	Street    string
	Kind      data.CaseKind
	Period    report.Period
	NoRatings bool
}

// CaseFilter selects cases; empty fields select all.
type CaseFilter struct {
	Status data.Status
	Street string
}

// PublicFilter selects a street's public appeals; an empty Type or
// Street selects all.
type PublicFilter struct {
	Street   string
	Type     data.AppealType
	Answered bool
}

// OpinionRecord is a resident's opinion as received. Late is set when it
// arrived after the consultation closed by the district's calendar.
// Outcome and Reason are the district's mark on it, "" until marked
// (MarkOpinion), with who marked it and when.
type OpinionRecord struct {
	Opinion    data.Opinion
	Ref        string
	Street     string
	Kiosk      int64
	ReceivedAt time.Time
	Late       bool
	Outcome    data.Outcome
	Reason     string
	MarkedBy   string
	MarkedAt   time.Time
}

// OpinionFilter selects opinions: a consultation's, of the streets (none:
// all), of a topic (""; all), a page of them (Limit 0: all).
type OpinionFilter struct {
	Consultation string
	Streets      []string
	Topic        string
	Offset       int
	Limit        int
}

// TopicCount counts opinions (of a topic, or of a consultation): all of
// them, those received late, and those marked with each outcome.
type TopicCount struct {
	Topic                       string
	Total, Late                 int
	Adopted, Partly, NotAdopted int
}

// Unmarked is how many have no mark yet.
func (c TopicCount) Unmarked() int { return c.Total - c.Adopted - c.Partly - c.NotAdopted }

// RatingRecord is a satisfaction rating as received.
type RatingRecord struct {
	ID         string
	Case       string
	Rating     data.Rating
	Comment    string
	Kiosk      int64
	ReceivedAt time.Time
}

// AuditRecord is one staff action on a kiosk as the district received it.
type AuditRecord struct {
	ID         string    `json:"id"` // the outbox item's id
	ReceivedAt time.Time `json:"received_at"`
	Kiosk      int64     `json:"kiosk"`
	Street     string    `json:"street"`
	Staff      string    `json:"staff"`
	StaffID    string    `json:"staff_id"`
	Action     string    `json:"action"`
	Detail     string    `json:"detail,omitempty"`
	At         time.Time `json:"at"` // the kiosk's clock
}

// StoredFile is an attachment file the district holds, as content refers
// to it (see data.Attachment).
type StoredFile struct {
	Path    string    `json:"file"`
	SHA256  string    `json:"sha256"`
	Size    int64     `json:"size"`
	Type    string    `json:"type"`
	Name    string    `json:"name"`
	AddedAt time.Time `json:"-"`
}
