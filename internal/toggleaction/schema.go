// Package toggleaction is the action carp_toggle_promiscuous: the
// fault-safe toggle of promiscuous mode (off, then exactly what was there
// before) on port groups named by host and name, by DV port group id, or
// every one of given hosts that accepts promiscuous mode, on demand
// (terraform apply -invoke, or an action_trigger). Framework glue only: the
// writes are internal/vsphere's (TogglePromiscuous, HostToggleTargets).
package toggleaction

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/providerdata"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TypeName is the action's name.
const TypeName = "carp_toggle_promiscuous"

var (
	_ action.ActionWithConfigure      = (*toggleAction)(nil)
	_ action.ActionWithValidateConfig = (*toggleAction)(nil)
)

type toggleAction struct {
	client *vsphere.Client
}

// New returns the action.
func New() action.Action { return &toggleAction{} }

func (a *toggleAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = TypeName
}

func (a *toggleAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.client = providerdata.From(req.ProviderData, &resp.Diagnostics).Client()
}

// Schema is the action's schema (also what the docs' argument reference is
// generated from, internal/cmd/gendocs).
func Schema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Toggles promiscuous mode of port groups: off, then back to exactly what it was (`true`, or inherit from the switch), " +
			"the manual \"disable promiscuous mode, save, enable it, save\" that makes ESXi reprogram its filters after a switch upgrade, " +
			"port mirroring enabled or `Net.ReversePathFwdCheckPromisc` changed (CARP005). The second write is retried and runs even when the " +
			"run is interrupted; a port group that does not accept promiscuous mode is left untouched. Changes no state. Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"portgroups": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Standard port groups, by host and name.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"host_system_id": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "The host's managed object id, such as `host-21` (`data.carp_hosts`).",
						Validators:          []validator.String{tfvalue.HostID()},
					},
					"portgroup": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "The standard port group's name on that host.",
					},
				}},
			},
			"distributed_portgroup_ids": schema.ListAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Distributed port groups, by managed object id, such as `dvportgroup-42`.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(tfvalue.DVPortGroupID())},
			},
			"host_system_ids": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Hosts whose every port group and standard vSwitch that accepts promiscuous mode is toggled: " +
					"what CARP005 asks after `Net.ReversePathFwdCheckPromisc` changes (the same set as `carp_host_settings`' toggle).",
				Validators: []validator.List{listvalidator.ValueStringsAre(tfvalue.HostID())},
			},
		},
	}
}

func (a *toggleAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = Schema()
}

// ValidateConfig requires at least one target.
func (a *toggleAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, l := range []types.List{m.PortGroups, m.DVPortGroupIDs, m.HostSystemIDs} {
		if l.IsUnknown() || len(l.Elements()) > 0 {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(path.Root("portgroups"), "No port group to toggle",
		"carp_toggle_promiscuous needs at least one target: portgroups (standard port groups by host_system_id and portgroup), "+
			"distributed_portgroup_ids, or host_system_ids (every port group of those hosts that accepts promiscuous mode).")
}
