package data

import "encoding/json"

// Op is what a change does to its item.
type Op string

const (
	OpUpsert Op = "upsert"
	OpDelete Op = "delete"
)

// Change is the one change format: every piece of content that flows from
// the district to a kiosk, by HTTP pull or in a bundle, is a Change. Seq is
// assigned by the district and strictly increases; Version is the item's own
// version, which also increases with every edit. Body is the item as JSON
// (a Notice, ServiceItem, ...) for an upsert, and empty for a delete.
type Change struct {
	Seq     int64           `json:"seq"`
	Kind    Kind            `json:"kind"`
	ID      string          `json:"id"`
	Op      Op              `json:"op"`
	Version int64           `json:"version"`
	Body    json.RawMessage `json:"body,omitempty"`
}
