package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func concurrencyScenario() simulator.Scenario {
	reject := inventory.Security{AllowPromiscuous: inventory.Ptr(false), MacChanges: inventory.Ptr(false), ForgedTransmits: inventory.Ptr(false)}
	var pgs []simulator.PortGroup
	var dvpgs []simulator.DVPortGroup
	for i := 0; i < 30; i++ {
		pgs = append(pgs, simulator.PortGroup{Name: fmt.Sprintf("PG-%02d", i), VLAN: int32(100 + i), Security: reject})
		dvpgs = append(dvpgs, simulator.DVPortGroup{Name: fmt.Sprintf("DPG-%02d", i), Security: reject})
	}
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name: "dc",
		Clusters: []simulator.Cluster{{Name: "c", Hosts: []simulator.Host{{Name: "esx-c", RPFCheckPromisc: 1, VSwitches: []simulator.VSwitch{
			{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, PortGroups: pgs},
		}}}}},
		DVSwitches: []simulator.DVSwitch{{Name: "dvs-c", Version: "7.0.0", HostNames: []string{"esx-c"}, PortGroups: dvpgs}},
	}}}
}

func concurrencyConfig(sim *simulator.Server, round int) string {
	var dv []string
	for i := 0; i < 30; i++ {
		dv = append(dv, fmt.Sprintf("%q", sim.DVPortGroupID(fmt.Sprintf("DPG-%02d", i))))
	}
	return fmt.Sprintf(`
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {
  api_timeout = "2m"
}

resource "carp_portgroup_policy" "std" {
  for_each        = toset([for i in range(30) : format("PG-%%02d", i)])
  host_system_id  = %q
  portgroup       = each.value
  toggle_on_apply = true
  toggle_triggers = { round = "%d" }
}

resource "carp_portgroup_policy" "dv" {
  for_each                 = toset([%s])
  distributed_portgroup_id = each.value
  toggle_on_apply          = true
  toggle_triggers          = { round = "%d" }
}
`, sim.HostID("esx-c"), round, strings.Join(dv, ", "), round)
}

// TestConcurrency applies 30 toggling policies on one host and 30 on one
// distributed switch at parallelism 10, then toggles them all again at 20:
// no lost update (every port group ends exact, VLANs kept), no
// ConcurrentAccess surfaced, well inside api_timeout.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(concurrencyScenario())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	dir := filepath.Join(c.work, "concurrency")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A little latency widens the windows in which writers can race.
	sim.SetDelay(10 * time.Millisecond)
	for round, par := range []int{10, 20} {
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(concurrencyConfig(sim, round)), 0o644); err != nil {
			t.Fatal(err)
		}
		sim.ResetCalls()
		start := time.Now()
		out := c.tf("concurrency", 0, "apply", "-input=false", "-auto-approve", "-no-color", fmt.Sprintf("-parallelism=%d", par))
		took := time.Since(start)
		if strings.Contains(out, "ConcurrentAccess") {
			t.Errorf("parallelism %d: ConcurrentAccess reached the user:\n%s", par, out)
		}
		writes := 0
		for _, call := range sim.Calls() {
			if call.Method == "UpdatePortGroup" || call.Method == "ReconfigureDVPortgroup_Task" {
				writes++
			}
		}
		if writes != 120 {
			t.Errorf("parallelism %d: %d writes, want 120 (2 per port group)", par, writes)
		}
		var dvIDs []string
		for i := 0; i < 30; i++ {
			dvIDs = append(dvIDs, sim.DVPortGroupID(fmt.Sprintf("DPG-%02d", i)))
		}
		snap := acctest.NewOOB(t, sim).Read(vsphere.Request{HostIDs: []string{sim.HostID("esx-c")}, DVPortGroupIDs: dvIDs})
		bad := 0
		for i, pg := range snap.FindHost(sim.HostID("esx-c")).PortGroups {
			e := pg.Effective
			if !e.AllowPromiscuous || !e.MacChanges || !e.ForgedTransmits || !pg.VLAN.Equal(inventory.StandardVLAN(int32(100+i))) {
				bad++
				t.Errorf("parallelism %d: %s ends %+v, VLAN %s", par, pg.Name, e, pg.VLAN)
			}
		}
		for _, pg := range snap.DVPortGroups {
			if e := pg.Effective; !e.AllowPromiscuous || !e.MacChanges || !e.ForgedTransmits {
				bad++
				t.Errorf("parallelism %d: %s ends %+v", par, pg.Name, e)
			}
		}
		t.Logf("parallelism %d: 60 toggling policies applied in %v, %d writes, %d port groups off their desired policy", par, took.Round(time.Millisecond), writes, bad)
		if took > time.Minute {
			t.Errorf("parallelism %d took %v", par, took)
		}
		c.tf("concurrency", 0, "plan", "-input=false", "-detailed-exitcode", "-no-color")
	}
}
