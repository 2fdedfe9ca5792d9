package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// The fault campaign's configuration: the host option of esx-01 flips every
// run (so carp_host_settings writes it and toggles the host's promiscuous
// port groups), and four port group policies, two standard and two
// distributed, toggle on every run.
func campaignConfig(sim *simulator.Server, run int) string {
	// Runs are dealt to the workers in turn, so flip on run/2: each worker
	// sees the option change on every one of its runs.
	rpfOn := (run/2)%2 == 0
	return fmt.Sprintf(`
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {}

resource "carp_host_settings" "esx01" {
  host_system_id                 = %q
  reverse_path_fwd_check_promisc = %t
  toggle_promiscuous_on_apply    = true
}

resource "carp_portgroup_policy" "std" {
  for_each        = toset(["FW-WAN", "FW-LAN"])
  host_system_id  = %q
  portgroup       = each.value
  toggle_on_apply = true
  toggle_triggers = { run = "%d" }
  # As the carp-ha-firewall module does: the host option first, so each
  # policy records the option's new value among its toggle hazards.
  depends_on = [carp_host_settings.esx01]
}

resource "carp_portgroup_policy" "dv" {
  for_each                 = toset([%q, %q])
  distributed_portgroup_id = each.value
  toggle_on_apply          = true
  toggle_triggers          = { run = "%d" }
}
`, sim.HostID("esx-01.lab"), rpfOn, sim.HostID("esx-01.lab"), run, sim.DVPortGroupID("FW-CORE"), sim.DVPortGroupID("FW-LEGACY"), run)
}

// campaignState is what the campaign checks after each run.
type campaignState struct {
	rpf int64
	// security by object: promiscuous, MAC changes, forged transmits
	sec map[string][3]bool
}

type watched struct{ name, id string }

func campaignObjects(sim *simulator.Server) []watched {
	return []watched{
		{"FW-WAN", "FW-WAN"}, {"FW-LAN", "FW-LAN"}, {"FW-SYNC", "FW-SYNC"}, {"FW-DMZ", "FW-DMZ"},
		{"FW-CORE", sim.DVPortGroupID("FW-CORE")}, {"FW-LEGACY", sim.DVPortGroupID("FW-LEGACY")},
	}
}

func readCampaign(t testing.TB, sim *simulator.Server) campaignState {
	t.Helper()
	host := sim.HostID("esx-01.lab")
	snap := acctest.NewOOB(t, sim).Read(vsphere.Request{HostIDs: []string{host}, DVPortGroupIDs: []string{sim.DVPortGroupID("FW-CORE"), sim.DVPortGroupID("FW-LEGACY")}})
	st := campaignState{sec: map[string][3]bool{}}
	h := snap.FindHost(host)
	if h.RPFCheckPromisc != nil {
		st.rpf = *h.RPFCheckPromisc
	}
	for _, pg := range h.PortGroups {
		e := pg.Effective
		st.sec[pg.Name] = [3]bool{e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits}
	}
	for _, pg := range snap.DVPortGroups {
		e := pg.Effective
		st.sec[pg.ID] = [3]bool{e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits}
	}
	return st
}

// desired is the state the configuration of a run asks for.
func desired(sim *simulator.Server, run int) campaignState {
	st := campaignState{sec: map[string][3]bool{}}
	if (run/2)%2 == 0 {
		st.rpf = 1
	}
	all := [3]bool{true, true, true}
	for _, w := range campaignObjects(sim) {
		st.sec[w.id] = all
	}
	return st
}

// faultPlan is one injected fault: the nth call of a method fails.
type faultPlan struct {
	method string
	nth    int
}

// The methods a fault is injected into: writes (toggles and policies), the
// host option, distributed writes (the task fails), reads and task waits
// (RetrievePropertiesEx), and logins. The nth call is drawn from the calls
// the previous, fault-free apply made of that method, so that nearly every
// fault fires.
var campaignMethods = []string{"UpdatePortGroup", "UpdateOptions", "ReconfigureDVPortgroup_Task", "RetrievePropertiesEx", "Login"}

func callsByMethod(sim *simulator.Server) map[string]int {
	n := map[string]int{}
	for _, c := range sim.Calls() {
		n[c.Method]++
	}
	return n
}

