package portgrouppolicy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// ModifyPlan reads the port group, checks the planned teaming against it,
// reports the pitfalls of the planned policy (CARP014 as an error) and what
// the plan fixes, and plans a new toggle when the toggle hazards changed.
func (r *policyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return // destroy, or provider not configured yet
	}
	if r.planAsStored(req, resp) {
		return
	}
	p := &policyPlan{changed: !req.Plan.Raw.Equal(req.State.Raw)}
	resp.Diagnostics.Append(p.plan.readValue(ctx, req.Plan.Raw)...)
	if !req.State.Raw.IsNull() {
		p.state = &policyModel{}
		resp.Diagnostics.Append(p.state.readValue(ctx, req.State.Raw)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var ok bool
	if p.t, ok = targetOf(&p.plan); !ok {
		return
	}
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	if !r.readForPlan(ctx, p, &resp.Diagnostics) {
		return
	}
	pp, known := p.policyPlan(ctx, &resp.Diagnostics)
	if !known {
		return // judged once known
	}
	r.readPorts(ctx, p.snap, p.v, &resp.Diagnostics)
	p.warn(pp, &resp.Diagnostics)
	r.planHazards(ctx, p, resp)
	p.planComputed(ctx, resp)
}

// policyPlan is one plan of carp_portgroup_policy.
type policyPlan struct {
	plan    policyModel
	state   *policyModel // nil on create
	changed bool         // the plan differs from the state
	t       pgTarget
	snap    *vsphere.Snapshot
	v       *pgView
	team    *teamingSpec
	// teamKnown is false while the planned teaming is unknown.
	teamKnown bool
	// toggleNow are the toggle hazards as read.
	toggleNow []string
}

// readForPlan reads the target (a DV port group with its switch's member
// hosts, for the CARP004 warning), with the options the host settings of
// this command plan, and checks the planned teaming.
func (r *policyResource) readForPlan(ctx context.Context, p *policyPlan, diags *diag.Diagnostics) bool {
	read := p.t.ref().Request()
	read.SwitchHosts = p.t.isDV() // the member hosts' option, for the CARP004 warning
	snap, err := r.client.Read(ctx, read)
	if err != nil {
		diags.AddError("Cannot read the port group", fmt.Sprintf("Reading %s for the plan failed: %v", p.t.ID(), err))
		return false
	}
	p.snap, p.v = snap, viewOf(snap, p.t)
	if p.v == nil {
		r.addMissing(ctx, diags, snap.FindHost(p.t.HostID), p.t)
		return false
	}
	if nsxManaged(diags, snap, p.t) {
		return false
	}
	r.usePlannedRPF(snap)
	p.toggleNow = toggleHazardsOf(snap, p.t)
	p.team, p.teamKnown = teamingOf(ctx, p.plan.Teaming, diags)
	if p.team != nil {
		checkTeaming(diags, p.v, p.team)
		warnMootLoadBalancing(diags, snap.FindDVSwitch(p.v.switchID), p.v, p.team)
	}
	return true
}

// policyPlan is the planned policy as the rules take it; known is false
// while some of it is unknown.
func (p *policyPlan) policyPlan(ctx context.Context, diags *diag.Diagnostics) (rules.PolicyPlan, bool) {
	plan := &p.plan
	ml := p.v.ownML
	if !plan.MacLearning.IsNull() {
		ml = macLearningOf(ctx, plan.MacLearning, diags)
	}
	if plan.AllowPromiscuous.IsUnknown() || plan.AllowMacChanges.IsUnknown() || plan.AllowForgedTransmits.IsUnknown() ||
		!p.teamKnown || plan.MacLearning.IsUnknown() || plan.AllowPortOverrides.IsUnknown() {
		return rules.PolicyPlan{}, false
	}
	pp := rules.PolicyPlan{
		AllowPromiscuous: plan.AllowPromiscuous.ValueBool(), AllowMacChanges: plan.AllowMacChanges.ValueBool(), AllowForgedTransmits: plan.AllowForgedTransmits.ValueBool(),
		MacLearning: ml, ToggleOnApply: plan.ToggleOnApply.ValueBool(), AllowPortOverrides: plan.AllowPortOverrides.ValueBoolPointer(),
		Guest: p.t.guestScope(),
	}
	if p.team != nil {
		tp := &rules.TeamingPlan{LoadBalancing: p.team.LoadBalancing}
		if p.team.HasActive || p.team.HasStandby {
			merged := mergeTeaming(p.v.ownTeam, p.v.eff, *p.team)
			tp.Active, tp.Standby = merged.Order.Active, merged.Order.Standby
		}
		pp.Teaming = tp
	}
	return pp, true
}

// warn adds the findings of the planned policy: CARP014 as an error on
// mac_learning, the others as warnings on the port group.
func (p *policyPlan) warn(pp rules.PolicyPlan, diags *diag.Diagnostics) {
	var findings []rules.Finding
	if p.t.isDV() {
		findings = rules.PlanDVPortGroup(p.snap.Snapshot, p.t.DVPortGroupID, pp)
	} else {
		findings = rules.PlanStandardPortGroup(p.snap.Snapshot, p.t.HostID, p.t.PortGroup, pp)
	}
	var warn, fatal []rules.Finding
	for _, f := range findings {
		if f.Code == rules.CodeMacLearningUnsupported {
			fatal = append(fatal, f)
		} else {
			warn = append(warn, f)
		}
	}
	addMacLearningErrors(diags, fatal)
	dependsOnHint(warn)
	tfdiag.AddFindings(diags, p.t.path(), warn, nil)
}

// planHazards plans what the plan repairs, for the diff: hazards goes from
// the codes found at the last read (state) to the codes left after this
// plan, and hazards_repaired holds the codes found now that it leaves
// fixed (on a create too). toggle_hazards: the conditions the apply's
// toggle (toggle_on_apply) answers, known where the host option cannot
// change first.
func (r *policyResource) planHazards(ctx context.Context, p *policyPlan, resp *resource.ModifyPlanResponse) {
	toggleNow := p.toggleNow
	if p.state != nil && !p.changed && !hazardDrift(ctx, &p.plan, p.state, toggleNow, &resp.Diagnostics) {
		return
	}
	found := hazardsOf(p.snap, p.t) // before hazardsLeft puts the planned policy into snap
	if before, ok := r.cmd.BeforeDestroy(destroyKey(p.t)); ok && p.state == nil {
		found = before // a replacement, planned again after the destroy
	}
	left := tfvalue.StringList(hazardsLeft(p.snap, p.v, writeOf(ctx, &p.plan, p.v, p.team, &resp.Diagnostics)))
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("hazards"), left)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("hazards_repaired"), r.plannedRepaired(ctx, p.t, found, left, p.state, &resp.Diagnostics))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("toggle_hazards"), toggleHazardsLeft(p.t, toggleNow))...)
}

