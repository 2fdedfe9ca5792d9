package simulator

import (
	"reflect"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// ReconfigureDVPort_Task writes a port's own setting, as vCenter does
// (vSphere API reference, DistributedVirtualSwitch.ReconfigureDVPort_Task,
// DVPortConfigSpec, VMwareDVSPortgroupPolicy):
//   - operation must be "edit" (ports are added and removed with their port
//     group); a key the switch has no port for is NotFound;
//   - a configVersion given must equal the port's (ConcurrentAccess, as
//     for the switch and the port group; checkConfigVersion), and is bumped;
//   - a policy written with inherited false becomes the port's own, one
//     written with inherited true goes back to the port group's;
//   - the port's own securityPolicy or macManagementPolicy is "the setting
//     for an individual port" that securityPolicyOverrideAllowed /
//     macManagementOverrideAllowed must allow ("Allow the setting of
//     securityPolicy for an individual port to override the setting in
//     defaultPortConfig of a portgroup"): without either flag the call
//     fails with DvsFault (the reference's fault for a spec that is not
//     valid), and nothing is written.
//
// What disallowing overrides does to a port's existing own setting: the
// reference documents no reset (only portConfigResetAtDisconnect, "reset
// the port network setting back to the portgroup setting (thus removing the
// per-port setting) when the port is disconnected", removes per-port
// settings; vmnet.go does that), so the simulator keeps the setting and
// FetchDVPorts reports it as stored; it no longer overrides the port group,
// and readers must judge it only where the port group lets ports override.
func (d *dvSwitch) ReconfigureDVPortTask(ctx *gosim.Context, req *types.ReconfigureDVPort_Task) soap.HasFault {
	body := &methods.ReconfigureDVPort_TaskBody{Res: &types.ReconfigureDVPort_TaskResponse{}}
	self := d.DistributedVirtualSwitch.Self
	fail := func(f types.BaseMethodFault) soap.HasFault {
		body.Res.Returnval = failedTask(ctx, self, "reconfigureDVPort", f)
		return body
	}
	pgOf := map[string]*gosim.DistributedVirtualPortgroup{}
	ctx.WithLock(d.DistributedVirtualSwitch, func() {
		for _, ref := range d.Portgroup {
			if pg, ok := ctx.Map.Get(ref).(*gosim.DistributedVirtualPortgroup); ok {
				for _, k := range pg.PortKeys {
					pgOf[k] = pg
				}
			}
		}
	})
	type write struct {
		ref     portRef
		setting *types.VMwareDVSPortSetting
		version string
	}
	var writes []write
	d.srv.netMu.Lock()
	defer d.srv.netMu.Unlock()
	for _, spec := range req.Port {
		if spec.Operation != string(types.ConfigSpecOperationEdit) {
			return fail(&types.NotSupported{})
		}
		pg := pgOf[spec.Key]
		if pg == nil {
			return fail(&types.NotFound{})
		}
		ref := portRef{self.Value, spec.Key}
		cur := &dvPort{}
		if st := d.srv.port(ref); st != nil {
			cur = st
		}
		if spec.ConfigVersion != "" && spec.ConfigVersion != cur.ConfigVersion {
			return fail(&types.ConcurrentAccess{})
		}
		next := deepCopy(cur.Setting)
		if spec.Setting != nil {
			ps, ok := spec.Setting.(*types.VMwareDVSPortSetting)
			if !ok {
				return fail(&types.InvalidArgument{InvalidProperty: "port.setting"})
			}
			if ps.MacManagementPolicy != nil && !versionAtLeast(d.srv.dvsVer[self.Value], "6.6.0") {
				// as for the switch and the port group: no MAC management below 6.6.0
				return fail(&types.NotSupported{})
			}
			if ownSecurity(ps) && !overridesAllowed(ctx, pg) {
				return fail(&types.DvsFault{})
			}
			if next == nil {
				next = &types.VMwareDVSPortSetting{}
			}
			mergeValue(reflect.ValueOf(next).Elem(), reflect.ValueOf(ps).Elem())
			dropInherited(reflect.ValueOf(next).Elem())
			if next.MacManagementPolicy != nil && next.MacManagementPolicy.Inherited {
				next.MacManagementPolicy = nil
			}
			if sp := next.SecurityPolicy; sp != nil && sp.AllowPromiscuous == nil && sp.MacChanges == nil && sp.ForgedTransmits == nil {
				next.SecurityPolicy = nil
			}
		}
		writes = append(writes, write{ref, next, bumpVersion(cur.ConfigVersion)})
	}
	for _, w := range writes {
		st := d.srv.ensurePort(w.ref)
		st.Setting, st.ConfigVersion = w.setting, w.version
	}
	body.Res.Returnval = okTask(ctx, self, "reconfigureDVPort")
	return body
}

// ownSecurity reports whether a port setting sets a security or MAC
// management value of its own (not inherited).
func ownSecurity(ps *types.VMwareDVSPortSetting) bool {
	if m := ps.MacManagementPolicy; m != nil && !m.Inherited {
		return true
	}
	if sp := ps.SecurityPolicy; sp != nil {
		for _, b := range []*types.BoolPolicy{sp.AllowPromiscuous, sp.MacChanges, sp.ForgedTransmits} {
			if b != nil && !b.Inherited && b.Value != nil {
				return true
			}
		}
	}
	return false
}

// overridesAllowed reports whether the port group lets its ports set their
// own security or MAC management policy.
func overridesAllowed(ctx *gosim.Context, pg *gosim.DistributedVirtualPortgroup) bool {
	var ok bool
	ctx.WithLock(pg, func() {
		if p, isVMware := pg.Config.Policy.(*types.VMwareDVSPortgroupPolicy); isVMware {
			ok = p.SecurityPolicyOverrideAllowed || (p.MacManagementOverrideAllowed != nil && *p.MacManagementOverrideAllowed)
		}
	})
	return ok
}

// dropInherited removes every leaf policy marked inherited under v, so that
// a port's own setting holds only what the port sets itself.
func dropInherited(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct && isLeafPolicy(v.Type().Elem()) {
			if inh := v.Elem().FieldByName("Inherited"); inh.IsValid() && inh.Bool() && v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		dropInherited(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				dropInherited(v.Field(i))
			}
		}
	}
}
