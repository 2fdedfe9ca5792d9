package simulator

// The policies of standard switches and port groups (hostNetworkSystem):
// ESXi's defaults, the computed policy of a port group, the teaming checks,
// and the shape ESXi stores a port group's policy in.

import "github.com/vmware/govmomi/vim25/types"

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
	pg = orEmpty(pg)
	out := types.HostNetworkPolicy{}
	out.Security = computedSecurity(pg.Security, sw.Security)
	out.NicTeaming = computedTeaming(pg.NicTeaming, sw.NicTeaming)
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

// orEmpty is p, or a new zero value when p is nil.
func orEmpty[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// pick is the port group's value a when set, else the switch's value b,
// else false; always a fresh pointer.
func pick(a, b *bool) *bool {
	if a != nil {
		return types.NewBool(*a)
	}
	if b != nil {
		return types.NewBool(*b)
	}
	return types.NewBool(false)
}

// computedSecurity resolves the port group's security policy ps over the
// switch's ss (computedPolicy).
func computedSecurity(ps, ss *types.HostNetworkSecurityPolicy) *types.HostNetworkSecurityPolicy {
	ps, ss = orEmpty(ps), orEmpty(ss)
	return &types.HostNetworkSecurityPolicy{
		AllowPromiscuous: pick(ps.AllowPromiscuous, ss.AllowPromiscuous),
		MacChanges:       pick(ps.MacChanges, ss.MacChanges),
		ForgedTransmits:  pick(ps.ForgedTransmits, ss.ForgedTransmits),
	}
}

// computedTeaming resolves the port group's teaming policy pt over the
// switch's st (computedPolicy): the NIC order is taken whole.
func computedTeaming(pt, st *types.HostNicTeamingPolicy) *types.HostNicTeamingPolicy {
	pt, st = orEmpty(pt), orEmpty(st)
	t := &types.HostNicTeamingPolicy{
		Policy:         pt.Policy,
		ReversePolicy:  pick(pt.ReversePolicy, st.ReversePolicy),
		NotifySwitches: pick(pt.NotifySwitches, st.NotifySwitches),
		RollingOrder:   pick(pt.RollingOrder, st.RollingOrder),
	}
	if t.Policy == "" {
		t.Policy = st.Policy
	}
	t.FailureCriteria = computedFailure(pt.FailureCriteria, st.FailureCriteria)
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
	return t
}

// computedFailure resolves the port group's failure criteria pf over the
// switch's sf (computedTeaming).
func computedFailure(pf, sf *types.HostNicFailureCriteria) *types.HostNicFailureCriteria {
	pf, sf = orEmpty(pf), orEmpty(sf)
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
	return fc
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
