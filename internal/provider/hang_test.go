package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// TestAccPortGroupPolicy_pausedMidToggle: vSphere stops answering between
// the two writes of a toggle (the first lands, the second never gets an
// answer). The apply ends, bounded by api_timeout per call, with an error
// that names the port group and says promiscuous mode may be left off;
// once vSphere answers again, the next apply re-enables it.
func TestAccPortGroupPolicy_pausedMidToggle(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, pgScenario())
	t.Cleanup(e.Sim.Resume)
	o := newOOB(t, e)
	host := e.Sim.HostID("esx-01")
	cfg := func(trigger string) string {
		return e.ProviderBlock(`api_timeout = "1s"`) + fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id  = %q
  portgroup       = "FW-WAN"
  toggle_on_apply = true
  toggle_triggers = { t = %q }
}`, host, trigger)
	}
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				PreConfig: func() {
					e.Sim.PauseAfter("UpdatePortGroup", 1)
					start = time.Now()
				},
				Config: cfg("2"),
				ExpectError: regexp.MustCompile(`(?s)Toggle may have left promiscuous mode OFF.*port group "FW-WAN" on vSwitch vSwitch1 of.*host esx-01 \(` + host + `\).*` +
					`then vSphere stopped answering.*promiscuous mode may be left off.*next plan`),
			},
			repairStep(t, o, cfg("2"), func() {
				took := time.Since(start)
				// The second write: 4 attempts of 1 s and 1.4 s of backoff.
				if took > 20*time.Second {
					t.Errorf("the apply against a paused server took %v; api_timeout is 1s", took)
				}
				t.Logf("the apply ended %v after the pause", took.Round(100*time.Millisecond))
				e.Sim.Resume()
			}),
		},
	})
	p, err := o.stdPG("esx-01", "FW-WAN")
	if err == nil && boolStr(p.Spec.Policy.Security.AllowPromiscuous) == "false" {
		t.Error("FW-WAN still rejects promiscuous mode after the repairing apply")
	}
}

// repairStep is the step after a toggle that left FW-WAN without
// promiscuous mode: after fix (vSphere answering again), FW-WAN rejects
// promiscuous mode; the plan updates it to true, and the next plan is empty.
func repairStep(t *testing.T, o *oob, cfg string, fix func()) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			fix()
			p, err := o.stdPG("esx-01", "FW-WAN")
			if err != nil || boolStr(p.Spec.Policy.Security.AllowPromiscuous) != "false" {
				t.Errorf("after the failed toggle, promiscuous = %s (err %v), want false", boolStr(p.Spec.Policy.Security.AllowPromiscuous), err)
			}
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(pgRes, plancheck.ResourceActionUpdate),
				plancheck.ExpectKnownValue(pgRes, tfjsonpath.New("allow_promiscuous"), knownvalue.Bool(true)),
			},
			PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		ConfigStateChecks: []statecheck.StateCheck{expect("allow_promiscuous", knownvalue.Bool(true))},
	}
}
