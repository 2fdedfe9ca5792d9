package portgrouppolicy

import (
	"strings"
	"testing"
)

func TestCheckIdentity(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    pgTarget
		want string // "" for a valid identity, else a substring of the message
	}{
		{"standard", pgTarget{HostID: "host-21", PortGroup: "FW-WAN"}, ""},
		{"distributed", pgTarget{DVPortGroupID: "dvportgroup-42"}, ""},
		{"both forms", pgTarget{HostID: "host-21", PortGroup: "FW-WAN", DVPortGroupID: "dvportgroup-42"}, "names both a standard and a distributed port group"},
		{"host and dv", pgTarget{HostID: "host-21", DVPortGroupID: "dvportgroup-42"}, "names both"},
		{"none", pgTarget{}, "names no port group"},
		{"host alone", pgTarget{HostID: "host-21"}, "host_system_id is given without portgroup"},
		{"portgroup alone", pgTarget{PortGroup: "FW-WAN"}, "host_system_id is empty"},
		{"bad host", pgTarget{HostID: "esx-01.lab", PortGroup: "FW-WAN"}, `"esx-01.lab" is not a managed object id of a host`},
		{"bad dv", pgTarget{DVPortGroupID: "network-7"}, "not a distributed port group managed object id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkIdentity(tc.t)
			if tc.want == "" {
				if got != "" {
					t.Fatalf("checkIdentity(%+v) = %q, want valid", tc.t, got)
				}
				return
			}
			if !strings.Contains(got, tc.want) || !strings.Contains(got, "distributed_portgroup_id alone") {
				t.Fatalf("checkIdentity(%+v) = %q, want it to contain %q and the forms to give", tc.t, got, tc.want)
			}
		})
	}
}
