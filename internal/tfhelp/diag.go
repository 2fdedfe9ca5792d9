// Package tfhelp holds the Terraform-side helpers that the resources and
// data sources share: the diagnostic constructors (one per message used in
// more than one place), conversions between framework values and Go values,
// and the validators of managed object ids. It makes no vSphere call of its
// own but HostNotFound's listing, and holds no resource logic.
package tfhelp

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// ClientFrom turns provider data into the vSphere client, for the Configure
// method of resources and data sources.
func ClientFrom(data any, diags *diag.Diagnostics) *vsphere.Client {
	if data == nil {
		return nil // provider not configured yet (validate, early plan)
	}
	switch c := data.(type) {
	case *vsphere.Client:
		return c
	case *ProviderData:
		return c.VSphere
	}
	diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *vsphere.Client, got %T. This is a bug in the provider.", data))
	return nil
}

// NotConfigured is the error of an operation that needs vSphere before the
// provider has a session.
func NotConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider not configured", "The carp provider has no vSphere session.")
}

// HostNotFound is the error for a host_system_id no host has: it lists the
// hosts that exist (one more round trip, on this error path only).
func HostNotFound(ctx context.Context, diags *diag.Diagnostics, c *vsphere.Client, hostID string) {
	HostNotFoundAt(ctx, diags, c, path.Root("host_system_id"), hostID)
}

// HostNotFoundAt is HostNotFound on the attribute at.
func HostNotFoundAt(ctx context.Context, diags *diag.Diagnostics, c *vsphere.Client, at path.Path, hostID string) {
	list := "(could not list them)"
	if tree, err := c.InventoryTree(ctx); err == nil {
		names := make([]string, 0, len(tree.Hosts))
		for _, e := range tree.Hosts {
			names = append(names, fmt.Sprintf("%s (%s)", e.Name, e.ID))
		}
		list = ListSome(names, 10)
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

// DVPortGroupNotFound is the error for a distributed port group id that
// does not exist, on the attribute at: it lists those that do (one more
// round trip, on this error path only).
func DVPortGroupNotFound(ctx context.Context, diags *diag.Diagnostics, c *vsphere.Client, at path.Path, id string) {
	list := "(could not list them)"
	if pgs, err := c.DVPortGroups(ctx); err == nil {
		names := make([]string, 0, len(pgs))
		for _, p := range pgs {
			names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
		}
		list = ListSome(names, 10)
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

// KeepPlannedHazards makes the state after an apply hold the hazards the
// plan showed when they were known (Terraform rejects a computed value that
// differs from a known planned one). When the object's surroundings changed
// between plan and apply (a host option, a mirroring session), it warns with
// the codes found; the next refresh stores them. what names the object.
// attr is the attribute (hazards, toggle_hazards).
func KeepPlannedHazards(ctx context.Context, attr string, planned types.List, got *types.List, what string, diags *diag.Diagnostics) {
	if planned.IsUnknown() || planned.IsNull() || planned.Equal(*got) {
		return
	}
	diags.AddAttributeWarning(path.Root(attr), "The "+attr+" changed between plan and apply",
		fmt.Sprintf("After the apply %s has [%s]; the plan showed [%s]: something around it changed meanwhile (a host option, a mirroring session, another port group). "+
			"The state keeps the planned list; the next plan reads the codes found.",
			what, strings.Join(Strings(ctx, *got, diags), ", "), strings.Join(Strings(ctx, planned, diags), ", ")))
	*got = planned
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

// HazardsRepairedDoc describes hazards_repaired, the same on both resources.
const HazardsRepairedDoc = "The CARP codes the latest apply that repaired any repaired: found on the object just before it and gone after it, sorted; empty when none did (and after an import). " +
	"A plan that repairs something shows the codes it repairs, so that a create reads `+ hazards_repaired = [\"CARP001\", \"CARP010\"]` next to `+ hazards = []` (the codes left), and an update `hazards = [\"CARP001\"] -> []` with `hazards_repaired = [] -> [\"CARP001\"]`; a plan that repairs nothing leaves it as it is. " +
	"Unknown in the plan while what the apply repairs hangs on other resources of the run. A refresh keeps it: it describes an apply, not the object now (that is `hazards`)."