// planComputed plans id and switch on create; on update, original_policy
// when the apply adds the override flags to it, and a toggle again (with a
// warning saying why) when the toggle hazards changed since the last apply.
func (p *policyPlan) planComputed(ctx context.Context, resp *resource.ModifyPlanResponse) {
	if p.state == nil {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), p.t.ID())...)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("switch"), p.v.switchKey())...)
		return
	}
	probe := p.plan
	probe.OriginalPolicy = p.state.OriginalPolicy
	if overridesToSave(&probe) {
		// the apply adds the override flags found to original_policy
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("original_policy"), types.StringUnknown())...)
	}
	toggleNow := p.toggleNow
	if !hazardDrift(ctx, &p.plan, p.state, toggleNow, &resp.Diagnostics) {
		return
	}
	before := tfvalue.Strings(ctx, p.state.ToggleHazards, &resp.Diagnostics)
	resp.Diagnostics.AddAttributeWarning(path.Root("toggle_on_apply"), "Toggle hazards changed: this apply toggles promiscuous mode again",
		fmt.Sprintf("The conditions that call for a toggle on %s changed since the last apply's toggle, from [%s] to [%s] (CARP006 legacy switch, CARP007 and mirror=<session> port mirroring, rpf=<Net.ReversePathFwdCheckPromisc>).",
			p.v.describe(), strings.Join(before, ", "), strings.Join(toggleNow, ", ")))
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("effective_policy"), types.ObjectUnknown(effectiveTypes()))...)
}

