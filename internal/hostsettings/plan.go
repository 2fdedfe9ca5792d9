package hostsettings

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// ModifyPlan reads the host, checks the planned options against it, warns
// about what the planned option leaves (CARP004, CARP005), notes for the
// port group plans of the command what they depend on, and plans the
// computed attributes.
func (r *settingsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil || r.planAsStored(req, resp) {
		return
	}
	p := hostPlan{hasState: !req.State.Raw.IsNull(), changed: !req.Plan.Raw.Equal(req.State.Raw)}
	resp.Diagnostics.Append(req.Plan.Get(ctx, &p.plan)...)
	if p.hasState {
		resp.Diagnostics.Append(req.State.Get(ctx, &p.state)...)
	}
	if resp.Diagnostics.HasError() || p.plan.HostSystemID.IsUnknown() || tfvalue.CheckHostID(p.plan.HostSystemID.ValueString()) != "" {
		return
	}
	p.hostID = p.plan.HostSystemID.ValueString()
	if !p.plan.AdvancedOptions.IsNull() && !p.plan.AdvancedOptions.IsUnknown() {
		resp.Diagnostics.Append(p.plan.AdvancedOptions.ElementsAs(ctx, &p.adv, false)...)
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, p.hostID, tfvalue.SortedKeys(p.adv), false, &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		r.hostNotFound(ctx, &resp.Diagnostics, p.hostID)
		return
	}
	p.h = h
	if checkOptions(snap, &p, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	r.notePlanned(ctx, &p, &resp.Diagnostics)
	if !p.plan.RPF.IsUnknown() && !p.plan.Toggle.IsUnknown() {
		planned := rules.PlanHostSettings(*h, p.plan.RPF.ValueBool(), p.plan.Toggle.ValueBool())
		tfdiag.AddFindings(&resp.Diagnostics, path.Root("reverse_path_fwd_check_promisc"), planned, nil)
	}
	r.planHazards(&p)
	p.planComputed(ctx, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &p.plan)...)
}

// hostPlan is one plan of carp_host_settings.
type hostPlan struct {
	plan, state settingsModel
	hasState    bool
	changed     bool // the plan differs from the state
	hostID      string
	adv         map[string]types.String
	h           *inventory.Host
	pending     map[string]string // the state's pending_reenable
}

// changes reports whether the planned option differs from the host's.
func (p *hostPlan) changes() bool {
	return !p.plan.RPF.IsUnknown() && (p.h.RPFCheckPromisc == nil || rpfOn(p.h) != p.plan.RPF.ValueBool())
}

// checkOptions checks the planned options against what the host declares.
func checkOptions(snap *vsphere.Snapshot, p *hostPlan, diags *diag.Diagnostics) {
	if supported(snap, p.hostID, inventory.OptionRPFKey) == nil {
		diags.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Option not supported by the host",
			fmt.Sprintf("%s does not declare the advanced option %s, so this resource cannot manage it. Remove carp_host_settings for this host; check the host's ESXi version.", hostLabel(p.h), inventory.OptionRPFKey))
	}
	for _, k := range tfvalue.SortedKeys(p.adv) {
		at := path.Root("advanced_options").AtMapKey(k)
		if k == inventory.OptionRPFKey {
			diags.AddAttributeError(at, "Option managed by its own attribute",
				fmt.Sprintf("%s is set with reverse_path_fwd_check_promisc; remove it from advanced_options.", k))
			continue
		}
		ov := supported(snap, p.hostID, k)
		if ov == nil {
			diags.AddAttributeError(at, "Unknown advanced option",
				fmt.Sprintf("%s has no advanced option %q. Check the key's spelling and case (for example Net.BlockGuestBPDU), and that this ESXi version has it.", hostLabel(p.h), k))
			continue
		}
		if p.adv[k].IsUnknown() || p.adv[k].IsNull() {
			continue
		}
		if _, err := convertOption(ov, p.adv[k].ValueString()); err != nil {
			diags.AddAttributeError(at, "Wrong value for advanced option", fmt.Sprintf("advanced_options[%q] on %s: %v.", k, hostLabel(p.h), err))
		}
	}
}

