package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ resource.Resource                     = (*portGroupPolicyResource)(nil)
	_ resource.ResourceWithConfigure        = (*portGroupPolicyResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*portGroupPolicyResource)(nil)
	_ resource.ResourceWithImportState      = (*portGroupPolicyResource)(nil)
	_ resource.ResourceWithConfigValidators = (*portGroupPolicyResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*portGroupPolicyResource)(nil)
)

// Retry of the second write of a toggle: the port group is without
// promiscuous mode until it succeeds.
const (
	concurrentAttempts = 3
)

// NewPortGroupPolicyResource is the carp_portgroup_policy resource.
func NewPortGroupPolicyResource() resource.Resource { return &portGroupPolicyResource{} }

type portGroupPolicyResource struct{ client *vsphere.Client }

type portGroupPolicyModel struct {
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
	Switch               types.String `tfsdk:"switch"`
	EffectivePolicy      types.Object `tfsdk:"effective_policy"`
	Hazards              types.List   `tfsdk:"hazards"`
	ToggleHazards        types.List   `tfsdk:"toggle_hazards"`
	OriginalPolicy       types.String `tfsdk:"original_policy"`
}

type macLearningModel struct {
	Enabled              types.Bool   `tfsdk:"enabled"`
	AllowUnicastFlooding types.Bool   `tfsdk:"allow_unicast_flooding"`
	Limit                types.Int64  `tfsdk:"limit"`
	LimitPolicy          types.String `tfsdk:"limit_policy"`
}

type teamingModel struct {
	LoadBalancing    types.String `tfsdk:"load_balancing"`
	ActiveUplinks    types.List   `tfsdk:"active_uplinks"`
	StandbyUplinks   types.List   `tfsdk:"standby_uplinks"`
	NotifySwitches   types.Bool   `tfsdk:"notify_switches"`
	Failback         types.Bool   `tfsdk:"failback"`
	FailureDetection types.String `tfsdk:"failure_detection"`
}

type effectiveModel struct {
	AllowPromiscuous     types.Bool   `tfsdk:"allow_promiscuous"`
	AllowMacChanges      types.Bool   `tfsdk:"allow_mac_changes"`
	AllowForgedTransmits types.Bool   `tfsdk:"allow_forged_transmits"`
	MacLearningEnabled   types.Bool   `tfsdk:"mac_learning_enabled"`
	LoadBalancing        types.String `tfsdk:"load_balancing"`
	ActiveUplinks        types.List   `tfsdk:"active_uplinks"`
	StandbyUplinks       types.List   `tfsdk:"standby_uplinks"`
	NotifySwitches       types.Bool   `tfsdk:"notify_switches"`
	Failback             types.Bool   `tfsdk:"failback"`
	FailureDetection     types.String `tfsdk:"failure_detection"`
}

var (
	stringList       = types.ListType{ElemType: types.StringType}
	macLearningTypes = map[string]attr.Type{"enabled": types.BoolType, "allow_unicast_flooding": types.BoolType, "limit": types.Int64Type, "limit_policy": types.StringType}
	teamingTypes     = map[string]attr.Type{"load_balancing": types.StringType, "active_uplinks": stringList, "standby_uplinks": stringList,
		"notify_switches": types.BoolType, "failback": types.BoolType, "failure_detection": types.StringType}
	effectiveTypes = map[string]attr.Type{"allow_promiscuous": types.BoolType, "allow_mac_changes": types.BoolType, "allow_forged_transmits": types.BoolType,
		"mac_learning_enabled": types.BoolType, "load_balancing": types.StringType, "active_uplinks": stringList, "standby_uplinks": stringList,
		"notify_switches": types.BoolType, "failback": types.BoolType, "failure_detection": types.StringType}
)

func (r *portGroupPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_portgroup_policy"
}

