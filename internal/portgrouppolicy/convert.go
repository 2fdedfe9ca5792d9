package portgrouppolicy

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Hand-written conversions between policyModel and the Terraform value of
// a plan or state, for the hot paths (Read and ModifyPlan run for every
// policy of every plan): the framework's reflection (Get and Set) costs a
// tenth of a plan's CPU, compiling a tag check per field per call.

// modelField is one top-level attribute: its name, its type and the
// model's field (a *types.String, *types.Bool, *types.Int64, *types.List,
// *types.Map or *types.Object).
type modelField struct {
	name string
	typ  attr.Type
	ptr  any
}

func (m *policyModel) fields() []modelField {
	strMap := types.MapType{ElemType: types.StringType}
	return []modelField{
		{"id", types.StringType, &m.ID}, {"host_system_id", types.StringType, &m.HostSystemID},
		{"portgroup", types.StringType, &m.PortGroup}, {"distributed_portgroup_id", types.StringType, &m.DVPortGroupID},
		{"allow_promiscuous", types.BoolType, &m.AllowPromiscuous}, {"allow_mac_changes", types.BoolType, &m.AllowMacChanges},
		{"allow_forged_transmits", types.BoolType, &m.AllowForgedTransmits},
		{"mac_learning", types.ObjectType{AttrTypes: macLearningModel{}.attrTypes()}, &m.MacLearning},
		{"teaming", types.ObjectType{AttrTypes: teamingModel{}.attrTypes()}, &m.Teaming},
		{"toggle_on_apply", types.BoolType, &m.ToggleOnApply}, {"toggle_triggers", strMap, &m.ToggleTriggers},
		{"restore_on_destroy", types.BoolType, &m.RestoreOnDestroy}, {"allow_port_overrides", types.BoolType, &m.AllowPortOverrides},
		{"vip_mac", types.StringType, &m.VIPMac}, {"vhids", types.Int64Type, &m.VHIDs},
		{"switch", types.StringType, &m.Switch},
		{"effective_policy", types.ObjectType{AttrTypes: effectiveTypes()}, &m.EffectivePolicy},
		{"hazards", stringList, &m.Hazards}, {"hazards_repaired", stringList, &m.HazardsRepaired},
		{"toggle_hazards", stringList, &m.ToggleHazards}, {"original_policy", types.StringType, &m.OriginalPolicy},
	}
}

// readValue fills m from raw, a plan or state of the resource's schema.
func (m *policyModel) readValue(ctx context.Context, raw tftypes.Value) (diags diag.Diagnostics) {
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		diags.AddError("Unexpected value", fmt.Sprintf("The carp_portgroup_policy value is not an object: %v. This is a bug in the provider.", err))
		return diags
	}
	for _, f := range m.fields() {
		v, err := f.typ.ValueFromTerraform(ctx, attrs[f.name])
		if err == nil {
			err = assign(f.ptr, v)
		}
		if err != nil {
			diags.AddError("Unexpected value", fmt.Sprintf("The carp_portgroup_policy attribute %s: %v. This is a bug in the provider.", f.name, err))
		}
	}
	return diags
}

// value is m as a value of type typ (the resource's object type).
func (m *policyModel) value(ctx context.Context, typ tftypes.Type) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	fields := m.fields()
	attrs := make(map[string]tftypes.Value, len(fields))
	for _, f := range fields {
		val, ok := f.ptr.(attr.Value)
		if !ok {
			diags.AddError("Unexpected value", fmt.Sprintf("The carp_portgroup_policy attribute %s: %T is not a Terraform value. This is a bug in the provider.", f.name, f.ptr))
			continue
		}
		if val.IsNull() { // null of the field's type (a zero value has none)
			attrs[f.name] = tftypes.NewValue(f.typ.TerraformType(ctx), nil)
			continue
		}
		v, err := val.ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Unexpected value", fmt.Sprintf("The carp_portgroup_policy attribute %s: %v. This is a bug in the provider.", f.name, err))
		}
		attrs[f.name] = v
	}
	if err := tftypes.ValidateValue(typ, attrs); err != nil {
		diags.AddError("Unexpected value", fmt.Sprintf("The carp_portgroup_policy value does not fit its schema: %v. This is a bug in the provider.", err))
		return tftypes.Value{}, diags
	}
	return tftypes.NewValue(typ, attrs), diags
}

// setIn writes m into s, a state of the resource (State.Set without the
// reflection).
func (m *policyModel) setIn(ctx context.Context, s *tfsdk.State) diag.Diagnostics {
	typ := s.Raw.Type()
	if typ == nil {
		typ = s.Schema.Type().TerraformType(ctx)
	}
	raw, diags := m.value(ctx, typ)
	if !diags.HasError() {
		s.Raw = raw
	}
	return diags
}

func assign(ptr any, v attr.Value) error {
	var ok bool
	switch p := ptr.(type) {
	case *types.String:
		*p, ok = v.(types.String)
	case *types.Bool:
		*p, ok = v.(types.Bool)
	case *types.Int64:
		*p, ok = v.(types.Int64)
	case *types.List:
		*p, ok = v.(types.List)
	case *types.Map:
		*p, ok = v.(types.Map)
	case *types.Object:
		*p, ok = v.(types.Object)
	}
	if !ok {
		return fmt.Errorf("a %T does not fit a %T field", v, ptr)
	}
	return nil
}
