package e2e

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

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
