package datasources

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/nsx"
	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
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
	HostSystemIDs           []types.String   `tfsdk:"host_system_ids"`
	PortGroups              []types.String   `tfsdk:"portgroups"`
	DistributedPortGroupIDs []types.String   `tfsdk:"distributed_portgroup_ids"`
	FirewallVMIDs           []types.String   `tfsdk:"firewall_vm_ids"`
	Transport               types.String     `tfsdk:"transport"`
	Unicast                 types.Bool       `tfsdk:"unicast"`
	VIPMac                  types.String     `tfsdk:"vip_mac"`
	VHIDs                   types.Int64      `tfsdk:"vhids"`
	Pairs                   [][]types.String `tfsdk:"pairs"`
	Findings                []findingModel   `tfsdk:"findings"`
	Ready                   types.Bool       `tfsdk:"ready"`
	Counts                  types.Object     `tfsdk:"counts"`
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
			"firewall_vm_ids":           ids("The firewall VMs (morefs such as `vm-17`). Enables CARP008 (other VMs on a promiscuous firewall port group), CARP012 (legacy NIC types), CARP015-CARP017 (their ports, the hosts they can move to, their separation) , CARP023-CARP025 (their NICs on NSX segments, judged by the segments' NSX profiles: see `nsx_manager`) and CARP026 (a host of their clusters that vCenter is not in touch with, which is not judged). Alone, it is enough: a list left out is derived from the VMs as `carp_firewalls` does (every host of their clusters, the standard port groups their NICs use on each host that has them, their DV port groups); a list given is used as given."),
			"transport": schema.StringAttribute{
				Optional:            true,
				DeprecationMessage:  "Use unicast = true instead of transport = \"unicast\".",
				MarkdownDescription: "Deprecated: use `unicast`. `multicast` (default) or `unicast`, as `unicast = false` or `true`.",
				Validators:          []validator.String{stringvalidator.OneOf(string(rules.Multicast), string(rules.Unicast))},
			},
			"unicast": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether the firewalls run unicast CARP (pfSense Plus, OPNsense 24.7+). Then the rules the field notes tie to multicast " +
					"(CARP001-CARP007) are reported with severity `info`, and CARP020 (MAC learning without unknown-unicast flooding) is an error: unicast CARP " +
					"advertises from the NIC's own MAC, so the virtual MAC is never learned. Default `false`.",
				Validators: []validator.Bool{boolvalidator.ConflictsWith(path.MatchRoot("transport"))},
			},
			"vip_mac": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How the guest sources its VIP's frames. `" + string(rules.VIPVirtual) + "` (default): from a virtual MAC of its own " +
					"(CARP; VRRP with a virtual MAC: keepalived `use_vmac`, FRR), which needs promiscuous mode or MAC learning, MAC changes and forged transmits. " +
					"`" + string(rules.VIPInterface) + "`: from the NIC's own MAC (keepalived without `use_vmac`), which needs none of them: " +
					"CARP001-CARP003, CARP013, CARP015, CARP019 and CARP020 are then not reported, and `ready` can be true on port groups that reject all three.",
				Validators: []validator.String{stringvalidator.OneOf(string(rules.VIPVirtual), string(rules.VIPInterface))},
			},
			"vhids": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Virtual MACs each firewall NIC adds to its port: the CARP VHIDs (VRRP VRIDs) on the interface. " +
					"MAC learning with limit policy `drop` needs a limit of at least 1 + `vhids` (CARP019). Default `1`.",
				Validators: []validator.Int64{int64validator.Between(1, 255)},
			},
			"pairs": schema.ListAttribute{
				Optional:    true,
				ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "The HA groups among `firewall_vm_ids`, each a list of the VM ids (morefs) of one pair or VRRP group of two or more " +
					"(`carp_firewalls` resolves them from names: `pair_vm_ids`). CARP017 judges the members of each group apart, never two firewalls of different groups. " +
					"Without it, exactly two firewall VMs are the pair, and with more CARP017 says it cannot tell the pairs apart. " +
					"`firewall_vm_ids` left out is every member of every group.",
				Validators: []validator.List{listvalidator.ValueListsAre(listvalidator.SizeAtLeast(2), listvalidator.UniqueValues())},
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
	if data := providerdata.From(req.ProviderData, &resp.Diagnostics); data != nil {
		d.client, d.nsx = data.VSphere, data.NSX
	}
}

