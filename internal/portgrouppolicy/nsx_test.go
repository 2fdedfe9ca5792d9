package portgrouppolicy_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

// A policy on an NSX port group fails at plan with CARP022 on
// distributed_portgroup_id, naming the port group, the segment and the
// nsxt resources; nothing is written, and NSX is not asked.
func TestAccPortGroupPolicy_nsxManaged(t *testing.T) {
	t.Parallel()
	e := acctest.New(t, simulator.NSXPair())
	id := e.Sim.DVPortGroupID("FW-NSX")
	cfg := e.ProviderBlock(e.NSXLines()...) + fmt.Sprintf(`
resource "carp_portgroup_policy" "fw" {
  distributed_portgroup_id = %q
}`, id)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: e.Factories(),
		Steps: []resource.TestStep{{
			Config: cfg,
			ExpectError: regexp.MustCompile(`(?s)CARP022 nsx_managed_portgroup.*port group "FW-NSX" \(` + id + `\).*segment /infra/segments/fw-nsx.*` +
				`nsxt_policy_mac_discovery_profile.*nsxt_policy_spoofguard_profile.*nsxt_policy_segment_port_binding`),
		}},
	})
	if w := pgWriteCalls(e); len(w) > 0 {
		t.Errorf("writes on a plan error: %+v", w)
	}
	found := false
	for _, d := range e.Diags.All() {
		if d.Summary == "CARP022 nsx_managed_portgroup" {
			found = true
			if d.Severity != "error" || d.RPC != "PlanResourceChange" || d.Attribute != "distributed_portgroup_id" {
				t.Errorf("CARP022: %+v", d)
			}
		}
	}
	if !found {
		t.Error("no CARP022 diagnostic recorded")
	}
	if err := e.ExpectNoNSXCall()(nil); err != nil {
		t.Error(err)
	}
}

// Plans of a standard and a (non-NSX) distributed port group with NSX
// configured: no NSX call, and the same vSphere round trips as without
// NSX.
func TestAccPortGroupPolicy_nsxCostsNothingOffNSX(t *testing.T) {
	t.Parallel()
	policies := func(e *acctest.Env) string {
		return fmt.Sprintf(`
resource "carp_portgroup_policy" "wan" {
  host_system_id = %q
  portgroup      = "FW-WAN"
}
resource "carp_portgroup_policy" "lan" {
  distributed_portgroup_id = %q
}`, e.Sim.HostID("esx-1"), e.Sim.DVPortGroupID("FW-LAN"))
	}
	most := map[string]int64{}
	for _, run := range []struct {
		name string
		sc   simulator.Scenario
		nsx  bool
	}{{"without NSX", simulator.FirewallPair(), false}, {"with NSX", simulator.NSXPair(), true}} {
		e := acctest.New(t, run.sc)
		lines := []string{}
		if run.nsx {
			lines = e.NSXLines()
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: e.Factories(),
			Steps: []resource.TestStep{{
				Config: e.ProviderBlock(lines...) + policies(e),
				Check:  e.ExpectNoNSXCall(),
			}},
		})
		for _, c := range e.Diags.Calls() {
			if c.RPC == "PlanResourceChange" && c.Calls > most[run.name] {
				most[run.name] = c.Calls
			}
		}
	}
	t.Logf("most SOAP round trips of a plan: %v", most)
	if most["with NSX"] != most["without NSX"] || most["with NSX"] == 0 {
		t.Errorf("plans made %d round trips with NSX, %d without", most["with NSX"], most["without NSX"])
	}
}

// pgWriteCalls returns the recorded port group writes, in order.
func pgWriteCalls(e *acctest.Env) []simulator.Call {
	var out []simulator.Call
	for _, c := range e.Sim.Calls() {
		if c.Method == "UpdatePortGroup" || c.Method == "ReconfigureDVPortgroup_Task" {
			out = append(out, c)
		}
	}
	return out
}
