package tfhelp

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

// AddObjectError adds an error about a vSphere call on an object (detail
// from ObjectError). A NoPermission fault goes on at, the attribute that
// names the object, with the missing privilege in the summary.
func AddObjectError(diags *diag.Diagnostics, at path.Path, summary, detail string, err error) {
	if priv, _, _, ok := vsphere.MissingPrivilege(err); ok {
		diags.AddAttributeError(at, summary+": missing vSphere privilege "+priv, detail)
		return
	}
	diags.AddError(summary, detail)
}

// NoAnswerDetail ends the error of a toggle whose restoring write got no
// answer (api_timeout per call, then the toggle's deadline): whether it
// landed is unknown. Its verbs: api_timeout, vsphere.RestoreDeadline.
const NoAnswerDetail = "Whether the desired policy was written is unknown (no answer within api_timeout, %v, per call, or the toggle's %v): promiscuous mode may be left off, and CARP on this port group broken, until the next apply. " +
	"When vSphere answers again, the next plan reads the port group and, if promiscuous mode is off, shows allow_promiscuous false -> true; terraform apply re-enables it."
