package portgrouppolicy

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/hazards"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// lockedRead takes the write lock of the target's host network (the lock
// carp_host_settings takes for the same port groups) or distributed switch
// (switchID; the port group itself while the switch is not known), then
// reads the target fresh under it, for a read-modify-write. A host that does
// not exist is a *vsphere.NotFoundError. Call unlock when done.
func (r *policyResource) lockedRead(ctx context.Context, t pgTarget, switchID string) (snap *vsphere.Snapshot, unlock func(), err error) {
	if t.isDV() {
		key := switchID
		if key == "" {
			key = t.DVPortGroupID
		}
		unlock = r.client.LockSwitch(key)
	} else if unlock, err = r.client.LockHostNetwork(ctx, t.HostID); err != nil {
		return nil, nil, err
	}
	snap, err = r.client.ReadFresh(ctx, t.ref().Request(), switchID)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return snap, unlock, nil
}

// apply writes the planned policy (toggling first when asked) and fills m
// with the resulting state, computed locally. On an error after a first
// write succeeded, written is true and m describes what the port group was
// left with (promiscuous mode off), so that the next plan repairs it.
func (r *policyResource) apply(ctx context.Context, m *policyModel, toggle, create bool) (written bool, diags diag.Diagnostics) {
	ctx, cancel, a := r.beginApply(ctx, m, &diags)
	defer cancel()
	if a == nil {
		return false, diags
	}
	defer a.unlock()
	// hazards_repaired: the codes found now, before the write, that the
	// apply leaves fixed (kept as planned when the plan knew them).
	a.found, a.plannedRepaired = hazardsOf(a.snap, a.t), m.HazardsRepaired
	saveOriginal(m, a.v, create)
	spec, _ := teamingOf(ctx, m.Teaming, &diags)
	if spec != nil {
		checkTeaming(&diags, a.v, spec)
	}
	wr := writeOf(ctx, m, a.v, spec, &diags)
	if wr.ml != nil && !a.v.useMM {
		addMacLearningErrors(&diags, rules.WriteMacLearning(a.snap.Snapshot, a.t.HostID, a.t.PortGroup, a.t.DVPortGroupID))
	}
	if diags.HasError() {
		return false, diags
	}
	if !r.write(ctx, a, wr, toggle, &diags) {
		if a.leftOff {
			a.leftOffState(ctx, m, &diags)
		}
		return a.leftOff, diags
	}
	a.appliedState(ctx, r, m, wr, &diags)
	tflog.Debug(ctx, "carp_portgroup_policy applied", map[string]any{"id": a.t.ID(), "toggle": toggle})
	return true, diags
}

// applying is one apply of a port group policy: the target as read fresh
// under its lock, and what the apply found and did.
type applying struct {
	t               pgTarget
	snap            *vsphere.Snapshot
	v               *pgView
	unlock          func()
	found           []string   // the codes found before the write
	plannedRepaired types.List // hazards_repaired as planned
	leftOff         bool       // a toggle left (or may have left) promiscuous mode off
}

// beginApply reads the target fresh under its lock; nil (with an error in
// diags) when it cannot be applied.
func (r *policyResource) beginApply(ctx context.Context, m *policyModel, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *applying) {
	t, ok := targetOf(m)
	if !ok {
		diags.AddError("Unknown target", "host_system_id/portgroup or distributed_portgroup_id must be known at apply time.")
		return ctx, func() {}, nil
	}
	if r.client == nil {
		tfdiag.NotConfigured(diags)
		return ctx, func() {}, nil
	}
	ctx, cancel := r.client.Begin(ctx)
	switchID := ""
	if t.isDV() && !m.Switch.IsUnknown() {
		switchID = m.Switch.ValueString()
	}
	snap, unlock, err := r.lockedRead(ctx, t, switchID)
	switch {
	case vsphere.IsNotFound(err):
		r.addMissing(ctx, diags, nil, t)
		return ctx, cancel, nil
	case err != nil:
		diags.AddError("Cannot read the port group", fmt.Sprintf("Reading %s failed: %v", t.ID(), err))
		return ctx, cancel, nil
	}
	v := viewOf(snap, t)
	if v == nil {
		r.addMissing(ctx, diags, snap.FindHost(t.HostID), t)
	}
	if v == nil || nsxManaged(diags, snap, t) {
		unlock()
		return ctx, cancel, nil
	}
	return ctx, cancel, &applying{t: t, snap: snap, v: v, unlock: unlock}
}

