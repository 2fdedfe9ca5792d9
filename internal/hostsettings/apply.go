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
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// hostApply is one apply of carp_host_settings: the plan, the prior state,
// the host as read under its lock, and what the apply has done so far.
type hostApply struct {
	plan     settingsModel
	prior    *settingsModel // nil on create
	hostID   string
	adv      map[string]string // planned advanced options
	priorAdv map[string]string
	orig     map[string]string // values found before the first change
	pending  map[string]string // port groups a toggle left off
	toggled  []string
	keys     []string // the options to read
	snap     *vsphere.Snapshot
	h        *inventory.Host
	rpfNow   *int64   // the reverse-path option as the host has it now
	found    []string // the host's hazards before the apply
}

// apply brings the host to the plan, in three steps: re-enable what an
// earlier toggle left off, write the options, toggle where the option
// changed. It returns the state to save (nil when nothing was written on
// create) and whether everything succeeded.
func (r *settingsResource) apply(ctx context.Context, prior *settingsModel, plan settingsModel, diags *diag.Diagnostics) (*settingsModel, bool) {
	a := newHostApply(ctx, prior, plan, diags)
	if diags.HasError() {
		return nil, false
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	unlock, ok := r.readLocked(ctx, a, diags)
	if !ok {
		return nil, false
	}
	defer unlock()
	redoToggle := false
	if len(a.pending) > 0 {
		if done, st := r.reenablePending(ctx, a, diags); !done {
			return st, false
		}
		// The toggle that failed did not reach the targets after the
		// failed one: toggle the whole host again.
		redoToggle = plan.Toggle.ValueBool()
	}
	rpfChanges, ok := r.writeOptions(ctx, a, diags)
	if !ok {
		return keepPrior(prior, a.pending), false
	}
	a.rpfNow = inventory.RPFValue(plan.RPF.ValueBool())
	if (rpfChanges || redoToggle) && plan.Toggle.ValueBool() {
		a.toggled, a.pending, ok = r.toggleHost(ctx, a.hostID, a.keys, diags)
		return a.state(ctx, diags), ok
	}
	if rpfChanges || redoToggle {
		a.toggled = []string{}
	}
	return a.state(ctx, diags), true
}

// newHostApply reads the plan and the prior state into a hostApply.
func newHostApply(ctx context.Context, prior *settingsModel, plan settingsModel, diags *diag.Diagnostics) *hostApply {
	a := &hostApply{plan: plan, prior: prior, hostID: plan.HostSystemID.ValueString(), adv: tfvalue.StringMap(ctx, plan.AdvancedOptions, diags),
		orig: map[string]string{}, pending: map[string]string{}, toggled: []string{}}
	if prior != nil {
		a.orig = tfvalue.StringMap(ctx, prior.OriginalValues, diags)
		a.pending = tfvalue.StringMap(ctx, prior.PendingReenable, diags)
		a.priorAdv = tfvalue.StringMap(ctx, prior.AdvancedOptions, diags)
		if !prior.ToggledPortgroups.IsNull() {
			diags.Append(prior.ToggledPortgroups.ElementsAs(ctx, &a.toggled, false)...)
		}
	}
	a.keys = append(tfvalue.SortedKeys(a.adv), tfvalue.SortedKeys(a.orig)...)
	return a
}

// readLocked reads the host, takes its network's lock, and records its
// hazards before the apply.
func (r *settingsResource) readLocked(ctx context.Context, a *hostApply, diags *diag.Diagnostics) (unlock func(), ok bool) {
	a.snap, a.h = r.readHost(ctx, a.hostID, a.keys, false, diags)
	if a.snap == nil {
		return nil, false
	}
	if a.h == nil {
		r.hostNotFound(ctx, diags, a.hostID)
		return nil, false
	}
	if unlock, ok = r.lockHost(ctx, a.hostID, diags); !ok {
		return nil, false
	}
	a.rpfNow = a.h.RPFCheckPromisc
	a.found = tfvalue.Strings(ctx, hostHazards(a.h, a.rpfNow), diags)
	return unlock, true
}

// state is what to save from what has been done so far.
func (a *hostApply) state(ctx context.Context, diags *diag.Diagnostics) *settingsModel {
	st := a.plan
	st.ID = types.StringValue(a.hostID)
	st.Name = types.StringValue(a.h.Name)
	st.TeamedVSwitches = tfvalue.StringList(teamedVSwitches(a.h))
	st.Hazards = hostHazards(a.h, a.rpfNow)
	hazards.KeepPlannedHazards(ctx, "hazards", a.plan.Hazards, &st.Hazards, hostLabel(a.h), diags)
	if a.plan.HazardsRepaired.IsUnknown() || a.plan.HazardsRepaired.IsNull() {
		before := types.ListNull(types.StringType)
		if a.prior != nil {
			before = a.prior.HazardsRepaired
		}
		st.HazardsRepaired = hazards.Repaired(ctx, a.found, st.Hazards, before, diags)
	}
	st.OriginalValues = tfvalue.MapValue(a.orig)
	st.PendingReenable = tfvalue.MapValue(a.pending)
	st.ToggledPortgroups = tfvalue.StringList(a.toggled)
	return &st
}

// reenablePending puts back promiscuous mode where a failed toggle left it
// off, first of all. done is false (with the state to save) when some are
// still off.
func (r *settingsResource) reenablePending(ctx context.Context, a *hostApply, diags *diag.Diagnostics) (done bool, st *settingsModel) {
	a.snap, a.h = r.readHost(ctx, a.hostID, a.keys, true, diags) // under the lock
	if a.snap == nil || a.h == nil {
		return false, keepPrior(a.prior, a.pending)
	}
	left := r.reenable(ctx, a.snap, a.h, a.pending, diags)
	if len(left) > 0 {
		a.pending = left
		if a.prior == nil {
			return false, a.state(ctx, diags)
		}
		return false, keepPrior(a.prior, a.pending)
	}
	a.pending = map[string]string{}
	return true, nil
}

// writeOptions remembers the values found before the first change, puts
// back the ones no longer managed, and writes the planned ones (one call).
// It reports whether the reverse-path option changes.
func (r *settingsResource) writeOptions(ctx context.Context, a *hostApply, diags *diag.Diagnostics) (rpfChanges, ok bool) {
	rpfOpt := supported(a.snap, a.hostID, inventory.OptionRPFKey)
	if rpfOpt == nil {
		diags.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Option not supported by the host",
			fmt.Sprintf("%s does not declare the advanced option %s.", hostLabel(a.h), inventory.OptionRPFKey))
		return false, false
	}
	a.rememberOriginals()
	values := a.restoredOptions()
	want, err := rpfValue(rpfOpt, a.plan.RPF.ValueBool())
	if err != nil {
		diags.AddAttributeError(path.Root("reverse_path_fwd_check_promisc"), "Cannot write the option", fmt.Sprintf("%s: %v.", hostLabel(a.h), err))
		return false, false
	}
	rpfChanges = formatOption(want) != formatOption(rpfOpt.Value)
	if rpfChanges {
		values[inventory.OptionRPFKey] = want
	}
	if !a.plannedOptions(values, diags) {
		return false, false
	}
	if len(values) > 0 {
		if err := r.client.UpdateOptions(ctx, a.snap, a.hostID, values); err != nil {
			tfdiag.AddObjectError(diags, path.Root("host_system_id"), "Cannot set host advanced options",
				tfdiag.ObjectError("Setting "+strings.Join(tfvalue.SortedKeys(values), ", ")+" on", "host", a.h.Name, a.hostID, err), err)
			return false, false
		}
	}
	return rpfChanges, true
}

