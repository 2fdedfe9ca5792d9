package simulator

import (
	"fmt"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

func fmtBool(b *bool) string {
	if b == nil {
		return "inherit"
	}
	return fmt.Sprint(*b)
}

func fmtBoolPolicy(p *types.BoolPolicy) string {
	if p == nil || p.Inherited || p.Value == nil {
		return "inherit"
	}
	return fmt.Sprint(*p.Value)
}

func hostSecurity(p *types.HostNetworkSecurityPolicy) string {
	if p == nil {
		p = &types.HostNetworkSecurityPolicy{}
	}
	return fmt.Sprintf("promisc=%s mac=%s forged=%s", fmtBool(p.AllowPromiscuous), fmtBool(p.MacChanges), fmtBool(p.ForgedTransmits))
}

func dvSecurity(s types.BaseDVPortSetting) string {
	ps, _ := s.(*types.VMwareDVSPortSetting)
	sec := &types.DVSSecurityPolicy{}
	if ps != nil && ps.SecurityPolicy != nil && !ps.SecurityPolicy.Inherited {
		sec = ps.SecurityPolicy
	}
	out := fmt.Sprintf("promisc=%s mac=%s forged=%s", fmtBoolPolicy(sec.AllowPromiscuous), fmtBoolPolicy(sec.MacChanges), fmtBoolPolicy(sec.ForgedTransmits))
	if ps != nil && ps.SecurityPolicy == nil && ps.MacManagementPolicy != nil {
		// a 6.6+ writer that sets macManagementPolicy only
		m := ps.MacManagementPolicy
		if m.Inherited {
			out = "promisc=inherit mac=inherit forged=inherit"
		} else {
			out = fmt.Sprintf("promisc=%s mac=%s forged=%s", fmtBool(m.AllowPromiscuous), fmtBool(m.MacChanges), fmtBool(m.ForgedTransmits))
		}
	}
	if ps != nil && ps.MacManagementPolicy != nil && ps.MacManagementPolicy.MacLearningPolicy != nil && !ps.MacManagementPolicy.Inherited {
		out += fmt.Sprintf(" maclearning=%v", ps.MacManagementPolicy.MacLearningPolicy.Enabled)
	}
	return out
}

// detail is the short, stable summary of a write recorded in Call.Detail.
func detail(method string, this types.ManagedObjectReference, body any) string {
	switch r := body.(type) {
	case *types.UpdatePortGroup:
		return fmt.Sprintf("%s %s", r.PgName, hostSecurity(r.Portgrp.Policy.Security))
	case *types.AddPortGroup:
		return fmt.Sprintf("%s vswitch=%s %s", r.Portgrp.Name, r.Portgrp.VswitchName, hostSecurity(r.Portgrp.Policy.Security))
	case *types.RemovePortGroup:
		return r.PgName
	case *types.UpdateVirtualSwitch:
		if r.Spec.Policy == nil {
			return r.VswitchName + " policy=unchanged"
		}
		return fmt.Sprintf("%s %s", r.VswitchName, hostSecurity(r.Spec.Policy.Security))
	case *types.AddVirtualSwitch:
		if r.Spec == nil || r.Spec.Policy == nil {
			return r.VswitchName + " policy=default"
		}
		return fmt.Sprintf("%s %s", r.VswitchName, hostSecurity(r.Spec.Policy.Security))
	case *types.RemoveVirtualSwitch:
		return r.VswitchName
	case *types.UpdateOptions:
		var parts []string
		for _, v := range r.ChangedValue {
			o := v.GetOptionValue()
			parts = append(parts, fmt.Sprintf("%s=%v", o.Key, o.Value))
		}
		return strings.Join(parts, " ")
	case *types.ReconfigureDVPortgroup_Task:
		return fmt.Sprintf("%s %s configVersion=%s", this.Value, dvSecurity(r.Spec.DefaultPortConfig), r.Spec.ConfigVersion)
	case *types.ReconfigureDvs_Task:
		if r.Spec == nil {
			return this.Value
		}
		spec := r.Spec.GetDVSConfigSpec()
		out := this.Value
		if spec.DefaultPortConfig != nil {
			out += " " + dvSecurity(spec.DefaultPortConfig)
		}
		if v, ok := r.Spec.(*types.VMwareDVSConfigSpec); ok {
			for _, op := range v.VspanConfigSpec {
				out += fmt.Sprintf(" vspan=%s:%s:enabled=%v", op.Operation, op.VspanSession.Name, op.VspanSession.Enabled)
			}
		}
		return out + " configVersion=" + spec.ConfigVersion
	case *types.AddDVPortgroup_Task:
		var names []string
		for _, s := range r.Spec {
			names = append(names, s.Name)
		}
		return strings.Join(names, ",")
	case *types.ReconfigVM_Task:
		return this.Value
	}
	return ""
}
