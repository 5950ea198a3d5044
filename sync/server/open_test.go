package server

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestOpenSQLiteAtOnceMigratesOnce opens the same new file from two
// goroutines at once, as `serve --demo` and `kiosk add` do from two
// processes: the second waits for the first one's migrations.
func TestOpenSQLiteAtOnceMigratesOnce(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("district%d.db", round))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := OpenSQLite(ctx, path)
				if err == nil {
					err = st.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, open %d: %v", round, i, err)
			}
		}
	}
}
