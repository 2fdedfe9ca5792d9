package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// privilegeHint says which privilege a NoPermission fault names, on which
// object, and what to do; "" for other errors.
func privilegeHint(err error) string {
	priv, typ, id, ok := vsphere.MissingPrivilege(err)
	if !ok {
		return ""
	}
	return fmt.Sprintf(". The vSphere user lacks the privilege %s on %s %s: add it to the user's role on that object (or an object above it, propagated); the privileges each resource needs are in the provider's Least privilege guide", priv, typ, id)
}

// addObjectError adds an error about a vSphere call on an object. A
// NoPermission fault goes on at, the attribute that names the object, with
// the missing privilege in the summary.
func addObjectError(diags *diag.Diagnostics, at path.Path, summary, detail string, err error) {
	if priv, _, _, ok := vsphere.MissingPrivilege(err); ok {
		diags.AddAttributeError(at, summary+": missing vSphere privilege "+priv, detail)
		return
	}
	diags.AddError(summary, detail)
}
