package vsphere

import (
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
	// Want, for a port group, is the second write: the desired policy
	// (carp_portgroup_policy's toggle_on_apply) instead of promiscuous mode
	// as it was.
	Want *Policy
}

// ref is the port group a port group target names.
func (t PromiscuousTarget) ref() PortGroupRef {
	return PortGroupRef{HostID: t.HostID, Name: t.PortGroup, DVPortGroupID: t.DVPortGroupID}
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