func (r *portGroupPolicyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	secBool := func(what string) schema.BoolAttribute {
		return schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			MarkdownDescription: fmt.Sprintf("Accept %s, written as the port group's own explicit value (never left to inherit). Default `true`, which CARP needs. "+
				"Refresh reports the port group's own value, so a change made outside Terraform shows as drift; when the port group inherits the value, it reads as null and the plan sets it explicitly.", what),
		}
	}
	uplinkList := func(what string) schema.ListAttribute {
		return schema.ListAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: what + " Physical NIC names (`vmnic1`) on a standard vSwitch, uplink port names (`uplink1`) on a distributed switch. Null leaves the list as it is.",
			Validators:          []validator.List{listvalidator.UniqueValues(), listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The security (and optionally MAC learning and teaming) policy of one existing port group used by CARP firewalls: " +
			"a port group of a standard vSwitch on one host, or a distributed port group. The provider never creates or deletes port groups; " +
			"it writes explicit overrides, warns at plan time about the CARP pitfalls it finds, can toggle promiscuous mode off and on, and puts the " +
			"original policy back on destroy.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "`<host moref>:<port group name>` for a standard port group, the DV port group moref for a distributed one.",
			},
			"host_system_id": schema.StringAttribute{
				Optional: true, PlanModifiers: replace,
				MarkdownDescription: "Managed object id of the ESXi host (such as `host-21`) whose standard port group `portgroup` is managed. Set with `portgroup`, not with `distributed_portgroup_id`. Changing it replaces the resource.",
				Validators:          []validator.String{stringvalidator.RegexMatches(morefRE("host"), "must be a host managed object id such as host-21")},
			},
			"portgroup": schema.StringAttribute{
				Optional: true, PlanModifiers: replace,
				MarkdownDescription: "Name of an existing port group on a standard vSwitch of `host_system_id`. Changing it replaces the resource.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"distributed_portgroup_id": schema.StringAttribute{
				Optional: true, PlanModifiers: replace,
				MarkdownDescription: "Managed object id of an existing distributed port group, such as `dvportgroup-42`. Not with `host_system_id`/`portgroup`. Changing it replaces the resource.",
				Validators:          []validator.String{stringvalidator.RegexMatches(morefRE("dvportgroup"), "must be a distributed port group managed object id such as dvportgroup-42")},
			},
			"allow_promiscuous":      secBool("promiscuous mode"),
			"allow_mac_changes":      secBool("MAC address changes"),
			"allow_forged_transmits": secBool("forged transmits"),
			"toggle_on_apply": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "On create and on every update, first save the port group with promiscuous mode off, then write the desired policy: two writes, " +
					"in that order, with a moment without promiscuous mode. Clears CARP006 (an upgraded 4.x/5.0 switch) and CARP007 (port mirroring). " +
					"While set, a change of those hazards (or of the host's reverse-path check) after the last apply makes the next plan toggle again. Default `false`.",
			},
			"toggle_triggers": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Arbitrary values; any change makes the next apply toggle promiscuous mode, like a null resource's triggers (for example the mirroring state).",
			},
			"restore_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "On destroy, put back the policy found before create (`original_policy`), inheritance included: a value that inherited before inherits again. Default `true`.",
			},
			"switch": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The vSwitch name (standard) or the distributed switch moref.",
			},
			"effective_policy": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What a port of the port group really gets once inheritance from the switch is resolved.",
				Attributes: map[string]schema.Attribute{
					"allow_promiscuous":      schema.BoolAttribute{Computed: true, MarkdownDescription: "Promiscuous mode accepted."},
					"allow_mac_changes":      schema.BoolAttribute{Computed: true, MarkdownDescription: "MAC address changes accepted."},
					"allow_forged_transmits": schema.BoolAttribute{Computed: true, MarkdownDescription: "Forged transmits accepted."},
					"mac_learning_enabled":   schema.BoolAttribute{Computed: true, MarkdownDescription: "MAC learning enabled (false on standard port groups)."},
					"load_balancing":         schema.StringAttribute{Computed: true, MarkdownDescription: "Load balancing policy."},
					"active_uplinks":         schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Active uplinks."},
					"standby_uplinks":        schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Standby uplinks."},
					"notify_switches":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Notify switches."},
					"failback":               schema.BoolAttribute{Computed: true, MarkdownDescription: "Failback."},
					"failure_detection":      schema.StringAttribute{Computed: true, MarkdownDescription: "Failure detection: " + mdList(failureDetections) + "."},
				},
			},
			"hazards": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The CARP codes (`CARP001`...) currently detected for this port group, sorted. Empty when none.",
			},
			"toggle_hazards": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The conditions that call for a toggle, as found at the last apply (`CARP006`, `CARP007`, `mirror=<session>`, `rpf=<value>`). With `toggle_on_apply`, a change re-toggles.",
			},
			"original_policy": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				MarkdownDescription: "The port group's own policy found before create (or at import), as JSON; null values inherited. `restore_on_destroy` writes it back.",
			},
		},
		Blocks: map[string]schema.Block{
			"mac_learning": schema.SingleNestedBlock{
				MarkdownDescription: "MAC learning, on distributed port groups of a switch of version 6.6.0 or later only (elsewhere the plan fails with CARP014). " +
					"With it enabled, `allow_promiscuous` may be `false` without CARP001. Absent leaves the port group's MAC learning as it is.",
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{Optional: true, MarkdownDescription: "Enable MAC learning. Required in the block."},
					"allow_unicast_flooding": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
						MarkdownDescription: "Flood unicast frames to unknown MAC addresses. Default `true`."},
					"limit": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(macLimitDefault),
						MarkdownDescription: fmt.Sprintf("How many MAC addresses a port learns, %d to %d. Default `%d`.", macLimitMin, macLimitMax, macLimitDefault),
						Validators:          []validator.Int64{int64validator.Between(macLimitMin, macLimitMax)}},
					"limit_policy": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(MacLimitDrop),
						MarkdownDescription: "What happens to frames from new MAC addresses once the limit is reached: " + mdList(macLimitPolicies) + ". Default `" + MacLimitDrop + "`.",
						Validators:          []validator.String{stringvalidator.OneOf(macLimitPolicies...)}},
				},
			},
			"teaming": schema.SingleNestedBlock{
				MarkdownDescription: "NIC teaming override of the port group. Absent leaves the teaming as it is; inside the block, a null field leaves that value as it is.",
				Attributes: map[string]schema.Attribute{
					"load_balancing": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Load balancing: " + mdList(loadBalancingAll) + " (`" + inventory.LBLoadBased + "` on a distributed switch only). " +
							"Use `" + inventory.LBIPHash + "` when the uplinks are aggregated (CARP010).",
						Validators: []validator.String{stringvalidator.OneOf(loadBalancingAll...)}},
					"active_uplinks":  uplinkList("Active uplinks, in order."),
					"standby_uplinks": uplinkList("Standby uplinks, in order. One active uplink without a standby hides link loss from CARP (CARP011)."),
					"notify_switches": schema.BoolAttribute{Optional: true, MarkdownDescription: "Notify physical switches on failover."},
					"failback":        schema.BoolAttribute{Optional: true, MarkdownDescription: "Return to an active uplink once it recovers."},
					"failure_detection": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Network failure detection: " + mdList(failureDetections) + ".",
						Validators:          []validator.String{stringvalidator.OneOf(failureDetections...)}},
				},
			},
		},
	}
}

func (r *portGroupPolicyResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("host_system_id"), path.MatchRoot("distributed_portgroup_id")),
		resourcevalidator.RequiredTogether(path.MatchRoot("host_system_id"), path.MatchRoot("portgroup")),
		resourcevalidator.Conflicting(path.MatchRoot("portgroup"), path.MatchRoot("distributed_portgroup_id")),
	}
}