// notePlanned notes, for the port group plans of this command that depend
// on this resource, the planned option and the port groups the apply
// re-enables first (what they find hangs on it).
func (r *settingsResource) notePlanned(ctx context.Context, p *hostPlan, diags *diag.Diagnostics) {
	if !p.plan.RPF.IsUnknown() {
		r.cmd.NotePlannedRPF(p.hostID, p.plan.RPF.ValueBool())
	}
	if p.hasState {
		p.pending = tfvalue.StringMap(ctx, p.state.PendingReenable, diags)
		r.cmd.NotePendingReenable(p.hostID, reenabledPortGroups(p.h, p.pending))
	}
}

// planHazards plans what the plan repairs, for the diff: hazards goes from
// the codes of the last read to the codes left with the planned option,
// and hazards_repaired holds the codes found now that it leaves fixed.
func (r *settingsResource) planHazards(p *hostPlan) {
	switch {
	case !p.plan.RPF.IsUnknown() && (!p.hasState || p.changed || p.changes()):
		p.plan.Hazards = plannedHazards(p.h, p.plan.RPF.ValueBool())
		read := p.h.RPFCheckPromisc
		if facts, ok := r.cmd.BeforeDestroy(destroyKey(p.hostID)); ok && !p.hasState {
			read = rpfOfFacts(facts) // a replacement, planned again after the destroy
		}
		p.plan.HazardsRepaired = plannedRepaired(read, p.plan.RPF.ValueBool())
		if p.hasState && !p.plan.HazardsRepaired.IsUnknown() && !p.state.HazardsRepaired.IsNull() {
			p.plan.HazardsRepaired = p.state.HazardsRepaired // repairs nothing: left as it is
		}
	case p.hasState && p.changed:
		p.plan.Hazards = types.ListUnknown(types.StringType)
		p.plan.HazardsRepaired = types.ListUnknown(types.StringType)
	case p.hasState:
		p.plan.Hazards, p.plan.HazardsRepaired = p.state.Hazards, p.state.HazardsRepaired
	}
}

// planComputed plans the other computed attributes.
func (p *hostPlan) planComputed(ctx context.Context, diags *diag.Diagnostics) {
	p.plan.ID = types.StringValue(p.hostID)
	p.plan.Name = types.StringValue(p.h.Name)
	p.plan.TeamedVSwitches = tfvalue.StringList(teamedVSwitches(p.h))
	p.plan.PendingReenable = tfvalue.MapValue(map[string]string{})
	p.plan.ToggledPortgroups = p.toggledPortGroups()
	p.plan.OriginalValues = types.MapUnknown(types.StringType)
	if p.hasState && !p.state.OriginalValues.IsNull() && !p.plan.AdvancedOptions.IsUnknown() {
		orig := tfvalue.StringMap(ctx, p.state.OriginalValues, diags)
		want := append(tfvalue.SortedKeys(p.adv), inventory.OptionRPFKey)
		if strings.Join(tfvalue.SortedUnique(want), "\n") == strings.Join(tfvalue.SortedKeys(orig), "\n") {
			p.plan.OriginalValues = p.state.OriginalValues
		}
	}
}

// toggledPortGroups is decided by the apply (the option's value then,
// which a replaced instance's destroy may change): unknown whenever an
// apply runs, the state's value otherwise.
func (p *hostPlan) toggledPortGroups() types.List {
	plan, state := p.plan, p.state
	updating := p.hasState && (!plan.RPF.Equal(state.RPF) || !plan.Toggle.Equal(state.Toggle) ||
		!plan.AdvancedOptions.Equal(state.AdvancedOptions) || !plan.RestoreOnDestroy.Equal(state.RestoreOnDestroy) ||
		len(p.pending) > 0)
	switch {
	case !p.hasState && !plan.Toggle.IsUnknown() && !plan.Toggle.ValueBool():
		return tfvalue.StringList([]string{}) // a create without toggle
	case !p.hasState || updating || p.changes() || state.ToggledPortgroups.IsNull():
		return types.ListUnknown(types.StringType)
	}
	return state.ToggledPortgroups
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
