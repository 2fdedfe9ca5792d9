package simulator

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

// CARPMacDiscoveryProfile is a MAC discovery profile that gives CARP what
// it needs (MAC change, MAC learning, unknown-unicast flooding, no DROP).
var CARPMacDiscoveryProfile = inventory.MacDiscoveryProfile{
	Path: "/infra/mac-discovery-profiles/carp", Name: "carp",
	MacChange: true, MacLearning: true, UnknownUnicastFlooding: true, Limit: 4096, LimitPolicy: "ALLOW",
}

// NSXPair is FirewallPair on NSX as well: distributed switch "dvs-nsx"
// (8.0.0, every host of the cluster) with the NSX port group "FW-NSX" of
// segment "fw-nsx", and the opaque network "FW-OPQ" of segment "fw-opq"
// reaching every host (an N-VDS). fw-a's fourth NIC is on FW-NSX, fw-b's
// on FW-OPQ; both segments bind CARPMacDiscoveryProfile, and SpoofGuard is
// NSX's default (off): the audit finds nothing.
func NSXPair() Scenario {
	sc := FirewallPair()
	dc := &sc.Datacenters[0]
	hosts := []string{"esx-1", "esx-2", "esx-3"}
	dc.DVSwitches = append(dc.DVSwitches, DVSwitch{Name: "dvs-nsx", Version: "8.0.0", HostNames: hosts,
		PortGroups: []DVPortGroup{{Name: "FW-NSX", NSXSegment: "fw-nsx"}}})
	dc.OpaqueNetworks = []OpaqueNetwork{{Name: "FW-OPQ", NSXSegment: "fw-opq", HostNames: hosts}}
	sc.VMs[0].NICs = append(sc.VMs[0].NICs, VMNIC{Type: "vmxnet3", Network: "FW-NSX"})
	sc.VMs[1].NICs = append(sc.VMs[1].NICs, VMNIC{Type: "vmxnet3", Network: "FW-OPQ"})
	carp := inventory.NSXProfiles{MacDiscovery: CARPMacDiscoveryProfile.Path}
	sc.NSX = &NSXScenario{
		MacDiscovery:    []inventory.MacDiscoveryProfile{CARPMacDiscoveryProfile},
		SegmentProfiles: map[string]inventory.NSXProfiles{"fw-nsx": carp, "fw-opq": carp},
	}
	return sc
}