// ValidateConfig: a mac_learning block must say whether MAC learning is on
// (a block cannot mark its attribute Required without requiring the block).
func (r *portGroupPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var enabled types.Bool
	var ml types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("mac_learning"), &ml)...)
	if ml.IsNull() || ml.IsUnknown() {
		return
	}
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("mac_learning").AtName("enabled"), &enabled)...)
	if enabled.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("mac_learning").AtName("enabled"), "Missing mac_learning.enabled",
			"The mac_learning block needs enabled = true or enabled = false.")
	}
}

func (r *portGroupPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *portGroupPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	t, err := parsePortGroupID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid carp_portgroup_policy import id", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), t.ID())...)
	if t.isDV() {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("distributed_portgroup_id"), t.DVPortGroupID)...)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host_system_id"), t.HostID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("portgroup"), t.PortGroup)...)
}

// targetOf returns the model's target; ok is false while it is unknown.
func targetOf(m *portGroupPolicyModel) (pgTarget, bool) {
	if m.HostSystemID.IsUnknown() || m.PortGroup.IsUnknown() || m.DVPortGroupID.IsUnknown() {
		return pgTarget{}, false
	}
	if id := m.DVPortGroupID.ValueString(); id != "" {
		return pgTarget{DVPortGroupID: id}, true
	}
	if m.HostSystemID.ValueString() == "" || m.PortGroup.ValueString() == "" {
		return pgTarget{}, false
	}
	return pgTarget{HostID: m.HostSystemID.ValueString(), PortGroup: m.PortGroup.ValueString()}, true
}

func readRequest(t pgTarget) vsphere.Request {
	if t.isDV() {
		return vsphere.Request{DVPortGroupIDs: []string{t.DVPortGroupID}}
	}
	return vsphere.Request{HostIDs: []string{t.HostID}}
}

// pgView is the target as one snapshot shows it.
type pgView struct {
	t          pgTarget
	name       string // port group name
	hostName   string // standard only
	switchName string
	switchID   string // DVS moref; "" on a standard vSwitch
	version    string // DVS product version
	useMM      bool   // DVS >= 6.6.0: write macManagementPolicy
	own        inventory.Security
	ownTeam    inventory.Teaming
	ownML      *inventory.MacLearning
	eff        inventory.Effective
	uplinks    []string
}

// viewOf finds the target in the snapshot; nil when it is not there.
func viewOf(snap *vsphere.Snapshot, t pgTarget) *pgView {
	if t.isDV() {
		pg := snap.FindDVPortGroup(t.DVPortGroupID)
		if pg == nil {
			return nil
		}
		v := &pgView{t: t, name: pg.Name, switchID: pg.SwitchID, switchName: pg.SwitchID,
			own: pg.Security, ownTeam: pg.Teaming, ownML: pg.MacLearning, eff: pg.Effective}
		if sw := snap.FindDVSwitch(pg.SwitchID); sw != nil {
			v.switchName, v.version, v.uplinks = sw.Name, sw.Version, sw.Uplinks
			if ver, ok := rules.ParseVersion(sw.Version); ok {
				v.useMM = ver.AtLeast(6, 6, 0)
			}
		}
		return v
	}
	h := snap.FindHost(t.HostID)
	if h == nil {
		return nil
	}
	pg := h.PortGroup(t.PortGroup)
	if pg == nil {
		return nil
	}
	v := &pgView{t: t, name: pg.Name, hostName: h.Name, switchName: pg.VSwitch, own: pg.Security, ownTeam: pg.Teaming, eff: pg.Effective}
	if vs := h.VSwitch(pg.VSwitch); vs != nil {
		v.uplinks = vs.Uplinks
	}
	return v
}

// describe names the port group for messages: name, host or switch, morefs.
func (v *pgView) describe() string {
	if v.t.isDV() {
		return fmt.Sprintf("distributed port group %q (%s) on switch %s (%s)", v.name, v.t.DVPortGroupID, v.switchName, v.switchID)
	}
	return fmt.Sprintf("port group %q on vSwitch %s of host %s (%s)", v.name, v.switchName, v.hostName, v.t.HostID)
}

// switchKey is the `switch` attribute.
func (v *pgView) switchKey() string {
	if v.t.isDV() {
		return v.switchID
	}
	return v.switchName
}

// lockedRead takes the write lock of the target's host network system (the
// key carp_host_settings uses for the same port groups) or distributed
// switch, then reads the target fresh under it, for a read-modify-write.
// The host's network system moref comes from a first read, which the read
// cache usually answers. Call unlock when done.
func (r *portGroupPolicyResource) lockedRead(ctx context.Context, t pgTarget, switchID string) (snap *vsphere.Snapshot, unlock func(), err error) {
	key := switchID
	if !t.isDV() {
		first, err := r.client.Read(ctx, readRequest(t))
		if err != nil {
			return nil, nil, err
		}
		key = first.HostRefs[t.HostID].NetworkSystem.Value
		if key == "" { // no such host: nothing to lock
			return first, func() {}, nil
		}
	} else if key == "" {
		key = t.DVPortGroupID
	}
	unlock = r.client.LockObject(key)
	r.client.Invalidate(t.HostID, t.DVPortGroupID, switchID)
	snap, err = r.client.Read(ctx, readRequest(t))
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return snap, unlock, nil
}

