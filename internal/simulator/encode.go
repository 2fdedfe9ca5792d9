package simulator

// Scenario values (plain inventory policies) encoded as the vSphere specs
// the builder writes.

import (
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func hostSec(sec inventory.Security) *types.HostNetworkSecurityPolicy {
	return &types.HostNetworkSecurityPolicy{
		AllowPromiscuous: inventory.Clone(sec.AllowPromiscuous),
		MacChanges:       inventory.Clone(sec.MacChanges),
		ForgedTransmits:  inventory.Clone(sec.ForgedTransmits),
	}
}

func hostTeam(t inventory.Teaming) *types.HostNicTeamingPolicy {
	out := &types.HostNicTeamingPolicy{
		NotifySwitches: inventory.Clone(t.NotifySwitches),
		RollingOrder:   inventory.Clone(t.RollingOrder),
	}
	if t.Policy != nil {
		out.Policy = *t.Policy
	}
	if t.CheckBeacon != nil {
		out.FailureCriteria = &types.HostNicFailureCriteria{CheckBeacon: inventory.Clone(t.CheckBeacon)}
	}
	if t.Order != nil {
		out.NicOrder = &types.HostNicOrderPolicy{
			ActiveNic:  append([]string(nil), t.Order.Active...),
			StandbyNic: append([]string(nil), t.Order.Standby...),
		}
	}
	return out
}

func boolPolicy(b *bool, def bool, inheritable bool) *types.BoolPolicy {
	if b == nil {
		if inheritable {
			return &types.BoolPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
		}
		return &types.BoolPolicy{Value: types.NewBool(def)}
	}
	return &types.BoolPolicy{Value: types.NewBool(*b)}
}

// dvsSetting is a switch's default port setting (every field explicit) or,
// with pg, a port group's (unset fields inherited).
func dvsSetting(sec inventory.Security, team inventory.Teaming, uplinks []string, ml *inventory.MacLearning, macMgmt, pg bool) *types.VMwareDVSPortSetting {
	ps := &types.VMwareDVSPortSetting{}
	ps.SecurityPolicy = &types.DVSSecurityPolicy{
		InheritablePolicy: types.InheritablePolicy{Inherited: pg && sec.AllowPromiscuous == nil && sec.MacChanges == nil && sec.ForgedTransmits == nil},
		AllowPromiscuous:  boolPolicy(sec.AllowPromiscuous, false, pg),
		MacChanges:        boolPolicy(sec.MacChanges, false, pg),
		ForgedTransmits:   boolPolicy(sec.ForgedTransmits, false, pg),
	}
	ps.UplinkTeamingPolicy = dvsTeaming(team, uplinks, pg)
	ps.Vlan = &types.VmwareDistributedVirtualSwitchVlanIdSpec{VlanId: 0}
	ps.Blocked = boolPolicy(nil, false, pg)
	if macMgmt {
		ps.MacManagementPolicy = dvsMacManagement(sec, ml, ps.SecurityPolicy.Inherited, pg)
	}
	return ps
}

// dvsTeaming is the teaming policy of dvsSetting: a switch's is
// loadbalance_srcid with every uplink active unless the scenario says
// otherwise; a port group's inherits what the scenario leaves unset.
func dvsTeaming(team inventory.Teaming, uplinks []string, pg bool) *types.VmwareUplinkPortTeamingPolicy {
	policy := &types.StringPolicy{Value: inventory.LBSrcID}
	if team.Policy != nil {
		policy = &types.StringPolicy{Value: *team.Policy}
	} else if pg {
		policy = &types.StringPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	order := &types.VMwareUplinkPortOrderPolicy{ActiveUplinkPort: append([]string(nil), uplinks...)}
	if team.Order != nil {
		order = &types.VMwareUplinkPortOrderPolicy{
			ActiveUplinkPort:  append([]string(nil), team.Order.Active...),
			StandbyUplinkPort: append([]string(nil), team.Order.Standby...),
		}
	} else if pg {
		order = &types.VMwareUplinkPortOrderPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	teamInherited := pg && team.Policy == nil && team.NotifySwitches == nil && team.RollingOrder == nil && team.CheckBeacon == nil && team.Order == nil
	return &types.VmwareUplinkPortTeamingPolicy{
		InheritablePolicy: types.InheritablePolicy{Inherited: teamInherited},
		Policy:            policy,
		ReversePolicy:     boolPolicy(nil, true, pg),
		NotifySwitches:    boolPolicy(team.NotifySwitches, true, pg),
		RollingOrder:      boolPolicy(team.RollingOrder, false, pg),
		FailureCriteria: &types.DVSFailureCriteria{
			InheritablePolicy: types.InheritablePolicy{Inherited: pg && team.CheckBeacon == nil},
			CheckSpeed:        stringPolicy("minimum", pg),
			Speed:             intPolicy(10, pg),
			CheckDuplex:       boolPolicy(nil, false, pg),
			FullDuplex:        boolPolicy(nil, false, pg),
			CheckErrorPercent: boolPolicy(nil, false, pg),
			Percentage:        intPolicy(0, pg),
			CheckBeacon:       boolPolicy(team.CheckBeacon, false, pg),
		},
		UplinkPortOrder: order,
	}
}

// dvsMacManagement is the MAC management policy of dvsSetting (switches
// >= 6.6.0): the security booleans again, and MAC learning as the scenario
// gives it, else off on a switch and inherited on a port group;
// secInherited tells whether the setting's security policy is inherited.
func dvsMacManagement(sec inventory.Security, ml *inventory.MacLearning, secInherited, pg bool) *types.DVSMacManagementPolicy {
	resolved := func(b *bool) *bool {
		if b == nil {
			return nil // filled from the switch (macFollowsSecurity)
		}
		return types.NewBool(*b)
	}
	mm := &types.DVSMacManagementPolicy{
		InheritablePolicy: types.InheritablePolicy{Inherited: pg && ml == nil && secInherited},
		AllowPromiscuous:  resolved(sec.AllowPromiscuous),
		MacChanges:        resolved(sec.MacChanges),
		ForgedTransmits:   resolved(sec.ForgedTransmits),
	}
	if !pg {
		for _, b := range []**bool{&mm.AllowPromiscuous, &mm.MacChanges, &mm.ForgedTransmits} {
			if *b == nil {
				*b = types.NewBool(false)
			}
		}
	}
	if ml != nil {
		limit := ml.Limit
		lp := ml.LimitPolicy
		if lp == "" {
			lp = "drop"
		}
		mm.MacLearningPolicy = &types.DVSMacLearningPolicy{
			Enabled:              ml.Enabled,
			AllowUnicastFlooding: types.NewBool(ml.AllowUnicastFlooding),
			Limit:                &limit,
			LimitPolicy:          lp,
		}
	} else if pg {
		mm.MacLearningPolicy = &types.DVSMacLearningPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	} else {
		mm.MacLearningPolicy = &types.DVSMacLearningPolicy{Enabled: false, AllowUnicastFlooding: types.NewBool(true), Limit: types.NewInt32(4096), LimitPolicy: "drop"}
	}
	return mm
}

func stringPolicy(v string, inherited bool) *types.StringPolicy {
	return &types.StringPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: inherited}, Value: v}
}

func intPolicy(v int32, inherited bool) *types.IntPolicy {
	return &types.IntPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: inherited}, Value: v}
}

// encodeVLAN is a DV port group's VLAN spec: one id, trunk ranges or a
// private VLAN (VmwareDistributedVirtualSwitchVlanSpec's subtypes).
func encodeVLAN(v inventory.VLAN) types.BaseVmwareDistributedVirtualSwitchVlanSpec {
	switch v.Kind {
	case inventory.VLANTrunk:
		t := &types.VmwareDistributedVirtualSwitchTrunkVlanSpec{}
		for _, r := range v.Ranges {
			t.VlanId = append(t.VlanId, types.NumericRange{Start: r.Start, End: r.End})
		}
		return t
	case inventory.VLANPrivate:
		return &types.VmwareDistributedVirtualSwitchPvlanSpec{PvlanId: v.ID}
	}
	return &types.VmwareDistributedVirtualSwitchVlanIdSpec{VlanId: v.ID}
}
