package simulator

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

// FirewallPair is a CARP-safe firewall pair to start from in tests of the
// rules that follow the firewalls (CARP015-017), and the shape of their
// round-trip budgets: datacenter "dc-fw", DRS cluster "fw-cluster" with
// hosts esx-1, esx-2, esx-3 (vSwitch0 bridging vmnic0+vmnic1, "FW-WAN" on
// VLAN 10 accepting everything, IP hash, RPF check 1 on every host); two
// distributed switches: "dvs-a" (8.0.0) with "FW-LAN", which lets ports
// override, and "dvs-b" (7.0.0) with "FW-SYNC", which does not, both
// accepting everything; firewall VMs "fw-a" on esx-1 and "fw-b" on esx-2,
// each with vmxnet3 NICs on FW-WAN, FW-LAN and FW-SYNC (Network adapter 1-3);
// the enabled anti-affinity rule "fw-apart" names both.
func FirewallPair() Scenario {
	all := inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}
	ipHash := inventory.Teaming{Policy: sp(inventory.LBIPHash)}
	host := func(name string) Host {
		return Host{Name: name, RPFCheckPromisc: 1, VSwitches: []VSwitch{{
			Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, Teaming: ipHash,
			PortGroups: []PortGroup{{Name: "FW-WAN", VLAN: 10, Security: all}},
		}}}
	}
	hosts := []string{"esx-1", "esx-2", "esx-3"}
	nics := []VMNIC{{Type: "vmxnet3", Network: "FW-WAN"}, {Type: "vmxnet3", Network: "FW-LAN"}, {Type: "vmxnet3", Network: "FW-SYNC"}}
	return Scenario{
		Datacenters: []Datacenter{{
			Name: "dc-fw",
			Clusters: []Cluster{{
				Name: "fw-cluster", DRS: true, Hosts: []Host{host("esx-1"), host("esx-2"), host("esx-3")},
				AntiAffinity: []AntiAffinityRule{{Name: "fw-apart", Enabled: true, VMs: []string{"fw-a", "fw-b"}}},
			}},
			DVSwitches: []DVSwitch{
				{Name: "dvs-a", Version: "8.0.0", HostNames: hosts, Teaming: ipHash,
					PortGroups: []DVPortGroup{{Name: "FW-LAN", Security: all, AllowPortOverrides: true}}},
				{Name: "dvs-b", Version: "7.0.0", HostNames: hosts, Teaming: ipHash,
					PortGroups: []DVPortGroup{{Name: "FW-SYNC", Security: all}}},
			},
		}},
		VMs: []VM{
			{Name: "fw-a", Host: "esx-1", NICs: append([]VMNIC(nil), nics...)},
			{Name: "fw-b", Host: "esx-2", NICs: append([]VMNIC(nil), nics...)},
		},
	}
}

// EnterprisePairs are two CARP-safe firewall pairs on the networks of a
// larger site, for the rules of LAGs, trunks, MAC learning and pairs
// (CARP016-CARP021): datacenter "dc-ent", DRS cluster "fw-cluster" with
// hosts esx-1 to esx-4 (vSwitch0 bridging vmnic0+vmnic1 with IP hash, RPF
// check 1, "FW-WAN" on VLAN 10 accepting everything); distributed switch
// "dvs-lag" (7.0.0) with LAG "lag1" of two links (srcDestIpTcpUdpPortVlan)
// and port groups "FW-LAG" (active uplinks: lag1 alone, load balancing
// srcid, which the LAG makes moot) and "FW-LEARN" (lets ports override),
// both learning MACs (limit 4096, drop, unknown-unicast flooding) instead
// of accepting promiscuous mode, and accepting MAC changes and forged
// transmits. Pair fw-a (esx-1) and fw-b (esx-2), NICs on FW-WAN, FW-LAG and
// FW-LEARN (Network adapter 1-3); pair fw-c (esx-3) and fw-d (esx-4), a NIC
// on FW-WAN; an enabled anti-affinity rule per pair.
func EnterprisePairs() Scenario {
	ipHash := inventory.Teaming{Policy: sp(inventory.LBIPHash)}
	all := inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}
	learning := inventory.Security{AllowPromiscuous: bp(false), MacChanges: bp(true), ForgedTransmits: bp(true)}
	ml := &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 4096, LimitPolicy: "drop"}
	host := func(name string) Host {
		return Host{Name: name, RPFCheckPromisc: 1, VSwitches: []VSwitch{{
			Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, Teaming: ipHash,
			PortGroups: []PortGroup{{Name: "FW-WAN", VLAN: 10, Security: all}},
		}}}
	}
	hosts := []string{"esx-1", "esx-2", "esx-3", "esx-4"}
	nics := []VMNIC{{Type: "vmxnet3", Network: "FW-WAN"}, {Type: "vmxnet3", Network: "FW-LAG"}, {Type: "vmxnet3", Network: "FW-LEARN"}}
	return Scenario{
		Datacenters: []Datacenter{{
			Name: "dc-ent",
			Clusters: []Cluster{{
				Name: "fw-cluster", DRS: true, Hosts: []Host{host("esx-1"), host("esx-2"), host("esx-3"), host("esx-4")},
				AntiAffinity: []AntiAffinityRule{
					{Name: "ab-apart", Enabled: true, VMs: []string{"fw-a", "fw-b"}},
					{Name: "cd-apart", Enabled: true, VMs: []string{"fw-c", "fw-d"}},
				},
			}},
			DVSwitches: []DVSwitch{{
				Name: "dvs-lag", Version: "7.0.0", HostNames: hosts, Teaming: ipHash,
				LAGs: []inventory.LAG{{Name: "lag1", Uplinks: 2, Mode: "active", Algorithm: "srcDestIpTcpUdpPortVlan"}},
				PortGroups: []DVPortGroup{
					{Name: "FW-LAG", Security: learning, MacLearning: ml,
						Teaming: inventory.Teaming{Policy: sp(inventory.LBSrcID), Order: order([]string{"lag1"}, nil)}},
					{Name: "FW-LEARN", Security: learning, MacLearning: ml, AllowPortOverrides: true},
				},
			}},
		}},
		VMs: []VM{
			{Name: "fw-a", Host: "esx-1", NICs: append([]VMNIC(nil), nics...)},
			{Name: "fw-b", Host: "esx-2", NICs: append([]VMNIC(nil), nics...)},
			{Name: "fw-c", Host: "esx-3", NICs: nics[:1:1]},
			{Name: "fw-d", Host: "esx-4", NICs: nics[:1:1]},
		},
	}
}
