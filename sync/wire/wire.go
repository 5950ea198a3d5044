// Package wire holds the types of the district sync API, version 1: what a
// kiosk sends and receives over HTTP under /api/v1. Content flows down as
// data.Change values (the one change format); residents' writes flow up as
// outbox items whose client-generated id is the idempotency key.
//
// The JSON is the contract between kiosks and districtd, which may be
// upgraded at different times: decoders ignore unknown fields, so a later
// v1 may add optional ones, but a kind or outcome a side does not know is
// an error, never guessed at.
package wire

import (
	"encoding/json"
	"time"

	"jiezhen/data"
)

// Version is the API version, the first element of every path.
const Version = "v1"

// Prefix is the path under which every route of this version lives.
const Prefix = "/api/" + Version

// Routes of the API, relative to the server's root.
const (
	PathChanges = Prefix + "/changes" // GET: pull
	PathPush    = Prefix + "/push"    // POST: push
	PathHealth  = Prefix + "/health"  // GET: liveness, no token needed
	PathOpenAPI = Prefix + "/openapi.json"
	// GET: a signed snapshot bundle (.jzb) of the kiosk's street scope.
	PathBundle = Prefix + "/bundle"
	// GET: who the token is: its kiosk's number and street (KioskInfo).
	PathKiosk = Prefix + "/kiosk"
	// GET: the staff PIN key of the kiosk's street (PINKey).
	PathPINKey = Prefix + "/pinkey"
)

// PINKey is the answer of PathPINKey: the key that the street's staff PIN
// verifiers are keyed with (data/pin), for the kiosk Kiosk of street
// Street. It travels only in this authenticated answer; the kiosk keeps
// it wrapped under its token.
type PINKey struct {
	Street string `json:"street"`
	Kiosk  int64  `json:"kiosk"`
	Key    []byte `json:"key"` // 32 bytes, base64
}

// What a kiosk's sync agent tells the district with each request, for the
// back office's fleet page. Both are optional headers: an older kiosk
// sends neither and an older district ignores them.
const (
	// AgentProduct is the product of the agent's User-Agent,
	// "jiezhen-kiosk/VERSION", whose VERSION the district records.
	AgentProduct = "jiezhen-kiosk"
	// HeaderOutbox is how many items wait in the kiosk's outbox, and
	// HeaderDeadLetters how many it holds refused, as whole numbers.
	HeaderOutbox      = "Jiezhen-Outbox"
	HeaderDeadLetters = "Jiezhen-Dead-Letters"
)

// BundleType is the media type of a bundle served over HTTP.
const BundleType = "application/vnd.jiezhen.bundle"

// Limits the server enforces. A request over them is refused whole with
// nothing stored, so a client must split its work to fit.
const (
	MaxBodyBytes = 1 << 20 // a push request body; more gets 413
	MaxBatch     = 500     // items in one push; more gets 400
	DefaultLimit = 500     // changes in one pull page when the request names no limit
	MaxLimit     = 1000    // a larger limit is lowered to this
	MaxIDLength  = 64      // of a client-generated item id, as of every id (data.IDPattern)
)

// KindCase is the change kind that carries a resident's case back to the
// kiosk that filed it (data.KindCase); the body is a data.Case without
// personal data (data.Case.WithoutPersonal).
const KindCase = data.KindCase

// PullResponse is one page of the changes after a cursor, in the kiosk's
// scope: its street's content, district-wide content and its own cases.
// The changes are in increasing Seq. The kiosk applies the page and moves
// its cursor to Next in one transaction, then pulls again while More.
//
// Next can be past the last change's Seq: the feed is shared by every
// street, and a page that reaches the end of the feed moves the cursor past
// changes of other scopes too, so they are not scanned again.
//
// The feed keeps only the latest change of each item, so a kiosk starting
// from 0 gets every item once, in its current state, plus deletions.
//
// CasesNext is the cursor of the kiosk's own cases after this page, which
// the kiosk stores with Next; it is behind Next only while a request's
// cases_after was. Absent (an older district) means Next.
//
// Behind, given when the request asked for it (count=1) and the page is
// not the last, is how many changes of the kiosk's scope, this page's
// included, are after its cursors: a kiosk far behind may take a
// snapshot bundle (PathBundle) instead of paging.
type PullResponse struct {
	Changes    []data.Change `json:"changes"`
	Next       int64         `json:"next"`
	CasesNext  int64         `json:"cases_next,omitempty"`
	More       bool          `json:"more"`
	Behind     int64         `json:"behind,omitempty"`
	Reset      *Reset        `json:"reset,omitempty"`
	ServerTime time.Time     `json:"server_time"`
}

