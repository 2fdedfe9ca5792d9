package vsphere

// Decoding of what RetrievePropertiesEx returns into plain inventory values:
// hosts (standard switches, port groups, advanced options), DV port groups
// with their inheritance resolved against their switch, switches and VMs.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func decodeHost(o types.ObjectContent, snap *Snapshot) (inventory.Host, hostRefs, map[string]*OptionValue, error) {
	h := inventory.Host{ID: o.Obj.Value}
	var refs hostRefs
	opts := map[string]*OptionValue{}
	defs := map[string]types.OptionDef{}
	for _, p := range o.PropSet {
		switch {
		case p.Name == "name":
			h.Name, _ = p.Val.(string)
		case p.Name == "runtime.connectionState":
			switch v := p.Val.(type) {
			case types.HostSystemConnectionState:
				h.Connection = string(v)
			case string:
				h.Connection = v
			}
		case p.Name == "config.network.vswitch":
			if a, ok := p.Val.(types.ArrayOfHostVirtualSwitch); ok {
				for _, vs := range a.HostVirtualSwitch {
					h.VSwitches = append(h.VSwitches, decodeVSwitch(vs))
					snap.vsSpecs[h.ID+":"+vs.Name] = vs.Spec
				}
			}
		case p.Name == "config.network.portgroup":
			if a, ok := p.Val.(types.ArrayOfHostPortGroup); ok {
				for _, pg := range a.HostPortGroup {
					h.PortGroups = append(h.PortGroups, decodePortGroup(pg))
					snap.pgSpecs[h.ID+":"+pg.Spec.Name] = pg.Spec
				}
			}
		case p.Name == "configManager.networkSystem":
			if r, ok := p.Val.(types.ManagedObjectReference); ok {
				refs.NetworkSystem = r
			}
		case p.Name == "configManager.advancedOption":
			if r, ok := p.Val.(types.ManagedObjectReference); ok {
				refs.AdvancedOption = r
			}
		case strings.HasPrefix(p.Name, "config.option["):
			if ov := optionValueOf(p.Val); ov != nil {
				opts[ov.Key] = &OptionValue{Key: ov.Key, Value: ov.Value}
			}
		case strings.HasPrefix(p.Name, "config.optionDef["):
			if d, ok := p.Val.(types.OptionDef); ok {
				defs[d.Key] = d
			}
		}
	}
	for k, d := range defs {
		ov := opts[k]
		if ov == nil {
			ov = &OptionValue{Key: k}
			opts[k] = ov
		}
		describeOption(ov, d)
	}
	if ov := opts[inventory.OptionRPFKey]; ov != nil && ov.Value != nil {
		if n, ok := asInt64(ov.Value); ok {
			h.RPFCheckPromisc = &n
		}
	}
	return h, refs, opts, nil
}

func optionValueOf(v any) *types.OptionValue {
	switch x := v.(type) {
	case types.OptionValue:
		return &x
	case *types.OptionValue:
		return x
	case types.BaseOptionValue:
		return x.GetOptionValue()
	}
	return nil
}

func describeOption(ov *OptionValue, d types.OptionDef) {
	switch t := d.OptionType.(type) {
	case *types.LongOption:
		ov.Type, ov.Min, ov.Max = "long", &t.Min, &t.Max
	case *types.IntOption:
		lo, hi := int64(t.Min), int64(t.Max)
		ov.Type, ov.Min, ov.Max = "int", &lo, &hi
	case *types.BoolOption:
		ov.Type = "bool"
	case *types.StringOption:
		ov.Type = "string"
	case *types.FloatOption:
		ov.Type = "float"
	case *types.ChoiceOption:
		ov.Type = "choice"
		for _, c := range t.ChoiceInfo {
			ov.Choices = append(ov.Choices, c.GetElementDescription().Key)
		}
	}
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint8:
		return int64(n), true
	}
	return 0, false
}

func decodeSecurity(p *types.HostNetworkSecurityPolicy) inventory.Security {
	if p == nil {
		return inventory.Security{}
	}
	return inventory.Security{AllowPromiscuous: inventory.Clone(p.AllowPromiscuous), MacChanges: inventory.Clone(p.MacChanges), ForgedTransmits: inventory.Clone(p.ForgedTransmits)}
}

