package simulator

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

func bp(b bool) *bool     { return &b }
func sp(s string) *string { return &s }
func order(active, standby []string) *inventory.UplinkOrder {
	return &inventory.UplinkOrder{Active: active, Standby: standby}
}

// DemoScenario is the canned inventory of `make demo`. It contains most
// pitfalls of the CARP catalog (internal/rules; docs/guides/pitfalls.md),
// those marked below; CARP018, CARP020, CARP021 and CARP024 are left to
// the tests' scenarios (EnterprisePairs, NSXPair):
//
// Datacenter "dc-lab", DRS cluster "fw-cluster" with hosts "esx-01.lab" and
// "esx-02.lab" and no VM anti-affinity rule for the pair      -> CARP017;
// both have Net.ReversePathFwdCheckPromisc = 0 and
//
//   - vSwitch0 bridging vmnic0+vmnic1 (loadbalance_srcid, both active) with
//   - "FW-WAN": rejects promiscuous mode (switch default)      -> CARP001
//   - "FW-LAN": accepts promiscuous, rejects MAC changes and
//     forged transmits                                       -> CARP002, CARP003
//     VLAN 20 on esx-01.lab but 21 on esx-02.lab: a firewall
//     moved to the other host lands on another segment       -> CARP016
//     promiscuous on a two-uplink vSwitch with RPF check 0    -> CARP004
//     (and CARP005 when a plan changes the option)
//     two active uplinks, loadbalance_srcid                  -> CARP010
//   - "FW-SYNC": accepts everything (a clean port group)
//   - vSwitch1 bridging vmnic2 only (one active uplink, no standby) with
//     "FW-DMZ" (promiscuous, MAC changes, forged accepted)   -> CARP011
//
// esx-02.lab also has vSwitch2 bridging vmnic3 that accepts promiscuous mode
// at switch level, with port group "Lab-Shared" inheriting it  -> CARP009.
//
// Distributed switches (both hosts are members):
//   - "dvs-legacy", version 5.0.0, DV port group "FW-LEGACY" -> CARP006
//     (and CARP014 when a plan asks for MAC learning on it or on any standard
//     port group)
//   - "dvs-core", version 7.0.0, enabled mirroring session "span-ids"
//     -> CARP007; DV port groups "FW-CORE" (promiscuous, no MAC learning
//     -> CARP013; lets ports override, and fw-a's port rejects promiscuous
//     mode -> CARP015) and "Servers" (switch defaults).
//   - "dvs-nsx", version 8.0.0, with NSX: the NSX port group "FW-NSX" of
//     segment /infra/segments/fw-nsx, which binds no profile, so NSX's
//     default MAC discovery profile (MAC learning off) blocks the VIP's
//     virtual MAC                                              -> CARP023
//     (CARP025 without nsx_manager; CARP022 for a carp_portgroup_policy
//     on it)
//
// VMs:
//   - "fw-a" on esx-01.lab: vmxnet3 on FW-WAN, FW-LAN, FW-CORE, FW-NSX
//   - "fw-b" on esx-02.lab: e1000 on FW-WAN, e1000e on FW-LAN
//   - "fw-old" on esx-02.lab: a retired firewall node still registered,
//     pcnet32 on FW-DMZ                                          -> CARP012
//     (audited as a firewall, it shares esx-02.lab with fw-b  -> CARP017)
//   - "web-01" on esx-02.lab: vmxnet3 on FW-LAN, a non-firewall VM on a
//     promiscuous port group                                    -> CARP008
//
// A distributed switch of the core network, "dvs-lacp" (8.0.0, both hosts),
// aggregates its uplinks in LAG "lag-core" (two links, enhanced LACP) with
// port groups that learn MACs instead of accepting promiscuous mode:
//   - "FW-UPLINK": the LAG alone active, load balancing srcid (moot
//     behind the LAG): no CARP010, no CARP011
//   - "FW-HA": drops new MACs past one per port                -> CARP019
//     (examples/demo raises the limit)
func DemoScenario() Scenario {
	hosts := []string{"esx-01.lab", "esx-02.lab"}
	return Scenario{
		Datacenters: []Datacenter{{
			Name: "dc-lab",
			Clusters: []Cluster{{
				Name:  "fw-cluster",
				DRS:   true,
				Hosts: []Host{demoHost("esx-01.lab", false), demoHost("esx-02.lab", true)},
			}},
			DVSwitches: demoDVSwitches(hosts),
		}},
		VMs: []VM{
			{Name: "fw-a", Host: "esx-01.lab", NICs: []VMNIC{{Type: "vmxnet3", Network: "FW-WAN"}, {Type: "vmxnet3", Network: "FW-LAN"},
				{Type: "vmxnet3", Network: "FW-CORE", PortSecurity: &inventory.Security{AllowPromiscuous: bp(false)}}, {Type: "vmxnet3", Network: "FW-NSX"}}},
			{Name: "fw-b", Host: "esx-02.lab", NICs: []VMNIC{{Type: "e1000", Network: "FW-WAN"}, {Type: "e1000e", Network: "FW-LAN"}}},
			{Name: "fw-old", Host: "esx-02.lab", NICs: []VMNIC{{Type: "pcnet32", Network: "FW-DMZ"}}},
			{Name: "web-01", Host: "esx-02.lab", NICs: []VMNIC{{Type: "vmxnet3", Network: "FW-LAN"}}},
		},
	}
}

