//go:build carpprof

package runtimetune

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// StartProfile, in a build with -tags carpprof only, writes a CPU profile of
// this process to $CARP_CPUPROFILE/cpu-<pid>.pprof (a directory; Terraform
// starts the provider more than once per command, and go tool pprof merges
// the files). stop flushes it; main.go calls it once Serve returns (Terraform
// ends the plugin through go-plugin's controller, so Serve returns) and
// before exiting on its own (SIGTERM, parent gone). An error means no
// profile is written; stop is then a no-op.
func StartProfile() (stop func(), err error) {
	dir := os.Getenv("CARP_CPUPROFILE")
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		return func() {}, fmt.Errorf("CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return func() {}, fmt.Errorf("CPU profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
