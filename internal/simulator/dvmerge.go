package simulator

// What ReconfigureDvs_Task (dvs.go) and ReconfigureDVPortgroup_Task
// (dvpg.go) share: deep copies and vCenter's merge of partial specs, the
// switch version checks, security and MAC management kept in step, the
// configVersion rule and the tasks they answer with.

import (
	"reflect"
	"strconv"
	"strings"

	gosim "github.com/vmware/govmomi/simulator"
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
		copyValue(dst, src)
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
