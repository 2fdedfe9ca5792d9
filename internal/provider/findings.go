package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// addFindings turns rule findings into plan diagnostics: the summary starts
// with the code and its name (what users grep CI logs for), the detail is the
// finding's one-line message (object, what was read, the fix). Findings of
// severity error become warnings here unless asError is true for their code:
// a plan is the place to warn, the audit's ready flag is the place to fail.
func addFindings(diags *diag.Diagnostics, at path.Path, findings []rules.Finding, asError map[string]bool) {
	for _, f := range findings {
		summary := fmt.Sprintf("%s %s", f.Code, f.Name)
		if asError[f.Code] {
			diags.AddAttributeError(at, summary, f.Message)
			continue
		}
		diags.AddAttributeWarning(at, summary, f.Message)
	}
}

// objectError is the diagnostic text for a failed vSphere call on a named
// object: what was attempted, on what (inventory name and moref), the
// fault's own text.
func objectError(action, kind, name, id string, err error) string {
	fault := vsphere.FaultName(err)
	obj := fmt.Sprintf("%s %q (%s)", kind, name, id)
	if name == "" || name == id {
		obj = fmt.Sprintf("%s %s", kind, id)
	}
	if fault != "" {
		return fmt.Sprintf("%s %s failed with %s: %v%s", action, obj, fault, err, privilegeHint(err))
	}
	return fmt.Sprintf("%s %s failed: %v", action, obj, err)
}

// addFixedFindings warns about what is wrong now and this plan puts right
// (a port group set back to Reject outside Terraform, a host option reset):
// drift shows in CI logs under the pitfall's code, not only as an attribute
// diff.
func addFixedFindings(diags *diag.Diagnostics, at path.Path, now, planned []rules.Finding) {
	remains := map[string]bool{}
	for _, f := range planned {
		remains[f.Code+" "+f.ObjectID] = true
	}
	for _, f := range now {
		if remains[f.Code+" "+f.ObjectID] {
			continue
		}
		diags.AddAttributeWarning(at, fmt.Sprintf("%s %s: fixed by this plan", f.Code, f.Name),
			"Found now: "+f.Message+" This plan puts it right.")
	}
}
