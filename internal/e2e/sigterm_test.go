package e2e

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// termDelay is the simulated vCenter's answer time in the SIGTERM tests:
// long enough that the signal lands while a call is in flight.
const termDelay = 250 * time.Millisecond

// runningProviders are the carp provider processes Terraform (tfPID)
// started that are still running.
func runningProviders(tfPID int) []int {
	var pids []int
	for _, pid := range childPIDs(tfPID, "terraform-provi") {
		if running(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// answered is how many calls of method the simulator has answered.
func answered(sim *simulator.Server, method string) int {
	n := 0
	for _, c := range sim.Calls() {
		if c.Method == method {
			n++
		}
	}
	return n
}

// inFlight reports whether a call of method has reached the simulator and
// is not answered yet.
func inFlight(sim *simulator.Server, method string) bool {
	return sim.Arrived(method) > answered(sim, method)
}

// sigtermDuring runs terraform args in dir against sim, every call
// answered after termDelay, sends SIGTERM to the provider as soon as when
// reports true, and checks that the provider exits within the end budget,
// having waited for the answer to its logout, and that the server's
// session count returns to what it was before the command. It returns the
// CLI's output.
func sigtermDuring(t *testing.T, sim *simulator.Server, c *cli, dir string, what string, when func() bool, args ...string) string {
	t.Helper()
	before := sim.SessionCount()
	sim.SetDelay(termDelay)
	cmd := exec.Command(c.bin, append(args, "-input=false", "-no-color")...)
	cmd.Dir, cmd.Env = dir, c.env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	var pids []int
	for deadline := time.Now().Add(2 * time.Minute); pids == nil && time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if when() {
			pids = runningProviders(cmd.Process.Pid)
		}
	}
	if pids == nil {
		t.Fatalf("%s never came, or no provider ran then (calls %v):\n%s", what, callsByMethod(sim), out.String())
	}
	during := sim.SessionCount()
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	var took time.Duration
	for _, pid := range pids {
		took = max(took, waitExit(t, pid, endBudget))
	}
	_ = cmd.Wait()
	// A request still in flight when the provider exited is carried out
	// all the same (simulator.Server.Arrived): give it its answer time.
	time.Sleep(3 * termDelay)
	sim.SetDelay(0)
	after := sim.SessionCount()
	if after != before {
		t.Errorf("sessions: %d before, %d when SIGTERM came %s, %d after the provider exited: a session is left open on the server (calls %v)\n%s",
			before, during, what, after, callsByMethod(sim), out.String())
	}
	// The provider waited for the answer to its logout: a process that
	// exits under its logout in flight cannot tell whether the request
	// even left it (whether it did is a matter of scheduling).
	for _, call := range sim.Calls() {
		if call.Method == "Logout" && call.Abandoned {
			t.Errorf("the provider exited before the answer to its Logout (call %d) came: whether a logout reaches the server is left to chance", call.Seq)
		}
	}
	t.Logf("SIGTERM %s: the provider exited %v later; sessions %d before, %d then, %d after", what, took.Round(time.Millisecond), before, during, after)
	return out.String()
}

// TestSIGTERMDuringLogin: SIGTERM while the provider's Login is in flight
// (terraform plan configuring it). The login completes on the server after
// the signal; the provider logs that session out before it exits.
func TestSIGTERMDuringLogin(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	dir := endConfig(t, c, "login", `data "carp_hosts" "all" {}
`)
	sigtermDuring(t, sim, c, dir, "during the login", func() bool { return inFlight(sim, "Login") }, "plan")
}

// TestSIGTERMDuringPlanReads: SIGTERM while the reads of a plan are in
// flight (logged in, a PropertyCollector call unanswered).
func TestSIGTERMDuringPlanReads(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	dir := endConfig(t, c, "reads", `resource "carp_portgroup_policy" "p" {
  for_each       = toset(["FW-WAN", "FW-LAN", "FW-SYNC", "FW-DMZ"])
  host_system_id = "`+sim.HostID("esx-01.lab")+`"
  portgroup      = each.value
}
`)
	sigtermDuring(t, sim, c, dir, "during the reads of a plan", func() bool {
		return answered(sim, "Login") > 0 && inFlight(sim, "RetrievePropertiesEx")
	}, "plan")
}

// TestSIGTERMDuringApplyWrites: SIGTERM while a write of an apply is in
// flight (a port group policy that does not toggle).
func TestSIGTERMDuringApplyWrites(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	dir := endConfig(t, c, "writes", `resource "carp_portgroup_policy" "p" {
  for_each          = toset(["FW-WAN", "FW-LAN"])
  host_system_id    = "`+sim.HostID("esx-01.lab")+`"
  portgroup         = each.value
  allow_mac_changes = false
}
`)
	sigtermDuring(t, sim, c, dir, "during an apply's write", func() bool { return inFlight(sim, "UpdatePortGroup") }, "apply", "-auto-approve")
}

// TestSIGTERMDuringToggle: SIGTERM while the first write of a toggle is in
// flight. The provider makes the restoring write before it logs out: the
// port group ends promiscuous and no session is left.
func TestSIGTERMDuringToggle(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	dir := endConfig(t, c, "toggle", `resource "carp_portgroup_policy" "p" {
  host_system_id  = "`+sim.HostID("esx-01.lab")+`"
  portgroup       = "FW-WAN"
  toggle_on_apply = true
}
`)
	out := sigtermDuring(t, sim, c, dir, "during a toggle's first write", func() bool {
		return inFlight(sim, "UpdatePortGroup") && answered(sim, "UpdatePortGroup") == 0
	}, "apply", "-auto-approve")
	var writes []string
	for _, call := range sim.Calls() {
		if call.Method == "UpdatePortGroup" {
			writes = append(writes, call.Detail)
		}
	}
	if len(writes) != 2 || !strings.HasPrefix(writes[0], "FW-WAN promisc=false") || !strings.HasPrefix(writes[1], "FW-WAN promisc=true") {
		t.Fatalf("writes = %q; want the disabling write, then the restoring one\n%s", writes, out)
	}
	snap := acctest.NewOOB(t, sim).Read(vsphere.Request{HostIDs: []string{sim.HostID("esx-01.lab")}})
	if !snap.FindHost(sim.HostID("esx-01.lab")).PortGroup("FW-WAN").Effective.AllowPromiscuous {
		t.Fatal("FW-WAN is left with promiscuous mode off after SIGTERM mid-toggle")
	}
}
