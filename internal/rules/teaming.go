package rules

import (
	"fmt"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The teaming rules: CARP010, CARP011 and CARP018. On a distributed switch
// with enhanced LACP, a port group's teaming names a link aggregation group
// (LAG) among its uplinks by the LAG's name; the LAG is several physical
// links that hash by the LAG's own algorithm, and the port group's load
// balancing does not apply to it (vSphere Networking guide, "LACP Teaming
// and Failover Configuration for Distributed Port Groups": one active LAG
// or standalone uplinks, never both).

// uplinkSet is a teaming's list of uplinks split into the LAGs it names
// and the standalone uplinks.
type uplinkSet struct {
	lags []*inventory.LAG
	solo []string
}

// splitUplinks splits names into the LAGs of sw (nil: a standard switch,
// no LAGs) and the rest.
func splitUplinks(sw *inventory.DVSwitch, names []string) uplinkSet {
	var u uplinkSet
	for _, n := range names {
		if sw != nil {
			if lag := sw.LAG(n); lag != nil {
				u.lags = append(u.lags, lag)
				continue
			}
		}
		u.solo = append(u.solo, n)
	}
	return u
}

// oneLAG is the set's LAG when it is exactly one LAG and nothing else.
func (u uplinkSet) oneLAG() *inventory.LAG {
	if len(u.lags) == 1 && len(u.solo) == 0 {
		return u.lags[0]
	}
	return nil
}

// lagName names a LAG with its links and hashing.
func lagName(l *inventory.LAG) string {
	alg := l.Algorithm
	if alg == "" {
		alg = "(algorithm not read)"
	}
	return fmt.Sprintf("LAG %s (%s, hashing by %s)", l.Name, plural(l.Uplinks, "1 link", fmt.Sprintf("%d links", l.Uplinks)), alg)
}

// lagNames names each LAG of the set.
func (u uplinkSet) lagNames() []string {
	out := make([]string, len(u.lags))
	for i, l := range u.lags {
		out[i] = lagName(l)
	}
	return out
}

// teaming: CARP010, CARP011, CARP018.
func (e *emitter) teaming(t target) {
	active := splitUplinks(t.sw, t.eff.ActiveUplinks)
	e.lagMixed(t, active)
	e.notIPHash(t, active)
	e.singleUplink(t, active)
}

// lagMixed: CARP018, a LAG and standalone uplinks active together.
func (e *emitter) lagMixed(t target, active uplinkSet) {
	if len(active.lags) == 0 || len(active.solo) == 0 {
		return
	}
	e.add(CodeLAGMixedWithStandalone, t.obj,
		fmt.Sprintf("%s and standalone %s %s are active together, which vSphere supports only while migrating to LACP: frames sent on the standalone %s leave outside the bundle",
			joinAnd(active.lagNames()), plural(len(active.solo), "uplink", "uplinks"), joinList(active.solo), plural(len(active.solo), "uplink", "uplinks")))
}

// notIPHash: CARP010, two or more active uplinks that do not hash by IP.
// One LAG alone is not judged: it hashes by its own algorithm, which must
// match the physical switch's port channel, and vSphere ignores the port
// group's load balancing while the LAG is active.
func (e *emitter) notIPHash(t target, active uplinkSet) {
	act := t.eff.ActiveUplinks
	if len(act) < 2 || active.oneLAG() != nil || t.eff.LoadBalancing == inventory.LBIPHash {
		return
	}
	lb := t.eff.LoadBalancing
	if lb == "" {
		lb = "(none read)"
	}
	read := fmt.Sprintf("%d active uplinks (%s) with load balancing %s", len(act), joinList(act), lb)
	if len(active.lags) > 0 {
		read += fmt.Sprintf("; %s hashes by its own algorithm, the other active uplinks by the port group's policy", joinAnd(active.lagNames()))
	}
	e.add(CodeTeamedUplinksNotIPHash, t.obj, read)
}

// singleUplink: CARP011, one active uplink and no standby; a LAG of two
// or more links is not one uplink.
func (e *emitter) singleUplink(t target, active uplinkSet) {
	act, stb := t.eff.ActiveUplinks, t.eff.StandbyUplinks
	if len(act) != 1 || len(stb) != 0 {
		return
	}
	what := act[0]
	if lag := active.oneLAG(); lag != nil {
		if lag.Uplinks >= 2 {
			return
		}
		what = lagName(lag)
	}
	e.add(CodeSingleUplinkNoFailover, t.obj,
		fmt.Sprintf("one active uplink (%s) and no standby: a physical link loss is not shown to the VM, so both firewalls stay MASTER", what))
}

// LoadBalancingMoot returns the LAG that makes a port group's load
// balancing moot: its active uplinks are that one LAG alone, which hashes
// by its own algorithm. Nil otherwise (or sw nil).
func LoadBalancingMoot(sw *inventory.DVSwitch, active []string) *inventory.LAG {
	return splitUplinks(sw, active).oneLAG()
}