// saveOriginal keeps the port group's own policy as found before create
// (or at import) in original_policy, with its override flags once
// allow_port_overrides is set.
func saveOriginal(m *policyModel, v *pgView, create bool) {
	if create || m.OriginalPolicy.IsNull() || m.OriginalPolicy.IsUnknown() {
		sp := newSavedPolicy(v.own, v.ownTeam, v.ownML)
		if v.t.isDV() && !m.AllowPortOverrides.IsNull() {
			sp.PortOverrides = newSavedOverrides(v.overrides)
		}
		m.OriginalPolicy = types.StringValue(sp.encode())
	} else if overridesToSave(m) {
		sp, _ := decodeSavedPolicy(m.OriginalPolicy.ValueString()) // overridesToSave decoded it
		sp.PortOverrides = newSavedOverrides(v.overrides)
		m.OriginalPolicy = types.StringValue(sp.encode())
	}
}

// write makes the apply's write: the policy, or with toggle promiscuous
// mode off first (the toggle engine, whose second write is the policy).
// false, with an error in diags, when it failed; a.leftOff then says that
// promiscuous mode may have been left off.
func (r *policyResource) write(ctx context.Context, a *applying, wr pgWrite, toggle bool, diags *diag.Diagnostics) bool {
	want := vsphere.Policy{Security: wr.sec, Teaming: wr.teamPtr, MacLearning: wr.ml, UseMacManagement: a.v.useMM, PortOverrides: wr.overrides}
	if !toggle {
		w, err := r.client.PortGroupWriter(a.snap, a.t.ref())
		if err == nil {
			err = w.Write(ctx, want)
		}
		if err != nil {
			tfdiag.AddObjectError(diags, a.t.attr(), "Cannot write the port group policy", tfdiag.ObjectError("writing the policy of", a.t.kind(), a.v.name, a.t.ID(), err)+
				fmt.Sprintf(" (%s). Promiscuous mode is not left off by this apply.", a.v.describe()), err)
		}
		return err == nil
	}
	target := a.t.promiscuousTarget()
	target.Want = &want
	results := r.client.ToggleTargets(ctx, a.snap, []vsphere.PromiscuousTarget{target}, true)
	res := results[0]
	a.leftOff = res.State == vsphere.LeftOff || res.State == vsphere.MaybeLeftOff
	tfdiag.Toggle{
		Describe: func(vsphere.PromiscuousTarget) string { return a.v.describe() },
		At:       func(vsphere.PromiscuousTarget) path.Path { return a.t.attr() },
		Next: tfdiag.ToggleNext{
			LeftOff:   "The next plan re-enables it: allow_promiscuous shows false -> true, and terraform apply writes the desired policy.",
			Cancelled: "The next plan writes the desired policy.",
		},
		APITimeout: r.client.APITimeout(),
	}.AddResults(ctx, diags, results)
	if res.State == vsphere.Toggled && ctx.Err() != nil {
		diags.AddWarning("Interrupted during a toggle: promiscuous mode restored",
			fmt.Sprintf("The operation was cancelled (%v) between the two writes of the toggle of %s. The second write, the desired policy, was still made (with its own %v deadline), so the port group is not left without promiscuous mode.",
				ctx.Err(), a.v.describe(), vsphere.RestoreDeadline))
	}
	return res.State == vsphere.Toggled
}

// leftOffState is the state of a port group a toggle left (or may have
// left) with promiscuous mode off: its own policy as read, promiscuous mode
// off, so that the next plan re-enables it.
func (a *applying) leftOffState(ctx context.Context, m *policyModel, diags *diag.Diagnostics) {
	v := a.v
	off := v.own
	off.AllowPromiscuous = inventory.Ptr(false)
	eff := effectiveAfter(v.eff, off, v.ownTeam)
	setLocal(a.snap, a.t, off, v.ownTeam, v.ownML, eff)
	m.AllowPromiscuous = types.BoolValue(false)
	m.AllowMacChanges = types.BoolPointerValue(off.MacChanges)
	m.AllowForgedTransmits = types.BoolPointerValue(off.ForgedTransmits)
	m.MacLearning = macLearningValue(ctx, v.ownML, diags)
	if !m.Teaming.IsNull() {
		m.Teaming = teamingValue(ctx, v.ownTeam, m.Teaming, false, diags)
	}
	fillComputed(ctx, m, a.snap, v, eff, v.ownML, diags)
	m.ToggleHazards = tfvalue.StringList(toggleHazardsOf(a.snap, a.t))
	m.HazardsRepaired = hazards.Repaired(ctx, a.found, m.Hazards, types.ListNull(types.StringType), diags)
}