// setLocal writes the post-write policy into the snapshot so that the rules
// judge what the port group has now, without reading it back.
func setLocal(snap *vsphere.Snapshot, t pgTarget, sec inventory.Security, team inventory.Teaming, ml *inventory.MacLearning, eff inventory.Effective) {
	if t.isDV() {
		if pg := snap.FindDVPortGroup(t.DVPortGroupID); pg != nil {
			pg.Security, pg.Teaming, pg.MacLearning, pg.Effective = sec, team, ml, eff
		}
		return
	}
	if h := snap.FindHost(t.HostID); h != nil {
		if pg := h.PortGroup(t.PortGroup); pg != nil {
			pg.Security, pg.Teaming, pg.Effective = sec, team, eff
		}
	}
}

func hazardsOf(snap *vsphere.Snapshot, t pgTarget) []string {
	var sc rules.Scope
	if t.isDV() {
		sc.DVPortGroups = []string{t.DVPortGroupID}
	} else {
		sc.PortGroups = []rules.PortGroupRef{{HostID: t.HostID, Name: t.PortGroup}}
	}
	return findingCodes(rules.Evaluate(snap.Snapshot, sc))
}

func toggleHazardsOf(snap *vsphere.Snapshot, t pgTarget) []string {
	var out []string
	if t.isDV() {
		out = rules.ToggleHazardsDV(snap.Snapshot, t.DVPortGroupID)
	} else {
		out = rules.ToggleHazardsStandard(snap.Snapshot, t.HostID, t.PortGroup)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// desiredSecurity is the planned security policy, every field explicit.
func desiredSecurity(m *portGroupPolicyModel) inventory.Security {
	return inventory.Security{
		AllowPromiscuous: boolp(m.AllowPromiscuous.ValueBool()),
		MacChanges:       boolp(m.AllowMacChanges.ValueBool()),
		ForgedTransmits:  boolp(m.AllowForgedTransmits.ValueBool()),
	}
}

// macLearningOf returns the configured mac_learning block, nil when absent.
func macLearningOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) *inventory.MacLearning {
	if o.IsNull() || o.IsUnknown() {
		return nil
	}
	var m macLearningModel
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
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
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	known = true
	s := &teamingSpec{}
	str := func(v types.String) *string {
		if v.IsUnknown() {
			known = false
		}
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		return strp(v.ValueString())
	}
	bl := func(v types.Bool) *bool {
		if v.IsUnknown() {
			known = false
		}
		if v.IsNull() || v.IsUnknown() {
			return nil
		}
		return boolp(v.ValueBool())
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

func stringListValue(items []string) types.List {
	if items == nil {
		items = []string{}
	}
	vals := make([]attr.Value, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

func listStrings(ctx context.Context, l types.List) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	_ = l.ElementsAs(ctx, &out, false)
	return out
}

func failureDetection(beacon bool) string {
	if beacon {
		return FailureBeaconProbing
	}
	return FailureLinkStatus
}

func effectiveValue(eff inventory.Effective, ml *inventory.MacLearning) types.Object {
	return types.ObjectValueMust(effectiveTypes, map[string]attr.Value{
		"allow_promiscuous":      types.BoolValue(eff.AllowPromiscuous),
		"allow_mac_changes":      types.BoolValue(eff.MacChanges),
		"allow_forged_transmits": types.BoolValue(eff.ForgedTransmits),
		"mac_learning_enabled":   types.BoolValue(ml != nil && ml.Enabled),
		"load_balancing":         types.StringValue(eff.LoadBalancing),
		"active_uplinks":         stringListValue(eff.ActiveUplinks),
		"standby_uplinks":        stringListValue(eff.StandbyUplinks),
		"notify_switches":        types.BoolValue(eff.NotifySwitches),
		"failback":               types.BoolValue(eff.Failback),
		"failure_detection":      types.StringValue(failureDetection(eff.BeaconProbing)),
	})
}

func macLearningValue(ml *inventory.MacLearning) types.Object {
	if ml == nil {
		return types.ObjectNull(macLearningTypes)
	}
	lp := strings.ToLower(ml.LimitPolicy)
	if lp == "" {
		lp = MacLimitDrop
	}
	return types.ObjectValueMust(macLearningTypes, map[string]attr.Value{
		"enabled":                types.BoolValue(ml.Enabled),
		"allow_unicast_flooding": types.BoolValue(ml.AllowUnicastFlooding),
		"limit":                  types.Int64Value(int64(ml.Limit)),
		"limit_policy":           types.StringValue(lp),
	})
}

// teamingValue reports the port group's own teaming for the fields that
// prior (the teaming block in state) manages; all explicit fields when
// importing. Null when nothing is to be reported.
func teamingValue(ctx context.Context, own inventory.Teaming, prior types.Object, importing bool) types.Object {
	if !importing && prior.IsNull() {
		return types.ObjectNull(teamingTypes)
	}
	var pm teamingModel
	managed := func(v attr.Value) bool { return importing || !v.IsNull() }
	if !importing {
		_ = prior.As(ctx, &pm, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})
	} else {
		pm = teamingModel{LoadBalancing: types.StringNull(), ActiveUplinks: types.ListNull(types.StringType), StandbyUplinks: types.ListNull(types.StringType),
			NotifySwitches: types.BoolNull(), Failback: types.BoolNull(), FailureDetection: types.StringNull()}
	}
	vals := map[string]attr.Value{
		"load_balancing": types.StringNull(), "active_uplinks": types.ListNull(types.StringType), "standby_uplinks": types.ListNull(types.StringType),
		"notify_switches": types.BoolNull(), "failback": types.BoolNull(), "failure_detection": types.StringNull(),
	}
	any := false
	if managed(pm.LoadBalancing) && own.Policy != nil {
		vals["load_balancing"], any = types.StringValue(*own.Policy), true
	}
	if own.Order != nil {
		// On import an empty list reads as null: a configuration rarely
		// spells out "no standby uplinks".
		if managed(pm.ActiveUplinks) && !(importing && len(own.Order.Active) == 0) {
			vals["active_uplinks"], any = stringListValue(own.Order.Active), true
		}
		if managed(pm.StandbyUplinks) && !(importing && len(own.Order.Standby) == 0) {
			vals["standby_uplinks"], any = stringListValue(own.Order.Standby), true
		}
	}
	if managed(pm.NotifySwitches) && own.NotifySwitches != nil {
		vals["notify_switches"], any = types.BoolValue(*own.NotifySwitches), true
	}
	if managed(pm.Failback) && own.RollingOrder != nil {
		vals["failback"], any = types.BoolValue(!*own.RollingOrder), true
	}
	if managed(pm.FailureDetection) && own.CheckBeacon != nil {
		vals["failure_detection"], any = types.StringValue(failureDetection(*own.CheckBeacon)), true
	}
	if importing && !any {
		return types.ObjectNull(teamingTypes)
	}
	return types.ObjectValueMust(teamingTypes, vals)
}

// fillComputed sets the computed attributes from a snapshot that already
// holds the port group's current (or just written) policy.
func fillComputed(m *portGroupPolicyModel, snap *vsphere.Snapshot, v *pgView, eff inventory.Effective, ml *inventory.MacLearning) {
	m.ID = types.StringValue(v.t.ID())
	m.Switch = types.StringValue(v.switchKey())
	m.EffectivePolicy = effectiveValue(eff, ml)
	m.Hazards = stringListValue(hazardsOf(snap, v.t))
}

func (r *portGroupPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return // destroy, or provider not configured yet
	}
	var plan portGroupPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *portGroupPolicyModel
	if !req.State.Raw.IsNull() {
		state = &portGroupPolicyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	t, ok := targetOf(&plan)
	if !ok {
		return
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, err := r.client.Read(ctx, readRequest(t))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the port group", fmt.Sprintf("Reading %s for the plan failed: %v", t.ID(), err))
		return
	}
	v := viewOf(snap, t)
	if v == nil {
		r.addMissing(ctx, &resp.Diagnostics, snap, t)
		return
	}
	team, teamKnown := teamingOf(ctx, plan.Teaming, &resp.Diagnostics)
	if team != nil {
		checkTeaming(&resp.Diagnostics, v, team)
	}
	ml := v.ownML
	mlKnown := !plan.MacLearning.IsUnknown()
	if !plan.MacLearning.IsNull() {
		ml = macLearningOf(ctx, plan.MacLearning, &resp.Diagnostics)
	}
	if plan.AllowPromiscuous.IsUnknown() || plan.AllowMacChanges.IsUnknown() || plan.AllowForgedTransmits.IsUnknown() || !teamKnown || !mlKnown {
		return // judged once known
	}
	pp := rules.PolicyPlan{
		AllowPromiscuous: plan.AllowPromiscuous.ValueBool(), AllowMacChanges: plan.AllowMacChanges.ValueBool(), AllowForgedTransmits: plan.AllowForgedTransmits.ValueBool(),
		MacLearning: ml, ToggleOnApply: plan.ToggleOnApply.ValueBool(),
	}
	if team != nil {
		tp := &rules.TeamingPlan{LoadBalancing: team.LoadBalancing}
		if team.HasActive || team.HasStandby {
			merged := mergeTeaming(v.ownTeam, v.eff, *team)
			tp.Active, tp.Standby = merged.Order.Active, merged.Order.Standby
		}
		pp.Teaming = tp
	}
	var findings []rules.Finding
	if t.isDV() {
		findings = rules.PlanDVPortGroup(snap.Snapshot, t.DVPortGroupID, pp)
	} else {
		findings = rules.PlanStandardPortGroup(snap.Snapshot, t.HostID, t.PortGroup, pp)
	}
	var warn, fatal []rules.Finding
	for _, f := range findings {
		if f.Code == "CARP014" {
			fatal = append(fatal, f)
		} else {
			warn = append(warn, f)
		}
	}
	addFindings(&resp.Diagnostics, path.Root("mac_learning"), fatal, map[string]bool{"CARP014": true})
	addFindings(&resp.Diagnostics, targetPath(t), warn, nil)
	scope := rules.Scope{DVPortGroups: []string{t.DVPortGroupID}}
	if !t.isDV() {
		scope = rules.Scope{PortGroups: []rules.PortGroupRef{{HostID: t.HostID, Name: t.PortGroup}}}
	}
	addFixedFindings(&resp.Diagnostics, targetPath(t), rules.Evaluate(snap.Snapshot, scope), findings)

	if state == nil {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), t.ID())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("switch"), v.switchKey())...)
		return
	}
	// Hazard drift: the conditions that call for a toggle changed since
	// the last apply.
	if plan.ToggleOnApply.ValueBool() && !state.ToggleHazards.IsNull() {
		now, before := toggleHazardsOf(snap, t), listStrings(ctx, state.ToggleHazards)
		if !slices.Equal(now, before) {
			resp.Diagnostics.AddAttributeWarning(path.Root("toggle_on_apply"), "Toggle hazards changed: promiscuous mode will be toggled again",
				fmt.Sprintf("The conditions that call for a toggle on %s changed since the last apply, from [%s] to [%s] (CARP006 legacy switch, CARP007 and mirror=<session> port mirroring, rpf=<Net.ReversePathFwdCheckPromisc>). "+
					"With toggle_on_apply = true this apply turns promiscuous mode off and on again.", v.describe(), strings.Join(before, ", "), strings.Join(now, ", ")))
			for _, a := range []string{"toggle_hazards", "hazards"} {
				resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(a), types.ListUnknown(types.StringType))...)
			}
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("effective_policy"), types.ObjectUnknown(effectiveTypes))...)
		}
	}
}

