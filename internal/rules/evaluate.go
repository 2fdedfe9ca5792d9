package rules

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

// Transport is the CARP transport of the firewalls.
type Transport string

// Transports. The empty Transport means multicast.
const (
	Multicast Transport = "multicast"
	Unicast   Transport = "unicast"
)

// VIPMac is how the guest sources its VIP's frames.
type VIPMac string

// VIP MAC kinds. The empty VIPMac means VIPVirtual.
const (
	// VIPVirtual: the VIP has a virtual MAC of its own (CARP; VRRP with a
	// virtual MAC: keepalived use_vmac, FRR). The port must let that MAC
	// in and out: promiscuous mode or MAC learning, MAC changes, forged
	// transmits.
	VIPVirtual VIPMac = "virtual"
	// VIPInterface: the VIP answers from the NIC's own MAC (keepalived
	// without use_vmac), so the switch needs nothing of the kind.
	VIPInterface VIPMac = "interface"
)

// PortGroupRef names a standard port group: host moref and port group name.
type PortGroupRef struct{ HostID, Name string }

// Scope says which objects are the firewall's. Empty slices mean "nothing of
// that kind". Objects missing from the snapshot are skipped.
type Scope struct {
	PortGroups   []PortGroupRef // standard port groups
	DVPortGroups []string       // DV port group ids
	FirewallVMs  []string       // VM ids
	Transport    Transport
	// VIPMac is the guest's kind of VIP ("" = VIPVirtual).
	VIPMac VIPMac
	// VHIDs is the number of virtual MACs (CARP VHIDs, VRRP VRIDs) each
	// firewall NIC adds to its port; 0 counts as 1.
	VHIDs int
	// Pairs are the HA groups: lists of firewall VM ids, each one group of
	// two or more. Nil: with exactly two firewall VMs, they are the pair.
	Pairs [][]string
}

// virtualMACs is the number of virtual MACs per firewall NIC (at least 1).
func (sc Scope) virtualMACs() int {
	if sc.VHIDs < 1 {
		return 1
	}
	return sc.VHIDs
}

// Evaluate judges the snapshot against the state rules: CARP001-004,
// 006-013 and 015-026 (005, 014 and 022 concern a plan, not a state).
// Nothing is judged of a host's configuration that vCenter is not in
// touch with: CARP026 says so instead (hosts.go). CARP015-017
// follow the firewall VMs: the DV ports of their NICs, the clusters of their
// hosts (snapshot Clusters, DVPorts and VM.HostID); without those nothing
// of them fires. The NSX segments of the firewall NICs and of the scope
// are judged by their NSX profiles (snapshot NSX; CARP016, 023-025,
// nsx.go), not by the vSphere rules. With Transport unicast the
// MulticastOnly rules are reported with severity info and a note, and
// CARP020 is an error; with VIPMac VIPInterface the VirtualMACOnly rules do
// not apply.
//
// Findings are sorted by code, then object id; there is at most one finding
// per (code, object id).
func Evaluate(s inventory.Snapshot, sc Scope) []Finding {
	e := newEmitter(sc)
	fw := map[string]bool{}
	for _, id := range sc.FirewallVMs {
		fw[id] = true
	}
	var rpf rpfCollector

	for _, ref := range sc.PortGroups {
		h := s.FindHost(ref.HostID)
		if h == nil || e.unreachable(h) {
			continue
		}
		pg := h.PortGroup(ref.Name)
		if pg == nil {
			continue
		}
		t := stdTarget(h, pg, pg.Effective)
		e.security(t)
		rpf.addTarget(&s, t)
		e.vswitchWide(h, t.vs)
		e.shared(&s, t, fw)
		e.teaming(t)
	}
	for _, id := range sc.DVPortGroups {
		pg := s.FindDVPortGroup(id)
		if pg == nil || pg.NSX != nil { // an NSX segment: its profiles decide (nsx.go)
			continue
		}
		t := dvTarget(&s, pg, pg.Effective, pg.MacLearning)
		e.security(t)
		rpf.addTarget(&s, t)
		e.legacyVDS(t.sw, false)
		e.mirroring(t.sw, false)
		e.shared(&s, t, fw)
		e.teaming(t)
		e.macManagement(t)
	}
	rpf.emit(e, rpfReadClause)
	for i := range s.VMs {
		if fw[s.VMs[i].ID] {
			e.legacyNICs(&s.VMs[i])
		}
	}
	e.followFirewalls(&s, fw, sc.Pairs)
	e.nsxSegments(&s, sc, fw)
	return e.result()
}