// appliedState is the state after the write: computed locally from what
// was written, keeping the hazards the plan showed.
func (a *applying) appliedState(ctx context.Context, r *policyResource, m *policyModel, wr pgWrite, diags *diag.Diagnostics) {
	eff := wr.putLocal(a.snap, a.v)
	r.readPorts(ctx, a.snap, a.v, diags)
	planned, plannedToggle := m.Hazards, m.ToggleHazards
	fillComputed(ctx, m, a.snap, a.v, eff, wr.finalML, diags)
	m.ToggleHazards = tfvalue.StringList(toggleHazardsOf(a.snap, a.t))
	hazards.KeepPlannedHazards(ctx, "hazards", planned, &m.Hazards, a.v.describe(), diags)
	hazards.KeepPlannedHazards(ctx, "toggle_hazards", plannedToggle, &m.ToggleHazards, a.v.describe(), diags)
	m.HazardsRepaired = a.plannedRepaired
	if a.plannedRepaired.IsUnknown() || a.plannedRepaired.IsNull() {
		m.HazardsRepaired = hazards.Repaired(ctx, a.found, m.Hazards, types.ListNull(types.StringType), diags)
	}
}

// restore writes the policy found before create back (destroy with
// restore_on_destroy), where it differs from the port group's now.
func (r *policyResource) restore(ctx context.Context, m *policyModel, t pgTarget, sp savedPolicy) (diags diag.Diagnostics) {
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	switchID := ""
	if t.isDV() {
		switchID = m.Switch.ValueString()
	}
	snap, unlock, err := r.lockedRead(ctx, t, switchID)
	var v *pgView
	switch {
	case err == nil:
		defer unlock()
		v = viewOf(snap, t)
	case !vsphere.IsNotFound(err):
		diags.AddError("Cannot read the port group", fmt.Sprintf("Reading %s to restore its policy failed: %v", t.ID(), err))
		return diags
	}
	if v == nil {
		diags.AddWarning("Port group gone; nothing to restore", fmt.Sprintf("%s %s no longer exists, so its original policy cannot be put back.", t.kind(), t.ID()))
		return diags
	}
	r.cmd.NoteBeforeDestroy(destroyKey(t), hazardsOf(snap, t))
	sec, team, ml := sp.security(), sp.teaming(), sp.macLearning()
	secDiff, teamDiff, mlDiff := !securityEqual(v.own, sec), !teamingEqual(v.ownTeam, team), !macLearningEqual(v.ownML, ml)
	overDiff := t.isDV() && sp.PortOverrides != nil && sp.PortOverrides.flags() != v.overrides
	if !secDiff && !teamDiff && !mlDiff && !overDiff {
		return diags
	}
	p := vsphere.Policy{Security: sec, UseMacManagement: v.useMM}
	if overDiff {
		o := sp.PortOverrides.flags()
		p.PortOverrides = &o
	}
	if teamDiff {
		p.Teaming = &team
	}
	if t.isDV() && mlDiff && v.useMM {
		p.MacLearning = ml
		p.MacLearningInherit = ml == nil
	}
	w, err := r.client.PortGroupWriter(snap, t.ref())
	if err == nil {
		err = w.Write(ctx, p)
	}
	if err != nil {
		tfdiag.AddObjectError(&diags, t.attr(), "Cannot restore the original policy",
			tfdiag.ObjectError("restoring the original policy of", t.kind(), v.name, t.ID(), err)+fmt.Sprintf(" (%s). It keeps the policy Terraform set. original_policy was: %s", v.describe(), m.OriginalPolicy.ValueString()), err)
	}
	return diags
}
