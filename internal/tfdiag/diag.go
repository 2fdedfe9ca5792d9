// Package tfdiag holds the diagnostics the resources, data sources and the
// action share: one constructor per message used in more than one place,
// each naming the object (inventory name and moref), what was found and
// what to do. It makes no call of its own: what a message lists (the hosts
// that exist, say) its caller reads and passes in.
package tfdiag

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// NotConfigured is the error of an operation that needs vSphere before the
// provider has a session.
func NotConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider not configured", "The carp provider has no vSphere session.")
}

// HostNotFound is the error, on at, for a host id no host has: it lists
// the hosts that exist (hosts, "name (moref)"; listErr when they could not
// be listed).
func HostNotFound(diags *diag.Diagnostics, at path.Path, hostID string, hosts []string, listErr error) {
	list := "(could not list them)"
	if listErr == nil {
		list = ListSome(hosts, 10)
	}
	diags.AddAttributeError(at, "Host not found",
		fmt.Sprintf("There is no host %s on this vSphere server. Hosts: %s. Check host_system_id %q: take it from data.carp_hosts (hosts[*].id), which lists the hosts that exist.", hostID, list, hostID))
}

// PortGroupNotFound is the error for a standard port group host h does not
// have, on the attribute at: it lists the host's port groups.
func PortGroupNotFound(diags *diag.Diagnostics, at path.Path, h *inventory.Host, name string) {
	names := make([]string, 0, len(h.PortGroups))
	for _, pg := range h.PortGroups {
		names = append(names, fmt.Sprintf("%s (vSwitch %s)", pg.Name, pg.VSwitch))
	}
	diags.AddAttributeError(at, "Port group not found",
		fmt.Sprintf("Host %s (%s) has no standard port group %q. Port groups on it: %s. Use an existing port group; this provider does not create port groups.", h.Name, h.ID, name, ListSome(names, 10)))
}

// DVPortGroupNotFound is the error, on at, for a distributed port group id
// that does not exist: it lists those that do (existing, "name (moref)";
// listErr when they could not be listed).
func DVPortGroupNotFound(diags *diag.Diagnostics, at path.Path, id string, existing []string, listErr error) {
	list := "(could not list them)"
	if listErr == nil {
		list = ListSome(existing, 10)
	}
	diags.AddAttributeError(at, "Distributed port group not found",
		fmt.Sprintf("There is no distributed port group %s. Distributed port groups that exist: %s. Use the moref of an existing one; this provider does not create port groups.", id, list))
}

// ObjectError is the diagnostic text for a failed vSphere call on a named
// object: what was attempted, on what (inventory name and moref), the
// fault's own text.
func ObjectError(action, kind, name, id string, err error) string {
	fault := vsphere.FaultName(err)
	obj := fmt.Sprintf("%s %q (%s)", kind, name, id)
	if name == "" || name == id {
		obj = strings.TrimSpace(kind + " " + id)
	}
	if fault != "" {
		return fmt.Sprintf("%s %s failed with %s: %v%s", action, obj, fault, err, privilegeHint(err))
	}
	return fmt.Sprintf("%s %s failed: %v", action, obj, err)
}

// AddFindings turns rule findings into plan diagnostics: the summary starts
// with the code and its name (what users grep CI logs for), the detail is the
// finding's one-line message (object, what was read, the fix). Findings of
// severity error become warnings here unless asError is true for their code:
// a plan is the place to warn, the audit's ready flag is the place to fail.
func AddFindings(diags *diag.Diagnostics, at path.Path, findings []rules.Finding, asError map[string]bool) {
	for _, f := range findings {
		summary := fmt.Sprintf("%s %s", f.Code, f.Name)
		if asError[f.Code] {
			diags.AddAttributeError(at, summary, f.Message)
			continue
		}
		diags.AddAttributeWarning(at, summary, f.Message)
	}
}

// ListSome quotes up to n names and says how many more there are.
func ListSome(names []string, n int) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, 0, n)
	for i, s := range names {
		if i == n {
			break
		}
		q = append(q, fmt.Sprintf("%q", s))
	}
	out := strings.Join(q, ", ")
	if len(names) > n {
		out += fmt.Sprintf(" and %d more", len(names)-n)
	}
	return out
}

// ListOrNone joins names, or says there are none.
func ListOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Plural picks the word for n things.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

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

// AddStoredFindings warns, on at, about each CARP code found on what at
// its last read (the hazards attribute in state), for a plan that read
// nothing: plan -refresh=false of a resource whose configuration equals
// its state judges the state as stored. The summaries are those of the
// findings of a plan that reads (code and name), so the CLI folds them
// alike.
func AddStoredFindings(diags *diag.Diagnostics, at path.Path, what string, codes []string) {
	for _, code := range codes {
		r, ok := rules.Lookup(code)
		if !ok {
			continue // a code of another provider version: nothing to say about it
		}
		diags.AddAttributeWarning(at, fmt.Sprintf("%s %s", r.Code, r.Name),
			fmt.Sprintf("%s: %s (found at the last read, the hazards attribute in state). "+
				"This plan read nothing from vSphere: without refresh and with the configuration equal to the state, it judges the state as stored. "+
				"Run a plan with refresh to judge %s as it is now.", what, r.Title, what))
	}
}
