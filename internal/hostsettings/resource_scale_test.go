package hostsettings_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

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
