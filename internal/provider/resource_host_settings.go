package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ resource.Resource                = (*hostSettingsResource)(nil)
	_ resource.ResourceWithConfigure   = (*hostSettingsResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*hostSettingsResource)(nil)
	_ resource.ResourceWithImportState = (*hostSettingsResource)(nil)
)

// vswitchPrefix marks a vSwitch (toggled at switch level) in
// toggled_portgroups and pending_reenable; port groups are plain names.
const vswitchPrefix = "vswitch/"

// NewHostSettingsResource is the carp_host_settings resource.
func NewHostSettingsResource() resource.Resource { return &hostSettingsResource{} }

type hostSettingsResource struct{ client *vsphere.Client }

type hostSettingsModel struct {
	ID                types.String `tfsdk:"id"`
	HostSystemID      types.String `tfsdk:"host_system_id"`
	Name              types.String `tfsdk:"name"`
	RPF               types.Bool   `tfsdk:"reverse_path_fwd_check_promisc"`
	Toggle            types.Bool   `tfsdk:"toggle_promiscuous_on_apply"`
	AdvancedOptions   types.Map    `tfsdk:"advanced_options"`
	RestoreOnDestroy  types.Bool   `tfsdk:"restore_on_destroy"`
	OriginalValues    types.Map    `tfsdk:"original_values"`
	ToggledPortgroups types.List   `tfsdk:"toggled_portgroups"`
	PendingReenable   types.Map    `tfsdk:"pending_reenable"`
	TeamedVSwitches   types.List   `tfsdk:"teamed_vswitches"`
}

func (r *hostSettingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host_settings"
}

func (r *hostSettingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Sets the ESXi advanced option `" + inventory.OptionRPFKey + "` (and, optionally, other host " +
			"advanced options) on one host, toggles promiscuous mode afterwards when asked, and puts the values back on destroy. " +
			"Plans report CARP004 and CARP005.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The host's managed object id (same as `host_system_id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"host_system_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Managed object id of the HostSystem, such as `host-21` (`ha-host` on a host managed directly). " +
					"Take it from `data.carp_hosts` (`hosts[*].id`) or the vsphere provider's `vsphere_host` data source. Changing it replaces the resource.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{hostIDValidator{}},
			},
			"name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The host's inventory name.",
			},
			"reverse_path_fwd_check_promisc": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Value of `" + inventory.OptionRPFKey + "` (`true` writes 1, `false` writes 0). With 1, a host " +
					"whose vSwitch teams two or more uplinks drops the copies of its own multicast that come back through the other uplink " +
					"to a promiscuous port; with 0, CARP sees its own advertisements and logs \"link states coalesced\". Default `true`.",
			},
			"toggle_promiscuous_on_apply": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "When `" + inventory.OptionRPFKey + "` changes (create, update, or destroy with `restore_on_destroy`), " +
					"toggle promiscuous mode off and back on for every standard port group of this host that accepts it, and for every " +
					"vSwitch that accepts it at switch level: the new value only takes effect on ports opened after it. Each port group " +
					"loses promiscuous mode for one write round trip. Default `false`.",
			},
			"advanced_options": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Further host advanced options by key, with values as strings; each is converted to the type the host " +
					"declares (long, int, bool, string, float, choice). An unknown key or a value of the wrong type or out of range fails the plan. " +
					"Removing a key puts back the value it had before this resource first changed it (when `restore_on_destroy` is true).",
			},
			"restore_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "On destroy, put back each option's value as found before this resource first changed it (see `original_values`). " +
					"`false` leaves the host as it is. Default `true`.",
			},
			"original_values": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Each managed option's value as found before this resource first changed it, by key; what destroy puts back. " +
					"On import, the values found at import.",
			},
			"toggled_portgroups": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "What the last change of `" + inventory.OptionRPFKey + "` toggled: port group names, and `vswitch/<name>` " +
					"for a vSwitch toggled at switch level. Empty when the last change did not toggle.",
			},
			"pending_reenable": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Port groups (and `vswitch/<name>` entries) whose promiscuous mode a failed toggle left off, with the value " +
					"to put back (`true`, or `inherit` for a port group that inherited it from its vSwitch). Normally empty; when not, the next " +
					"plan shows an update that re-enables them first.",
			},
			"teamed_vswitches": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Standard vSwitches of the host with two or more physical uplinks (where the option matters), sorted.",
			},
		},
	}
}

