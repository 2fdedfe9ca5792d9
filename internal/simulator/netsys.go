package simulator

import (
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// hostInfo is what the server remembers about a host it built.
type hostInfo struct {
	ref       types.ManagedObjectReference
	name      string
	netFolder types.ManagedObjectReference // the datacenter's network folder
}

// hostNetworkSystem overrides the stock vcsim HostNetworkSystem:
//
//   - AddVirtualSwitch keeps the whole spec (bridge, policy, numPorts, mtu)
//     and fills the ESXi defaults into the switch policy (see
//     switchPolicyDefaults for the values and why);
//   - UpdateVirtualSwitch and UpdatePortGroup exist; UpdateVirtualSwitch
//     without a policy keeps the switch's policy (HostVirtualSwitchSpec.policy,
//     vSphere API reference: "If the policy property is not set and you are
//     updating a virtual switch, then the policy will be unchanged");
//   - the teaming of a switch or port group is validated: an unknown
//     load-balancing policy, or a NIC order naming a NIC the vSwitch does
//     not bridge, is InvalidArgument (ESXi: "A specified parameter was not
//     correct", community.vmware#1432). The reference lists the policies
//     (HostNicTeamingPolicy.policy) but not the fault; InvalidArgument with
//     the property path is what ESXi's message is the text of;
//   - a port group's spec.policy is stored in the shape ESXi reports: the
//     nested security, nicTeaming (with failureCriteria), offloadPolicy and
//     shapingPolicy objects are present with every field unset when the
//     port group inherits them (the "VM Network" port group of the ESXi
//     snapshot in govmomi simulator/esx/host_config_info.go);
//   - port groups are per host: the datacenter's Network object named X is
//     shared by every host with a port group X and removed with the last one;
//   - HostSystem.config.network and networkInfo are the same, immutable
//     value, replaced (copy on write) on every change, with computedPolicy,
//     vSwitch.portgroup/pnic keys recomputed.
//
// This file answers the calls; the policies are computed and checked in
// netpolicy.go, the shared Network objects kept in netshared.go.
type hostNetworkSystem struct {
	*gosim.HostNetworkSystem
	Self types.ManagedObjectReference // alias, see alias.go
	srv  *Server
}

func (h *hostNetworkSystem) Reference() types.ManagedObjectReference { return h.Self }

const (
	keyVSwitch   = "key-vim.host.VirtualSwitch-"
	keyPortGroup = "key-vim.host.PortGroup-"
	keyPnic      = "key-vim.host.PhysicalNic-"
)

func fault(f types.BaseMethodFault) *soap.Fault { return gosim.Fault("", f) }

// cloneInfo copies the parts of a HostNetworkInfo this file changes. The
// elements are copied by value; slices inside them are replaced, never
// changed in place.
func cloneInfo(in *types.HostNetworkInfo) *types.HostNetworkInfo {
	out := new(types.HostNetworkInfo)
	if in != nil {
		*out = *in
	}
	out.Vswitch = append([]types.HostVirtualSwitch(nil), out.Vswitch...)
	out.Portgroup = append([]types.HostPortGroup(nil), out.Portgroup...)
	out.Pnic = append([]types.PhysicalNic(nil), out.Pnic...)
	return out
}

func findVSwitch(info *types.HostNetworkInfo, name string) int {
	for i := range info.Vswitch {
		if info.Vswitch[i].Name == name {
			return i
		}
	}
	return -1
}

func findPortGroup(info *types.HostNetworkInfo, name string) int {
	for i := range info.Portgroup {
		if info.Portgroup[i].Spec.Name == name {
			return i
		}
	}
	return -1
}

func (h *hostNetworkSystem) host() *gosim.HostSystem {
	return h.srv.hostOfNetSys(h.HostNetworkSystem.Self)
}

func (s *Server) hostOfNetSys(ns types.ManagedObjectReference) *gosim.HostSystem {
	s.netMu.Lock()
	id := s.nsHost[ns.Value]
	s.netMu.Unlock()
	obj := s.model.Map().Get(types.ManagedObjectReference{Type: "HostSystem", Value: id})
	h, _ := obj.(*gosim.HostSystem)
	return h
}

// publish replaces networkInfo and host.config.network with info.
func (h *hostNetworkSystem) publish(ctx *gosim.Context, info *types.HostNetworkInfo) {
	recompute(info)
	h.NetworkInfo = info
	ctx.Update(h.HostNetworkSystem, []types.PropertyChange{{Name: "networkInfo", Val: info}})
	if host := h.host(); host != nil {
		ctx.WithLock(host, func() {
			host.Config.Network = info
			ctx.Update(host, []types.PropertyChange{{Name: "config.network", Val: info}})
		})
	}
}

func (h *hostNetworkSystem) validateBridge(info *types.HostNetworkInfo, self string, spec types.HostVirtualSwitchSpec) types.BaseMethodFault {
	for _, n := range bridgeNics(spec) {
		found := false
		for _, p := range info.Pnic {
			if p.Device == n {
				found = true
			}
		}
		if !found {
			return &types.NotFound{}
		}
		for _, vs := range info.Vswitch {
			if vs.Name == self {
				continue
			}
			for _, m := range bridgeNics(vs.Spec) {
				if m == n {
					return &types.ResourceInUse{Type: "PhysicalNic", Name: n}
				}
			}
		}
	}
	return nil
}

func (h *hostNetworkSystem) AddVirtualSwitch(ctx *gosim.Context, req *types.AddVirtualSwitch) (res soap.HasFault) {
	ctx.WithLock(h.HostNetworkSystem, func() { res = h.addVirtualSwitch(ctx, req) })
	return res
}

func (h *hostNetworkSystem) addVirtualSwitch(ctx *gosim.Context, req *types.AddVirtualSwitch) soap.HasFault {
	body := &methods.AddVirtualSwitchBody{}
	info := cloneInfo(h.NetworkInfo)
	if req.VswitchName == "" {
		body.Fault_ = fault(&types.InvalidArgument{InvalidProperty: "vswitchName"})
		return body
	}
	if findVSwitch(info, req.VswitchName) >= 0 {
		body.Fault_ = fault(&types.AlreadyExists{Name: req.VswitchName})
		return body
	}
	var spec types.HostVirtualSwitchSpec
	if req.Spec != nil {
		spec = *req.Spec
	}
	if f := h.validateBridge(info, req.VswitchName, spec); f != nil {
		body.Fault_ = fault(f)
		return body
	}
	if spec.Policy != nil {
		if f := validateTeaming(spec.Policy.NicTeaming, bridgeNics(spec), "spec.policy"); f != nil {
			body.Fault_ = fault(f)
			return body
		}
	}
	info.Vswitch = append(info.Vswitch, newVSwitch(req.VswitchName, spec))
	h.publish(ctx, info)
	body.Res = &types.AddVirtualSwitchResponse{}
	return body
}

func (h *hostNetworkSystem) UpdateVirtualSwitch(ctx *gosim.Context, req *types.UpdateVirtualSwitch) (res soap.HasFault) {
	ctx.WithLock(h.HostNetworkSystem, func() { res = h.updateVirtualSwitch(ctx, req) })
	return res
}

func (h *hostNetworkSystem) updateVirtualSwitch(ctx *gosim.Context, req *types.UpdateVirtualSwitch) soap.HasFault {
	body := &methods.UpdateVirtualSwitchBody{}
	info := cloneInfo(h.NetworkInfo)
	i := findVSwitch(info, req.VswitchName)
	if i < 0 {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	if f := h.validateBridge(info, req.VswitchName, req.Spec); f != nil {
		body.Fault_ = fault(f)
		return body
	}
	spec := req.Spec
	if spec.Policy == nil {
		// unset on update: the policy is unchanged (HostVirtualSwitchSpec.policy)
		spec.Policy = info.Vswitch[i].Spec.Policy
	}
	if f := validateTeaming(spec.Policy.NicTeaming, bridgeNics(spec), "spec.policy"); f != nil {
		body.Fault_ = fault(f)
		return body
	}
	info.Vswitch[i] = newVSwitch(req.VswitchName, spec)
	h.publish(ctx, info)
	body.Res = &types.UpdateVirtualSwitchResponse{}
	return body
}

func (h *hostNetworkSystem) RemoveVirtualSwitch(ctx *gosim.Context, req *types.RemoveVirtualSwitch) (res soap.HasFault) {
	ctx.WithLock(h.HostNetworkSystem, func() { res = h.removeVirtualSwitch(ctx, req) })
	return res
}

func (h *hostNetworkSystem) removeVirtualSwitch(ctx *gosim.Context, req *types.RemoveVirtualSwitch) soap.HasFault {
	body := &methods.RemoveVirtualSwitchBody{}
	info := cloneInfo(h.NetworkInfo)
	i := findVSwitch(info, req.VswitchName)
	if i < 0 {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	var keep []types.HostPortGroup
	for _, pg := range info.Portgroup {
		if pg.Spec.VswitchName == req.VswitchName {
			h.leaveNetwork(ctx, pg.Spec.Name)
			continue
		}
		keep = append(keep, pg)
	}
	info.Portgroup = keep
	info.Vswitch = append(info.Vswitch[:i:i], info.Vswitch[i+1:]...)
	h.publish(ctx, info)
	body.Res = &types.RemoveVirtualSwitchResponse{}
	return body
}

func (h *hostNetworkSystem) AddPortGroup(ctx *gosim.Context, req *types.AddPortGroup) (res soap.HasFault) {
	ctx.WithLock(h.HostNetworkSystem, func() { res = h.addPortGroup(ctx, req) })
	return res
}

func (h *hostNetworkSystem) addPortGroup(ctx *gosim.Context, req *types.AddPortGroup) soap.HasFault {
	body := &methods.AddPortGroupBody{}
	spec := req.Portgrp
	if spec.Name == "" {
		body.Fault_ = fault(&types.InvalidArgument{InvalidProperty: "portgrp.name"})
		return body
	}
	if spec.VlanId < 0 || spec.VlanId > 4095 {
		body.Fault_ = fault(&types.InvalidArgument{InvalidProperty: "portgrp.vlanId"})
		return body
	}
	info := cloneInfo(h.NetworkInfo)
	if findVSwitch(info, spec.VswitchName) < 0 {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	if findPortGroup(info, spec.Name) >= 0 {
		body.Fault_ = fault(&types.AlreadyExists{Name: spec.Name})
		return body
	}
	if f := validateTeaming(spec.Policy.NicTeaming, bridgeNics(info.Vswitch[findVSwitch(info, spec.VswitchName)].Spec), "portgrp.policy"); f != nil {
		body.Fault_ = fault(f)
		return body
	}
	if f := h.joinNetwork(ctx, spec.Name, spec.VswitchName); f != nil {
		body.Fault_ = fault(f)
		return body
	}
	spec.Policy = inheritShape(spec.Policy)
	info.Portgroup = append(info.Portgroup, types.HostPortGroup{Spec: spec})
	h.publish(ctx, info)
	body.Res = &types.AddPortGroupResponse{}
	return body
}

func (h *hostNetworkSystem) UpdatePortGroup(ctx *gosim.Context, req *types.UpdatePortGroup) (res soap.HasFault) {
	ctx.WithLock(h.HostNetworkSystem, func() { res = h.updatePortGroup(ctx, req) })
	return res
}

func (h *hostNetworkSystem) updatePortGroup(ctx *gosim.Context, req *types.UpdatePortGroup) soap.HasFault {
	body := &methods.UpdatePortGroupBody{}
	info := cloneInfo(h.NetworkInfo)
	i := findPortGroup(info, req.PgName)
	if i < 0 {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	spec := req.Portgrp
	if spec.Name == "" {
		spec.Name = req.PgName
	}
	if spec.VlanId < 0 || spec.VlanId > 4095 {
		body.Fault_ = fault(&types.InvalidArgument{InvalidProperty: "portgrp.vlanId"})
		return body
	}
	vs := findVSwitch(info, spec.VswitchName)
	if vs < 0 {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	if f := validateTeaming(spec.Policy.NicTeaming, bridgeNics(info.Vswitch[vs].Spec), "portgrp.policy"); f != nil {
		body.Fault_ = fault(f)
		return body
	}
	if spec.Name != req.PgName {
		if findPortGroup(info, spec.Name) >= 0 {
			body.Fault_ = fault(&types.AlreadyExists{Name: spec.Name})
			return body
		}
		if f := h.joinNetwork(ctx, spec.Name, spec.VswitchName); f != nil {
			body.Fault_ = fault(f)
			return body
		}
		h.leaveNetwork(ctx, req.PgName)
	}
	pg := info.Portgroup[i]
	spec.Policy = inheritShape(spec.Policy)
	pg.Spec = spec
	info.Portgroup[i] = pg
	h.publish(ctx, info)
	body.Res = &types.UpdatePortGroupResponse{}
	return body
}

func (h *hostNetworkSystem) RemovePortGroup(ctx *gosim.Context, req *types.RemovePortGroup) (res soap.HasFault) {
	ctx.WithLock(h.HostNetworkSystem, func() { res = h.removePortGroup(ctx, req) })
	return res
}

func (h *hostNetworkSystem) removePortGroup(ctx *gosim.Context, req *types.RemovePortGroup) soap.HasFault {
	body := &methods.RemovePortGroupBody{}
	info := cloneInfo(h.NetworkInfo)
	i := findPortGroup(info, req.PgName)
	if i < 0 {
		body.Fault_ = fault(&types.NotFound{})
		return body
	}
	if h.inUse(ctx, req.PgName) {
		// ESXi refuses to remove a port group with connected VMs
		body.Fault_ = fault(&types.ResourceInUse{Type: "Network", Name: req.PgName})
		return body
	}
	info.Portgroup = append(info.Portgroup[:i:i], info.Portgroup[i+1:]...)
	h.leaveNetwork(ctx, req.PgName)
	h.publish(ctx, info)
	body.Res = &types.RemovePortGroupResponse{}
	return body
}