// Reset orders the kiosk to clear the named scope's content and cases and
// pull again from cursor 0. It comes with no changes and Next 0. Queued
// outbox items are not part of a scope and must be kept.
type Reset struct {
	Scope  string `json:"scope"` // the street code
	Reason string `json:"reason"`
}

// The outbox vocabulary is data's (data/outbox.go): these are its names
// in the API, the same types.
type (
	ItemKind   = data.ItemKind
	RatingBody = data.RatingBody
	StaffEdit  = data.StaffEdit
	AuditBody  = data.AuditBody
)

// Outbox item kinds (data.ItemKinds).
const (
	ItemCase       = data.ItemCase
	ItemOpinion    = data.ItemOpinion
	ItemRating     = data.ItemRating
	ItemStaffEdit  = data.ItemStaffEdit
	ItemCorrection = data.ItemCorrection
	ItemAudit      = data.ItemAudit
)

// ItemKinds lists every outbox item kind the server takes.
var ItemKinds = data.ItemKinds

// PushRequest is a batch of outbox items, at most MaxBatch of them, each
// with a distinct id.
type PushRequest struct {
	Items []PushItem `json:"items"`
}

// PushItem is one queued write. ID is generated on the kiosk when the
// resident submits and never changes: the server stores each id once and
// answers a retry with the first result. BaseVersion is, for a staff edit,
// the version of the item the edit was made on (0 for a new item).
type PushItem struct {
	ID          string          `json:"id"`
	Kind        ItemKind        `json:"kind"`
	Body        json.RawMessage `json:"body"`
	BaseVersion int64           `json:"base_version,omitempty"`
}

// Outcome is what became of one pushed item.
type Outcome string

const (
	// Accepted: stored now. Ref and At are set; Version too for a staff edit.
	Accepted Outcome = "accepted"
	// Duplicate: the id was stored before with the same body. First is
	// the result that was given then; nothing was stored again.
	Duplicate Outcome = "duplicate"
	// Conflict: a staff edit based on a version that is no longer the
	// current one. Version and Current hold the district's item (Current
	// is absent when it was deleted); nothing was overwritten. The kiosk shows
	// both to staff, who may edit again on the current version.
	Conflict Outcome = "conflict"
	// Refused: a permanent error in this item, in Reason, of the kind Code
	// says. Sending it again gets the same answer; the kiosk moves it to
	// its dead-letter list.
	Refused Outcome = "refused"
)

// PushResponse holds one result per item, in the order of the request.
type PushResponse struct {
	Results    []PushResult `json:"results"`
	ServerTime time.Time    `json:"server_time"`
}

// PushResult is the answer for one item. At is the district's clock: the
// kiosk's clock decides nothing.
type PushResult struct {
	ID      string          `json:"id"`
	Outcome Outcome         `json:"outcome"`
	Ref     string          `json:"ref,omitempty"`
	At      time.Time       `json:"at,omitzero"`
	Version int64           `json:"version,omitempty"`
	Current json.RawMessage `json:"current,omitempty"`
	Reason  string          `json:"reason,omitempty"`
	Code    RefusalCode     `json:"code,omitempty"`
	First   *PushResult     `json:"first,omitempty"`
}

// RefusalCode says, with a refused result's Reason, what kind of problem
// the district found, so that a kiosk can explain it to street staff in
// their language: Reason is the district's own sentence, in English, and
// names the fields and items concerned. The codes are stable; a kiosk
// shows Reason alone for a code it does not know, and an older district
// sends none.
type RefusalCode string

