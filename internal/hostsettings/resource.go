// Package hostsettings is the carp_host_settings resource: the ESXi
// advanced option Net.ReversePathFwdCheckPromisc (and other advanced options)
// of one host, the promiscuous-mode toggle after it changes, and the restore
// on destroy.
//
// resource.go holds the CRUD methods in lifecycle order; schema.go the
// schema; model.go the model and small reads of a host; plan.go ModifyPlan;
// apply.go the write of create and update; toggle.go the toggle of the
// host's port groups and vSwitches; options.go the typed conversion of
// option values; identity.go the resource identity and import. vSphere is
// reached only through internal/vsphere's verbs.
package hostsettings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/command"
	"github.com/carpsafe/terraform-provider-carp/internal/direct"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
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

type settingsResource struct {
	client *vsphere.Client
	// cmd is the state this command's plans share (the planned host
	// options, what a destroy found, what a Read refreshed).
	cmd *command.State
}

func (r *settingsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := providerdata.From(req.ProviderData, &resp.Diagnostics); data != nil {
		r.client, r.cmd = data.VSphere, data.Command
	}
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
	adv := tfvalue.StringMap(ctx, state.AdvancedOptions, &resp.Diagnostics)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	snap, h := r.readHost(ctx, hostID, tfvalue.SortedKeys(adv), false, &resp.Diagnostics)
	if snap == nil {
		return
	}
	if h == nil {
		resp.Diagnostics.AddWarning("Host no longer exists",
			fmt.Sprintf("Host %s was not found on the vSphere server; carp_host_settings for it is removed from the state. Remove the resource from the configuration, or fix host_system_id.", hostID))
		resp.State.RemoveResource(ctx)
		return
	}
	r.cmd.NoteRefreshed(destroyKey(hostID))
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
		state.AdvancedOptions = tfvalue.MapValue(adv)
	}
	state.TeamedVSwitches = tfvalue.StringList(teamedVSwitches(h))
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
		state.HazardsRepaired = tfvalue.StringList([]string{}) // an import repairs nothing
		orig := map[string]string{}
		if ov := snap.Options[hostID][inventory.OptionRPFKey]; ov != nil && ov.Value != nil {
			orig[inventory.OptionRPFKey] = formatOption(ov.Value)
		}
		state.OriginalValues = tfvalue.MapValue(orig)
	}
	if state.ToggledPortgroups.IsNull() {
		state.ToggledPortgroups = tfvalue.StringList([]string{})
	}
	if state.PendingReenable.IsNull() {
		state.PendingReenable = tfvalue.MapValue(map[string]string{})
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
	orig := tfvalue.StringMap(ctx, state.OriginalValues, &resp.Diagnostics)
	pending := tfvalue.StringMap(ctx, state.PendingReenable, &resp.Diagnostics)
	ctx, cancel := r.client.Begin(ctx)
	defer cancel()
	keys := tfvalue.SortedKeys(orig)
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
	r.cmd.NoteBeforeDestroy(destroyKey(hostID), rpfFacts(h.RPFCheckPromisc))
	savePending := func(p map[string]string) {
		state.PendingReenable = tfvalue.MapValue(p)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
	if len(pending) > 0 {
		if snap, h = r.reenableBeforeDestroy(ctx, hostID, keys, pending, savePending, &resp.Diagnostics); snap == nil {
			return
		}
	}
	if state.RestoreOnDestroy.ValueBool() {
		r.restoreOptions(ctx, snap, h, orig, state.Toggle.ValueBool(), savePending, &resp.Diagnostics)
	}
}

// reenableBeforeDestroy puts back what an earlier toggle left off, under
// the lock, before the options are restored; snap is nil (the pending list
// saved) when some are still off.
func (r *settingsResource) reenableBeforeDestroy(ctx context.Context, hostID string, keys []string, pending map[string]string,
	savePending func(map[string]string), diags *diag.Diagnostics) (*vsphere.Snapshot, *inventory.Host) {
	// Re-read under the lock, fresh: the specs are written back.
	snap, h := r.readHost(ctx, hostID, keys, true, diags)
	if snap == nil || h == nil {
		return nil, nil
	}
	if left := r.reenable(ctx, snap, h, pending, diags); len(left) > 0 {
		savePending(left)
		return nil, nil
	}
	savePending(map[string]string{})
	if snap, h = r.readHost(ctx, hostID, keys, false, diags); h == nil {
		return nil, nil
	}
	return snap, h
}

// restoreOptions puts back the options' values found before the first
// change (restore_on_destroy) and, where the reverse-path option changes
// and toggle_promiscuous_on_apply is set, toggles the host's port groups;
// what that toggle leaves off is saved (the resource stays in the state).
func (r *settingsResource) restoreOptions(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, orig map[string]string, toggle bool,
	savePending func(map[string]string), diags *diag.Diagnostics) {
	values := map[string]any{}
	for _, k := range tfvalue.SortedKeys(orig) {
		ov := supported(snap, h.ID, k)
		if ov == nil {
			diags.AddWarning("Option not restored",
				fmt.Sprintf("%s no longer declares %s, so its original value %q was not put back.", hostLabel(h), k, orig[k]))
			continue
		}
		v, err := convertOption(ov, orig[k])
		if err != nil {
			diags.AddWarning("Option not restored", fmt.Sprintf("%s: the original value of %s cannot be written back: %v.", hostLabel(h), k, err))
			continue
		}
		if formatOption(v) != formatOption(ov.Value) {
			values[k] = v
		}
	}
	if len(values) == 0 {
		return
	}
	if err := r.client.UpdateOptions(ctx, snap, h.ID, values); err != nil {
		tfdiag.AddObjectError(diags, path.Root("host_system_id"), "Cannot restore host advanced options",
			tfdiag.ObjectError("Restoring "+strings.Join(tfvalue.SortedKeys(values), ", ")+" on", "host", h.Name, h.ID, err)+
				". The resource stays in the state; run terraform destroy again, or set restore_on_destroy = false to leave the host as it is.", err)
		return
	}
	if _, changed := values[inventory.OptionRPFKey]; changed && toggle {
		// The options are restored; keep the resource so that the next
		// apply (or destroy) re-enables what the toggle left off.
		if _, left, ok := r.toggleHost(ctx, h.ID, tfvalue.SortedKeys(orig), diags); !ok && len(left) > 0 {
			savePending(left)
		}
	}
}

func (r *settingsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, what := importID(ctx, req, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if msg := tfvalue.CheckHostID(id); msg != "" {
		resp.Diagnostics.AddError("Invalid "+what, "Import carp_host_settings by the host's managed object id. "+msg)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host_system_id"), id)...)
	setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
}
