package simulator

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// deepCopy returns a deep copy of v (pointers, slices, maps, interfaces and
// structs are copied; the vim types have no cycles).
func deepCopy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	dst := reflect.New(src.Type()).Elem()
	copyValue(dst, src)
	return dst.Interface().(T)
}

func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			if dst.Field(i).CanSet() {
				copyValue(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

// isLeafPolicy tells whether a policy struct is replaced whole when written:
// the value policies (BoolPolicy, StringPolicy, ...), the uplink order and the
// MAC learning policy.
func isLeafPolicy(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return true
	}
	if _, ok := t.FieldByName("Value"); ok {
		return true
	}
	switch t {
	case reflect.TypeOf(types.VMwareUplinkPortOrderPolicy{}), reflect.TypeOf(types.DVSMacLearningPolicy{}):
		return true
	}
	return false
}

// mergeSetting merges a partial port setting spec into dst the way vCenter
// does: a field absent (nil) from the spec keeps its value, a composite
// policy is merged down to its leaves, a leaf is replaced whole.
func mergeValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		if dst.IsNil() || isLeafPolicy(src.Type().Elem()) {
			c := reflect.New(src.Type().Elem())
			copyValue(c.Elem(), src.Elem())
			dst.Set(c)
			return
		}
		// copy dst before changing it: readers may hold the old value
		c := reflect.New(dst.Type().Elem())
		copyValue(c.Elem(), dst.Elem())
		mergeValue(c.Elem(), src.Elem())
		dst.Set(c)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	case reflect.Struct:
		for i := 0; i < src.NumField(); i++ {
			f := src.Type().Field(i)
			if !dst.Field(i).CanSet() {
				continue
			}
			if f.Anonymous && f.Type == reflect.TypeOf(types.InheritablePolicy{}) {
				dst.Field(i).Set(src.Field(i))
				continue
			}
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				mergeValue(dst.Field(i), src.Field(i))
				continue
			}
			mergeValue(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		c := reflect.New(src.Type()).Elem()
		copyValue(c, src)
		dst.Set(c)
	case reflect.String:
		if src.String() != "" {
			dst.Set(src)
		}
	default:
		// bool, ints: vCenter cannot tell "unset" from zero on the wire
		// for non-pointer fields; DynamicData/InheritablePolicy handled above.
		if !src.IsZero() {
			dst.Set(src)
		}
	}
}

// resolveInherited fills the value of every leaf policy marked inherited
// with the switch's value, as vCenter reports it.
func resolveInherited(pg, sw reflect.Value) {
	if !pg.IsValid() || !sw.IsValid() {
		return
	}
	switch pg.Kind() {
	case reflect.Pointer, reflect.Interface:
		if pg.IsNil() || sw.IsNil() {
			return
		}
		if pg.Kind() == reflect.Interface && pg.Elem().Type() != sw.Elem().Type() {
			return
		}
		if pg.Kind() == reflect.Pointer && pg.Type().Elem().Kind() != reflect.Struct {
			return
		}
		if pg.Kind() == reflect.Pointer && isLeafPolicy(pg.Type().Elem()) {
			inh := pg.Elem().FieldByName("Inherited")
			if inh.IsValid() && inh.Bool() {
				c := reflect.New(sw.Type().Elem())
				copyValue(c.Elem(), sw.Elem())
				c.Elem().FieldByName("Inherited").SetBool(true)
				pg.Set(c)
			}
			return
		}
		resolveInherited(pg.Elem(), sw.Elem())
	case reflect.Struct:
		for i := 0; i < pg.NumField(); i++ {
			if pg.Type().Field(i).Anonymous || !pg.Field(i).CanSet() {
				continue
			}
			resolveInherited(pg.Field(i), sw.Field(i))
		}
	}
}

// versionAtLeast compares dotted product versions.
func versionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x, _ = strconv.Atoi(a[i])
		}
		if i < len(b) {
			y, _ = strconv.Atoi(b[i])
		}
		if x != y {
			return x > y
		}
	}
	return true
}

