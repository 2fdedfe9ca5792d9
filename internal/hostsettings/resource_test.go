package hostsettings_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

const rpfKey = inventory.OptionRPFKey

// writes returns the recorded network writes as "Method Detail".
func writes(e *acctest.Env) []string {
	var out []string
	for _, c := range e.Sim.Calls() {
		if c.Method == "UpdatePortGroup" || c.Method == "UpdateVirtualSwitch" {
			out = append(out, c.Method+" "+c.Detail)
		}
	}
	return out
}

func expectOption(t *testing.T, e *acctest.Env, host, key string, want any) func(*terraform.State) error {
	return func(*terraform.State) error {
		if got := e.OOB().HostOption(host, key); got != want {
			return fmt.Errorf("%s on %s = %v (%T), want %v (%T)", key, host, got, got, want, want)
		}
		return nil
	}
}

const res = "carp_host_settings.h"

func TestAccHostSettings_basic(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-01")
	cfg := e.Config(acctest.HostSettingsHCL(id, "toggle_promiscuous_on_apply = true"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		CheckDestroy:             expectOption(t, e, "esx-01", rpfKey, int64(0)), // restored
		Steps: []resource.TestStep{
			{
				PreConfig: func() { e.Sim.ResetCalls(); e.Diags.Reset() },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("esx-01")),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("reverse_path_fwd_check_promisc"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("restore_on_destroy"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("teamed_vswitches"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("vSwitch0")})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("original_values"), knownvalue.MapExact(map[string]knownvalue.Check{rpfKey: knownvalue.StringExact("0")})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("toggled_portgroups"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("FW-SYNC"), knownvalue.StringExact("FW-WAN"), knownvalue.StringExact("vswitch/vSwitch1"),
					})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("pending_reenable"), knownvalue.MapSizeExact(0)),
					// FW-WAN accepts promiscuous mode on teamed vSwitch0 with the option 0
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hazards_repaired"), knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("CARP004")})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("hazards"), knownvalue.ListSizeExact(0)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectUnknownValue(res, tfjsonpath.New("hazards_repaired"))},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					expectOption(t, e, "esx-01", rpfKey, int64(1)),
					expectWrites(e, wantToggle),
					e.Diags.ExpectNoWarning("CARP005"),
					e.Diags.ExpectNoWarning("CARP004"),
					func(*terraform.State) error {
						// Restored exactly: own values as before, VLAN kept.
						for pg, want := range map[string]string{
							"FW-SYNC": "promisc=inherit mac=inherit forged=inherit vlan=30",
							"FW-WAN":  "promisc=true mac=inherit forged=true vlan=10",
							"Mgmt":    "promisc=inherit mac=inherit forged=inherit vlan=20",
						} {
							if got := e.OOB().PortGroupSecurity("esx-01", pg); got != want {
								return fmt.Errorf("%s: %s, want %s", pg, got, want)
							}
						}
						return nil
					},
				),
			},
			{
				// Drift: the option is set back to 0 out of band.
				PreConfig: func() {
					e.OOB().SetHostOption("esx-01", rpfKey, int64(0))
					e.Sim.ResetCalls()
					e.Diags.Reset()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
						// The drift shows in the diff with the code it causes.
						acctest.ExpectHazards(res, []string{"CARP004"}, []string{}),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					expectOption(t, e, "esx-01", rpfKey, int64(1)),
					expectWrites(e, wantToggle),
					e.Diags.ExpectMaxCalls("ReadResource", "carp_host_settings", 2),
					e.Diags.ExpectNoWarning("CARP004"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					// Still the value found before the resource first changed it.
					statecheck.ExpectKnownValue(res, tfjsonpath.New("original_values"), knownvalue.MapExact(map[string]knownvalue.Check{rpfKey: knownvalue.StringExact("0")})),
				},
			},
			{
				ResourceName:      res,
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{
					// The value found before the first change is gone from
					// the host once changed; import records what it finds.
					"original_values",
					// What the last apply toggled and repaired is history,
					// not host state.
					"toggled_portgroups", "hazards_repaired",
					// toggle_promiscuous_on_apply is a wish of the
					// configuration, not stored on the host; import takes
					// the default (false).
					"toggle_promiscuous_on_apply",
				},
			},
			{
				// Import block: a configuration with the defaults imports
				// as a no-op (toggle_promiscuous_on_apply is not on the
				// host, so import takes its default, false).
				ResourceName:    res,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   id,
				Config:          e.Config(acctest.HostSettingsHCL(id)),
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(res, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("reverse_path_fwd_check_promisc"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(res, tfjsonpath.New("name"), knownvalue.StringExact("esx-01")),
				}},
			},
		},
	})
}

