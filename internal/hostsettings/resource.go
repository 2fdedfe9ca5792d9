// Package hostsettings is the carp_host_settings resource: the ESXi
// advanced option Net.ReversePathFwdCheckPromisc (and other advanced options)
// of one host, the promiscuous-mode toggle after it changes, and the restore
// on destroy.
//
// resource.go holds the CRUD methods in lifecycle order; schema.go the
// schema; model.go the model and small reads of a host; plan.go ModifyPlan;
// apply.go the write of create and update; toggle.go the toggle of the
// host's port groups and vSwitches; options.go the typed conversion of
// option values. vSphere is reached only through internal/vsphere's verbs.
package hostsettings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/direct"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfhelp"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ resource.Resource                = (*settingsResource)(nil)
	_ resource.ResourceWithConfigure   = (*settingsResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*settingsResource)(nil)
	_ resource.ResourceWithImportState = (*settingsResource)(nil)
)

// New is the carp_host_settings resource.
func New() resource.Resource { return &settingsResource{} }

type settingsResource struct{ client *vsphere.Client }

func (r *settingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = tfhelp.ClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *settingsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan settingsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if st, _ := r.apply(ctx, nil, plan, &resp.Diagnostics); st != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, st)...)
		setIdentity(ctx, resp.Identity, st.HostSystemID.ValueString(), &resp.Diagnostics)
	}
}

func (r *settingsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	direct.FrameworkRead(ctx, r, req, resp)
}

// ReadValues is the resource's Read (direct.ValuesReader).
func (r *settingsResource) ReadValues(ctx context.Context, req direct.ReadIn, resp *direct.ReadOut) {
	var state settingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hostID := state.HostSystemID.ValueString()
	if hostID == "" {
		hostID = state.ID.ValueString()
	}
	setIdentity(ctx, resp.Identity, hostID, &resp.Diagnostics)
	adv := tfhelp.StringMap(ctx, state.AdvancedOptions, &resp.Diagnostics)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, tfhelp.SortedKeys(adv), false, &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		resp.Diagnostics.AddWarning("Host no longer exists",
			fmt.Sprintf("Host %s was not found on the vSphere server; carp_host_settings for it is removed from the state. Remove the resource from the configuration, or fix host_system_id.", hostID))
		resp.State.RemoveResource(ctx)
		return
	}
	r.client.NoteRefreshed(destroyKey(hostID))
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
		state.AdvancedOptions = tfhelp.MapValue(adv)
	}
	state.TeamedVSwitches = tfhelp.StringList(teamedVSwitches(h))
	state.Hazards = hostHazards(h, h.RPFCheckPromisc)
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
		state.HazardsRepaired = tfhelp.StringList([]string{}) // an import repairs nothing
		orig := map[string]string{}
		if ov := snap.Options[hostID][inventory.OptionRPFKey]; ov != nil && ov.Value != nil {
			orig[inventory.OptionRPFKey] = formatOption(ov.Value)
		}
		state.OriginalValues = tfhelp.MapValue(orig)
	}
	if state.ToggledPortgroups.IsNull() {
		state.ToggledPortgroups = tfhelp.StringList([]string{})
	}
	if state.PendingReenable.IsNull() {
		state.PendingReenable = tfhelp.MapValue(map[string]string{})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *settingsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state settingsModel
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
	setIdentity(ctx, resp.Identity, st.HostSystemID.ValueString(), &resp.Diagnostics)
}

func (r *settingsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state settingsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hostID := state.HostSystemID.ValueString()
	orig := tfhelp.StringMap(ctx, state.OriginalValues, &resp.Diagnostics)
	pending := tfhelp.StringMap(ctx, state.PendingReenable, &resp.Diagnostics)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	keys := tfhelp.SortedKeys(orig)
	snap, h := r.readHost(ctx, hostID, keys, false, &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		resp.Diagnostics.AddWarning("Host no longer exists",
			fmt.Sprintf("Host %s was not found; there is nothing to restore. carp_host_settings is removed from the state.", hostID))
		return
	}
	unlock, ok := r.lockHost(ctx, hostID, &resp.Diagnostics)
	if !ok {
		return
	}
	defer unlock()
	r.client.NoteBeforeDestroy(destroyKey(hostID), rpfFacts(h.RPFCheckPromisc))
	savePending := func(p map[string]string) {
		state.PendingReenable = tfhelp.MapValue(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
	if len(pending) > 0 {
		// Re-read under the lock, fresh: the specs are written back.
		if snap, h = r.readHost(ctx, hostID, keys, true, &resp.Diagnostics); snap == nil || h == nil {
			return
		}
		if left := r.reenable(ctx, snap, h, pending, &resp.Diagnostics); len(left) > 0 {
			savePending(left)
			return
		}
		savePending(map[string]string{})
		if snap, h = r.readHost(ctx, hostID, keys, false, &resp.Diagnostics); snap == nil || h == nil {
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
	if err := r.client.UpdateOptions(ctx, snap, hostID, values); err != nil {
		tfhelp.AddObjectError(&resp.Diagnostics, path.Root("host_system_id"), "Cannot restore host advanced options",
			tfhelp.ObjectError("Restoring "+strings.Join(tfhelp.SortedKeys(values), ", ")+" on", "host", h.Name, hostID, err)+
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

func (r *settingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, what := importID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if msg := tfhelp.CheckHostID(id); msg != "" {
		resp.Diagnostics.AddError("Invalid "+what, "Import carp_host_settings by the host's managed object id. "+msg)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host_system_id"), id)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}
