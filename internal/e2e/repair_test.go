package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// failEveryRestore makes the restoring write of the next toggle fail on
// every attempt: the first UpdatePortGroup from now (promiscuous mode off)
// lands, the next RestoreAttempts (4) fail.
func failEveryRestore(sim *simulator.Server, method, object string, first int) {
	for n := first; n < first+4; n++ {
		sim.FailCall(method, object, n, &types.SystemError{Reason: fmt.Sprintf("injected: restoring write, call %d", n)})
	}
}

// hostRunConfig is carp_host_settings on esx-01 (the option as given,
// toggling the host's promiscuous port groups when it changes) and the
// policies of its standard port groups, after it as the module declares.
func hostRunConfig(sim *simulator.Server, rpf bool, policyToggle bool) string {
	return fmt.Sprintf(`resource "carp_host_settings" "h" {
  host_system_id                 = %q
  reverse_path_fwd_check_promisc = %t
  toggle_promiscuous_on_apply    = true
}

resource "carp_portgroup_policy" "std" {
  for_each        = toset(["FW-WAN", "FW-LAN", "FW-SYNC", "FW-DMZ"])
  host_system_id  = %q
  portgroup       = each.value
  toggle_on_apply = %t
  depends_on      = [carp_host_settings.h]
}
`, sim.HostID("esx-01.lab"), rpf, sim.HostID("esx-01.lab"), policyToggle)
}

// TestApplyAfterToggleLeftOff: the restoring write of carp_host_settings'
// toggle fails on every attempt, leaving a port group off
// (pending_reenable). Once the fault is gone, ONE apply repairs it and
// converges, the policies of that host's port groups included (their
// planned values that hang on the re-enable are unknown at plan, or
// known right), and the plan after it is empty.
func TestApplyAfterToggleLeftOff(t *testing.T) {
	t.Parallel()
	for _, policyToggle := range []bool{false, true} {
		t.Run(fmt.Sprintf("policy toggle %t", policyToggle), func(t *testing.T) {
			t.Parallel()
			sim, c := demoCLI(t)
			endConfig(t, c, "leftoff", hostRunConfig(sim, false, policyToggle))
			rel := "leftoff"
			c.tf(rel, 0, "apply", "-input=false", "-auto-approve", "-no-color")

			// The option changes: the host toggles its promiscuous port
			// groups (FW-DMZ first); every restoring attempt fails.
			endConfig(t, c, "leftoff", hostRunConfig(sim, true, policyToggle))
			failEveryRestore(sim, "UpdatePortGroup", "", 2)
			out := c.tf(rel, 1, "apply", "-input=false", "-auto-approve", "-no-color")
			if !strings.Contains(out, "Promiscuous mode left off") {
				t.Fatalf("the failed apply does not say a port group was left off:\n%s", out)
			}
			sim.ClearFaults()
			if got := c.tf(rel, 0, "show", "-no-color"); !strings.Contains(got, "pending_reenable") || !strings.Contains(got, `"FW-DMZ"`) {
				t.Fatalf("the state does not record FW-DMZ as pending re-enable:\n%s", got)
			}

			// One clean apply repairs and converges...
			out, code := c.run(rel, c.bin, "apply", "-input=false", "-auto-approve", "-no-color")
			if code != 0 {
				t.Fatalf("the apply after the fault was cleared failed (exit %d):\n%s", code, out)
			}
			// ...and the plan after it is empty.
			c.tf(rel, 0, "plan", "-input=false", "-detailed-exitcode", "-no-color")
		})
	}
}
