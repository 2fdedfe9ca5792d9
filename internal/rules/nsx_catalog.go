package rules

import (
	"fmt"
	"slices"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The NSX rules: on an NSX segment (an NSX port group, an opaque network)
// the vSphere policy decides nothing, the segment's NSX profiles do.
const (
	CodeNSXManagedPortGroup = "CARP022"
	CodeNSXMacDiscovery     = "CARP023"
	CodeNSXSpoofGuard       = "CARP024"
	CodeNSXNotJudged        = "CARP025"
)

// catalog is every rule in code order: the vSphere rules, the NSX ones,
// then the host's reach (hosts.go). It is never handed out directly:
// Catalog and Lookup copy.
var catalog = slices.Concat(coreCatalog[:], nsxCatalog[:], hostCatalog[:])

// The nsxt provider's resources that set what the NSX rules judge.
const (
	nsxtMacProfile  = "nsxt_policy_mac_discovery_profile"
	nsxtSpoofGuard  = "nsxt_policy_spoofguard_profile"
	nsxtPortBinding = "nsxt_policy_segment_port_binding"
	nsxtSegment     = "nsxt_policy_segment"
)

var nsxCatalog = [...]Rule{
	{
		Code: CodeNSXManagedPortGroup, Name: "nsx_managed_portgroup", Severity: SeverityError,
		Title: "A carp_portgroup_policy targets a distributed port group that NSX manages.",
		Trigger: "The distributed port group of a `carp_portgroup_policy` has backing type `nsx` (`config.backingType`): NSX created it for a segment. " +
			"The plan fails and nothing is written.",
		Why: "On an NSX segment the vSphere security and teaming policy does not decide what a port passes: the segment's NSX profiles do (MAC discovery, SpoofGuard, IP discovery). " +
			"vCenter does not reconfigure a port group NSX owns, and a write NSX ignores would only hide the setting that counts.",
		Remedy: "Remove this `carp_portgroup_policy` and set the segment's profiles with the nsxt provider: `" + nsxtMacProfile + "` and `" + nsxtSpoofGuard + "`, " +
			"bound with the `discovery_profile` and `security_profile` blocks of `" + nsxtSegment + "` or with `" + nsxtPortBinding + "`; `carp_audit` judges them (CARP023, CARP024).",
		// A configuration error: the plan fails.
		Shows: []string{ShowPolicyPlan},
	},
	{
		Code: CodeNSXMacDiscovery, Name: "nsx_mac_discovery_blocks_vip", Severity: SeverityError,
		Title: "The MAC discovery profile of a firewall's NSX segment or port blocks the VIP's virtual MAC.",
		Trigger: "A firewall NIC is on an NSX segment whose effective MAC discovery profile (the port's binding, else the segment's, else NSX's `default-mac-discovery-profile`) " +
			"does not allow MAC change or has MAC learning off, or learns with limit policy `DROP` and a `mac_limit` below 1 + the virtual MACs per NIC (`vhids`). " +
			"A warning (an error with unicast CARP) when MAC learning is on and unknown-unicast flooding is off. Not with `vip_mac = \"interface\"`: the guest keeps its NIC's own MAC.",
		Why: "On NSX the MAC discovery profile, not the port group's security policy, decides whether a port may send and receive for a MAC other than the vNIC's. " +
			"The CARP master answers from a virtual MAC: without MAC change and MAC learning the segment drops it, a DROP limit reached drops the next VHID, " +
			"and right after a failover frames for a MAC not learned yet are unknown unicast, dropped unless flooded.",
		Remedy: "Bind a MAC discovery profile with `mac_change_enabled`, `mac_learning_enabled` and `unknown_unicast_flooding_enabled` on (and `mac_limit_policy` ALLOW, or a `mac_limit` of at least 1 + the virtual MACs per NIC) " +
			"to the firewall ports (`" + nsxtMacProfile + "` with `" + nsxtPortBinding + "`) or to the segment (the `discovery_profile` block of `" + nsxtSegment + "`).",
		VirtualMACOnly: true,
		Shows:          showAuditOnly,
	},
	{
		Code: CodeNSXSpoofGuard, Name: "nsx_spoofguard_blocks_vip", Severity: SeverityError,
		Title: "SpoofGuard on a firewall's NSX segment or port drops the VIP.",
		Trigger: "A firewall NIC is on an NSX segment whose effective SpoofGuard profile has `address_binding_allowlist` on, and neither the port's manual address bindings " +
			"(one per virtual MAC with `vip_mac = \"virtual\"`; 1 + `vhids` addresses with `\"interface\"`) nor its IP discovery profile " +
			"(ARP snooping with an `arp_binding_limit` of at least 1 + `vhids`, duplicate IP detection off) admit the VIP.",
		Why: "SpoofGuard lets a port send only from its bound addresses: its manual bindings and what IP discovery learned. " +
			"The VIP is one more address, moving between the two firewalls' ports: ARP snooping stops at its binding limit (1 by default, and trust on first use keeps the first), " +
			"and duplicate IP detection refuses an address another port of the segment already has.",
		Remedy: "Bind a SpoofGuard profile with `address_binding_allowlist = false` to the firewall ports (`" + nsxtSpoofGuard + "` with `" + nsxtPortBinding + "`), " +
			"or add the VIP and its virtual MAC to the ports' address bindings, or bind an IP discovery profile with ARP snooping, an `arp_binding_limit` of at least 1 + the VIPs and duplicate IP detection off.",
		Shows: showAuditOnly,
	},
	{
		Code: CodeNSXNotJudged, Name: "nsx_segment_not_judged", Severity: SeverityError,
		Title: "A firewall NIC is on an NSX segment that could not be judged.",
		Trigger: "A firewall NIC (or a distributed port group the audit is given) is on an NSX segment, and no NSX Manager is configured, NSX Manager answered with an error or not at all, " +
			"or it has no such segment, no segment port for the NIC, or not the profile bound to it.",
		Why: "On NSX the segment profiles decide whether the VIP passes, and only NSX Manager has them. " +
			"Without them there is no verdict, and the audit does not give a green one: `ready` is false.",
		Remedy: "Configure `nsx_manager`, `nsx_user` and `nsx_password` on the provider (an NSX read-only role is enough), and check that NSX Manager answers and knows the segment and its ports.",
		Shows:  showAuditOnly,
	},
}

// NSXManagedPortGroup returns CARP022 for a DV port group NSX manages: what
// carp_portgroup_policy turns into a plan error (and refuses to write). Nil
// for any other port group, or one not in the snapshot.
func NSXManagedPortGroup(s inventory.Snapshot, dvpgID string) []Finding {
	pg := s.FindDVPortGroup(dvpgID)
	if pg == nil || pg.NSX == nil {
		return nil
	}
	e := &emitter{}
	e.add(CodeNSXManagedPortGroup, dvPGObject(pg, s.FindDVSwitch(pg.SwitchID)),
		fmt.Sprintf("NSX manages it for segment %s (backing type nsx): its vSphere security and teaming policy decide nothing, "+
			"the segment's NSX profiles do (MAC discovery, SpoofGuard, IP discovery), and vCenter does not reconfigure it", pg.NSX.Segment()))
	return e.result()
}
