package portgrouppolicy

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/hazards"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// pgWrite is what an apply of m writes to the port group of v: the plan
// computes the hazards left after it from the same values the apply writes.
type pgWrite struct {
	sec       inventory.Security
	team      inventory.Teaming
	teamPtr   *inventory.Teaming // nil: teaming not configured, left as is
	ml        *inventory.MacLearning
	finalML   *inventory.MacLearning
	overrides *inventory.PortOverrides
}

// writeOf derives what an apply of m writes over the port group as v read it.
func writeOf(ctx context.Context, m *policyModel, v *pgView, spec *teamingSpec, diags *diag.Diagnostics) pgWrite {
	w := pgWrite{sec: desiredSecurity(m), team: v.ownTeam, ml: macLearningOf(ctx, m.MacLearning, diags), finalML: v.ownML}
	if v.t.isDV() && !m.AllowPortOverrides.IsNull() {
		allow := m.AllowPortOverrides.ValueBool()
		w.overrides = &inventory.PortOverrides{Security: allow, MacManagement: allow}
	}
	if spec != nil {
		w.team = mergeTeaming(v.ownTeam, v.eff, *spec)
		w.teamPtr = &w.team
	}
	if w.ml != nil {
		w.finalML = w.ml
	}
	return w
}

// putLocal writes w into snap (and v's override flags) as the port group
// will hold it, so that the rules judge the state after the write without
// reading it back. Returns the effective policy after the write.
func (w pgWrite) putLocal(snap *vsphere.Snapshot, v *pgView) inventory.Effective {
	eff := effectiveAfter(v.eff, w.sec, w.team)
	setLocal(snap, v.t, w.sec, w.team, w.finalML, eff)
	if w.overrides != nil {
		v.overrides = *w.overrides
		if pg := snap.FindDVPortGroup(v.t.DVPortGroupID); pg != nil {
			pg.Overrides = *w.overrides
		}
	}
	return eff
}

// usePlannedRPF puts into snap the Net.ReversePathFwdCheckPromisc values
// that the carp_host_settings plans of this command set: a port group that
// depends on them is planned after them, so its CARP004 warning judges the
// planned value. Without depends_on the two resources plan in any order;
// the CARP004 message asks for the dependency. Only warnings read these
// values: hazards leave CARP004 out (see hazardsOf).
func (r *policyResource) usePlannedRPF(snap *vsphere.Snapshot) {
	for i := range snap.Hosts {
		h := &snap.Hosts[i]
		if on, ok := r.cmd.PlannedRPF(h.ID); ok {
			h.RPFCheckPromisc = inventory.RPFValue(on)
		}
	}
}

// hazardsLeft are the codes left on the port group once w is written
// (snap is changed).
func hazardsLeft(snap *vsphere.Snapshot, v *pgView, w pgWrite) []string {
	w.putLocal(snap, v)
	return hazardsOf(snap, v.t)
}

// toggleHazardsLeft are the toggle hazards the apply stores: known on a
// distributed port group (the switch's version and mirroring sessions);
// on a standard one they hold the host option, which a carp_host_settings
// of the same run may change in any order, so they are known after apply.
func toggleHazardsLeft(t pgTarget, now []string) types.List {
	if t.isDV() {
		return tfvalue.StringList(now)
	}
	return types.ListUnknown(types.StringType)
}

// dependsOnHint adds to a CARP004 how to tell this plan the host's option
// will be set.
func dependsOnHint(fs []rules.Finding) {
	for i := range fs {
		if fs[i].Code == rules.CodeRPFCheckOffWithTeaming {
			fs[i].Message += " If a carp_host_settings of this configuration sets it for the host, add depends_on = [carp_host_settings.<name>] to this carp_portgroup_policy: its plan then judges the planned value and this warning goes."
		}
	}
}

// destroyKey names t in the records of a destroy (BeforeDestroy).
func destroyKey(t pgTarget) string { return "carp_portgroup_policy:" + t.ID() }

// plannedRepaired is the planned hazards_repaired: the codes found now
// that the plan leaves fixed, or the state's when none. Unknown when a
// carp_host_settings of this command re-enables promiscuous mode of the
// port group first (its pending_reenable, vsphere.PendingReenable): what
// this apply finds then is not what the plan found.
func (r *policyResource) plannedRepaired(ctx context.Context, t pgTarget, found []string, left types.List, state *policyModel, diags *diag.Diagnostics) types.List {
	if !t.isDV() && r.cmd.PendingReenable(t.HostID, t.PortGroup) {
		return types.ListUnknown(types.StringType)
	}
	return hazards.Repaired(ctx, found, left, priorRepaired(state), diags)
}

// priorRepaired is the state's hazards_repaired, null on create.
func priorRepaired(state *policyModel) types.List {
	if state == nil {
		return types.ListNull(types.StringType)
	}
	return state.HazardsRepaired
}
