package portgrouppolicy_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// Resource identity, both forms: stored on create and refresh, and an
// import block with identity imports the port group as a no-op; an identity
// with both forms fails the import and says what to give. Import blocks
// with identity need Terraform or OpenTofu 1.12 (OpenTofu 1.12.6 reports
// 1.12.6-dev, which SkipBelow compares by its core version, 1.12.6).
func TestAccPortGroupPolicy_identity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  func(*acctest.Env) string
		want func(*acctest.Env) map[string]knownvalue.Check
	}{
		{
			name: "standard",
			cfg:  func(e *acctest.Env) string { return e.StdPolicy("FW-WAN") },
			want: func(e *acctest.Env) map[string]knownvalue.Check {
				return map[string]knownvalue.Check{
					"host_system_id":           knownvalue.StringExact(e.Sim.HostID("esx-01")),
					"portgroup":                knownvalue.StringExact("FW-WAN"),
					"distributed_portgroup_id": knownvalue.Null(),
				}
			},
		},
		{
			name: "distributed",
			cfg:  func(e *acctest.Env) string { return e.DVPolicy("fw-70") },
			want: func(e *acctest.Env) map[string]knownvalue.Check {
				return map[string]knownvalue.Check{
					"host_system_id":           knownvalue.Null(),
					"portgroup":                knownvalue.Null(),
					"distributed_portgroup_id": knownvalue.StringExact(e.Sim.DVPortGroupID("fw-70")),
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, acctest.PolicyScenario())
			cfg := tc.cfg(e)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
				Steps: []resource.TestStep{
					{
						Config:            cfg,
						ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectIdentity(acctest.PolicyRes, tc.want(e))},
					},
					{
						ResourceName:    acctest.PolicyRes,
						ImportState:     true,
						ImportStateKind: resource.ImportBlockWithResourceIdentity,
						Config:          cfg,
						ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionNoop),
						}},
					},
					{
						Config: cfg + fmt.Sprintf(`
resource "carp_portgroup_policy" "x" {
  host_system_id = %[1]q
  portgroup      = "FW-LAN"
}

import {
  to       = carp_portgroup_policy.x
  identity = { host_system_id = %[1]q, portgroup = "FW-LAN", distributed_portgroup_id = %[2]q }
}
`, e.Sim.HostID("esx-01"), e.Sim.DVPortGroupID("fw-65")),
						ExpectError: regexp.MustCompile(`(?s)Invalid carp_portgroup_policy import identity.*names both a standard and a\s+distributed\s+port\s+group.*distributed_portgroup_id\s+alone`),
					},
				},
			})
		})
	}
}
