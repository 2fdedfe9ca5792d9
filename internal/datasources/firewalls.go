package datasources

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ datasource.DataSource                     = (*firewallsDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*firewallsDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*firewallsDataSource)(nil)
)

// NewFirewalls is the carp_firewalls data source: the firewall
// VMs followed to every host, port group and DV port group they use or can
// move to.
func NewFirewalls() datasource.DataSource { return &firewallsDataSource{} }

type firewallsDataSource struct{ client *vsphere.Client }

type firewallsModel struct {
	Names                   []types.String       `tfsdk:"names"`
	Datacenter              types.String         `tfsdk:"datacenter"`
	VMIDs                   []types.String       `tfsdk:"vm_ids"`
	Pairs                   [][]types.String     `tfsdk:"pairs"`
	PairVMIDs               [][]types.String     `tfsdk:"pair_vm_ids"`
	VMs                     []firewallVMModel    `tfsdk:"vms"`
	HostSystemIDs           []types.String       `tfsdk:"host_system_ids"`
	StandardPortGroups      []hostPortGroupModel `tfsdk:"standard_portgroups"`
	DistributedPortGroupIDs []types.String       `tfsdk:"distributed_portgroup_ids"`
}

type firewallVMModel struct {
	ID           types.String       `tfsdk:"id"`
	Name         types.String       `tfsdk:"name"`
	HostSystemID types.String       `tfsdk:"host_system_id"`
	NICs         []firewallNICModel `tfsdk:"nics"`
}

type firewallNICModel struct {
	Label                  types.String `tfsdk:"label"`
	Type                   types.String `tfsdk:"type"`
	Network                types.String `tfsdk:"network"`
	DistributedPortGroupID types.String `tfsdk:"distributed_portgroup_id"`
	PortKey                types.String `tfsdk:"port_key"`
	Backing                types.String `tfsdk:"backing"`
	NSXSegment             types.String `tfsdk:"nsx_segment"`
}

type hostPortGroupModel struct {
	HostSystemID types.String `tfsdk:"host_system_id"`
	PortGroup    types.String `tfsdk:"portgroup"`
}

func (d *firewallsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_firewalls"
}

