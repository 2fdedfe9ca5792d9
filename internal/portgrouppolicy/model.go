package portgrouppolicy

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

type policyModel struct {
	ID                   types.String `tfsdk:"id"`
	HostSystemID         types.String `tfsdk:"host_system_id"`
	PortGroup            types.String `tfsdk:"portgroup"`
	DVPortGroupID        types.String `tfsdk:"distributed_portgroup_id"`
	AllowPromiscuous     types.Bool   `tfsdk:"allow_promiscuous"`
	AllowMacChanges      types.Bool   `tfsdk:"allow_mac_changes"`
	AllowForgedTransmits types.Bool   `tfsdk:"allow_forged_transmits"`
	MacLearning          types.Object `tfsdk:"mac_learning"`
	Teaming              types.Object `tfsdk:"teaming"`
	ToggleOnApply        types.Bool   `tfsdk:"toggle_on_apply"`
	ToggleTriggers       types.Map    `tfsdk:"toggle_triggers"`
	RestoreOnDestroy     types.Bool   `tfsdk:"restore_on_destroy"`
	AllowPortOverrides   types.Bool   `tfsdk:"allow_port_overrides"`
	VIPMac               types.String `tfsdk:"vip_mac"`
	VHIDs                types.Int64  `tfsdk:"vhids"`
	Switch               types.String `tfsdk:"switch"`
	EffectivePolicy      types.Object `tfsdk:"effective_policy"`
	Hazards              types.List   `tfsdk:"hazards"`
	HazardsRepaired      types.List   `tfsdk:"hazards_repaired"`
	ToggleHazards        types.List   `tfsdk:"toggle_hazards"`
	OriginalPolicy       types.String `tfsdk:"original_policy"`
}

var stringList = types.ListType{ElemType: types.StringType}

// macLearningModel is the mac_learning block.
type macLearningModel struct {
	Enabled              types.Bool   `tfsdk:"enabled"`
	AllowUnicastFlooding types.Bool   `tfsdk:"allow_unicast_flooding"`
	Limit                types.Int64  `tfsdk:"limit"`
	LimitPolicy          types.String `tfsdk:"limit_policy"`
}

func (macLearningModel) attrTypes() map[string]attr.Type {
	return map[string]attr.Type{"enabled": types.BoolType, "allow_unicast_flooding": types.BoolType, "limit": types.Int64Type, "limit_policy": types.StringType}
}

// teamingModel is the teaming block.
type teamingModel struct {
	LoadBalancing    types.String `tfsdk:"load_balancing"`
	ActiveUplinks    types.List   `tfsdk:"active_uplinks"`
	StandbyUplinks   types.List   `tfsdk:"standby_uplinks"`
	NotifySwitches   types.Bool   `tfsdk:"notify_switches"`
	Failback         types.Bool   `tfsdk:"failback"`
	FailureDetection types.String `tfsdk:"failure_detection"`
}

func (teamingModel) attrTypes() map[string]attr.Type {
	return map[string]attr.Type{"load_balancing": types.StringType, "active_uplinks": stringList, "standby_uplinks": stringList,
		"notify_switches": types.BoolType, "failback": types.BoolType, "failure_detection": types.StringType}
}

// nullTeaming is a teaming block with every field null (left as it is).
func nullTeaming() teamingModel {
	return teamingModel{LoadBalancing: types.StringNull(), ActiveUplinks: types.ListNull(types.StringType), StandbyUplinks: types.ListNull(types.StringType),
		NotifySwitches: types.BoolNull(), Failback: types.BoolNull(), FailureDetection: types.StringNull()}
}

// effectiveTypes are the fields of the effective_policy attribute: what a
// port gets once inheritance is resolved. The security fields are not in
// it: the resource writes them explicitly, so allow_promiscuous, allow_mac_changes and
// allow_forged_transmits are what ports get (a value that inherits reads as
// null there and the plan sets it; hazards says what it lets through).
// States of earlier versions, which had them, still load: the framework
// drops attributes the schema does not define.
func effectiveTypes() map[string]attr.Type {
	return map[string]attr.Type{"mac_learning_enabled": types.BoolType, "load_balancing": types.StringType, "active_uplinks": stringList, "standby_uplinks": stringList,
		"notify_switches": types.BoolType, "failback": types.BoolType, "failure_detection": types.StringType}
}

