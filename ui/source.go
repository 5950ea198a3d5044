package ui

import (
	"context"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
)

// The read interfaces below are what each screen needs from the kiosk's
// store; *store.Store satisfies all of them, and tests hand in fakes or a
// temporary store.

// NoticeReader lists and reads notices.
type NoticeReader interface {
	ListNotices(ctx context.Context, f store.NoticeFilter, p store.Page) ([]store.NoticeRow, int, error)
	Notice(ctx context.Context, id string) (data.Notice, error)
}

// CatalogReader lists and reads disclosure-catalogue entries.
type CatalogReader interface {
	ListCatalog(ctx context.Context, f store.CatalogFilter, p store.Page) ([]store.CatalogRow, int, error)
	CatalogEntry(ctx context.Context, id string) (data.CatalogEntry, error)
}

// ServiceReader lists and reads service items and their guides.
type ServiceReader interface {
	ListServices(ctx context.Context, f store.ServiceFilter, p store.Page) ([]store.ServiceRow, int, error)
	Service(ctx context.Context, id string) (data.ServiceItem, error)
}

// ProviderReader lists, groups and reads providers.
type ProviderReader interface {
	ListProviders(ctx context.Context, f store.ProviderFilter, p store.Page) ([]store.ProviderRow, int, error)
	ProviderCategories(ctx context.Context) ([]store.CategoryCount, error)
	Provider(ctx context.Context, id string) (data.Provider, error)
}

// ConsultationReader lists and reads consultations.
type ConsultationReader interface {
	ListConsultations(ctx context.Context, f store.ConsultationFilter, p store.Page) ([]store.ConsultationRow, int, error)
	Consultation(ctx context.Context, id string) (data.Consultation, error)
}

// Searcher runs full-text searches.
type Searcher interface {
	Search(ctx context.Context, q store.Query) (store.Results, error)
}

// Content is everything the resident screens read.
type Content interface {
	NoticeReader
	CatalogReader
	ServiceReader
	ProviderReader
	ConsultationReader
	Searcher
	Status(ctx context.Context) (store.Status, error)
	Street(ctx context.Context, code string) (data.Street, error)
	Streets(ctx context.Context) ([]data.Street, error)
}

var _ Content = (*store.Store)(nil)

// SyncSource reports the connection state for the header: whether the
// district is reachable, when the last sync completed and how many writes
// wait to go out. The sync agent implements it; a window without one
// (no --district) has StoreSyncStatus.
type SyncSource interface {
	SyncStatus() (online bool, lastSync *time.Time, waiting int)
}

// SyncErrorSource is a SyncSource that also says why its last sync did not
// finish ("" when it did), for the staff health screen: the sync agent
// implements it.
type SyncErrorSource interface {
	SyncError() string
}

// WrongAnswerSource is a SyncSource that also tells staff when the
// district's URL answers, but not as the district does (the sync agent
// is one): the address asked, its HTTP status, and the district URL to
// give instead when one was found. url is empty while nothing is wrong.
type WrongAnswerSource interface {
	WrongAnswer() (url string, status int, use string)
}

// StoreSyncStatus reports offline with the store's own last sync time and
// outbox count: what is true before a sync agent runs.
type StoreSyncStatus struct {
	Store interface {
		Status(ctx context.Context) (store.Status, error)
	}
}

// SyncStatus implements SyncSource. It reads the database, so call it off
// the Fyne goroutine.
func (s StoreSyncStatus) SyncStatus() (bool, *time.Time, int) {
	st, err := s.Store.Status(context.Background())
	if err != nil {
		return false, nil, 0
	}
	return false, st.LastSync, st.OutboxPending
}
