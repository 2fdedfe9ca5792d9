package inventory

import "sort"

// Footprint is what the firewall VMs use or can move to: the scope an audit
// derives from the firewalls alone (carp_firewalls, carp_audit with only
// firewall_vm_ids).
type Footprint struct {
	// HostIDs are every host the firewalls can run on (all hosts of their
	// clusters; their own host when standalone), sorted.
	HostIDs []string
	// StandardPortGroups are the standard port groups a firewall NIC uses,
	// on each of those hosts that has one of that name, sorted by host then
	// name.
	StandardPortGroups []HostPortGroup
	// DVPortGroupIDs are the DV port groups of the firewalls' NICs, sorted;
	// not the NSX port groups, whose vSphere policy decides nothing.
	DVPortGroupIDs []string
}

// HostPortGroup names a standard port group on a host.
type HostPortGroup struct{ HostID, Name string }

// FootprintOf derives the footprint of the given VMs from the snapshot (VMs
// not in it are skipped).
func (s *Snapshot) FootprintOf(vmIDs []string) Footprint {
	hosts := map[string]bool{}
	names := map[string]bool{}
	dvpgs := map[string]bool{}
	for _, id := range vmIDs {
		vm := s.FindVM(id)
		if vm == nil {
			continue
		}
		if vm.HostID != "" {
			for _, h := range s.RunnableHosts(vm.HostID) {
				hosts[h] = true
			}
		}
		for _, n := range vm.NICs {
			switch {
			case s.BackingOf(n) == BackingNSX:
			case n.DVPortGroupID != "":
				dvpgs[n.DVPortGroupID] = true
			case n.Network != "":
				names[n.Network] = true
			}
		}
	}
	var fp Footprint
	fp.HostIDs = sortedKeys(hosts)
	fp.DVPortGroupIDs = sortedKeys(dvpgs)
	for _, hid := range fp.HostIDs {
		h := s.FindHost(hid)
		if h == nil {
			continue
		}
		for _, name := range sortedKeys(names) {
			if h.PortGroup(name) != nil {
				fp.StandardPortGroups = append(fp.StandardPortGroups, HostPortGroup{hid, name})
			}
		}
	}
	return fp
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
