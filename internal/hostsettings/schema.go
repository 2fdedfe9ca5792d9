package hostsettings

import (
	"context"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/hazards"
	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

func (r *settingsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host_settings"
}

// hazardsDoc describes the hazards attribute.
const hazardsDoc = "The host-wide CARP codes (`CARP004`) found at the last read, sorted; empty when none. A plan shows the codes left after it, so a repair reads as `[\"CARP004\"] -> []` in the diff."

func (r *settingsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := settingsAttributes()
	maps.Copy(attrs, hazards.Attributes(hazardsDoc))
	resp.Schema = schema.Schema{
		MarkdownDescription: "Sets the ESXi advanced option `" + inventory.OptionRPFKey + "` (and, optionally, other host " +
			"advanced options) on one host, toggles promiscuous mode afterwards when asked, and puts the values back on destroy. " +
			"Plans report CARP004 and CARP005.",
		Attributes: attrs,
	}
}

// settingsAttributes are the attributes but the hazards ones.
func settingsAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The host's managed object id (same as `host_system_id`).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"host_system_id": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Managed object id of the HostSystem, such as `host-21` (`ha-host` on a host managed directly). " +
				"Take it from `data.carp_hosts` (`hosts[*].id`) or the vsphere provider's `vsphere_host` data source. Changing it replaces the resource.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators:    []validator.String{tfvalue.HostID()},
		},
		"name": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The host's inventory name.",
		},
		"reverse_path_fwd_check_promisc": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			MarkdownDescription: "Value of `" + inventory.OptionRPFKey + "` (`true` writes 1, `false` writes 0). With 1, a host " +
				"whose vSwitch teams two or more uplinks drops the copies of its own multicast that come back through the other uplink " +
				"to a promiscuous port; with 0, CARP sees its own advertisements and logs \"link states coalesced\". Default `true`.",
		},
		"toggle_promiscuous_on_apply": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: "When `" + inventory.OptionRPFKey + "` changes (create, update, or destroy with `restore_on_destroy`), " +
				"toggle promiscuous mode off and back on for every standard port group of this host that accepts it, and for every " +
				"vSwitch that accepts it at switch level: the new value only takes effect on ports opened after it. Each port group " +
				"loses promiscuous mode for one write round trip. Default `false`.",
		},
		"advanced_options": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Further host advanced options by key, with values as strings; each is converted to the type the host " +
				"declares (long, int, bool, string, float, choice). An unknown key or a value of the wrong type or out of range fails the plan. " +
				"Removing a key puts back the value it had before this resource first changed it (when `restore_on_destroy` is true).",
		},
		"restore_on_destroy": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(true),
			MarkdownDescription: "On destroy, put back each option's value as found before this resource first changed it (see `original_values`). " +
				"`false` leaves the host as it is. Default `true`.",
		},
		"original_values": schema.MapAttribute{
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Each managed option's value as found before this resource first changed it, by key; what destroy puts back. " +
				"On import, the values found at import.",
		},
		"toggled_portgroups": schema.ListAttribute{
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "What the last change of `" + inventory.OptionRPFKey + "` toggled: port group names, and `vswitch/<name>` " +
				"for a vSwitch toggled at switch level. Empty when the last change did not toggle.",
		},
		"pending_reenable": schema.MapAttribute{
			Computed:    true,
			ElementType: types.StringType,
			MarkdownDescription: "Port groups (and `vswitch/<name>` entries) whose promiscuous mode a failed toggle left off, with the value " +
				"to put back (`true`, or `inherit` for a port group that inherited it from its vSwitch). Normally empty; when not, the next " +
				"plan shows an update that re-enables them first.",
		},
		"teamed_vswitches": schema.ListAttribute{
			Computed:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Standard vSwitches of the host with two or more physical uplinks (where the option matters), sorted.",
		},
	}
}
