// Command bigdb writes a kiosk database of synthetic content for start-up
// measurements: go run ./ui/testdata/startup/bigdb FILE [N]. The full-text
// index is built before it exits, as on a kiosk that has caught up.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"jiezhen/data/store"
	"jiezhen/data/synth"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bigdb FILE [N]")
		os.Exit(2)
	}
	n := 100000
	if len(os.Args) > 2 {
		var err error
		if n, err = strconv.Atoi(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	ctx := context.Background()
	s, err := store.OpenWith(ctx, os.Args[1], store.Options{NoIndexer: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer s.Close()
	changes := synth.Changes(n, 1)
	if _, err := s.Apply(ctx, store.ContentFeed, changes, int64(len(changes))); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		done, err := s.IndexPending(ctx, 5000)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if done == 0 {
			break
		}
	}
	fmt.Println(os.Args[1], n)
}