func targetPath(t pgTarget) path.Path {
	if t.isDV() {
		return path.Root("distributed_portgroup_id")
	}
	return path.Root("portgroup")
}

// checkTeaming reports teaming values the target cannot take.
func checkTeaming(diags *diag.Diagnostics, v *pgView, t *teamingSpec) {
	if t.LoadBalancing != nil && *t.LoadBalancing == inventory.LBLoadBased && !v.t.isDV() {
		diags.AddAttributeError(path.Root("teaming").AtName("load_balancing"), "Load-based teaming needs a distributed switch",
			fmt.Sprintf("%q is not available on %s, a standard vSwitch port group. Use one of %s.", inventory.LBLoadBased, v.describe(), strings.Join(loadBalancingStandard, ", ")))
	}
	if bad := unknownUplinks(*t, v.uplinks); len(bad) > 0 {
		what := "physical NICs bridged by the vSwitch"
		if v.t.isDV() {
			what = "uplink ports of the switch"
		}
		diags.AddAttributeError(path.Root("teaming"), "Unknown uplink",
			fmt.Sprintf("%s: %s %s not among the %s. Valid uplinks: %s.", v.describe(), listSome(bad, 10), plural(len(bad), "is", "are"), what, listSome(v.uplinks, 20)))
	}
	for _, a := range t.Active {
		if slices.Contains(t.Standby, a) {
			diags.AddAttributeError(path.Root("teaming").AtName("standby_uplinks"), "Uplink both active and standby",
				fmt.Sprintf("%q is listed in both active_uplinks and standby_uplinks of %s; list it once.", a, v.describe()))
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// addMissing explains a target that does not exist, naming what does.
func (r *portGroupPolicyResource) addMissing(ctx context.Context, diags *diag.Diagnostics, snap *vsphere.Snapshot, t pgTarget) {
	if t.isDV() {
		list := "(could not list them)"
		if pgs, err := r.client.DVPortGroups(ctx); err == nil {
			names := make([]string, 0, len(pgs))
			for _, p := range pgs {
				names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
			}
			list = listSome(names, 10)
		}
		diags.AddAttributeError(path.Root("distributed_portgroup_id"), "Distributed port group not found",
			fmt.Sprintf("There is no distributed port group %s. Distributed port groups that exist: %s. Use the moref of an existing one; this provider does not create port groups.", t.DVPortGroupID, list))
		return
	}
	h := snap.FindHost(t.HostID)
	if h == nil {
		list := "(could not list them)"
		if tree, err := r.client.InventoryTree(ctx); err == nil {
			names := make([]string, 0, len(tree.Hosts))
			for _, e := range tree.Hosts {
				names = append(names, fmt.Sprintf("%s (%s)", e.Name, e.ID))
			}
			list = listSome(names, 10)
		}
		diags.AddAttributeError(path.Root("host_system_id"), "Host not found",
			fmt.Sprintf("There is no host %s. Hosts: %s. The carp_hosts data source lists their ids.", t.HostID, list))
		return
	}
	names := make([]string, 0, len(h.PortGroups))
	for _, pg := range h.PortGroups {
		names = append(names, fmt.Sprintf("%s (vSwitch %s)", pg.Name, pg.VSwitch))
	}
	diags.AddAttributeError(path.Root("portgroup"), "Port group not found",
		fmt.Sprintf("Host %s (%s) has no standard port group %q. Port groups on it: %s. Use an existing port group; this provider does not create port groups.", h.Name, h.ID, t.PortGroup, listSome(names, 10)))
}

func (r *portGroupPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m portGroupPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	written, diags := r.apply(ctx, &m, m.ToggleOnApply.ValueBool(), true)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() && !written {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *portGroupPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior portGroupPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	toggle := m.ToggleOnApply.ValueBool() || !m.ToggleTriggers.Equal(prior.ToggleTriggers)
	m.OriginalPolicy = prior.OriginalPolicy
	if m.Switch.IsUnknown() {
		m.Switch = prior.Switch
	}
	written, diags := r.apply(ctx, &m, toggle, false)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() && !written {
		resp.Diagnostics.Append(resp.State.Set(ctx, &prior)...)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// apply writes the planned policy (toggling first when asked) and fills m
// with the resulting state, computed locally. On an error after a first
// write succeeded, written is true and m describes what the port group was
// left with (promiscuous mode off), so that the next plan repairs it.
func (r *portGroupPolicyResource) apply(ctx context.Context, m *portGroupPolicyModel, toggle, create bool) (written bool, diags diag.Diagnostics) {
	t, ok := targetOf(m)
	if !ok {
		diags.AddError("Unknown target", "host_system_id/portgroup or distributed_portgroup_id must be known at apply time.")
		return false, diags
	}
	if r.client == nil {
		diags.AddError("Provider not configured", "The carp provider has no vSphere session.")
		return false, diags
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	switchID := ""
	if t.isDV() && !m.Switch.IsUnknown() {
		switchID = m.Switch.ValueString()
	}
	snap, unlock, err := r.lockedRead(ctx, t, switchID)
	if err != nil {
		diags.AddError("Cannot read the port group", fmt.Sprintf("Reading %s failed: %v", t.ID(), err))
		return false, diags
	}
	defer unlock()
	v := viewOf(snap, t)
	if v == nil {
		r.addMissing(ctx, &diags, snap, t)
		return false, diags
	}
	if create || m.OriginalPolicy.IsNull() || m.OriginalPolicy.IsUnknown() {
		m.OriginalPolicy = types.StringValue(newSavedPolicy(v.own, v.ownTeam, v.ownML).encode())
	}
	sec := desiredSecurity(m)
	ml := macLearningOf(ctx, m.MacLearning, &diags)
	spec, _ := teamingOf(ctx, m.Teaming, &diags)
	if spec != nil {
		checkTeaming(&diags, v, spec)
	}
	if ml != nil && !v.useMM {
		diags.AddAttributeError(path.Root("mac_learning"), "CARP014 mac_learning_unsupported",
			fmt.Sprintf("CARP014 %s: MAC learning needs a distributed switch of version 6.6.0 or later. Remove the mac_learning block and use allow_promiscuous = true.", v.describe()))
	}
	if diags.HasError() {
		return false, diags
	}
	var teamPtr *inventory.Teaming
	team := v.ownTeam
	if spec != nil {
		team = mergeTeaming(v.ownTeam, v.eff, *spec)
		teamPtr = &team
	}
	finalML := v.ownML
	if ml != nil {
		finalML = ml
	}

	// The state if the second write of a toggle never lands.
	off := v.own
	off.AllowPromiscuous = boolp(false)
	leftOff := func() {
		eff := effectiveAfter(v.eff, off, v.ownTeam)
		setLocal(snap, t, off, v.ownTeam, v.ownML, eff)
		m.AllowPromiscuous = types.BoolValue(false)
		m.AllowMacChanges = types.BoolPointerValue(off.MacChanges)
		m.AllowForgedTransmits = types.BoolPointerValue(off.ForgedTransmits)
		m.MacLearning = macLearningValue(v.ownML)
		if !m.Teaming.IsNull() {
			m.Teaming = teamingValue(ctx, v.ownTeam, m.Teaming, false)
		}
		fillComputed(m, snap, v, eff, v.ownML)
		m.ToggleHazards = stringListValue(toggleHazardsOf(snap, t))
	}

	if t.isDV() {
		written, err = r.writeDV(ctx, snap, v, toggle, off, vsphere.DVPolicy{Security: sec, MacLearning: ml, UseMacManagement: v.useMM, Teaming: teamPtr})
	} else {
		written, err = r.writeStandard(ctx, snap, v, toggle, off, sec, teamPtr)
	}
	if err != nil {
		if written && vsphere.IsNoAnswer(err) {
			leftOff()
			diags.AddError("Toggle may have left promiscuous mode OFF",
				fmt.Sprintf("Promiscuous mode was turned off on %s, then vSphere stopped answering: %s. "+noAnswerDetail,
					v.describe(), objectError("writing the desired policy of", "port group", v.name, t.ID(), err), r.client.APITimeout(), vsphere.RestoreDeadline))
			return true, diags
		}
		if written {
			leftOff()
			diags.AddError("Toggle left promiscuous mode OFF",
				fmt.Sprintf("Promiscuous mode was turned off on %s, but writing the desired policy failed after %d attempts: %s. "+
					"The port group is left rejecting promiscuous mode, so CARP on it is broken until the next apply; the next plan re-enables it (allow_promiscuous shows false -> true).",
					v.describe(), restoreAttempts, objectError("writing the policy of", "port group", v.name, t.ID(), err)))
			return true, diags
		}
		addObjectError(&diags, targetAttr(t), "Cannot write the port group policy", objectError("writing the policy of", portGroupKind(t), v.name, t.ID(), err)+
			fmt.Sprintf(" (%s). Promiscuous mode is not left off by this apply.", v.describe()), err)
		return false, diags
	}
	if written && ctx.Err() != nil {
		diags.AddWarning("Interrupted during a toggle: promiscuous mode restored",
			fmt.Sprintf("The operation was cancelled (%v) between the two writes of the toggle of %s. The second write, the desired policy, was still made (with its own %v deadline), so the port group is not left without promiscuous mode.",
				ctx.Err(), v.describe(), vsphere.RestoreDeadline))
	}
	eff := effectiveAfter(v.eff, sec, team)
	setLocal(snap, t, sec, team, finalML, eff)
	fillComputed(m, snap, v, eff, finalML)
	m.ToggleHazards = stringListValue(toggleHazardsOf(snap, t))
	tflog.Debug(ctx, "carp_portgroup_policy applied", map[string]any{"id": t.ID(), "toggle": toggle})
	return true, diags
}

// targetAttr is the attribute that names the port group.
func targetAttr(t pgTarget) path.Path {
	if t.isDV() {
		return path.Root("distributed_portgroup_id")
	}
	return path.Root("host_system_id")
}

func portGroupKind(t pgTarget) string {
	if t.isDV() {
		return "distributed port group"
	}
	return "port group"
}

// writeStandard makes one UpdatePortGroup write, or two with toggle (off,
// then desired; the second retried). written reports whether the first
// write of a toggle landed.
func (r *portGroupPolicyResource) writeStandard(ctx context.Context, snap *vsphere.Snapshot, v *pgView, toggle bool, off, sec inventory.Security, team *inventory.Teaming) (bool, error) {
	netSys := snap.HostRefs[v.t.HostID].NetworkSystem
	spec := snap.PortGroupRaw[v.t.HostID+":"+v.t.PortGroup]
	if !toggle {
		return false, r.client.SetPortGroupPolicy(ctx, netSys, spec, sec, team)
	}
	return toggleWrites(ctx,
		func(ctx context.Context) error { return r.client.SetPortGroupPolicy(ctx, netSys, spec, off, nil) },
		func(ctx context.Context) error { return r.client.SetPortGroupPolicy(ctx, netSys, spec, sec, team) })
}

// writeDV makes one ReconfigureDVPortgroup_Task, or two with toggle,
// carrying configVersion from the first to the second. ConcurrentAccess
// (another writer got in between) re-reads the version and retries.
func (r *portGroupPolicyResource) writeDV(ctx context.Context, snap *vsphere.Snapshot, v *pgView, toggle bool, off inventory.Security, want vsphere.DVPolicy) (bool, error) {
	id := v.t.DVPortGroupID
	version := snap.DVPortGroupRaw[id].ConfigVersion
	reread := func(ctx context.Context) error {
		s, err := r.client.Read(ctx, vsphere.Request{DVPortGroupIDs: []string{id}})
		if err != nil {
			return err
		}
		if _, ok := s.DVPortGroupRaw[id]; !ok {
			return fmt.Errorf("distributed port group %s is gone", id)
		}
		version = s.DVPortGroupRaw[id].ConfigVersion
		return nil
	}
	write := func(ctx context.Context, p vsphere.DVPolicy) error {
		var err error
		for i := 0; i < concurrentAttempts; i++ {
			var next string
			next, err = r.client.ReconfigureDVPortGroup(ctx, id, version, p)
			if err == nil {
				version = next
				return nil
			}
			if !vsphere.IsConcurrentAccess(err) {
				return err
			}
			tflog.Debug(ctx, "ConcurrentAccess on DV port group; re-reading configVersion", map[string]any{"id": id})
			if rerr := reread(ctx); rerr != nil {
				return rerr
			}
		}
		return err
	}
	if !toggle {
		return false, write(ctx, want)
	}
	return toggleWrites(ctx,
		func(ctx context.Context) error {
			return write(ctx, vsphere.DVPolicy{Security: off, UseMacManagement: want.UseMacManagement})
		},
		func(ctx context.Context) error { return write(ctx, want) })
}

func (r *portGroupPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m portGroupPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, ok := targetOf(&m)
	if !ok {
		resp.Diagnostics.AddError("Invalid state", "The state names neither host_system_id/portgroup nor distributed_portgroup_id.")
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The carp provider has no vSphere session.")
		return
	}
	importing := m.OriginalPolicy.IsNull()
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, err := r.client.Read(ctx, readRequest(t))
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the port group", fmt.Sprintf("Reading %s failed: %v", t.ID(), err))
		return
	}
	v := viewOf(snap, t)
	if v == nil {
		if importing {
			r.addMissing(ctx, &resp.Diagnostics, snap, t)
			return
		}
		where := "host " + t.HostID
		if t.isDV() {
			where = "vCenter"
		}
		resp.Diagnostics.AddWarning("Port group gone; removed from state",
			fmt.Sprintf("%s %s no longer exists in %s, so carp_portgroup_policy %s is removed from state; nothing is left to restore. The next plan creates it again if it is still configured.",
				portGroupKind(t), t.ID(), where, t.ID()))
		resp.State.RemoveResource(ctx)
		return
	}
	m.AllowPromiscuous = types.BoolPointerValue(v.own.AllowPromiscuous)
	m.AllowMacChanges = types.BoolPointerValue(v.own.MacChanges)
	m.AllowForgedTransmits = types.BoolPointerValue(v.own.ForgedTransmits)
	if importing || !m.MacLearning.IsNull() {
		m.MacLearning = macLearningValue(v.ownML)
	}
	m.Teaming = teamingValue(ctx, v.ownTeam, m.Teaming, importing)
	if importing {
		m.OriginalPolicy = types.StringValue(newSavedPolicy(v.own, v.ownTeam, v.ownML).encode())
		m.ToggleOnApply = types.BoolValue(false)
		m.RestoreOnDestroy = types.BoolValue(true)
		m.ToggleTriggers = types.MapNull(types.StringType)
		m.ToggleHazards = stringListValue(toggleHazardsOf(snap, t))
	}
	fillComputed(&m, snap, v, v.eff, v.ownML)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *portGroupPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m portGroupPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || !m.RestoreOnDestroy.ValueBool() {
		return // restore_on_destroy = false: leave the policy as it is
	}
	t, ok := targetOf(&m)
	if !ok || r.client == nil {
		return
	}
	sp, err := decodeSavedPolicy(m.OriginalPolicy.ValueString())
	if err != nil || m.OriginalPolicy.IsNull() {
		resp.Diagnostics.AddWarning("Original policy not restored", fmt.Sprintf("carp_portgroup_policy %s has no readable original_policy, so the port group keeps its current policy.", t.ID()))
		return
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	switchID := ""
	if t.isDV() {
		switchID = m.Switch.ValueString()
	}
	snap, unlock, err := r.lockedRead(ctx, t, switchID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the port group", fmt.Sprintf("Reading %s to restore its policy failed: %v", t.ID(), err))
		return
	}
	defer unlock()
	v := viewOf(snap, t)
	if v == nil {
		resp.Diagnostics.AddWarning("Port group gone; nothing to restore", fmt.Sprintf("%s %s no longer exists, so its original policy cannot be put back.", portGroupKind(t), t.ID()))
		return
	}
	sec, team, ml := sp.security(), sp.teaming(), sp.macLearning()
	secDiff, teamDiff, mlDiff := !securityEqual(v.own, sec), !teamingEqual(v.ownTeam, team), !macLearningEqual(v.ownML, ml)
	if !secDiff && !teamDiff && !mlDiff {
		return
	}
	var teamPtr *inventory.Teaming
	if teamDiff {
		teamPtr = &team
	}
	if t.isDV() {
		p := vsphere.DVPolicy{Security: sec, UseMacManagement: v.useMM, Teaming: teamPtr}
		if mlDiff && v.useMM {
			p.MacLearning = ml
			p.MacLearningInherit = ml == nil
		}
		_, err = r.writeDV(ctx, snap, v, false, inventory.Security{}, p)
	} else {
		_, err = r.writeStandard(ctx, snap, v, false, inventory.Security{}, sec, teamPtr)
	}
	if err != nil {
		addObjectError(&resp.Diagnostics, targetAttr(t), "Cannot restore the original policy",
			objectError("restoring the original policy of", portGroupKind(t), v.name, t.ID(), err)+fmt.Sprintf(" (%s). It keeps the policy Terraform set. original_policy was: %s", v.describe(), m.OriginalPolicy.ValueString()), err)
	}
}
