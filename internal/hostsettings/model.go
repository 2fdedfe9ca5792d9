package hostsettings

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// vswitchPrefix marks a vSwitch (toggled at switch level) in
// toggled_portgroups and pending_reenable; port groups are plain names.
const vswitchPrefix = "vswitch/"

type settingsModel struct {
	ID                types.String `tfsdk:"id"`
	HostSystemID      types.String `tfsdk:"host_system_id"`
	Name              types.String `tfsdk:"name"`
	RPF               types.Bool   `tfsdk:"reverse_path_fwd_check_promisc"`
	Toggle            types.Bool   `tfsdk:"toggle_promiscuous_on_apply"`
	AdvancedOptions   types.Map    `tfsdk:"advanced_options"`
	RestoreOnDestroy  types.Bool   `tfsdk:"restore_on_destroy"`
	OriginalValues    types.Map    `tfsdk:"original_values"`
	ToggledPortgroups types.List   `tfsdk:"toggled_portgroups"`
	PendingReenable   types.Map    `tfsdk:"pending_reenable"`
	TeamedVSwitches   types.List   `tfsdk:"teamed_vswitches"`
	Hazards           types.List   `tfsdk:"hazards"`
	HazardsRepaired   types.List   `tfsdk:"hazards_repaired"`
}

// hostHazards are the codes of the host-wide pitfalls (CARP004) on h with
// Net.ReversePathFwdCheckPromisc at rpf (nil: not read), sorted: what the
// state holds after a read, and what the plan leaves with rpf planned.
func hostHazards(h *inventory.Host, rpf *int64) types.List {
	hc := *h
	hc.RPFCheckPromisc = rpf
	scope := rules.Scope{}
	for _, pg := range h.PortGroups {
		scope.PortGroups = append(scope.PortGroups, rules.PortGroupRef{HostID: h.ID, Name: pg.Name})
	}
	codes := []string{}
	for _, f := range rules.Evaluate(inventory.Snapshot{Hosts: []inventory.Host{hc}}, scope) {
		if f.Code == rules.CodeRPFCheckOffWithTeaming {
			codes = append(codes, f.Code)
		}
	}
	return tfvalue.StringList(tfvalue.SortedUnique(codes))
}

func teamedVSwitches(h *inventory.Host) []string {
	out := []string{}
	for _, vs := range h.VSwitches {
		if len(vs.Uplinks) >= 2 {
			out = append(out, vs.Name)
		}
	}
	slices.Sort(out)
	return out
}

func hostLabel(h *inventory.Host) string { return fmt.Sprintf("host %s (%s)", h.Name, h.ID) }

func rpfOn(h *inventory.Host) bool { return h.RPFCheckPromisc != nil && *h.RPFCheckPromisc == 1 }

// readHost reads the host with the advanced options keys (besides
// Net.ReversePathFwdCheckPromisc). fresh reads from the server, not the read
// cache, for a read-modify-write under lockHost: the specs read are written
// back. The host is nil when there is no such host.
func (r *settingsResource) readHost(ctx context.Context, hostID string, keys []string, fresh bool, diags *diag.Diagnostics) (*vsphere.Snapshot, *inventory.Host) {
	req := vsphere.Request{HostIDs: []string{hostID}, Options: tfvalue.SortedUnique(keys)}
	read := r.client.Read
	if fresh {
		read = func(ctx context.Context, req vsphere.Request) (*vsphere.Snapshot, error) {
			return r.client.ReadFresh(ctx, req)
		}
	}
	snap, err := read(ctx, req)
	if err != nil {
		diags.AddError("Cannot read the host", tfdiag.ObjectError("Reading", "host", "", hostID, err))
		return nil, nil
	}
	return snap, snap.FindHost(hostID)
}

// lockHost takes the lock of the host's network, which carp_portgroup_policy
// takes for the same port groups. Call unlock when done.
func (r *settingsResource) lockHost(ctx context.Context, hostID string, diags *diag.Diagnostics) (unlock func(), ok bool) {
	unlock, err := r.client.LockHostNetwork(ctx, hostID)
	if vsphere.IsNotFound(err) {
		r.hostNotFound(ctx, diags, hostID)
		return nil, false
	}
	if err != nil {
		diags.AddError("Cannot read the host", tfdiag.ObjectError("Reading", "host", "", hostID, err))
		return nil, false
	}
	return unlock, true
}

// plannedHazards are the planned hazards of a plan that sets the option to
// rpf on h: none with the option on; unknown with it off, as CARP004 then
// depends on the port groups promiscuous at the apply, which a
// carp_portgroup_policy of the same command may change before this
// resource's apply (in any order without depends_on).
func plannedHazards(h *inventory.Host, rpf bool) types.List {
	if !rpf {
		return types.ListUnknown(types.StringType)
	}
	return hostHazards(h, inventory.RPFValue(true))
}

// plannedRepaired is the planned hazards_repaired of a plan that sets the
// option to rpf on h, read with the option at read: none while the option
// keeps its value or is turned off; unknown when it is turned on, as what it
// repairs (CARP004) depends on the port groups then promiscuous, which a
// carp_portgroup_policy of the same command may change before this
// resource's apply (in any order without depends_on).
func plannedRepaired(read *int64, rpf bool) types.List {
	if rpf && (read == nil || *read != 1) {
		return types.ListUnknown(types.StringType)
	}
	return tfvalue.StringList([]string{})
}

// rpfFacts is the option as a destroy records it (NoteBeforeDestroy), and
// rpfOfFacts reads it back.
func rpfFacts(v *int64) []string {
	if v == nil {
		return []string{}
	}
	return []string{strconv.FormatInt(*v, 10)}
}

func rpfOfFacts(facts []string) *int64 {
	if len(facts) != 1 {
		return nil
	}
	n, err := strconv.ParseInt(facts[0], 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// destroyKey names a host in the records of a destroy (BeforeDestroy).
func destroyKey(hostID string) string { return "carp_host_settings:" + hostID }

// hostNotFound is the error for a host_system_id no host has, listing the
// hosts that exist.
func (r *settingsResource) hostNotFound(ctx context.Context, diags *diag.Diagnostics, hostID string) {
	names, err := r.client.HostNames(ctx)
	tfdiag.HostNotFound(diags, path.Root("host_system_id"), hostID, names, err)
}