func (d *firewallsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	nonEmpty := []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Starts from the firewall VMs and follows their NICs: to the port, port group and switch each one " +
			"uses, and to every host the firewalls can run on (every host of their clusters; their own host when standalone). " +
			"Feed the lists to `carp_portgroup_policy`, `carp_host_settings` and `carp_audit`, or give `carp_audit` just " +
			"`firewall_vm_ids`, which derives the same.",
		Attributes: map[string]schema.Attribute{
			"names": schema.ListAttribute{
				Optional: true, ElementType: types.StringType, Validators: nonEmpty,
				MarkdownDescription: "The firewall VMs by inventory name. A name that matches no VM, or more than one, is an error naming the candidates; set `datacenter` to choose. Set this, `pairs` or `vm_ids`.",
			},
			"pairs": schema.ListAttribute{
				Optional: true, ElementType: types.ListType{ElemType: types.StringType},
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueListsAre(listvalidator.SizeAtLeast(2), listvalidator.UniqueValues())},
				MarkdownDescription: "The HA groups by inventory name: each list one pair (or VRRP group of two or more), such as `[[\"fw-a\", \"fw-b\"], [\"fw-c\", \"fw-d\"]]`. " +
					"Every member is a firewall, besides those of `names`; `pair_vm_ids` gives the groups as ids, for `carp_audit`'s `pairs`.",
			},
			"pair_vm_ids": schema.ListAttribute{
				Computed: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "`pairs` with each name resolved to its VM id, in the order given: what `carp_audit` takes as `pairs`. Empty without `pairs`.",
			},
			"datacenter": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Look the names up in this datacenter only (by name).",
			},
			"vm_ids": schema.ListAttribute{
				Optional: true, ElementType: types.StringType, Validators: nonEmpty,
				MarkdownDescription: "The firewall VMs by managed object id (`vm-17`). Set this or `names`.",
			},
			"vms": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The firewall VMs, in the order given.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             str("Managed object id of the VM."),
					"name":           str("Inventory name of the VM."),
					"host_system_id": str("The host the VM runs on."),
					"nics": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The VM's network adapters, in device order.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"label":                    str("Device label, such as `Network adapter 1`."),
							"type":                     str("Adapter type: `vmxnet3`, `e1000`, `e1000e`, `pcnet32`, `vmxnet`, `vmxnet2`, ..."),
							"network":                  str("Name of the port group (or opaque network) the NIC is on."),
							"distributed_portgroup_id": str("The DV port group; null on a standard port group or an opaque network."),
							"port_key":                 str("The distributed port the NIC is on; null on a standard port group (or when the NIC has no port yet, as on an NSX port group)."),
							"backing": str("How the NIC is connected: `standard` (a standard port group), `distributed` (a distributed port group) or `nsx` (an NSX segment: " +
								"an NSX port group, backing type `nsx`, or an opaque network on N-VDS hosts). On `nsx` the segment's NSX profiles decide, not the vSphere policy."),
							"nsx_segment": str("The NSX segment the NIC is on: its policy path (`/infra/segments/...`) when vCenter gives it (an NSX port group), else its logical switch UUID (an opaque network); null off NSX."),
						}},
					},
				}},
			},
			"host_system_ids": list("Every host the firewalls can run on: all hosts of their clusters, their own host when standalone. Sorted."),
			"standard_portgroups": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every standard port group a firewall NIC uses, on each host of `host_system_ids` that has it, sorted by host then name. A host that lacks one is what `CARP016` reports.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"host_system_id": str("The host."),
					"portgroup":      str("The standard port group name."),
				}},
			},
			"distributed_portgroup_ids": list("The DV port groups of the firewalls' NICs, sorted; not the NSX port groups, which `carp_portgroup_policy` cannot manage (`CARP022`): their NICs show `backing = \"nsx\"` and `carp_audit` judges their segments."),
		},
	}
}

func (d *firewallsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.AtLeastOneOf(path.MatchRoot("names"), path.MatchRoot("pairs"), path.MatchRoot("vm_ids")),
		datasourcevalidator.Conflicting(path.MatchRoot("names"), path.MatchRoot("vm_ids")),
		datasourcevalidator.Conflicting(path.MatchRoot("pairs"), path.MatchRoot("vm_ids")),
		datasourcevalidator.Conflicting(path.MatchRoot("datacenter"), path.MatchRoot("vm_ids")),
	}
}

func (d *firewallsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = providerdata.From(req.ProviderData, &resp.Diagnostics).Client()
}

