package portgrouppolicy_test

// Acceptance tests of carp_portgroup_policy's writes: a standard and a
// distributed port group applied, read back, imported and drifted, MAC
// learning, many policies in parallel, a DV write racing configVersion, a
// port group deleted outside Terraform.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

func TestAccPortGroupPolicy_standard(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	host := e.Sim.HostID("esx-01")
	cfg := e.StdPolicy("FW-WAN", `teaming {
    load_balancing  = "loadbalance_ip"
    active_uplinks  = ["vmnic1", "vmnic2"]
  }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPolicy("id", knownvalue.StringExact(host+":FW-WAN")),
					acctest.ExpectPolicy("host_system_id", knownvalue.StringExact(host)),
					acctest.ExpectPolicy("portgroup", knownvalue.StringExact("FW-WAN")),
					acctest.ExpectPolicy("distributed_portgroup_id", knownvalue.Null()),
					acctest.ExpectPolicy("switch", knownvalue.StringExact("vSwitch1")),
					acctest.ExpectPolicy("allow_promiscuous", knownvalue.Bool(true)),
					acctest.ExpectPolicy("allow_mac_changes", knownvalue.Bool(true)),
					acctest.ExpectPolicy("allow_forged_transmits", knownvalue.Bool(true)),
					acctest.ExpectPolicy("mac_learning", knownvalue.Null()),
					acctest.ExpectPolicy("toggle_on_apply", knownvalue.Bool(false)),
					acctest.ExpectPolicy("toggle_triggers", knownvalue.Null()),
					acctest.ExpectPolicy("restore_on_destroy", knownvalue.Bool(true)),
					acctest.ExpectPolicy("teaming", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"load_balancing":  knownvalue.StringExact("loadbalance_ip"),
						"active_uplinks":  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("vmnic1"), knownvalue.StringExact("vmnic2")}),
						"standby_uplinks": knownvalue.Null(), "notify_switches": knownvalue.Null(), "failback": knownvalue.Null(), "failure_detection": knownvalue.Null(),
					})),
					expectEff("load_balancing", knownvalue.StringExact("loadbalance_ip")),
					expectEff("active_uplinks", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("vmnic1"), knownvalue.StringExact("vmnic2")})),
					expectEff("standby_uplinks", knownvalue.ListExact([]knownvalue.Check{})),
					expectEff("notify_switches", knownvalue.Bool(true)),
					expectEff("failback", knownvalue.Bool(true)),
					expectEff("failure_detection", knownvalue.StringExact("link_status")),
					expectEff("mac_learning_enabled", knownvalue.Bool(false)),
					acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{})),
					acctest.ExpectPolicy("toggle_hazards", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("rpf=1")})),
				},
				// Check runs on the state the apply computed locally;
				// ConfigStateChecks above on the state after refresh.
				Check: resource.ComposeAggregateTestCheckFunc(
					e.ExpectPortGroupWrites("FW-WAN promisc=true mac=true forged=true"),
					e.Diags.ExpectMaxCalls("PlanResourceChange", "carp_portgroup_policy", 1),
					// the security policy inherited: absent from original_policy
					resource.TestCheckResourceAttrWith(acctest.PolicyRes, "original_policy", func(v string) error {
						if strings.Contains(v, "allow_") || strings.Contains(v, "null") {
							return fmt.Errorf("original_policy %s names an inherited field", v)
						}
						return nil
					}),
					localState(map[string]string{
						"effective_policy.load_balancing":   "loadbalance_ip",
						"effective_policy.active_uplinks.#": "2", "effective_policy.active_uplinks.1": "vmnic2", "effective_policy.standby_uplinks.#": "0",
						"effective_policy.notify_switches": "true", "effective_policy.failback": "true", "effective_policy.failure_detection": "link_status",
						"hazards.#": "0", "toggle_hazards.0": "rpf=1",
					}),
				),
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
			{
				// Drift: set back to Reject outside Terraform.
				PreConfig: func() {
					o.SetPortGroupSecurity("esx-01", "FW-WAN", inventory.Security{AllowPromiscuous: inventory.Ptr(false), MacChanges: inventory.Ptr(true), ForgedTransmits: inventory.Ptr(true)})
					e.Reset()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("allow_promiscuous"), knownvalue.Bool(true)),
						// The drift shows in the diff with the code it causes,
						// repaired by this plan; no warning about it.
						acctest.ExpectHazards(acctest.PolicyRes, []string{"CARP001"}, []string{}),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.ExpectPortGroupWrites("FW-WAN promisc=true mac=true forged=true"),
					e.Diags.ExpectMaxCalls("ReadResource", "carp_portgroup_policy", 1),
					e.Diags.ExpectNoWarning("CARP001"),
				),
			},
			{
				// Drift to inheritance: the own value is gone, the plan sets it explicitly.
				PreConfig: func() { o.SetPortGroupSecurity("esx-01", "FW-WAN", inventory.Security{}) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("allow_mac_changes", knownvalue.Bool(true))},
			},
			{
				ResourceName:            acctest.PolicyRes,
				ImportState:             true,
				ImportStateId:           host + ":FW-WAN",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"original_policy", "hazards_repaired"}, // what the last apply repaired is history
			},
			{
				ResourceName:    acctest.PolicyRes,
				Config:          cfg,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   host + ":FW-WAN",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("allow_promiscuous"), knownvalue.Bool(true)),
				}},
			},
			{Config: cfg, ConfigPlanChecks: acctest.EmptyPlan()},
		},
	})
}

func TestAccPortGroupPolicy_dvSecurityPolicy(t *testing.T) { testDV(t, "fw-65", "6.5.0") }
func TestAccPortGroupPolicy_dvMacManagement(t *testing.T)  { testDV(t, "fw-70", "7.0.0") }

func testDV(t *testing.T, pg, version string) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	id := e.Sim.DVPortGroupID(pg)
	dvs := "dvs-65"
	if version == "7.0.0" {
		dvs = "dvs-70"
	}
	cfg := e.DVPolicy(pg, `allow_forged_transmits = false
  teaming {
    load_balancing    = "loadbalance_loadbased"
    active_uplinks    = ["uplink1"]
    standby_uplinks   = ["uplink2"]
    notify_switches   = false
    failback          = false
    failure_detection = "beacon_probing"
  }`)
	hazards := []knownvalue.Check{knownvalue.StringExact("CARP003")}
	if version == "7.0.0" {
		hazards = append(hazards, knownvalue.StringExact("CARP013"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPolicy("id", knownvalue.StringExact(id)),
					acctest.ExpectPolicy("switch", knownvalue.StringExact(e.Sim.DVSwitchID(dvs))),
					acctest.ExpectPolicy("allow_promiscuous", knownvalue.Bool(true)),
					acctest.ExpectPolicy("allow_mac_changes", knownvalue.Bool(true)),
					acctest.ExpectPolicy("allow_forged_transmits", knownvalue.Bool(false)),
					acctest.ExpectPolicy("teaming", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"load_balancing":    knownvalue.StringExact("loadbalance_loadbased"),
						"active_uplinks":    knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("uplink1")}),
						"standby_uplinks":   knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("uplink2")}),
						"notify_switches":   knownvalue.Bool(false),
						"failback":          knownvalue.Bool(false),
						"failure_detection": knownvalue.StringExact("beacon_probing"),
					})),
					expectEff("load_balancing", knownvalue.StringExact("loadbalance_loadbased")),
					expectEff("standby_uplinks", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("uplink2")})),
					expectEff("failback", knownvalue.Bool(false)),
					expectEff("notify_switches", knownvalue.Bool(false)),
					expectEff("failure_detection", knownvalue.StringExact("beacon_probing")),
					acctest.ExpectPolicy("hazards", knownvalue.ListExact(hazards)),
					acctest.ExpectPolicy("toggle_hazards", knownvalue.ListExact([]knownvalue.Check{})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					localState(map[string]string{
						"effective_policy.load_balancing":   "loadbalance_loadbased",
						"effective_policy.active_uplinks.0": "uplink1", "effective_policy.standby_uplinks.0": "uplink2",
						"effective_policy.notify_switches": "false", "effective_policy.failback": "false", "effective_policy.failure_detection": "beacon_probing",
						"hazards.#": fmt.Sprint(len(hazards)), "hazards.0": "CARP003",
					}),
					e.ExpectPortGroupWrites("promisc=true mac=true forged=false"),
					// the port group, its switch, the switch's member hosts (CARP004)
					e.Diags.ExpectMaxCalls("PlanResourceChange", "carp_portgroup_policy", 3),
					e.Diags.ExpectWarning("CARP003", id),
				),
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
			{
				PreConfig: func() { o.SetDVPortGroupPromiscuous(pg, false) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("allow_promiscuous", knownvalue.Bool(true))},
				Check:             e.Diags.ExpectMaxCalls("ReadResource", "carp_portgroup_policy", 2),
			},
			{
				ResourceName:            acctest.PolicyRes,
				ImportState:             true,
				ImportStateId:           id,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"original_policy", "hazards_repaired"}, // what the last apply repaired is history
			},
			{
				ResourceName:    acctest.PolicyRes,
				Config:          cfg,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   id,
			},
		},
	})
}

func TestAccPortGroupPolicy_macLearning(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	id := e.Sim.DVPortGroupID("fw-70")
	cfg := e.DVPolicy("fw-70", `allow_promiscuous = false
  mac_learning {
    enabled      = true
    limit        = 128
    limit_policy = "allow"
  }`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPolicy("allow_promiscuous", knownvalue.Bool(false)),
					acctest.ExpectPolicy("mac_learning", knownvalue.ObjectExact(map[string]knownvalue.Check{
						"enabled": knownvalue.Bool(true), "allow_unicast_flooding": knownvalue.Bool(true),
						"limit": knownvalue.Int64Exact(128), "limit_policy": knownvalue.StringExact("allow"),
					})),
					expectEff("mac_learning_enabled", knownvalue.Bool(true)),
					acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CARP010")})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.ExpectPortGroupWrites("promisc=false mac=true forged=true maclearning=true"),
					e.Diags.ExpectNoWarning("CARP001"),
					e.Diags.ExpectNoWarning("CARP013"),
				),
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
			{
				ResourceName:            acctest.PolicyRes,
				ImportState:             true,
				ImportStateId:           id,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"original_policy", "hazards_repaired"}, // what the last apply repaired is history
			},
		},
		CheckDestroy: func(*terraform.State) error {
			// restore: MAC learning inherits again, so it is off
			_, s := e.OOB().DVPortGroup("fw-70")
			if m := s.MacManagementPolicy; m == nil || !m.Inherited {
				return fmt.Errorf("macManagementPolicy not inherited after destroy: %+v", m)
			}
			return nil
		},
	})
}

// TestAccPortGroupPolicy_parallel: 30 port groups on one host, applied with
// the default parallelism, lose no update.
func TestAccPortGroupPolicy_parallel(t *testing.T) {
	t.Parallel()
	var pgs []simulator.PortGroup
	for i := 0; i < 30; i++ {
		pgs = append(pgs, simulator.PortGroup{Name: fmt.Sprintf("PG-%02d", i), VLAN: int32(100 + i),
			Security: inventory.Security{AllowPromiscuous: inventory.Ptr(false), MacChanges: inventory.Ptr(false), ForgedTransmits: inventory.Ptr(false)}})
	}
	sc := simulator.Scenario{Datacenters: []simulator.Datacenter{{Name: "dc", Hosts: []simulator.Host{{
		Name: "esx-01", RPFCheckPromisc: 1,
		VSwitches: []simulator.VSwitch{{Name: "vSwitch1", Uplinks: []string{"vmnic1"}, PortGroups: pgs}},
	}}}}}
	e := acctest.New(t, sc)
	o := e.OOB()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			PreConfig: e.Reset,
			Config: e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "pg" {
  count          = 30
  host_system_id = %q
  portgroup      = format("PG-%%02d", count.index)
}`, e.Sim.HostID("esx-01"))),
			Check: func(*terraform.State) error {
				if n := len(e.PortGroupWrites()); n != 30 {
					return fmt.Errorf("%d writes for 30 port groups", n)
				}
				var bad []string
				for _, pg := range pgs {
					p := o.PortGroup("esx-01", pg.Name)
					s := p.Spec.Policy.Security
					if acctest.BoolStr(s.AllowPromiscuous) != "true" || acctest.BoolStr(s.MacChanges) != "true" || acctest.BoolStr(s.ForgedTransmits) != "true" || p.Spec.VlanId != pg.VLAN {
						bad = append(bad, fmt.Sprintf("%s: promisc=%s mac=%s forged=%s vlan=%d", pg.Name, acctest.BoolStr(s.AllowPromiscuous), acctest.BoolStr(s.MacChanges), acctest.BoolStr(s.ForgedTransmits), p.Spec.VlanId))
					}
				}
				if len(bad) > 0 {
					return fmt.Errorf("updates lost: %s", strings.Join(bad, "; "))
				}
				return nil
			},
			ConfigPlanChecks: acctest.EmptyPlan(),
		}},
	})
}

