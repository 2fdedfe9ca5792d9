package toggleaction_test

import (
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// An NSX port group is skipped, and says so; the others are toggled.
func TestInvokeSkipsNSX(t *testing.T) {
	t.Parallel()
	h := newHarness(t, simulator.NSXPair())
	h.e.Sim.ResetCalls()
	o := h.invoke(t, t.Context(), targets{dvpgs: []string{"FW-NSX", "FW-LAN"}})
	expectNoErrors(t, o)
	lan, nsx := h.e.Sim.DVPortGroupID("FW-LAN"), h.e.Sim.DVPortGroupID("FW-NSX")
	h.expectWrites(t, "ReconfigureDVPortgroup_Task "+lan+" promisc=false", "ReconfigureDVPortgroup_Task "+lan+" promisc=true")
	expectProgress(t, o,
		[]string{"skipped", `distributed port group "FW-NSX" (` + nsx + ")", "NSX port group of segment /infra/segments/fw-nsx", "CARP022"},
		[]string{"toggled", `distributed port group "FW-LAN" (` + lan + ")"},
	)
}
