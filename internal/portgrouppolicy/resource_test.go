package portgrouppolicy_test

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

func expectEff(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("effective_policy").AtMapKey(attr), v)
}

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

func configVersionOf(detail string) int {
	m := regexp.MustCompile(`configVersion=(\d+)`).FindStringSubmatch(detail)
	if m == nil {
		return -1
	}
	var n int
	if _, err := fmt.Sscan(m[1], &n); err != nil {
		return -1
	}
	return n
}

// expectDVToggle checks two DV writes: promiscuous off first, the second
// carrying the first's configVersion + 1.
func expectDVToggle(e *acctest.Env, second string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := e.ExpectPortGroupWrites("promisc=false", second)(s); err != nil {
			return err
		}
		w := e.PortGroupWrites()
		a, b := configVersionOf(w[0].Detail), configVersionOf(w[1].Detail)
		if a < 0 || b != a+1 {
			return fmt.Errorf("configVersion not carried: first %q, second %q", w[0].Detail, w[1].Detail)
		}
		return nil
	}
}

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
				ExpectError: regexp.MustCompile(`(?s)Toggle left promiscuous mode OFF.*port group "FW-WAN" on vSwitch vSwitch1 of.*host esx-01 \(` + host + `\).*next plan re-enables it`),
			},
			e.RepairStep(cfg("2"), e.Sim.ClearFaults),
		},
	})
}

