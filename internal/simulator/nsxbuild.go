package simulator

import (
	"fmt"

	"github.com/google/uuid"
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// NSXScenario is the NSX Manager's state beyond the segments the vCenter
// scenario names: profiles of its own (NSX's defaults always exist, see
// nsxdefaults.go) and the profiles segments bind.
type NSXScenario struct {
	MacDiscovery []inventory.MacDiscoveryProfile
	SpoofGuard   []inventory.SpoofGuardProfile
	IPDiscovery  []inventory.IPDiscoveryProfile
	// SegmentProfiles are the profile paths bound to a segment, by segment
	// id ("fw-nsx"); a segment not listed binds none (NSX's defaults).
	SegmentProfiles map[string]inventory.NSXProfiles
}

// OpaqueNetwork is an NSX segment as N-VDS hosts show it: an OpaqueNetwork
// (summary.opaqueNetworkId the segment's logical switch, opaqueNetworkType
// "nsx.LogicalSwitch") reaching the named hosts.
type OpaqueNetwork struct {
	Name       string
	NSXSegment string // segment id
	HostNames  []string
}

const nsxLogicalSwitch = "nsx.LogicalSwitch"

func segmentPath(id string) string { return "/infra/segments/" + id }

// needsNSX: the scenario has an NSX segment or NSX state.
func needsNSX(sc Scenario) bool {
	if sc.NSX != nil {
		return true
	}
	for _, dc := range sc.Datacenters {
		if len(dc.OpaqueNetworks) > 0 {
			return true
		}
		for _, sw := range dc.DVSwitches {
			for _, pg := range sw.PortGroups {
				if pg.NSXSegment != "" {
					return true
				}
			}
		}
	}
	return false
}

// buildNSX creates the scenario's segments (each with its logical switch
// UUID, the segment's unique_id, which vCenter shows as the NSX port
// group's logicalSwitchUuid or the opaque network's opaqueNetworkId), its
// profiles and segment bindings.
func (m *NSXManager) buildNSX(sc Scenario) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, dc := range sc.Datacenters {
		for _, on := range dc.OpaqueNetworks {
			m.putSegment(on.NSXSegment)
		}
		for _, sw := range dc.DVSwitches {
			for _, pg := range sw.PortGroups {
				if pg.NSXSegment != "" {
					m.putSegment(pg.NSXSegment)
				}
			}
		}
	}
	if sc.NSX == nil {
		return
	}
	for _, p := range sc.NSX.MacDiscovery {
		m.objects[p.Path] = macDiscoveryObject(p, false)
	}
	for _, p := range sc.NSX.SpoofGuard {
		m.objects[p.Path] = spoofGuardObject(p, false)
	}
	for _, p := range sc.NSX.IPDiscovery {
		m.objects[p.Path] = ipDiscoveryObject(p, false)
	}
	for id, b := range sc.NSX.SegmentProfiles {
		m.bind(segmentPath(id), b, false)
	}
}

// putSegment creates segment id once. m.mu is held.
func (m *NSXManager) putSegment(id string) {
	if _, ok := m.segmentUUID[id]; ok {
		return
	}
	o := policyBase("Segment", segmentPath(id), id, false)
	m.segmentUUID[id] = o["unique_id"].(string)
	o["admin_state"] = "UP"
	o["replication_mode"] = "MTEP"
	o["transport_zone_path"] = "/infra/sites/default/enforcement-points/default/transport-zones/1b3a2f36-bfd1-443e-a0f6-4de01abc963e"
	m.objects[o["path"].(string)] = o
}

// bind writes the binding maps of a segment or a port (their "default"
// maps): SegmentDiscoveryProfileBindingMap and
// SegmentSecurityProfileBindingMap under a segment,
// PortDiscoveryProfileBindingMap and PortSecurityProfileBindingMap under a
// port. A profile left "" is not in the map; a map with none is removed.
// m.mu is held.
func (m *NSXManager) bind(parent string, b inventory.NSXProfiles, port bool) {
	kinds := [2]struct{ kind, coll string }{{"SegmentDiscoveryProfileBindingMap", "segment-discovery-profile-binding-maps"},
		{"SegmentSecurityProfileBindingMap", "segment-security-profile-binding-maps"}}
	if port {
		kinds = [2]struct{ kind, coll string }{{"PortDiscoveryProfileBindingMap", "port-discovery-profile-binding-maps"},
			{"PortSecurityProfileBindingMap", "port-security-profile-binding-maps"}}
	}
	fields := [2]map[string]string{
		{"mac_discovery_profile_path": b.MacDiscovery, "ip_discovery_profile_path": b.IPDiscovery},
		{"spoofguard_profile_path": b.SpoofGuard},
	}
	for i, k := range kinds {
		p := parent + "/" + k.coll + "/default"
		o := policyBase(k.kind, p, "default", false)
		set := false
		for f, v := range fields[i] {
			if v != "" {
				o[f] = v
				set = true
			}
		}
		if set {
			m.objects[p] = o
		} else {
			delete(m.objects, p)
		}
	}
}

