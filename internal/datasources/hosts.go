// Package datasources holds the three data sources, each in a file of its
// own (schema, model and Read): carp_hosts (hosts.go), the ESXi hosts of
// the inventory tree; carp_firewalls (firewalls.go), the firewall VMs
// followed to their hosts, port groups and DV port groups; and carp_audit
// (audit.go), the rule catalog evaluated over named hosts, port groups and
// VMs, with what NSX Manager says of their NSX segments (nsx.go). They read
// through internal/vsphere and internal/nsx and judge through
// internal/rules.
package datasources

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

var (
	_ datasource.DataSource              = (*hostsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*hostsDataSource)(nil)
)

// NewHosts is the carp_hosts data source.
func NewHosts() datasource.DataSource { return &hostsDataSource{} }

type hostsDataSource struct{ client *vsphere.Client }

type hostsModel struct {
	Datacenter types.String `tfsdk:"datacenter"`
	Cluster    types.String `tfsdk:"cluster"`
	Hosts      []hostModel  `tfsdk:"hosts"`
}

type hostModel struct {
	ID      types.String `tfsdk:"id"`
	Name    types.String `tfsdk:"name"`
	Cluster types.String `tfsdk:"cluster"`
}

func (d *hostsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_hosts"
}

func (d *hostsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists ESXi hosts, optionally those of one datacenter or cluster, sorted by name. " +
			"Feed `hosts[*].id` to `carp_host_settings` and `carp_portgroup_policy`.",
		Attributes: map[string]schema.Attribute{
			"datacenter": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only hosts of this datacenter (by name).",
			},
			"cluster": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only hosts of this cluster (by name). With `datacenter`, the cluster is looked up in that datacenter.",
			},
			"hosts": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The hosts, sorted by name.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":      schema.StringAttribute{Computed: true, MarkdownDescription: "Managed object id of the HostSystem, such as `host-21`."},
						"name":    schema.StringAttribute{Computed: true, MarkdownDescription: "Inventory name of the host."},
						"cluster": schema.StringAttribute{Computed: true, MarkdownDescription: "Cluster name; null for a standalone host."},
					},
				},
			},
		},
	}
}

func (d *hostsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = providerdata.From(req.ProviderData, &resp.Diagnostics).Client()
}

func (d *hostsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m hostsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := d.client.Begin(ctx)
	defer cancel()
	tree, err := d.client.InventoryTree(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the vSphere inventory", err.Error())
		return
	}
	dc, cluster := m.Datacenter.ValueString(), m.Cluster.ValueString()
	if dc != "" && !slices.Contains(tree.Datacenters, dc) {
		resp.Diagnostics.AddAttributeError(path.Root("datacenter"), "Datacenter not found",
			fmt.Sprintf("There is no datacenter %q. Datacenters: %s.", dc, tfdiag.ListSome(tree.Datacenters, 10)))
		return
	}
	if cluster != "" {
		var known []string
		for _, name := range tree.Datacenters {
			if dc == "" || name == dc {
				known = append(known, tree.Clusters[name]...)
			}
		}
		if !slices.Contains(known, cluster) {
			where := ""
			if dc != "" {
				where = " in datacenter " + fmt.Sprintf("%q", dc)
			}
			resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cluster not found",
				fmt.Sprintf("There is no cluster %q%s. Clusters: %s.", cluster, where, tfdiag.ListSome(tfvalue.SortedUnique(known), 10)))
			return
		}
	}
	m.Hosts = []hostModel{}
	for _, h := range tree.Hosts {
		if (dc != "" && h.Datacenter != dc) || (cluster != "" && h.Cluster != cluster) {
			continue
		}
		hm := hostModel{ID: types.StringValue(h.ID), Name: types.StringValue(h.Name), Cluster: types.StringNull()}
		if h.Cluster != "" {
			hm.Cluster = types.StringValue(h.Cluster)
		}
		m.Hosts = append(m.Hosts, hm)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
