package simulator

import (
	"reflect"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// dvPortgroup overrides ReconfigureDVPortgroup_Task: the spec is merged field
// by field (name, numPorts, type, description, policy, defaultPortConfig down
// to each policy leaf), configVersion is required and must equal the
// current one (checkConfigVersion) and is bumped on success; securityPolicy and
// macManagementPolicy are kept consistent on switches >= 6.6.0, and MAC
// management on a switch below 6.6.0 fails with NotSupported.
type dvPortgroup struct {
	*gosim.DistributedVirtualPortgroup
	Self types.ManagedObjectReference // alias, see alias.go
	srv  *Server
}

func (p *dvPortgroup) Reference() types.ManagedObjectReference { return p.Self }

func (p *dvPortgroup) ReconfigureDVPortgroupTask(ctx *gosim.Context, req *types.ReconfigureDVPortgroup_Task) (res soap.HasFault) {
	ctx.WithLock(p.DistributedVirtualPortgroup, func() { res = p.reconfigure(ctx, req) })
	return res
}

func (p *dvPortgroup) reconfigure(ctx *gosim.Context, req *types.ReconfigureDVPortgroup_Task) soap.HasFault {
	body := &methods.ReconfigureDVPortgroup_TaskBody{Res: &types.ReconfigureDVPortgroup_TaskResponse{}}
	fail := func(f types.BaseMethodFault) soap.HasFault {
		body.Res.Returnval = failedTask(ctx, p.DistributedVirtualPortgroup.Self, "reconfigureDvPortgroup", f)
		return body
	}
	spec := req.Spec
	if f := nsxReconfigureFault(p.Config); f != nil {
		return fail(f)
	}
	if f := checkConfigVersion(spec.ConfigVersion, p.Config.ConfigVersion); f != nil {
		return fail(f)
	}
	swSetting, version := p.switchSetting(ctx)
	ps, _ := spec.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if ps != nil && ps.MacManagementPolicy != nil && !versionAtLeast(version, "6.6.0") {
		// vCenter: NotSupported for MAC management below 6.6.0
		return fail(&types.NotSupported{})
	}
	if spec.Name != "" && spec.Name != p.Name {
		if obj := p.srv.findNetworkByName(ctx, p.Parent, spec.Name); obj != nil {
			return fail(&types.DuplicateName{Name: spec.Name, Object: *obj})
		}
	}

	next := p.merged(spec, ps, swSetting, version)

	changes := []types.PropertyChange{{Name: "config", Val: next}}
	if next.Name != p.Name {
		changes = append(changes, types.PropertyChange{Name: "name", Val: next.Name})
		p.srv.setID("dvpg", next.Name, p.DistributedVirtualPortgroup.Self.Value)
	}
	ctx.Update(p.DistributedVirtualPortgroup, changes)
	body.Res.Returnval = okTask(ctx, p.DistributedVirtualPortgroup.Self, "reconfigureDvPortgroup")
	return body
}

// switchSetting is the default port setting and the product version of the
// port group's switch (nil and "" without one).
func (p *dvPortgroup) switchSetting(ctx *gosim.Context) (*types.VMwareDVSPortSetting, string) {
	var swSetting *types.VMwareDVSPortSetting
	version := ""
	if p.Config.DistributedVirtualSwitch != nil {
		if sw, ok := ctx.Map.Get(*p.Config.DistributedVirtualSwitch).(*gosim.DistributedVirtualSwitch); ok {
			ctx.WithLock(sw, func() {
				if c, ok := sw.Config.(*types.VMwareDVSConfigInfo); ok {
					swSetting, _ = c.DefaultPortConfig.(*types.VMwareDVSPortSetting)
				}
			})
		}
		p.srv.netMu.Lock()
		version = p.srv.dvsVer[p.Config.DistributedVirtualSwitch.Value]
		p.srv.netMu.Unlock()
	}
	return swSetting, version
}

// merged is the port group's next config: the current one with its
// configVersion bumped and the spec merged field by field, the default port
// setting down to each policy leaf (ps, the spec's setting when it is a
// VMware one), inherited leaves resolved from the switch's swSetting.
func (p *dvPortgroup) merged(spec types.DVPortgroupConfigSpec, ps, swSetting *types.VMwareDVSPortSetting, version string) types.DVPortgroupConfigInfo {
	next := deepCopy(p.Config)
	next.ConfigVersion = bumpVersion(p.Config.ConfigVersion)
	if spec.Name != "" {
		next.Name = spec.Name
	}
	if spec.NumPorts != 0 {
		next.NumPorts = spec.NumPorts
	}
	if spec.Type != "" {
		next.Type = spec.Type
	}
	if spec.Description != "" {
		next.Description = spec.Description
	}
	if spec.AutoExpand != nil {
		next.AutoExpand = spec.AutoExpand
	}
	if spec.PortNameFormat != "" {
		next.PortNameFormat = spec.PortNameFormat
	}
	if spec.Policy != nil {
		next.Policy = deepCopy(spec.Policy)
	}
	if spec.VmVnicNetworkResourcePoolKey != "" {
		next.VmVnicNetworkResourcePoolKey = spec.VmVnicNetworkResourcePoolKey
	}
	if spec.DefaultPortConfig != nil {
		cur, _ := next.DefaultPortConfig.(*types.VMwareDVSPortSetting)
		if cur == nil || ps == nil {
			next.DefaultPortConfig = deepCopy(spec.DefaultPortConfig)
		} else {
			merged := deepCopy(*cur)
			mergeValue(reflect.ValueOf(&merged).Elem(), reflect.ValueOf(ps).Elem())
			if versionAtLeast(version, "6.6.0") {
				syncSecurityMac(&merged, ps.SecurityPolicy != nil, ps.MacManagementPolicy != nil)
			}
			if swSetting != nil {
				resolveInherited(reflect.ValueOf(&merged).Elem(), reflect.ValueOf(swSetting).Elem())
			}
			next.DefaultPortConfig = &merged
		}
	}
	return next
}

// findNetworkByName looks for a network-folder child of that name.
func (s *Server) findNetworkByName(ctx *gosim.Context, parent *types.ManagedObjectReference, name string) *types.ManagedObjectReference {
	if parent == nil {
		return nil
	}
	f, ok := ctx.Map.Get(*parent).(*gosim.Folder)
	if !ok {
		return nil
	}
	var children []types.ManagedObjectReference
	ctx.WithLock(f, func() { children = append(children, f.ChildEntity...) })
	if e := ctx.Map.FindByName(name, children); e != nil {
		r := e.Reference()
		return &r
	}
	return nil
}