// addPort creates the segment port NSX makes for a NIC it attaches: id
// "default:<uuid>" (as NSX names the ports it creates for VMs,
// vmware/terraform-provider-nsxt#1930), display name
// "<vm>/<vm>.vmx@<transport node>" (the format the vSphere cloud provider
// searches ports by), attachment id the VIF's, which NSX also sets as the
// vNIC's externalId (VirtualEthernetCard.externalId: "an ID assigned to
// the virtual network adapter by external management plane or
// controller"). It returns the VIF attachment id.
func (m *NSXManager) addPort(segID, vm, label, hostUUID string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	vif := uuid.NewString()
	p := segmentPath(segID) + "/ports/default:" + uuid.NewString()
	o := policyBase("SegmentPort", p, fmt.Sprintf("%s/%s.vmx@%s", vm, vm, hostUUID), false)
	o["attachment"] = map[string]any{"id": vif, "traffic_tag": 0}
	o["address_bindings"] = []any{}
	o["admin_state"] = "UP"
	m.objects[p] = o
	m.ports[nicKey{vm, label}] = p
	return vif
}

// nsxSpec makes a port group spec the NSX port group of segment id:
// backing type nsx with the segment's logical switch and policy path
// (vcsim's own NSX port groups have segmentId "/infra/segments/vnet_<uuid>",
// govmomi simulator/dvs.go), and ephemeral: "For NSX backing type, We only
// support ephemeral portgroup type" (vSphere API reference,
// DistributedVirtualPortgroupBackingType).
func (s *Server) nsxSpec(spec *types.DVPortgroupConfigSpec, segID string) {
	if segID == "" || s.nsx == nil {
		return
	}
	s.nsx.mu.Lock()
	defer s.nsx.mu.Unlock()
	spec.BackingType = string(types.DistributedVirtualPortgroupBackingTypeNsx)
	spec.LogicalSwitchUuid = s.nsx.segmentUUID[segID]
	spec.SegmentId = segmentPath(segID)
	spec.Type = string(types.DistributedVirtualPortgroupPortgroupTypeEphemeral)
	spec.NumPorts = 0
	spec.AutoExpand = nil
}

// buildOpaqueNetworks adds the datacenter's opaque networks (vCenter has
// no method to: govmomi's Folder.AddOpaqueNetwork), each listing the hosts
// it reaches (Network.host) and listed by them (HostSystem.network) and by
// the datacenter (Datacenter.network: "a collection of references to the
// network objects in this datacenter", which vcsim fills for networks, DV
// switches and port groups only).
func (s *Server) buildOpaqueNetworks(ctx *gosim.Context, dcRef, netFolder types.ManagedObjectReference, ons []OpaqueNetwork, hosts map[string]*builtHost) error {
	f := s.model.Map().Get(netFolder).(*gosim.Folder)
	dc := s.model.Map().Get(dcRef).(*gosim.Datacenter)
	for _, on := range ons {
		s.nsx.mu.Lock()
		ls := s.nsx.segmentUUID[on.NSXSegment]
		s.nsx.mu.Unlock()
		sum := types.OpaqueNetworkSummary{NetworkSummary: types.NetworkSummary{Name: on.Name}, OpaqueNetworkId: ls, OpaqueNetworkType: nsxLogicalSwitch}
		if err := f.AddOpaqueNetwork(ctx, sum); err != nil {
			return fmt.Errorf("opaque network %s: %w", on.Name, err)
		}
		ref := s.findNetworkByName(ctx, &netFolder, on.Name)
		if ref == nil {
			return fmt.Errorf("opaque network %s not found after creation", on.Name)
		}
		ctx.WithLock(dc, func() { dc.Network = append(dc.Network, *ref) })
		s.setID("opaque", on.Name, ref.Value)
		s.setID("opaque-ls", ls, ref.Value)
		net := s.model.Map().Get(*ref).(*mo.OpaqueNetwork)
		for _, hn := range on.HostNames {
			h := hosts[hn]
			if h == nil {
				return fmt.Errorf("opaque network %s: unknown host %q", on.Name, hn)
			}
			ctx.WithLock(net, func() { net.Host = append(net.Host, h.ref) })
			hs := s.model.Map().Get(h.ref).(*gosim.HostSystem)
			ctx.WithLock(hs, func() { hs.Network = append(hs.Network, *ref) })
		}
	}
	return nil
}

