package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

func TestRecordKioskNumber(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	if n, err := s.KioskNumber(ctx); err != nil || n != 0 {
		t.Fatalf("new database: kiosk %d, %v", n, err)
	}
	if st, err := s.Status(ctx); err != nil || st.KioskNumber != 0 {
		t.Fatalf("status of a new database: %+v, %v", st, err)
	}
	if _, err := s.RecordKioskNumber(ctx, 0, now); err == nil {
		t.Fatal("recorded 0")
	}
	if old, err := s.RecordKioskNumber(ctx, 7, now); err != nil || old != 0 {
		t.Fatalf("first record: %d, %v", old, err)
	}
	if old, err := s.RecordKioskNumber(ctx, 7, now); err != nil || old != 7 {
		t.Fatalf("same again: %d, %v", old, err)
	}
	// A case waits: another number is refused, naming both.
	if err := s.Enqueue(ctx, OutboxItem{ID: "case-1", Kind: data.ItemCase, Body: []byte(`{}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	_, err = s.RecordKioskNumber(ctx, 12, now)
	if !errors.Is(err, ErrKioskRenumbered) || !strings.Contains(err.Error(), "kiosk 7's") || !strings.Contains(err.Error(), "kiosk 12") {
		t.Fatalf("renumbered with a case waiting: %v", err)
	}
	s.Close()
	s2, err := Open(ctx, path) // the number is in the file
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if st, err := s2.Status(ctx); err != nil || st.KioskNumber != 7 {
		t.Fatalf("status after reopening: %+v, %v", st, err)
	}
	// Once the case is sent the number may change.
	if err := s2.Done(ctx, "case-1"); err != nil {
		t.Fatal(err)
	}
	if old, err := s2.RecordKioskNumber(ctx, 12, now); err != nil || old != 7 {
		t.Fatalf("renumbered with nothing waiting: %d, %v", old, err)
	}
	if n, err := s2.KioskNumber(ctx); err != nil || n != 12 {
		t.Fatalf("kiosk %d, %v; want 12", n, err)
	}
}
