package simulator

import (
	"path"
	"reflect"
	"strings"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// propertyCollector overrides RetrieveProperties and RetrievePropertiesEx
// of the service's PropertyCollector: a TraversalSpec is applied only to
// objects of its type or a subtype (vSphere API reference, TraversalSpec:
// "type: Name of the object type containing the property"). Stock vcsim
// applies every traversal to every object, so a walk such as
// HostSystem.network -> Network.vm also followed HostSystem.vm and found
// the host's VMs whatever Network.vm said. The objects are selected here,
// then handed to vcsim as a plain object set to collect.
type propertyCollector struct {
	*gosim.PropertyCollector
	Self types.ManagedObjectReference // alias, see alias.go
}

func (p *propertyCollector) Reference() types.ManagedObjectReference { return p.Self }

func (p *propertyCollector) RetrievePropertiesEx(ctx *gosim.Context, req *types.RetrievePropertiesEx) soap.HasFault {
	r := *req
	r.This = p.PropertyCollector.Self
	r.SpecSet = selectObjects(ctx, req.SpecSet)
	return p.PropertyCollector.RetrievePropertiesEx(ctx, &r)
}

func (p *propertyCollector) RetrieveProperties(ctx *gosim.Context, req *types.RetrieveProperties) soap.HasFault {
	r := *req
	r.This = p.PropertyCollector.Self
	r.SpecSet = selectObjects(ctx, req.SpecSet)
	return p.PropertyCollector.RetrieveProperties(ctx, &r)
}

// selectObjects replaces each filter spec's object set by the objects its
// selection specs reach, honouring TraversalSpec.type and skip.
func selectObjects(ctx *gosim.Context, specs []types.PropertyFilterSpec) []types.PropertyFilterSpec {
	out := make([]types.PropertyFilterSpec, len(specs))
	for i, spec := range specs {
		w := walker{ctx: ctx, named: map[string]*types.TraversalSpec{}, seen: map[walkKey]bool{}, in: map[types.ManagedObjectReference]bool{}}
		for _, os := range spec.ObjectSet {
			w.collectNames(os.SelectSet)
		}
		for _, os := range spec.ObjectSet {
			if os.Skip == nil || !*os.Skip {
				w.add(os.Obj)
			}
			w.walk(os.Obj, os.SelectSet)
		}
		spec.ObjectSet = w.objs
		out[i] = spec
	}
	return out
}

type walkKey struct {
	obj  types.ManagedObjectReference
	spec *types.TraversalSpec
}

type walker struct {
	ctx   *gosim.Context
	named map[string]*types.TraversalSpec
	seen  map[walkKey]bool
	in    map[types.ManagedObjectReference]bool
	objs  []types.ObjectSpec
}

func (w *walker) collectNames(set []types.BaseSelectionSpec) {
	for _, s := range set {
		ts, ok := s.(*types.TraversalSpec)
		if !ok || (ts.Name != "" && w.named[ts.Name] == ts) {
			continue
		}
		if ts.Name != "" {
			w.named[ts.Name] = ts
		}
		w.collectNames(ts.SelectSet)
	}
}

func (w *walker) add(ref types.ManagedObjectReference) {
	if !w.in[ref] {
		w.in[ref] = true
		w.objs = append(w.objs, types.ObjectSpec{Obj: ref})
	}
}

func (w *walker) walk(ref types.ManagedObjectReference, set []types.BaseSelectionSpec) {
	if len(set) == 0 {
		return
	}
	obj := w.ctx.Map.Get(ref)
	if obj == nil && w.ctx.Session != nil {
		obj = w.ctx.Session.Get(ref)
	}
	if obj == nil {
		return
	}
	for _, s := range set {
		ts, ok := s.(*types.TraversalSpec)
		if !ok {
			ts = w.named[s.GetSelectionSpec().Name]
		}
		k := walkKey{ref, ts}
		if ts == nil || w.seen[k] || !isOfType(obj, ts.Type) {
			continue
		}
		w.seen[k] = true
		for _, next := range refsAt(obj, ts.Path) {
			if ts.Skip == nil || !*ts.Skip {
				w.add(next)
			}
			w.walk(next, ts.SelectSet)
		}
	}
}

// isOfType tells whether obj is of the managed object type name or a
// subtype: its vim25/mo struct is that type or embeds it.
func isOfType(obj mo.Reference, name string) bool {
	if obj.Reference().Type == name {
		return true
	}
	t := reflect.TypeOf(obj)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return embeds(t, name)
}

func embeds(t reflect.Type, name string) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	if path.Base(t.PkgPath()) == "mo" && t.Name() == name {
		return true
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && embeds(ft, name) {
			return true
		}
	}
	return false
}

// refsAt returns the managed object references at a property path of obj
// (a reference, a pointer to one, or a list of them).
func refsAt(obj mo.Reference, p string) []types.ManagedObjectReference {
	v := reflect.ValueOf(obj)
	for _, name := range strings.Split(p, ".") {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return nil
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || name == "" {
			return nil
		}
		v = v.FieldByName(strings.ToUpper(name[:1]) + name[1:])
		if !v.IsValid() {
			return nil
		}
	}
	switch x := v.Interface().(type) {
	case types.ManagedObjectReference:
		return []types.ManagedObjectReference{x}
	case *types.ManagedObjectReference:
		if x != nil {
			return []types.ManagedObjectReference{*x}
		}
	case []types.ManagedObjectReference:
		return x
	}
	return nil
}
