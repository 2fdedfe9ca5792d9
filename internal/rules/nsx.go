package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Judging NSX segments: CARP016 by segment (the segment reaches every host
// a firewall can run on), CARP023 and CARP024 by the effective profiles of
// each firewall NIC's segment port (the port's binding, else the
// segment's, else NSX's default), CARP025 where NSX could not say.
// CARP001-003, 010, 011, 013 and 015 are not judged on NSX segments
// (Evaluate skips NSX port groups): their vSphere fields decide nothing
// there.

// Object kinds of the NSX findings.
const (
	// KindNSXPort is a segment port; its ObjectID is the port's policy path.
	KindNSXPort = "nsx_segment_port"
	// KindOpaqueNetwork is an opaque network (moref network-o12).
	KindOpaqueNetwork = "opaquenetwork"
	// KindNSXSegmentOnHost is a segment missing on a host (CARP016); its
	// ObjectID is "<host moref>:<segment>".
	KindNSXSegmentOnHost = "nsx_segment"
)

// nsxUse is a firewall NIC on an NSX segment, or (vm nil) an NSX port
// group of the scope that no firewall NIC is on, judged by its segment.
type nsxUse struct {
	vm  *inventory.VM
	nic inventory.NIC
	net inventory.NSXNetwork
}

func (u nsxUse) who() string {
	return fmt.Sprintf("firewall VM %s NIC %q", vmRef(u.vm), u.nic.Label)
}

// nsxUses lists the firewall NICs on NSX segments, then the scope's NSX
// port groups that none of them is on.
func nsxUses(s *inventory.Snapshot, sc Scope, fw map[string]bool) []nsxUse {
	var out []nsxUse
	on := map[string]bool{}
	for _, vm := range firewallVMs(s, fw) {
		for _, n := range vm.NICs {
			if net, ok := s.NSXNetworkOf(n); ok {
				out = append(out, nsxUse{vm: vm, nic: n, net: net})
				on[net.ID] = true
			}
		}
	}
	for _, id := range sc.DVPortGroups {
		if on[id] {
			continue
		}
		if net, ok := s.NSXNetworkOf(inventory.NIC{DVPortGroupID: id}); ok {
			out = append(out, nsxUse{net: net})
			on[id] = true
		}
	}
	return out
}

// nsxNetworkObject names the network of a segment.
func nsxNetworkObject(net inventory.NSXNetwork) object {
	if net.Kind == inventory.NetworkOpaque {
		return object{KindOpaqueNetwork, net.ID, net.Name,
			fmt.Sprintf("NSX segment %s (opaque network %q, %s)", net.Backing.Segment(), net.Name, net.ID)}
	}
	s := fmt.Sprintf("NSX segment %s (port group %q, %s", net.Backing.Segment(), net.Name, net.ID)
	if net.Switch != nil {
		s += fmt.Sprintf(", on %s (%s)", net.Switch.Name, net.Switch.ID)
	}
	return object{KindDVPortGroup, net.ID, net.Name, s + ")"}
}

// nsxPortObject names a firewall NIC's segment port.
func nsxPortObject(u nsxUse, p *inventory.NSXPort) object {
	return object{KindNSXPort, p.Path, p.Name,
		fmt.Sprintf("segment port %q (%s) of %s, on %s", p.Name, p.Path, u.who(), nsxNetworkObject(u.net).subject)}
}

// nsxSegments runs CARP016 (by segment) and CARP023-025 for the NSX
// segments of the firewall NICs and of the scope.
func (e *emitter) nsxSegments(s *inventory.Snapshot, sc Scope, fw map[string]bool) {
	uses := nsxUses(s, sc, fw)
	if len(uses) == 0 {
		return
	}
	e.segmentReach(s, uses)
	nj := notJudged{}
	state := s.NSX
	if state == nil {
		state = &inventory.NSXState{Unavailable: "NSX Manager was not asked"}
	}
	for _, u := range uses {
		if state.Unavailable != "" {
			nj.add(u, state.Unavailable)
			continue
		}
		e.judgeNSX(state, sc, u, &nj)
	}
	nj.emit(e)
}

// segmentReach: CARP016 for a firewall NIC's segment that does not reach
// a host of the VM's cluster. Unknown reach (a switch not read) is not
// judged.
func (e *emitter) segmentReach(s *inventory.Snapshot, uses []nsxUse) {
	for _, u := range uses {
		if u.vm == nil || u.vm.HostID == "" || (u.net.Kind == inventory.NetworkDVPortGroup && u.net.Switch == nil) {
			continue
		}
		c := s.ClusterOf(u.vm.HostID)
		if c == nil {
			continue
		}
		reach := map[string]bool{}
		for _, h := range u.net.HostIDs {
			reach[h] = true
		}
		how := "the host is not a member of its switch"
		if u.net.Kind == inventory.NetworkOpaque {
			how = "the opaque network does not reach the host"
		}
		for _, hid := range c.HostIDs {
			if reach[hid] || hid == u.vm.HostID {
				continue
			}
			seg := u.net.Backing.Segment()
			e.add(CodePortGroupDiffersAcrossHost,
				object{KindNSXSegmentOnHost, hid + ":" + seg, seg, fmt.Sprintf("NSX segment %s on host %s", seg, hostRef(s, hid))},
				fmt.Sprintf("%s is on it (%s) on %s and can run on this host of cluster %s (%s), but %s", u.who(), nsxNetworkObject(u.net).subject,
					hostRef(s, u.vm.HostID), c.Name, c.ID, how))
		}
	}
}

// effective is one profile as a port gets it: its path and where it is
// bound ("the port", "the segment", or NSX's default).
type effective struct{ path, from string }

func resolve(port, segment, def string) effective {
	switch {
	case port != "":
		return effective{port, "bound to the port"}
	case segment != "":
		return effective{segment, "bound to the segment"}
	}
	return effective{def, "NSX's default: nothing is bound to the segment or the port"}
}

// judgeNSX runs CARP023 and CARP024 for one use, recording what it cannot
// judge.
func (e *emitter) judgeNSX(state *inventory.NSXState, sc Scope, u nsxUse, nj *notJudged) {
	seg := state.FindSegment(u.net.Backing)
	if seg == nil {
		nj.add(u, fmt.Sprintf("NSX Manager %s has no segment %s", state.Manager, u.net.Backing.Segment()))
		return
	}
	obj := nsxNetworkObject(u.net)
	var port *inventory.NSXPort
	if u.vm != nil {
		if port = state.FindPort(u.nic.ExternalID); port == nil {
			nj.add(u, fmt.Sprintf("NSX Manager %s has no segment port for it (VIF attachment %q), so a port-level profile cannot be ruled out", state.Manager, u.nic.ExternalID))
		} else {
			obj = nsxPortObject(u, port)
		}
	}
	var own inventory.NSXProfiles
	if port != nil {
		own = port.Bound
	}
	mac := resolve(own.MacDiscovery, seg.Bound.MacDiscovery, inventory.DefaultMacDiscoveryProfile)
	sg := resolve(own.SpoofGuard, seg.Bound.SpoofGuard, inventory.DefaultSpoofGuardProfile)
	ipd := resolve(own.IPDiscovery, seg.Bound.IPDiscovery, inventory.DefaultIPDiscoveryProfile)
	if sc.VIPMac != VIPInterface {
		if p := state.FindMacDiscovery(mac.path); p == nil {
			nj.add(u, fmt.Sprintf("NSX Manager %s did not return MAC discovery profile %s", state.Manager, mac.path))
		} else {
			e.macDiscovery(obj, p, mac, sc)
		}
	}
	sgp, ipp := state.FindSpoofGuard(sg.path), state.FindIPDiscovery(ipd.path)
	switch {
	case sgp == nil:
		nj.add(u, fmt.Sprintf("NSX Manager %s did not return SpoofGuard profile %s", state.Manager, sg.path))
	case sgp.Enabled && ipp == nil:
		nj.add(u, fmt.Sprintf("NSX Manager %s did not return IP discovery profile %s", state.Manager, ipd.path))
	case sgp.Enabled:
		e.spoofGuard(obj, port, sgp, sg, ipp, ipd, sc)
	}
}

// macDiscovery: CARP023 for the profile a port gets.
func (e *emitter) macDiscovery(obj object, p *inventory.MacDiscoveryProfile, from effective, sc Scope) {
	need := 1 + sc.virtualMACs()
	var errs []string
	if !p.MacChange {
		errs = append(errs, "does not allow MAC change (mac_change_enabled false)")
	}
	flood := false
	if !p.MacLearning {
		errs = append(errs, "has MAC learning off (mac_learning_enabled false)")
	} else {
		if strings.EqualFold(p.LimitPolicy, "DROP") && p.Limit < need {
			errs = append(errs, fmt.Sprintf("drops past mac_limit %d (mac_limit_policy DROP), below the %d MACs of the NIC and its %d virtual %s",
				p.Limit, need, need-1, plural(need-1, "MAC", "MACs")))
		}
		flood = !p.UnknownUnicastFlooding
	}
	if flood {
		errs = append(errs, "has unknown-unicast flooding off (unknown_unicast_flooding_enabled false), so right after a failover frames for the VIP's MAC, not learned yet, are dropped")
	}
	if len(errs) == 0 {
		return
	}
	sev := SeverityError
	if len(errs) == 1 && flood && sc.Transport != Unicast {
		sev = SeverityWarning
	}
	e.addAs(CodeNSXMacDiscovery, sev, obj,
		fmt.Sprintf("MAC discovery profile %q (%s; %s) %s, and the VIP uses a virtual MAC", p.Name, p.Path, from.from, joinAnd(errs)))
}

// isVirtualMAC reports a CARP/VRRP virtual MAC: 00:00:5e:00:01:xx (IPv4)
// or 00:00:5e:00:02:xx (IPv6), RFC 5798 section 7.3.
func isVirtualMAC(mac string) bool {
	m := strings.ToLower(strings.ReplaceAll(mac, "-", ":"))
	return strings.HasPrefix(m, "00:00:5e:00:01:") || strings.HasPrefix(m, "00:00:5e:00:02:")
}

// spoofGuard: CARP024 for a port whose SpoofGuard is on, unless its
// manual bindings or its IP discovery admit the VIP.
func (e *emitter) spoofGuard(obj object, port *inventory.NSXPort, sg *inventory.SpoofGuardProfile, sgFrom effective,
	ipd *inventory.IPDiscoveryProfile, ipdFrom effective, sc Scope) {
	vips := sc.virtualMACs()
	var bindings []inventory.NSXAddressBinding
	if port != nil {
		bindings = port.AddressBindings
	}
	vmacs := map[string]bool{}
	for _, b := range bindings {
		if isVirtualMAC(b.MAC) {
			vmacs[strings.ToLower(b.MAC)] = true
		}
	}
	bound := fmt.Sprintf("the port has %d manual address %s", len(bindings), plural(len(bindings), "binding", "bindings"))
	switch {
	case sc.VIPMac != VIPInterface && len(vmacs) >= vips, sc.VIPMac == VIPInterface && len(bindings) >= 1+vips:
		return // the VIPs are bound by hand
	case sc.VIPMac != VIPInterface:
		bound += fmt.Sprintf(", %d for a virtual MAC (00:00:5e:00:01:xx) where the VIP needs %d", len(vmacs), vips)
	default:
		bound += fmt.Sprintf(" where the NIC's address and the VIP need %d", 1+vips)
	}
	var learn []string
	if !ipd.ARPSnooping {
		learn = append(learn, "has ARP snooping off")
	} else if ipd.ARPBindingLimit < 1+vips {
		tofu := ""
		if ipd.TOFU {
			tofu = " and trusts the first it learns (trust on first use)"
		}
		learn = append(learn, fmt.Sprintf("learns at most %d IPv4 %s by ARP snooping (arp_binding_limit)%s, where the NIC's address and the VIP need %d",
			ipd.ARPBindingLimit, plural(ipd.ARPBindingLimit, "address", "addresses"), tofu, 1+vips))
	}
	if ipd.DuplicateIPDetection {
		learn = append(learn, "detects duplicate IPs, which refuses the VIP while the peer firewall's port has it")
	}
	if len(learn) == 0 {
		return // IP discovery learns the VIP
	}
	e.add(CodeNSXSpoofGuard, obj,
		fmt.Sprintf("SpoofGuard profile %q (%s; %s) has address_binding_allowlist on, so the port sends only from its bound addresses, and the VIP is not one: %s, and IP discovery profile %q (%s; %s) %s",
			sg.Name, sg.Path, sgFrom.from, bound, ipd.Name, ipd.Path, ipdFrom.from, joinAnd(learn)))
}

// notJudged collects CARP025 by network: the NICs on it and why they
// could not be judged.
type notJudged map[string]*notJudgedNet

type notJudgedNet struct {
	net     inventory.NSXNetwork
	who     []string
	reasons []string
}

func (nj notJudged) add(u nsxUse, reason string) {
	n := nj[u.net.ID]
	if n == nil {
		n = &notJudgedNet{net: u.net}
		nj[u.net.ID] = n
	}
	if u.vm != nil {
		n.who = append(n.who, u.who())
	}
	n.reasons = append(n.reasons, reason)
}

func (nj notJudged) emit(e *emitter) {
	ids := make([]string, 0, len(nj))
	for id := range nj {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		n := nj[id]
		who := sortedUnique(n.who)
		on := "the audit is given it"
		if len(who) > 0 {
			on = fmt.Sprintf("%s %s on it", joinAnd(who), plural(len(who), "is", "are"))
		}
		e.add(CodeNSXNotJudged, nsxNetworkObject(n.net),
			fmt.Sprintf("%s, and its NSX profiles, which decide whether the VIP passes, could not be read: %s; there is no verdict for it",
				on, strings.Join(sortedUnique(n.reasons), "; ")))
	}
}

// NSXQuery names what NSX Manager must be asked for Evaluate to judge the
// NSX segments of the scope: the segments (sorted, unique) and the VIF
// attachments of the firewall NICs on them. Nothing when there is no NSX
// segment: then no NSX call is needed.
func NSXQuery(s inventory.Snapshot, sc Scope) (segments []inventory.NSXBacking, attachments []string) {
	fw := map[string]bool{}
	for _, id := range sc.FirewallVMs {
		fw[id] = true
	}
	seen := map[inventory.NSXBacking]bool{}
	for _, u := range nsxUses(&s, sc, fw) {
		if !seen[u.net.Backing] {
			seen[u.net.Backing] = true
			segments = append(segments, u.net.Backing)
		}
		if u.vm != nil && u.nic.ExternalID != "" {
			attachments = append(attachments, u.nic.ExternalID)
		}
	}
	sort.Slice(segments, func(i, j int) bool { return segments[i].Segment() < segments[j].Segment() })
	return segments, sortedUnique(attachments)
}
