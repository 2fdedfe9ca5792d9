// Command carpsim serves the simulator's DemoScenario for `make demo`:
//
//	go run ./internal/cmd/carpsim [-listen 127.0.0.1:8989] [-env-file path]
//
// It prints `export NAME=value` lines for the provider (VSPHERE_*, and
// NSXT_* for its NSX Manager) and the
// demo objects' ids (CARP_DEMO_*) on stdout and, once the server listens,
// writes them atomically to -env-file; then it serves until SIGINT/SIGTERM.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

func envName(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8989", "listen address")
	envFile := flag.String("env-file", "", "also write the export lines to this file (atomically, once listening)")
	flag.Parse()

	srv, err := simulator.Start(simulator.DemoScenario(), simulator.WithListenAddr(*listen))
	if err != nil {
		log.Fatalf("carpsim: %v", err)
	}
	defer srv.Close()

	var lines []string
	env := srv.Env()
	for _, k := range []string{"VSPHERE_SERVER", "VSPHERE_USER", "VSPHERE_PASSWORD", "VSPHERE_ALLOW_UNVERIFIED_SSL",
		"NSXT_MANAGER_HOST", "NSXT_USERNAME", "NSXT_PASSWORD", "NSXT_ALLOW_UNVERIFIED_SSL"} {
		if v, ok := env[k]; ok {
			lines = append(lines, fmt.Sprintf("export %s=%q", k, v))
		}
	}
	ids := map[string]string{}
	sc := simulator.DemoScenario()
	for _, dc := range sc.Datacenters {
		ids["DC_"+envName(dc.Name)] = srv.DatacenterID(dc.Name)
		for _, cl := range dc.Clusters {
			ids["CLUSTER_"+envName(cl.Name)] = srv.ClusterID(cl.Name)
			for _, h := range cl.Hosts {
				ids["HOST_"+envName(h.Name)] = srv.HostID(h.Name)
			}
		}
		for _, h := range dc.Hosts {
			ids["HOST_"+envName(h.Name)] = srv.HostID(h.Name)
		}
		for _, d := range dc.DVSwitches {
			ids["DVS_"+envName(d.Name)] = srv.DVSwitchID(d.Name)
			for _, pg := range d.PortGroups {
				ids["DVPG_"+envName(pg.Name)] = srv.DVPortGroupID(pg.Name)
			}
		}
	}
	for _, vm := range sc.VMs {
		ids["VM_"+envName(vm.Name)] = srv.VMID(vm.Name)
	}
	keys := make([]string, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("export CARP_DEMO_%s=%s", k, ids[k]))
	}
	out := strings.Join(lines, "\n") + "\n"
	fmt.Print(out)

	if *envFile != "" {
		dir := filepath.Dir(*envFile)
		tmp, err := os.CreateTemp(dir, ".carpsim-env-*")
		if err != nil {
			log.Fatalf("carpsim: %v", err)
		}
		if _, err := tmp.WriteString(out); err != nil {
			log.Fatalf("carpsim: %v", err)
		}
		if err := tmp.Close(); err != nil {
			log.Fatalf("carpsim: %v", err)
		}
		if err := os.Rename(tmp.Name(), *envFile); err != nil {
			log.Fatalf("carpsim: %v", err)
		}
		defer os.Remove(*envFile)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
}
