package rules

import (
	"slices"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// AuditGiven is what an audit names. A nil list was left out, and is
// derived from the firewall VMs; an empty one names nothing.
type AuditGiven struct {
	HostIDs, PortGroups, DVPortGroupIDs, FirewallVMs []string
	// Guest holds Transport, VIPMac, VHIDs and Pairs.
	Guest Scope
}

// AuditScope is the scope an audit judges, derived from what it names.
type AuditScope struct {
	Scope
	// Hosts are the hosts searched for the port group names: those given,
	// or every host the firewall VMs can run on.
	Hosts []string
	// MissingPortGroups are the names given that none of Hosts has (a
	// name taken from a firewall NIC is never missing: it may be on the
	// firewall's own host only, which CARP016 judges).
	MissingPortGroups []string
}

// ScopeOfAudit derives an audit's scope from the snapshot the way
// carp_firewalls does: the lists given, and from the firewall VMs what is
// left out of them (their DV port groups; their hosts, or on the hosts
// given their NICs' port group names; with neither hosts nor names, the
// standard port groups they use on every host they can run on). Each port
// group name is judged on every host that has it: clusters often carry
// some port groups on some hosts only.
func ScopeOfAudit(s *inventory.Snapshot, g AuditGiven) AuditScope {
	out := AuditScope{Scope: g.Guest, Hosts: g.HostIDs}
	out.DVPortGroups, out.FirewallVMs = g.DVPortGroupIDs, g.FirewallVMs
	names, derived := g.PortGroups, false
	if len(g.FirewallVMs) > 0 {
		fp := s.FootprintOf(g.FirewallVMs)
		if g.DVPortGroupIDs == nil {
			out.DVPortGroups = fp.DVPortGroupIDs
		}
		switch {
		case g.HostIDs == nil && g.PortGroups == nil:
			for _, p := range fp.StandardPortGroups {
				out.PortGroups = append(out.PortGroups, PortGroupRef{HostID: p.HostID, Name: p.Name})
			}
		case g.PortGroups == nil:
			names, derived = firewallNetworks(s, g.FirewallVMs), true
		}
		if g.HostIDs == nil {
			out.Hosts = fp.HostIDs
		}
	}
	for _, name := range names {
		found := false
		for _, hid := range out.Hosts {
			if h := s.FindHost(hid); h != nil && h.PortGroup(name) != nil {
				out.PortGroups = append(out.PortGroups, PortGroupRef{HostID: hid, Name: name})
				found = true
			}
		}
		if !found && !derived {
			out.MissingPortGroups = append(out.MissingPortGroups, name)
		}
	}
	return out
}

// firewallNetworks are the names of the standard networks the VMs' NICs
// use, sorted.
func firewallNetworks(s *inventory.Snapshot, vmIDs []string) []string {
	var names []string
	for _, vm := range s.VMs {
		if !slices.Contains(vmIDs, vm.ID) {
			continue
		}
		for _, n := range vm.NICs {
			if n.DVPortGroupID == "" && n.Network != "" {
				names = append(names, n.Network)
			}
		}
	}
	return sortedUnique(names)
}
