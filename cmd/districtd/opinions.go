package main

import (
	"context"
	"io"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// opinionLine is one opinion as `districtd opinions` prints it: what the
// resident said and the district's mark, without the name or mobile of a
// resident who gave them (the back office shows them masked).
type opinionLine struct {
	ID           string       `json:"id"`
	Ref          string       `json:"ref"`
	Consultation string       `json:"consultation"`
	Topic        string       `json:"topic"`
	Text         string       `json:"text"`
	Anonymous    bool         `json:"anonymous"`
	Street       string       `json:"street"`
	Kiosk        int64        `json:"kiosk"` // 0: the website
	At           time.Time    `json:"at"`
	ReceivedAt   time.Time    `json:"received_at"`
	Late         bool         `json:"late,omitempty"`
	Outcome      data.Outcome `json:"outcome,omitempty"`
	Reason       string       `json:"reason,omitempty"`
	MarkedBy     string       `json:"marked_by,omitempty"`
	MarkedAt     *time.Time   `json:"marked_at,omitempty"`
}

func opinions(args []string, stdout io.Writer) error {
	fs := newFlags("opinions")
	dbPath := fs.String("db", "", "the district database")
	consultation := fs.String("consultation", "", "only this consultation's opinions")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	return withDB(*dbPath, false, func(ctx context.Context, p *server.Platform) error {
		list, err := p.AllOpinions(ctx, *consultation)
		if err != nil {
			return err
		}
		for _, o := range list {
			l := opinionLine{ID: o.Opinion.ID, Ref: o.Ref, Consultation: o.Opinion.Consultation, Topic: o.Opinion.Topic,
				Text: o.Opinion.Text, Anonymous: o.Opinion.Anonymous, Street: o.Street, Kiosk: o.Kiosk, At: o.Opinion.At,
				ReceivedAt: o.ReceivedAt, Late: o.Late, Outcome: o.Outcome, Reason: o.Reason, MarkedBy: o.MarkedBy}
			if !o.MarkedAt.IsZero() {
				l.MarkedAt = &o.MarkedAt
			}
			if err := printJSON(stdout, l); err != nil {
				return err
			}
		}
		return nil
	})
}