func (d *firewallsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m firewallsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	names := strs(m.Names)
	for _, p := range m.Pairs {
		for _, n := range strs(p) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	q := vsphere.FirewallQuery{Names: names, Datacenter: m.Datacenter.ValueString(), VMIDs: strs(m.VMIDs)}
	ctx, cancel := d.client.Begin(ctx)
	defer cancel()
	snap, ids, err := d.client.Firewalls(ctx, q)
	if err != nil {
		if !addNameErrors(&resp.Diagnostics, err, strs(m.Names), m.Pairs) {
			resp.Diagnostics.AddError("Cannot read the firewall VMs", err.Error())
		}
		return
	}
	for _, id := range snap.Missing {
		resp.Diagnostics.AddAttributeError(path.Root("vm_ids"), "VM not found",
			fmt.Sprintf("%s does not exist on %s. Check the id (a moref such as vm-17), or give the VM by name in names.", id, d.client.Server()))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	m.VMs = make([]firewallVMModel, 0, len(ids))
	for _, id := range ids {
		if vm := snap.FindVM(id); vm != nil {
			m.VMs = append(m.VMs, firewallVM(&snap.Snapshot, vm))
		}
	}
	m.PairVMIDs = pairIDs(snap, m.Pairs, ids)
	fp := snap.FootprintOf(ids)
	m.HostSystemIDs = stringValues(fp.HostIDs)
	m.DistributedPortGroupIDs = stringValues(fp.DVPortGroupIDs)
	m.StandardPortGroups = make([]hostPortGroupModel, 0, len(fp.StandardPortGroups))
	for _, p := range fp.StandardPortGroups {
		m.StandardPortGroups = append(m.StandardPortGroups, hostPortGroupModel{HostSystemID: types.StringValue(p.HostID), PortGroup: types.StringValue(p.Name)})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// addNameErrors adds one diagnostic on the attribute that names each
// unknown or ambiguous name in err (names[i], else pairs[i][j]); false when
// err holds none.
func addNameErrors(diags *diag.Diagnostics, err error, names []string, pairs [][]types.String) bool {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	added := false
	for _, e := range list {
		var ne *vsphere.VMNameError
		if !errors.As(e, &ne) {
			continue
		}
		summary, fix := "Firewall VM not found", "Check the name (the VM's inventory name, as the vSphere Client shows it), or give the VM by id in vm_ids."
		if len(ne.Candidates) > 1 {
			summary, fix = "Firewall VM name is ambiguous", "Set datacenter to the one that holds the firewall, or give the VM by id in vm_ids."
		}
		diags.AddAttributeError(namePath(ne.Name, names, pairs), summary, fmt.Sprintf("%s. %s", upperFirst(ne.Error()), fix))
		added = true
	}
	return added
}

// namePath is where a name is given: names[i], else pairs[i][j].
func namePath(name string, names []string, pairs [][]types.String) path.Path {
	if i := slices.Index(names, name); i >= 0 {
		return path.Root("names").AtListIndex(i)
	}
	for i, p := range pairs {
		for j, n := range p {
			if n.ValueString() == name {
				return path.Root("pairs").AtListIndex(i).AtListIndex(j)
			}
		}
	}
	return path.Root("names")
}

// pairIDs resolves the pairs' names to the ids of the firewalls read (ids,
// the VMs in the order resolved).
func pairIDs(snap *vsphere.Snapshot, pairs [][]types.String, ids []string) [][]types.String {
	byName := map[string]string{}
	for _, id := range ids {
		if vm := snap.FindVM(id); vm != nil {
			byName[vm.Name] = id
		}
	}
	out := make([][]types.String, 0, len(pairs))
	for _, p := range pairs {
		group := make([]types.String, 0, len(p))
		for _, n := range p {
			group = append(group, types.StringValue(byName[n.ValueString()]))
		}
		out = append(out, group)
	}
	return out
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func firewallVM(s *inventory.Snapshot, vm *inventory.VM) firewallVMModel {
	out := firewallVMModel{ID: types.StringValue(vm.ID), Name: types.StringValue(vm.Name), HostSystemID: nullIfEmpty(vm.HostID), NICs: []firewallNICModel{}}
	for _, n := range vm.NICs {
		nic := firewallNICModel{Label: types.StringValue(n.Label), Type: types.StringValue(n.Type), Network: nullIfEmpty(n.Network),
			DistributedPortGroupID: nullIfEmpty(n.DVPortGroupID), PortKey: nullIfEmpty(n.PortKey),
			Backing: types.StringValue(s.BackingOf(n)), NSXSegment: types.StringNull()}
		if net, ok := s.NSXNetworkOf(n); ok {
			nic.NSXSegment = types.StringValue(net.Backing.Segment())
		}
		if n.DVPortGroupID != "" {
			nic.Network = types.StringNull()
			if pg := s.FindDVPortGroup(n.DVPortGroupID); pg != nil {
				nic.Network = types.StringValue(pg.Name)
			}
		}
		out.NICs = append(out.NICs, nic)
	}
	return out
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func stringValues(in []string) []types.String {
	out := make([]types.String, len(in))
	for i, s := range in {
		out[i] = types.StringValue(s)
	}
	return out
}
