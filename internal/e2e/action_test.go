package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// minActionCLI is the first Terraform with actions (terraform apply
// -invoke, action_trigger).
var minActionCLI = version.Must(version.NewVersion("1.14.0"))

// skipBelowActions skips the test when the CLI has no actions: the test is
// by version, as tfversion.SkipBelow does for the acceptance tests.
func skipBelowActions(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("end-to-end test of the CLI: set TF_ACC=1 (make test does)")
	}
	bin := terraformPath(t)
	out, err := exec.Command(bin, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", bin, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v: %s", bin, err, out)
	}
	got, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatalf("%s version %q: %v", bin, v.Version, err)
	}
	if got.LessThan(minActionCLI) {
		t.Skipf("Terraform CLI %s (%s) is below %s, the first with actions: skipping", got, bin, minActionCLI)
	}
}

// TestE2E_invokeAction: terraform apply -invoke runs the toggle action
// against the simulator through the built provider: FW-WAN off, then back,
// and the progress message in the CLI's output.
func TestE2E_invokeAction(t *testing.T) {
	t.Parallel()
	skipBelowActions(t)
	e := acctest.New(t, acctest.HostScenario())
	c := newCLI(t, e.Sim)
	c.configure("invoke", fmt.Sprintf(`
action "carp_toggle_promiscuous" "fw" {
  config {
    portgroups = [{ host_system_id = %q, portgroup = "FW-WAN" }]
  }
}
`, e.Sim.HostID("esx-01")))
	e.Sim.ResetCalls()
	out := c.tf("invoke", 0, "apply", "-input=false", "-auto-approve", "-invoke=action.carp_toggle_promiscuous.fw")
	if !strings.Contains(out, `toggled port group "FW-WAN"`) {
		t.Errorf("the CLI's output lacks the progress message:\n%s", out)
	}
	if err := e.ExpectPortGroupWrites("FW-WAN promisc=false", "FW-WAN promisc=true")(nil); err != nil {
		t.Error(err)
	}
}
