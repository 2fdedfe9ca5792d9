package rules

import "github.com/carpsafe/terraform-provider-carp/internal/inventory"

// Transport is the CARP transport of the firewalls.
type Transport string

// Transports. The empty Transport means multicast.
const (
	Multicast Transport = "multicast"
	Unicast   Transport = "unicast"
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
}

// Evaluate judges the snapshot against the state rules: CARP001-004,
// 006-013 and 015-017 (005 and 014 concern a plan, not a state). CARP015-017
// follow the firewall VMs: the DV ports of their NICs, the clusters of their
// hosts (snapshot Clusters, DVPorts and VM.HostID); without those nothing
// of them fires. With Transport unicast
// the MulticastOnly rules are reported with severity info and a note.
//
// Findings are sorted by code, then object id; there is at most one finding
// per (code, object id).
func Evaluate(s inventory.Snapshot, sc Scope) []Finding {
	e := &emitter{unicast: sc.Transport == Unicast}
	fw := map[string]bool{}
	for _, id := range sc.FirewallVMs {
		fw[id] = true
	}
	var rpf rpfCollector

	for _, ref := range sc.PortGroups {
		h := s.FindHost(ref.HostID)
		if h == nil {
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
		if pg == nil {
			continue
		}
		t := dvTarget(&s, pg, pg.Effective, pg.MacLearning)
		e.security(t)
		rpf.addTarget(&s, t)
		e.legacyVDS(t.sw, false)
		e.mirroring(t.sw, false)
		e.shared(&s, t, fw)
		e.teaming(t)
		e.macLearningAvailable(t)
	}
	rpf.emit(e, rpfReadClause)
	for i := range s.VMs {
		if fw[s.VMs[i].ID] {
			e.legacyNICs(&s.VMs[i])
		}
	}
	e.followFirewalls(&s, fw)
	return e.result()
}
