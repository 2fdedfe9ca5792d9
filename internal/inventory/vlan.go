package inventory

import (
	"slices"
	"strconv"
	"strings"
)

// VLAN kinds: how a port group tags its traffic.
const (
	// VLANNone: untagged (VLAN 0 on a standard port group, a VLAN id spec
	// of 0 on a distributed one).
	VLANNone = "none"
	// VLANSingle: one VLAN id, 1-4094.
	VLANSingle = "vlan"
	// VLANTrunk: the guest tags (VLAN 4095 on a standard port group, a
	// trunk spec of ranges on a distributed one).
	VLANTrunk = "trunk"
	// VLANPrivate: a private VLAN of a distributed switch.
	VLANPrivate = "pvlan"
)

// VLANAll is the VLAN id of a standard port group that passes every VLAN
// to the guest (virtual guest tagging).
const VLANAll = 4095

// VLAN is a port group's VLAN setting in one shape for standard and
// distributed port groups: HostPortGroupSpec.vlanId (0 none, 1-4094 one
// VLAN, 4095 all), and a DV port group's VmwareDistributedVirtualSwitchVlanIdSpec
// (one id), TrunkVlanSpec (ranges) or PvlanSpec (a private VLAN id).
type VLAN struct {
	Kind string // VLANNone, VLANSingle, VLANTrunk, VLANPrivate
	// ID is the VLAN id (VLANSingle) or the private VLAN id (VLANPrivate).
	ID int32
	// Ranges are a trunk's VLAN ranges, sorted and merged; a trunk of
	// every VLAN is the one range 0-4094.
	Ranges []VLANRange
}

// VLANRange is an inclusive range of VLAN ids.
type VLANRange struct{ Start, End int32 }

// StandardVLAN is the VLAN of a standard port group's vlanId.
func StandardVLAN(id int32) VLAN {
	switch id {
	case 0:
		return VLAN{Kind: VLANNone}
	case VLANAll:
		return TrunkVLAN([]VLANRange{{0, VLANAll - 1}})
	}
	return VLAN{Kind: VLANSingle, ID: id}
}

// SingleVLAN is a distributed port group's one VLAN id (0 is none).
func SingleVLAN(id int32) VLAN {
	if id == 0 {
		return VLAN{Kind: VLANNone}
	}
	return VLAN{Kind: VLANSingle, ID: id}
}

// TrunkVLAN is a trunk of the given ranges, sorted and merged (adjacent
// and overlapping ranges join), so that equal trunks compare equal.
func TrunkVLAN(ranges []VLANRange) VLAN {
	rs := make([]VLANRange, 0, len(ranges))
	for _, r := range ranges {
		if r.End < r.Start {
			r.Start, r.End = r.End, r.Start
		}
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b VLANRange) int { return int(a.Start - b.Start) })
	var out []VLANRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.Start <= out[n-1].End+1 {
			out[n-1].End = max(out[n-1].End, r.End)
			continue
		}
		out = append(out, r)
	}
	return VLAN{Kind: VLANTrunk, Ranges: out}
}

// PrivateVLAN is a private VLAN of the given id.
func PrivateVLAN(id int32) VLAN { return VLAN{Kind: VLANPrivate, ID: id} }

// Trunk reports whether the port group passes several VLANs to the guest.
func (v VLAN) Trunk() bool { return v.Kind == VLANTrunk }

// All reports whether the trunk passes every VLAN (0-4094).
func (v VLAN) All() bool {
	return v.Kind == VLANTrunk && len(v.Ranges) == 1 && v.Ranges[0].Start <= 1 && v.Ranges[0].End >= VLANAll-1
}

// Equal compares two VLAN settings by shape.
func (v VLAN) Equal(o VLAN) bool {
	return v.Kind == o.Kind && v.ID == o.ID && slices.Equal(v.Ranges, o.Ranges)
}

// String names the setting as a person would, to follow the word "VLAN":
// "none", "10", "trunk (all VLANs)", "trunk 100-200,300", "private 201".
func (v VLAN) String() string {
	switch v.Kind {
	case VLANSingle:
		return strconv.Itoa(int(v.ID))
	case VLANPrivate:
		return "private " + strconv.Itoa(int(v.ID))
	case VLANTrunk:
		if v.All() {
			return "trunk (all VLANs)"
		}
		parts := make([]string, len(v.Ranges))
		for i, r := range v.Ranges {
			parts[i] = strconv.Itoa(int(r.Start))
			if r.End != r.Start {
				parts[i] += "-" + strconv.Itoa(int(r.End))
			}
		}
		return "trunk " + strings.Join(parts, ",")
	}
	return "none"
}
