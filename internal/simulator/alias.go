package simulator

import (
	"fmt"
	"regexp"
	"strings"

	gosim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Routing of overridden methods.
//
// vcsim dispatches a logged-in session's call to the object the session sees
// for _this, which is always the object stored in the registry, and vcsim
// itself type-asserts those objects (*simulator.DistributedVirtualSwitch,
// ...), so they cannot be replaced by wrapper types. Instead every override is
// a wrapper registered under an alias reference of its own type (e.g.
// CarpHostNetworkSystem:hostnetworksystem-12): the HTTP layer rewrites _this
// of an overridden call to the alias, and vcsim then dispatches it, with the
// caller's session, to the wrapper, which locks and changes the original
// object. Aliases have types no inventory view or query asks for.

// overridden maps a SOAP method to the alias type of the object types whose
// method is overridden.
var overridden = map[string]map[string]string{
	"AddVirtualSwitch":              {"HostNetworkSystem": "CarpHostNetworkSystem"},
	"UpdateVirtualSwitch":           {"HostNetworkSystem": "CarpHostNetworkSystem"},
	"RemoveVirtualSwitch":           {"HostNetworkSystem": "CarpHostNetworkSystem"},
	"AddPortGroup":                  {"HostNetworkSystem": "CarpHostNetworkSystem"},
	"UpdatePortGroup":               {"HostNetworkSystem": "CarpHostNetworkSystem"},
	"RemovePortGroup":               {"HostNetworkSystem": "CarpHostNetworkSystem"},
	"QueryOptions":                  {"OptionManager": "CarpHostOptionManager"},
	"UpdateOptions":                 {"OptionManager": "CarpHostOptionManager"},
	"ReconfigureDvs_Task":           {"VmwareDistributedVirtualSwitch": "CarpDVS", "DistributedVirtualSwitch": "CarpDVS"},
	"RetrieveProperties":            {"PropertyCollector": "CarpPropertyCollector"},
	"RetrievePropertiesEx":          {"PropertyCollector": "CarpPropertyCollector"},
	"FetchDVPorts":                  {"VmwareDistributedVirtualSwitch": "CarpDVS", "DistributedVirtualSwitch": "CarpDVS"},
	"ReconfigureDVPortgroup_Task":   {"DistributedVirtualPortgroup": "CarpDVPortgroup"},
	"ReconfigureDVPort_Task":        {"VmwareDistributedVirtualSwitch": "CarpDVS", "DistributedVirtualSwitch": "CarpDVS"},
	"UpdateDVSLacpGroupConfig_Task": {"VmwareDistributedVirtualSwitch": "CarpDVS", "DistributedVirtualSwitch": "CarpDVS"},
}

// alias returns the alias reference for a call of method on orig, creating
// the wrapper on first use; ok is false when the call is not overridden.
func (s *Server) alias(method string, orig types.ManagedObjectReference) (types.ManagedObjectReference, bool) {
	kind, ok := overridden[method][orig.Type]
	if !ok {
		return types.ManagedObjectReference{}, false
	}
	if kind == "CarpHostOptionManager" {
		s.netMu.Lock()
		_, isHost := s.optHost[orig.Value]
		s.netMu.Unlock()
		if !isHost {
			return types.ManagedObjectReference{}, false
		}
	}
	ref := types.ManagedObjectReference{Type: kind, Value: orig.Value}
	m := s.model.Map()
	s.aliasMu.Lock()
	defer s.aliasMu.Unlock()
	if m.Get(ref) != nil {
		return ref, true
	}
	var w mo.Reference
	switch o := m.Get(orig).(type) {
	case *gosim.HostNetworkSystem:
		w = &hostNetworkSystem{HostNetworkSystem: o, Self: ref, srv: s}
	case *gosim.OptionManager:
		w = &hostOptionManager{OptionManager: o, Self: ref, srv: s}
	case *gosim.DistributedVirtualSwitch:
		w = &dvSwitch{DistributedVirtualSwitch: o, Self: ref, srv: s}
	case *gosim.DistributedVirtualPortgroup:
		w = &dvPortgroup{DistributedVirtualPortgroup: o, Self: ref, srv: s}
	case *gosim.PropertyCollector:
		w = &propertyCollector{PropertyCollector: o, Self: ref}
	default:
		return types.ManagedObjectReference{}, false
	}
	m.Put(w)
	return ref, true
}

// faultAlias registers a one-call taskFaulter for an injected task fault.
func (s *Server) faultAlias(seq int, method string, orig types.ManagedObjectReference, f types.BaseMethodFault) types.ManagedObjectReference {
	ref := types.ManagedObjectReference{Type: "CarpTaskFaulter", Value: fmt.Sprintf("fault-%d", seq)}
	s.model.Map().Put(&taskFaulter{Self: ref, orig: orig, fault: f, name: method})
	return ref
}

func (s *Server) removeAlias(ref types.ManagedObjectReference) {
	s.model.Map().Remove(&gosim.Context{Context: s.ictx, Map: s.model.Map()}, ref)
}

var thisRE = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?_this\b[^>]*>[^<]*</(?:[A-Za-z0-9_]+:)?_this>`)
var typeAttrRE = regexp.MustCompile(`\btype="[^"]*"`)

// rewriteThis points the request's _this at ref.
func rewriteThis(body []byte, ref types.ManagedObjectReference) ([]byte, bool) {
	loc := thisRE.FindIndex(body)
	if loc == nil {
		return body, false
	}
	elem := string(body[loc[0]:loc[1]])
	open := elem[:strings.IndexByte(elem, '>')+1]
	closing := elem[strings.LastIndexByte(elem, '<'):]
	if !typeAttrRE.MatchString(open) {
		return body, false
	}
	open = typeAttrRE.ReplaceAllLiteralString(open, `type="`+ref.Type+`"`)
	out := make([]byte, 0, len(body)+32)
	out = append(out, body[:loc[0]]...)
	out = append(out, open...)
	out = append(out, ref.Value...)
	out = append(out, closing...)
	out = append(out, body[loc[1]:]...)
	return out, true
}