// TestAccPortGroupPolicy_restore: destroy puts back the policy found before
// create, inheritance included.
func TestAccPortGroupPolicy_restore(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	cfg := e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "wan" {
  host_system_id = %[1]q
  portgroup      = "FW-WAN"
  teaming {
    active_uplinks  = ["vmnic2"]
    standby_uplinks = ["vmnic1"]
  }
}
resource "carp_portgroup_policy" "lan" {
  host_system_id = %[1]q
  portgroup      = "FW-LAN"
}
resource "carp_portgroup_policy" "dv65" {
  distributed_portgroup_id = %[2]q
  teaming { load_balancing = "loadbalance_ip" }
}
resource "carp_portgroup_policy" "dv70" {
  distributed_portgroup_id = %[3]q
  mac_learning { enabled = true }
}`, e.Sim.HostID("esx-01"), e.Sim.DVPortGroupID("fw-65"), e.Sim.DVPortGroupID("fw-70")))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: func(*terraform.State) error {
				p := o.PortGroup("esx-01", "FW-WAN")
				if acctest.BoolStr(p.Spec.Policy.Security.AllowPromiscuous) != "true" || p.Spec.Policy.NicTeaming == nil || p.Spec.Policy.NicTeaming.NicOrder == nil {
					return fmt.Errorf("FW-WAN not written: %+v", p.Spec.Policy)
				}
				return nil
			},
			ConfigPlanChecks: acctest.EmptyPlan(),
		}},
		CheckDestroy: func(*terraform.State) error {
			var errs []string
			wan := o.PortGroup("esx-01", "FW-WAN")
			if s := wan.Spec.Policy.Security; s != nil && (s.AllowPromiscuous != nil || s.MacChanges != nil || s.ForgedTransmits != nil) {
				errs = append(errs, fmt.Sprintf("FW-WAN security not inherited again: promisc=%s mac=%s forged=%s", acctest.BoolStr(s.AllowPromiscuous), acctest.BoolStr(s.MacChanges), acctest.BoolStr(s.ForgedTransmits)))
			}
			if tm := wan.Spec.Policy.NicTeaming; tm != nil && tm.NicOrder != nil {
				errs = append(errs, fmt.Sprintf("FW-WAN uplink order not inherited again: %+v", tm.NicOrder))
			}
			lan := o.PortGroup("esx-01", "FW-LAN")
			if s := lan.Spec.Policy.Security; s == nil || acctest.BoolStr(s.AllowPromiscuous) != "false" || s.MacChanges != nil || s.ForgedTransmits != nil {
				errs = append(errs, fmt.Sprintf("FW-LAN not restored to promisc=false, mac/forged inherited: %+v", s))
			}
			_, s65 := o.DVPortGroup("fw-65")
			if sp := s65.SecurityPolicy; sp == nil || !sp.AllowPromiscuous.Inherited || !sp.MacChanges.Inherited || !sp.ForgedTransmits.Inherited {
				errs = append(errs, "fw-65 security not inherited again")
			}
			if tp := s65.UplinkTeamingPolicy; tp == nil || tp.Policy == nil || !tp.Policy.Inherited {
				errs = append(errs, "fw-65 load balancing not inherited again")
			}
			_, s70 := o.DVPortGroup("fw-70")
			if m := s70.MacManagementPolicy; m == nil || !m.Inherited {
				errs = append(errs, fmt.Sprintf("fw-70 MAC management not inherited again: %+v", m))
			}
			if len(errs) > 0 {
				return fmt.Errorf("%s", strings.Join(errs, "; "))
			}
			return nil
		},
	})
}

func TestAccPortGroupPolicy_noRestore(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	o := e.OOB()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps:                    []resource.TestStep{{Config: e.StdPolicy("FW-LAN", `restore_on_destroy = false`)}},
		CheckDestroy: func(*terraform.State) error {
			p := o.PortGroup("esx-01", "FW-LAN")
			if s := p.Spec.Policy.Security; acctest.BoolStr(s.AllowPromiscuous) != "true" || acctest.BoolStr(s.MacChanges) != "true" {
				return fmt.Errorf("restore_on_destroy = false, yet FW-LAN changed on destroy: %+v", s)
			}
			return nil
		},
	})
}

// warnScenario: esx-01 (rpf 0) with teamed vSwitch1 and FW-A; esx-02 with
// a vSwitch that accepts promiscuous mode itself; a 5.0.0 switch (CARP006),
// a 6.5.0 switch with a mirroring session (CARP007), a 7.0.0 switch.
func warnScenario() simulator.Scenario {
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name: "dc",
		Hosts: []simulator.Host{
			{Name: "esx-01", RPFCheckPromisc: 0, VSwitches: []simulator.VSwitch{{
				Name: "vSwitch1", Uplinks: []string{"vmnic1", "vmnic2"}, PortGroups: []simulator.PortGroup{{Name: "FW-A"}},
			}}},
			{Name: "esx-02", RPFCheckPromisc: 1, VSwitches: []simulator.VSwitch{{
				Name: "vSwitchP", Uplinks: []string{"vmnic1"}, Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true)},
				Teaming:    inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"vmnic1"}}},
				PortGroups: []simulator.PortGroup{{Name: "FW-P", Teaming: inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"vmnic1"}, Standby: []string{}}}}},
			}}},
		},
		DVSwitches: []simulator.DVSwitch{
			{Name: "dvs-50", Version: "5.0.0", HostNames: []string{"esx-02"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-50"}}},
			{Name: "dvs-mirror", Version: "6.5.0", HostNames: []string{"esx-02"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-m"}},
				Mirroring: []inventory.MirrorSession{{Key: "vspan_1", Name: "span-ids", Enabled: true}}},
			{Name: "dvs-70", Version: "7.0.0", HostNames: []string{"esx-02"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-70"}}},
		},
	}}}
}

func TestAccPortGroupPolicy_warningsStandard(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, warnScenario())
	o := e.OOB()
	host := e.Sim.HostID("esx-01")
	cfg := func(body ...string) string {
		return e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id = %q
  portgroup      = "FW-A"
%s
}`, host, strings.Join(body, "\n")))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    cfg(`allow_promiscuous = false`, `allow_mac_changes = false`, `allow_forged_transmits = false`),
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("CARP001 promiscuous_rejected", `"FW-A"`, host),
					e.Diags.ExpectWarning("CARP002 mac_changes_rejected", `"FW-A"`),
					e.Diags.ExpectWarning("CARP003 forged_transmits_rejected", `"FW-A"`),
					e.Diags.ExpectWarning("CARP010 teamed_uplinks_not_ip_hash", "loadbalance_srcid"),
					e.Diags.ExpectNoWarning("CARP004"),
				),
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("CARP001"), knownvalue.StringExact("CARP002"), knownvalue.StringExact("CARP003"), knownvalue.StringExact("CARP010"),
				}))},
			},
			{
				PreConfig: e.Reset,
				Config:    cfg(),
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectNoWarning("CARP001"), e.Diags.ExpectNoWarning("CARP002"), e.Diags.ExpectNoWarning("CARP003"),
					e.Diags.ExpectWarning("CARP004 rpf_check_off_with_teaming", "esx-01", "reverse_path_fwd_check_promisc"),
				),
			},
			{
				PreConfig: e.Reset,
				Config:    cfg(`teaming { active_uplinks = ["vmnic1"] }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("CARP011 single_uplink_no_failover", "vmnic1"),
					e.Diags.ExpectNoWarning("CARP010"),
				),
			},
			{
				PreConfig: func() {
					o.SetHostOption("esx-01", inventory.OptionRPFKey, int64(1))
					e.Reset()
				},
				Config: cfg(`teaming {
    load_balancing  = "loadbalance_ip"
    active_uplinks  = ["vmnic1", "vmnic2"]
    standby_uplinks = []
  }`),
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectNoWarning("CARP004"), e.Diags.ExpectNoWarning("CARP010"), e.Diags.ExpectNoWarning("CARP011"),
				),
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPolicy("hazards", knownvalue.ListExact([]knownvalue.Check{}))},
				ConfigPlanChecks:  acctest.EmptyPlan(),
			},
		},
	})
}

func TestAccPortGroupPolicy_warningsVSwitch(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, warnScenario())
	o := e.OOB()
	cfg := e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id = %q
  portgroup      = "FW-P"
}`, e.Sim.HostID("esx-02")))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    cfg,
				Check:     e.Diags.ExpectWarning("CARP009 vswitch_wide_promiscuous", "vSwitchP", "esx-02"),
			},
			{
				PreConfig: func() {
					o.SetVSwitchPromiscuous("esx-02", "vSwitchP", false)
					e.Reset()
				},
				Config: cfg,
				Check:  e.Diags.ExpectNoWarning("CARP009"),
			},
		},
	})
}