func decodeTeaming(t *types.HostNicTeamingPolicy) inventory.Teaming {
	if t == nil {
		return inventory.Teaming{}
	}
	out := inventory.Teaming{NotifySwitches: inventory.Clone(t.NotifySwitches), RollingOrder: inventory.Clone(t.RollingOrder)}
	if t.Policy != "" {
		p := t.Policy
		out.Policy = &p
	}
	if t.FailureCriteria != nil {
		out.CheckBeacon = inventory.Clone(t.FailureCriteria.CheckBeacon)
	}
	if t.NicOrder != nil {
		out.Order = &inventory.UplinkOrder{Active: append([]string{}, t.NicOrder.ActiveNic...), Standby: append([]string{}, t.NicOrder.StandbyNic...)}
	}
	return out
}

func decodeVSwitch(vs types.HostVirtualSwitch) inventory.VSwitch {
	out := inventory.VSwitch{Name: vs.Name}
	if b, ok := vs.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
		out.Uplinks = append(out.Uplinks, b.NicDevice...)
	} else {
		for _, k := range vs.Pnic {
			out.Uplinks = append(out.Uplinks, k[strings.LastIndex(k, "-")+1:])
		}
	}
	if p := vs.Spec.Policy; p != nil {
		out.Security = decodeSecurity(p.Security)
		out.Teaming = decodeTeaming(p.NicTeaming)
	}
	return out
}

func decodePortGroup(pg types.HostPortGroup) inventory.PortGroup {
	out := inventory.PortGroup{Name: pg.Spec.Name, VSwitch: pg.Spec.VswitchName, VLAN: inventory.StandardVLAN(pg.Spec.VlanId)}
	out.Security = decodeSecurity(pg.Spec.Policy.Security)
	out.Teaming = decodeTeaming(pg.Spec.Policy.NicTeaming)
	out.Effective = effectiveFromHost(pg.ComputedPolicy)
	return out
}

func effectiveFromHost(p types.HostNetworkPolicy) inventory.Effective {
	var e inventory.Effective
	if s := p.Security; s != nil {
		e.AllowPromiscuous = deref(s.AllowPromiscuous)
		e.MacChanges = deref(s.MacChanges)
		e.ForgedTransmits = deref(s.ForgedTransmits)
	}
	if t := p.NicTeaming; t != nil {
		e.LoadBalancing = t.Policy
		e.NotifySwitches = deref(t.NotifySwitches)
		e.Failback = !deref(t.RollingOrder)
		if t.FailureCriteria != nil {
			e.BeaconProbing = deref(t.FailureCriteria.CheckBeacon)
		}
		if t.NicOrder != nil {
			e.ActiveUplinks = append([]string{}, t.NicOrder.ActiveNic...)
			e.StandbyUplinks = append([]string{}, t.NicOrder.StandbyNic...)
		}
	}
	return e
}

func deref(b *bool) bool { return b != nil && *b }

// decodeDVPortGroupOwn reads the port group's own settings; inheritance is
// resolved once the switch is read.
func decodeDVPortGroupOwn(pg mo.DistributedVirtualPortgroup) inventory.DVPortGroup {
	out := inventory.DVPortGroup{ID: pg.Self.Value, Name: pg.Name}
	if pg.Config.DistributedVirtualSwitch != nil {
		out.SwitchID = pg.Config.DistributedVirtualSwitch.Value
	}
	out.Overrides = decodeOverrides(pg.Config.Policy)
	out.NSX = nsxBackingOf(pg.Config)
	s, ok := pg.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if !ok || s == nil {
		return out
	}
	out.Security = ownSecurity(s)
	if s.MacManagementPolicy != nil {
		// resolved against the switch's in resolveDVPortGroup
		legacy := legacySecurity(s.SecurityPolicy)
		out.Legacy = &legacy
	}
	out.Teaming = ownTeaming(s.UplinkTeamingPolicy)
	out.VLAN = decodeVLAN(s.Vlan)
	out.MacLearning = ownMacLearning(s.MacManagementPolicy)
	return out
}

