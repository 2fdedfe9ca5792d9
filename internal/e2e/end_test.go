package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// endBudget is the provider's promise: it exits within 35 s of SIGTERM or
// of losing Terraform (provider.EndBudget).
const endBudget = 35 * time.Second

// providerPID finds the carp provider process Terraform (tfPID) started,
// from /proc (Linux).
func providerPID(t *testing.T, tfPID int) int {
	t.Helper()
	if pids := childPIDs(tfPID, "terraform-provi"); len(pids) > 0 {
		return pids[0]
	}
	return 0
}

// childPIDs lists the processes whose parent is ppid and whose command
// name starts with comm (the kernel cuts it to 15 characters).
func childPIDs(ppid int, comm string) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 || !strings.HasPrefix(s[open+1:end], comm) {
			continue
		}
		if p, _ := strconv.Atoi(fields[1]); p == ppid {
			pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
			pids = append(pids, pid)
		}
	}
	return pids
}

// running reports whether pid is alive (a zombie, exited and not yet
// reaped by its new parent, is not).
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	end := strings.LastIndexByte(s, ')')
	fields := strings.Fields(s[end+1:])
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// waitExit waits up to limit for pid to end and returns how long it took.
func waitExit(t *testing.T, pid int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for running(pid) {
		if time.Since(start) > limit {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the provider (pid %d) is still running %v later", pid, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// demoCLI starts a simulator of the demo scenario and a CLI on it.
func demoCLI(t *testing.T) (*simulator.Server, *cli) {
	t.Helper()
	sim, err := simulator.Start(simulator.DemoScenario())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	// as make demo passes it (scripts/demo.sh)
	c.env = append(c.env, "TF_VAR_ha_portgroup_id="+sim.DVPortGroupID("FW-HA"))
	return sim, c
}

// startApply starts terraform apply in dir, its output in out.
func startApply(t *testing.T, c *cli, dir string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
	cmd.Dir, cmd.Env = dir, c.env
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// endConfig writes a configuration of the carp provider and body into a
// new directory name of the working copy.
func endConfig(t *testing.T, c *cli, name, body string) string {
	t.Helper()
	dir := filepath.Join(c.work, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := `
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {}
` + body
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestKillTerraformDuringToggle: the Terraform CLI alone is SIGKILLed right
// after the first write of a toggle (a CI job cancelled). The provider,
// left without Terraform, makes the restoring write, logs its session out
// and exits within 35 s; the port group ends promiscuous.
func TestKillTerraformDuringToggle(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	dir := endConfig(t, c, "kill", `resource "carp_portgroup_policy" "p" {
  host_system_id  = "`+sim.HostID("esx-01.lab")+`"
  portgroup       = "FW-WAN"
  toggle_on_apply = true
}
`)
	before := sim.SessionCount()
	sim.SetDelay(300 * time.Millisecond)
	sim.ResetCalls()

	cmd, out := startApply(t, c, dir)
	var killed time.Time
	pid := 0
	for deadline := time.Now().Add(2 * time.Minute); killed.IsZero() && time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		for _, call := range sim.Calls() {
			if strings.HasPrefix(call.Detail, "FW-WAN promisc=false") {
				pid = providerPID(t, cmd.Process.Pid)
				_ = cmd.Process.Kill()
				killed = time.Now()
				break
			}
		}
	}
	_ = cmd.Wait()
	if killed.IsZero() {
		t.Fatalf("the first write of the toggle never came:\n%s", out.String())
	}
	if pid == 0 {
		t.Fatal("no provider process under terraform when the first write came")
	}
	waitExit(t, pid, endBudget)
	took := time.Since(killed)

	var writes []string
	for _, call := range sim.Calls() {
		if call.Method == "UpdatePortGroup" {
			writes = append(writes, call.Detail)
		}
	}
	if len(writes) != 2 || !strings.HasPrefix(writes[1], "FW-WAN promisc=true") {
		t.Fatalf("writes = %q; want the disabling write, then the desired policy, made after Terraform was killed", writes)
	}
	sim.SetDelay(0)
	after := sim.SessionCount()
	if n := after; n != before {
		t.Errorf("sessions: %d before the apply, %d after the provider exited: its session was not logged out", before, n)
	}
	snap := acctest.NewOOB(t, sim).Read(vsphere.Request{HostIDs: []string{sim.HostID("esx-01.lab")}})
	if !snap.FindHost(sim.HostID("esx-01.lab")).PortGroup("FW-WAN").Effective.AllowPromiscuous {
		t.Fatal("FW-WAN is left with promiscuous mode off after Terraform was killed mid-toggle")
	}
	t.Logf("terraform SIGKILLed after %q; the provider made %q, logged out (sessions %d -> %d) and exited %v after the kill", writes[0], writes[1], before, after, took.Round(time.Millisecond))
}

// TestSIGTERMIdleProvider: a provider with a session, idle between
// requests, gets SIGTERM: it logs its session out and exits within 35 s.
func TestSIGTERMIdleProvider(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)
	// The carp resource waits for a built-in terraform_data whose
	// provisioner sleeps: meanwhile its provider is configured (logged in)
	// and idle.
	dir := endConfig(t, c, "term", `resource "terraform_data" "wait" {
  provisioner "local-exec" {
    command = "sleep 60"
  }
}
resource "carp_portgroup_policy" "p" {
  host_system_id = "`+sim.HostID("esx-01.lab")+`"
  portgroup      = "FW-WAN"
  depends_on     = [terraform_data.wait]
}
`)
	before := sim.SessionCount()
	cmd, out := startApply(t, c, dir)
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	pid := 0
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		// The apply's provider: configured (a session more than before)
		// while terraform_data sleeps.
		if strings.Contains(out.String(), "terraform_data.wait: Still creating") || strings.Contains(out.String(), "Executing:") {
			if p := providerPID(t, cmd.Process.Pid); p != 0 && sim.SessionCount() > before {
				pid = p
				break
			}
		}
	}
	if pid == 0 {
		t.Fatalf("no idle, logged-in provider under terraform (sessions %d, before %d):\n%s", sim.SessionCount(), before, out.String())
	}
	during := sim.SessionCount()
	calls := sim.CallCount()
	time.Sleep(200 * time.Millisecond)
	if sim.CallCount() != calls {
		t.Fatalf("the provider is not idle: %d calls in 200ms", sim.CallCount()-calls)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	took := waitExit(t, pid, endBudget)
	after := sim.SessionCount()
	if after != before {
		t.Errorf("sessions: %d before, %d while the provider was idle, %d after it exited on SIGTERM: not logged out", before, during, after)
	}
	t.Logf("idle provider exited %v after SIGTERM; sessions %d before, %d idle, %d after", took.Round(time.Millisecond), before, during, after)
}
