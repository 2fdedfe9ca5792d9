package portgrouppolicy_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
)

// TestAccPortGroupPolicy_pausedMidToggle: vSphere stops answering between
// the two writes of a toggle (the first lands, the second never gets an
// answer). The apply ends, bounded by api_timeout per call, with an error
// that names the port group and says promiscuous mode may be left off;
// once vSphere answers again, the next apply re-enables it.
func TestAccPortGroupPolicy_pausedMidToggle(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, acctest.PolicyScenario())
	t.Cleanup(e.Sim.Resume)
	host := e.Sim.HostID("esx-01")
	cfg := func(trigger string) string {
		return e.ProviderBlock(`api_timeout = "1s"`) + fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  host_system_id  = %q
  portgroup       = "FW-WAN"
  toggle_on_apply = true
  toggle_triggers = { t = %q }
}`, host, trigger)
	}
	var start time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{
			{Config: cfg("1")},
			{
				PreConfig: func() {
					e.Sim.PauseAfter("UpdatePortGroup", 1)
					start = time.Now()
				},
				Config: cfg("2"),
				ExpectError: regexp.MustCompile(`(?s)Promiscuous mode may be left off.*port\s+group\s+"FW-WAN"\s+on\s+vSwitch\s+vSwitch1\s+of\s+host\s+esx-01\s+\(` + host + `\).*` +
					`then\s+vSphere\s+stopped\s+answering.*Whether\s+it\s+was\s+put\s+back\s+is\s+unknown.*next\s+plan`),
			},
			e.RepairStep(cfg("2"), func() {
				took := time.Since(start)
				// The second write: 4 attempts of 1 s and 1.4 s of backoff.
				if took > 20*time.Second {
					t.Errorf("the apply against a paused server took %v; api_timeout is 1s", took)
				}
				t.Logf("the apply ended %v after the pause", took.Round(100*time.Millisecond))
				e.Sim.Resume()
			}),
		},
	})
	if p := e.OOB().PortGroup("esx-01", "FW-WAN"); acctest.BoolStr(p.Spec.Policy.Security.AllowPromiscuous) == "false" {
		t.Error("FW-WAN still rejects promiscuous mode after the repairing apply")
	}
}
