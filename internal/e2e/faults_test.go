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
// "" for any) fails, and the attempts-1 calls after it too. retried marks
// a single fault on the restoring write of a toggle, which its retry must
// absorb; lasting, a fault on a restoring write that outlasts every retry
// (vsphere.RestoreAttempts), on the resource kind named.
type faultPlan struct {
	method, object string
	nth, attempts  int
	retried        bool
	lasting        string // resource kind, "" when not lasting
}

func (f faultPlan) String() string {
	s := fmt.Sprintf("%s #%d", f.method, f.nth)
	if f.attempts > 1 {
		s += fmt.Sprintf("-#%d", f.nth+f.attempts-1)
	}
	if f.object != "" {
		s += " on " + f.object
	}
	if f.retried {
		s += " (restoring write)"
	}
	if f.lasting != "" {
		s += " (every attempt of a restoring write of " + f.lasting + ")"
	}
	return s
}

// inject arms the fault of run on sim.
func (f faultPlan) inject(sim *simulator.Server, run int) {
	for i := 0; i < max(1, f.attempts); i++ {
		sim.FailCall(f.method, f.object, f.nth+i, &types.SystemError{Reason: fmt.Sprintf("injected by the fault campaign (run %d)", run)})
	}
}

// The resource kinds whose restoring writes a lasting fault outlasts.
const (
	kindHost = "carp_host_settings"
	kindStd  = "carp_portgroup_policy (standard)"
	kindDV   = "carp_portgroup_policy (distributed)"
)

var lastingKinds = []string{kindHost, kindStd, kindDV}

// drawFault draws the fault of a run. One run in four faults a restoring
// write once: toggles come in pairs (off, restore) under the per-host lock, so
// every even UpdatePortGroup call of esx-01 restores; a DV port group gets
// exactly two ReconfigureDVPortgroup_Task calls, the second restoring.
// One run in four faults a restoring write on every attempt (lastingFault).
// The others fault the nth call of a method, drawn from the calls the
// previous, fault-free apply made of it, so that nearly every fault fires.
func drawFault(rng *rand.Rand, sim *simulator.Server, counts map[string]int) faultPlan {
	switch rng.Intn(4) {
	case 0:
		switch rng.Intn(3) {
		case 0:
			return faultPlan{method: "UpdatePortGroup", nth: 2 * (1 + rng.Intn(max(1, counts["UpdatePortGroup"]/2))), attempts: 1, retried: true}
		case 1:
			return faultPlan{method: "ReconfigureDVPortgroup_Task", object: sim.DVPortGroupID("FW-CORE"), nth: 2, attempts: 1, retried: true}
		default:
			return faultPlan{method: "ReconfigureDVPortgroup_Task", object: sim.DVPortGroupID("FW-LEGACY"), nth: 2, attempts: 1, retried: true}
		}
	case 1:
		return lastingFault(rng, sim, counts, lastingKinds[rng.Intn(len(lastingKinds))])
	}
	method := campaignMethods[rng.Intn(len(campaignMethods))]
	return faultPlan{method: method, nth: 1 + rng.Intn(max(1, counts[method])), attempts: 1}
}

// lastingFault faults every attempt of a restoring write of kind. A run's
// UpdatePortGroup calls are the host's toggle first, a pair per
// promiscuous port group of esx-01 (carp_host_settings toggles them in
// name order), then the two policies' toggles, a pair each (they depend
// on the host settings): the calibration counts them. A DV port group's
// restoring write is its second ReconfigureDVPortgroup_Task.
func lastingFault(rng *rand.Rand, sim *simulator.Server, counts map[string]int, kind string) faultPlan {
	f := faultPlan{method: "UpdatePortGroup", attempts: vsphere.RestoreAttempts, lasting: kind}
	hostPairs := max(1, (counts["UpdatePortGroup"]-4)/2)
	switch kind {
	case kindHost:
		f.nth = 2 + 2*rng.Intn(hostPairs)
	case kindStd:
		f.nth = 2*hostPairs + 2 + 2*rng.Intn(2)
	default:
		f.method, f.object, f.nth = "ReconfigureDVPortgroup_Task", sim.DVPortGroupID([]string{"FW-CORE", "FW-LEGACY"}[rng.Intn(2)]), 2
	}
	return f
}