// ownMacLearning is a MAC management policy's own MAC learning policy; nil
// when it (or the whole MAC management policy) is inherited.
func ownMacLearning(m *types.DVSMacManagementPolicy) *inventory.MacLearning {
	if m == nil || m.Inherited || m.MacLearningPolicy == nil || m.MacLearningPolicy.Inherited {
		return nil
	}
	return decodeMacLearning(m.MacLearningPolicy)
}

func decodeMacLearning(l *types.DVSMacLearningPolicy) *inventory.MacLearning {
	ml := &inventory.MacLearning{Enabled: l.Enabled, AllowUnicastFlooding: deref(l.AllowUnicastFlooding), LimitPolicy: strings.ToLower(l.LimitPolicy)}
	if l.Limit != nil {
		ml.Limit = *l.Limit
	}
	return ml
}

// decodeVLAN reads a DV port setting's VLAN spec: one id, trunk ranges or
// a private VLAN (VmwareDistributedVirtualSwitchVlanSpec's subtypes).
func decodeVLAN(v types.BaseVmwareDistributedVirtualSwitchVlanSpec) inventory.VLAN {
	switch x := v.(type) {
	case *types.VmwareDistributedVirtualSwitchVlanIdSpec:
		return inventory.SingleVLAN(x.VlanId)
	case *types.VmwareDistributedVirtualSwitchTrunkVlanSpec:
		rs := make([]inventory.VLANRange, len(x.VlanId))
		for i, r := range x.VlanId {
			rs[i] = inventory.VLANRange{Start: r.Start, End: r.End}
		}
		return inventory.TrunkVLAN(rs)
	case *types.VmwareDistributedVirtualSwitchPvlanSpec:
		return inventory.PrivateVLAN(x.PvlanId)
	}
	return inventory.VLAN{Kind: inventory.VLANNone}
}

// ownSecurity returns the fields the port setting sets itself (nil =
// inherited), from the policy the host applies: on a switch of 6.6.0 or
// later, whose port settings carry a MAC management policy, that policy
// (the vSphere API reference deprecates VMwareDVSPortSetting.securityPolicy
// as of API 6.7.1 for macManagementPolicy); below, the legacy security
// policy.
func ownSecurity(s *types.VMwareDVSPortSetting) inventory.Security {
	if m := s.MacManagementPolicy; m != nil {
		if m.Inherited {
			return inventory.Security{}
		}
		return inventory.Security{AllowPromiscuous: inventory.Clone(m.AllowPromiscuous), MacChanges: inventory.Clone(m.MacChanges), ForgedTransmits: inventory.Clone(m.ForgedTransmits)}
	}
	return legacySecurity(s.SecurityPolicy)
}

// legacySecurity is a DVSSecurityPolicy's own values (nil = inherited).
func legacySecurity(sp *types.DVSSecurityPolicy) inventory.Security {
	if sp == nil {
		return inventory.Security{}
	}
	return inventory.Security{AllowPromiscuous: boolPolicy(sp.AllowPromiscuous), MacChanges: boolPolicy(sp.MacChanges), ForgedTransmits: boolPolicy(sp.ForgedTransmits)}
}

func boolPolicy(p *types.BoolPolicy) *bool {
	if p == nil || p.Inherited || p.Value == nil {
		return nil
	}
	return inventory.Clone(p.Value)
}

func ownTeaming(t *types.VmwareUplinkPortTeamingPolicy) inventory.Teaming {
	var out inventory.Teaming
	if t == nil {
		return out
	}
	if t.Policy != nil && !t.Policy.Inherited && t.Policy.Value != "" {
		v := t.Policy.Value
		out.Policy = &v
	}
	out.NotifySwitches = boolPolicy(t.NotifySwitches)
	out.RollingOrder = boolPolicy(t.RollingOrder)
	if t.FailureCriteria != nil {
		out.CheckBeacon = boolPolicy(t.FailureCriteria.CheckBeacon)
	}
	if o := t.UplinkPortOrder; o != nil && !o.Inherited {
		out.Order = &inventory.UplinkOrder{Active: append([]string{}, o.ActiveUplinkPort...), Standby: append([]string{}, o.StandbyUplinkPort...)}
	}
	return out
}

