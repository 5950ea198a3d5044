package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// WebPrefix begins the id of every item filed on the street's website;
// the rest is the random id of the form the resident was given.
const WebPrefix = "web-"

// FileFromWeb files a resident's case (wire.ItemCase) or opinion
// (wire.ItemOpinion) from street's website, down the path a kiosk's push
// takes, with the same checks: the case gets the district's time, its
// working-day deadline and a reference from the district's own series,
// and Channel web. id is the form's id (WebPrefix and random hex); the
// push ledger makes a second submission of the same form answer the first
// result (outcome duplicate, First set) and store nothing. A refusal is
// a result with outcome refused; the same id with other answers is an
// *Error with status 409. See docs/WEB.md.
func (p *Platform) FileFromWeb(ctx context.Context, street string, kind wire.ItemKind, id string, body []byte) (wire.PushResult, error) {
	if kind != wire.ItemCase && kind != wire.ItemOpinion {
		return wire.PushResult{}, fmt.Errorf("the website files cases and opinions, not %q", kind)
	}
	if !strings.HasPrefix(id, WebPrefix) {
		return wire.PushResult{}, fmt.Errorf("a website item's id begins with %q", WebPrefix)
	}
	k := Kiosk{Street: street}
	resp, err := p.push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: id, Kind: kind, Body: body}}}, data.ChannelWeb)
	if err != nil {
		return wire.PushResult{}, err
	}
	if len(resp.Results) != 1 {
		return wire.PushResult{}, errors.New("the push gave no result")
	}
	return resp.Results[0], nil
}

// IsConflict reports whether err is the answer to an id filed before
// with other content.
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusConflict
}

// CaseByRef finds a case by its reference; ErrNotFound if none has it.
func (p *Platform) CaseByRef(ctx context.Context, ref string) (CaseRecord, error) {
	var rec CaseRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		rec, err = tx.CaseByRef(ref)
		return err
	})
	return rec, err
}