// What the provider's errors say was left with promiscuous mode off (the
// messages of carp_portgroup_policy and carp_host_settings; Terraform
// wraps them in a box, so the output is flattened first).
var (
	boxChars = strings.NewReplacer("│", " ", "╷", " ", "╵", " ")
	// the toggle diagnostics (tfdiag.Toggle): "is left OFF on: <targets>:
	// putting it back failed", "may be left OFF on: <targets>: it was
	// turned off"
	leftOffRes = []*regexp.Regexp{
		regexp.MustCompile(`is left OFF on: (.*?): putting it back failed`),
		regexp.MustCompile(`may be left OFF on: (.*?): it was turned off`),
	}
	targetRe = regexp.MustCompile(`(port group|vSwitch) "([^"]+)"`)
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
			for _, t := range targetRe.FindAllStringSubmatch(m[1], -1) {
				add(t[1], t[2])
			}
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

// campaignTally is what the campaign counts, shared by its workers.
type campaignTally struct {
	mu                                                                                     sync.Mutex
	injected, fired, failedRuns, unsafe, notConverged, retriedDrawn, absorbed, notAbsorbed int
	// lasting faults by resource kind: drawn, and outlasting every retry
	lastingDrawn, outlasted map[string]int
	// applies: how many fault-free applies each faulted run took to
	// converge (0: not within two)
	applies  map[int]int
	problems []string
}

func (c *campaignTally) add(f func(*campaignTally)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(c)
}

// TestFaultCampaign applies toggling policies and host settings over and
// over, each time with a fault injected at a random vSphere call (seeded:
// CARP_FAULT_SEED, CARP_FAULT_RUNS). After each run: either success with the
// exact desired state, or an error whose every claim is true, read back
// from the simulator: a port group it names as left off is off, one it
// does not name is as safe as before (see untrue). A single fault on the
// restoring write of a toggle (one run in four) must be absorbed by its
// retry: the apply succeeds. A fault on every attempt of a restoring write
// (one run in four: carp_host_settings, a standard or a distributed
// carp_portgroup_policy) must fail the apply, naming what it left off.
// Then ONE fault-free apply converges, whatever the fault left, and the
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
	tally := &campaignTally{lastingDrawn: map[string]int{}, outlasted: map[string]int{}, applies: map[int]int{}}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			campaignWorker(t, w, seed, runs, workers, tally)
		}(w)
	}
	wg.Wait()
	var lasting []string
	for _, k := range lastingKinds {
		lasting = append(lasting, fmt.Sprintf("%s %d of %d", k, tally.outlasted[k], tally.lastingDrawn[k]))
	}
	summary := fmt.Sprintf("seed %d: %d runs, %d faults injected, %d fired, %d applies failed, %d unsafe runs (an error not true of the state, or a wrong state after success), %d runs did not converge in one fault-free apply, %d of %d single faults on a restoring write absorbed; faults outlasting every retry of a restoring write: %s; fault-free applies to converge: 1: %d, 2: %d, more: %d",
		seed, runs, tally.injected, tally.fired, tally.failedRuns, tally.unsafe, tally.notConverged, tally.absorbed, tally.retriedDrawn,
		strings.Join(lasting, ", "), tally.applies[1], tally.applies[2], tally.applies[0])
	fmt.Println("FAULTS " + summary)
	t.Log(summary)
	for _, p := range tally.problems {
		t.Error(p)
	}
	notOutlasted := 0
	for _, k := range lastingKinds {
		notOutlasted += tally.lastingDrawn[k] - tally.outlasted[k]
	}
	if tally.unsafe != 0 || tally.notConverged != 0 || tally.notAbsorbed != 0 || notOutlasted != 0 {
		t.Errorf("unsafe runs: %d, runs that did not converge in one apply: %d, single faults on a restoring write not absorbed: %d, lasting faults that did not outlast the retries: %d (all must be 0)",
			tally.unsafe, tally.notConverged, tally.notAbsorbed, notOutlasted)
	}
}

// campaignWorker is one worker of the campaign: its own simulator, CLI and
// runs w+2, w+2+workers, ...
func campaignWorker(t *testing.T, w int, seed int64, runs, workers int, tally *campaignTally) {
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
		tally.add(func(c *campaignTally) {
			c.problems = append(c.problems, fmt.Sprintf("worker %d: ", w)+fmt.Sprintf(format, args...))
		})
	}
	// Converge once, fault-free.
	write(0)
	if out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color"); code != 0 {
		report("initial apply failed:\n%s", out)
		return
	}
	// Count the calls of a run that changes everything (run -2 flips the
	// option, so the host toggles too), then set the option back for run
	// 2's flip.
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
		fp.inject(sim, run)
		write(run)
		out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
		var faulted []simulator.Call
		for _, call := range sim.Calls() {
			if call.Fault == "SystemError" {
				faulted = append(faulted, call)
			}
		}
		if os.Getenv("CARP_FAULT_VERBOSE") != "" {
			t.Logf("run %d: %v of %d: fired %d, exit %d, calls %v", run, fp, counts[fp.method], len(faulted), code, callsByMethod(sim))
		}
		sim.ClearFaults()
		after := readCampaign(t, sim)
		want := desired(sim, run)
		tally.add(func(c *campaignTally) {
			c.injected++
			if len(faulted) > 0 {
				c.fired++
			}
		})
		judgeFault(fp, run, faulted, code, out, after, want, tally, report)
		if code == 0 {
			if after.String() != want.String() {
				tally.add(func(c *campaignTally) { c.unsafe++ })
				report("run %d (%v): apply succeeded but the state is %v, want %v", run, fp, after, want)
			}
		} else {
			tally.add(func(c *campaignTally) { c.failedRuns++ })
			if bad := untrue(out, campaignObjects(sim), before, after); len(bad) > 0 {
				tally.add(func(c *campaignTally) { c.unsafe++ })
				report("run %d (%v): the error is not true of the state:\n  %s\n%s", run, fp, strings.Join(bad, "\n  "), out)
			}
		}
		applies, problem := converge(t, c, rel, sim, want)
		tally.add(func(c *campaignTally) {
			c.applies[applies]++
			if applies != 1 {
				c.notConverged++
			}
		})
		if problem != "" {
			report("run %d (%v): %s", run, fp, problem)
		}
	}
}