// TestFaultCampaign applies toggling policies and host settings over and
// over, each time with a fault injected at a random vSphere call (seeded:
// CARP_FAULT_SEED, CARP_FAULT_RUNS). After each run: either success with the
// exact desired state, or an error that names every object the run left
// less CARP-safe than it found it; then a fault-free apply converges and the
// plan after it is empty.
func TestFaultCampaign(t *testing.T) {
	t.Parallel()
	seed := int64(20261125)
	if s, err := strconv.ParseInt(os.Getenv("CARP_FAULT_SEED"), 10, 64); err == nil {
		seed = s
	}
	runs := 100
	if n, err := strconv.Atoi(os.Getenv("CARP_FAULT_RUNS")); err == nil && n > 0 {
		runs = n
	}
	const workers = 2 // campaignConfig's flip assumes two
	var injected, fired, failedRuns, unsafe, notConverged atomic.Int64
	var mu sync.Mutex
	var problems []string
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(w)))
			sim, err := simulator.Start(simulator.DemoScenario())
			if err != nil {
				t.Error(err)
				return
			}
			defer sim.Close()
			c := newCLI(t, sim)
			dir := filepath.Join(c.work, fmt.Sprintf("campaign-%d", w))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Error(err)
				return
			}
			rel, _ := filepath.Rel(c.work, dir)
			write := func(run int) {
				if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(campaignConfig(sim, run)), 0o644); err != nil {
					t.Error(err)
				}
			}
			report := func(format string, args ...any) {
				mu.Lock()
				defer mu.Unlock()
				problems = append(problems, fmt.Sprintf("worker %d: ", w)+fmt.Sprintf(format, args...))
			}
			// Converge once, fault-free.
			write(0)
			if out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color"); code != 0 {
				report("initial apply failed:\n%s", out)
				return
			}
			write(1)
			sim.ResetCalls()
			if out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color"); code != 0 {
				report("second apply failed:\n%s", out)
				return
			}
			counts := callsByMethod(sim)
			for run := 2 + w; run <= runs+1; run += workers {
				before := readCampaign(t, sim)
				method := campaignMethods[rng.Intn(len(campaignMethods))]
				fp := faultPlan{method, 1 + rng.Intn(max(1, counts[method]))}
				sim.ClearFaults()
				sim.ResetCalls()
				sim.FailCall(fp.method, "", fp.nth, &types.SystemError{Reason: fmt.Sprintf("injected by the fault campaign (run %d)", run)})
				injected.Add(1)
				write(run)
				out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
				didFire := false
				for _, call := range sim.Calls() {
					if call.Fault == "SystemError" {
						didFire = true
						break
					}
				}
				if didFire {
					fired.Add(1)
				}
				if os.Getenv("CARP_FAULT_VERBOSE") != "" {
					t.Logf("run %d: %s #%d of %d: fired %t, exit %d, calls %v", run, fp.method, fp.nth, counts[fp.method], didFire, code, callsByMethod(sim))
				}
				sim.ClearFaults()
				after := readCampaign(t, sim)
				want := desired(sim, run)
				if code == 0 {
					if fmt.Sprint(after) != fmt.Sprint(want) {
						unsafe.Add(1)
						report("run %d (%s #%d): apply succeeded but the state is %v, want %v", run, fp.method, fp.nth, after, want)
					}
				} else {
					failedRuns.Add(1)
					for _, o := range campaignObjects(sim) {
						b, a := before.sec[o.id], after.sec[o.id]
						worse := (b[0] && !a[0]) || (b[1] && !a[1]) || (b[2] && !a[2])
						if worse && !strings.Contains(out, o.name) && !strings.Contains(out, o.id) {
							unsafe.Add(1)
							report("run %d (%s #%d): %s left less CARP-safe (%v -> %v) and the error does not name it:\n%s", run, fp.method, fp.nth, o.name, b, a, out)
						}
					}
				}
				// Converge: a fault-free apply, then an empty plan.
				out, code = c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
				if code != 0 {
					notConverged.Add(1)
					report("run %d (%s #%d): the fault-free apply failed:\n%s", run, fp.method, fp.nth, out)
					continue
				}
				if out, code := c.run(rel, c.bin, "plan", "-input=false", "-detailed-exitcode", "-no-color"); code != 0 {
					notConverged.Add(1)
					report("run %d (%s #%d): the plan after the fault-free apply is not empty (exit %d):\n%s", run, fp.method, fp.nth, code, out)
					continue
				}
				if got := readCampaign(t, sim); fmt.Sprint(got) != fmt.Sprint(want) {
					notConverged.Add(1)
					report("run %d: converged state %v, want %v", run, got, want)
				}
			}
		}(w)
	}
	wg.Wait()
	fmt.Printf("FAULTS seed %d: %d runs, %d faults injected, %d fired, %d applies failed, %d objects left unsafe without an error, %d runs did not converge\n",
		seed, runs, injected.Load(), fired.Load(), failedRuns.Load(), unsafe.Load(), notConverged.Load())
	t.Logf("seed %d: %d runs, %d faults injected (%d fired), %d applies failed; objects left unsafe without an error: %d; runs that did not converge: %d",
		seed, runs, injected.Load(), fired.Load(), failedRuns.Load(), unsafe.Load(), notConverged.Load())
	for _, p := range problems {
		t.Error(p)
	}
	if unsafe.Load() != 0 || notConverged.Load() != 0 {
		t.Errorf("objects left unsafe without an error: %d (must be 0); runs that did not converge: %d (must be 0)", unsafe.Load(), notConverged.Load())
	}
}
