package client_test

import (
	"os"
	"testing"

	"jiezhen/internal/pgtest"
)

// TestMain stops the PostgreSQL server the district's tests may have
// started (JIEZHEN_TEST_STORE=postgres, internal/pgtest).
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}