// judgeFault checks what the fault of a run was drawn for: a single fault
// on a restoring write is absorbed by its retry (the apply succeeds); a
// lasting one outlasts every attempt and fails the apply.
func judgeFault(fp faultPlan, run int, faulted []simulator.Call, code int, out string, after, want campaignState, tally *campaignTally, report func(string, ...any)) {
	restoring := len(faulted) > 0
	for _, call := range faulted {
		restoring = restoring && !strings.Contains(call.Detail, "promisc=false")
	}
	switch {
	case fp.retried:
		tally.add(func(c *campaignTally) { c.retriedDrawn++ })
		switch {
		case !restoring:
			tally.add(func(c *campaignTally) { c.notAbsorbed++ })
			report("run %d (%v): the fault did not hit a restoring write (faulted calls %+v)", run, fp, faulted)
		case code != 0 || after.String() != want.String():
			tally.add(func(c *campaignTally) { c.notAbsorbed++ })
			report("run %d (%v): one fault on a retried write was not absorbed (exit %d, state %v, want %v):\n%s", run, fp, code, after, want, out)
		default:
			tally.add(func(c *campaignTally) { c.absorbed++ })
		}
	case fp.lasting != "":
		tally.add(func(c *campaignTally) { c.lastingDrawn[fp.lasting]++ })
		switch {
		case !restoring || len(faulted) != vsphere.RestoreAttempts:
			report("run %d (%v): the fault did not hit every attempt of a restoring write (faulted calls %+v)", run, fp, faulted)
		case code == 0:
			report("run %d (%v): the restoring write failed on every attempt, yet the apply succeeded:\n%s", run, fp, out)
		default:
			tally.add(func(c *campaignTally) { c.outlasted[fp.lasting]++ })
		}
	}
}

// converge runs fault-free applies until the plan after one is empty and
// the state is the desired one, two at the most: it returns how many it
// took (0: not within two) and, when it took more than one, what went
// wrong with the first.
func converge(t *testing.T, c *cli, rel string, sim *simulator.Server, want campaignState) (int, string) {
	problem := ""
	for applies := 1; applies <= 2; applies++ {
		out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
		p := ""
		if code != 0 {
			p = fmt.Sprintf("fault-free apply %d failed:\n%s", applies, out)
		} else if out, code := c.run(rel, c.bin, "plan", "-input=false", "-detailed-exitcode", "-no-color"); code != 0 {
			p = fmt.Sprintf("the plan after fault-free apply %d is not empty (exit %d):\n%s", applies, code, out)
		} else if got := readCampaign(t, sim); got.String() != want.String() {
			p = fmt.Sprintf("fault-free apply %d converged to %v, want %v", applies, got, want)
		}
		if p == "" {
			return applies, problem
		}
		if problem == "" {
			problem = p
		}
	}
	return 0, problem
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
│ Promiscuous mode is left OFF on: port group "FW-SYNC" on host esx-01
│ (host-18) (SystemError: ServerFaultCode: SystemError): putting it back
│ failed 4 times. CARP on it does not work until it is back.
╵
╷
│ Error: Toggle interrupted
│
│ The toggle stopped (the toggle of port group "FW-SYNC" left it off) before
│ these, which were not toggled and keep promiscuous mode as it was: port
│ group "FW-WAN" on host esx-01 (host-18), vSwitch "vSwitch1" on host esx-01
│ (host-18). Toggled and restored: none.
╵
╷
│ Error: Promiscuous mode may be left off
│
│ Promiscuous mode may be left OFF on: distributed port group "FW-CORE"
│ (dvportgroup-27) on switch dvs-65 (dvs-22) (context deadline exceeded): it
│ was turned off, then vSphere stopped answering.
╵
╷
│ Error: Promiscuous mode left off
│
│ Promiscuous mode is left OFF on: vSwitch "vSwitch1" on host esx-01
│ (host-18) (SystemError: x); port group "FW-DMZ" on host esx-01 (host-18)
│ (SystemError: y): putting it back failed 4 times. CARP on them does not
│ work until it is back.
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
