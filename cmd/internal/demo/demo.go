// Package demo loads the demo content that ships in assets: one pilot
// street's notices, catalogue, service guides, providers, consultations and
// working-day calendar. The kiosk and districtd load the same set.
package demo

import (
	"fmt"

	"jiezhen/assets"
	"jiezhen/data"
)

// Street is the code of the demo's pilot street.
const Street = "440106005"

// Content reads every file of the demo set and returns them as one
// validated ContentSet.
func Content(today data.Date) (*data.ContentSet, error) {
	all, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		return nil, fmt.Errorf("demo content: %w", err)
	}
	if err := all.Validate(today); err != nil {
		return nil, fmt.Errorf("demo content: %w", err)
	}
	return all, nil
}