func TestAccPortGroupPolicy_warningsDV(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, warnScenario())
	o := e.OOB()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    e.DVPolicy("fw-50"),
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("CARP006 vds_upgraded_legacy", "dvs-50", "5.0.0", "Set toggle_on_apply = true"),
					e.Diags.ExpectNoWarning("CARP013"),
				),
			},
			{
				PreConfig: e.Reset,
				Config:    e.DVPolicy("fw-50", `toggle_on_apply = true`),
				// the plan toggles: the diff says why, no warning claims more
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("toggle_hazards"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CARP006")})),
				}},
				Check: e.Diags.ExpectNoWarning("CARP006"),
			},
			{
				PreConfig: e.Reset,
				Config:    e.DVPolicy("fw-m"),
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("CARP007 port_mirroring_breaks_promiscuous", "span-ids", "Set toggle_on_apply = true"),
					e.Diags.ExpectNoWarning("CARP006"),
				),
			},
			{
				PreConfig: func() {
					o.RemoveMirrorSessions("dvs-mirror")
					e.Reset()
				},
				Config: e.DVPolicy("fw-m"),
				Check:  e.Diags.ExpectNoWarning("CARP007"),
			},
			{
				PreConfig: e.Reset,
				Config:    e.DVPolicy("fw-70"),
				Check:     e.Diags.ExpectWarning("CARP013 mac_learning_available", "7.0.0"),
			},
			{
				PreConfig:        e.Reset,
				Config:           e.DVPolicy("fw-70", `allow_promiscuous = false`, `mac_learning { enabled = true }`),
				Check:            resource.ComposeAggregateTestCheckFunc(e.Diags.ExpectNoWarning("CARP013"), e.Diags.ExpectNoWarning("CARP001")),
				ConfigPlanChecks: acctest.EmptyPlan(),
			},
		},
	})
}

func TestAccPortGroupPolicy_macLearningUnsupported(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.StdPolicy("FW-WAN", `mac_learning { enabled = true }`),
				ExpectError: regexp.MustCompile(`(?s)CARP014 mac_learning_unsupported.*FW-WAN.*standard port groups`),
			},
			{
				Config:      e.DVPolicy("fw-65", `mac_learning { enabled = true }`),
				ExpectError: regexp.MustCompile(`(?s)CARP014 mac_learning_unsupported.*6\.5\.0.*6\.6\.0`),
			},
			{Config: e.DVPolicy("fw-65")},
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

