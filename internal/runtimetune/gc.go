// Package runtimetune is what the provider's process sets up before it
// serves: the garbage collector's settings (GC, gc.go) and, in a build
// with -tags carpprof only, a CPU profile of the process (StartProfile,
// profile_on.go; the normal build has the no-op of profile_off.go).
// main.go calls both; make bench with CARP_BENCH_PROFILE builds the
// provider with the tag (internal/e2e).
package runtimetune

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings when the environment sets none: a plan of
// 1,000 resources allocates mostly short-lived values (the framework's
// copies of each resource's value tree), and with the default GOGC=100 the
// collector took a fifth of the provider's CPU while the heap stayed near
// 20 MiB. GOGC=400 collects a quarter as often; the soft memory limit makes
// the collector work harder again before the heap nears it (64 MiB), keeping the
// provider's peak RSS under 100 MiB (the budget of internal/e2e's
// perf_test.go). GOGC or GOMEMLIMIT in the environment win.
const (
	gcPercent   = 400
	memoryLimit = 64 << 20 // bytes
)

// GC applies the settings above, unless GOGC or GOMEMLIMIT is set.
func GC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
