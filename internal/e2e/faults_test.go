package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
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
	// the vSwitch of each standard port group that inherits promiscuous
	// mode from it, and whether each vSwitch accepts it (to check what an
	// error says of a vSwitch); not part of the compared state
	inheritsFrom map[string]string
	vswitchOn    map[string]bool
}

// String is the compared state: the option and every object's security.
func (s campaignState) String() string { return fmt.Sprint(s.rpf, " ", s.sec) }

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
	st := campaignState{sec: map[string][3]bool{}, inheritsFrom: map[string]string{}, vswitchOn: map[string]bool{}}
	h := snap.FindHost(host)
	if h.RPFCheckPromisc != nil {
		st.rpf = *h.RPFCheckPromisc
	}
	for _, pg := range h.PortGroups {
		e := pg.Effective
		st.sec[pg.Name] = [3]bool{e.AllowPromiscuous, e.MacChanges, e.ForgedTransmits}
		if pg.Security.AllowPromiscuous == nil {
			st.inheritsFrom[pg.Name] = pg.VSwitch
		}
	}
	for _, vs := range h.VSwitches {
		st.vswitchOn[vs.Name] = vs.Security.AllowPromiscuous != nil && *vs.Security.AllowPromiscuous
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

// faultPlan is one injected fault: the nth call of a method (on object,
// "" for any) fails. retried marks a fault on the restoring write of a
// toggle, which its retry must absorb.
type faultPlan struct {
	method, object string
	nth            int
	retried        bool
}

func (f faultPlan) String() string {
	s := fmt.Sprintf("%s #%d", f.method, f.nth)
	if f.object != "" {
		s += " on " + f.object
	}
	if f.retried {
		s += " (restoring write)"
	}
	return s
}

// drawFault draws the fault of a run. One run in four faults a restoring
// write: toggles come in pairs (off, restore) under the per-host lock, so
// every even UpdatePortGroup call of esx-01 restores; a DV port group gets
// exactly two ReconfigureDVPortgroup_Task calls, the second restoring.
// The others fault the nth call of a method, drawn from the calls the
// previous, fault-free apply made of it, so that nearly every fault fires.
func drawFault(rng *rand.Rand, sim *simulator.Server, counts map[string]int) faultPlan {
	if rng.Intn(4) == 0 {
		switch rng.Intn(3) {
		case 0:
			return faultPlan{method: "UpdatePortGroup", nth: 2 * (1 + rng.Intn(max(1, counts["UpdatePortGroup"]/2))), retried: true}
		case 1:
			return faultPlan{method: "ReconfigureDVPortgroup_Task", object: sim.DVPortGroupID("FW-CORE"), nth: 2, retried: true}
		default:
			return faultPlan{method: "ReconfigureDVPortgroup_Task", object: sim.DVPortGroupID("FW-LEGACY"), nth: 2, retried: true}
		}
	}
	method := campaignMethods[rng.Intn(len(campaignMethods))]
	return faultPlan{method: method, nth: 1 + rng.Intn(max(1, counts[method]))}
}

// What the provider's errors say was left with promiscuous mode off (the
// messages of carp_portgroup_policy and carp_host_settings; Terraform
// wraps them in a box, so the output is flattened first).
var (
	boxChars   = strings.NewReplacer("│", " ", "╷", " ", "╵", " ")
	leftOffRes = []*regexp.Regexp{
		regexp.MustCompile(`Promiscuous mode was turned off on (?:distributed )?(port group) "([^"]+)"`),
		regexp.MustCompile(`(port group|vSwitch) "([^"]+)" on host \S+ \(\S+\) was left with promiscuous mode OFF`),
	}
	stillOffRe = regexp.MustCompile(`failed again for: (.*?)\. CARP does not work`)
	targetRe   = regexp.MustCompile(`(port group|vSwitch) "([^"]+)" \(`)
)

// leftOffClaims returns the port groups (standard or distributed, by name)
// and the vSwitches the output says were left with promiscuous mode off.
func leftOffClaims(out string) (pgs, vswitches map[string]bool) {
	text := strings.Join(strings.Fields(boxChars.Replace(out)), " ")
	pgs, vswitches = map[string]bool{}, map[string]bool{}
	add := func(kind, name string) {
		if kind == "vSwitch" {
			vswitches[name] = true
		} else {
			pgs[name] = true
		}
	}
	for _, re := range leftOffRes {
		for _, m := range re.FindAllStringSubmatch(text, -1) {
			add(m[1], m[2])
		}
	}
	for _, m := range stillOffRe.FindAllStringSubmatch(text, -1) {
		for _, t := range targetRe.FindAllStringSubmatch(m[1], -1) {
			add(t[1], t[2])
		}
	}
	return pgs, vswitches
}

// untrue lists what the errors of a failed run say that is not so: a port
// group or vSwitch named as left off that accepts promiscuous mode, one
// not named that lost it (directly or through its vSwitch), and any object
// less safe in MAC changes or forged transmits than before.
func untrue(out string, objects []watched, before, after campaignState) []string {
	pgs, vss := leftOffClaims(out)
	var bad []string
	known := map[string]bool{}
	for _, o := range objects {
		known[o.name] = true
		b, a := before.sec[o.id], after.sec[o.id]
		claimed := pgs[o.name] || vss[after.inheritsFrom[o.name]]
		switch {
		case claimed && a[0]:
			bad = append(bad, fmt.Sprintf("the error says %s was left with promiscuous mode off, but it accepts it (%v)", o.name, a))
		case !claimed && b[0] && !a[0]:
			bad = append(bad, fmt.Sprintf("%s lost promiscuous mode (%v -> %v) and no error says it was left off", o.name, b, a))
		}
		if (b[1] && !a[1]) || (b[2] && !a[2]) {
			bad = append(bad, fmt.Sprintf("%s lost MAC changes or forged transmits (%v -> %v)", o.name, b, a))
		}
	}
	for name := range pgs {
		if !known[name] {
			bad = append(bad, fmt.Sprintf("the error says port group %q was left off, which the campaign does not configure", name))
		}
	}
	for name := range vss {
		if on, ok := after.vswitchOn[name]; !ok || on {
			bad = append(bad, fmt.Sprintf("the error says vSwitch %q was left off, but it is not (exists %t)", name, ok))
		}
	}
	return bad
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
// exact desired state, or an error whose every claim is true, read back
// from the simulator: a port group it names as left off is off, one it
// does not name is as safe as before (see untrue). A single fault on the
// restoring write of a toggle (one run in four) must be absorbed by its
// retry: the apply succeeds. Then a fault-free apply converges and the plan
// after it is empty.
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
	var injected, fired, failedRuns, unsafe, notConverged, retriedDrawn, absorbed, notAbsorbed atomic.Int64
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
			// Count the calls of a run that changes everything (run -2
			// flips the option, so the host toggles too), then set the
			// option back for run 2's flip.
			var counts map[string]int
			for _, run := range []int{-2, 1} {
				write(run)
				sim.ResetCalls()
				if out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color"); code != 0 {
					report("calibration apply (run %d) failed:\n%s", run, out)
					return
				}
				if counts == nil {
					counts = callsByMethod(sim)
				}
			}
			for run := 2 + w; run <= runs+1; run += workers {
				before := readCampaign(t, sim)
				fp := drawFault(rng, sim, counts)
				sim.ClearFaults()
				sim.ResetCalls()
				sim.FailCall(fp.method, fp.object, fp.nth, &types.SystemError{Reason: fmt.Sprintf("injected by the fault campaign (run %d)", run)})
				injected.Add(1)
				write(run)
				out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
				var hit *simulator.Call
				for _, call := range sim.Calls() {
					if call.Fault == "SystemError" {
						hit = &call
						break
					}
				}
				if hit != nil {
					fired.Add(1)
				}
				if os.Getenv("CARP_FAULT_VERBOSE") != "" {
					t.Logf("run %d: %v of %d: fired %t, exit %d, calls %v", run, fp, counts[fp.method], hit != nil, code, callsByMethod(sim))
				}
				sim.ClearFaults()
				after := readCampaign(t, sim)
				want := desired(sim, run)
				if fp.retried {
					retriedDrawn.Add(1)
					switch {
					case hit == nil || strings.Contains(hit.Detail, "promisc=false"):
						notAbsorbed.Add(1)
						report("run %d (%v): the fault did not hit a restoring write (faulted call %+v)", run, fp, hit)
					case code != 0 || after.String() != want.String():
						notAbsorbed.Add(1)
						report("run %d (%v): one fault on a retried write was not absorbed (exit %d, state %v, want %v):\n%s", run, fp, code, after, want, out)
					default:
						absorbed.Add(1)
					}
				}
				if code == 0 {
					if after.String() != want.String() {
						unsafe.Add(1)
						report("run %d (%v): apply succeeded but the state is %v, want %v", run, fp, after, want)
					}
				} else {
					failedRuns.Add(1)
					if bad := untrue(out, campaignObjects(sim), before, after); len(bad) > 0 {
						unsafe.Add(1)
						report("run %d (%v): the error is not true of the state:\n  %s\n%s", run, fp, strings.Join(bad, "\n  "), out)
					}
				}
				// Converge: a fault-free apply, then an empty plan.
				out, code = c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
				if code != 0 {
					notConverged.Add(1)
					report("run %d (%v): the fault-free apply failed:\n%s", run, fp, out)
					continue
				}
				if out, code := c.run(rel, c.bin, "plan", "-input=false", "-detailed-exitcode", "-no-color"); code != 0 {
					notConverged.Add(1)
					report("run %d (%v): the plan after the fault-free apply is not empty (exit %d):\n%s", run, fp, code, out)
					continue
				}
				if got := readCampaign(t, sim); got.String() != want.String() {
					notConverged.Add(1)
					report("run %d: converged state %v, want %v", run, got, want)
				}
			}
		}(w)
	}
	wg.Wait()
	summary := fmt.Sprintf("seed %d: %d runs, %d faults injected, %d fired, %d applies failed, %d unsafe runs (an error not true of the state, or a wrong state after success), %d runs did not converge, %d of %d single faults on a restoring write absorbed",
		seed, runs, injected.Load(), fired.Load(), failedRuns.Load(), unsafe.Load(), notConverged.Load(), absorbed.Load(), retriedDrawn.Load())
	fmt.Println("FAULTS " + summary)
	t.Log(summary)
	for _, p := range problems {
		t.Error(p)
	}
	if unsafe.Load() != 0 || notConverged.Load() != 0 || notAbsorbed.Load() != 0 {
		t.Errorf("unsafe runs: %d, runs that did not converge: %d, single faults on a restoring write not absorbed: %d (all must be 0)", unsafe.Load(), notConverged.Load(), notAbsorbed.Load())
	}
}

