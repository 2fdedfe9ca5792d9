package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// target is one firewall port group (standard or distributed) with the
// policy it has (Evaluate) or will have (Plan*).
type target struct {
	obj         object
	eff         inventory.Effective
	macLearning bool // MAC learning enabled on the port group
	// ml is the MAC learning policy ports get (nil: none)
	ml   *inventory.MacLearning
	vlan inventory.VLAN
	// standard port group
	host *inventory.Host
	vs   *inventory.VSwitch
	// distributed port group
	dvpg *inventory.DVPortGroup
	sw   *inventory.DVSwitch
}

func stdTarget(h *inventory.Host, pg *inventory.PortGroup, eff inventory.Effective) target {
	return target{obj: stdPGObject(h, pg.Name), eff: eff, vlan: pg.VLAN, host: h, vs: h.VSwitch(pg.VSwitch)}
}

// dvTarget is a DV port group with the policy eff and the MAC learning
// policy ml (nil: the port group's own, else the one eff resolves to).
func dvTarget(s *inventory.Snapshot, pg *inventory.DVPortGroup, eff inventory.Effective, ml *inventory.MacLearning) target {
	sw := s.FindDVSwitch(pg.SwitchID)
	if ml == nil {
		ml = pg.MacLearning
	}
	if ml == nil {
		ml = eff.MacLearning
	}
	return target{obj: dvPGObject(pg, sw), eff: eff, macLearning: ml != nil && ml.Enabled, ml: ml, vlan: pg.VLAN, dvpg: pg, sw: sw}
}

// security: CARP001-003.
func (e *emitter) security(t target) {
	if !t.eff.AllowPromiscuous && !t.macLearning {
		e.add(CodePromiscuousRejected, t.obj, "effective security policy rejects promiscuous mode")
	}
	if !t.eff.MacChanges {
		e.add(CodeMacChangesRejected, t.obj, "effective security policy rejects MAC address changes")
	}
	if !t.eff.ForgedTransmits {
		e.add(CodeForgedTransmitsRejected, t.obj, "effective security policy rejects forged transmits")
	}
}

// vswitchWide: CARP009.
func (e *emitter) vswitchWide(h *inventory.Host, vs *inventory.VSwitch) {
	if vs == nil || vs.Security.AllowPromiscuous == nil || !*vs.Security.AllowPromiscuous {
		return
	}
	e.add(CodeVSwitchWidePromiscuous, vswitchObject(h, vs),
		"promiscuous mode is accepted on the whole vSwitch, so every port group on it inherits it")
}

// legacyVDS: CARP006. handled is whether toggle_on_apply is set (false in
// the audit, where it is not known): then every apply of the port group
// toggles and a change of the toggle hazards plans a new one, so the
// pitfall does not remain after the plan and is not reported.
func (e *emitter) legacyVDS(sw *inventory.DVSwitch, handled bool) {
	if sw == nil || !inventory.LegacyDVS(sw.Version) || handled {
		return
	}
	e.add(CodeVDSUpgradedLegacy, dvsObject(sw),
		fmt.Sprintf("product version %s, so it may be an upgraded 4.0 switch that does not pass CARP until promiscuous mode is toggled", sw.Version))
}

// enabledSessions returns the names (key when unnamed) of the enabled
// mirroring sessions, sorted.
func enabledSessions(sw *inventory.DVSwitch) []string {
	var names []string
	for _, m := range sw.Mirroring {
		if !m.Enabled {
			continue
		}
		n := m.Name
		if n == "" {
			n = m.Key
		}
		names = append(names, n)
	}
	return sortedUnique(names)
}

// mirroring: CARP007; handled as for legacyVDS (a new session changes
// the toggle hazards, which plans a new toggle).
func (e *emitter) mirroring(sw *inventory.DVSwitch, handled bool) {
	if sw == nil || handled {
		return
	}
	names := enabledSessions(sw)
	if len(names) == 0 {
		return
	}
	e.add(CodePortMirroring, dvsObject(sw),
		fmt.Sprintf("port-mirroring %s %s %s enabled, which breaks promiscuous mode until it is toggled",
			plural(len(names), "session", "sessions"), quoteList(names), plural(len(names), "is", "are")))
}

// nicOn reports whether the NIC is connected to the target port group.
func (t target) nicOn(n inventory.NIC) bool {
	if t.dvpg != nil {
		return n.DVPortGroupID == t.dvpg.ID || (n.DVPortGroupID == "" && n.HostID == "" && n.Network == t.dvpg.ID)
	}
	return n.DVPortGroupID == "" && n.HostID == t.host.ID && n.Network == t.obj.name
}

// shared: CARP008. Off when no firewall VMs are given.
func (e *emitter) shared(s *inventory.Snapshot, t target, fw map[string]bool) {
	if len(fw) == 0 || !t.eff.AllowPromiscuous {
		return
	}
	type vmRef struct{ name, id string }
	var others []vmRef
	for i := range s.VMs {
		vm := &s.VMs[i]
		if fw[vm.ID] {
			continue
		}
		for _, n := range vm.NICs {
			if t.nicOn(n) {
				others = append(others, vmRef{vm.Name, vm.ID})
				break
			}
		}
	}
	if len(others) == 0 {
		return
	}
	sort.Slice(others, func(i, j int) bool {
		if others[i].name != others[j].name {
			return others[i].name < others[j].name
		}
		return others[i].id < others[j].id
	})
	list := make([]string, len(others))
	for i, v := range others {
		list[i] = fmt.Sprintf("%s (%s)", v.name, v.id)
	}
	read := fmt.Sprintf("the port group accepts promiscuous mode and also carries %s: %s; %s all of its traffic",
		plural(len(list), "a VM that is not a firewall", "VMs that are not firewalls"), joinList(list),
		plural(len(list), "it receives", "they receive"))
	if t.vlan.Trunk() {
		read += fmt.Sprintf(", and the port group is a VLAN trunk (VLAN %s), so promiscuous mode exposes every VLAN of the trunk", t.vlan)
	}
	e.add(CodeSharedPromiscuousPortGroup, t.obj, read)
}