// strs returns the known strings of a list: nil for a list left out (nil),
// empty for an empty one.
func strs(in []types.String) []string {
	if in == nil {
		return nil
	}
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
	in := auditInputOf(&m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := d.client.Begin(ctx)
	defer cancel()
	// With firewall VMs the read follows them (CARP015-017), and what is
	// omitted of the lists is derived from them.
	snap, err := d.client.Read(ctx, vsphere.Request{HostIDs: in.hosts, DVPortGroupIDs: in.dvpgs, VMIDs: in.vms, NetworkVMs: true, Follow: len(in.vms) > 0})
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the vSphere inventory for the audit", err.Error())
		return
	}
	if d.addMissing(&resp.Diagnostics, snap.Missing, in) {
		return
	}
	as := rules.ScopeOfAudit(&snap.Snapshot, rules.AuditGiven{
		HostIDs: in.hosts, PortGroups: in.pgs, DVPortGroupIDs: in.dvpgs, FirewallVMs: in.vms, Guest: in.guest,
	})
	if addMissingPortGroups(&resp.Diagnostics, snap, as) {
		return
	}
	scope := as.Scope
	if snap.NSX = d.readNSX(ctx, snap.Snapshot, scope, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	m.setFindings(ctx, rules.Evaluate(snap.Snapshot, scope), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// auditInput is the audit's configuration as plain values: a list left
// out is nil, an empty one is empty.
type auditInput struct {
	hosts, pgs, dvpgs, vms []string
	guest                  rules.Scope // Transport, VIPMac, VHIDs and Pairs
}

// auditInputOf reads the lists and the guest out of m: firewall_vm_ids
// left out is every member of pairs, and every member of pairs must be a
// firewall VM.
func auditInputOf(m *auditModel, diags *diag.Diagnostics) *auditInput {
	in := &auditInput{hosts: strs(m.HostSystemIDs), pgs: strs(m.PortGroups), dvpgs: strs(m.DistributedPortGroupIDs), vms: strs(m.FirewallVMIDs)}
	in.guest = rules.Scope{VIPMac: rules.VIPMac(m.VIPMac.ValueString()), VHIDs: int(m.VHIDs.ValueInt64()), Transport: rules.Transport(m.Transport.ValueString())}
	if m.Unicast.ValueBool() {
		in.guest.Transport = rules.Unicast
	}
	for i, p := range m.Pairs {
		group := strs(p)
		in.guest.Pairs = append(in.guest.Pairs, group)
		for _, id := range group {
			switch {
			case m.FirewallVMIDs == nil:
				if !slices.Contains(in.vms, id) {
					in.vms = append(in.vms, id)
				}
			case !slices.Contains(in.vms, id):
				diags.AddAttributeError(path.Root("pairs").AtListIndex(i), "Pair member is not a firewall VM",
					fmt.Sprintf("%s is in pairs but not in firewall_vm_ids (%s): a pair groups firewall VMs. Add it to firewall_vm_ids, or leave firewall_vm_ids out to audit every member of pairs.", id, strings.Join(in.vms, ", ")))
			}
		}
	}
	if len(in.pgs) > 0 && len(in.hosts) == 0 && len(in.vms) == 0 {
		diags.AddAttributeError(path.Root("host_system_ids"), "Port groups without hosts",
			"portgroups names standard port groups, which live on hosts: set host_system_ids too (for example from data.carp_hosts).")
	}
	return in
}

// addMissing reports the ids that do not exist, each on the attribute that
// names it; true when there was one.
func (d *auditDataSource) addMissing(diags *diag.Diagnostics, missing []string, in *auditInput) bool {
	for _, id := range missing {
		attrName := "host_system_ids"
		switch {
		case slices.Contains(in.dvpgs, id):
			attrName = "distributed_portgroup_ids"
		case slices.Contains(in.vms, id):
			attrName = "firewall_vm_ids"
		}
		diags.AddAttributeError(path.Root(attrName), "Object not found",
			fmt.Sprintf("%s does not exist on %s. Check the id (a moref such as host-21, dvportgroup-42 or vm-17).", id, d.client.Server()))
	}
	return len(missing) > 0
}

// addMissingPortGroups reports each port group name of portgroups that
// none of the hosts searched has; true when there was one.
func addMissingPortGroups(diags *diag.Diagnostics, snap *vsphere.Snapshot, as rules.AuditScope) bool {
	if len(as.MissingPortGroups) == 0 {
		return false
	}
	var allNames []string
	for _, hid := range as.Hosts {
		if h := snap.FindHost(hid); h != nil {
			for _, pg := range h.PortGroups {
				allNames = append(allNames, pg.Name)
			}
		}
	}
	for _, name := range as.MissingPortGroups {
		diags.AddAttributeError(path.Root("portgroups"), "Port group not found",
			fmt.Sprintf("None of the %d hosts of host_system_ids (%s) has a port group %q. Their port groups: %s.",
				len(as.Hosts), strings.Join(as.Hosts, ", "), name, tfdiag.ListSome(tfvalue.SortedUnique(allNames), 10)))
	}
	return true
}

// setFindings puts the findings, ready and counts into m.
func (m *auditModel) setFindings(ctx context.Context, findings []rules.Finding, diags *diag.Diagnostics) {
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
	obj, d := types.ObjectValueFrom(ctx, countsModel{}.attrTypes(), countsModel{
		Error: types.Int64Value(counts["error"]), Warning: types.Int64Value(counts["warning"]), Info: types.Int64Value(counts["info"]),
	})
	diags.Append(d...)
	m.Counts = obj
}
