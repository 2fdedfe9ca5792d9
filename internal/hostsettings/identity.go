package hostsettings

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

var _ resource.ResourceWithIdentity = (*settingsResource)(nil)

// identityModel is the resource identity of carp_host_settings: the host's
// managed object id, as in the resource id. The vCenter is not part of it:
// an identity is read by the provider configuration that imports or holds
// the resource, which names one vCenter (server), as the id does.
type identityModel struct {
	HostSystemID types.String `tfsdk:"host_system_id"`
}

func (r *settingsResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"host_system_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Managed object id of the HostSystem, such as `host-21` (`ha-host` on a host managed directly), in the vCenter of the provider configuration.",
			},
		},
	}
}

// setIdentity stores the identity of the host hostID.
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, hostID string, diags *diag.Diagnostics) {
	if hostID != "" {
		tfvalue.SetIdentity(ctx, id, identityModel{HostSystemID: types.StringValue(hostID)}, diags)
	}
}

// importID is the host moref an import names, and what named it: the
// import id, or the identity's host_system_id (import block with identity,
// Terraform and OpenTofu 1.12+). ImportState checks it either way.
func importID(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) (id, what string) {
	if req.ID != "" || req.Identity == nil {
		return strings.TrimSpace(req.ID), "import id"
	}
	var idm identityModel
	diags.Append(req.Identity.Get(ctx, &idm)...)
	return strings.TrimSpace(idm.HostSystemID.ValueString()), "import identity"
}
