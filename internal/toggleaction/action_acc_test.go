package toggleaction_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// TestAccActionTrigger runs the action through the CLI, as an
// action_trigger of a terraform_data resource: after create and after each
// update, the toggle of FW-WAN (off, then back). Actions are Terraform
// 1.14+: on an older CLI (TF_ACC_TERRAFORM_PATH) the test skips by
// version.
func TestAccActionTrigger(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	cfg := func(input string) string {
		return e.Config(fmt.Sprintf(`
action "carp_toggle_promiscuous" "fw" {
  config {
    portgroups = [{ host_system_id = %q, portgroup = "FW-WAN" }]
  }
}

resource "terraform_data" "switch" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.carp_toggle_promiscuous.fw]
    }
  }
}
`, e.Sim.HostID("esx-01"), input))
	}
	toggled := e.ExpectPortGroupWrites("FW-WAN promisc=false mac=inherit forged=true", "FW-WAN promisc=true mac=inherit forged=true")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(version.Must(version.NewVersion("1.14.0")))},
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{PreConfig: e.Reset, Config: cfg("v1"), Check: toggled},
			{PreConfig: e.Reset, Config: cfg("v2"), Check: toggled},
		},
	})
}
