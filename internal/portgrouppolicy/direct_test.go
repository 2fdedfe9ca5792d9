package portgrouppolicy_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// TestAccDirect_removedDefault: an attribute with a default removed
// from the configuration keeps its prior value in the proposed new state
// (it is computed), which then equals the prior state byte for byte; the
// direct path must leave such a plan to the framework, which plans
// the default. A top-level default (allow_forged_transmits) on a standard
// port group, and one inside the mac_learning block (limit) on a
// distributed one. Every acceptance test also compares each plan the path
// answers with the framework's (acctest.Env.Plans); here it must have
// answered the plans after the first apply.
func TestAccDirect_removedDefault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		cfg        func(e *acctest.Env, body string) string
		set, unset string
		at         tfjsonpath.Path
		want       knownvalue.Check
	}{
		{"top level", func(e *acctest.Env, body string) string { return e.StdPolicy("FW-WAN", body) },
			`allow_forged_transmits = false`, ``, tfjsonpath.New("allow_forged_transmits"), knownvalue.Bool(true)},
		{"in a block", func(e *acctest.Env, body string) string { return e.DVPolicy("fw-70", body) },
			"allow_promiscuous = false\n  mac_learning {\n    enabled = true\n    limit   = 128\n  }",
			"allow_promiscuous = false\n  mac_learning { enabled = true }",
			tfjsonpath.New("mac_learning").AtMapKey("limit"), knownvalue.Int64Exact(4096)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, acctest.PolicyScenario())
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{
					{Config: tc.cfg(e, tc.set), ConfigPlanChecks: acctest.EmptyPlan()},
					{
						PreConfig: func() {
							if e.Direct.Answered() == 0 {
								t.Error("the direct path answered none of the plans after the first apply")
							}
						},
						Config: tc.cfg(e, tc.unset),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
								plancheck.ExpectKnownValue(acctest.PolicyRes, tc.at, tc.want),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
		})
	}
}

// TestAccDirect_adoptedAfterImport: an imported port group whose security
// fields inherit keeps, in its private state, the fields it adopted; the
// refreshes after the import (the provider's direct read) read and write
// that private state. Two applies after the import plan nothing: a read
// that lost the private state would read the inheriting fields as null,
// and the next plan would write them.
func TestAccDirect_adoptedAfterImport(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	// FW-WAN inherits every field from vSwitch1 (promiscuous mode
	// rejected, the others accepted): the configuration states what it
	// inherits, so that nothing is to be written.
	cfg := e.StdPolicy("FW-WAN", `allow_promiscuous = false`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				ResourceName:       acctest.PolicyRes,
				Config:             cfg,
				ImportState:        true,
				ImportStateId:      e.Sim.HostID("esx-01") + ":FW-WAN",
				ImportStatePersist: true,
			},
			{
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() {
					if e.Direct.Answered() == 0 {
						t.Error("the direct path answered none of the requests after the import")
					}
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