// objectAs reads a nested block into its model; unknown fields read as
// null (callers check IsUnknown on the object first where it matters).
func objectAs(ctx context.Context, o types.Object, target any, diags *diag.Diagnostics) {
	diags.Append(o.As(ctx, target, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
}

// objectFrom is a nested block's value from its model.
func objectFrom(ctx context.Context, at map[string]attr.Type, model any, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValueFrom(ctx, at, model)
	diags.Append(d...)
	return o
}

// desiredSecurity is the planned security policy, every field explicit.
func desiredSecurity(m *policyModel) inventory.Security {
	return inventory.Security{
		AllowPromiscuous: inventory.Ptr(m.AllowPromiscuous.ValueBool()),
		MacChanges:       inventory.Ptr(m.AllowMacChanges.ValueBool()),
		ForgedTransmits:  inventory.Ptr(m.AllowForgedTransmits.ValueBool()),
	}
}

// macLearningOf returns the configured mac_learning block, nil when absent.
func macLearningOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) *inventory.MacLearning {
	if o.IsNull() || o.IsUnknown() {
		return nil
	}
	var m macLearningModel
	objectAs(ctx, o, &m, diags)
	lp := m.LimitPolicy.ValueString()
	if lp == "" {
		lp = MacLimitDrop
	}
	limit := m.Limit.ValueInt64()
	if m.Limit.IsNull() || m.Limit.IsUnknown() {
		limit = macLimitDefault
	}
	flood := true
	if !m.AllowUnicastFlooding.IsNull() && !m.AllowUnicastFlooding.IsUnknown() {
		flood = m.AllowUnicastFlooding.ValueBool()
	}
	return &inventory.MacLearning{Enabled: m.Enabled.ValueBool(), AllowUnicastFlooding: flood, Limit: int32(limit), LimitPolicy: lp}
}

// macLearningValue is the mac_learning block as read; null without MAC
// learning of the port group's own.
func macLearningValue(ctx context.Context, ml *inventory.MacLearning, diags *diag.Diagnostics) types.Object {
	if ml == nil {
		return types.ObjectNull(macLearningModel{}.attrTypes())
	}
	lp := strings.ToLower(ml.LimitPolicy)
	if lp == "" {
		lp = MacLimitDrop
	}
	return objectFrom(ctx, macLearningModel{}.attrTypes(), macLearningModel{
		Enabled: types.BoolValue(ml.Enabled), AllowUnicastFlooding: types.BoolValue(ml.AllowUnicastFlooding),
		Limit: types.Int64Value(int64(ml.Limit)), LimitPolicy: types.StringValue(lp),
	}, diags)
}

// teamingOf returns the configured teaming block, nil when absent. known is
// false when some of it is unknown (plan time).
func teamingOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) (spec *teamingSpec, known bool) {
	if o.IsUnknown() {
		return nil, false
	}
	if o.IsNull() {
		return nil, true
	}
	var m teamingModel
	objectAs(ctx, o, &m, diags)
	known = true
	s := &teamingSpec{}
	str := func(v types.String) *string {
		if v.IsUnknown() {
			known = false
		}
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		return inventory.Ptr(v.ValueString())
	}
	bl := func(v types.Bool) *bool {
		if v.IsUnknown() {
			known = false
		}
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		return inventory.Ptr(v.ValueBool())
	}
	list := func(v types.List) ([]string, bool) {
		if v.IsUnknown() {
			known = false
			return nil, false
		}
		if v.IsNull() {
			return nil, false
		}
		out := []string{}
		diags.Append(v.ElementsAs(ctx, &out, false)...)
		return out, true
	}
	s.LoadBalancing = str(m.LoadBalancing)
	s.Active, s.HasActive = list(m.ActiveUplinks)
	s.Standby, s.HasStandby = list(m.StandbyUplinks)
	s.NotifySwitches = bl(m.NotifySwitches)
	s.Failback = bl(m.Failback)
	s.FailureDetection = str(m.FailureDetection)
	return s, known
}

// teamingValue reports the port group's own teaming for the fields that
// prior (the teaming block in state) manages; all explicit fields when
// importing. Null when nothing is to be reported.
func teamingValue(ctx context.Context, own inventory.Teaming, prior types.Object, importing bool, diags *diag.Diagnostics) types.Object {
	null := types.ObjectNull(teamingModel{}.attrTypes())
	if !importing && prior.IsNull() {
		return null
	}
	pm := nullTeaming()
	if !importing {
		var ignored diag.Diagnostics
		objectAs(ctx, prior, &pm, &ignored)
	}
	managed := func(v attr.Value) bool { return importing || !v.IsNull() }
	out := nullTeaming()
	any := false
	if managed(pm.LoadBalancing) && own.Policy != nil {
		out.LoadBalancing, any = types.StringValue(*own.Policy), true
	}
	if own.Order != nil {
		// On import an empty list reads as null: a configuration rarely
		// spells out "no standby uplinks".
		if managed(pm.ActiveUplinks) && !(importing && len(own.Order.Active) == 0) {
			out.ActiveUplinks, any = tfvalue.StringList(own.Order.Active), true
		}
		if managed(pm.StandbyUplinks) && !(importing && len(own.Order.Standby) == 0) {
			out.StandbyUplinks, any = tfvalue.StringList(own.Order.Standby), true
		}
	}
	if managed(pm.NotifySwitches) && own.NotifySwitches != nil {
		out.NotifySwitches, any = types.BoolValue(*own.NotifySwitches), true
	}
	if managed(pm.Failback) && own.RollingOrder != nil {
		out.Failback, any = types.BoolValue(!*own.RollingOrder), true
	}
	if managed(pm.FailureDetection) && own.CheckBeacon != nil {
		out.FailureDetection, any = types.StringValue(failureDetection(*own.CheckBeacon)), true
	}
	if importing && !any {
		return null
	}
	return objectFrom(ctx, teamingModel{}.attrTypes(), out, diags)
}

func failureDetection(beacon bool) string {
	if beacon {
		return FailureBeaconProbing
	}
	return FailureLinkStatus
}

// effectiveValue is effective_policy (built without reflection: every
// Read builds one).
func effectiveValue(eff inventory.Effective, ml *inventory.MacLearning, diags *diag.Diagnostics) types.Object {
	o, d := types.ObjectValue(effectiveTypes(), map[string]attr.Value{
		"mac_learning_enabled": types.BoolValue(ml != nil && ml.Enabled),
		"load_balancing":       types.StringValue(eff.LoadBalancing),
		"active_uplinks":       tfvalue.StringList(eff.ActiveUplinks),
		"standby_uplinks":      tfvalue.StringList(eff.StandbyUplinks),
		"notify_switches":      types.BoolValue(eff.NotifySwitches),
		"failback":             types.BoolValue(eff.Failback),
		"failure_detection":    types.StringValue(failureDetection(eff.BeaconProbing)),
	})
	diags.Append(d...)
	return o
}
