// Command terraform-provider-carp is the Terraform provider that makes
// VMware vSphere networking safe for CARP.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/carpsafe/terraform-provider-carp/internal/provider"
	"github.com/carpsafe/terraform-provider-carp/internal/runtimetune"
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

	quietLogs()
	runtimetune.GC()
	stopProfile, err := runtimetune.StartProfile()
	if err != nil {
		// Before Serve there is no request to log with: Terraform reads
		// the plugin's stderr, and the level prefix, into its own log.
		log.Printf("[WARN] %v", err)
	}

	sessions := &provider.Sessions{}
	ctx := context.Background()
	if !debug {
		go endOnItsOwn(ctx, sessions, stopProfile)
	}

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	factory := provider.NewServer(version, sessions)
	err = tf6server.Serve("registry.terraform.io/carpsafe/carp", func() tfprotov6.ProviderServer {
		srv, err := factory()
		if err != nil {
			log.Fatalf("%s (commit %s): %v", version, commit, err)
		}
		return srv
	}, opts...)

	// Terraform ended the plugin: log every vSphere session out so none is
	// left behind on the server (the vsphere provider leaks one per run).
	// When the process was already ending on its own (endOnItsOwn), this
	// waits for that end, so the process does not exit under its logouts.
	ectx, cancel := context.WithTimeout(ctx, provider.EndBudget)
	sessions.End(ectx)
	cancel()
	stopProfile()

	if err != nil {
		log.Fatalf("%s (commit %s): %v", version, commit, err)
	}
}

// endOnItsOwn ends the process when Terraform cannot: on SIGTERM, when the
// Terraform process that started it is gone, or when the connection to it
// broke. A toggle already started makes its restoring write first, then the
// sessions are logged out; the process exits within provider.EndBudget.
//
// SIGINT is not among them: a Ctrl-C in a terminal reaches the whole process
// group, and Terraform answers it with StopProvider (go-plugin ignores the
// signal in the plugin). SIGPIPE is ignored: once Terraform is gone, its
// end of stderr is closed, and a log line would otherwise kill the process
// with the toggle half done (Go exits on SIGPIPE from fd 1 or 2).
//
// stopProfile flushes the CPU profile of a -tags carpprof build (a no-op
// otherwise) before the process exits.
func endOnItsOwn(ctx context.Context, sessions *provider.Sessions, stopProfile func()) {
	signal.Ignore(syscall.SIGPIPE)
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	why := sessions.AwaitEnd(term, os.Getppid(), os.Getppid)
	start := time.Now()
	ectx, cancel := context.WithTimeout(ctx, provider.EndBudget)
	finished := sessions.End(ectx)
	cancel()
	log.Printf("[INFO] %s: toggles in flight finished: %v; sessions logged out; exiting after %v", why, finished, time.Since(start).Round(time.Millisecond))
	stopProfile()
	if !finished {
		os.Exit(1)
	}
	os.Exit(0)
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