const (
	// RefusedMalformed: the item is not one the district can read (its
	// body does not decode, an unknown kind, type or op, ids that do not
	// match). Sending it again will not help; the kiosk's software is at
	// fault.
	RefusedMalformed RefusalCode = "malformed"
	// RefusedIncomplete: something the item must have is missing (the
	// service an application is for, an appeal's description, what a
	// disclosure request asks for, an opinion's text).
	RefusedIncomplete RefusalCode = "incomplete"
	// RefusedApplicant: the applicant's name, ID number or mobile is
	// missing or wrong, or a case that must name its applicant does not.
	RefusedApplicant RefusalCode = "applicant"
	// RefusedForm: the application's answers do not fit the service's
	// current form (it may have changed since the kiosk last synced), or
	// a field of the item breaks the rules every field keeps
	// (data.CheckFields: length, characters, ids, urls). The reason names
	// the field.
	RefusedForm RefusalCode = "form"
	// RefusedNotPublished: the service or consultation is no longer
	// published, or the consultation has no such topic.
	RefusedNotPublished RefusalCode = "not_published"
	// RefusedNotOnline: the service cannot be applied for at a kiosk.
	RefusedNotOnline RefusalCode = "not_online"
	// RefusedNotOpen: the consultation has not opened yet.
	RefusedNotOpen RefusalCode = "not_open"
	// RefusedAlreadyFiled: a case with this id is already filed.
	RefusedAlreadyFiled RefusalCode = "already_filed"
	// RefusedCaseUnknown: the case rated is not known to the district.
	RefusedCaseUnknown RefusalCode = "case_unknown"
	// RefusedNotRatable: the case is not completed, or is already rated.
	RefusedNotRatable RefusalCode = "not_ratable"
	// RefusedNotAwaitingCorrection: a correction for a case that is not
	// waiting for one (it was corrected already, or moved on).
	RefusedNotAwaitingCorrection RefusalCode = "not_awaiting_correction"
	// RefusedRatingLate: the case was not rated in time and already
	// counts as rated by default.
	RefusedRatingLate RefusalCode = "rating_late"
	// RefusedDistrictContent: staff edited content that only the district
	// edits (district-wide content, the calendar, staff accounts).
	RefusedDistrictContent RefusalCode = "district_content"
	// RefusedContent: the edited content is not valid (a field, a file,
	// the street it names).
	RefusedContent RefusalCode = "content"
	// RefusedNothingToDelete: staff deleted an item that is not published.
	RefusedNothingToDelete RefusalCode = "nothing_to_delete"

	// The codes below are the kiosk's, for an item refused by the status
	// of a whole request that named it (Error.Item), and not a result.

	// RefusedInvalid: the request was refused (400) because of the item.
	RefusedInvalid RefusalCode = "invalid"
	// RefusedOtherStreet: the item is for another street (403). Kiosks
	// no longer dead-letter an item for it (they keep it queued); the
	// code stays for dead letters recorded before.
	RefusedOtherStreet RefusalCode = "other_street"
	// RefusedIDReused: the item's id was sent before with another body
	// (409); the first one stands.
	RefusedIDReused RefusalCode = "id_reused"
)

// RefusalCodes are every code, in the order above.
var RefusalCodes = []RefusalCode{
	RefusedMalformed, RefusedIncomplete, RefusedApplicant, RefusedForm, RefusedNotPublished,
	RefusedNotOnline, RefusedNotOpen, RefusedAlreadyFiled, RefusedCaseUnknown, RefusedNotRatable,
	RefusedNotAwaitingCorrection, RefusedRatingLate, RefusedDistrictContent, RefusedContent, RefusedNothingToDelete,
	RefusedInvalid, RefusedOtherStreet, RefusedIDReused,
}

// Error is the body of every response that is not 2xx: one plain
// sentence, lower-case, and for a push refused whole because of one item
// (400, 403, 409), that item's id, so that the kiosk can set it aside and
// send the rest.
type Error struct {
	Message string `json:"error"`
	Item    string `json:"item,omitempty"`
}

// KioskInfo is the district's answer to GET /api/v1/kiosk: the kiosk the
// token belongs to and its street. The token carries only the number; a
// kiosk asks for its street before it pushes, so that a token of another
// street is refused on the kiosk instead of its residents' cases being
// refused at the district.
type KioskInfo struct {
	Kiosk      int64     `json:"kiosk"`
	Street     string    `json:"street"`
	ServerTime time.Time `json:"server_time"`
}

// Health is the body of the health route.
type Health struct {
	Status     string    `json:"status"` // "ok"
	Version    string    `json:"version"`
	ServerTime time.Time `json:"server_time"`
}