func TestAccPortGroupPolicy_badInput(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	host := e.Sim.HostID("esx-01")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.StdPolicy("FW-NOPE"),
				ExpectError: regexp.MustCompile(`(?s)Port group not found.*esx-01\s+\(` + host + `\)\s+has\s+no\s+standard\s+port\s+group\s+"FW-NOPE".*"FW-LAN\s+\(vSwitch\s+vSwitch1\)"`),
			},
			{
				Config: e.Config(`
resource "carp_portgroup_policy" "fw" {
  host_system_id = "host-9999"
  portgroup      = "FW-WAN"
}`),
				ExpectError: regexp.MustCompile(`(?s)Host not found.*host-9999.*esx-01`),
			},
			{
				Config: e.Config(`
resource "carp_portgroup_policy" "fw" {
  distributed_portgroup_id = "dvportgroup-9999"
}`),
				ExpectError: regexp.MustCompile(`(?s)Distributed port group not found.*dvportgroup-9999.*fw-65\s+\(` + e.Sim.DVPortGroupID("fw-65") + `\)`),
			},
			{
				Config:      e.StdPolicy("FW-WAN", `teaming { active_uplinks = ["vmnic1", "vmnic7"] }`),
				ExpectError: regexp.MustCompile(`(?s)Unknown uplink.*"vmnic7".*Valid uplinks:\s+"vmnic1",\s+"vmnic2"`),
			},
			{
				Config:      e.DVPolicy("fw-65", `teaming { standby_uplinks = ["lag1"] }`),
				ExpectError: regexp.MustCompile(`(?s)Unknown uplink.*"lag1".*"uplink1",\s+"uplink2"`),
			},
			{
				Config:      e.StdPolicy("FW-WAN", `teaming { load_balancing = "loadbalance_loadbased" }`),
				ExpectError: regexp.MustCompile(`(?s)Load-based teaming needs a distributed switch`),
			},
			{
				Config:      e.StdPolicy("FW-WAN", `teaming { load_balancing = "round_robin" }`),
				ExpectError: regexp.MustCompile(`(?s)value must be one of`),
			},
			{
				Config: e.DVPolicy("fw-70", `mac_learning {
    enabled = true
    limit   = 5000
  }`),
				ExpectError: regexp.MustCompile(`(?s)between 1 and 4096`),
			},
			{
				Config:      e.DVPolicy("fw-70", `mac_learning { limit = 10 }`),
				ExpectError: regexp.MustCompile(`(?s)Missing mac_learning.enabled`),
			},
			{
				Config: e.Config(fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id           = %q
  portgroup                = "FW-WAN"
  distributed_portgroup_id = %q
}`, host, e.Sim.DVPortGroupID("fw-65"))),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			{
				Config:      e.Config(fmt.Sprintf(`resource "carp_portgroup_policy" "fw" { host_system_id = %q }`, host)),
				ExpectError: regexp.MustCompile(`(?s)portgroup`),
			},
			{
				Config:        e.StdPolicy("FW-WAN"),
				ResourceName:  acctest.PolicyRes,
				ImportState:   true,
				ImportStateId: "FW-WAN",
				ExpectError:   regexp.MustCompile(`(?s)expected.*host-21:FW-WAN.*dvportgroup-42`),
			},
			{Config: e.StdPolicy("FW-WAN")},
		},
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
				ExpectError: regexp.MustCompile(`(?s)Toggle left promiscuous mode OFF.*"fw-70"\s+\(` + id + `\)\s+on\s+switch\s+dvs-70\s+\(` + e.Sim.DVSwitchID("dvs-70") + `\)`),
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

// localState checks attributes of the state as the apply left it (before
// any refresh): the locally computed post-write values.
func localState(want map[string]string) resource.TestCheckFunc {
	var checks []resource.TestCheckFunc
	for k, v := range want {
		checks = append(checks, resource.TestCheckResourceAttr(acctest.PolicyRes, k, v))
	}
	return resource.ComposeAggregateTestCheckFunc(checks...)
}
