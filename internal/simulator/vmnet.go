package simulator

import (
	"slices"
	"sort"
	"strconv"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// vmTracker is a vcsim Registry handler that keeps, from each VM's NICs
// (every change of config.hardware.device, whichever method made it:
// CreateVM, ReconfigVM, Clone, Relocate/vMotion with a device change, and
// the VM's removal):
//
//   - Network.vm and DistributedVirtualPortgroup.vm: "the virtual machines
//     using this network" (vSphere API reference, Network.vm), which stock
//     vcsim never fills. A VM stays on the list whatever its power state,
//     as on vCenter: the list follows the NICs' backings, not the power;
//   - the port key of a NIC on a static (earlyBinding) DV port group: a NIC
//     connecting without one gets a free port of the port group, and a
//     port group with autoExpand set grows by one port when none is free
//     (vSphere API reference, DistributedVirtualPortgroup: "the Server will
//     create a port according to config.type"; DVPortgroupConfigSpec.
//     autoExpand; DistributedVirtualPortgroupPortgroupType earlyBinding:
//     "a free DistributedVirtualPort will be selected and assigned to a
//     VirtualMachine when the virtual machine is reconfigured to connect to
//     the portgroup"). A port group without autoExpand and without a free
//     port leaves the NIC without a port (vCenter fails the reconfigure;
//     the handler runs after vcsim has applied it and cannot);
//   - the connectee of every DV port a NIC is on (see dvports.go).
//
// The handler runs inside the task that changed the VM, with the VM locked,
// so a client that waited for the task reads the new state.
type vmTracker struct {
	Self types.ManagedObjectReference
	srv  *Server
}

func (t *vmTracker) Reference() types.ManagedObjectReference { return t.Self }

func (t *vmTracker) PutObject(ctx *gosim.Context, obj mo.Reference) {
	if vm := asVM(obj); vm != nil && vm.Config != nil {
		t.srv.trackVM(ctx, vm)
	}
}

func (t *vmTracker) UpdateObject(ctx *gosim.Context, obj mo.Reference, changes []types.PropertyChange) {
	vm := asVM(obj)
	if vm == nil || vm.Self.Value == "" {
		return
	}
	for _, c := range changes {
		if c.Name == "config.hardware.device" {
			t.srv.trackVM(ctx, vm)
			return
		}
	}
}

func (t *vmTracker) RemoveObject(ctx *gosim.Context, ref types.ManagedObjectReference) {
	if ref.Type == "VirtualMachine" {
		t.srv.untrackVM(ctx, ref)
	}
}

func asVM(obj mo.Reference) *mo.VirtualMachine {
	switch v := obj.(type) {
	case *mo.VirtualMachine:
		return v
	case *gosim.VirtualMachine:
		return &v.VirtualMachine
	}
	return nil
}

// vmUse is what the tracker last recorded for a VM.
type vmUse struct {
	nets  []types.ManagedObjectReference
	ports []portRef
}

type portRef struct{ dvs, key string }

// trackVM records the networks and DV ports of vm's NICs, assigning ports on
// static port groups, and updates Network.vm and the port connectees.
func (s *Server) trackVM(ctx *gosim.Context, vm *mo.VirtualMachine) {
	var nets []types.ManagedObjectReference
	var ports []portRef
	var conns []*types.DistributedVirtualSwitchPortConnectee
	for _, d := range vm.Config.Hardware.Device {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		nic := card.GetVirtualEthernetCard()
		switch b := nic.Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			if b.Network != nil && !hasRef(nets, *b.Network) {
				nets = append(nets, *b.Network)
			}
		case *types.VirtualEthernetCardOpaqueNetworkBackingInfo:
			// Network.vm of an opaque network, as of any network
			if id := s.id("opaque-ls", b.OpaqueNetworkId); id != "" {
				if ref := (types.ManagedObjectReference{Type: "OpaqueNetwork", Value: id}); !hasRef(nets, ref) {
					nets = append(nets, ref)
				}
			}
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			pgRef := types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: b.Port.PortgroupKey}
			pg, ok := ctx.Map.Get(pgRef).(*gosim.DistributedVirtualPortgroup)
			if !ok {
				continue
			}
			if !hasRef(nets, pgRef) {
				nets = append(nets, pgRef)
			}
			if pg.Config.DistributedVirtualSwitch == nil {
				continue
			}
			dvs := pg.Config.DistributedVirtualSwitch.Value
			if b.Port.PortKey == "" && pg.Config.Type == string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding) {
				b.Port.PortKey = s.assignPort(ctx, pg, dvs, vm.Self, ports)
			}
			if b.Port.PortKey != "" {
				ports = append(ports, portRef{dvs, b.Port.PortKey})
				conns = append(conns, &types.DistributedVirtualSwitchPortConnectee{
					ConnectedEntity: &types.ManagedObjectReference{Type: vm.Self.Type, Value: vm.Self.Value},
					NicKey:          strconv.Itoa(int(nic.Key)),
					Type:            string(types.DistributedVirtualSwitchPortConnecteeConnecteeTypeVmVnic),
				})
			}
		}
	}
	s.netMu.Lock()
	old := s.vmUse[vm.Self.Value]
	s.netMu.Unlock()
	reset := s.resetAtDisconnect(ctx, old.ports, ports)
	s.netMu.Lock()
	s.vmUse[vm.Self.Value] = vmUse{nets: nets, ports: ports}
	s.disconnect(vm.Self, old.ports, reset)
	for i, p := range ports {
		s.ensurePort(p).Connectee = conns[i]
	}
	s.netMu.Unlock()
	s.moveVM(ctx, vm.Self, old.nets, nets)
}

