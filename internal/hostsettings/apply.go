package hostsettings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/hazards"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

// apply brings the host to the plan. It returns the state to save (nil when
// nothing was written on create) and whether everything succeeded.
func (r *settingsResource) apply(ctx context.Context, prior *settingsModel, plan settingsModel, diags *diag.Diagnostics) (*settingsModel, bool) {
	hostID := plan.HostSystemID.ValueString()
	adv := tfvalue.StringMap(ctx, plan.AdvancedOptions, diags)
	orig, pending, toggled := map[string]string{}, map[string]string{}, []string{}
	var priorAdv map[string]string
	restore := plan.RestoreOnDestroy.ValueBool()
	if prior != nil {
		orig = tfvalue.StringMap(ctx, prior.OriginalValues, diags)
		pending = tfvalue.StringMap(ctx, prior.PendingReenable, diags)
		priorAdv = tfvalue.StringMap(ctx, prior.AdvancedOptions, diags)
		if !prior.ToggledPortgroups.IsNull() {
			diags.Append(prior.ToggledPortgroups.ElementsAs(ctx, &toggled, false)...)
		}
	}
	if diags.HasError() {
		return nil, false
	}
	keys := append(tfvalue.SortedKeys(adv), tfvalue.SortedKeys(orig)...)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, keys, false, diags)
	if snap == nil {
		return nil, false
	}
	if h == nil {
		r.hostNotFound(ctx, diags, hostID)
		return nil, false
	}
	unlock, ok := r.lockHost(ctx, hostID, diags)
	if !ok {
		return nil, false
	}
	defer unlock()

	rpfNow := h.RPFCheckPromisc
	found := tfvalue.Strings(ctx, hostHazards(h, rpfNow), diags)
	// state builds what to save from what has been done so far.
	state := func() *settingsModel {
		st := plan
		st.ID = types.StringValue(hostID)
		st.Name = types.StringValue(h.Name)
		st.TeamedVSwitches = tfvalue.StringList(teamedVSwitches(h))
		st.Hazards = hostHazards(h, rpfNow)
		hazards.KeepPlannedHazards(ctx, "hazards", plan.Hazards, &st.Hazards, hostLabel(h), diags)
		if plan.HazardsRepaired.IsUnknown() || plan.HazardsRepaired.IsNull() {
			before := types.ListNull(types.StringType)
			if prior != nil {
				before = prior.HazardsRepaired
			}
			st.HazardsRepaired = hazards.Repaired(ctx, found, st.Hazards, before, diags)
		}
		st.OriginalValues = tfvalue.MapValue(orig)
		st.PendingReenable = tfvalue.MapValue(pending)
		st.ToggledPortgroups = tfvalue.StringList(toggled)
		return &st
	}

	redoToggle := false
	// 1. A failed toggle left port groups without promiscuous mode: re-enable
	// them before anything else.
	if len(pending) > 0 {
		snap, h = r.readHost(ctx, hostID, keys, true, diags) // under the lock
		if snap == nil || h == nil {
			return keepPrior(prior, pending), false
		}
		left := r.reenable(ctx, snap, h, pending, diags)
		if len(left) > 0 {
			pending = left
			if prior == nil {
				return state(), false
			}
			st := *prior
			st.PendingReenable = tfvalue.MapValue(pending)
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
		return keepPrior(prior, pending), false
	}
	for _, k := range append([]string{inventory.OptionRPFKey}, tfvalue.SortedKeys(adv)...) {
		if _, ok := orig[k]; !ok {
			if ov := snap.Options[hostID][k]; ov != nil && ov.Value != nil {
				orig[k] = formatOption(ov.Value)
			}
		}
	}
	for _, k := range tfvalue.SortedKeys(priorAdv) {
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
		return keepPrior(prior, pending), false
	}
	rpfChanges := formatOption(want) != formatOption(rpfOpt.Value)
	if rpfChanges {
		values[inventory.OptionRPFKey] = want
	}
	for _, k := range tfvalue.SortedKeys(adv) {
		ov := supported(snap, hostID, k)
		if ov == nil {
			diags.AddAttributeError(path.Root("advanced_options").AtMapKey(k), "Unknown advanced option", fmt.Sprintf("%s has no advanced option %q.", hostLabel(h), k))
			return keepPrior(prior, pending), false
		}
		v, err := convertOption(ov, adv[k])
		if err != nil {
			diags.AddAttributeError(path.Root("advanced_options").AtMapKey(k), "Wrong value for advanced option", fmt.Sprintf("advanced_options[%q] on %s: %v.", k, hostLabel(h), err))
			return keepPrior(prior, pending), false
		}
		if formatOption(v) != formatOption(ov.Value) {
			values[k] = v
		}
	}
	if len(values) > 0 {
		if err := r.client.UpdateOptions(ctx, snap, hostID, values); err != nil {
			tfdiag.AddObjectError(diags, path.Root("host_system_id"), "Cannot set host advanced options",
				tfdiag.ObjectError("Setting "+strings.Join(tfvalue.SortedKeys(values), ", ")+" on", "host", h.Name, hostID, err), err)
			return keepPrior(prior, pending), false
		}
	}
	rpfNow = inventory.RPFValue(plan.RPF.ValueBool())

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
func keepPrior(prior *settingsModel, pending map[string]string) *settingsModel {
	if prior == nil {
		return nil
	}
	st := *prior
	st.PendingReenable = tfvalue.MapValue(pending)
	return &st
}
