package portgrouppolicy

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfhelp"
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
	t, ok := targetOf(m)
	if !ok {
		diags.AddError("Unknown target", "host_system_id/portgroup or distributed_portgroup_id must be known at apply time.")
		return false, diags
	}
	if r.client == nil {
		tfhelp.NotConfigured(&diags)
		return false, diags
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	switchID := ""
	if t.isDV() && !m.Switch.IsUnknown() {
		switchID = m.Switch.ValueString()
	}
	snap, unlock, err := r.lockedRead(ctx, t, switchID)
	if vsphere.IsNotFound(err) {
		r.addMissing(ctx, &diags, nil, t)
		return false, diags
	}
	if err != nil {
		diags.AddError("Cannot read the port group", fmt.Sprintf("Reading %s failed: %v", t.ID(), err))
		return false, diags
	}
	defer unlock()
	v := viewOf(snap, t)
	if v == nil {
		r.addMissing(ctx, &diags, snap.FindHost(t.HostID), t)
		return false, diags
	}
	if nsxManaged(&diags, snap, t) {
		return false, diags
	}
	// hazards_repaired: the codes found now, before the write, that the
	// apply leaves fixed (kept as planned when the plan knew them).
	found, plannedRepaired := hazardsOf(snap, t), m.HazardsRepaired
	if create || m.OriginalPolicy.IsNull() || m.OriginalPolicy.IsUnknown() {
		sp := newSavedPolicy(v.own, v.ownTeam, v.ownML)
		if t.isDV() && !m.AllowPortOverrides.IsNull() {
			sp.PortOverrides = newSavedOverrides(v.overrides)
		}
		m.OriginalPolicy = types.StringValue(sp.encode())
	} else if overridesToSave(m) {
		sp, _ := decodeSavedPolicy(m.OriginalPolicy.ValueString()) // overridesToSave decoded it
		sp.PortOverrides = newSavedOverrides(v.overrides)
		m.OriginalPolicy = types.StringValue(sp.encode())
	}
	spec, _ := teamingOf(ctx, m.Teaming, &diags)
	if spec != nil {
		checkTeaming(&diags, v, spec)
	}
	wr := writeOf(ctx, m, v, spec, &diags)
	if wr.ml != nil && !v.useMM {
		addMacLearningErrors(&diags, rules.WriteMacLearning(snap.Snapshot, t.HostID, t.PortGroup, t.DVPortGroupID))
	}
	if diags.HasError() {
		return false, diags
	}

	// The state if the second write of a toggle never lands.
	off := v.own
	off.AllowPromiscuous = inventory.Ptr(false)
	leftOff := func() {
		eff := effectiveAfter(v.eff, off, v.ownTeam)
		setLocal(snap, t, off, v.ownTeam, v.ownML, eff)
		m.AllowPromiscuous = types.BoolValue(false)
		m.AllowMacChanges = types.BoolPointerValue(off.MacChanges)
		m.AllowForgedTransmits = types.BoolPointerValue(off.ForgedTransmits)
		m.MacLearning = macLearningValue(ctx, v.ownML, &diags)
		if !m.Teaming.IsNull() {
			m.Teaming = teamingValue(ctx, v.ownTeam, m.Teaming, false, &diags)
		}
		fillComputed(ctx, m, snap, v, eff, v.ownML, &diags)
		m.ToggleHazards = tfhelp.StringList(toggleHazardsOf(snap, t))
		m.HazardsRepaired = tfhelp.Repaired(ctx, found, m.Hazards, types.ListNull(types.StringType), &diags)
	}

	w, err := r.client.PortGroupWriter(snap, t.ref())
	if err == nil {
		want := vsphere.Policy{Security: wr.sec, Teaming: wr.teamPtr, MacLearning: wr.ml, UseMacManagement: v.useMM, PortOverrides: wr.overrides}
		if toggle {
			written, err = w.Toggle(ctx, vsphere.Policy{Security: off, UseMacManagement: v.useMM}, want)
		} else {
			err = w.Write(ctx, want)
		}
	}
	if err != nil {
		if written && vsphere.IsNoAnswer(err) {
			leftOff()
			diags.AddError("Toggle may have left promiscuous mode OFF",
				fmt.Sprintf("Promiscuous mode was turned off on %s, then vSphere stopped answering: %s. "+tfhelp.NoAnswerDetail,
					v.describe(), tfhelp.ObjectError("writing the desired policy of", "port group", v.name, t.ID(), err), r.client.APITimeout(), vsphere.RestoreDeadline))
			return true, diags
		}
		if written {
			leftOff()
			diags.AddError("Toggle left promiscuous mode OFF",
				fmt.Sprintf("Promiscuous mode was turned off on %s, but writing the desired policy failed after %d attempts: %s. "+
					"The port group is left rejecting promiscuous mode, so CARP on it is broken until the next apply; the next plan re-enables it (allow_promiscuous shows false -> true).",
					v.describe(), vsphere.RestoreAttempts, tfhelp.ObjectError("writing the policy of", "port group", v.name, t.ID(), err)))
			return true, diags
		}
		tfhelp.AddObjectError(&diags, t.attr(), "Cannot write the port group policy", tfhelp.ObjectError("writing the policy of", t.kind(), v.name, t.ID(), err)+
			fmt.Sprintf(" (%s). Promiscuous mode is not left off by this apply.", v.describe()), err)
		return false, diags
	}
	if written && ctx.Err() != nil {
		diags.AddWarning("Interrupted during a toggle: promiscuous mode restored",
			fmt.Sprintf("The operation was cancelled (%v) between the two writes of the toggle of %s. The second write, the desired policy, was still made (with its own %v deadline), so the port group is not left without promiscuous mode.",
				ctx.Err(), v.describe(), vsphere.RestoreDeadline))
	}
	eff := wr.putLocal(snap, v)
	r.readPorts(ctx, snap, v, &diags)
	planned, plannedToggle := m.Hazards, m.ToggleHazards
	fillComputed(ctx, m, snap, v, eff, wr.finalML, &diags)
	m.ToggleHazards = tfhelp.StringList(toggleHazardsOf(snap, t))
	tfhelp.KeepPlannedHazards(ctx, "hazards", planned, &m.Hazards, v.describe(), &diags)
	tfhelp.KeepPlannedHazards(ctx, "toggle_hazards", plannedToggle, &m.ToggleHazards, v.describe(), &diags)
	m.HazardsRepaired = plannedRepaired
	if plannedRepaired.IsUnknown() || plannedRepaired.IsNull() {
		m.HazardsRepaired = tfhelp.Repaired(ctx, found, m.Hazards, types.ListNull(types.StringType), &diags)
	}
	tflog.Debug(ctx, "carp_portgroup_policy applied", map[string]any{"id": t.ID(), "toggle": toggle})
	return true, diags
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
	r.client.NoteBeforeDestroy(destroyKey(t), hazardsOf(snap, t))
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
		tfhelp.AddObjectError(&diags, t.attr(), "Cannot restore the original policy",
			tfhelp.ObjectError("restoring the original policy of", t.kind(), v.name, t.ID(), err)+fmt.Sprintf(" (%s). It keeps the policy Terraform set. original_policy was: %s", v.describe(), m.OriginalPolicy.ValueString()), err)
	}
	return diags
}