func (s *Server) untrackVM(ctx *gosim.Context, ref types.ManagedObjectReference) {
	s.netMu.Lock()
	old := s.vmUse[ref.Value]
	s.netMu.Unlock()
	reset := s.resetAtDisconnect(ctx, old.ports, nil)
	s.netMu.Lock()
	delete(s.vmUse, ref.Value)
	s.disconnect(ref, old.ports, reset)
	s.netMu.Unlock()
	s.moveVM(ctx, ref, old.nets, nil)
}

// moveVM takes vm off the vm list of the networks in from and puts it on
// those in to.
func (s *Server) moveVM(ctx *gosim.Context, vm types.ManagedObjectReference, from, to []types.ManagedObjectReference) {
	for _, n := range from {
		if !hasRef(to, n) {
			s.setNetworkVM(ctx, n, vm, false)
		}
	}
	for _, n := range to {
		if !hasRef(from, n) {
			s.setNetworkVM(ctx, n, vm, true)
		}
	}
}

func (s *Server) setNetworkVM(ctx *gosim.Context, net, vm types.ManagedObjectReference, on bool) {
	obj := ctx.Map.Get(net)
	var list *[]types.ManagedObjectReference
	switch n := obj.(type) {
	case *mo.Network:
		list = &n.Vm
	case *gosim.DistributedVirtualPortgroup:
		list = &n.Vm
	case *mo.OpaqueNetwork:
		list = &n.Vm
	default:
		return
	}
	ctx.WithLock(obj, func() {
		next := withoutRef(*list, vm)
		if on {
			next = append(next, vm)
		}
		sort.Slice(next, func(i, j int) bool { return next[i].Value < next[j].Value })
		ctx.Update(obj, []types.PropertyChange{{Name: "vm", Val: next}})
	})
}

// assignPort returns a free port key of the static port group pg, adding a
// port when the port group auto-expands; "" when none is free.
// taken are the ports this VM's earlier NICs took in this pass.
func (s *Server) assignPort(ctx *gosim.Context, pg *gosim.DistributedVirtualPortgroup, dvs string, vm types.ManagedObjectReference, taken []portRef) string {
	var key string
	ctx.WithLock(pg, func() {
		s.netMu.Lock()
		defer s.netMu.Unlock()
		free := func(k string) bool {
			for _, t := range taken {
				if t == (portRef{dvs, k}) {
					return false
				}
			}
			st := s.port(portRef{dvs, k})
			return st == nil || st.Connectee == nil || *st.Connectee.ConnectedEntity == vm
		}
		for _, k := range pg.PortKeys {
			if free(k) {
				key = k
				return
			}
		}
		if pg.Config.AutoExpand == nil || !*pg.Config.AutoExpand {
			return
		}
		key = s.nextPortKey(ctx, dvs)
		keys := append(append([]string(nil), pg.PortKeys...), key)
		cfg := pg.Config
		cfg.NumPorts = int32(len(keys))
		ctx.Update(pg, []types.PropertyChange{{Name: "portKeys", Val: keys}, {Name: "config", Val: cfg}})
	})
	return key
}

// nextPortKey is one more than the largest numeric port key of the switch
// (vCenter numbers the ports of a switch from 0). netMu is held.
func (s *Server) nextPortKey(ctx *gosim.Context, dvs string) string {
	max := -1
	sw, ok := ctx.Map.Get(types.ManagedObjectReference{Type: vcsimDVSType, Value: dvs}).(*gosim.DistributedVirtualSwitch)
	if !ok {
		return ""
	}
	for _, ref := range sw.Portgroup {
		if pg, ok := ctx.Map.Get(ref).(*gosim.DistributedVirtualPortgroup); ok {
			for _, k := range pg.PortKeys {
				if n, err := strconv.Atoi(k); err == nil && n > max {
					max = n
				}
			}
		}
	}
	for k := range s.ports[dvs] {
		if n, err := strconv.Atoi(k); err == nil && n > max {
			max = n
		}
	}
	return strconv.Itoa(max + 1)
}

// disconnect frees the ports of vm, and drops the own setting of those in
// reset. netMu is held.
func (s *Server) disconnect(vm types.ManagedObjectReference, ports []portRef, reset map[portRef]bool) {
	for _, p := range ports {
		st := s.port(p)
		if st == nil || st.Connectee == nil || *st.Connectee.ConnectedEntity != vm {
			continue
		}
		st.Connectee = nil
		if reset[p] && st.Setting != nil {
			st.Setting, st.ConfigVersion = nil, bumpVersion(st.ConfigVersion)
		}
	}
}

// resetAtDisconnect returns the ports of old, not in still, whose port
// group has portConfigResetAtDisconnect: "If true, reset the port network
// setting back to the portgroup setting (thus removing the per-port
// setting) when the port is disconnected from the connectee" (vSphere API
// reference, DVPortgroupPolicy). netMu is not held (port groups are locked
// here, as assignPort does, before netMu).
func (s *Server) resetAtDisconnect(ctx *gosim.Context, old, still []portRef) map[portRef]bool {
	out := map[portRef]bool{}
	for _, p := range old {
		if slices.Contains(still, p) {
			continue
		}
		sw, ok := ctx.Map.Get(types.ManagedObjectReference{Type: vcsimDVSType, Value: p.dvs}).(*gosim.DistributedVirtualSwitch)
		if !ok {
			continue
		}
		for _, ref := range sw.Portgroup {
			pg, ok := ctx.Map.Get(ref).(*gosim.DistributedVirtualPortgroup)
			if !ok {
				continue
			}
			ctx.WithLock(pg, func() {
				if slices.Contains(pg.PortKeys, p.key) && pg.Config.Policy != nil {
					out[p] = pg.Config.Policy.GetDVPortgroupPolicy().PortConfigResetAtDisconnect
				}
			})
		}
	}
	return out
}