// legacyNICTypes are the adapter types of CARP012.
var legacyNICTypes = map[string]bool{"pcnet32": true, "flexible": true, "vmxnet": true, "vmxnet2": true}

// legacyNICs: CARP012.
func (e *emitter) legacyNICs(vm *inventory.VM) {
	var nics []inventory.NIC
	for _, n := range vm.NICs {
		if legacyNICTypes[strings.ToLower(n.Type)] {
			nics = append(nics, n)
		}
	}
	if len(nics) == 0 {
		return
	}
	sort.SliceStable(nics, func(i, j int) bool { return nics[i].Label < nics[j].Label })
	list := make([]string, len(nics))
	for i, n := range nics {
		list[i] = fmt.Sprintf("%q (%s)", n.Label, strings.ToLower(n.Type))
	}
	e.add(CodeLegacyVMNIC, vmObject(vm),
		fmt.Sprintf("legacy %s %s, on which CARP VIPs may never leave INIT", plural(len(list), "NIC", "NICs"), joinList(list)))
}

// rpfCollector gathers, per host, the teamed switches carrying promiscuous
// port groups (CARP004), so that a host gets one finding.
type rpfCollector struct {
	hosts map[string]*rpfHost
	// unread are the hosts vCenter is not in touch with: CARP026, not
	// CARP004 from what it last saw of them.
	unread map[string]*inventory.Host
}

type rpfHost struct {
	h        *inventory.Host
	carriers map[string]*carrier
}

type carrier struct {
	label string
	pgs   []string
}

func (c *rpfCollector) add(h *inventory.Host, key, label, pg string) {
	if !h.Connected() {
		if c.unread == nil {
			c.unread = map[string]*inventory.Host{}
		}
		c.unread[h.ID] = h
		return
	}
	if c.hosts == nil {
		c.hosts = map[string]*rpfHost{}
	}
	rh := c.hosts[h.ID]
	if rh == nil {
		rh = &rpfHost{h: h, carriers: map[string]*carrier{}}
		c.hosts[h.ID] = rh
	}
	cr := rh.carriers[key]
	if cr == nil {
		cr = &carrier{label: label}
		rh.carriers[key] = cr
	}
	cr.pgs = append(cr.pgs, pg)
}

// addTarget records t when it accepts promiscuous mode on a switch with two
// or more uplinks: the port group's host for a standard one, every host of
// the switch (known to the snapshot) for a distributed one.
func (c *rpfCollector) addTarget(s *inventory.Snapshot, t target) {
	if !t.eff.AllowPromiscuous {
		return
	}
	if t.dvpg == nil {
		if t.vs != nil && len(t.vs.Uplinks) >= 2 {
			c.add(t.host, "0:"+t.vs.Name, fmt.Sprintf("%s bridges %s", t.vs.Name, joinList(t.vs.Uplinks)), t.obj.name)
		}
		return
	}
	if t.sw == nil || len(t.sw.Uplinks) < 2 {
		return
	}
	for _, hid := range t.sw.HostIDs {
		if h := s.FindHost(hid); h != nil {
			c.add(h, "1:"+t.sw.ID, fmt.Sprintf("distributed switch %s (%s) teams %s", t.sw.Name, t.sw.ID, joinList(t.sw.Uplinks)), t.obj.name)
		}
	}
}

// emit adds one CARP004 per collected host for which but returns a
// non-empty clause (the part after "but"), and CARP026 for each host
// vCenter is not in touch with.
func (c *rpfCollector) emit(e *emitter, but func(h *inventory.Host) string) {
	for _, h := range c.unread {
		e.unreachable(h)
	}
	ids := make([]string, 0, len(c.hosts))
	for id := range c.hosts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rh := c.hosts[id]
		clause := but(rh.h)
		if clause == "" {
			continue
		}
		keys := make([]string, 0, len(rh.carriers))
		for k := range rh.carriers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			cr := rh.carriers[k]
			pgs := sortedUnique(cr.pgs)
			parts[i] = fmt.Sprintf("%s and carries promiscuous %s %s", cr.label,
				plural(len(pgs), "port group", "port groups"), quoteList(pgs))
		}
		e.add(CodeRPFCheckOffWithTeaming, hostObject(rh.h), strings.Join(parts, "; ")+", but "+clause)
	}
}

// rpfReadClause is the CARP004 clause for the value read: empty (no
// finding) when it is 1 or was not read.
func rpfReadClause(h *inventory.Host) string {
	if h.RPFCheckPromisc == nil || *h.RPFCheckPromisc == 1 {
		return ""
	}
	return fmt.Sprintf("%s = %d", inventory.OptionRPFKey, *h.RPFCheckPromisc)
}
