package vsphere

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// PromiscuousTarget is one object whose promiscuous mode a toggle writes: a
// standard port group (HostID and PortGroup), a standard vSwitch (HostID
// and VSwitch) or a distributed port group (DVPortGroupID).
type PromiscuousTarget struct {
	HostID, PortGroup, VSwitch string
	DVPortGroupID              string
	// Inherit: the standard port group's own allowPromiscuous is inherited
	// from its vSwitch, so the toggle's second write puts it back to
	// inherit rather than true.
	Inherit bool
}

// String names the target within its host or switch: `port group "X"`,
// `vSwitch "X"`, `distributed port group dvportgroup-42`.
func (t PromiscuousTarget) String() string {
	switch {
	case t.DVPortGroupID != "":
		return "distributed port group " + t.DVPortGroupID
	case t.VSwitch != "":
		return fmt.Sprintf("vSwitch %q", t.VSwitch)
	}
	return fmt.Sprintf("port group %q", t.PortGroup)
}

// HostToggleTargets lists, in order, what a toggle of a whole host writes:
// its port groups whose effective policy accepts promiscuous mode (by
// name), then its vSwitches that accept it at switch level (by name). What
// does not accept promiscuous mode is not listed: a toggle never turns on
// what was off.
func HostToggleTargets(h *inventory.Host) []PromiscuousTarget {
	var out []PromiscuousTarget
	pgs := slices.SortedFunc(slices.Values(h.PortGroups), func(a, b inventory.PortGroup) int { return strings.Compare(a.Name, b.Name) })
	for _, pg := range pgs {
		if pg.Effective.AllowPromiscuous {
			out = append(out, PromiscuousTarget{HostID: h.ID, PortGroup: pg.Name, Inherit: pg.Security.AllowPromiscuous == nil})
		}
	}
	vss := slices.SortedFunc(slices.Values(h.VSwitches), func(a, b inventory.VSwitch) int { return strings.Compare(a.Name, b.Name) })
	for _, vs := range vss {
		if vs.Security.AllowPromiscuous != nil && *vs.Security.AllowPromiscuous {
			out = append(out, PromiscuousTarget{HostID: h.ID, VSwitch: vs.Name})
		}
	}
	return out
}

// WriteHostPromiscuous sets promiscuous mode of a standard port group or
// vSwitch as snap read it: off, or back (true, or inherit for a port group
// with Inherit), keeping every other field as read. One UpdatePortGroup or
// UpdateVirtualSwitch round trip. What snap does not hold is a
// *NotFoundError.
func (c *Client) WriteHostPromiscuous(ctx context.Context, snap *Snapshot, t PromiscuousTarget, on bool) error {
	if t.VSwitch != "" {
		return c.SetVSwitchPromiscuous(ctx, snap, t.HostID, t.VSwitch, on)
	}
	var pg *inventory.PortGroup
	if h := snap.FindHost(t.HostID); h != nil {
		pg = h.PortGroup(t.PortGroup)
	}
	if pg == nil {
		return &NotFoundError{Kind: KindPortGroup, ID: t.PortGroup, Host: t.HostID}
	}
	w, err := c.PortGroupWriter(snap, PortGroupRef{HostID: t.HostID, Name: t.PortGroup})
	if err != nil {
		return err
	}
	sec := pg.Security
	switch {
	case !on:
		sec.AllowPromiscuous = inventory.Ptr(false)
	case t.Inherit:
		sec.AllowPromiscuous = nil
	default:
		sec.AllowPromiscuous = inventory.Ptr(true)
	}
	return w.Write(ctx, Policy{Security: sec})
}

// TogglePromiscuous toggles one target as snap read it (taken under the
// lock of its host network or switch, fresh): promiscuous mode off, then
// back exactly as it was, every other field kept (see Toggle for the
// retries and the ctx of the two writes). A distributed port group is
// written with one writer, so the second write carries the config version
// the first left.
func (c *Client) TogglePromiscuous(ctx context.Context, snap *Snapshot, t PromiscuousTarget) (written bool, err error) {
	if t.DVPortGroupID == "" {
		return Toggle(ctx,
			func(ctx context.Context) error { return c.WriteHostPromiscuous(ctx, snap, t, false) },
			func(ctx context.Context) error { return c.WriteHostPromiscuous(ctx, snap, t, true) })
	}
	pg := snap.FindDVPortGroup(t.DVPortGroupID)
	if pg == nil {
		return false, &NotFoundError{Kind: KindDVPortGroup, ID: t.DVPortGroupID}
	}
	w, err := c.PortGroupWriter(snap, PortGroupRef{DVPortGroupID: t.DVPortGroupID})
	if err != nil {
		return false, err
	}
	useMM := false
	if sw := snap.FindDVSwitch(pg.SwitchID); sw != nil {
		useMM = inventory.UsesMacManagement(sw.Version)
	}
	off := pg.Security
	off.AllowPromiscuous = inventory.Ptr(false)
	return w.Toggle(ctx, Policy{Security: off, UseMacManagement: useMM}, Policy{Security: pg.Security, UseMacManagement: useMM})
}
