// Package portgrouppolicy is the carp_portgroup_policy resource: the
// security (and optionally MAC learning and teaming) policy of one existing
// standard or distributed port group.
//
// resource.go holds the CRUD methods in lifecycle order; schema.go the
// schema and config validation; model.go the models and their conversions
// (convert.go those of the hot paths, without reflection); plan.go
// ModifyPlan; hazards.go what an apply writes and the hazards left and
// repaired after it; write.go the locked read-modify-write of apply and
// destroy; target.go what a resource points at and how a read shows it;
// policy.go the pure policy helpers; adopt.go the inherited security
// fields adopted at import; identity.go the resource identity and import;
// nsx.go the refusal of an NSX port group (CARP022). vSphere is reached
// only through internal/vsphere's verbs; the rules through internal/rules.
package portgrouppolicy

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/command"
	"github.com/carpsafe/terraform-provider-carp/internal/direct"
	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ resource.Resource                   = (*policyResource)(nil)
	_ resource.ResourceWithConfigure      = (*policyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*policyResource)(nil)
	_ resource.ResourceWithImportState    = (*policyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*policyResource)(nil)
)

// New is the carp_portgroup_policy resource.
func New() resource.Resource { return &policyResource{} }

type policyResource struct {
	client *vsphere.Client
	// cmd is the state this command's plans share (the planned host
	// options, what a destroy found, what a Read refreshed).
	cmd *command.State
}

func (r *policyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerdata.From(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.cmd = data.VSphere, data.Command
	}
}

func (r *policyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m policyModel
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
	setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
}

func (r *policyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	direct.FrameworkRead(ctx, r, req, resp)
}

// ReadValues is the resource's Read (direct.ValuesReader).
func (r *policyResource) ReadValues(ctx context.Context, req direct.ReadIn, resp *direct.ReadOut) {
	var m policyModel
	resp.Diagnostics.Append(m.readValue(ctx, req.State.Raw)...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, ok := targetOf(&m)
	if !ok {
		resp.Diagnostics.AddError("Invalid state", "The state names neither host_system_id/portgroup nor distributed_portgroup_id.")
		return
	}
	setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
	if r.client == nil {
		tfdiag.NotConfigured(&resp.Diagnostics)
		return
	}
	importing := m.OriginalPolicy.IsNull()
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, err := r.client.Read(ctx, t.ref().Request())
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the port group", fmt.Sprintf("Reading %s failed: %v", t.ID(), err))
		return
	}
	v := viewOf(snap, t)
	if v == nil {
		if importing {
			r.addMissing(ctx, &resp.Diagnostics, snap.FindHost(t.HostID), t)
			return
		}
		where := "host " + t.HostID
		if t.isDV() {
			where = "vCenter"
		}
		resp.Diagnostics.AddWarning("Port group gone; removed from state",
			fmt.Sprintf("%s %s no longer exists in %s, so carp_portgroup_policy %s is removed from state; nothing is left to restore. The next plan creates it again if it is still configured.",
				t.kind(), t.ID(), where, t.ID()))
		resp.State.RemoveResource(ctx)
		return
	}
	r.cmd.NoteRefreshed(destroyKey(t))
	var adopted []string
	if !importing {
		adopted = adoptedFields(ctx, req.Private, &resp.Diagnostics)
	}
	setAdopted(ctx, resp.Private, readSecurity(&m, v.own, v.eff, adopted, importing), &resp.Diagnostics)
	if importing || !m.MacLearning.IsNull() {
		m.MacLearning = macLearningValue(ctx, v.ownML, &resp.Diagnostics)
	}
	m.Teaming = teamingValue(ctx, v.ownTeam, m.Teaming, importing, &resp.Diagnostics)
	if t.isDV() && !m.AllowPortOverrides.IsNull() {
		m.AllowPortOverrides = types.BoolValue(v.overrides.Allowed())
	}
	r.readPorts(ctx, snap, v, &resp.Diagnostics)
	if importing {
		m.OriginalPolicy = types.StringValue(newSavedPolicy(v.own, v.ownTeam, v.ownML).encode())
		m.ToggleOnApply = types.BoolValue(false)
		m.RestoreOnDestroy = types.BoolValue(true)
		m.ToggleTriggers = types.MapNull(types.StringType)
		m.ToggleHazards = tfvalue.StringList(toggleHazardsOf(snap, t))
		m.HazardsRepaired = tfvalue.StringList([]string{})
	}
	fillComputed(ctx, &m, snap, v, v.eff, v.ownML, &resp.Diagnostics)
	resp.Diagnostics.Append(m.setIn(ctx, &resp.State)...)
}

func (r *policyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m, prior policyModel
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
		setIdentity(ctx, resp.Identity, &prior, &resp.Diagnostics)
		return
	}
	setAdopted(ctx, resp.Private, nil, &resp.Diagnostics) // every field written explicitly
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	setIdentity(ctx, resp.Identity, &m, &resp.Diagnostics)
}

func (r *policyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m policyModel
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
	resp.Diagnostics.Append(r.restore(ctx, &m, t, sp)...)
}

func (r *policyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	t, diags := importTarget(ctx, req)
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	tfvalue.SetIdentity(ctx, resp.Identity, identityOf(t), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), t.ID())...)
	if t.isDV() {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("distributed_portgroup_id"), t.DVPortGroupID)...)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host_system_id"), t.HostID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("portgroup"), t.PortGroup)...)
}
