package portgrouppolicy_test

// Helpers the acceptance tests of carp_portgroup_policy share.

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/carpsafe/terraform-provider-carp/internal/acctest"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
)

func expectEff(attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(acctest.PolicyRes, tfjsonpath.New("effective_policy").AtMapKey(attr), v)
}

// localState checks attributes of the state as the apply left it (before
// any refresh): the locally computed post-write values.
func localState(want map[string]string) resource.TestCheckFunc {
	var checks []resource.TestCheckFunc
	for k, v := range want {
		checks = append(checks, resource.TestCheckResourceAttr(acctest.PolicyRes, k, v))
	}
	return resource.ComposeAggregateTestCheckFunc(checks...)
}

func configVersionOf(detail string) int {
	m := regexp.MustCompile(`configVersion=(\d+)`).FindStringSubmatch(detail)
	if m == nil {
		return -1
	}
	var n int
	if _, err := fmt.Sscan(m[1], &n); err != nil {
		return -1
	}
	return n
}

// expectDVToggle checks two DV writes: promiscuous off first, the second
// carrying the first's configVersion + 1.
func expectDVToggle(e *acctest.Env, second string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if err := e.ExpectPortGroupWrites("promisc=false", second)(s); err != nil {
			return err
		}
		w := e.PortGroupWrites()
		a, b := configVersionOf(w[0].Detail), configVersionOf(w[1].Detail)
		if a < 0 || b != a+1 {
			return fmt.Errorf("configVersion not carried: first %q, second %q", w[0].Detail, w[1].Detail)
		}
		return nil
	}
}

// warnScenario: esx-01 (rpf 0) with teamed vSwitch1 and FW-A; esx-02 with
// a vSwitch that accepts promiscuous mode itself; a 5.0.0 switch (CARP006),
// a 6.5.0 switch with a mirroring session (CARP007), a 7.0.0 switch.
func warnScenario() simulator.Scenario {
	return simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name: "dc",
		Hosts: []simulator.Host{
			{Name: "esx-01", RPFCheckPromisc: 0, VSwitches: []simulator.VSwitch{{
				Name: "vSwitch1", Uplinks: []string{"vmnic1", "vmnic2"}, PortGroups: []simulator.PortGroup{{Name: "FW-A"}},
			}}},
			{Name: "esx-02", RPFCheckPromisc: 1, VSwitches: []simulator.VSwitch{{
				Name: "vSwitchP", Uplinks: []string{"vmnic1"}, Security: inventory.Security{AllowPromiscuous: inventory.Ptr(true)},
				Teaming:    inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"vmnic1"}}},
				PortGroups: []simulator.PortGroup{{Name: "FW-P", Teaming: inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"vmnic1"}, Standby: []string{}}}}},
			}}},
		},
		DVSwitches: []simulator.DVSwitch{
			{Name: "dvs-50", Version: "5.0.0", HostNames: []string{"esx-02"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-50"}}},
			{Name: "dvs-mirror", Version: "6.5.0", HostNames: []string{"esx-02"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-m"}},
				Mirroring: []inventory.MirrorSession{{Key: "vspan_1", Name: "span-ids", Enabled: true}}},
			{Name: "dvs-70", Version: "7.0.0", HostNames: []string{"esx-02"}, PortGroups: []simulator.DVPortGroup{{Name: "fw-70"}}},
		},
	}}}
}
