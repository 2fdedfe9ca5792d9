package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

const hostsOnly = `
terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}
provider "carp" {}
data "carp_hosts" "all" {}
output "n" { value = length(data.carp_hosts.all.hosts) }
`

// TestSessionsAreLoggedOut: the provider logs out when Terraform ends the
// plugin, so 20 plan/apply runs leave the server's session count as it was
// (the vsphere provider leaves one session per run behind).
func TestSessionsAreLoggedOut(t *testing.T) {
	t.Parallel()
	p := newPerfEnv(t, clusterScenario(2, 1), hostsOnly)
	before := p.sim.SessionCount()
	for i := 0; i < 10; i++ {
		p.tf(p.dir, 0, "plan", "-input=false")
		p.tf(p.dir, 0, "apply", "-input=false", "-auto-approve")
	}
	after := p.sim.SessionCount()
	t.Logf("sessions before %d, after 20 plan/apply runs %d", before, after)
	if after != before {
		t.Errorf("session count went from %d to %d over 20 runs: sessions leak", before, after)
	}
}

// TestTraceLogHasNoSecrets: a full apply under TF_LOG=trace writes neither
// the password nor a session cookie anywhere in the log.
func TestTraceLogHasNoSecrets(t *testing.T) {
	t.Parallel()
	sim, err := simulator.Start(clusterScenario(2, 2), simulator.WithCredentials("carp", "S3cr3t-Pa55w0rd!"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	c := newCLI(t, sim)
	logPath := filepath.Join(t.TempDir(), "trace.log")
	c.env = append(c.env, "TF_LOG=trace", "TF_LOG_PATH="+logPath, "TF_LOG_PROVIDER=trace")
	dir := "secrets"
	if err := os.MkdirAll(filepath.Join(c.work, dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.work, dir, "main.tf"), []byte(policiesConfig(2, true)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.tf(dir, 0, "apply", "-input=false", "-auto-approve")
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(b)
	if !strings.Contains(log, "vSphere call") {
		t.Fatalf("the trace log has no vSphere call lines: is the provider logging at all? (%d bytes)", len(b))
	}
	if strings.Contains(log, "S3cr3t-Pa55w0rd!") {
		i := strings.Index(log, "S3cr3t-Pa55w0rd!")
		t.Errorf("the password is in the trace log: ...%s...", log[max(0, i-200):min(len(log), i+50)])
	}
	if m := regexp.MustCompile(`vmware_soap_session="?[0-9a-f-]{8,}`).FindString(log); m != "" {
		t.Errorf("a session cookie is in the trace log: %s", m)
	}
	t.Logf("trace log: %d bytes, %d vSphere call lines, no password, no session cookie", len(b), strings.Count(log, "vSphere call"))
}
