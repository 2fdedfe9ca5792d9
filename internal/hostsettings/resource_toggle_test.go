package hostsettings_test

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
)

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
