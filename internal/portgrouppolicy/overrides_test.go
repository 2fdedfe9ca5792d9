package portgrouppolicy_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// expectOverrides checks FW-LAN's two override flags out of band.
func expectOverrides(o *acctest.OOB, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if sec, mac := o.PortOverridesAllowed("FW-LAN"); sec != want || mac != want {
			return fmt.Errorf("FW-LAN overrides: security %v, MAC management %v; want %v", sec, mac, want)
		}
		return nil
	}
}

// allow_port_overrides on FW-LAN of simulator.FirewallPair, where fw-a's
// port rejects promiscuous mode: the plan warns CARP015 while the port group
// lets ports override, false fixes it, drift shows, and destroy puts the
// flags back. A Read adds one round trip while ports may override, none
// once they may not.
func TestAccPortGroupPolicy_allowPortOverrides(t *testing.T) {
	t.Parallel()
	sc := simulator.FirewallPair()
	sc.VMs[0].NICs[1].PortSecurity = &inventory.Security{AllowPromiscuous: inventory.Ptr(false)}
	e := acctest.New(t, sc)
	o := e.OOB()
	_, port := o.NICPort("fw-a", "Network adapter 2")
	keep, off := e.DVPolicy("FW-LAN"), e.DVPolicy("FW-LAN", "allow_port_overrides = false")
	hazards := func(codes ...string) statecheck.StateCheck {
		c := make([]knownvalue.Check, len(codes))
		for i, code := range codes {
			c[i] = knownvalue.StringExact(code)
		}
		return acctest.ExpectPolicy("hazards", knownvalue.ListExact(c))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		CheckDestroy:             expectOverrides(o, true),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    keep,
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("CARP015 port_override_rejects", "port "+port+" of port group \"FW-LAN\"",
						"VM "+e.Sim.VMID("fw-a")+" is on it", "allow_port_overrides = false"),
					expectOverrides(o, true),
					// the port group read (port group, switch, member hosts) plus one FetchDVPorts
					e.Diags.ExpectMaxCalls("PlanResourceChange", "carp_portgroup_policy", 4),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					hazards("CARP013", "CARP015"),
					acctest.ExpectPolicy("allow_port_overrides", knownvalue.Null()),
				},
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
			{
				// a refresh while ports may override: one more round trip
				PreConfig: e.Reset,
				Config:    keep,
				Check: resource.ComposeAggregateTestCheckFunc(e.Diags.ExpectMaxCalls("ReadResource", "carp_portgroup_policy", 3),
					e.Diags.LogMaxCalls(t, "ReadResource", "carp_portgroup_policy")),
				ConfigStateChecks: []statecheck.StateCheck{hazards("CARP013", "CARP015")},
			},
			{
				PreConfig: e.Reset,
				Config:    off,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
						acctest.ExpectHazards(acctest.PolicyRes, []string{"CARP013", "CARP015"}, []string{"CARP013"}),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectNoWarning("CARP015"),
					expectOverrides(o, false),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					hazards("CARP013"),
					acctest.ExpectPolicy("allow_port_overrides", knownvalue.Bool(false)),
				},
			},
			{
				// overrides off: no port read
				PreConfig: e.Reset,
				Config:    off,
				Check:     noPortReads(e),
				// the port keeps its own setting (the simulator, like
				// vCenter's reference, resets nothing), which no longer counts
				ConfigStateChecks: []statecheck.StateCheck{hazards("CARP013")},
			},
			{
				PreConfig: func() { o.SetPortOverridesAllowed("FW-LAN", true) },
				Config:    off,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("allow_port_overrides"), knownvalue.Bool(false)),
					},
				},
				Check: expectOverrides(o, false),
			},
		},
	})
}

// noPortReads fails when FetchDVPorts was called since the last reset.
func noPortReads(e *acctest.Env) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, c := range e.Sim.Calls() {
			if c.Method == "FetchDVPorts" {
				return fmt.Errorf("FetchDVPorts on %s, though the port group does not let ports override", c.Object)
			}
		}
		return nil
	}
}

// A port group that does not let ports override: its Read and plan read
// no ports.
func TestAccPortGroupPolicy_noPortReads(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.FirewallPair())
	cfg := e.DVPolicy("FW-SYNC")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{PreConfig: e.Reset, Config: cfg, Check: noPortReads(e)},
			{
				PreConfig: e.Reset, Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(noPortReads(e),
					e.Diags.ExpectMaxCalls("ReadResource", "carp_portgroup_policy", 2), e.Diags.LogMaxCalls(t, "ReadResource", "carp_portgroup_policy")),
			},
		},
	})
}

// A DV port group that rejects promiscuous mode and lets ports override,
// whose ports (the firewalls' NICs among them) inherit its policy: set to
// accept, it plans no CARP015. FetchDVPorts returns an inheriting port's
// MAC management policy marked inherited, with the port group's values
// (promiscuous rejected until the apply): a port override it is not.
func TestAccPortGroupPolicy_inheritingPortsAccept(t *testing.T) {
	t.Parallel()
	sc := simulator.FirewallPair()
	sc.Datacenters[0].DVSwitches[0].PortGroups[0].Security.AllowPromiscuous = inventory.Ptr(false)
	e := acctest.New(t, sc)
	if _, s := e.OOB().DVPortGroup("FW-LAN"); s == nil || s.MacManagementPolicy == nil || s.MacManagementPolicy.AllowPromiscuous == nil || *s.MacManagementPolicy.AllowPromiscuous {
		t.Fatal("FW-LAN's MAC management policy does not reject promiscuous mode before the test")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.Reset,
			Config:    e.DVPolicy("FW-LAN"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionCreate),
					// CARP013 only: the plan sets the port group to accept,
					// and no port overrides it
					acctest.ExpectHazards(acctest.PolicyRes, nil, []string{"CARP013"}),
				},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				e.Diags.ExpectNoWarning("CARP015"),
				// the plan read the ports: a test of how they decode
				func(*terraform.State) error {
					for _, c := range e.Sim.Calls() {
						if c.Method == "FetchDVPorts" {
							return nil
						}
					}
					return fmt.Errorf("the plan read no port of FW-LAN")
				},
			),
			ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("allow_promiscuous", knownvalue.Bool(true))},
		}},
	})
}