func bumpVersion(v string) string {
	n, _ := strconv.Atoi(v)
	return strconv.Itoa(n + 1)
}

// syncSecurityMac keeps securityPolicy and macManagementPolicy consistent as
// vCenter 6.6+ does when a spec writes one of them: the other takes its
// three booleans and its inheritance. secWritten/macWritten tell which one
// the spec wrote. A spec that writes both is stored as written, even when
// they disagree: community.vmware#1508 ("securityPolicy and macManagement
// has not the same value") is a port group left with two answers by a tool
// that wrote both differently, fixed there by writing both the same.
func syncSecurityMac(s *types.VMwareDVSPortSetting, secWritten, macWritten bool) {
	if s == nil || secWritten == macWritten {
		return
	}
	if macWritten && s.MacManagementPolicy != nil {
		m := s.MacManagementPolicy
		sec := &types.DVSSecurityPolicy{}
		if s.SecurityPolicy != nil {
			*sec = *s.SecurityPolicy
		}
		set := func(dst **types.BoolPolicy, v *bool) {
			if v != nil {
				*dst = &types.BoolPolicy{Value: types.NewBool(*v), InheritablePolicy: types.InheritablePolicy{Inherited: m.Inherited}}
			}
		}
		set(&sec.AllowPromiscuous, m.AllowPromiscuous)
		set(&sec.MacChanges, m.MacChanges)
		set(&sec.ForgedTransmits, m.ForgedTransmits)
		sec.Inherited = m.Inherited
		s.SecurityPolicy = sec
		return
	}
	if secWritten && s.SecurityPolicy != nil && s.MacManagementPolicy != nil {
		m := *s.MacManagementPolicy
		get := func(p *types.BoolPolicy, old *bool) *bool {
			if p != nil && p.Value != nil {
				return types.NewBool(*p.Value)
			}
			return old
		}
		own := func(p *types.BoolPolicy) bool { return p != nil && !p.Inherited }
		sp := s.SecurityPolicy
		m.AllowPromiscuous = get(sp.AllowPromiscuous, m.AllowPromiscuous)
		m.MacChanges = get(sp.MacChanges, m.MacChanges)
		m.ForgedTransmits = get(sp.ForgedTransmits, m.ForgedTransmits)
		// the MAC management policy is the port group's own as soon as
		// one security value is
		m.Inherited = !(own(sp.AllowPromiscuous) || own(sp.MacChanges) || own(sp.ForgedTransmits))
		s.MacManagementPolicy = &m
	}
}

// checkConfigVersion is the configVersion rule of ReconfigureDvs_Task and
// ReconfigureDVPortgroup_Task. The reference (DVSConfigSpec.configVersion,
// DVPortgroupConfigSpec.configVersion) says the property "is required in
// reconfiguring" and must equal the current config's; ConcurrentAccess is
// the fault for another operation having changed the object (vSphere API
// reference, ConcurrentAccess). The reference does not name the fault of a
// missing one; vCenter reports a missing or malformed spec property as
// InvalidArgument ("A specified parameter was not correct: spec.<property>",
// e.g. community.vmware#1419), so an empty configVersion is that, and only a
// stale one is ConcurrentAccess.
func checkConfigVersion(got, current string) types.BaseMethodFault {
	switch {
	case got == "":
		return &types.InvalidArgument{InvalidProperty: "spec.configVersion"}
	case got != current:
		return &types.ConcurrentAccess{}
	}
	return nil
}

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

func failedTask(ctx *gosim.Context, obj types.ManagedObjectReference, name string, f types.BaseMethodFault) types.ManagedObjectReference {
	return gosim.CreateTask(obj, name, func(*gosim.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, f
	}).Run(ctx)
}

