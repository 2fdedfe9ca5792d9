// Package e2e drives the real Terraform (or OpenTofu) CLI against a built
// provider binary and the simulator, the way users and CI pipelines do:
// the carp-ha-firewall module on the demo scenario, and the drift check
// script of the CI guide.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// cli is one isolated CLI environment: its own config, provider build and
// working copy of examples/.
type cli struct {
	t    testing.TB
	bin  string
	root string // repository root
	work string // copy of examples/
	env  []string
	// last is the state of the last command run (its rusage: the CLI's
	// CPU, its plugins' included).
	last *os.ProcessState
}

func terraformPath(t testing.TB) string {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return p
	}
	// TF_ACC asked for the CLI tests: a missing CLI is a failure, not a skip.
	t.Fatal("TF_ACC is set but there is no Terraform CLI: set TF_ACC_TERRAFORM_PATH (make test builds one)")
	return ""
}

func newCLI(t testing.TB, sim *simulator.Server) *cli {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("end-to-end test of the CLI: set TF_ACC=1 (make test does)")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins")
	build := exec.Command("go", "build", "-o", filepath.Join(pluginDir, "terraform-provider-carp"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "cli.tfrc")
	conf := fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/carpsafe/carp" = %q
    "registry.opentofu.org/carpsafe/carp" = %q
  }
  direct {}
}
`, pluginDir, pluginDir)
	if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "examples")
	if out, err := exec.Command("cp", "-r", filepath.Join(root, "examples"), work).CombinedOutput(); err != nil {
		t.Fatalf("copying examples: %v\n%s", err, out)
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	for k, v := range sim.Env() {
		env = append(env, k+"="+v)
	}
	return &cli{t: t, bin: terraformPath(t), root: root, work: work, env: env}
}

// run runs the CLI (or a script) in dir and returns its combined output and
// exit code.
func (c *cli) run(dir string, name string, args ...string) (string, int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = filepath.Join(c.work, dir)
	cmd.Env = append(c.env, "TERRAFORM="+c.bin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	c.last = cmd.ProcessState
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	c.t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	return "", -1
}

func (c *cli) tf(dir string, want int, args ...string) string {
	c.t.Helper()
	out, code := c.run(dir, c.bin, args...)
	if code != want {
		c.t.Fatalf("terraform %s in %s: exit %d, want %d\n%s", strings.Join(args, " "), dir, code, want, out)
	}
	return out
}

func (c *cli) output(dir, name string) any {
	c.t.Helper()
	out := c.tf(dir, 0, "output", "-json", name)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		c.t.Fatalf("output %s: %v: %s", name, err, out)
	}
	return v
}

// configure writes dir/main.tf in the working copy: the carp provider
// (connected through the environment) and body.
func (c *cli) configure(dir, body string) {
	c.t.Helper()
	d := filepath.Join(c.work, dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		c.t.Fatal(err)
	}
	cfg := `terraform {
  required_providers {
    carp = { source = "carpsafe/carp" }
  }
}

