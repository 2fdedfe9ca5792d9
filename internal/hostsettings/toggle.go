package hostsettings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfdiag"
	"github.com/carpsafe/terraform-provider-carp/internal/tfvalue"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// toggleHost re-reads the host (under the caller's lock, so that the specs
// written back are current) and toggles promiscuous mode of what accepts it
// (vsphere.HostToggleTargets), stopping at the first failure. It returns
// what it toggled and what it left off (and, when cancelled, what it did
// not reach, which the next plan finishes through pending_reenable).
func (r *settingsResource) toggleHost(ctx context.Context, hostID string, keys []string, diags *diag.Diagnostics) ([]string, map[string]string, bool) {
	// Fresh from the server, not the read cache: the specs read here are
	// written back.
	snap, h := r.readHost(ctx, hostID, keys, true, diags)
	if snap == nil || h == nil {
		if h == nil && snap != nil {
			r.hostNotFound(ctx, diags, hostID)
		}
		return []string{}, map[string]string{}, false
	}
	results := r.client.ToggleTargets(ctx, snap, vsphere.HostToggleTargets(h), true)
	toggled, pending := []string{}, map[string]string{}
	for _, res := range results {
		key, restore := itemOf(res.Target)
		switch {
		case res.State == vsphere.Toggled:
			toggled = append(toggled, key)
		case res.State == vsphere.LeftOff, res.State == vsphere.MaybeLeftOff,
			res.State == vsphere.NotReached && !vsphere.StoppedByFailure(res.Err):
			pending[key] = restore
		}
	}
	r.toggleDiag(h).AddResults(ctx, diags, results)
	return toggled, pending, len(toggled) == len(results)
}

// toggleDiag is the toggle diagnostics of host h's resource.
func (r *settingsResource) toggleDiag(h *inventory.Host) tfdiag.Toggle {
	return tfdiag.Toggle{
		Describe: func(t vsphere.PromiscuousTarget) string { return fmt.Sprintf("%s on host %s (%s)", t, h.Name, h.ID) },
		At:       func(vsphere.PromiscuousTarget) path.Path { return path.Root("host_system_id") },
		Next: tfdiag.ToggleNext{
			LeftOff:   "The next plan shows an update of this resource (pending_reenable) that re-enables it first; run terraform apply again, or set promiscuous mode back by hand.",
			Cancelled: "The next plan shows an update of this resource that finishes the toggle.",
			Stopped:   "Run terraform apply again, or toggle them by hand.",
		},
		APITimeout: r.client.APITimeout(),
	}
}

// itemOf is a target as pending_reenable keeps it: the port group name (or
// vswitchPrefix + vSwitch name) and what to put back ("true", or "inherit"
// for a port group inheriting it).
func itemOf(t vsphere.PromiscuousTarget) (key, restore string) {
	switch {
	case t.VSwitch != "":
		return vswitchPrefix + t.VSwitch, "true"
	case t.Inherit:
		return t.PortGroup, "inherit"
	}
	return t.PortGroup, "true"
}

// targetOf is the vSphere target of a key of host hostID.
func targetOf(hostID, key, restore string) vsphere.PromiscuousTarget {
	if name, ok := strings.CutPrefix(key, vswitchPrefix); ok {
		return vsphere.PromiscuousTarget{HostID: hostID, VSwitch: name}
	}
	return vsphere.PromiscuousTarget{HostID: hostID, PortGroup: key, Inherit: restore == "inherit"}
}

// reenabledPortGroups are the port groups of h whose promiscuous mode a
// re-enable of pending changes: those pending themselves, and those that
// inherit it from a pending vSwitch.
func reenabledPortGroups(h *inventory.Host, pending map[string]string) []string {
	var out []string
	for _, pg := range h.PortGroups {
		_, own := pending[pg.Name]
		_, viaSwitch := pending[vswitchPrefix+pg.VSwitch]
		if own || (viaSwitch && pg.Security.AllowPromiscuous == nil) {
			out = append(out, pg.Name)
		}
	}
	return out
}

// reenable puts promiscuous mode back on the pending targets; it returns
// those that still fail (named in an error). A target that no longer exists
// is dropped with a warning.
func (r *settingsResource) reenable(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, pending map[string]string, diags *diag.Diagnostics) map[string]string {
	var targets []vsphere.PromiscuousTarget
	for _, key := range tfvalue.SortedKeys(pending) {
		t := targetOf(h.ID, key, pending[key])
		if (t.VSwitch != "" && h.VSwitch(t.VSwitch) == nil) || (t.VSwitch == "" && h.PortGroup(t.PortGroup) == nil) {
			diags.AddWarning("Pending port group gone",
				fmt.Sprintf("%s on host %s (%s) was waiting for promiscuous mode to be re-enabled, but it no longer exists; nothing to do.", t, h.Name, h.ID))
			continue
		}
		targets = append(targets, t)
	}
	left := map[string]string{}
	results := r.client.Reenable(ctx, snap, targets)
	for _, res := range results {
		if res.State != vsphere.Toggled {
			key, restore := itemOf(res.Target)
			left[key] = restore
		}
	}
	r.toggleDiag(h).AddResults(ctx, diags, results)
	return left
}
