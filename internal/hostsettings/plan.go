package hostsettings

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

func (r *settingsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil || r.planAsStored(req, resp) {
		return
	}
	var plan, state settingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	hasState := !req.State.Raw.IsNull()
	if hasState {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() || plan.HostSystemID.IsUnknown() || tfvalue.CheckHostID(plan.HostSystemID.ValueString()) != "" {
		return
	}
	hostID := plan.HostSystemID.ValueString()
	var adv map[string]types.String
	if !plan.AdvancedOptions.IsNull() && !plan.AdvancedOptions.IsUnknown() {
		resp.Diagnostics.Append(plan.AdvancedOptions.ElementsAs(ctx, &adv, false)...)
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, tfvalue.SortedKeys(adv), false, &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		r.hostNotFound(ctx, &resp.Diagnostics, hostID)
		return
	}
	rpfOpt := supported(snap, hostID, inventory.OptionRPFKey)
	if rpfOpt == nil {
		resp.Diagnostics.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Option not supported by the host",
			fmt.Sprintf("%s does not declare the advanced option %s, so this resource cannot manage it. Remove carp_host_settings for this host; check the host's ESXi version.", hostLabel(h), inventory.OptionRPFKey))
	}
	for _, k := range tfvalue.SortedKeys(adv) {
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
	if rpfKnown {
		// for the port group plans that depend on this resource
		r.cmd.NotePlannedRPF(hostID, plan.RPF.ValueBool())
	}
	var pending map[string]string
	if hasState {
		pending = tfvalue.StringMap(ctx, state.PendingReenable, &resp.Diagnostics)
		// The apply re-enables them first: for the port group plans
		// that depend on this resource, what they find hangs on it.
		r.cmd.NotePendingReenable(hostID, reenabledPortGroups(h, pending))
	}
	changes := rpfKnown && (h.RPFCheckPromisc == nil || rpfOn(h) != plan.RPF.ValueBool())
	if rpfKnown && !plan.Toggle.IsUnknown() {
		planned := rules.PlanHostSettings(*h, plan.RPF.ValueBool(), plan.Toggle.ValueBool())
		tfdiag.AddFindings(&resp.Diagnostics, path.Root("reverse_path_fwd_check_promisc"), planned, nil)
	}
	// What the plan repairs shows in the diff: hazards goes from the codes
	// of the last read to the codes left with the planned option, and
	// hazards_repaired holds the codes found now that it leaves fixed.
	switch {
	case rpfKnown && (!hasState || !req.Plan.Raw.Equal(req.State.Raw) || changes):
		plan.Hazards = plannedHazards(h, plan.RPF.ValueBool())
		read := h.RPFCheckPromisc
		if facts, ok := r.cmd.BeforeDestroy(destroyKey(hostID)); ok && !hasState {
			read = rpfOfFacts(facts) // a replacement, planned again after the destroy
		}
		plan.HazardsRepaired = plannedRepaired(read, plan.RPF.ValueBool())
		if hasState && !plan.HazardsRepaired.IsUnknown() && !state.HazardsRepaired.IsNull() {
			plan.HazardsRepaired = state.HazardsRepaired // repairs nothing: left as it is
		}
	case hasState && !req.Plan.Raw.Equal(req.State.Raw):
		plan.Hazards = types.ListUnknown(types.StringType)
		plan.HazardsRepaired = types.ListUnknown(types.StringType)
	case hasState:
		plan.Hazards, plan.HazardsRepaired = state.Hazards, state.HazardsRepaired
	}

	plan.ID = types.StringValue(hostID)
	plan.Name = types.StringValue(h.Name)
	plan.TeamedVSwitches = tfvalue.StringList(teamedVSwitches(h))
	plan.PendingReenable = tfvalue.MapValue(map[string]string{})
	// toggled_portgroups is decided by the apply (the option's value then,
	// which a replaced instance's destroy may change): unknown whenever an
	// apply runs, the state's value otherwise.
	updating := hasState && (!plan.RPF.Equal(state.RPF) || !plan.Toggle.Equal(state.Toggle) ||
		!plan.AdvancedOptions.Equal(state.AdvancedOptions) || !plan.RestoreOnDestroy.Equal(state.RestoreOnDestroy) ||
		len(pending) > 0)
	switch {
	case !hasState && !plan.Toggle.IsUnknown() && !plan.Toggle.ValueBool():
		plan.ToggledPortgroups = tfvalue.StringList([]string{}) // a create without toggle
	case !hasState || updating || changes || state.ToggledPortgroups.IsNull():
		plan.ToggledPortgroups = types.ListUnknown(types.StringType)
	default:
		plan.ToggledPortgroups = state.ToggledPortgroups
	}
	plan.OriginalValues = types.MapUnknown(types.StringType)
	if hasState && !state.OriginalValues.IsNull() && !plan.AdvancedOptions.IsUnknown() {
		orig := tfvalue.StringMap(ctx, state.OriginalValues, &resp.Diagnostics)
		want := append(tfvalue.SortedKeys(adv), inventory.OptionRPFKey)
		if strings.Join(tfvalue.SortedUnique(want), "\n") == strings.Join(tfvalue.SortedKeys(orig), "\n") {
			plan.OriginalValues = state.OriginalValues
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// planAsStored plans a resource whose configuration equals its state and
// that no Read of this command refreshed (plan -refresh=false): it reads
// nothing from vSphere and judges the state as stored, warning about the
// codes of its hazards attribute. The option as stored is noted for the
// port group plans that depend on it. It reports whether it planned. Only
// where ModifyPlan would plan no change whatever vSphere holds (no port
// group to re-enable, toggled_portgroups known, original_values of the
// managed options): the apply plans a changed resource again without a
// Read, and must plan what the plan did.
func (r *settingsResource) planAsStored(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	var pending, orig, adv map[string]tftypes.Value
	if tfvalue.RawAttr(req.State.Raw, "pending_reenable").As(&pending) != nil || pending == nil || len(pending) > 0 ||
		tfvalue.RawAttr(req.State.Raw, "toggled_portgroups").IsNull() || tfvalue.RawAttr(req.State.Raw, "original_values").As(&orig) != nil ||
		tfvalue.RawAttr(req.State.Raw, "advanced_options").As(&adv) != nil {
		return false
	}
	want := append(slices.Collect(maps.Keys(adv)), inventory.OptionRPFKey)
	if orig == nil || strings.Join(tfvalue.SortedUnique(want), "\n") != strings.Join(slices.Sorted(maps.Keys(orig)), "\n") {
		return false
	}
	hostID := tfvalue.RawString(tfvalue.RawAttr(req.State.Raw, "host_system_id"))
	var rpf bool
	if hostID == "" || r.cmd.Refreshed(destroyKey(hostID)) || tfvalue.RawAttr(req.State.Raw, "reverse_path_fwd_check_promisc").As(&rpf) != nil {
		return false
	}
	r.cmd.NotePlannedRPF(hostID, rpf)
	tfdiag.AddStoredFindings(&resp.Diagnostics, path.Root("reverse_path_fwd_check_promisc"), "host "+hostID, tfvalue.RawStrings(tfvalue.RawAttr(req.State.Raw, "hazards")))
	return true
}
