package portgrouppolicy_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// expectWarningAt fails unless a warning containing substr was recorded on
// the attribute at.
func expectWarningAt(e *acctest.Env, at, substr string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, d := range e.Diags.Warnings("PlanResourceChange", substr) {
			if d.Attribute == at {
				return nil
			}
		}
		return fmt.Errorf("no warning %q on %s; recorded: %v", substr, at, e.Diags.All())
	}
}

// A load balancing on a port group whose active uplinks are one LAG is
// moot: the plan says so on the attribute, and applies it.
func TestAccPortGroupPolicy_lagMakesLoadBalancingMoot(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	cfg := e.DVPolicy("FW-LAG", `allow_promiscuous = false
  teaming {
    load_balancing = "loadbalance_ip"
  }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.Reset,
			Config:    cfg,
			Check: resource.ComposeAggregateTestCheckFunc(
				expectWarningAt(e, "teaming.load_balancing", "are LAG lag1 alone, which hashes by its own algorithm (srcDestIpTcpUdpPortVlan"),
				e.Diags.ExpectNoWarning("CARP010"),
				e.Diags.ExpectNoWarning("CARP011"),
				// the LAGs come with the switch's config: no round trip more
				// than any DV port group's plan (the port group, its switch,
				// the member hosts)
				e.Diags.ExpectMaxCalls("PlanResourceChange", "carp_portgroup_policy", 3),
				e.Diags.LogMaxCalls(t, "PlanResourceChange", "carp_portgroup_policy"),
			),
			ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{}))},
			ConfigPlanChecks:  acctest.EmptyPlan(),
		}},
	})
}

// The plan judges its own planned MAC learning: a limit below 1 + vhids
// with drop (CARP019), flooding off (CARP020); the hazards left say so.
func TestAccPortGroupPolicy_plannedMacLimit(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	id := e.Sim.DVPortGroupID("FW-LEARN")
	learn := func(limit int, flood bool, extra string) string {
		return e.DVPolicy("FW-LEARN", fmt.Sprintf(`allow_promiscuous = false
  %s
  mac_learning {
    enabled                = true
    limit                  = %d
    limit_policy           = "drop"
    allow_unicast_flooding = %v
  }`, extra, limit, flood))
	}
	codes := func(c ...string) statecheck.StateCheck {
		l := []knownvalue.Check{}
		for _, x := range c {
			l = append(l, knownvalue.StringExact(x))
		}
		return acctest.ExpectPolicy("hazards", knownvalue.ListExact(l))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig:         e.Reset,
				Config:            learn(1, true, ""),
				Check:             e.Diags.ExpectWarning("CARP019", id, "below the 2 a firewall NIC needs"),
				ConfigStateChecks: []statecheck.StateCheck{codes("CARP019")},
			},
			{PreConfig: e.Reset, Config: learn(2, true, ""), Check: e.Diags.ExpectNoWarning("CARP019"), ConfigStateChecks: []statecheck.StateCheck{codes()}},
			{
				PreConfig:         e.Reset,
				Config:            learn(2, true, "vhids = 2"),
				Check:             e.Diags.ExpectWarning("CARP019", "below the 3 a firewall NIC needs"),
				ConfigStateChecks: []statecheck.StateCheck{codes("CARP019")},
			},
			{
				PreConfig:         e.Reset,
				Config:            learn(4096, false, ""),
				Check:             e.Diags.ExpectWarning("CARP020", id),
				ConfigStateChecks: []statecheck.StateCheck{codes("CARP020")},
			},
			{
				// keepalived without use_vmac needs none of it
				PreConfig:         e.Reset,
				Config:            learn(1, false, `vip_mac = "interface"`),
				Check:             resource.ComposeAggregateTestCheckFunc(e.Diags.ExpectNoWarning("CARP019"), e.Diags.ExpectNoWarning("CARP020")),
				ConfigStateChecks: []statecheck.StateCheck{codes()},
				ConfigPlanChecks:  acctest.EmptyPlan(),
			},
		},
	})
}

// The two policies disagreeing: the plan, which writes both the same,
// repairs CARP021 and does not warn about it.
func TestAccPortGroupPolicy_repairsPoliciesDisagree(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	tr, f := inventory.Ptr(true), inventory.Ptr(false)
	e.OOB().SetDVPortGroupPolicies("FW-LAG", inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: f},
		inventory.Security{AllowPromiscuous: f, MacChanges: tr, ForgedTransmits: tr})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.Reset,
			Config:    e.DVPolicy("FW-LAG", `allow_promiscuous = false`),
			Check: resource.ComposeAggregateTestCheckFunc(
				e.Diags.ExpectNoWarning("CARP021"),
				func(*terraform.State) error {
					_, ps := e.OOB().DVPortGroup("FW-LAG")
					if sp := ps.SecurityPolicy; sp == nil || sp.ForgedTransmits == nil || sp.ForgedTransmits.Value == nil || !*sp.ForgedTransmits.Value {
						return fmt.Errorf("securityPolicy still rejects forged transmits after the write: %+v", sp)
					}
					return nil
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{
				acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{})),
				acctest.ExpectPolicy("hazards_repaired", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CARP021")})),
			},
			ConfigPlanChecks: acctest.EmptyPlan(),
		}},
	})
}

// keepalived without use_vmac on a standard port group that rejects all
// three: no CARP001-003 at plan time, nothing left.
func TestAccPortGroupPolicy_interfaceVIP(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.EnterprisePairs())
	cfg := e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id         = %q
  portgroup              = "FW-WAN"
  vip_mac                = "interface"
  allow_promiscuous      = false
  allow_mac_changes      = false
  allow_forged_transmits = false
}`, e.Sim.HostID("esx-1")))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.Reset,
			Config:    cfg,
			Check:     resource.ComposeAggregateTestCheckFunc(e.Diags.ExpectNoWarning("CARP00")),
			ConfigStateChecks: []statecheck.StateCheck{
				acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{})),
				acctest.ExpectPolicy("vip_mac", knownvalue.StringExact("interface")),
			},
			ConfigPlanChecks: acctest.EmptyPlan(),
		}},
	})
}
