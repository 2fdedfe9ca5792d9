package rules

import (
	"fmt"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// PlanHostSettings returns the plan-time findings of carp_host_settings for
// one host:
//
//   - CARP004 when plannedRPF is false and a vSwitch of the host with two or
//     more uplinks carries a port group whose effective policy accepts
//     promiscuous mode (all port groups of the host count, not a scope);
//   - CARP005 when the planned value differs from the one read (a value not
//     read counts as a change), toggle (toggle_promiscuous_on_apply) is
//     false, and the host has port groups accepting promiscuous mode.
func PlanHostSettings(h inventory.Host, plannedRPF bool, toggle bool) []Finding {
	e := &emitter{}
	if !plannedRPF {
		var c rpfCollector
		for i := range h.PortGroups {
			c.addTarget(nil, stdTarget(&h, &h.PortGroups[i], h.PortGroups[i].Effective))
		}
		c.emit(e, func(*inventory.Host) string {
			return "the plan sets reverse_path_fwd_check_promisc = false"
		})
	}
	want := int64(0)
	if plannedRPF {
		want = 1
	}
	changes := h.RPFCheckPromisc == nil || (*h.RPFCheckPromisc == 1) != plannedRPF
	if changes && !toggle {
		var promisc []string
		for _, pg := range h.PortGroups {
			if pg.Effective.AllowPromiscuous {
				promisc = append(promisc, pg.Name)
			}
		}
		if len(promisc) > 0 {
			from := "a value not read"
			if h.RPFCheckPromisc != nil {
				from = fmt.Sprint(*h.RPFCheckPromisc)
			}
			e.add(CodeToggleAfterRPFChange, hostObject(&h),
				fmt.Sprintf("%s changes from %s to %d, and promiscuous %s %s %s not toggled afterwards",
					inventory.OptionRPFKey, from, want,
					plural(len(promisc), "port group", "port groups"), quoteList(promisc),
					plural(len(promisc), "is", "are")))
		}
	}
	return e.result()
}

// PolicyPlan is the planned policy of one carp_portgroup_policy.
type PolicyPlan struct {
	AllowPromiscuous, AllowMacChanges, AllowForgedTransmits bool
	// MacLearning is the planned MAC learning policy; nil leaves it as read
	// (the port group's own, else its switch's).
	MacLearning *inventory.MacLearning
	// Teaming nil leaves the teaming as the snapshot has it.
	Teaming       *TeamingPlan
	ToggleOnApply bool
	// AllowPortOverrides is the planned allow_port_overrides of a DV port
	// group; nil leaves the port group's override flags as read.
	AllowPortOverrides *bool
	// Guest is what the firewalls on the port group need: their kind of
	// VIP and virtual MACs (Scope.VIPMac, Scope.VHIDs; the other fields of
	// the scope are not used).
	Guest Scope
}

// TeamingPlan is a planned teaming; nil fields leave the value unchanged.
type TeamingPlan struct {
	LoadBalancing   *string
	Active, Standby []string
}

// apply returns the effective policy with the plan applied.
func (p PolicyPlan) apply(eff inventory.Effective) inventory.Effective {
	eff.AllowPromiscuous = p.AllowPromiscuous
	eff.MacChanges = p.AllowMacChanges
	eff.ForgedTransmits = p.AllowForgedTransmits
	if t := p.Teaming; t != nil {
		if t.LoadBalancing != nil {
			eff.LoadBalancing = *t.LoadBalancing
		}
		if t.Active != nil {
			eff.ActiveUplinks = append([]string(nil), t.Active...)
		}
		if t.Standby != nil {
			eff.StandbyUplinks = append([]string(nil), t.Standby...)
		}
	}
	return eff
}

// PlanStandardPortGroup returns the plan-time findings of
// carp_portgroup_policy for the standard port group pgName of host hostID
// with the planned policy applied (for the guest p.Guest): CARP001-004,
// 009, 010, 011 and 014 (any
// mac_learning block on a standard port group). The caller turns a CARP014
// into a plan error. Without the host or port group in the snapshot only
// CARP014 can fire.
func PlanStandardPortGroup(s inventory.Snapshot, hostID, pgName string, p PolicyPlan) []Finding {
	e := newEmitter(p.Guest)
	h := s.FindHost(hostID)
	if p.MacLearning != nil {
		e.macLearningStandard(h, hostID, pgName)
	}
	if h == nil {
		return e.result()
	}
	pg := h.PortGroup(pgName)
	if pg == nil {
		return e.result()
	}
	t := stdTarget(h, pg, p.apply(pg.Effective))
	e.security(t)
	var rpf rpfCollector
	rpf.addTarget(&s, t)
	rpf.emit(e, rpfReadClause)
	e.vswitchWide(h, t.vs)
	e.teaming(t)
	return e.result()
}

// PlanDVPortGroup returns the plan-time findings of carp_portgroup_policy
// for one DV port group with the planned policy applied: CARP001-004, 006
// and 007 (only without ToggleOnApply: with it the toggle handles them),
// 010, 011, 013, 014 (a mac_learning block while the switch version parses
// and is below 6.6.0), 015 (a port of the port group, among the snapshot's
// DVPorts, holds an override that hurts the planned policy while the port
// group will still let ports override), 018-020 from the planned teaming
// and MAC learning, and 021 on such ports (not on the port group: the
// write sets both of its policies the same). The caller turns a CARP014
// into a plan error. Returns nil when the port group is not in the
// snapshot.
func PlanDVPortGroup(s inventory.Snapshot, dvpgID string, p PolicyPlan) []Finding {
	pg := s.FindDVPortGroup(dvpgID)
	if pg == nil {
		return nil
	}
	e := newEmitter(p.Guest)
	planned := *pg
	planned.Legacy = nil // the write sets both policies the same
	t := dvTarget(&s, &planned, p.apply(pg.Effective), p.MacLearning)
	if p.MacLearning != nil && t.sw != nil {
		if known, ok := inventory.MacLearningSupport(t.sw.Version); known && !ok {
			e.macLearningDV(t, fmt.Sprintf("the switch is version %s and MAC learning needs 6.6.0 or later", t.sw.Version))
		}
	}
	e.security(t)
	var rpf rpfCollector
	rpf.addTarget(&s, t)
	rpf.emit(e, rpfReadClause)
	e.legacyVDS(t.sw, p.ToggleOnApply)
	e.mirroring(t.sw, p.ToggleOnApply)
	e.teaming(t)
	e.macManagement(t)
	allowed := pg.Overrides.Allowed()
	if p.AllowPortOverrides != nil {
		allowed = *p.AllowPortOverrides
	}
	e.planPortOverrides(&s, t, allowed)
	return e.result()
}

// WriteMacLearning returns CARP014 for writing a mac_learning block to a
// port group: the standard port group pgName of host hostID, or, when
// dvpgID is set, that DV port group. Stricter than the plan: a switch whose
// version does not parse is not known to take MAC learning and fails too.
// Nil when the write can go ahead (or the port group is not in s).
func WriteMacLearning(s inventory.Snapshot, hostID, pgName, dvpgID string) []Finding {
	e := &emitter{}
	if dvpgID == "" {
		e.macLearningStandard(s.FindHost(hostID), hostID, pgName)
		return e.result()
	}
	pg := s.FindDVPortGroup(dvpgID)
	if pg == nil {
		return nil
	}
	t := dvTarget(&s, pg, pg.Effective, nil)
	switch known, ok := inventory.MacLearningSupport(dvVersion(t.sw)); {
	case !known:
		e.macLearningDV(t, fmt.Sprintf("the version of the switch (%q) is not known to be 6.6.0 or later, which MAC learning needs", dvVersion(t.sw)))
	case !ok:
		e.macLearningDV(t, fmt.Sprintf("the switch is version %s and MAC learning needs 6.6.0 or later", t.sw.Version))
	}
	return e.result()
}

func dvVersion(sw *inventory.DVSwitch) string {
	if sw == nil {
		return ""
	}
	return sw.Version
}

// macLearningStandard: CARP014 on a standard port group (h may be nil).
func (e *emitter) macLearningStandard(h *inventory.Host, hostID, pgName string) {
	if h == nil {
		h = &inventory.Host{ID: hostID, Name: hostID}
	}
	e.add(CodeMacLearningUnsupported, stdPGObject(h, pgName),
		"the configuration asks for MAC learning, which standard port groups do not have")
}

// macLearningDV: CARP014 on a DV port group whose switch version is too old
// (or unknown): read says which.
func (e *emitter) macLearningDV(t target, read string) {
	e.add(CodeMacLearningUnsupported, t.obj, "the configuration asks for MAC learning, but "+read)
}

// ToggleHazardsStandard returns, sorted, the conditions that call for
// toggling promiscuous mode on a standard port group: "rpf=<value>" with the
// host's Net.ReversePathFwdCheckPromisc ("rpf=unknown" when not read), so
// that fixing CARP004 shows as a change. Nil when the host or port group is
// not in the snapshot. A resource stores the set and toggles again when it
// changes.
func ToggleHazardsStandard(s inventory.Snapshot, hostID, pg string) []string {
	h := s.FindHost(hostID)
	if h == nil || h.PortGroup(pg) == nil {
		return nil
	}
	v := "unknown"
	if h.RPFCheckPromisc != nil {
		v = fmt.Sprint(*h.RPFCheckPromisc)
	}
	return []string{"rpf=" + v}
}

// ToggleHazardsDV returns, sorted, the conditions that call for toggling
// promiscuous mode on a DV port group: "CARP006" when the switch is 4.1.x or
// 5.0.x; "CARP007" when a mirroring session is enabled, plus one
// "mirror=<session name or key>" per enabled session (so enabling another
// session changes the set). Nil when the port group is not in the snapshot
// or nothing applies.
func ToggleHazardsDV(s inventory.Snapshot, dvpgID string) []string {
	pg := s.FindDVPortGroup(dvpgID)
	if pg == nil {
		return nil
	}
	sw := s.FindDVSwitch(pg.SwitchID)
	if sw == nil {
		return nil
	}
	var out []string
	if inventory.LegacyDVS(sw.Version) {
		out = append(out, CodeVDSUpgradedLegacy)
	}
	if names := enabledSessions(sw); len(names) > 0 {
		out = append(out, CodePortMirroring)
		for _, n := range names {
			out = append(out, "mirror="+n)
		}
	}
	return sortedUnique(out)
}
