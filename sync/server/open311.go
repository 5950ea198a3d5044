package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// The Open311 API's clients and their filings (docs/OPEN311.md). A
// client holds an API key that `districtd apikey add` prints once; the
// district keeps only its SHA-256, as for kiosk tokens.

// apiKeyPrefix begins every API key, so that one pasted in the wrong
// place is recognised.
const apiKeyPrefix = "jz311_"

// Open311Prefix begins the id of every item filed through the Open311
// API; the push ledger keeps them apart from kiosks' and the website's.
const Open311Prefix = "open311-"

// AddAPIKey registers an Open311 client under a name of its own and
// returns the key, shown this once.
func (p *Platform) AddAPIKey(ctx context.Context, name string) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return APIKey{}, "", errors.New("the API key needs a name that says whose it is")
	}
	if n := len([]rune(name)); n > 100 {
		return APIKey{}, "", fmt.Errorf("the API key's name has %d characters, more than 100", n)
	}
	secret, err := newSecret()
	if err != nil {
		return APIKey{}, "", err
	}
	key := apiKeyPrefix + secret
	k := APIKey{Name: name, CreatedAt: p.clock()}
	err = p.store.Write(ctx, func(tx Tx) error {
		list, err := tx.APIKeys()
		if err != nil {
			return err
		}
		for _, o := range list {
			if o.Name == name {
				return fmt.Errorf("there is an API key named %q already (id %d)", name, o.ID)
			}
		}
		k.ID, err = tx.AddAPIKey(k, hashToken(key))
		return err
	})
	if err != nil {
		return APIKey{}, "", err
	}
	p.log.Info("api key added", "id", k.ID, "name", k.Name)
	return k, key, nil
}

// APIKeys lists the Open311 clients by id, without their keys.
func (p *Platform) APIKeys(ctx context.Context) ([]APIKey, error) {
	var out []APIKey
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.APIKeys()
		return err
	})
	return out, err
}

// RemoveAPIKey deletes an API key: its client is refused from then on.
func (p *Platform) RemoveAPIKey(ctx context.Context, id int64) error {
	return p.store.Write(ctx, func(tx Tx) error {
		ok, err := tx.RemoveAPIKey(id)
		if err == nil && !ok {
			err = fmt.Errorf("there is no API key %d", id)
		}
		return err
	})
}

// AuthenticateAPIKey returns the client whose key this is, or
// ErrUnauthorized.
func (p *Platform) AuthenticateAPIKey(ctx context.Context, key string) (APIKey, error) {
	if !strings.HasPrefix(key, apiKeyPrefix) {
		return APIKey{}, ErrUnauthorized
	}
	var k APIKey
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		k, err = tx.APIKeyByHash(hashToken(key))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return APIKey{}, ErrUnauthorized
	}
	return k, err
}

// FileOpen311 files a case that client k posted for street, down the
// path a kiosk's push takes, with the same checks: the district's time,
// the working-day deadline, a reference from the district's own series
// and Channel open311. With an idempotency key, a second post of the
// same case under the same key answers the first result (outcome
// duplicate, First set) and stores nothing; the same key with another
// case is an *Error with status 409. A refusal is a result with outcome
// refused.
func (p *Platform) FileOpen311(ctx context.Context, k APIKey, street string, c data.Case, idempotencyKey string) (wire.PushResult, error) {
	var id string
	if idempotencyKey != "" {
		h := sha256.Sum256([]byte(idempotencyKey))
		id = fmt.Sprintf("%s%d-%s", Open311Prefix, k.ID, hex.EncodeToString(h[:16]))
	} else {
		secret, err := newSecret()
		if err != nil {
			return wire.PushResult{}, err
		}
		id = Open311Prefix + hashToken(secret)[:32]
	}
	c.ID, c.Ref, c.Street = id, "", street
	body, err := json.Marshal(c)
	if err != nil {
		return wire.PushResult{}, err
	}
	resp, err := p.push(ctx, Kiosk{Street: street}, &wire.PushRequest{Items: []wire.PushItem{{ID: id, Kind: wire.ItemCase, Body: body}}}, data.ChannelOpen311)
	if err != nil {
		return wire.PushResult{}, err
	}
	if len(resp.Results) != 1 {
		return wire.PushResult{}, errors.New("the push gave no result")
	}
	res := resp.Results[0]
	if res.Outcome == wire.Accepted {
		p.log.Info("open311 request filed", "client", k.ID, "ref", res.Ref)
	}
	return res, nil
}
