package simulator

import (
	"fmt"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Enhanced LACP on a distributed switch, which vcsim does not have.
//
// vSphere API reference: VMwareDVSConfigInfo.lacpApiVersion (see
// VMwareDvsLacpApiVersion: "singleLag", "multipleLag") and lacpGroupConfig,
// the switch's link aggregation groups (VMwareDvsLacpGroupConfig: key, "the
// generated key as the identifier"; name; mode; uplinkNum, "the number of
// uplink ports"; loadbalanceAlgorithm; uplinkName and uplinkPortKey, "ignored
// in an update operation": vCenter names the LAG's ports), changed with
// VmwareDistributedVirtualSwitch.UpdateDVSLacpGroupConfig_Task
// (VMwareDvsLacpGroupSpec: a config and a ConfigSpecOperation). The vSphere
// Networking guide ("Create a Link Aggregation Group") says a new LAG is
// unused in the teaming of the port groups, which list it by name among
// their uplinks once it is made standby or active, and has a representation
// of its ports on every member host; the vSphere Client shows the LAG's
// ports as <name>-0, <name>-1, ..., the names given here.
//
// Not documented, so assumed: a call on a switch whose lacpApiVersion is not
// multipleLag fails with NotSupported (the LAGs of the call need enhanced
// LACP), a LAG name that is taken (by a LAG or an uplink port) with
// DuplicateName, an edit or remove of an unknown key with NotFound.
//
// What vCenter answers to a port group teaming that has a LAG and
// standalone uplinks active together: the Networking guide's table
// "LACP Teaming and Failover Configuration for Distributed Port Groups" says
// one LAG or standalone uplinks only, but the API reference documents no
// fault for it, and the guide's own migration path goes through a teaming
// with both (the LAG standby). The simulator stores such a teaming, so that
// CARP018 can be seen.

// UpdateDVSLacpGroupConfigTask is UpdateDVSLacpGroupConfig_Task.
func (d *dvSwitch) UpdateDVSLacpGroupConfigTask(ctx *gosim.Context, req *types.UpdateDVSLacpGroupConfig_Task) (res soap.HasFault) {
	ctx.WithLock(d.DistributedVirtualSwitch, func() { res = d.updateLacp(ctx, req) })
	return res
}

func (d *dvSwitch) updateLacp(ctx *gosim.Context, req *types.UpdateDVSLacpGroupConfig_Task) soap.HasFault {
	body := &methods.UpdateDVSLacpGroupConfig_TaskBody{Res: &types.UpdateDVSLacpGroupConfig_TaskResponse{}}
	self := d.DistributedVirtualSwitch.Self
	cfg := d.Config.(*types.VMwareDVSConfigInfo)
	if cfg.LacpApiVersion != string(types.VMwareDvsLacpApiVersionMultipleLag) {
		body.Res.Returnval = failedTask(ctx, self, "updateDVSLacpGroupConfig", &types.NotSupported{})
		return body
	}
	next := deepCopy(*cfg)
	for _, spec := range req.LacpGroupSpec {
		groups, f := d.applyLacpSpec(next.LacpGroupConfig, uplinkNames(next.UplinkPortPolicy), spec)
		if f != nil {
			body.Res.Returnval = failedTask(ctx, self, "updateDVSLacpGroupConfig", f)
			return body
		}
		next.LacpGroupConfig = groups
	}
	next.ConfigVersion = bumpVersion(cfg.ConfigVersion)
	ctx.Update(d.DistributedVirtualSwitch, []types.PropertyChange{{Name: "config", Val: &next}})
	body.Res.Returnval = okTask(ctx, self, "updateDVSLacpGroupConfig")
	return body
}

// applyLacpSpec applies one add, edit or remove to the switch's LAGs.
func (d *dvSwitch) applyLacpSpec(groups []types.VMwareDvsLacpGroupConfig, uplinks []string, spec types.VMwareDvsLacpGroupSpec) ([]types.VMwareDvsLacpGroupConfig, types.BaseMethodFault) {
	g := spec.LacpGroupConfig
	idx := -1
	for i := range groups {
		if g.Key != "" && groups[i].Key == g.Key {
			idx = i
		}
	}
	taken := func(name string) bool {
		for i, x := range groups {
			if i != idx && x.Name == name {
				return true
			}
		}
		for _, u := range uplinks {
			if u == name {
				return true
			}
		}
		return false
	}
	switch types.ConfigSpecOperation(spec.Operation) {
	case types.ConfigSpecOperationAdd:
		if g.Name == "" || taken(g.Name) {
			return nil, &types.DuplicateName{Name: g.Name, Object: d.DistributedVirtualSwitch.Self}
		}
		d.srv.netMu.Lock()
		d.srv.lagSeq++
		g.Key = fmt.Sprintf("lacp-%d", d.srv.lagSeq)
		d.srv.netMu.Unlock()
		fillLAG(&g)
		return append(groups, g), nil
	case types.ConfigSpecOperationEdit:
		if idx < 0 {
			return nil, &types.NotFound{}
		}
		if g.Name != "" && taken(g.Name) {
			return nil, &types.DuplicateName{Name: g.Name, Object: d.DistributedVirtualSwitch.Self}
		}
		cur := groups[idx]
		mergeLAG(&cur, g)
		out := append([]types.VMwareDvsLacpGroupConfig(nil), groups...)
		out[idx] = cur
		return out, nil
	case types.ConfigSpecOperationRemove:
		if idx < 0 {
			return nil, &types.NotFound{}
		}
		return append(groups[:idx:idx], groups[idx+1:]...), nil
	}
	return nil, &types.InvalidArgument{InvalidProperty: "lacpGroupSpec.operation"}
}

// fillLAG gives a new LAG vCenter's defaults and its port names and keys.
func fillLAG(g *types.VMwareDvsLacpGroupConfig) {
	if g.UplinkNum == 0 {
		g.UplinkNum = 2
	}
	if g.Mode == "" {
		g.Mode = string(types.VMwareUplinkLacpModePassive)
	}
	if g.LoadbalanceAlgorithm == "" {
		g.LoadbalanceAlgorithm = string(types.VMwareDvsLacpLoadBalanceAlgorithmSrcDestIpTcpUdpPortVlan)
	}
	g.UplinkName, g.UplinkPortKey = nil, nil
	for i := int32(0); i < g.UplinkNum; i++ {
		g.UplinkName = append(g.UplinkName, fmt.Sprintf("%s-%d", g.Name, i))
		g.UplinkPortKey = append(g.UplinkPortKey, fmt.Sprintf("%s-port-%d", g.Key, i))
	}
}

// mergeLAG applies an edit: set fields replace, port names follow.
func mergeLAG(cur *types.VMwareDvsLacpGroupConfig, g types.VMwareDvsLacpGroupConfig) {
	if g.Name != "" {
		cur.Name = g.Name
	}
	if g.Mode != "" {
		cur.Mode = g.Mode
	}
	if g.UplinkNum != 0 {
		cur.UplinkNum = g.UplinkNum
	}
	if g.LoadbalanceAlgorithm != "" {
		cur.LoadbalanceAlgorithm = g.LoadbalanceAlgorithm
	}
	fillLAG(cur)
}

func uplinkNames(p types.BaseDVSUplinkPortPolicy) []string {
	if n, ok := p.(*types.DVSNameArrayUplinkPortPolicy); ok {
		return n.UplinkPortName
	}
	return nil
}