// TestAccPortGroupPolicy_dvConcurrentAndFault: ConcurrentAccess on a DV
// write re-reads configVersion and retries; a toggle whose second write
// keeps failing names the DV port group and switch, and the next plan
// re-enables promiscuous mode.
func TestAccPortGroupPolicy_dvConcurrentAndFault(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	id := e.Sim.DVPortGroupID("fw-70")
	cfg := func(trigger string) string {
		return e.DVPolicy("fw-70", `toggle_on_apply = true`, fmt.Sprintf(`toggle_triggers = { t = %q }`, trigger))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					e.Reset()
					e.Sim.FailCall("ReconfigureDVPortgroup_Task", id, 1, &types.ConcurrentAccess{})
				},
				Config: cfg("1"),
				Check: func(*terraform.State) error {
					w := e.PortGroupWrites()
					if len(w) != 3 {
						return fmt.Errorf("want 3 DV writes (ConcurrentAccess, off, desired), got %+v", w)
					}
					v := []int{configVersionOf(w[0].Detail), configVersionOf(w[1].Detail), configVersionOf(w[2].Detail)}
					if v[0] != v[1] || v[2] != v[1]+1 || !strings.Contains(w[1].Detail, "promisc=false") || !strings.Contains(w[2].Detail, "promisc=true") {
						return fmt.Errorf("unexpected write sequence: %+v", w)
					}
					return nil
				},
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
			{
				PreConfig: func() {
					for n := 2; n <= 5; n++ {
						e.Sim.FailCall("ReconfigureDVPortgroup_Task", id, n, &types.DvsFault{})
					}
				},
				Config:      cfg("2"),
				ExpectError: regexp.MustCompile(`(?s)Promiscuous mode left off.*"fw-70"\s+\(` + id + `\)\s+on\s+switch\s+dvs-70\s+\(` + e.Sim.DVSwitchID("dvs-70") + `\)`),
			},
			{
				PreConfig: e.Sim.ClearFaults,
				Config:    cfg("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("allow_promiscuous"), knownvalue.Bool(true)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccPortGroupPolicy_gone: a port group deleted outside Terraform is
// removed from state with a warning.
func TestAccPortGroupPolicy_gone(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: e.StdPolicy("FW-LAN")},
			{
				PreConfig: func() {
					o.RemovePortGroup("esx-01", "FW-LAN")
					e.Diags.Reset()
				},
				// Refresh drops it with a warning; the plan to create it
				// again fails, naming the port groups that exist.
				Config:      e.StdPolicy("FW-LAN"),
				ExpectError: regexp.MustCompile(`(?s)Port group not found.*"FW-WAN \(vSwitch vSwitch1\)"`),
			},
			{
				// the warning of the previous step's refresh
				PreConfig: func() {
					if err := e.Diags.ExpectWarning("Port group gone; removed from state", e.Sim.HostID("esx-01")+":FW-LAN")(nil); err != nil {
						t.Error(err)
					}
				},
				Config: e.StdPolicy("FW-WAN"),
			},
		},
	})
}
