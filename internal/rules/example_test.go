package rules_test

import (
	"fmt"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
)

func ExampleEvaluate() {
	off := int64(0)
	snap := inventory.Snapshot{
		Hosts: []inventory.Host{{
			ID: "host-21", Name: "esx-02", RPFCheckPromisc: &off,
			VSwitches: []inventory.VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}}},
			PortGroups: []inventory.PortGroup{{
				Name: "FW-WAN", VSwitch: "vSwitch0",
				Effective: inventory.Effective{
					AllowPromiscuous: true, MacChanges: true, ForgedTransmits: false,
					LoadBalancing: inventory.LBIPHash, ActiveUplinks: []string{"vmnic0", "vmnic1"},
				},
			}},
		}},
	}
	scope := rules.Scope{PortGroups: []rules.PortGroupRef{{HostID: "host-21", Name: "FW-WAN"}}}
	for _, f := range rules.Evaluate(snap, scope) {
		fmt.Println(f.Severity, f)
	}
	// Output:
	// error CARP003 port group "FW-WAN" on host esx-02 (host-21): effective security policy rejects forged transmits. Set allow_forged_transmits = true on carp_portgroup_policy.
	// error CARP004 host esx-02 (host-21): vSwitch0 bridges vmnic0, vmnic1 and carries promiscuous port group "FW-WAN", but Net.ReversePathFwdCheckPromisc = 0. Set reverse_path_fwd_check_promisc = true on carp_host_settings for this host.
}
