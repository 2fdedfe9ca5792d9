// Command terraform-provider-carp is the Terraform provider that makes
// VMware vSphere networking safe for CARP.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	rdebug "runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/carpsafe/terraform-provider-carp/internal/provider"
)

// Set by goreleaser's ldflags.
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	// Terraform runs one provider process per command; with a thousand
	// resources the Go runtime would otherwise let the heap grow to twice
	// its live size between collections. A soft limit keeps the process
	// small (GOMEMLIMIT, when set, wins).
	if os.Getenv("GOMEMLIMIT") == "" {
		rdebug.SetMemoryLimit(64 << 20)
	}

	quietLogs()

	sessions := &provider.Sessions{}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	err := providerserver.Serve(ctx, provider.New(version, sessions), providerserver.ServeOpts{
		Address: "registry.terraform.io/carpsafe/carp",
		Debug:   debug,
	})

	// The plugin is ending: log every vSphere session out so none is left
	// behind on the server (the vsphere provider leaks one per run).
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	sessions.LogoutAll(lctx)
	cancel()

	if err != nil {
		log.Fatalf("%s (commit %s): %v", version, commit, err)
	}
}

// quietLogs turns the plugin's logging off when Terraform was not asked for
// logs. terraform-plugin-log defaults to TRACE when no level is set, so the
// SDK would build and JSON-encode every trace line of every request (most of
// the provider's allocations at a thousand resources) only for Terraform to
// drop it. Any TF_LOG* variable (TF_LOG, TF_LOG_PROVIDER, TF_LOG_SDK...)
// leaves everything as it is.
func quietLogs() {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TF_LOG") && k != "TF_LOG_PATH" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		_ = os.Setenv(k, "off")
	}
}