// TestLeftOffClaims: the oracle reads the claims out of the errors as
// Terraform prints them (boxed and wrapped).
func TestLeftOffClaims(t *testing.T) {
	t.Parallel()
	out := `
╷
│ Error: Promiscuous mode left off
│
│   with carp_host_settings.h,
│   on main.tf line 14, in resource "carp_host_settings" "h":
│   14: resource "carp_host_settings" "h" {
│
│ port group "FW-SYNC" on host esx-01 (host-18) was left with promiscuous mode
│ OFF: re-enabling it failed 4 times (SystemError: ServerFaultCode:
│ SystemError). CARP on that port group does not work until it is re-enabled.
│ Not toggled (unchanged): port group "FW-WAN", vSwitch "vSwitch1".
╵
╷
│ Error: Toggle left promiscuous mode OFF
│
│ Promiscuous mode was turned off on distributed port group "FW-CORE"
│ (dvportgroup-27) on switch dvs-65 (dvs-22), but writing the desired policy
│ failed after 4 attempts.
╵
╷
│ Error: Promiscuous mode still off
│
│ Re-enabling promiscuous mode on host esx-01 (host-18) failed again for:
│ vSwitch "vSwitch1" (SystemError: x); port group "FW-DMZ" (SystemError: y).
│ CARP does not work on them until it is re-enabled.
╵
╷
│ Error: Cannot write the port group policy
│
│ writing the policy of port group "FW-LAN" (host-15:FW-LAN) failed with
│ SystemError. Promiscuous mode is not left off by this apply.
╵`
	pgs, vss := leftOffClaims(out)
	if got, want := fmt.Sprint(pgs, vss), "map[FW-CORE:true FW-DMZ:true FW-SYNC:true] map[vSwitch1:true]"; got != want {
		t.Errorf("claims %s, want %s", got, want)
	}
}
