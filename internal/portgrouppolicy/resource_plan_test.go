package portgrouppolicy_test

// Acceptance tests of what carp_portgroup_policy's plan reports: the
// pitfall warnings of standard port groups, vSwitches and distributed port
// groups, MAC learning where it does not exist, and wrong configurations.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

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