// planAsStored plans a resource whose configuration equals its state and
// that no Read of this command refreshed (plan -refresh=false): it reads
// nothing from vSphere and judges the state as stored, warning about the
// codes of its hazards attribute. It reports whether it planned. Not with
// toggle_on_apply (a change of the toggle hazards plans an update, which
// only vSphere tells) nor allow_port_overrides (the apply may add the flags
// to original_policy): the apply plans such a resource again without a
// Read, and must plan what the plan did.
func (r *policyResource) planAsStored(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if req.State.Raw.IsNull() || !req.Plan.Raw.Equal(req.State.Raw) {
		return false
	}
	var toggle bool
	if tfvalue.RawAttr(req.State.Raw, "toggle_on_apply").As(&toggle) != nil || toggle || !tfvalue.RawAttr(req.State.Raw, "allow_port_overrides").IsNull() {
		return false
	}
	t, err := parsePortGroupID(tfvalue.RawString(tfvalue.RawAttr(req.State.Raw, "id")))
	if err != nil || r.cmd.Refreshed(destroyKey(t)) {
		return false
	}
	tfdiag.AddStoredFindings(&resp.Diagnostics, t.path(), t.kind()+" "+t.ID(), tfvalue.RawStrings(tfvalue.RawAttr(req.State.Raw, "hazards")))
	return true
}

// hazardDrift: with toggle_on_apply, the conditions that call for a toggle
// (now) differ from those stored at the last apply.
func hazardDrift(ctx context.Context, plan, state *policyModel, now []string, diags *diag.Diagnostics) bool {
	if state == nil || !plan.ToggleOnApply.ValueBool() || state.ToggleHazards.IsNull() {
		return false
	}
	return !slices.Equal(now, tfvalue.Strings(ctx, state.ToggleHazards, diags))
}

// addMacLearningErrors reports CARP014 findings as errors on mac_learning,
// at plan and at apply time.
func addMacLearningErrors(diags *diag.Diagnostics, fs []rules.Finding) {
	tfdiag.AddFindings(diags, path.Root("mac_learning"), fs, map[string]bool{rules.CodeMacLearningUnsupported: true})
}

// warnMootLoadBalancing warns when the configured load balancing has no
// effect: the active uplinks (as planned) are one LAG alone, which hashes
// by its own algorithm while vSphere ignores the port group's policy.
func warnMootLoadBalancing(diags *diag.Diagnostics, sw *inventory.DVSwitch, v *pgView, t *teamingSpec) {
	if t.LoadBalancing == nil || sw == nil {
		return
	}
	active := mergeTeaming(v.ownTeam, v.eff, *t).Order
	list := v.eff.ActiveUplinks
	if active != nil {
		list = active.Active
	}
	lag := rules.LoadBalancingMoot(sw, list)
	if lag == nil {
		return
	}
	diags.AddAttributeWarning(path.Root("teaming").AtName("load_balancing"), "Load balancing has no effect behind a LAG",
		fmt.Sprintf("The active uplinks of %s are LAG %s alone, which hashes by its own algorithm (%s, set on the switch's LAG and matched on the physical switch's port channel); "+
			"vSphere ignores the port group's load balancing while the LAG is active, so load_balancing = %q changes nothing. Remove it, or set the LAG's algorithm on the switch.",
			v.describe(), lag.Name, lag.Algorithm, *t.LoadBalancing))
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
			fmt.Sprintf("%s: %s %s not among the %s. Valid uplinks: %s.", v.describe(), tfdiag.ListSome(bad, 10), tfdiag.Plural(len(bad), "is", "are"), what, tfdiag.ListSome(v.uplinks, 20)))
	}
	for _, a := range t.Active {
		if slices.Contains(t.Standby, a) {
			diags.AddAttributeError(path.Root("teaming").AtName("standby_uplinks"), "Uplink both active and standby",
				fmt.Sprintf("%q is listed in both active_uplinks and standby_uplinks of %s; list it once.", a, v.describe()))
		}
	}
}