// resolveDVPortGroup computes the effective policy: the port group's own
// values over the switch's default port config.
func resolveDVPortGroup(pg *inventory.DVPortGroup, dvs *mo.DistributedVirtualSwitch) {
	var sw switchDefaults
	if dvs != nil {
		if cfg, ok := dvs.Config.(*types.VMwareDVSConfigInfo); ok {
			if s, ok := cfg.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && s != nil {
				sw = switchDefaultsOf(s)
			}
		}
	}
	e := inventory.Effective{
		AllowPromiscuous: pick(pg.Security.AllowPromiscuous, sw.sec.AllowPromiscuous),
		MacChanges:       pick(pg.Security.MacChanges, sw.sec.MacChanges),
		ForgedTransmits:  pick(pg.Security.ForgedTransmits, sw.sec.ForgedTransmits),
		NotifySwitches:   pick(pg.Teaming.NotifySwitches, sw.team.NotifySwitches),
		Failback:         !pick(pg.Teaming.RollingOrder, sw.team.RollingOrder),
		BeaconProbing:    pick(pg.Teaming.CheckBeacon, sw.team.CheckBeacon),
		MacLearning:      inventory.Clone(pg.MacLearning),
	}
	if e.MacLearning == nil {
		e.MacLearning = inventory.Clone(sw.ml)
	}
	switch {
	case pg.Teaming.Policy != nil:
		e.LoadBalancing = *pg.Teaming.Policy
	case sw.team.Policy != nil:
		e.LoadBalancing = *sw.team.Policy
	default:
		e.LoadBalancing = inventory.LBSrcID
	}
	order := pg.Teaming.Order
	if order == nil {
		order = sw.team.Order
	}
	if order != nil {
		e.ActiveUplinks = append([]string{}, order.Active...)
		e.StandbyUplinks = append([]string{}, order.Standby...)
	}
	pg.Effective = e
	if pg.Legacy != nil {
		own := *pg.Legacy
		pg.Legacy = &inventory.Security{
			AllowPromiscuous: inventory.Ptr(pick(own.AllowPromiscuous, sw.legacy.AllowPromiscuous)),
			MacChanges:       inventory.Ptr(pick(own.MacChanges, sw.legacy.MacChanges)),
			ForgedTransmits:  inventory.Ptr(pick(own.ForgedTransmits, sw.legacy.ForgedTransmits)),
		}
	}
}

// pick is the own value when set, else the inherited one (false when
// neither is).
func pick(own, inherited *bool) bool {
	if own != nil {
		return *own
	}
	return deref(inherited)
}

// switchDefaults is what a switch's default port setting gives the port
// groups that inherit: the security the host applies, the legacy security
// policy, the teaming and the MAC learning policy.
type switchDefaults struct {
	sec, legacy inventory.Security
	team        inventory.Teaming
	ml          *inventory.MacLearning
}

// switchDefaultsOf reads a switch's default port config, where every value
// is explicit.
func switchDefaultsOf(s *types.VMwareDVSPortSetting) switchDefaults {
	d := switchDefaults{legacy: legacySecurity(s.SecurityPolicy), team: ownTeaming(s.UplinkTeamingPolicy)}
	d.sec = d.legacy
	if m := s.MacManagementPolicy; m != nil {
		d.sec = inventory.Security{AllowPromiscuous: inventory.Clone(m.AllowPromiscuous), MacChanges: inventory.Clone(m.MacChanges), ForgedTransmits: inventory.Clone(m.ForgedTransmits)}
		if m.MacLearningPolicy != nil {
			d.ml = decodeMacLearning(m.MacLearningPolicy)
		}
	}
	return d
}