// hostIDValidator checks the shape of host_system_id.
type hostIDValidator struct{}

func (hostIDValidator) Description(context.Context) string {
	return "must be a HostSystem managed object id"
}
func (v hostIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}
func (hostIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if msg := checkHostID(req.ConfigValue.ValueString()); msg != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid host_system_id", msg)
	}
}

func (r *hostSettingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *hostSettingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if msg := checkHostID(id); msg != "" {
		resp.Diagnostics.AddError("Invalid import id", "Import carp_host_settings by the host's managed object id. "+msg)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host_system_id"), id)...)
}

// ---- small conversions ----

func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func mapValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func listValue(l []string) types.List {
	elems := make([]attr.Value, 0, len(l))
	for _, s := range l {
		elems = append(elems, types.StringValue(s))
	}
	return types.ListValueMust(types.StringType, elems)
}

func teamedVSwitches(h *inventory.Host) []string {
	out := []string{}
	for _, vs := range h.VSwitches {
		if len(vs.Uplinks) >= 2 {
			out = append(out, vs.Name)
		}
	}
	sort.Strings(out)
	return out
}

func hostLabel(h *inventory.Host) string { return fmt.Sprintf("host %s (%s)", h.Name, h.ID) }

// rpfValue is the value to write for the planned boolean, typed as declared.
func rpfValue(ov *vsphere.OptionValue, on bool) (any, error) {
	s := "0"
	if on {
		s = "1"
	}
	return convertOption(ov, s)
}

func rpfOn(h *inventory.Host) bool { return h.RPFCheckPromisc != nil && *h.RPFCheckPromisc == 1 }

// supported returns the host's option, or nil when the host does not declare it.
func supported(snap *vsphere.Snapshot, hostID, key string) *vsphere.OptionValue {
	ov := snap.Options[hostID][key]
	if ov == nil || ov.Type == "" {
		return nil
	}
	return ov
}

func (r *hostSettingsResource) readHost(ctx context.Context, hostID string, keys []string, diags *diag.Diagnostics) (*vsphere.Snapshot, *inventory.Host) {
	snap, err := r.client.Read(ctx, vsphere.Request{HostIDs: []string{hostID}, Options: sortedUnique(keys)})
	if err != nil {
		diags.AddError("Cannot read the host", objectError("Reading", "host", "", hostID, err))
		return nil, nil
	}
	return snap, snap.FindHost(hostID)
}

func hostNotFound(diags *diag.Diagnostics, hostID string) {
	diags.AddAttributeError(path.Root("host_system_id"), "Host not found",
		fmt.Sprintf("There is no host with managed object id %q on this vSphere server. Check host_system_id: take it from data.carp_hosts (hosts[*].id), which lists the hosts that exist.", hostID))
}

// ---- plan ----

func (r *hostSettingsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var plan, state hostSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	hasState := !req.State.Raw.IsNull()
	if hasState {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() || plan.HostSystemID.IsUnknown() || checkHostID(plan.HostSystemID.ValueString()) != "" {
		return
	}
	hostID := plan.HostSystemID.ValueString()
	var adv map[string]types.String
	if !plan.AdvancedOptions.IsNull() && !plan.AdvancedOptions.IsUnknown() {
		resp.Diagnostics.Append(plan.AdvancedOptions.ElementsAs(ctx, &adv, false)...)
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, sortedKeysOf(adv), &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		hostNotFound(&resp.Diagnostics, hostID)
		return
	}
	rpfOpt := supported(snap, hostID, inventory.OptionRPFKey)
	if rpfOpt == nil {
		resp.Diagnostics.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Option not supported by the host",
			fmt.Sprintf("%s does not declare the advanced option %s, so this resource cannot manage it. Remove carp_host_settings for this host; check the host's ESXi version.", hostLabel(h), inventory.OptionRPFKey))
	}
	for _, k := range sortedKeysOf(adv) {
		at := path.Root("advanced_options").AtMapKey(k)
		if k == inventory.OptionRPFKey {
			resp.Diagnostics.AddAttributeError(at, "Option managed by its own attribute",
				fmt.Sprintf("%s is set with reverse_path_fwd_check_promisc; remove it from advanced_options.", k))
			continue
		}
		ov := supported(snap, hostID, k)
		if ov == nil {
			resp.Diagnostics.AddAttributeError(at, "Unknown advanced option",
				fmt.Sprintf("%s has no advanced option %q. Check the key's spelling and case (for example Net.BlockGuestBPDU), and that this ESXi version has it.", hostLabel(h), k))
			continue
		}
		if adv[k].IsUnknown() || adv[k].IsNull() {
			continue
		}
		if _, err := convertOption(ov, adv[k].ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(at, "Wrong value for advanced option",
				fmt.Sprintf("advanced_options[%q] on %s: %v.", k, hostLabel(h), err))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	rpfKnown := !plan.RPF.IsUnknown()
	changes := rpfKnown && (h.RPFCheckPromisc == nil || rpfOn(h) != plan.RPF.ValueBool())
	if rpfKnown && !plan.Toggle.IsUnknown() {
		planned := rules.PlanHostSettings(*h, plan.RPF.ValueBool(), plan.Toggle.ValueBool())
		addFindings(&resp.Diagnostics, path.Root("reverse_path_fwd_check_promisc"), planned, nil)
		// CARP004 as the host is now (the option as read), when this plan
		// fixes it.
		scope := rules.Scope{}
		for _, pg := range h.PortGroups {
			scope.PortGroups = append(scope.PortGroups, rules.PortGroupRef{HostID: hostID, Name: pg.Name})
		}
		var now []rules.Finding
		for _, f := range rules.Evaluate(inventory.Snapshot{Hosts: []inventory.Host{*h}}, scope) {
			if f.Code == "CARP004" {
				now = append(now, f)
			}
		}
		addFixedFindings(&resp.Diagnostics, path.Root("reverse_path_fwd_check_promisc"), now, planned)
	}

	plan.ID = types.StringValue(hostID)
	plan.Name = types.StringValue(h.Name)
	plan.TeamedVSwitches = listValue(teamedVSwitches(h))
	plan.PendingReenable = mapValue(map[string]string{})
	// toggled_portgroups is decided by the apply (the option's value then,
	// which a replaced instance's destroy may change): unknown whenever an
	// apply runs, the state's value otherwise.
	updating := hasState && (!plan.RPF.Equal(state.RPF) || !plan.Toggle.Equal(state.Toggle) ||
		!plan.AdvancedOptions.Equal(state.AdvancedOptions) || !plan.RestoreOnDestroy.Equal(state.RestoreOnDestroy) ||
		len(stringMap(ctx, state.PendingReenable, &resp.Diagnostics)) > 0)
	switch {
	case !hasState && !plan.Toggle.IsUnknown() && !plan.Toggle.ValueBool():
		plan.ToggledPortgroups = listValue([]string{}) // a create without toggle
	case !hasState || updating || changes || state.ToggledPortgroups.IsNull():
		plan.ToggledPortgroups = types.ListUnknown(types.StringType)
	default:
		plan.ToggledPortgroups = state.ToggledPortgroups
	}
	plan.OriginalValues = types.MapUnknown(types.StringType)
	if hasState && !state.OriginalValues.IsNull() && !plan.AdvancedOptions.IsUnknown() {
		orig := stringMap(ctx, state.OriginalValues, &resp.Diagnostics)
		want := append(sortedKeysOf(adv), inventory.OptionRPFKey)
		if strings.Join(sortedUnique(want), "\n") == strings.Join(sortedKeysOf(orig), "\n") {
			plan.OriginalValues = state.OriginalValues
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// ---- read ----

func (r *hostSettingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state hostSettingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hostID := state.HostSystemID.ValueString()
	if hostID == "" {
		hostID = state.ID.ValueString()
	}
	adv := stringMap(ctx, state.AdvancedOptions, &resp.Diagnostics)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, sortedKeysOf(adv), &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		resp.Diagnostics.AddWarning("Host no longer exists",
			fmt.Sprintf("Host %s was not found on the vSphere server; carp_host_settings for it is removed from the state. Remove the resource from the configuration, or fix host_system_id.", hostID))
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = types.StringValue(hostID)
	state.HostSystemID = types.StringValue(hostID)
	state.Name = types.StringValue(h.Name)
	if h.RPFCheckPromisc != nil {
		state.RPF = types.BoolValue(rpfOn(h))
	}
	for k, v := range adv {
		if ov := snap.Options[hostID][k]; ov != nil && ov.Value != nil && !sameOption(ov, v, ov.Value) {
			adv[k] = formatOption(ov.Value)
		}
	}
	if !state.AdvancedOptions.IsNull() {
		state.AdvancedOptions = mapValue(adv)
	}
	state.TeamedVSwitches = listValue(teamedVSwitches(h))
	// Import leaves everything but the ids null: fill in the defaults and
	// what can be known now.
	if state.Toggle.IsNull() {
		state.Toggle = types.BoolValue(false)
	}
	if state.RestoreOnDestroy.IsNull() {
		state.RestoreOnDestroy = types.BoolValue(true)
	}
	if state.RPF.IsNull() {
		state.RPF = types.BoolValue(true)
	}
	if state.OriginalValues.IsNull() {
		orig := map[string]string{}
		if ov := snap.Options[hostID][inventory.OptionRPFKey]; ov != nil && ov.Value != nil {
			orig[inventory.OptionRPFKey] = formatOption(ov.Value)
		}
		state.OriginalValues = mapValue(orig)
	}
	if state.ToggledPortgroups.IsNull() {
		state.ToggledPortgroups = listValue([]string{})
	}
	if state.PendingReenable.IsNull() {
		state.PendingReenable = mapValue(map[string]string{})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// ---- create / update ----

func (r *hostSettingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan hostSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if st, _ := r.apply(ctx, nil, plan, &resp.Diagnostics); st != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, st)...)
	}
}

func (r *hostSettingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state hostSettingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	st, _ := r.apply(ctx, &state, plan, &resp.Diagnostics)
	if st == nil {
		st = &state // nothing changed on the host: keep what was known
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, st)...)
}

// apply brings the host to the plan. It returns the state to save (nil when
// nothing was written on create) and whether everything succeeded.
func (r *hostSettingsResource) apply(ctx context.Context, prior *hostSettingsModel, plan hostSettingsModel, diags *diag.Diagnostics) (*hostSettingsModel, bool) {
	hostID := plan.HostSystemID.ValueString()
	adv := stringMap(ctx, plan.AdvancedOptions, diags)
	orig, pending, toggled := map[string]string{}, map[string]string{}, []string{}
	var priorAdv map[string]string
	restore := plan.RestoreOnDestroy.ValueBool()
	if prior != nil {
		orig = stringMap(ctx, prior.OriginalValues, diags)
		pending = stringMap(ctx, prior.PendingReenable, diags)
		priorAdv = stringMap(ctx, prior.AdvancedOptions, diags)
		if !prior.ToggledPortgroups.IsNull() {
			diags.Append(prior.ToggledPortgroups.ElementsAs(ctx, &toggled, false)...)
		}
	}
	if diags.HasError() {
		return nil, false
	}
	keys := append(sortedKeysOf(adv), sortedKeysOf(orig)...)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, keys, diags)
	if snap == nil {
		return nil, false
	}
	if h == nil {
		hostNotFound(diags, hostID)
		return nil, false
	}
	refs := snap.HostRefs[hostID]
	unlock := r.client.LockObject(refs.NetworkSystem.Value)
	defer unlock()

	// state builds what to save from what has been done so far.
	state := func() *hostSettingsModel {
		st := plan
		st.ID = types.StringValue(hostID)
		st.Name = types.StringValue(h.Name)
		st.TeamedVSwitches = listValue(teamedVSwitches(h))
		st.OriginalValues = mapValue(orig)
		st.PendingReenable = mapValue(pending)
		st.ToggledPortgroups = listValue(toggled)
		return &st
	}

	redoToggle := false
	// 1. A failed toggle left port groups without promiscuous mode: re-enable
	// them before anything else.
	if len(pending) > 0 {
		r.client.Invalidate(hostID)
		snap, h = r.readHost(ctx, hostID, keys, diags) // under the lock, fresh
		if snap == nil || h == nil {
			return r.keepPrior(prior, pending, diags), false
		}
		left := r.reenable(ctx, snap, h, pending, diags)
		if len(left) > 0 {
			pending = left
			if prior == nil {
				return state(), false
			}
			st := *prior
			st.PendingReenable = mapValue(pending)
			return &st, false
		}
		pending = map[string]string{}
		// The toggle that failed did not reach the targets after the
		// failed one: toggle the whole host again.
		redoToggle = plan.Toggle.ValueBool()
	}

	// 2. Options: remember the values found before the first change, put
	// back the ones no longer managed, write the planned ones.
	values := map[string]any{}
	rpfOpt := supported(snap, hostID, inventory.OptionRPFKey)
	if rpfOpt == nil {
		diags.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Option not supported by the host",
			fmt.Sprintf("%s does not declare the advanced option %s.", hostLabel(h), inventory.OptionRPFKey))
		return r.keepPrior(prior, pending, diags), false
	}
	for _, k := range append([]string{inventory.OptionRPFKey}, sortedKeysOf(adv)...) {
		if _, ok := orig[k]; !ok {
			if ov := snap.Options[hostID][k]; ov != nil && ov.Value != nil {
				orig[k] = formatOption(ov.Value)
			}
		}
	}
	for _, k := range sortedKeysOf(priorAdv) {
		if _, still := adv[k]; still {
			continue
		}
		if o, ok := orig[k]; ok && restore {
			if ov := supported(snap, hostID, k); ov != nil {
				if v, err := convertOption(ov, o); err == nil && formatOption(v) != formatOption(ov.Value) {
					values[k] = v
				}
			}
		}
		delete(orig, k)
	}
	want, err := rpfValue(rpfOpt, plan.RPF.ValueBool())
	if err != nil {
		diags.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Cannot write the option", fmt.Sprintf("%s: %v.", hostLabel(h), err))
		return r.keepPrior(prior, pending, diags), false
	}
	rpfChanges := formatOption(want) != formatOption(rpfOpt.Value)
	if rpfChanges {
		values[inventory.OptionRPFKey] = want
	}
	for _, k := range sortedKeysOf(adv) {
		ov := supported(snap, hostID, k)
		if ov == nil {
			diags.AddAttributeError(path.Root("advanced_options").AtMapKey(k), "Unknown advanced option", fmt.Sprintf("%s has no advanced option %q.", hostLabel(h), k))
			return r.keepPrior(prior, pending, diags), false
		}
		v, err := convertOption(ov, adv[k])
		if err != nil {
			diags.AddAttributeError(path.Root("advanced_options").AtMapKey(k), "Wrong value for advanced option", fmt.Sprintf("advanced_options[%q] on %s: %v.", k, hostLabel(h), err))
			return r.keepPrior(prior, pending, diags), false
		}
		if formatOption(v) != formatOption(ov.Value) {
			values[k] = v
		}
	}
	if len(values) > 0 {
		if err := r.client.UpdateOptions(ctx, refs.AdvancedOption, values); err != nil {
			addObjectError(diags, path.Root("host_system_id"), "Cannot set host advanced options",
				objectError("Setting "+strings.Join(sortedKeysOf(values), ", ")+" on", "host", h.Name, hostID, err), err)
			return r.keepPrior(prior, pending, diags), false
		}
	}

	// 3. Toggle when the option changed.
	if rpfChanges || redoToggle {
		toggled = []string{}
		if plan.Toggle.ValueBool() {
			var ok bool
			toggled, pending, ok = r.toggleHost(ctx, hostID, keys, diags)
			if !ok {
				return state(), false
			}
		}
	}
	return state(), true
}

// keepPrior is the state to save when an update stops before writing an
// option: the prior state with the pending list as it now stands.
func (r *hostSettingsResource) keepPrior(prior *hostSettingsModel, pending map[string]string, _ *diag.Diagnostics) *hostSettingsModel {
	if prior == nil {
		return nil
	}
	st := *prior
	st.PendingReenable = mapValue(pending)
	return &st
}

// toggleHost re-reads the host (under the caller's lock, so that the specs
// written back are current) and toggles promiscuous mode. It returns what it
// toggled and what it left off.
func (r *hostSettingsResource) toggleHost(ctx context.Context, hostID string, keys []string, diags *diag.Diagnostics) ([]string, map[string]string, bool) {
	// Fresh from the server, not the read cache: the specs read here are
	// written back.
	r.client.Invalidate(hostID)
	snap, h := r.readHost(ctx, hostID, keys, diags)
	if snap == nil || h == nil {
		if h == nil && snap != nil {
			hostNotFound(diags, hostID)
		}
		return []string{}, map[string]string{}, false
	}
	return r.toggle(ctx, snap, h, diags)
}

// toggleItem is one port group or vSwitch to toggle.
type toggleItem struct {
	key     string // port group name, or vswitchPrefix + vSwitch name
	restore string // "true", or "inherit" for a port group inheriting it
}

// toggleTargets lists, in order, what a toggle writes: port groups whose
// effective policy accepts promiscuous mode (by name), then vSwitches that
// accept it at switch level (by name).
func toggleTargets(h *inventory.Host) []toggleItem {
	var out []toggleItem
	pgs := append([]inventory.PortGroup(nil), h.PortGroups...)
	sort.Slice(pgs, func(i, j int) bool { return pgs[i].Name < pgs[j].Name })
	for _, pg := range pgs {
		if !pg.Effective.AllowPromiscuous {
			continue
		}
		restore := "inherit"
		if pg.Security.AllowPromiscuous != nil {
			restore = fmt.Sprint(*pg.Security.AllowPromiscuous)
		}
		out = append(out, toggleItem{key: pg.Name, restore: restore})
	}
	vss := append([]inventory.VSwitch(nil), h.VSwitches...)
	sort.Slice(vss, func(i, j int) bool { return vss[i].Name < vss[j].Name })
	for _, vs := range vss {
		if vs.Security.AllowPromiscuous != nil && *vs.Security.AllowPromiscuous {
			out = append(out, toggleItem{key: vswitchPrefix + vs.Name, restore: "true"})
		}
	}
	return out
}

func describeTarget(key string) string {
	if name, ok := strings.CutPrefix(key, vswitchPrefix); ok {
		return fmt.Sprintf("vSwitch %q", name)
	}
	return fmt.Sprintf("port group %q", key)
}

// write sets promiscuous mode of one target: off, or back to its own value
// (restore "true" or "inherit"), keeping every other field as read.
func (r *hostSettingsResource) write(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, key string, restore string, on bool) error {
	netSys := snap.HostRefs[h.ID].NetworkSystem
	if name, ok := strings.CutPrefix(key, vswitchPrefix); ok {
		spec, found := snap.VSwitchRaw[h.ID+":"+name]
		if !found {
			return fmt.Errorf("vSwitch %q no longer exists", name)
		}
		return r.client.SetVSwitchPromiscuous(ctx, netSys, name, spec, on)
	}
	spec, found := snap.PortGroupRaw[h.ID+":"+key]
	pg := h.PortGroup(key)
	if !found || pg == nil {
		return fmt.Errorf("port group %q no longer exists", key)
	}
	sec := pg.Security
	switch {
	case !on:
		sec.AllowPromiscuous = ptrBool(false)
	case restore == "inherit":
		sec.AllowPromiscuous = nil
	default:
		sec.AllowPromiscuous = ptrBool(true)
	}
	return r.client.SetPortGroupPolicy(ctx, netSys, spec, sec, nil)
}

func ptrBool(b bool) *bool { return &b }

// toggle disables then restores promiscuous mode target by target. A failed
// restore is retried with backoff; if it still fails, the toggle stops, the
// target is returned as pending and an error names it.
func (r *hostSettingsResource) toggle(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, diags *diag.Diagnostics) ([]string, map[string]string, bool) {
	toggled, pending := []string{}, map[string]string{}
	targets := toggleTargets(h)
	for i, t := range targets {
		var rest []string
		for _, u := range targets[i+1:] {
			rest = append(rest, describeTarget(u.key))
		}
		notToggled := ""
		if len(rest) > 0 {
			notToggled = fmt.Sprintf(" Not toggled (unchanged): %s.", strings.Join(rest, ", "))
		}
		if ctx.Err() != nil {
			// Record what is left: the next plan shows an update that
			// finishes the toggle (through pending_reenable).
			for _, u := range targets[i:] {
				pending[u.key] = u.restore
			}
			diags.AddError("Toggle interrupted",
				fmt.Sprintf("The operation was cancelled (%v) while toggling promiscuous mode on host %s (%s). Toggled and restored: %s. Not toggled (unchanged, promiscuous mode as it was): %s. The next plan shows an update of this resource that finishes the toggle.",
					ctx.Err(), h.Name, h.ID, listOrNone(toggled), strings.Join(append([]string{describeTarget(t.key)}, rest...), ", ")))
			return toggled, pending, false
		}
		written, err := toggleWrites(ctx,
			func(ctx context.Context) error { return r.write(ctx, snap, h, t.key, t.restore, false) },
			func(ctx context.Context) error { return r.write(ctx, snap, h, t.key, t.restore, true) })
		if err != nil && !written {
			addObjectError(diags, path.Root("host_system_id"), "Promiscuous mode toggle failed",
				objectError(fmt.Sprintf("Toggling promiscuous mode of %s on", describeTarget(t.key)), "host", h.Name, h.ID, err)+
					". It is not left off."+notToggled+" Run terraform apply again, or toggle by hand.", err)
			return toggled, pending, false
		}
		if err != nil && vsphere.IsNoAnswer(err) {
			pending[t.key] = t.restore
			diags.AddError("Promiscuous mode may be left off",
				fmt.Sprintf("Promiscuous mode of %s on host %s (%s) was turned off, then vSphere stopped answering (%v).%s "+noAnswerDetail,
					describeTarget(t.key), h.Name, h.ID, err, notToggled, r.client.APITimeout(), vsphere.RestoreDeadline))
			return toggled, pending, false
		}
		if err != nil {
			pending[t.key] = t.restore
			diags.AddError("Promiscuous mode left off",
				fmt.Sprintf("%s on host %s (%s) was left with promiscuous mode OFF: re-enabling it failed %d times (%s: %v). CARP on that port group does not work until it is re-enabled.%s "+
					"The next plan shows an update of this resource (pending_reenable) that re-enables it first; run terraform apply again, or set promiscuous mode back by hand.",
					describeTarget(t.key), h.Name, h.ID, restoreAttempts, vsphere.FaultName(err), err, notToggled))
			return toggled, pending, false
		}
		toggled = append(toggled, t.key)
		if ctx.Err() != nil && len(rest) > 0 {
			for _, u := range targets[i+1:] {
				pending[u.key] = u.restore
			}
			diags.AddError("Toggle interrupted",
				fmt.Sprintf("The operation was cancelled (%v) while toggling promiscuous mode on host %s (%s). Toggled and restored: %s.%s The next plan shows an update of this resource that finishes the toggle.",
					ctx.Err(), h.Name, h.ID, strings.Join(toggled, ", "), notToggled))
			return toggled, pending, false
		}
	}
	return toggled, pending, true
}

// reenable puts promiscuous mode back on the pending targets; it returns
// those that still fail (named in an error). A target that no longer exists
// is dropped with a warning.
func (r *hostSettingsResource) reenable(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, pending map[string]string, diags *diag.Diagnostics) map[string]string {
	left := map[string]string{}
	var names []string
	for _, key := range sortedKeysOf(pending) {
		name, isVS := strings.CutPrefix(key, vswitchPrefix)
		if (isVS && h.VSwitch(name) == nil) || (!isVS && h.PortGroup(key) == nil) {
			diags.AddWarning("Pending port group gone",
				fmt.Sprintf("%s on host %s (%s) was waiting for promiscuous mode to be re-enabled, but it no longer exists; nothing to do.", describeTarget(key), h.Name, h.ID))
			continue
		}
		err := vsphere.Retry(ctx, restoreAttempts, restoreBackoff, func(ctx context.Context) error {
			return r.write(ctx, snap, h, key, pending[key], true)
		})
		if err != nil {
			left[key] = pending[key]
			names = append(names, fmt.Sprintf("%s (%s: %v)", describeTarget(key), vsphere.FaultName(err), err))
		}
	}
	if len(left) > 0 {
		diags.AddError("Promiscuous mode still off",
			fmt.Sprintf("Re-enabling promiscuous mode on host %s (%s) failed again for: %s. CARP does not work on them until it is re-enabled. Run terraform apply again, or set promiscuous mode back by hand.",
				h.Name, h.ID, strings.Join(names, "; ")))
	}
	return left
}

// ---- delete ----

func (r *hostSettingsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state hostSettingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hostID := state.HostSystemID.ValueString()
	orig := stringMap(ctx, state.OriginalValues, &resp.Diagnostics)
	pending := stringMap(ctx, state.PendingReenable, &resp.Diagnostics)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	keys := sortedKeysOf(orig)
	snap, h := r.readHost(ctx, hostID, keys, &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		resp.Diagnostics.AddWarning("Host no longer exists",
			fmt.Sprintf("Host %s was not found; there is nothing to restore. carp_host_settings is removed from the state.", hostID))
		return
	}
	refs := snap.HostRefs[hostID]
	unlock := r.client.LockObject(refs.NetworkSystem.Value)
	defer unlock()
	savePending := func(p map[string]string) {
		state.PendingReenable = mapValue(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
	if len(pending) > 0 {
		// Re-read under the lock, fresh: the specs are written back.
		r.client.Invalidate(hostID)
		if snap, h = r.readHost(ctx, hostID, keys, &resp.Diagnostics); snap == nil || h == nil {
			return
		}
		if left := r.reenable(ctx, snap, h, pending, &resp.Diagnostics); len(left) > 0 {
			savePending(left)
			return
		}
		savePending(map[string]string{})
		if snap, h = r.readHost(ctx, hostID, keys, &resp.Diagnostics); snap == nil || h == nil {
			return
		}
	}
	if !state.RestoreOnDestroy.ValueBool() {
		return
	}
	values := map[string]any{}
	for _, k := range keys {
		ov := supported(snap, hostID, k)
		if ov == nil {
			resp.Diagnostics.AddWarning("Option not restored",
				fmt.Sprintf("%s no longer declares %s, so its original value %q was not put back.", hostLabel(h), k, orig[k]))
			continue
		}
		v, err := convertOption(ov, orig[k])
		if err != nil {
			resp.Diagnostics.AddWarning("Option not restored", fmt.Sprintf("%s: the original value of %s cannot be written back: %v.", hostLabel(h), k, err))
			continue
		}
		if formatOption(v) != formatOption(ov.Value) {
			values[k] = v
		}
	}
	if len(values) == 0 {
		return
	}
	if err := r.client.UpdateOptions(ctx, refs.AdvancedOption, values); err != nil {
		addObjectError(&resp.Diagnostics, path.Root("host_system_id"), "Cannot restore host advanced options",
			objectError("Restoring "+strings.Join(sortedKeysOf(values), ", ")+" on", "host", h.Name, hostID, err)+
				". The resource stays in the state; run terraform destroy again, or set restore_on_destroy = false to leave the host as it is.", err)
		return
	}
	if _, changed := values[inventory.OptionRPFKey]; changed && state.Toggle.ValueBool() {
		if _, left, ok := r.toggleHost(ctx, hostID, keys, &resp.Diagnostics); !ok {
			// The options are restored; keep the resource so that the next
			// apply (or destroy) re-enables what the toggle left off.
			if len(left) > 0 {
				savePending(left)
			}
			return
		}
	}
}
