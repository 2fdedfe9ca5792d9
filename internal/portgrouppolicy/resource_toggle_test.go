package portgrouppolicy_test

// Acceptance tests of carp_portgroup_policy's toggle of promiscuous mode:
// on a standard and a distributed port group, again when a toggle hazard
// appears, and a failed second write.

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

func TestAccPortGroupPolicy_toggleStandard(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	cfg := func(trigger string) string {
		return e.StdPolicy("FW-LAN", `toggle_on_apply = true`, fmt.Sprintf(`toggle_triggers = { mirror = %q }`, trigger))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig:        e.Reset,
				Config:           cfg("a"),
				Check:            e.ExpectPortGroupWrites("FW-LAN promisc=false", "FW-LAN promisc=true mac=true forged=true"),
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
			{
				// a trigger change toggles again
				PreConfig: e.Reset,
				Config:    cfg("b"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: e.ExpectPortGroupWrites("FW-LAN promisc=false", "FW-LAN promisc=true mac=true forged=true"),
			},
		},
	})
}

func TestAccPortGroupPolicy_toggleDV(t *testing.T) {
	for _, pg := range []string{"fw-65", "fw-70"} {
		t.Run(pg, func(t *testing.T) {
			t.Parallel()
			e := acctest.New(t, acctest.PolicyScenario())
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: e.Factories(),
				Steps: []resource.TestStep{
					{
						PreConfig:        e.Reset,
						Config:           e.DVPolicy(pg, `toggle_on_apply = true`),
						Check:            expectDVToggle(e, "promisc=true mac=true forged=true"),
						ConfigPlanChecks: acctest.EmptyPlan(),
					},
					{
						// Without toggle: one write.
						PreConfig:        e.Reset,
						Config:           e.DVPolicy(pg, `allow_mac_changes = false`),
						Check:            e.ExpectPortGroupWrites("promisc=true mac=false forged=true"),
						ConfigPlanChecks: acctest.EmptyPlan(),
					},
				},
			})
		})
	}
}

// TestAccPortGroupPolicy_hazardDrift: a mirroring session added outside
// Terraform makes the next plan re-toggle, with a warning saying why.
func TestAccPortGroupPolicy_hazardDrift(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	cfg := e.DVPolicy("fw-65", `toggle_on_apply = true`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("toggle_hazards", knownvalue.ListExact([]knownvalue.Check{}))},
				ConfigPlanChecks:  acctest.EmptyPlan(),
			},
			{
				PreConfig: func() {
					o.AddMirrorSession("dvs-65", "span-ids", true)
					e.Reset()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPolicy("toggle_hazards", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CARP007"), knownvalue.StringExact("mirror=span-ids")})),
					acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CARP007"), knownvalue.StringExact("CARP010")})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("Toggle hazards changed", "mirror=span-ids"),
					e.Diags.ExpectNoWarning("CARP007 port_mirroring"),
					expectDVToggle(e, "promisc=true mac=true forged=true"),
				),
			},
		},
	})
}

// TestAccPortGroupPolicy_toggleFault: the second write of a toggle fails
// past its retries: the error names the port group left without
// promiscuous mode, and the next plan re-enables it.
func TestAccPortGroupPolicy_toggleFault(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	host := e.Sim.HostID("esx-01")
	cfg := func(trigger string) string {
		return e.StdPolicy("FW-WAN", `toggle_on_apply = true`, fmt.Sprintf(`toggle_triggers = { t = %q }`, trigger))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				PreConfig: func() {
					for n := 2; n <= 5; n++ { // the first write passes, the four restoring attempts fail
						e.Sim.FailCall("UpdatePortGroup", "", n, &types.HostConfigFault{})
					}
				},
				Config:      cfg("2"),
				ExpectError: regexp.MustCompile(`(?s)Promiscuous mode left off.*port\s+group\s+"FW-WAN"\s+on\s+vSwitch\s+vSwitch1\s+of\s+host\s+esx-01\s+\(` + host + `\).*next\s+plan\s+re-enables\s+it`),
			},
			e.RepairStep(cfg("2"), e.Sim.ClearFaults),
		},
	})
}
