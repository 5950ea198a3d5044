// Package demo loads the demo content that ships in assets: one pilot
// street's notices, catalogue, service guides, providers, consultations and
// working-day calendar. The kiosk and districtd load the same set.
package demo

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"

	"jiezhen/assets"
	"jiezhen/data"
)

// Street is the code of the demo's pilot street.
const Street = "440106005"

// Content reads every file of the demo set and returns them as one
// validated ContentSet.
func Content(today data.Date) (*data.ContentSet, error) {
	files, err := fs.Glob(assets.Demo, "demo/*.json")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("demo content: no files in assets/demo")
	}
	all := &data.ContentSet{}
	for _, name := range files {
		b, err := fs.ReadFile(assets.Demo, name)
		if err != nil {
			return nil, err
		}
		set, err := data.ReadContentSet(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("demo content %s: %w", path.Base(name), err)
		}
		merge(all, set)
	}
	if err := all.Validate(today); err != nil {
		return nil, fmt.Errorf("demo content: %w", err)
	}
	return all, nil
}

func merge(dst, src *data.ContentSet) {
	dst.Streets = append(dst.Streets, src.Streets...)
	dst.Notices = append(dst.Notices, src.Notices...)
	dst.Catalog = append(dst.Catalog, src.Catalog...)
	dst.Services = append(dst.Services, src.Services...)
	dst.Providers = append(dst.Providers, src.Providers...)
	dst.Consultations = append(dst.Consultations, src.Consultations...)
	dst.Calendars = append(dst.Calendars, src.Calendars...)
}
