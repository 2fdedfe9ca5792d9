package rules

import (
	"fmt"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The rules that follow the firewall VMs: CARP015 (a port's own setting),
// CARP016 (the hosts a firewall can move to) and CARP017 (pair placement).

// Object kinds of the firewall rules' findings.
const (
	KindCluster = "cluster"
	// KindDVPort is a distributed port; its ObjectID is
	// "<switch moref>:<port key>".
	KindDVPort = "dvport"
)

func dvPortObject(p *inventory.DVPort, pg *inventory.DVPortGroup, sw *inventory.DVSwitch) object {
	return object{KindDVPort, p.SwitchID + ":" + p.Key, p.Key,
		fmt.Sprintf("port %s of %s", p.Key, dvPGObject(pg, sw).subject)}
}

func clusterObject(c *inventory.Cluster) object {
	return object{KindCluster, c.ID, c.Name, fmt.Sprintf("cluster %s (%s)", c.Name, c.ID)}
}

// hostRef names a host by name and moref, or by moref alone when the
// snapshot does not have it.
func hostRef(s *inventory.Snapshot, id string) string {
	if h := s.FindHost(id); h != nil {
		return fmt.Sprintf("%s (%s)", h.Name, h.ID)
	}
	return id
}

func vmRef(vm *inventory.VM) string { return fmt.Sprintf("%s (%s)", vm.Name, vm.ID) }

// firewallVMs returns the firewall VMs of the snapshot in snapshot order.
func firewallVMs(s *inventory.Snapshot, fw map[string]bool) []*inventory.VM {
	var out []*inventory.VM
	for i := range s.VMs {
		if fw[s.VMs[i].ID] {
			out = append(out, &s.VMs[i])
		}
	}
	return out
}

// portValue is what a port gets for one security flag: its own MAC
// management value, else its own security value, else the port group's.
func portValue(mm *inventory.PortMacManagement, mmv bool, sec *bool, pg bool) bool {
	switch {
	case mm != nil:
		return mmv
	case sec != nil:
		return *sec
	}
	return pg
}

// overrideRejects lists what the port's own setting rejects where the port
// group's policy (eff, MAC learning pgML) allows it; nil when the port group
// does not let ports override (allowed false) or the port sets nothing that
// hurts.
func overrideRejects(allowed bool, eff inventory.Effective, pgML bool, p *inventory.DVPort) []string {
	if !allowed || p == nil {
		return nil
	}
	mm := p.MacManagement
	var mmP, mmM, mmF bool
	if mm != nil {
		mmP, mmM, mmF = mm.AllowPromiscuous, mm.MacChanges, mm.ForgedTransmits
	}
	portML := pgML
	if mm != nil && mm.MacLearning != nil {
		portML = *mm.MacLearning
	}
	var out []string
	promisc := portValue(mm, mmP, p.Security.AllowPromiscuous, eff.AllowPromiscuous)
	if (eff.AllowPromiscuous || pgML) && !promisc && !portML {
		if pgML {
			out = append(out, "turns MAC learning off and rejects promiscuous mode")
		} else {
			out = append(out, "rejects promiscuous mode")
		}
	}
	if eff.MacChanges && !portValue(mm, mmM, p.Security.MacChanges, eff.MacChanges) {
		out = append(out, "rejects MAC address changes")
	}
	if eff.ForgedTransmits && !portValue(mm, mmF, p.Security.ForgedTransmits, eff.ForgedTransmits) {
		out = append(out, "rejects forged transmits")
	}
	return out
}

// portOverride: CARP015 for one port of the port group of t, on which nic
// of vm is (vm nil: the port's connectee is not known).
func (e *emitter) portOverride(t target, allowed bool, p *inventory.DVPort, vm *inventory.VM, nicLabel string) {
	e.portPoliciesDisagree(t, allowed, p)
	rejects := overrideRejects(allowed, t.eff, t.macLearning, p)
	if len(rejects) == 0 {
		return
	}
	who := "the port"
	switch {
	case vm != nil:
		who = fmt.Sprintf("firewall VM %s NIC %q is on it, and the port", vmRef(vm), nicLabel)
	case p.ConnectedVM != "":
		who = fmt.Sprintf("VM %s is on it, and the port", p.ConnectedVM)
	}
	e.add(CodePortOverrideRejects, dvPortObject(p, t.dvpg, t.sw),
		fmt.Sprintf("%s has its own setting that %s where the port group allows it, and the port group lets ports override",
			who, joinAnd(rejects)))
}

// portOverrides: CARP015 on the ports the firewall VMs' NICs are on.
func (e *emitter) portOverrides(s *inventory.Snapshot, fws []*inventory.VM) {
	for _, vm := range fws {
		for _, n := range vm.NICs {
			if n.DVPortGroupID == "" || n.PortKey == "" {
				continue
			}
			pg := s.FindDVPortGroup(n.DVPortGroupID)
			if pg == nil || pg.NSX != nil {
				continue
			}
			p := s.FindDVPort(pg.SwitchID, n.PortKey)
			if p == nil {
				continue
			}
			e.portOverride(dvTarget(s, pg, pg.Effective, nil), pg.Overrides.Allowed(), p, vm, n.Label)
		}
	}
}

// crossHost: CARP016. A standard port group a firewall NIC uses, as the
// NIC's host has it, compared on every other host the VM can run on.
func (e *emitter) crossHost(s *inventory.Snapshot, fws []*inventory.VM) {
	for _, vm := range fws {
		for _, n := range vm.NICs {
			if n.DVPortGroupID != "" || n.HostID == "" {
				continue
			}
			home := s.FindHost(n.HostID)
			if home == nil || e.unreachable(home) {
				continue
			}
			hpg := home.PortGroup(n.Network)
			if hpg == nil {
				continue
			}
			c := s.ClusterOf(home.ID)
			if c == nil {
				continue // standalone: nowhere else to run
			}
			uses := fmt.Sprintf("firewall VM %s NIC %q uses it with VLAN %s on %s and can run on this host of cluster %s (%s)",
				vmRef(vm), n.Label, hpg.VLAN, hostRef(s, home.ID), c.Name, c.ID)
			for _, hid := range c.HostIDs {
				h := s.FindHost(hid)
				if h == nil || h.ID == home.ID || e.unreachable(h) {
					continue
				}
				switch pg := h.PortGroup(n.Network); {
				case pg == nil:
					e.add(CodePortGroupDiffersAcrossHost, stdPGObject(h, n.Network), uses+", but the host has no such port group")
				case !pg.VLAN.Equal(hpg.VLAN):
					e.add(CodePortGroupDiffersAcrossHost, stdPGObject(h, n.Network), fmt.Sprintf("%s, but it has VLAN %s here", uses, pg.VLAN))
				}
			}
		}
	}
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// followFirewalls runs CARP015-017 (and CARP021 on their ports) for the
// firewall VMs of fw, in the HA groups pairs.
func (e *emitter) followFirewalls(s *inventory.Snapshot, fw map[string]bool, pairs [][]string) {
	fws := firewallVMs(s, fw)
	e.portOverrides(s, fws)
	e.crossHost(s, fws)
	e.separation(s, fws, pairs)
}

// planPortOverrides: CARP015 in the plan of a DV port group's policy: every
// port of the port group that holds an override hurting t's planned policy,
// with the planned override flag.
func (e *emitter) planPortOverrides(s *inventory.Snapshot, t target, allowed bool) {
	for i := range s.DVPorts {
		p := &s.DVPorts[i]
		if p.PortGroupID != t.dvpg.ID {
			continue
		}
		var vm *inventory.VM
		label := ""
		if p.ConnectedVM != "" {
			vm = s.FindVM(p.ConnectedVM)
			if vm != nil {
				for _, n := range vm.NICs {
					if n.DVPortGroupID == t.dvpg.ID && n.PortKey == p.Key {
						label = n.Label
					}
				}
			}
		}
		if vm != nil && label == "" {
			vm = nil
		}
		e.portOverride(t, allowed, p, vm, label)
	}
}

// PortOverrides returns the CARP015 and CARP021 findings of a DV port
// group's ports as it is, for the guest of sc (its VIPMac): its ports among
// the snapshot's DVPorts that hold an override hurting its policy, or whose
// own two policies disagree, while it lets ports override. What a refresh of
// its carp_portgroup_policy reports in hazards. Nil when the port group is
// not in the snapshot.
func PortOverrides(s inventory.Snapshot, dvpgID string, sc Scope) []Finding {
	pg := s.FindDVPortGroup(dvpgID)
	if pg == nil {
		return nil
	}
	e := newEmitter(sc)
	e.planPortOverrides(&s, dvTarget(&s, pg, pg.Effective, nil), pg.Overrides.Allowed())
	return e.result()
}
