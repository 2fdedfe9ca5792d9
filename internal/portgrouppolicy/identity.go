package portgrouppolicy

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
)

var _ resource.ResourceWithIdentity = (*policyResource)(nil)

// identityModel is the resource identity of carp_portgroup_policy, one of
// two forms: a standard port group (host_system_id and portgroup, with
// distributed_portgroup_id null) or a distributed one
// (distributed_portgroup_id, the others null). Every attribute is optional
// for import; importTarget checks that exactly one form is given. Like the
// id, it is read in the vCenter of the provider configuration (see the
// resource's docs, "Import by identity").
type identityModel struct {
	HostSystemID  types.String `tfsdk:"host_system_id"`
	PortGroup     types.String `tfsdk:"portgroup"`
	DVPortGroupID types.String `tfsdk:"distributed_portgroup_id"`
}

func (r *policyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"host_system_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "A standard port group: managed object id of its ESXi host, such as `host-21`. Give it with `portgroup`; null for a distributed port group.",
			},
			"portgroup": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "A standard port group: its name on a standard vSwitch of `host_system_id`. Null for a distributed port group.",
			},
			"distributed_portgroup_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "A distributed port group: its managed object id, such as `dvportgroup-42`. Give it alone; null for a standard port group.",
			},
		},
	}
}

// identityOf is the identity of the target t.
func identityOf(t pgTarget) identityModel {
	str := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	return identityModel{HostSystemID: str(t.HostID), PortGroup: str(t.PortGroup), DVPortGroupID: str(t.DVPortGroupID)}
}

// setIdentity stores the identity of the model's target; an unknown target
// is left alone.
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, m *policyModel, diags *diag.Diagnostics) {
	if t, ok := targetOf(m); ok {
		tfvalue.SetIdentity(ctx, id, identityOf(t), diags)
	}
}

// importTarget is the target an import names: the import id, or the
// identity (import block with identity, Terraform and OpenTofu 1.12+), which
// must give exactly one form.
func importTarget(ctx context.Context, req resource.ImportStateRequest) (pgTarget, diag.Diagnostics) {
	var diags diag.Diagnostics
	if req.ID != "" || req.Identity == nil {
		t, err := parsePortGroupID(req.ID)
		if err != nil {
			diags.AddError("Invalid carp_portgroup_policy import id", err.Error())
		}
		return t, diags
	}
	var idm identityModel
	if diags.Append(req.Identity.Get(ctx, &idm)...); diags.HasError() {
		return pgTarget{}, diags
	}
	t := pgTarget{
		HostID:        strings.TrimSpace(idm.HostSystemID.ValueString()),
		PortGroup:     idm.PortGroup.ValueString(),
		DVPortGroupID: strings.TrimSpace(idm.DVPortGroupID.ValueString()),
	}
	if msg := checkIdentity(t); msg != "" {
		diags.AddError("Invalid carp_portgroup_policy import identity", msg)
	}
	return t, diags
}

const identityForms = "Give either host_system_id and portgroup (a standard port group, such as " +
	"`identity = { host_system_id = \"host-21\", portgroup = \"FW-WAN\" }`) or distributed_portgroup_id alone " +
	"(a distributed port group, such as `identity = { distributed_portgroup_id = \"dvportgroup-42\" }`)."

// checkIdentity says what is wrong with the target an identity gave, or ""
// when it names exactly one standard or distributed port group.
func checkIdentity(t pgTarget) string {
	std := t.HostID != "" || t.PortGroup != ""
	found := fmt.Sprintf("The identity has host_system_id %q, portgroup %q, distributed_portgroup_id %q. ", t.HostID, t.PortGroup, t.DVPortGroupID)
	switch {
	case t.isDV() && std:
		return found + "It names both a standard and a distributed port group. " + identityForms
	case t.isDV() && !tfvalue.IsDVPortGroupID(t.DVPortGroupID):
		return found + "distributed_portgroup_id is not a distributed port group managed object id. " + identityForms
	case t.isDV():
		return ""
	case !std:
		return found + "It names no port group. " + identityForms
	case t.PortGroup == "":
		return found + "host_system_id is given without portgroup. " + identityForms
	}
	if msg := tfvalue.CheckHostID(t.HostID); msg != "" {
		return found + msg + " " + identityForms
	}
	return ""
}