// demoHost is a host of the demo: vSwitch0 and vSwitch1 with their port
// groups, FW-LAN on VLAN 21 on the lab host (CARP016), which also has
// vSwitch2 (CARP009).
func demoHost(name string, lab bool) Host {
	teamed := inventory.Teaming{Policy: sp(inventory.LBSrcID), Order: order([]string{"vmnic0", "vmnic1"}, nil)}
	lanVLAN := int32(20)
	if lab {
		lanVLAN = 21
	}
	h := Host{
		Name:            name,
		RPFCheckPromisc: 0,
		VSwitches: []VSwitch{
			{
				Name:    "vSwitch0",
				Uplinks: []string{"vmnic0", "vmnic1"},
				Teaming: teamed,
				PortGroups: []PortGroup{
					{Name: "FW-WAN", VLAN: 10, Security: inventory.Security{AllowPromiscuous: bp(false)}},
					{Name: "FW-LAN", VLAN: lanVLAN, Security: inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(false), ForgedTransmits: bp(false)}},
					{Name: "FW-SYNC", VLAN: 30, Security: inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}},
				},
			},
			{
				Name:    "vSwitch1",
				Uplinks: []string{"vmnic2"},
				Teaming: inventory.Teaming{Order: order([]string{"vmnic2"}, nil)},
				PortGroups: []PortGroup{
					{Name: "FW-DMZ", VLAN: 40, Security: inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}},
				},
			},
		},
	}
	if lab {
		h.VSwitches = append(h.VSwitches, VSwitch{
			Name:     "vSwitch2",
			Uplinks:  []string{"vmnic3"},
			Security: inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)},
			PortGroups: []PortGroup{
				{Name: "Lab-Shared", VLAN: 50},
			},
		})
	}
	return h
}

// demoDVSwitches are the demo's distributed switches, each with the given
// hosts as members.
func demoDVSwitches(hosts []string) []DVSwitch {
	learning := inventory.Security{AllowPromiscuous: bp(false), MacChanges: bp(true), ForgedTransmits: bp(true)}
	return []DVSwitch{
		{
			Name:      "dvs-legacy",
			Version:   "5.0.0",
			Uplinks:   []string{"uplink1", "uplink2"},
			HostNames: hosts,
			PortGroups: []DVPortGroup{
				{Name: "FW-LEGACY", Security: inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}},
			},
		},
		{
			Name:      "dvs-lacp",
			Version:   "8.0.0",
			Uplinks:   []string{"uplink1", "uplink2"},
			HostNames: hosts,
			LAGs:      []inventory.LAG{{Name: "lag-core", Uplinks: 2, Mode: "active", Algorithm: "srcDestIpTcpUdpPortVlan"}},
			PortGroups: []DVPortGroup{
				{Name: "FW-UPLINK", Security: learning, MacLearning: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 4096, LimitPolicy: "drop"},
					Teaming: inventory.Teaming{Policy: sp(inventory.LBSrcID), Order: order([]string{"lag-core"}, nil)}},
				{Name: "FW-HA", Security: learning, MacLearning: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 1, LimitPolicy: "drop"},
					Teaming: inventory.Teaming{Order: order([]string{"lag-core"}, nil)}},
			},
		},
		{
			Name:      "dvs-core",
			Version:   "7.0.0",
			Uplinks:   []string{"uplink1", "uplink2"},
			HostNames: hosts,
			Mirroring: []inventory.MirrorSession{{Key: "vspan_1", Name: "span-ids", Enabled: true}},
			PortGroups: []DVPortGroup{
				{Name: "FW-CORE", Security: inventory.Security{AllowPromiscuous: bp(true), MacChanges: bp(true), ForgedTransmits: bp(true)}, AllowPortOverrides: true},
				{Name: "Servers"},
			},
		},
		{
			Name:       "dvs-nsx",
			Version:    "8.0.0",
			HostNames:  hosts,
			PortGroups: []DVPortGroup{{Name: "FW-NSX", NSXSegment: "fw-nsx"}},
		},
	}
}
