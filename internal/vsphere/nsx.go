package vsphere

// NSX segments as vCenter shows them. On a VDS 7.0+ with NSX, a segment is
// a distributed port group of backing type "nsx" with the segment's
// logical switch and policy path (DVPortgroupConfigInfo.backingType,
// logicalSwitchUuid, segmentId; vSphere API 7.0). On N-VDS hosts it is an
// OpaqueNetwork, and a NIC on it has a
// VirtualEthernetCardOpaqueNetworkBackingInfo (opaqueNetworkId: the logical
// switch; opaqueNetworkType "nsx.LogicalSwitch"). Either way the
// networks's vSphere policy decides nothing; the segment's NSX profiles do.
// The opaque networks come in the batched retrieve of a Read that follows
// the VMs (VirtualMachine.network), at no extra round trip.

import (
	"fmt"
	"sort"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// opaqueNetworkProps: summary holds opaqueNetworkId and opaqueNetworkType
// (OpaqueNetworkSummary); host, the hosts the network reaches (CARP016).
var opaqueNetworkProps = types.PropertySpec{Type: "OpaqueNetwork", PathSet: []string{"name", "summary", "host"}}

// nsxBackingOf returns the segment of an NSX port group, nil for a port
// group vCenter created.
func nsxBackingOf(cfg types.DVPortgroupConfigInfo) *inventory.NSXBacking {
	if cfg.BackingType != string(types.DistributedVirtualPortgroupBackingTypeNsx) {
		return nil
	}
	return &inventory.NSXBacking{SegmentPath: cfg.SegmentId, LogicalSwitchUUID: cfg.LogicalSwitchUuid}
}

// decodeOpaqueNIC fills a NIC on an opaque network: its segment; the
// network's name comes with the opaque networks (nameOpaqueNICs). It is
// not on a standard port group of its host.
func decodeOpaqueNIC(nic *inventory.NIC, b *types.VirtualEthernetCardOpaqueNetworkBackingInfo) {
	nic.HostID = ""
	nic.Opaque = &inventory.NSXBacking{LogicalSwitchUUID: b.OpaqueNetworkId}
}

func decodeOpaqueNetwork(o types.ObjectContent, snap *Snapshot) error {
	var on mo.OpaqueNetwork
	if err := mo.LoadObjectContent([]types.ObjectContent{o}, &on); err != nil {
		return fmt.Errorf("reading opaque network %s: %w", o.Obj.Value, err)
	}
	out := inventory.OpaqueNetwork{ID: on.Self.Value, Name: on.Name}
	if s, ok := on.Summary.(*types.OpaqueNetworkSummary); ok {
		out.Type = s.OpaqueNetworkType
		out.NSX.LogicalSwitchUUID = s.OpaqueNetworkId
	}
	for _, h := range on.Host {
		out.HostIDs = append(out.HostIDs, h.Value)
	}
	sort.Strings(out.HostIDs)
	snap.OpaqueNetworks = append(snap.OpaqueNetworks, out)
	return nil
}

// nameOpaqueNICs names the opaque network of each NIC on one (the backing
// gives the logical switch only), and sorts the opaque networks by id.
func nameOpaqueNICs(snap *Snapshot) {
	sort.Slice(snap.OpaqueNetworks, func(i, j int) bool { return snap.OpaqueNetworks[i].ID < snap.OpaqueNetworks[j].ID })
	for i := range snap.VMs {
		for j := range snap.VMs[i].NICs {
			n := &snap.VMs[i].NICs[j]
			if n.Opaque == nil {
				continue
			}
			if o := snap.FindOpaqueNetwork(n.Opaque.LogicalSwitchUUID); o != nil {
				n.Network = o.Name
			}
		}
	}
}
