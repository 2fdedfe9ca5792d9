package simulator

import (
	"fmt"
	"reflect"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// dvSwitch overrides ReconfigureDvs_Task: configVersion is required and
// checked (checkConfigVersion) and bumped, and the
// VMwareDVSConfigSpec is merged into the config (vspanConfigSpec
// add/edit/remove, defaultPortConfig merged, maxPorts, description, name,
// uplinkPortPolicy, ...). Host membership changes go to vcsim. It also
// answers FetchDVPorts (dvports.go).
type dvSwitch struct {
	*gosim.DistributedVirtualSwitch
	Self types.ManagedObjectReference // alias, see alias.go
	srv  *Server
}

func (d *dvSwitch) Reference() types.ManagedObjectReference { return d.Self }

func (d *dvSwitch) version() string {
	d.srv.netMu.Lock()
	defer d.srv.netMu.Unlock()
	return d.srv.dvsVer[d.DistributedVirtualSwitch.Self.Value]
}

func (d *dvSwitch) ReconfigureDvsTask(ctx *gosim.Context, req *types.ReconfigureDvs_Task) (res soap.HasFault) {
	ctx.WithLock(d.DistributedVirtualSwitch, func() { res = d.reconfigure(ctx, req) })
	return res
}

func (d *dvSwitch) reconfigure(ctx *gosim.Context, req *types.ReconfigureDvs_Task) soap.HasFault {
	body := &methods.ReconfigureDvs_TaskBody{Res: &types.ReconfigureDvs_TaskResponse{}}
	spec := req.Spec.GetDVSConfigSpec()
	cfg := d.Config.(*types.VMwareDVSConfigInfo)
	fail := func(f types.BaseMethodFault) soap.HasFault {
		body.Res.Returnval = failedTask(ctx, d.DistributedVirtualSwitch.Self, "reconfigureDvs", f)
		return body
	}
	vspec, _ := req.Spec.(*types.VMwareDVSConfigSpec)
	if f := d.check(ctx, spec, vspec, cfg); f != nil {
		return fail(f)
	}

	next := deepCopy(*cfg)
	next.ConfigVersion = bumpVersion(cfg.ConfigVersion)
	mergeDVSConfig(&next, spec)
	if spec.DefaultPortConfig != nil {
		d.mergeDefaultPortConfig(&next, spec.DefaultPortConfig)
	}
	if vspec != nil {
		if f := d.mergeVMwareConfig(&next, vspec); f != nil {
			return fail(f)
		}
	}
	d.store(ctx, &next, spec)

	if len(spec.Host) > 0 {
		// vcsim does host membership (host.network, portgroup hosts, ...)
		return d.DistributedVirtualSwitch.ReconfigureDvsTask(ctx, &types.ReconfigureDvs_Task{
			This: d.DistributedVirtualSwitch.Self,
			Spec: &types.DVSConfigSpec{Host: spec.Host},
		})
	}
	body.Res.Returnval = okTask(ctx, d.DistributedVirtualSwitch.Self, "reconfigureDvs")
	return body
}

// check refuses a spec before anything changes: a missing or stale
// configVersion, a host membership change that does not apply, MAC
// management on a switch below 6.6.0.
func (d *dvSwitch) check(ctx *gosim.Context, spec *types.DVSConfigSpec, vspec *types.VMwareDVSConfigSpec, cfg *types.VMwareDVSConfigInfo) types.BaseMethodFault {
	if f := checkConfigVersion(spec.ConfigVersion, cfg.ConfigVersion); f != nil {
		return f
	}
	// validate host membership changes before changing anything
	for _, m := range spec.Host {
		if ctx.Map.Get(m.Host) == nil {
			return &types.ManagedObjectNotFound{Obj: m.Host}
		}
		switch types.ConfigSpecOperation(m.Operation) {
		case types.ConfigSpecOperationAdd:
			if hasRef(d.Summary.HostMember, m.Host) {
				return &types.AlreadyExists{Name: m.Host.Value}
			}
		case types.ConfigSpecOperationRemove:
			if !hasRef(d.Summary.HostMember, m.Host) {
				return &types.NotFound{}
			}
		case types.ConfigSpecOperationEdit:
			return &types.NotSupported{}
		}
	}
	if vspec != nil {
		if ps, ok := vspec.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && ps.MacManagementPolicy != nil && !versionAtLeast(d.version(), "6.6.0") {
			// vCenter rejects MAC management on a switch below 6.6.0 with
			// NotSupported.
			return &types.NotSupported{}
		}
	}
	return nil
}

// mergeDVSConfig writes the plain fields the spec sets into next.
func mergeDVSConfig(next *types.VMwareDVSConfigInfo, spec *types.DVSConfigSpec) {
	if spec.Name != "" {
		next.Name = spec.Name
	}
	if spec.MaxPorts != 0 {
		next.MaxPorts = spec.MaxPorts
	}
	if spec.NumStandalonePorts != 0 {
		next.NumStandalonePorts = spec.NumStandalonePorts
	}
	if spec.Description != "" {
		next.Description = spec.Description
	}
	if spec.UplinkPortPolicy != nil {
		next.UplinkPortPolicy = deepCopy(spec.UplinkPortPolicy)
	}
	if spec.Contact != nil {
		next.Contact = *spec.Contact
	}
	if spec.SwitchIpAddress != "" {
		next.SwitchIpAddress = spec.SwitchIpAddress
	}
	if spec.DefaultProxySwitchMaxNumPorts != 0 {
		next.DefaultProxySwitchMaxNumPorts = spec.DefaultProxySwitchMaxNumPorts
	}
	if spec.Policy != nil {
		next.Policy = deepCopy(spec.Policy)
	}
}

// mergeDefaultPortConfig merges the spec's default port setting into
// next's (mergeValue), keeping security and MAC management in step on
// switches >= 6.6.0.
func (d *dvSwitch) mergeDefaultPortConfig(next *types.VMwareDVSConfigInfo, setting types.BaseDVPortSetting) {
	if next.DefaultPortConfig == nil {
		next.DefaultPortConfig = deepCopy(setting)
	} else {
		dst := reflect.ValueOf(&next.DefaultPortConfig).Elem()
		cur := reflect.New(dst.Elem().Elem().Type())
		copyValue(cur.Elem(), dst.Elem().Elem())
		src := reflect.ValueOf(setting)
		if src.Type() == cur.Type() {
			mergeValue(cur.Elem(), src.Elem())
			dst.Set(cur)
		}
	}
	if ps, ok := setting.(*types.VMwareDVSPortSetting); ok {
		if cur, ok := next.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && versionAtLeast(d.version(), "6.6.0") {
			syncSecurityMac(cur, ps.SecurityPolicy != nil, ps.MacManagementPolicy != nil)
		}
	}
}

// mergeVMwareConfig writes the VMware switch's own fields the spec sets
// into next, the port-mirroring sessions through vspanSessions.
func (d *dvSwitch) mergeVMwareConfig(next *types.VMwareDVSConfigInfo, vspec *types.VMwareDVSConfigSpec) types.BaseMethodFault {
	if vspec.MaxMtu != 0 {
		next.MaxMtu = vspec.MaxMtu
	}
	if vspec.LinkDiscoveryProtocolConfig != nil {
		next.LinkDiscoveryProtocolConfig = vspec.LinkDiscoveryProtocolConfig
	}
	if vspec.MulticastFilteringMode != "" {
		next.MulticastFilteringMode = vspec.MulticastFilteringMode
	}
	sessions, f := d.vspanSessions(next.VspanSession, vspec.VspanConfigSpec)
	if f != nil {
		return f
	}
	next.VspanSession = sessions
	return nil
}

// vspanSessions applies the vspanConfigSpec operations (add, edit, remove)
// to the switch's port-mirroring sessions; an added session without a key
// gets the next "vspan_N".
func (d *dvSwitch) vspanSessions(sessions []types.VMwareVspanSession, ops []types.VMwareDVSVspanConfigSpec) ([]types.VMwareVspanSession, types.BaseMethodFault) {
	for _, op := range ops {
		sess := op.VspanSession
		idx := -1
		for i := range sessions {
			if sessions[i].Key == sess.Key {
				idx = i
			}
		}
		switch types.ConfigSpecOperation(op.Operation) {
		case types.ConfigSpecOperationAdd:
			if sess.Key == "" {
				d.srv.netMu.Lock()
				d.srv.vspanSeq++
				sess.Key = fmt.Sprintf("vspan_%d", d.srv.vspanSeq)
				d.srv.netMu.Unlock()
			} else if idx >= 0 {
				return nil, &types.AlreadyExists{Name: sess.Key}
			}
			for _, x := range sessions {
				if sess.Name != "" && x.Name == sess.Name {
					return nil, &types.DuplicateName{Name: sess.Name, Object: d.DistributedVirtualSwitch.Self}
				}
			}
			sessions = append(sessions, sess)
		case types.ConfigSpecOperationEdit:
			if idx < 0 {
				return nil, &types.NotFound{}
			}
			sessions[idx] = sess
		case types.ConfigSpecOperationRemove:
			if idx < 0 {
				return nil, &types.NotFound{}
			}
			sessions = append(sessions[:idx:idx], sessions[idx+1:]...)
		default:
			return nil, &types.InvalidArgument{InvalidProperty: "vspanConfigSpec.operation"}
		}
	}
	return sessions, nil
}

// store publishes next as the switch's config, with its name and
// description in the summary when the spec changed them.
func (d *dvSwitch) store(ctx *gosim.Context, next *types.VMwareDVSConfigInfo, spec *types.DVSConfigSpec) {
	changes := []types.PropertyChange{{Name: "config", Val: next}}
	if next.Name != d.Name {
		changes = append(changes,
			types.PropertyChange{Name: "name", Val: next.Name},
			types.PropertyChange{Name: "summary.name", Val: next.Name})
		d.srv.setID("dvs", next.Name, d.DistributedVirtualSwitch.Self.Value)
	}
	if spec.Description != "" {
		changes = append(changes, types.PropertyChange{Name: "summary.description", Val: spec.Description})
	}
	ctx.Update(d.DistributedVirtualSwitch, changes)
}