func okTask(ctx *gosim.Context, obj types.ManagedObjectReference, name string) types.ManagedObjectReference {
	return gosim.CreateTask(obj, name, func(*gosim.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, nil
	}).Run(ctx)
}

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
	if f := checkConfigVersion(spec.ConfigVersion, cfg.ConfigVersion); f != nil {
		return fail(f)
	}
	// validate host membership changes before changing anything
	for _, m := range spec.Host {
		if ctx.Map.Get(m.Host) == nil {
			return fail(&types.ManagedObjectNotFound{Obj: m.Host})
		}
		switch types.ConfigSpecOperation(m.Operation) {
		case types.ConfigSpecOperationAdd:
			if hasRef(d.Summary.HostMember, m.Host) {
				return fail(&types.AlreadyExists{Name: m.Host.Value})
			}
		case types.ConfigSpecOperationRemove:
			if !hasRef(d.Summary.HostMember, m.Host) {
				return fail(&types.NotFound{})
			}
		case types.ConfigSpecOperationEdit:
			return fail(&types.NotSupported{})
		}
	}
	vspec, _ := req.Spec.(*types.VMwareDVSConfigSpec)
	if vspec != nil {
		if ps, ok := vspec.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && ps.MacManagementPolicy != nil && !versionAtLeast(d.version(), "6.6.0") {
			// vCenter rejects MAC management on a switch below 6.6.0 with
			// NotSupported.
			return fail(&types.NotSupported{})
		}
	}

	next := deepCopy(*cfg)
	next.ConfigVersion = bumpVersion(cfg.ConfigVersion)
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
	if spec.DefaultPortConfig != nil {
		if next.DefaultPortConfig == nil {
			next.DefaultPortConfig = deepCopy(spec.DefaultPortConfig)
		} else {
			dst := reflect.ValueOf(&next.DefaultPortConfig).Elem()
			cur := reflect.New(dst.Elem().Elem().Type())
			copyValue(cur.Elem(), dst.Elem().Elem())
			src := reflect.ValueOf(spec.DefaultPortConfig)
			if src.Type() == cur.Type() {
				mergeValue(cur.Elem(), src.Elem())
				dst.Set(cur)
			}
		}
		if ps, ok := spec.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok {
			if cur, ok := next.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && versionAtLeast(d.version(), "6.6.0") {
				syncSecurityMac(cur, ps.SecurityPolicy != nil, ps.MacManagementPolicy != nil)
			}
		}
	}
	if vspec != nil {
		if vspec.MaxMtu != 0 {
			next.MaxMtu = vspec.MaxMtu
		}
		if vspec.LinkDiscoveryProtocolConfig != nil {
			next.LinkDiscoveryProtocolConfig = vspec.LinkDiscoveryProtocolConfig
		}
		if vspec.MulticastFilteringMode != "" {
			next.MulticastFilteringMode = vspec.MulticastFilteringMode
		}
		sessions := next.VspanSession
		for _, op := range vspec.VspanConfigSpec {
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
					return fail(&types.AlreadyExists{Name: sess.Key})
				}
				for _, x := range sessions {
					if sess.Name != "" && x.Name == sess.Name {
						return fail(&types.DuplicateName{Name: sess.Name, Object: d.DistributedVirtualSwitch.Self})
					}
				}
				sessions = append(sessions, sess)
			case types.ConfigSpecOperationEdit:
				if idx < 0 {
					return fail(&types.NotFound{})
				}
				sessions[idx] = sess
			case types.ConfigSpecOperationRemove:
				if idx < 0 {
					return fail(&types.NotFound{})
				}
				sessions = append(sessions[:idx:idx], sessions[idx+1:]...)
			default:
				return fail(&types.InvalidArgument{InvalidProperty: "vspanConfigSpec.operation"})
			}
		}
		next.VspanSession = sessions
	}

	changes := []types.PropertyChange{{Name: "config", Val: &next}}
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

	changes := []types.PropertyChange{{Name: "config", Val: next}}
	if next.Name != p.Name {
		changes = append(changes, types.PropertyChange{Name: "name", Val: next.Name})
		p.srv.setID("dvpg", next.Name, p.DistributedVirtualPortgroup.Self.Value)
	}
	ctx.Update(p.DistributedVirtualPortgroup, changes)
	body.Res.Returnval = okTask(ctx, p.DistributedVirtualPortgroup.Self, "reconfigureDvPortgroup")
	return body
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
