//go:build !unix

package client_test

import "time"

// processCPU is not measured here: the benchmarks' CPU figures are 0.
func processCPU() time.Duration { return 0 }