func decodeDVS(dvs mo.DistributedVirtualSwitch) inventory.DVSwitch {
	out := inventory.DVSwitch{ID: dvs.Self.Value, Name: dvs.Name}
	for _, h := range dvs.Summary.HostMember {
		out.HostIDs = append(out.HostIDs, h.Value)
	}
	sort.Strings(out.HostIDs)
	if dvs.Config == nil {
		return out
	}
	base := dvs.Config.GetDVSConfigInfo()
	out.Version = base.ProductInfo.Version
	if p, ok := base.UplinkPortPolicy.(*types.DVSNameArrayUplinkPortPolicy); ok {
		out.Uplinks = append(out.Uplinks, p.UplinkPortName...)
	}
	if cfg, ok := dvs.Config.(*types.VMwareDVSConfigInfo); ok {
		for _, s := range cfg.VspanSession {
			out.Mirroring = append(out.Mirroring, inventory.MirrorSession{Key: s.Key, Name: s.Name, Enabled: s.Enabled})
		}
		out.LACPVersion = cfg.LacpApiVersion
		for _, g := range cfg.LacpGroupConfig {
			out.LAGs = append(out.LAGs, inventory.LAG{Key: g.Key, Name: g.Name, Mode: g.Mode, Uplinks: int(g.UplinkNum), Algorithm: g.LoadbalanceAlgorithm})
		}
	}
	return out
}

var nicTypes = map[string]string{
	"VirtualVmxnet3":           "vmxnet3",
	"VirtualVmxnet3Vrdma":      "vmxnet3",
	"VirtualE1000":             "e1000",
	"VirtualE1000e":            "e1000e",
	"VirtualPCNet32":           "pcnet32",
	"VirtualVmxnet":            "vmxnet",
	"VirtualVmxnet2":           "vmxnet2",
	"VirtualSriovEthernetCard": "sriov",
}

func decodeVM(vm mo.VirtualMachine) inventory.VM {
	out := inventory.VM{ID: vm.Self.Value, Name: vm.Name}
	host := ""
	if vm.Runtime.Host != nil {
		host = vm.Runtime.Host.Value
	}
	out.HostID = host
	if vm.Config == nil {
		return out
	}
	for _, d := range vm.Config.Hardware.Device {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		typeName := fmt.Sprintf("%T", d)
		typeName = typeName[strings.LastIndex(typeName, ".")+1:]
		nic := inventory.NIC{Type: nicTypes[typeName], HostID: host}
		if nic.Type == "" {
			nic.Type = strings.ToLower(strings.TrimPrefix(typeName, "Virtual"))
		}
		dev := card.GetVirtualEthernetCard()
		if dev.DeviceInfo != nil {
			nic.Label = dev.DeviceInfo.GetDescription().Label
		}
		switch b := dev.Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			nic.Network = b.DeviceName
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			nic.DVPortGroupID = b.Port.PortgroupKey
			nic.PortKey = b.Port.PortKey
			nic.HostID = ""
		case *types.VirtualEthernetCardOpaqueNetworkBackingInfo:
			decodeOpaqueNIC(&nic, b)
		}
		nic.ExternalID = dev.ExternalId
		out.NICs = append(out.NICs, nic)
	}
	return out
}

func sortSnapshot(s *inventory.Snapshot) {
	sort.Slice(s.Hosts, func(i, j int) bool { return s.Hosts[i].ID < s.Hosts[j].ID })
	sort.Slice(s.DVSwitches, func(i, j int) bool { return s.DVSwitches[i].ID < s.DVSwitches[j].ID })
	sort.Slice(s.DVPortGroups, func(i, j int) bool { return s.DVPortGroups[i].ID < s.DVPortGroups[j].ID })
	sort.Slice(s.VMs, func(i, j int) bool { return s.VMs[i].ID < s.VMs[j].ID })
	sort.Slice(s.Clusters, func(i, j int) bool { return s.Clusters[i].ID < s.Clusters[j].ID })
	sort.Slice(s.DVPorts, func(i, j int) bool {
		a, b := s.DVPorts[i], s.DVPorts[j]
		return a.SwitchID < b.SwitchID || (a.SwitchID == b.SwitchID && a.Key < b.Key)
	})
}
