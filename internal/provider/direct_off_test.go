package provider_test

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// TestAccDirect_off: with CARP_DIRECT=0 in the provider's environment the
// direct paths (internal/direct) answer nothing: every plan, refresh and
// state upgrade of both resources goes to the framework, and the
// resources behave as with them (empty plans after the apply). Without
// it, the same steps are answered directly (the control: the counter
// does count). Not parallel: t.Setenv changes the process's environment.
func TestAccDirect_off(t *testing.T) {
	for _, tc := range []struct {
		env      string // CARP_DIRECT, "" = unset
		answered bool
	}{
		{"", true},
		{"1", true},
		{"0", false},
		{"false", false},
	} {
		name := "CARP_DIRECT=" + tc.env
		if tc.env == "" {
			name = "CARP_DIRECT unset"
		}
		t.Run(name, func(t *testing.T) {
			t.Setenv("CARP_DIRECT", tc.env) // restored after the test
			if tc.env == "" {
				_ = os.Unsetenv("CARP_DIRECT")
			}
			e := acctest.New(t, acctest.PolicyScenario())
			cfg := e.StdPolicy("FW-WAN", `allow_promiscuous = false`) + "\n" + acctest.HostSettingsHCL(e.Sim.HostID("esx-01"), "reverse_path_fwd_check_promisc = false")
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{
					{Config: cfg, ConfigPlanChecks: acctest.EmptyPlan()},
					{
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply:             []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
				},
			})
			switch n := e.Direct.Answered(); {
			case tc.answered && n == 0:
				t.Error("the direct paths answered none of the plans, refreshes and upgrades after the first apply")
			case !tc.answered && n > 0:
				t.Errorf("with CARP_DIRECT=%s the direct paths answered %d requests, want none", tc.env, n)
			}
		})
	}
}
