package hostsettings_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

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

// wantToggle is the toggle of esx-01 in order: each port group accepting
// promiscuous mode is disabled then restored to its own policy (FW-SYNC
// inherits again), then vSwitch1 (accepting at switch level) is toggled;
// vSwitch1 leaves MAC changes and forged transmits at the ESXi defaults
// (Accept), and the toggle writes them back as read. Mgmt and Backup are
// never written.
var wantToggle = []string{
	"UpdatePortGroup FW-SYNC promisc=false mac=inherit forged=inherit",
	"UpdatePortGroup FW-SYNC promisc=inherit mac=inherit forged=inherit",
	"UpdatePortGroup FW-WAN promisc=false mac=inherit forged=true",
	"UpdatePortGroup FW-WAN promisc=true mac=inherit forged=true",
	"UpdateVirtualSwitch vSwitch1 promisc=false mac=true forged=true",
	"UpdateVirtualSwitch vSwitch1 promisc=true mac=true forged=true",
}

func expectWrites(e *acctest.Env, want []string) func(*terraform.State) error {
	return func(*terraform.State) error {
		got := writes(e)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			return fmt.Errorf("network writes:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
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

func TestAccHostSettings_toggleFault(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-01")
	ns := e.OOB().NetworkSystemID("esx-01")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				Config: e.Config(acctest.HostSettingsHCL(id, "reverse_path_fwd_check_promisc = false", "toggle_promiscuous_on_apply = true")),
			},
			{
				// Call 1 disables FW-SYNC; calls 2-5 (the restore and its
				// three retries) fail.
				PreConfig: func() {
					e.Sim.ResetCalls()
					for n := 2; n <= 5; n++ {
						e.Sim.FailCall("UpdatePortGroup", ns, n, &types.SystemError{Reason: "injected"})
					}
				},
				Config:      e.Config(acctest.HostSettingsHCL(id, "toggle_promiscuous_on_apply = true")),
				ExpectError: regexp.MustCompile(`(?s)Promiscuous\s+mode\s+is\s+left\s+OFF\s+on:\s+port\s+group\s+"FW-SYNC"\s+on\s+host\s+esx-01\s+\(` + id + `\).*SystemError.*pending_reenable`),
			},
			{
				PreConfig: func() {
					e.Sim.ClearFaults()
					if got := e.OOB().PortGroupSecurity("esx-01", "FW-SYNC"); !strings.HasPrefix(got, "promisc=false") {
						t.Errorf("after the fault FW-SYNC is %s, want promisc=false", got)
					}
					e.Sim.ResetCalls()
				},
				Config: e.Config(acctest.HostSettingsHCL(id, "toggle_promiscuous_on_apply = true")),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(res, tfjsonpath.New("pending_reenable"), knownvalue.MapSizeExact(0)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("pending_reenable"), knownvalue.MapSizeExact(0)),
				},
				Check: resource.ComposeTestCheckFunc(
					// First the pending port group is put back as it was,
					// then the interrupted toggle is done whole.
					expectWrites(e, append([]string{"UpdatePortGroup FW-SYNC promisc=inherit mac=inherit forged=inherit"}, wantToggle...)),
					func(*terraform.State) error {
						if got := e.OOB().PortGroupSecurity("esx-01", "FW-SYNC"); got != "promisc=inherit mac=inherit forged=inherit vlan=30" {
							return fmt.Errorf("FW-SYNC is %s after the repair", got)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccHostSettings_advancedOptions(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-02")
	good := `advanced_options = {
    "Net.BlockGuestBPDU"    = "1"
    "Syslog.global.logHost" = "udp://10.0.0.1:514"
  }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		CheckDestroy: resource.ComposeTestCheckFunc(
			expectOption(t, e, "esx-02", "Net.BlockGuestBPDU", int64(0)),
			expectOption(t, e, "esx-02", rpfKey, int64(1)),
		),
		Steps: []resource.TestStep{
			{
				Config: e.Config(acctest.HostSettingsHCL(id, good)),
				Check: resource.ComposeTestCheckFunc(
					expectOption(t, e, "esx-02", "Net.BlockGuestBPDU", int64(1)), // typed long
					expectOption(t, e, "esx-02", "Syslog.global.logHost", "udp://10.0.0.1:514"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("original_values"), knownvalue.MapExact(map[string]knownvalue.Check{
						rpfKey: knownvalue.StringExact("1"), "Net.BlockGuestBPDU": knownvalue.StringExact("0"), "Syslog.global.logHost": knownvalue.StringExact(""),
					})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Drift on an advanced option.
				PreConfig: func() { e.OOB().SetHostOption("esx-02", "Net.BlockGuestBPDU", int64(0)) },
				Config:    e.Config(acctest.HostSettingsHCL(id, good)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionUpdate)},
				},
				Check: resource.ComposeTestCheckFunc(
					expectOption(t, e, "esx-02", "Net.BlockGuestBPDU", int64(1)),
					e.Diags.ExpectMaxCalls("ReadResource", "carp_host_settings", 2),
				),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL(id, `advanced_options = { "Net.BlockGuestBPDU" = "yes" }`)),
				ExpectError: regexp.MustCompile(`(?s)advanced_options\["Net.BlockGuestBPDU"\].*"yes".*integer\s+\(long\)\s+from\s+0\s+to\s+1`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL(id, `advanced_options = { "Net.BlockGuestBPDU" = "7" }`)),
				ExpectError: regexp.MustCompile(`(?s)"7"\s+is\s+not\s+valid\s+for\s+Net.BlockGuestBPDU.*from\s+0\s+to\s+1`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL(id, `advanced_options = { "Net.NoSuchOption" = "1" }`)),
				ExpectError: regexp.MustCompile(`(?s)Unknown advanced option.*no advanced option\s+"Net.NoSuchOption"`),
			},
			{
				Config:      e.Config(acctest.HostSettingsHCL(id, `advanced_options = { "Misc.HeartbeatTimeout" = "1.5" }`)),
				ExpectError: regexp.MustCompile(`(?s)Misc.HeartbeatTimeout.*integer\s+\(int\)\s+from\s+1\s+to\s+86400`),
			},
			{
				// Dropping a key puts its original value back; an int
				// option is written as int.
				Config: e.Config(acctest.HostSettingsHCL(id, `advanced_options = {
    "Net.BlockGuestBPDU"    = "1"
    "Misc.HeartbeatTimeout" = "120"
  }`)),
				Check: resource.ComposeTestCheckFunc(
					expectOption(t, e, "esx-02", "Syslog.global.logHost", ""),
					expectOption(t, e, "esx-02", "Misc.HeartbeatTimeout", int32(120)),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(res, tfjsonpath.New("original_values"), knownvalue.MapExact(map[string]knownvalue.Check{
						rpfKey: knownvalue.StringExact("1"), "Net.BlockGuestBPDU": knownvalue.StringExact("0"), "Misc.HeartbeatTimeout": knownvalue.StringExact("60"),
					})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
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

// stateFunc is a StateCheck running f: terraform-plugin-testing cannot
// shim for_each instances into the legacy state that Check and CheckDestroy
// take, so the for_each step checks through ConfigStateChecks.
type stateFunc func() error

func (f stateFunc) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

func TestAccHostSettings_scale50(t *testing.T) {
	t.Parallel()
	var hosts []simulator.Host
	for i := 1; i <= 50; i++ {
		hosts = append(hosts, acctest.CarpHost(fmt.Sprintf("esx-%02d", i), 0))
	}
	e := acctest.New(t, simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name: "dc", Clusters: []simulator.Cluster{{Name: "fw", Hosts: hosts}},
	}}})
	data := `data "carp_hosts" "fw" { cluster = "fw" }`
	allAt := func(want int64) error {
		for i := 1; i <= 50; i++ {
			if v := e.OOB().HostOption(fmt.Sprintf("esx-%02d", i), rpfKey); v != want {
				return fmt.Errorf("esx-%02d: %s = %v, want %d", i, rpfKey, v, want)
			}
		}
		return nil
	}
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { e.Sim.ResetCalls(); start = time.Now() },
				Config: e.Config(data, `
resource "carp_host_settings" "fw" {
  for_each                    = { for h in data.carp_hosts.fw.hosts : h.name => h.id }
  host_system_id              = each.value
  toggle_promiscuous_on_apply = true
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(`carp_host_settings.fw["esx-37"]`, tfjsonpath.New("name"), knownvalue.StringExact("esx-37")),
					statecheck.ExpectKnownValue(`carp_host_settings.fw["esx-37"]`, tfjsonpath.New("toggled_portgroups"), knownvalue.ListSizeExact(3)),
					stateFunc(func() error {
						t.Logf("50 hosts: create and refresh took %v", time.Since(start))
						if err := allAt(1); err != nil {
							return err
						}
						if n := len(writes(e)); n != 50*len(wantToggle) {
							return fmt.Errorf("%d network writes, want %d", n, 50*len(wantToggle))
						}
						// Reads are coalesced across concurrent operations
						// (the vsphere read cache), so one RPC may carry
						// another's batch: assert the sum, which is at most
						// 9 round trips per host (read, UpdateOptions,
						// re-read under the lock, 6 writes).
						var applies, sum, maxApply int64
						for _, c := range e.Diags.Calls() {
							if c.RPC == "ApplyResourceChange" && c.TypeName == "carp_host_settings" {
								applies++
								sum += c.Calls
								maxApply = max(maxApply, c.Calls)
							}
						}
						updates := 0
						for _, c := range e.Sim.Calls() {
							if c.Method == "UpdateOptions" {
								updates++
							}
						}
						t.Logf("50 hosts: %d applies, %d round trips in all (at most %d in one), %d UpdateOptions, %d SOAP calls recorded by the simulator", applies, sum, maxApply, updates, e.Sim.CallCount())
						if applies != 50 || sum > 50*9 || updates != 50 {
							return fmt.Errorf("%d applies, %d round trips, %d UpdateOptions; want 50, at most 450, 50", applies, sum, updates)
						}
						return nil
					}),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Every Read (the refresh of this step) and every plan
				// made one round trip; removing the resources restores.
				Config: e.Config(data),
				Check: resource.ComposeTestCheckFunc(
					// The vsphere read cache coalesces concurrent Reads: a
					// Read leads at most one batch, the one holding its own
					// host, so every Read stays within the budget and the
					// sum is at most 1 per Read.
					e.Diags.ExpectMaxCalls("ReadResource", "carp_host_settings", 2),
					expectCallSum(e, "ReadResource", 1),
					expectCallSum(e, "PlanResourceChange", 1),
					func(*terraform.State) error { return allAt(0) },
				),
			},
		},
	})
}

// TestAccHostSettings_createFault: a toggle that fails during create taints
// the resource; the next apply replaces it, and destroy re-enables the
// pending port group before anything else.
func TestAccHostSettings_createFault(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.HostScenario())
	id := e.Sim.HostID("esx-01")
	ns := e.OOB().NetworkSystemID("esx-01")
	cfg := e.Config(acctest.HostSettingsHCL(id, "toggle_promiscuous_on_apply = true"))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					for n := 2; n <= 5; n++ {
						e.Sim.FailCall("UpdatePortGroup", ns, n, &types.SystemError{Reason: "injected"})
					}
				},
				Config:      cfg,
				ExpectError: regexp.MustCompile(`(?s)Promiscuous\s+mode\s+is\s+left\s+OFF\s+on:\s+port\s+group\s+"FW-SYNC"\s+on\s+host\s+esx-01\s+\(` + id + `\)`),
			},
			{
				PreConfig: func() { e.Sim.ClearFaults(); e.Sim.ResetCalls() },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(res, plancheck.ResourceActionDestroyBeforeCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeTestCheckFunc(
					expectOption(t, e, "esx-01", rpfKey, int64(1)),
					func(*terraform.State) error {
						got := writes(e)
						if len(got) == 0 || got[0] != "UpdatePortGroup FW-SYNC promisc=inherit mac=inherit forged=inherit" {
							return fmt.Errorf("destroy did not re-enable FW-SYNC first: %v", got)
						}
						// re-enable, toggle after restoring 0, toggle after setting 1
						if len(got) != 1+2*len(wantToggle) {
							return fmt.Errorf("%d writes: %v", len(got), got)
						}
						if s := e.OOB().PortGroupSecurity("esx-01", "FW-SYNC"); s != "promisc=inherit mac=inherit forged=inherit vlan=30" {
							return fmt.Errorf("FW-SYNC is %s", s)
						}
						return nil
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					// The original value survives the replacement: destroy
					// put 0 back, create found 0.
					statecheck.ExpectKnownValue(res, tfjsonpath.New("original_values"), knownvalue.MapExact(map[string]knownvalue.Check{rpfKey: knownvalue.StringExact("0")})),
					statecheck.ExpectKnownValue(res, tfjsonpath.New("pending_reenable"), knownvalue.MapSizeExact(0)),
				},
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

// expectCallSum fails unless the rpc's SOAP round trips for
// carp_host_settings add up to at most perRPC times the number of RPCs.
func expectCallSum(e *acctest.Env, rpc string, perRPC int64) func(*terraform.State) error {
	return func(*terraform.State) error {
		var n, sum, most int64
		for _, c := range e.Diags.Calls() {
			if c.RPC == rpc && c.TypeName == "carp_host_settings" {
				n++
				sum += c.Calls
				most = max(most, c.Calls)
			}
		}
		e.T.Logf("%s of carp_host_settings: %d RPCs, %d round trips in all, at most %d in one", rpc, n, sum, most)
		if n == 0 || sum > perRPC*n {
			return fmt.Errorf("%d %s RPCs made %d round trips; the budget is %d each", n, rpc, sum, perRPC)
		}
		return nil
	}
}