func TestAccHostSettings_noRestore(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-01")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		CheckDestroy:             expectOption(t, e, "esx-01", rpfKey, int64(1)), // left as is
		Steps: []resource.TestStep{{
			PreConfig: func() { e.Sim.ResetCalls() },
			Config:    e.Config(acctest.HostSettingsHCL(id, "restore_on_destroy = false")),
			Check: resource.ComposeTestCheckFunc(
				expectOption(t, e, "esx-01", rpfKey, int64(1)),
				expectWrites(e, nil), // toggle_promiscuous_on_apply defaults to false
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(res, tfjsonpath.New("toggled_portgroups"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func TestAccHostSettings_warnings(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-01")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				// false on a host whose teamed vSwitch0 carries FW-WAN.
				PreConfig: e.Diags.Reset,
				Config:    e.Config(acctest.HostSettingsHCL(id, "reverse_path_fwd_check_promisc = false")),
				Check: resource.ComposeTestCheckFunc(
					e.Diags.ExpectWarning("CARP004 rpf_check_off_with_teaming", "host esx-01 ("+id+")", "FW-WAN", "reverse_path_fwd_check_promisc = true"),
					e.Diags.ExpectNoWarning("CARP005"), // no change: the host is at 0 already
					expectOption(t, e, "esx-01", rpfKey, int64(0)),
				),
			},
			{
				// The fix of CARP004 changes the option without a toggle.
				PreConfig: e.Diags.Reset,
				Config:    e.Config(acctest.HostSettingsHCL(id, "reverse_path_fwd_check_promisc = true")),
				Check: resource.ComposeTestCheckFunc(
					e.Diags.ExpectWarning("CARP005 toggle_after_rpf_change", "host esx-01 ("+id+")", "FW-WAN", "toggle_promiscuous_on_apply = true"),
					e.Diags.ExpectNoWarning("CARP004"),
				),
			},
			{
				// Both fixed: no change of the option, toggle asked for.
				PreConfig: e.Diags.Reset,
				Config:    e.Config(acctest.HostSettingsHCL(id, "toggle_promiscuous_on_apply = true")),
				Check: resource.ComposeTestCheckFunc(
					e.Diags.ExpectNoWarning("CARP004"),
					e.Diags.ExpectNoWarning("CARP005"),
				),
			},
		},
	})
}

func TestAccHostSettings_badInput(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config:      e.Config(acctest.HostSettingsHCL("esx 01")),
				ExpectError: regexp.MustCompile(`(?s)Invalid host_system_id.*"esx 01" is not a managed object id.*host-21`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL("vm-42")),
				ExpectError: regexp.MustCompile(`(?s)"vm-42" is the id of a virtual machine, not of a host`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL("")),
				ExpectError: regexp.MustCompile(`host_system_id is empty`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL("host-9999")),
				ExpectError: regexp.MustCompile(`(?s)Host not found.*"host-9999".*data.carp_hosts`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL(e.Sim.HostID("esx-02"), `advanced_options = { "`+rpfKey+`" = "1" }`)),
				ExpectError: regexp.MustCompile(`(?s)reverse_path_fwd_check_promisc`),
			},
			{
				ResourceName:  res,
				Config:        e.Config(acctest.HostSettingsHCL(e.Sim.HostID("esx-02"))),
				ImportState:   true,
				ImportStateId: "not a moref",
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id`),
			},
			{
				Config: e.Config(acctest.HostSettingsHCL(e.Sim.HostID("esx-02"))),
			},
		},
	})
}

// TestAccHostSettings_hostGone: a host removed from the inventory drops out
// of the state with a warning; planning it again is an error naming it.
func TestAccHostSettings_hostGone(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-02")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: e.Config(acctest.HostSettingsHCL(id))},
			{
				PreConfig: func() {
					e.OOB().DestroyHost(id)
				},
				Config:      e.Config(acctest.HostSettingsHCL(id)),
				ExpectError: regexp.MustCompile(`(?s)Host not found.*"` + id + `"`),
			},
			{
				Config: e.Config(),
				Check:  e.Diags.ExpectWarning("Host no longer exists", id, "removed from the state"),
			},
		},
	})
}
