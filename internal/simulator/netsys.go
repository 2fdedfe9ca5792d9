package simulator

import (
	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
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

func bridgeNics(spec types.HostVirtualSwitchSpec) []string {
	switch b := spec.Bridge.(type) {
	case *types.HostVirtualSwitchBondBridge:
		return append([]string(nil), b.NicDevice...)
	case *types.HostVirtualSwitchSimpleBridge:
		return []string{b.NicDevice}
	}
	return nil
}

// switchPolicyDefaults returns p with every unset field set to the ESXi
// default. The reference (HostVirtualSwitchSpec.policy) says only "a default
// policy property setting is used", without the values, so they are taken
// from vSwitch0 of the ESXi snapshot (govmomi simulator/esx/
// host_config_info.go): promiscuous mode Reject, MAC address changes and
// forged transmits Accept, loadbalance_srcid, notify switches, failback
// (rollingOrder=false), link status only (checkSpeed minimum, 10), every
// bridged NIC active, offloads on, shaping off.
func switchPolicyDefaults(p *types.HostNetworkPolicy, nics []string) *types.HostNetworkPolicy {
	out := new(types.HostNetworkPolicy)
	if p != nil {
		*out = *p
	}
	sec := new(types.HostNetworkSecurityPolicy)
	if out.Security != nil {
		*sec = *out.Security
	}
	if sec.AllowPromiscuous == nil {
		sec.AllowPromiscuous = types.NewBool(false)
	}
	if sec.MacChanges == nil {
		sec.MacChanges = types.NewBool(true)
	}
	if sec.ForgedTransmits == nil {
		sec.ForgedTransmits = types.NewBool(true)
	}
	out.Security = sec

	t := new(types.HostNicTeamingPolicy)
	if out.NicTeaming != nil {
		*t = *out.NicTeaming
	}
	if t.Policy == "" {
		t.Policy = "loadbalance_srcid"
	}
	if t.ReversePolicy == nil {
		t.ReversePolicy = types.NewBool(true)
	}
	if t.NotifySwitches == nil {
		t.NotifySwitches = types.NewBool(true)
	}
	if t.RollingOrder == nil {
		t.RollingOrder = types.NewBool(false)
	}
	fc := &types.HostNicFailureCriteria{CheckSpeed: "minimum", Speed: 10}
	if t.FailureCriteria != nil {
		*fc = *t.FailureCriteria
	}
	for _, b := range []**bool{&fc.CheckDuplex, &fc.FullDuplex, &fc.CheckErrorPercent, &fc.CheckBeacon} {
		if *b == nil {
			*b = types.NewBool(false)
		}
	}
	t.FailureCriteria = fc
	if t.NicOrder == nil {
		t.NicOrder = &types.HostNicOrderPolicy{ActiveNic: append([]string(nil), nics...)}
	}
	out.NicTeaming = t
	if out.OffloadPolicy == nil {
		out.OffloadPolicy = &types.HostNetOffloadCapabilities{
			CsumOffload: types.NewBool(true), TcpSegmentation: types.NewBool(true), ZeroCopyXmit: types.NewBool(true),
		}
	}
	if out.ShapingPolicy == nil {
		out.ShapingPolicy = &types.HostNetworkTrafficShapingPolicy{Enabled: types.NewBool(false)}
	}
	return out
}

// computedPolicy resolves a port group policy over its switch policy, field
// by field; the NIC order is taken whole when the port group sets it.
func computedPolicy(pg, sw *types.HostNetworkPolicy) types.HostNetworkPolicy {
	if sw == nil {
		sw = switchPolicyDefaults(nil, nil)
	}
	if pg == nil {
		pg = &types.HostNetworkPolicy{}
	}
	pick := func(a, b *bool) *bool {
		if a != nil {
			return types.NewBool(*a)
		}
		if b != nil {
			return types.NewBool(*b)
		}
		return types.NewBool(false)
	}
	out := types.HostNetworkPolicy{}
	ps, ss := pg.Security, sw.Security
	if ps == nil {
		ps = &types.HostNetworkSecurityPolicy{}
	}
	if ss == nil {
		ss = &types.HostNetworkSecurityPolicy{}
	}
	out.Security = &types.HostNetworkSecurityPolicy{
		AllowPromiscuous: pick(ps.AllowPromiscuous, ss.AllowPromiscuous),
		MacChanges:       pick(ps.MacChanges, ss.MacChanges),
		ForgedTransmits:  pick(ps.ForgedTransmits, ss.ForgedTransmits),
	}
	pt, st := pg.NicTeaming, sw.NicTeaming
	if pt == nil {
		pt = &types.HostNicTeamingPolicy{}
	}
	if st == nil {
		st = &types.HostNicTeamingPolicy{}
	}
	t := &types.HostNicTeamingPolicy{
		Policy:         pt.Policy,
		ReversePolicy:  pick(pt.ReversePolicy, st.ReversePolicy),
		NotifySwitches: pick(pt.NotifySwitches, st.NotifySwitches),
		RollingOrder:   pick(pt.RollingOrder, st.RollingOrder),
	}
	if t.Policy == "" {
		t.Policy = st.Policy
	}
	pf, sf := pt.FailureCriteria, st.FailureCriteria
	if pf == nil {
		pf = &types.HostNicFailureCriteria{}
	}
	if sf == nil {
		sf = &types.HostNicFailureCriteria{}
	}
	fc := &types.HostNicFailureCriteria{
		CheckSpeed:        pf.CheckSpeed,
		Speed:             pf.Speed,
		CheckDuplex:       pick(pf.CheckDuplex, sf.CheckDuplex),
		FullDuplex:        pick(pf.FullDuplex, sf.FullDuplex),
		CheckErrorPercent: pick(pf.CheckErrorPercent, sf.CheckErrorPercent),
		Percentage:        pf.Percentage,
		CheckBeacon:       pick(pf.CheckBeacon, sf.CheckBeacon),
	}
	if fc.CheckSpeed == "" {
		fc.CheckSpeed, fc.Speed = sf.CheckSpeed, sf.Speed
	}
	if fc.Percentage == 0 {
		fc.Percentage = sf.Percentage
	}
	t.FailureCriteria = fc
	order := pt.NicOrder
	if order == nil {
		order = st.NicOrder
	}
	if order != nil {
		t.NicOrder = &types.HostNicOrderPolicy{
			ActiveNic:  append([]string(nil), order.ActiveNic...),
			StandbyNic: append([]string(nil), order.StandbyNic...),
		}
	}
	out.NicTeaming = t
	out.OffloadPolicy = pg.OffloadPolicy
	if out.OffloadPolicy == nil {
		out.OffloadPolicy = sw.OffloadPolicy
	}
	out.ShapingPolicy = pg.ShapingPolicy
	if out.ShapingPolicy == nil {
		out.ShapingPolicy = sw.ShapingPolicy
	}
	return out
}

// recompute derives the read-only fields from the specs.
func recompute(info *types.HostNetworkInfo) {
	for i := range info.Vswitch {
		vs := &info.Vswitch[i]
		vs.Key = keyVSwitch + vs.Name
		var pgs []string
		for _, pg := range info.Portgroup {
			if pg.Spec.VswitchName == vs.Name {
				pgs = append(pgs, keyPortGroup+pg.Spec.Name)
			}
		}
		vs.Portgroup = pgs
		var pnics []string
		for _, n := range bridgeNics(vs.Spec) {
			pnics = append(pnics, keyPnic+n)
		}
		vs.Pnic = pnics
	}
	for i := range info.Portgroup {
		pg := &info.Portgroup[i]
		pg.Key = keyPortGroup + pg.Spec.Name
		var sw *types.HostVirtualSwitch
		for j := range info.Vswitch {
			if info.Vswitch[j].Name == pg.Spec.VswitchName {
				sw = &info.Vswitch[j]
			}
		}
		var swPolicy *types.HostNetworkPolicy
		if sw != nil {
			pg.Vswitch = sw.Key
			swPolicy = sw.Spec.Policy
		}
		pg.ComputedPolicy = computedPolicy(&pg.Spec.Policy, swPolicy)
	}
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

// teamingPolicies are the values of HostNicTeamingPolicy.policy (vSphere
// API reference, HostNicTeamingPolicy).
var teamingPolicies = map[string]bool{
	"": true, "loadbalance_ip": true, "loadbalance_srcmac": true, "loadbalance_srcid": true, "failover_explicit": true,
}

// validateTeaming checks a teaming policy against the NICs the vSwitch
// bridges: InvalidArgument for an unknown policy or a NIC order naming a NIC
// that is not bridged (ESXi: "A specified parameter was not correct",
// community.vmware#1432).
func validateTeaming(t *types.HostNicTeamingPolicy, bridged []string, prefix string) types.BaseMethodFault {
	if t == nil {
		return nil
	}
	if !teamingPolicies[t.Policy] {
		return &types.InvalidArgument{InvalidProperty: prefix + ".nicTeaming.policy"}
	}
	if t.NicOrder == nil {
		return nil
	}
	for _, n := range append(append([]string(nil), t.NicOrder.ActiveNic...), t.NicOrder.StandbyNic...) {
		found := false
		for _, b := range bridged {
			found = found || b == n
		}
		if !found {
			return &types.InvalidArgument{InvalidProperty: prefix + ".nicTeaming.nicOrder"}
		}
	}
	return nil
}

// inheritShape returns a port group policy in the shape ESXi stores and
// reports it: nested policy objects present, unset fields nil (the "VM
// Network" port group of govmomi simulator/esx/host_config_info.go).
func inheritShape(p types.HostNetworkPolicy) types.HostNetworkPolicy {
	if p.Security == nil {
		p.Security = &types.HostNetworkSecurityPolicy{}
	}
	if p.NicTeaming == nil {
		p.NicTeaming = &types.HostNicTeamingPolicy{}
	} else {
		t := *p.NicTeaming
		p.NicTeaming = &t
	}
	if p.NicTeaming.FailureCriteria == nil {
		p.NicTeaming.FailureCriteria = &types.HostNicFailureCriteria{}
	}
	if p.OffloadPolicy == nil {
		p.OffloadPolicy = &types.HostNetOffloadCapabilities{}
	}
	if p.ShapingPolicy == nil {
		p.ShapingPolicy = &types.HostNetworkTrafficShapingPolicy{}
	}
	return p
}

func newVSwitch(name string, spec types.HostVirtualSwitchSpec) types.HostVirtualSwitch {
	nics := bridgeNics(spec)
	spec.Policy = switchPolicyDefaults(spec.Policy, nics)
	if spec.NumPorts == 0 {
		spec.NumPorts = 128
	}
	mtu := spec.Mtu
	if mtu == 0 {
		mtu = 1500
	}
	return types.HostVirtualSwitch{
		Name:              name,
		NumPorts:          spec.NumPorts,
		NumPortsAvailable: spec.NumPorts - 8,
		Mtu:               mtu,
		Spec:              spec,
	}
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
