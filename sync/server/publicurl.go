package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"jiezhen/data"
)

// settingPublicURL is the website's base address (districtd serve
// --public-url); each street item carries its street's page under it as
// data.Street.Website, so that kiosks print its tracking form in a
// receipt's QR code. See docs/ARCHITECTURE.md, "The street website".
const settingPublicURL = "public_url"

// CheckPublicURL says in one line what is wrong with a website base
// address, nil if nothing: an absolute http or https URL with a host and
// no query or fragment.
func CheckPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("the public URL %q is not an http:// or https:// address with a host and no query, like https://jiezhen.example.gov.cn", s)
	}
	return data.CheckURL(s)
}

// SetPublicURL records the website's base address (empty: none) and gives
// every street item its page under it, as a new version in the feed where
// it changed, so that kiosks learn it with their street's content. It
// returns how many street items changed.
func (p *Platform) SetPublicURL(ctx context.Context, base string) (int, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base != "" {
		if err := CheckPublicURL(base); err != nil {
			return 0, err
		}
	}
	n := 0
	err := p.store.Write(ctx, func(tx Tx) error {
		n = 0
		if err := tx.SetSetting(settingPublicURL, base); err != nil {
			return err
		}
		items, err := tx.LiveItems(data.KindStreet)
		if err != nil {
			return err
		}
		for _, it := range items {
			body, err := streetWithWebsite(it.Body, base)
			if err != nil {
				return err
			}
			if string(body) == string(it.Body) {
				continue
			}
			it.Version++
			it.Body = body
			if _, err := tx.PutItem(it); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// streetWithWebsite is a street item's body with its website under base
// ("" for none).
func streetWithWebsite(body json.RawMessage, base string) (json.RawMessage, error) {
	var st data.Street
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("street item: %w", err)
	}
	want := ""
	if base != "" {
		want = base + "/s/" + url.PathEscape(st.Code) + "/"
	}
	if st.Website == want {
		return body, nil
	}
	st.Website = want
	return json.Marshal(st)
}

// PublicURL is the website's base address that serve recorded, "" when
// none.
func (p *Platform) PublicURL(ctx context.Context) (string, error) {
	var base string
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		base, err = tx.Setting(settingPublicURL)
		return err
	})
	return base, err
}