// OpaqueNetworkID returns the moref value of the named opaque network.
func (s *Server) OpaqueNetworkID(name string) string { return s.id("opaque", name) }

// attachNSX attaches the scenario's NICs on NSX segments as NSX does: a
// segment port each, its VIF id as the vNIC's externalId, and on an opaque
// network the backing vCenter shows for N-VDS
// (VirtualEthernetCardOpaqueNetworkBackingInfo: opaqueNetworkId, type
// nsx.LogicalSwitch). vcsim connects such a NIC by the network's name
// (and its own CreateVM turns an opaque backing into an NSX port group's,
// the VDS 7 case, or fails); the backing is set here directly.
func (s *Server) attachNSX(sc Scenario) {
	seg, opaque := map[string]string{}, map[string]bool{}
	for _, dc := range sc.Datacenters {
		for _, on := range dc.OpaqueNetworks {
			seg[on.Name], opaque[on.Name] = on.NSXSegment, true
		}
		for _, sw := range dc.DVSwitches {
			for _, pg := range sw.PortGroups {
				if pg.NSXSegment != "" {
					seg[pg.Name] = pg.NSXSegment
				}
			}
		}
	}
	ctx := &gosim.Context{Context: s.ictx, Map: s.model.Map()}
	for _, vm := range sc.VMs {
		o, ok := s.model.Map().Get(types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID(vm.Name)}).(*gosim.VirtualMachine)
		if !ok {
			continue
		}
		ctx.WithLock(o, func() {
			host := s.HostID(vm.Host)
			changed := false
			for _, d := range o.Config.Hardware.Device {
				card, ok := d.(types.BaseVirtualEthernetCard)
				if !ok {
					continue
				}
				c := card.GetVirtualEthernetCard()
				label := c.DeviceInfo.GetDescription().Label
				var idx int
				if _, err := fmt.Sscanf(label, "Network adapter %d", &idx); err != nil || idx < 1 || idx > len(vm.NICs) {
					continue
				}
				network := vm.NICs[idx-1].Network
				segID := seg[network]
				if segID == "" {
					continue
				}
				c.ExternalId = s.nsx.addPort(segID, vm.Name, label, host)
				if opaque[network] {
					s.nsx.mu.Lock()
					c.Backing = &types.VirtualEthernetCardOpaqueNetworkBackingInfo{OpaqueNetworkId: s.nsx.segmentUUID[segID], OpaqueNetworkType: nsxLogicalSwitch}
					s.nsx.mu.Unlock()
				}
				changed = true
			}
			if changed {
				ctx.Update(o, []types.PropertyChange{{Name: "config.hardware.device", Val: o.Config.Hardware.Device}})
			}
		})
	}
}

// nsxReconfigureFault is what ReconfigureDVPortgroup_Task answers on an
// NSX port group. The port group belongs to NSX ("nsx: The portgroup is
// created by NSX manager", DistributedVirtualPortgroupBackingType), which
// changes it through vCenter's NSX port group operations (their result,
// DistributedVirtualPortgroupNsxPortgroupOperationResult, "defines the
// result of NSX port group operations, including create, reconfigure and
// delete"); the vSphere Client offers no edit of it. No public source
// shows the fault vCenter gives a user's reconfigure; the simulator
// answers NotSupported, the fault ReconfigureDVPortgroup_Task declares
// for "settings for any VDS feature that is not supported", and changes
// nothing. The provider never sends one: CARP022 fails the plan first.
func nsxReconfigureFault(cfg types.DVPortgroupConfigInfo) types.BaseMethodFault {
	if cfg.BackingType == string(types.DistributedVirtualPortgroupBackingTypeNsx) {
		return &types.NotSupported{}
	}
	return nil
}
