package datasources

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfhelp"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ datasource.DataSource              = (*auditDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*auditDataSource)(nil)
)

// NewAudit is the carp_audit data source.
func NewAudit() datasource.DataSource { return &auditDataSource{} }

type auditDataSource struct {
	client *vsphere.Client
	nsx    *nsx.Client // nil without nsx_manager
}

type auditModel struct {
	HostSystemIDs           []types.String `tfsdk:"host_system_ids"`
	PortGroups              []types.String `tfsdk:"portgroups"`
	DistributedPortGroupIDs []types.String `tfsdk:"distributed_portgroup_ids"`
	FirewallVMIDs           []types.String `tfsdk:"firewall_vm_ids"`
	Transport               types.String   `tfsdk:"transport"`
	Findings                []findingModel `tfsdk:"findings"`
	Ready                   types.Bool     `tfsdk:"ready"`
	Counts                  types.Object   `tfsdk:"counts"`
}

type findingModel struct {
	Code       types.String `tfsdk:"code"`
	Name       types.String `tfsdk:"name"`
	Severity   types.String `tfsdk:"severity"`
	ObjectID   types.String `tfsdk:"object_id"`
	ObjectName types.String `tfsdk:"object_name"`
	Message    types.String `tfsdk:"message"`
	Remedy     types.String `tfsdk:"remedy"`
}

// countsModel is the counts attribute.
type countsModel struct {
	Error   types.Int64 `tfsdk:"error"`
	Warning types.Int64 `tfsdk:"warning"`
	Info    types.Int64 `tfsdk:"info"`
}

func (countsModel) attrTypes() map[string]attr.Type {
	return map[string]attr.Type{"error": types.Int64Type, "warning": types.Int64Type, "info": types.Int64Type}
}

func (d *auditDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit"
}

func (d *auditDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	ids := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: desc}
	}
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Answers \"is this HA firewall setup CARP-ready, and if not, why\": evaluates every rule of the " +
			"[pitfall catalog](../guides/pitfalls.md) against the named hosts, port groups and firewall VMs, with the same " +
			"rule code the resources' plan warnings use. Use `ready` in a `check` block or a CI pipeline.",
		Attributes: map[string]schema.Attribute{
			"host_system_ids":           ids("Hosts (HostSystem morefs such as `host-21`) whose standard port groups named in `portgroups` carry the firewalls."),
			"portgroups":                ids("Names of the standard port groups of the firewall interfaces, checked on every host of `host_system_ids`."),
			"distributed_portgroup_ids": ids("Distributed port groups (morefs such as `dvportgroup-42`) of the firewall interfaces."),
			"firewall_vm_ids":           ids("The firewall VMs (morefs such as `vm-17`). Enables CARP008 (other VMs on a promiscuous firewall port group), CARP012 (legacy NIC types), CARP015-CARP017 (their ports, the hosts they can move to, their separation) and CARP023-CARP025 (their NICs on NSX segments, judged by the segments' NSX profiles: see `nsx_manager`). Alone, it is enough: a list left out is derived from the VMs as `carp_firewalls` does (every host of their clusters, the standard port groups their NICs use on each host that has them, their DV port groups); a list given is used as given."),
			"transport": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "`multicast` (default) or `unicast`. With unicast CARP, the rules the field notes tie to multicast " +
					"(CARP001-CARP007) are reported with severity `info`.",
				Validators: []validator.String{stringvalidator.OneOf(string(rules.Multicast), string(rules.Unicast))},
			},
			"findings": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "What was found, sorted by code, then object id.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"code":        str("Stable code such as `CARP001` (see the pitfall reference)."),
					"name":        str("Rule name, such as `promiscuous_rejected`."),
					"severity":    str("`error`, `warning` or `info`."),
					"object_id":   str("Moref of the object, or `<host moref>:<name>` for a standard port group or vSwitch."),
					"object_name": str("Inventory name of the object."),
					"message":     str("One line: the code, the object, what was read, the fix."),
					"remedy":      str("The fix."),
				}},
			},
			"ready": schema.BoolAttribute{Computed: true, MarkdownDescription: "True when no finding has severity `error`."},
			"counts": schema.ObjectAttribute{
				Computed: true, AttributeTypes: countsModel{}.attrTypes(),
				MarkdownDescription: "Number of findings by severity: `error`, `warning`, `info`.",
			},
		},
	}
}

func (d *auditDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = tfhelp.ClientFrom(req.ProviderData, &resp.Diagnostics)
	d.nsx = tfhelp.NSXFrom(req.ProviderData)
}

func strs(in []types.String) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}

