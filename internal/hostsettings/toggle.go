package hostsettings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/tfhelp"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// toggleHost re-reads the host (under the caller's lock, so that the specs
// written back are current) and toggles promiscuous mode. It returns what it
// toggled and what it left off.
func (r *settingsResource) toggleHost(ctx context.Context, hostID string, keys []string, diags *diag.Diagnostics) ([]string, map[string]string, bool) {
	// Fresh from the server, not the read cache: the specs read here are
	// written back.
	snap, h := r.readHost(ctx, hostID, keys, true, diags)
	if snap == nil || h == nil {
		if h == nil && snap != nil {
			tfhelp.HostNotFound(ctx, diags, r.client, hostID)
		}
		return []string{}, map[string]string{}, false
	}
	return r.toggle(ctx, snap, h, diags)
}

// toggleItem is one port group or vSwitch to toggle, as pending_reenable
// keeps it.
type toggleItem struct {
	key     string // port group name, or vswitchPrefix + vSwitch name
	restore string // "true", or "inherit" for a port group inheriting it
}

// toggleTargets lists, in order, what a toggle writes
// (vsphere.HostToggleTargets).
func toggleTargets(h *inventory.Host) []toggleItem {
	var out []toggleItem
	for _, t := range vsphere.HostToggleTargets(h) {
		it := toggleItem{key: t.PortGroup, restore: "true"}
		if t.VSwitch != "" {
			it.key = vswitchPrefix + t.VSwitch
		} else if t.Inherit {
			it.restore = "inherit"
		}
		out = append(out, it)
	}
	return out
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

func describeTarget(key string) string { return targetOf("", key, "").String() }

// write sets promiscuous mode of one target: off, or back to its own value
// (restore "true" or "inherit"), keeping every other field as read.
func (r *settingsResource) write(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, key string, restore string, on bool) error {
	return r.client.WriteHostPromiscuous(ctx, snap, targetOf(h.ID, key, restore), on)
}

// toggle disables then restores promiscuous mode target by target. A failed
// restore is retried with backoff; if it still fails, the toggle stops, the
// target is returned as pending and an error names it.
func (r *settingsResource) toggle(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, diags *diag.Diagnostics) ([]string, map[string]string, bool) {
	toggled, pending := []string{}, map[string]string{}
	targets := toggleTargets(h)
	for i, t := range targets {
		var rest []string
		for _, u := range targets[i+1:] {
			rest = append(rest, describeTarget(u.key))
		}
		notToggled := ""
		if len(rest) > 0 {
			notToggled = fmt.Sprintf(" Not toggled (unchanged): %s.", strings.Join(rest, ", "))
		}
		if ctx.Err() != nil {
			// Record what is left: the next plan shows an update that
			// finishes the toggle (through pending_reenable).
			for _, u := range targets[i:] {
				pending[u.key] = u.restore
			}
			diags.AddError("Toggle interrupted",
				fmt.Sprintf("The operation was cancelled (%v) while toggling promiscuous mode on host %s (%s). Toggled and restored: %s. Not toggled (unchanged, promiscuous mode as it was): %s. The next plan shows an update of this resource that finishes the toggle.",
					ctx.Err(), h.Name, h.ID, tfhelp.ListOrNone(toggled), strings.Join(append([]string{describeTarget(t.key)}, rest...), ", ")))
			return toggled, pending, false
		}
		written, err := vsphere.Toggle(ctx,
			func(ctx context.Context) error { return r.write(ctx, snap, h, t.key, t.restore, false) },
			func(ctx context.Context) error { return r.write(ctx, snap, h, t.key, t.restore, true) })
		if err != nil && !written {
			tfhelp.AddObjectError(diags, path.Root("host_system_id"), "Promiscuous mode toggle failed",
				tfhelp.ObjectError(fmt.Sprintf("Toggling promiscuous mode of %s on", describeTarget(t.key)), "host", h.Name, h.ID, err)+
					". It is not left off."+notToggled+" Run terraform apply again, or toggle by hand.", err)
			return toggled, pending, false
		}
		if err != nil && vsphere.IsNoAnswer(err) {
			pending[t.key] = t.restore
			diags.AddError("Promiscuous mode may be left off",
				fmt.Sprintf("Promiscuous mode of %s on host %s (%s) was turned off, then vSphere stopped answering (%v).%s "+tfhelp.NoAnswerDetail,
					describeTarget(t.key), h.Name, h.ID, err, notToggled, r.client.APITimeout(), vsphere.RestoreDeadline))
			return toggled, pending, false
		}
		if err != nil {
			pending[t.key] = t.restore
			diags.AddError("Promiscuous mode left off",
				fmt.Sprintf("%s on host %s (%s) was left with promiscuous mode OFF: re-enabling it failed %d times (%s: %v). CARP on that port group does not work until it is re-enabled.%s "+
					"The next plan shows an update of this resource (pending_reenable) that re-enables it first; run terraform apply again, or set promiscuous mode back by hand.",
					describeTarget(t.key), h.Name, h.ID, vsphere.RestoreAttempts, vsphere.FaultName(err), err, notToggled))
			return toggled, pending, false
		}
		toggled = append(toggled, t.key)
		if ctx.Err() != nil && len(rest) > 0 {
			for _, u := range targets[i+1:] {
				pending[u.key] = u.restore
			}
			diags.AddError("Toggle interrupted",
				fmt.Sprintf("The operation was cancelled (%v) while toggling promiscuous mode on host %s (%s). Toggled and restored: %s.%s The next plan shows an update of this resource that finishes the toggle.",
					ctx.Err(), h.Name, h.ID, strings.Join(toggled, ", "), notToggled))
			return toggled, pending, false
		}
	}
	return toggled, pending, true
}

// reenable puts promiscuous mode back on the pending targets; it returns
// those that still fail (named in an error). A target that no longer exists
// is dropped with a warning.
func (r *settingsResource) reenable(ctx context.Context, snap *vsphere.Snapshot, h *inventory.Host, pending map[string]string, diags *diag.Diagnostics) map[string]string {
	left := map[string]string{}
	var names []string
	for _, key := range tfhelp.SortedKeys(pending) {
		name, isVS := strings.CutPrefix(key, vswitchPrefix)
		if (isVS && h.VSwitch(name) == nil) || (!isVS && h.PortGroup(key) == nil) {
			diags.AddWarning("Pending port group gone",
				fmt.Sprintf("%s on host %s (%s) was waiting for promiscuous mode to be re-enabled, but it no longer exists; nothing to do.", describeTarget(key), h.Name, h.ID))
			continue
		}
		err := vsphere.Restore(ctx, func(ctx context.Context) error {
			return r.write(ctx, snap, h, key, pending[key], true)
		})
		if err != nil {
			left[key] = pending[key]
			names = append(names, fmt.Sprintf("%s (%s: %v)", describeTarget(key), vsphere.FaultName(err), err))
		}
	}
	if len(left) > 0 {
		diags.AddError("Promiscuous mode still off",
			fmt.Sprintf("Re-enabling promiscuous mode on host %s (%s) failed again for: %s. CARP does not work on them until it is re-enabled. Run terraform apply again, or set promiscuous mode back by hand.",
				h.Name, h.ID, strings.Join(names, "; ")))
	}
	return left
}
