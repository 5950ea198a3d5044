package client_test

import (
	"os"
	"testing"

	"jiezhen/internal/pgtest"
)

// TestMain releases the benchmarks' district and stops the PostgreSQL
// server the district's tests may have started (JIEZHEN_TEST_STORE=postgres,
// internal/pgtest).
func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range pullFeeds {
		if f.held != nil {
			f.held.release()
		}
	}
	pgtest.Stop()
	os.Exit(code)
}