provider "carp" {}
` + body
	if err := os.WriteFile(filepath.Join(d, "main.tf"), []byte(cfg), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func TestE2E_moduleAndDriftCheck(t *testing.T) {
	t.Parallel()
	sim, c := demoCLI(t)

	// demo/audit takes the ids; examples/demo gives the module the
	// firewalls' names only.
	pair := fmt.Sprintf(`["%s","%s"]`, sim.VMID("fw-a"), sim.VMID("fw-b"))
	dvpgs := fmt.Sprintf(`["%s","%s"]`, sim.DVPortGroupID("FW-LEGACY"), sim.DVPortGroupID("FW-CORE"))
	c.env = append(c.env, "TF_VAR_firewall_vm_ids="+pair, "TF_VAR_distributed_portgroup_ids="+dvpgs)

	// Before: the audit of the firewall pair's networking is not ready.
	c.tf("demo/audit", 0, "apply", "-input=false", "-auto-approve")
	if ready := c.output("demo/audit", "ready"); ready != false {
		t.Fatalf("audit ready before the change = %v, want false", ready)
	}

	// The module by the firewalls' names: a plan with changes, apply, then
	// an empty plan; what the provider cannot fix is reported with what to
	// do, and once done out of band, the pair is ready.
	c.tf("demo", 0, "get")
	plan := c.tf("demo", 2, "plan", "-input=false", "-detailed-exitcode")
	plan = regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(plan, "")
	// The first plan warns only about what stays wrong once it is applied;
	// what it repairs (CARP001-004, 010, 015) shows in the diff as hazards,
	// and the toggle (toggle_on_apply) handles CARP007.
	for _, code := range []string{"CARP009", "CARP011", "CARP013"} {
		if !strings.Contains(plan, "Warning: "+code) {
			t.Errorf("first plan does not warn about %s", code)
		}
	}
	for _, code := range []string{"CARP001", "CARP002", "CARP003", "CARP004", "CARP007", "CARP010", "CARP015"} {
		if strings.Contains(plan, "Warning: "+code) {
			t.Errorf("first plan warns about %s, which it repairs", code)
		}
	}
	c.tf("demo", 0, "apply", "-input=false", "-auto-approve")
	c.tf("demo", 0, "plan", "-input=false", "-detailed-exitcode") // the second plan is empty
	if ready := c.output("demo", "ready"); ready != false {
		t.Fatalf("module ready after apply = %v, want false (CARP016)", ready)
	}
	remaining := fmt.Sprint(c.output("demo", "remaining"))
	for _, want := range []string{
		`CARP016 port group "FW-LAN" on host esx-02.lab (` + sim.HostID("esx-02.lab") + `)`, "but it has VLAN 21 here. Create the port group with the same VLAN setting",
		`CARP016 port group "FW-LAN" on host esx-01.lab (` + sim.HostID("esx-01.lab") + `)`,
		"CARP017 cluster fw-cluster (" + sim.ClusterID("fw-cluster") + ")", "they need a rule naming fw-a and fw-b",
		// fw-a's NIC on NSX segment fw-nsx: NSX's default MAC discovery profile
		"CARP023 segment port", `has MAC learning off`, "nsxt_policy_segment_port_binding",
	} {
		if !strings.Contains(remaining, want) {
			t.Errorf("remaining findings lack %q: %s", want, remaining)
		}
	}
	if strings.Contains(remaining, "CARP015") || strings.Contains(remaining, "CARP001 ") {
		t.Errorf("remaining findings still hold what the module fixes: %s", remaining)
	}
	// What the messages say to do, done as the vsphere provider would, and
	// as the nsxt provider would on NSX.
	o := acctest.NewOOB(t, sim)
	o.SetPortGroupVLAN("esx-02.lab", "FW-LAN", 20)
	o.AddAntiAffinityRule("fw-cluster", "fw-apart", true, "fw-a", "fw-b")
	sim.NSX().PutMacDiscoveryProfile(simulator.CARPMacDiscoveryProfile)
	if err := sim.NSX().SetSegmentProfiles("fw-nsx", inventory.NSXProfiles{MacDiscovery: simulator.CARPMacDiscoveryProfile.Path}); err != nil {
		t.Fatal(err)
	}
	c.tf("demo", 0, "apply", "-input=false", "-auto-approve")
	if ready := c.output("demo", "ready"); ready != true {
		t.Fatalf("module ready once the VLAN and the rule are fixed = %v, want true; findings: %v", ready, c.output("demo", "remaining"))
	}
	out, code := c.run("demo", filepath.Join(c.root, "scripts", "drift-check.sh"), ".")
	if code != 0 {
		t.Fatalf("drift check right after apply: exit %d, want 0\n%s", code, out)
	}
	c.tf("demo/audit", 0, "apply", "-input=false", "-auto-approve")
	if ready := c.output("demo/audit", "ready"); ready != true {
		t.Fatalf("audit ready after the change = %v, want true: %v", ready, c.output("demo/audit", "findings"))
	}

	// Out-of-band changes: a port group back to Reject, the host option
	// back to 0, a mirroring session added.
	o.SetPortGroupSecurity("esx-01.lab", "FW-WAN", inventory.Security{AllowPromiscuous: inventory.Ptr(false), MacChanges: inventory.Ptr(true), ForgedTransmits: inventory.Ptr(true)})
	o.SetHostOption("esx-02.lab", inventory.OptionRPFKey, int64(0))
	o.AddMirrorSession("dvs-core", "span-forensics", true)
	summary := filepath.Join(t.TempDir(), "summary.md")
	c.env = append(c.env, "GITHUB_STEP_SUMMARY="+summary)
	out, code = c.run("demo", filepath.Join(c.root, "scripts", "drift-check.sh"), ".")
	t.Logf("drift check after out-of-band changes:\n%s", out)
	if code != 2 {
		t.Fatalf("drift check after out-of-band changes: exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{"drift: the plan has changes", "CARP007"} {
		if !strings.Contains(out, want) {
			t.Errorf("drift check output lacks %q:\n%s", want, out)
		}
	}
	// read from `plan -json`: the table of warnings, then the changed
	// attributes, the repairs with the codes the changes caused
	for _, re := range []string{`(?m)^CODE\s+SEVERITY\s+OBJECT\s+REMEDY$`, `(?m)^CARP009\s+warning\s+vSwitch \S+ on host esx-0\d\.lab \(host-\d+\)\s+Leave the vSwitch at Reject`,
		`allow_promiscuous = false -> true`, `reverse_path_fwd_check_promisc = false -> true`,
		`hazards = \["CARP001"\] -> \[\]`, `hazards = \["CARP004"\] -> \[\]`, `toggle_hazards = \[[^]]*\] -> \[[^]]*"mirror=span-forensics"`,
		`Codes seen: [^\n]*CARP001[^\n]*CARP004[^\n]*CARP007`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("drift check output lacks %s:\n%s", re, out)
		}
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatalf("the step summary: %v", err)
	}
	for _, want := range []string{"| Code | Severity | Object | Remedy |", "| CARP009 | warning |", "| Resource | Change | Attributes |", `hazards = ["CARP001"] -> []`} {
		if !strings.Contains(string(md), want) {
			t.Errorf("step summary lacks %q:\n%s", want, md)
		}
	}
}
