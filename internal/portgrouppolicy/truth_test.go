package portgrouppolicy_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

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
		name     string
		repaired []string // what the create repairs
		cfg      func(e *acctest.Env, body string) string
		oob      func(o *acctest.OOB)
	}{
		{"standard", []string{"CARP001", "CARP010"}, func(e *acctest.Env, body string) string { return e.StdPolicy("FW-WAN", body) },
			func(o *acctest.OOB) {
				o.SetPortGroupSecurity("esx-01", "FW-WAN", inventory.Security{AllowPromiscuous: inventory.Ptr(false), MacChanges: inventory.Ptr(true), ForgedTransmits: inventory.Ptr(true)})
			}},
		{"distributed", []string{"CARP001", "CARP002", "CARP003", "CARP010"}, func(e *acctest.Env, body string) string { return e.DVPolicy("fw-65", body) },
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
							PreApply: []plancheck.PlanCheck{
								acctest.ExpectHazards(acctest.PolicyRes, nil, []string{}),
								acctest.ExpectRepaired(acctest.PolicyRes, tc.repaired),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: resource.ComposeAggregateTestCheckFunc(
							e.Diags.ExpectNoWarning("CARP010"),
							e.Diags.ExpectNoWarning("CARP001"),
						),
					},
					{
						// A replacement: its create is planned again after
						// the destroy put the original policy back, and
						// plans the codes it repairs as the plan did.
						Taint:  []string{acctest.PolicyRes},
						Config: cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionDestroyBeforeCreate),
								acctest.ExpectRepaired(acctest.PolicyRes, []string{}),
							},
							PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
					},
					{
						PreConfig: func() { tc.oob(o); e.Reset() },
						Config:    cfg,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
								acctest.ExpectHazards(acctest.PolicyRes, []string{"CARP001"}, []string{}),
								acctest.ExpectRepaired(acctest.PolicyRes, []string{"CARP001"}),
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

// TestAccPlanTruth_toggleHandled: with toggle_on_apply, a legacy switch
// (CARP006) and a mirroring session (CARP007) are handled by the apply's
// toggle: the plan shows the toggle hazards in the diff and warns nothing,
// the next plan is empty and silent, and a new mirroring session plans the
// toggle again with one warning saying why.
func TestAccPlanTruth_toggleHandled(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, warnScenario())
	o := e.OOB()
	list := func(s ...string) knownvalue.Check {
		cs := make([]knownvalue.Check, len(s))
		for i, v := range s {
			cs[i] = knownvalue.StringExact(v)
		}
		return knownvalue.ListExact(cs)
	}
	silent := resource.ComposeAggregateTestCheckFunc(
		e.Diags.ExpectNoWarning("CARP006"), e.Diags.ExpectNoWarning("CARP007"),
		e.Diags.ExpectNoWarning("next apply"), e.Diags.ExpectNoWarning("Toggle hazards changed"))
	for _, tc := range []struct {
		pg   string
		want knownvalue.Check
	}{{"fw-50", list("CARP006")}, {"fw-m", list("CARP007", "mirror=span-ids")}} {
		cfg := e.DVPolicy(tc.pg, `toggle_on_apply = true`)
		steps := []resource.TestStep{
			{
				PreConfig: e.Reset,
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("toggle_hazards"), tc.want)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: silent,
			},
			// the next plan: nothing to do, nothing to say
			{PreConfig: e.Reset, Config: cfg, PlanOnly: true, Check: silent},
		}
		if tc.pg == "fw-m" {
			steps = append(steps, resource.TestStep{
				PreConfig: func() { o.AddMirrorSession("dvs-mirror", "span-new", true); e.Reset() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("toggle_hazards"), list("CARP007", "mirror=span-ids", "mirror=span-new")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					e.Diags.ExpectWarning("Toggle hazards changed", "mirror=span-new"),
					e.Diags.ExpectNoWarning("CARP007 port_mirroring"), e.Diags.ExpectNoWarning("next apply")),
			})
		}
		resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: e.Factories(), Steps: steps})
	}
}