func (d *auditDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m auditModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hosts, pgs, dvpgs, vms := strs(m.HostSystemIDs), strs(m.PortGroups), strs(m.DistributedPortGroupIDs), strs(m.FirewallVMIDs)
	if len(pgs) > 0 && len(hosts) == 0 && len(vms) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("host_system_ids"), "Port groups without hosts",
			"portgroups names standard port groups, which live on hosts: set host_system_ids too (for example from data.carp_hosts).")
		return
	}
	ctx, cancel := d.client.Begin(ctx)
	defer cancel()
	// With firewall VMs the read follows them (CARP015-017), and what is
	// omitted of the lists is derived from them.
	snap, err := d.client.Read(ctx, vsphere.Request{HostIDs: hosts, DVPortGroupIDs: dvpgs, VMIDs: vms, NetworkVMs: true, Follow: len(vms) > 0})
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the vSphere inventory for the audit", err.Error())
		return
	}
	if len(snap.Missing) > 0 {
		for _, id := range snap.Missing {
			attrName := "host_system_ids"
			switch {
			case slices.Contains(dvpgs, id):
				attrName = "distributed_portgroup_ids"
			case slices.Contains(vms, id):
				attrName = "firewall_vm_ids"
			}
			resp.Diagnostics.AddAttributeError(path.Root(attrName), "Object not found",
				fmt.Sprintf("%s does not exist on %s. Check the id (a moref such as host-21, dvportgroup-42 or vm-17).", id, d.client.Server()))
		}
		return
	}
	scope := rules.Scope{DVPortGroups: dvpgs, FirewallVMs: vms, Transport: rules.Transport(m.Transport.ValueString())}
	var derived []string // port group names taken from the firewalls' NICs
	if len(vms) > 0 {
		fp := snap.FootprintOf(vms)
		if m.DistributedPortGroupIDs == nil {
			scope.DVPortGroups = fp.DVPortGroupIDs
		}
		if m.HostSystemIDs == nil && m.PortGroups == nil {
			for _, p := range fp.StandardPortGroups {
				scope.PortGroups = append(scope.PortGroups, rules.PortGroupRef{HostID: p.HostID, Name: p.Name})
			}
		}
		if m.HostSystemIDs == nil {
			hosts = fp.HostIDs
		}
		if m.PortGroups == nil && m.HostSystemIDs != nil {
			// the firewalls' own port group names, on the hosts given
			for _, vm := range snap.VMs {
				for _, n := range vm.NICs {
					if slices.Contains(vms, vm.ID) && n.DVPortGroupID == "" && n.Network != "" {
						derived = append(derived, n.Network)
					}
				}
			}
			pgs = tfhelp.SortedUnique(derived)
		}
	}
	// A port group name is checked on every host that has it; a name no
	// host has is an error (clusters often carry some port groups on some
	// hosts only).
	var allNames []string
	for _, name := range pgs {
		found := false
		for _, hid := range hosts {
			if h := snap.FindHost(hid); h != nil && h.PortGroup(name) != nil {
				scope.PortGroups = append(scope.PortGroups, rules.PortGroupRef{HostID: hid, Name: name})
				found = true
			}
		}
		if !found && !slices.Contains(derived, name) {
			if allNames == nil {
				for _, hid := range hosts {
					for _, pg := range snap.FindHost(hid).PortGroups {
						allNames = append(allNames, pg.Name)
					}
				}
			}
			resp.Diagnostics.AddAttributeError(path.Root("portgroups"), "Port group not found",
				fmt.Sprintf("None of the %d hosts of host_system_ids (%s) has a port group %q. Their port groups: %s.",
					len(hosts), strings.Join(hosts, ", "), name, tfhelp.ListSome(tfhelp.SortedUnique(allNames), 10)))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if snap.NSX = d.readNSX(ctx, snap.Snapshot, scope, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	findings := rules.Evaluate(snap.Snapshot, scope)
	counts := map[string]int64{"error": 0, "warning": 0, "info": 0}
	m.Findings = make([]findingModel, 0, len(findings))
	for _, f := range findings {
		counts[string(f.Severity)]++
		m.Findings = append(m.Findings, findingModel{
			Code: types.StringValue(f.Code), Name: types.StringValue(f.Name), Severity: types.StringValue(string(f.Severity)),
			ObjectID: types.StringValue(f.ObjectID), ObjectName: types.StringValue(f.ObjectName),
			Message: types.StringValue(f.Message), Remedy: types.StringValue(f.Remedy),
		})
	}
	m.Ready = types.BoolValue(counts["error"] == 0)
	obj, diags := types.ObjectValueFrom(ctx, countsModel{}.attrTypes(), countsModel{
		Error: types.Int64Value(counts["error"]), Warning: types.Int64Value(counts["warning"]), Info: types.Int64Value(counts["info"]),
	})
	resp.Diagnostics.Append(diags...)
	m.Counts = obj
	if m.Transport.IsNull() {
		m.Transport = types.StringNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
