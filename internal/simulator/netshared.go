package simulator

// Port groups are per host: the datacenter's Network object named X is
// shared by every host with a port group X and removed with the last one
// (hostNetworkSystem).

import (
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// network returns the datacenter's standard Network object of that name.
func (h *hostNetworkSystem) network(ctx *gosim.Context, name string) (mo.Entity, *gosim.Folder) {
	host := h.host()
	if host == nil {
		return nil, nil
	}
	h.srv.netMu.Lock()
	hi := h.srv.hosts[host.Self.Value]
	h.srv.netMu.Unlock()
	if hi == nil {
		return nil, nil
	}
	folder, _ := ctx.Map.Get(hi.netFolder).(*gosim.Folder)
	if folder == nil {
		return nil, nil
	}
	var children []types.ManagedObjectReference
	ctx.WithLock(folder, func() { children = append(children, folder.ChildEntity...) })
	return ctx.Map.FindByName(name, children), folder
}

// joinNetwork adds the host to the shared Network object, creating it when
// this is the first host with a port group of that name.
func (h *hostNetworkSystem) joinNetwork(ctx *gosim.Context, name, vswitch string) types.BaseMethodFault {
	host := h.host()
	if host == nil {
		return &types.NotFound{}
	}
	obj, _ := h.network(ctx, name)
	if obj == nil {
		// Let vcsim create the Network entity (folder child, datacenter
		// network list), working on a scratch network info.
		saved := h.NetworkInfo
		h.NetworkInfo = &types.HostNetworkInfo{Vswitch: []types.HostVirtualSwitch{{Name: vswitch}}}
		res := h.HostNetworkSystem.AddPortGroup(ctx, &types.AddPortGroup{This: h.HostNetworkSystem.Self, Portgrp: types.HostPortGroupSpec{Name: name, VswitchName: vswitch}})
		h.NetworkInfo = saved
		if f := res.Fault(); f != nil {
			return f.VimFault().(types.BaseMethodFault)
		}
		obj, _ = h.network(ctx, name)
		if obj == nil {
			return &types.NotFound{}
		}
	}
	n, ok := obj.(*mo.Network)
	if !ok {
		return &types.DuplicateName{Name: name, Object: obj.Reference()}
	}
	ctx.WithLock(n, func() {
		if !hasRef(n.Host, host.Self) {
			hosts := append(append([]types.ManagedObjectReference(nil), n.Host...), host.Self)
			ctx.Update(n, []types.PropertyChange{{Name: "host", Val: hosts}})
		}
	})
	ctx.WithLock(host, func() {
		if !hasRef(host.Network, n.Self) {
			nets := append(append([]types.ManagedObjectReference(nil), host.Network...), n.Self)
			ctx.Update(host, []types.PropertyChange{{Name: "network", Val: nets}})
		}
	})
	return nil
}

// leaveNetwork removes the host from the shared Network object and removes
// the object when no host has a port group of that name any more.
func (h *hostNetworkSystem) leaveNetwork(ctx *gosim.Context, name string) {
	host := h.host()
	obj, _ := h.network(ctx, name)
	n, ok := obj.(*mo.Network)
	if host == nil || !ok {
		return
	}
	ctx.WithLock(host, func() {
		ctx.Update(host, []types.PropertyChange{{Name: "network", Val: withoutRef(host.Network, n.Self)}})
	})
	var left int
	ctx.WithLock(n, func() {
		hosts := withoutRef(n.Host, host.Self)
		left = len(hosts)
		ctx.Update(n, []types.PropertyChange{{Name: "host", Val: hosts}})
	})
	if left == 0 {
		saved := h.NetworkInfo
		h.NetworkInfo = &types.HostNetworkInfo{Vswitch: []types.HostVirtualSwitch{{Name: "scratch", Portgroup: []string{name}}}}
		h.HostNetworkSystem.RemovePortGroup(ctx, &types.RemovePortGroup{This: h.HostNetworkSystem.Self, PgName: name})
		h.NetworkInfo = saved
	}
}

func hasRef(l []types.ManagedObjectReference, r types.ManagedObjectReference) bool {
	for _, x := range l {
		if x == r {
			return true
		}
	}
	return false
}

func withoutRef(l []types.ManagedObjectReference, r types.ManagedObjectReference) []types.ManagedObjectReference {
	out := []types.ManagedObjectReference{}
	for _, x := range l {
		if x != r {
			out = append(out, x)
		}
	}
	return out
}

// inUse tells whether a VM on this host is connected to the named network.
func (h *hostNetworkSystem) inUse(ctx *gosim.Context, name string) bool {
	host := h.host()
	obj, _ := h.network(ctx, name)
	if host == nil || obj == nil {
		return false
	}
	var vms []types.ManagedObjectReference
	ctx.WithLock(host, func() { vms = append(vms, host.Vm...) })
	for _, ref := range vms {
		vm, ok := ctx.Map.Get(ref).(*gosim.VirtualMachine)
		if !ok {
			continue
		}
		used := false
		ctx.WithLock(vm, func() { used = hasRef(vm.Network, obj.Reference()) })
		if used {
			return true
		}
	}
	return false
}