// rememberOriginals keeps, for each option about to be managed, the value
// found before the first change.
func (a *hostApply) rememberOriginals() {
	for _, k := range append([]string{inventory.OptionRPFKey}, tfvalue.SortedKeys(a.adv)...) {
		if _, ok := a.orig[k]; !ok {
			if ov := a.snap.Options[a.hostID][k]; ov != nil && ov.Value != nil {
				a.orig[k] = formatOption(ov.Value)
			}
		}
	}
}

// restoredOptions are the values to put back for the options no longer
// managed (with restore_on_destroy), which are forgotten.
func (a *hostApply) restoredOptions() map[string]any {
	values := map[string]any{}
	for _, k := range tfvalue.SortedKeys(a.priorAdv) {
		if _, still := a.adv[k]; still {
			continue
		}
		if o, ok := a.orig[k]; ok && a.plan.RestoreOnDestroy.ValueBool() {
			if ov := supported(a.snap, a.hostID, k); ov != nil {
				if v, err := convertOption(ov, o); err == nil && formatOption(v) != formatOption(ov.Value) {
					values[k] = v
				}
			}
		}
		delete(a.orig, k)
	}
	return values
}

// plannedOptions adds to values the planned advanced options that differ
// from the host's; false with an error for an option the host does not
// have or a value it does not take.
func (a *hostApply) plannedOptions(values map[string]any, diags *diag.Diagnostics) bool {
	for _, k := range tfvalue.SortedKeys(a.adv) {
		ov := supported(a.snap, a.hostID, k)
		if ov == nil {
			diags.AddAttributeError(path.Root("advanced_options").AtMapKey(k), "Unknown advanced option", fmt.Sprintf("%s has no advanced option %q.", hostLabel(a.h), k))
			return false
		}
		v, err := convertOption(ov, a.adv[k])
		if err != nil {
			diags.AddAttributeError(path.Root("advanced_options").AtMapKey(k), "Wrong value for advanced option", fmt.Sprintf("advanced_options[%q] on %s: %v.", k, hostLabel(a.h), err))
			return false
		}
		if formatOption(v) != formatOption(ov.Value) {
			values[k] = v
		}
	}
	return true
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
