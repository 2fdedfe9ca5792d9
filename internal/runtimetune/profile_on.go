//go:build carpprof

package runtimetune

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// StartProfile, in a build with -tags carpprof only, writes a CPU profile of
// this process to $CARP_CPUPROFILE/cpu-<pid>.pprof (a directory; Terraform
// starts the provider more than once per command, and go tool pprof merges
// the files). stop flushes it; main.go calls it once Serve returns (Terraform
// ends the plugin through go-plugin's controller, so Serve returns) and
// before exiting on its own (SIGTERM, parent gone).
func StartProfile() (stop func()) {
	dir := os.Getenv("CARP_CPUPROFILE")
	if dir == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		log.Printf("[WARN] CPU profile: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Printf("[WARN] CPU profile: %v", err)
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