// TestAccPlanTruth_dependsOnHostSettings: a port group whose plan follows
// the plan of its host's carp_host_settings (depends_on) judges the planned
// Net.ReversePathFwdCheckPromisc = 1 and does not warn CARP004; planned
// the other way round (the host settings depend on the port group), it
// warns CARP004 with how to silence it. Standard and distributed port
// groups (the plan of a distributed one reads the option of its switch's
// member hosts).
func TestAccPlanTruth_dependsOnHostSettings(t *testing.T) {
	t.Parallel()
	forBothKinds(t, func(t *testing.T, dv bool) {
		e := rpfOffEnv(t)
		cfg := func(pgBody, hostBody string) string {
			return policyWithHost(e, dv, pgBody, "reverse_path_fwd_check_promisc = true", "toggle_promiscuous_on_apply = true", hostBody)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.Factories(),
			Steps: []resource.TestStep{{
				PreConfig: e.Reset,
				Config:    cfg("depends_on = [carp_host_settings.h]", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						acctest.ExpectHazards("carp_host_settings.h", nil, []string{}),
						// what turning the option on repairs hangs on
						// the port groups promiscuous at its apply
						plancheck.ExpectUnknownValue("carp_host_settings.h", tfjsonpath.New("hazards_repaired")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// applied before the port group turned promiscuous:
					// no CARP004 yet to repair
					statecheck.ExpectKnownValue("carp_host_settings.h", tfjsonpath.New("hazards_repaired"), knownvalue.ListSizeExact(0)),
				},
				Check: e.Diags.ExpectNoWarning("CARP004"),
			}},
		})
		e = rpfOffEnv(t)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.Factories(),
			Steps: []resource.TestStep{{
				PreConfig: e.Reset,
				Config:    cfg("", "depends_on = [carp_portgroup_policy.fw]"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					// CARP004 is the host's: the port group's hazards
					// do not hang on the option, so they are known
					PreApply: []plancheck.PlanCheck{acctest.ExpectHazards(acctest.PolicyRes, nil, []string{"CARP010"})},
				},
				Check: e.Diags.ExpectWarning("CARP004", "add depends_on = [carp_host_settings.<name>]"),
			}},
		})
	})
}

// TestAccPlanTruth_hostSettingsUnchanged: a port group that depends on a
// carp_host_settings which changes nothing (the option kept at 0) is planned
// at apply without that resource's plan (Terraform plans again only what
// changes). Its hazards leave CARP004 to the host, so they do not hang on
// the option: an update applies (no inconsistent final plan), and the plan
// warns CARP004, which stays.
func TestAccPlanTruth_hostSettingsUnchanged(t *testing.T) {
	t.Parallel()
	forBothKinds(t, func(t *testing.T, dv bool) {
		e := rpfOffEnv(t)
		cfg := func(run string) string {
			body := fmt.Sprintf("toggle_on_apply = true\ntoggle_triggers = { run = %q }\nteaming { load_balancing = \"loadbalance_ip\" }\ndepends_on = [carp_host_settings.h]", run)
			return policyWithHost(e, dv, body, "reverse_path_fwd_check_promisc = false")
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.Factories(),
			Steps: []resource.TestStep{
				{PreConfig: e.Reset, Config: cfg("1"), ConfigPlanChecks: acctest.EmptyPlan()},
				{
					PreConfig: e.Reset,
					Config:    cfg("2"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(acctest.PolicyRes, plancheck.ResourceActionUpdate),
							plancheck.ExpectResourceAction("carp_host_settings.h", plancheck.ResourceActionNoop),
							acctest.ExpectHazards(acctest.PolicyRes, []string{}, []string{}),
							// repairs nothing: the create's repairs stay
							acctest.ExpectRepaired(acctest.PolicyRes, map[bool][]string{false: {"CARP001", "CARP010"}, true: {"CARP001", "CARP002", "CARP003", "CARP010"}}[dv]),
						},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					Check: e.Diags.ExpectWarning("CARP004"),
				},
			},
		})
	})
}

// forBothKinds runs f in parallel subtests for a standard (dv false) and a
// distributed port group.
func forBothKinds(t *testing.T, f func(t *testing.T, dv bool)) {
	for _, dv := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "distributed"}[dv], func(t *testing.T) {
			t.Parallel()
			f(t, dv)
		})
	}
}

// rpfOffEnv is PolicyScenario with esx-01's Net.ReversePathFwdCheckPromisc
// at 0.
func rpfOffEnv(t *testing.T) *acctest.Env {
	sc := acctest.PolicyScenario()
	sc.Datacenters[0].Hosts[0].RPFCheckPromisc = 0
	return acctest.New(t, sc)
}

// policyWithHost is a carp_portgroup_policy (FW-WAN, or fw-65 when dv) with
// pgBody next to carp_host_settings.h of esx-01 with hostBody.
func policyWithHost(e *acctest.Env, dv bool, pgBody string, hostBody ...string) string {
	hs := acctest.HostSettingsHCL(e.Sim.HostID("esx-01"), hostBody...)
	if dv {
		return e.DVPolicy("fw-65", pgBody) + "\n" + hs
	}
	return e.StdPolicy("FW-WAN", pgBody) + "\n" + hs
}
