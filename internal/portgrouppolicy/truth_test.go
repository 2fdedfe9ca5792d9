package portgrouppolicy_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// TestAccPlanTruth_repairInDiff: a remedy written in the configuration
// (load_balancing = "loadbalance_ip" on teamed uplinks) gives no CARP010
// warning: the plan's hazards hold the codes left, none; an out-of-band
// change shows in the diff with the code it causes (hazards [CARP001] ->
// []), again without a warning. Standard and distributed port groups.
func TestAccPlanTruth_repairInDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  func(e *acctest.Env, body string) string
		oob  func(o *acctest.OOB)
	}{
		{"standard", func(e *acctest.Env, body string) string { return e.StdPolicy("FW-WAN", body) },
			func(o *acctest.OOB) {
				o.SetPortGroupSecurity("esx-01", "FW-WAN", inventory.Security{AllowPromiscuous: inventory.Ptr(false), MacChanges: inventory.Ptr(true), ForgedTransmits: inventory.Ptr(true)})
			}},
		{"distributed", func(e *acctest.Env, body string) string { return e.DVPolicy("fw-65", body) },
			func(o *acctest.OOB) { o.SetDVPortGroupPromiscuous("fw-65", false) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, acctest.PolicyScenario())
			o := e.OOB()
			cfg := tc.cfg(e, `teaming { load_balancing = "loadbalance_ip" }`)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{
					{
						PreConfig: e.Reset,
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{acctest.ExpectHazards(acctest.PolicyRes, nil, []string{})},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							e.Diags.ExpectNoWarning("CARP010"),
							e.Diags.ExpectNoWarning("CARP001"),
						),
					},
					{
						PreConfig: func() { tc.oob(o); e.Reset() },
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
								acctest.ExpectHazards(acctest.PolicyRes, []string{"CARP001"}, []string{}),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: e.Diags.ExpectNoWarning("CARP001"),
					},
				},
			})
		})
	}
}
