// Package assets embeds what the kiosk ships: fonts, icons, translations and demo content.
package assets

import "embed"

// Demo holds the demo content: ContentSet JSON files, each holding one part
// (streets, notices, catalogue, services, providers, consultations,
// calendars). Everything in it is demo data; the streets say so with
// "demo": true.
//
//go:embed demo/*.json
var Demo embed.FS
