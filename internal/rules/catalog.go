// Package rules holds the CARP-on-vSphere pitfall catalog (stable codes
// CARP001-CARP026: catalog.go, nsx_catalog.go and hosts.go; the pitfall guide,
// docs/guides/pitfalls.md, is generated from it) and judges an
// inventory.Snapshot against it.
//
// The package is pure: no I/O, no context, no mutable globals. Evaluate is
// what the carp_audit data source calls; PlanHostSettings,
// PlanStandardPortGroup and PlanDVPortGroup are what the resources' ModifyPlan
// call; ToggleHazardsStandard and ToggleHazardsDV give the set of conditions a
// resource stores to know when promiscuous mode must be toggled again.
//
// Codes are an interface: never renumber, retire a code rather than reuse it.
package rules

import "strings"

// Severity of a rule or finding.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Where a rule shows (values of Rule.Shows).
const (
	ShowHostSettingsPlan = "carp_host_settings plan"
	ShowPolicyPlan       = "carp_portgroup_policy plan"
	ShowAudit            = "carp_audit"
)

// The rule codes, stable: never renumbered, a retired code is not reused.
const (
	CodePromiscuousRejected        = "CARP001"
	CodeMacChangesRejected         = "CARP002"
	CodeForgedTransmitsRejected    = "CARP003"
	CodeRPFCheckOffWithTeaming     = "CARP004"
	CodeToggleAfterRPFChange       = "CARP005"
	CodeVDSUpgradedLegacy          = "CARP006"
	CodePortMirroring              = "CARP007"
	CodeSharedPromiscuousPortGroup = "CARP008"
	CodeVSwitchWidePromiscuous     = "CARP009"
	CodeTeamedUplinksNotIPHash     = "CARP010"
	CodeSingleUplinkNoFailover     = "CARP011"
	CodeLegacyVMNIC                = "CARP012"
	CodeMacLearningAvailable       = "CARP013"
	CodeMacLearningUnsupported     = "CARP014"
	CodePortOverrideRejects        = "CARP015"
	CodePortGroupDiffersAcrossHost = "CARP016"
	CodePairNotSeparated           = "CARP017"
	CodeLAGMixedWithStandalone     = "CARP018"
	CodeMacLimitDropsVIP           = "CARP019"
	CodeUnknownUnicastFloodingOff  = "CARP020"
	CodeVDSPoliciesDisagree        = "CARP021"
)

// Rule is one entry of the pitfall catalog.
type Rule struct {
	Code, Name string // "CARP004", "rpf_check_off_with_teaming"
	Severity   Severity
	Title      string // one short sentence
	Trigger    string // what the provider reads that fires it (markdown)
	Why        string // background, 1-3 sentences
	Remedy     string // the fix the message names (markdown)
	// MulticastOnly is true for CARP001-007: unicast CARP may not need them.
	MulticastOnly bool
	// VirtualMACOnly is true for the rules about the VIP's virtual MAC:
	// they do not apply where the VIP answers from the NIC's own MAC
	// (Scope.VIPMac VIPInterface: keepalived without use_vmac).
	VirtualMACOnly bool
	Shows          []string // ShowHostSettingsPlan, ShowPolicyPlan, ShowAudit
}

var (
	showPolicy     = []string{ShowPolicyPlan, ShowAudit}
	showAuditOnly  = []string{ShowAudit}
	showHostPolicy = []string{ShowHostSettingsPlan, ShowPolicyPlan, ShowAudit}
)

// coreCatalog holds the vSphere rules; catalog (nsx_catalog.go) appends the NSX
// ones. It is never handed out directly: Catalog and Lookup copy.
var coreCatalog = [...]Rule{
	{
		Code: CodePromiscuousRejected, Name: "promiscuous_rejected", Severity: SeverityError,
		Title:   "A firewall port group rejects promiscuous mode.",
		Trigger: "The effective security policy of a firewall port group has promiscuous mode rejected, and MAC learning is not enabled on it.",
		Why: "A CARP VIP uses a virtual MAC address that the vSwitch does not know belongs to the firewall VM. " +
			"Unless the port sees every frame (promiscuous mode) or learns MACs, traffic for the VIP never reaches the master.",
		Remedy:        "Set `allow_promiscuous = true` on `carp_portgroup_policy`, or enable MAC learning (the `mac_learning` block, on a VDS of 6.6.0 or later).",
		MulticastOnly: true, VirtualMACOnly: true,
		Shows: showPolicy,
	},
	{
		Code: CodeMacChangesRejected, Name: "mac_changes_rejected", Severity: SeverityError,
		Title:   "A firewall port group rejects MAC address changes.",
		Trigger: "The effective security policy of a firewall port group has MAC address changes rejected.",
		Why: "The master answers for the VIP with a CARP virtual MAC, which differs from the adapter's own address. " +
			"With MAC changes rejected the vSwitch drops what arrives for that address.",
		Remedy:        "Set `allow_mac_changes = true` on `carp_portgroup_policy`.",
		MulticastOnly: true, VirtualMACOnly: true,
		Shows: showPolicy,
	},
	{
		Code: CodeForgedTransmitsRejected, Name: "forged_transmits_rejected", Severity: SeverityError,
		Title:   "A firewall port group rejects forged transmits.",
		Trigger: "The effective security policy of a firewall port group has forged transmits rejected.",
		Why: "CARP advertisements and VIP traffic leave the VM with the virtual MAC as source. " +
			"With forged transmits rejected the vSwitch discards them, so the peer never hears the master.",
		Remedy:        "Set `allow_forged_transmits = true` on `carp_portgroup_policy`.",
		MulticastOnly: true, VirtualMACOnly: true,
		Shows: showPolicy,
	},
	{
		Code: CodeRPFCheckOffWithTeaming, Name: "rpf_check_off_with_teaming", Severity: SeverityError,
		Title: "Multicast loops back on a teamed vSwitch because Net.ReversePathFwdCheckPromisc is off.",
		Trigger: "A switch with two or more physical uplinks carries a port group that accepts promiscuous mode, and the host option " +
			"`Net.ReversePathFwdCheckPromisc` is read and is not 1. A host whose option was not read is not reported.",
		Why: "With several uplinks and a promiscuous port, the host's own multicast comes back in on another uplink. " +
			"The firewall sees its own advertisements and CARP logs \"link states coalesced\".",
		Remedy:        "Set `reverse_path_fwd_check_promisc = true` on `carp_host_settings` for this host.",
		MulticastOnly: true,
		Shows:         showHostPolicy,
	},
	{
		Code: CodeToggleAfterRPFChange, Name: "toggle_after_rpf_change", Severity: SeverityWarning,
		Title: "Net.ReversePathFwdCheckPromisc changes but promiscuous port groups are not toggled.",
		Trigger: "The planned `Net.ReversePathFwdCheckPromisc` differs from the value read (or none was read), the host has port groups " +
			"that accept promiscuous mode, and `toggle_promiscuous_on_apply` is false.",
		Why: "The new option value only takes effect on ports whose promiscuous mode is set after the change. " +
			"Port groups already promiscuous must be switched to Reject and back to Accept.",
		Remedy:        "Set `toggle_promiscuous_on_apply = true` on `carp_host_settings` for this host.",
		MulticastOnly: true,
		// A planned change, not a state: the audit cannot see it.
		Shows: []string{ShowHostSettingsPlan},
	},
	{
		Code: CodeVDSUpgradedLegacy, Name: "vds_upgraded_legacy", Severity: SeverityWarning,
		Title: "The distributed switch may be an upgraded 4.0 switch that does not pass CARP.",
		Trigger: "The product version of the distributed switch of a firewall port group is 4.1.x or 5.0.x " +
			"(the provider cannot see whether it was upgraded).",
		Why: "Distributed switches upgraded from 4.0 to 4.1 or 5.0 have been seen to drop CARP traffic while newly created ones work. " +
			"Turning promiscuous mode off and on again has cleared it.",
		Remedy:        "Set `toggle_on_apply = true` on `carp_portgroup_policy`, or create a new switch.",
		MulticastOnly: true,
		Shows:         showPolicy,
	},
	{
		Code: CodePortMirroring, Name: "port_mirroring_breaks_promiscuous", Severity: SeverityWarning,
		Title:   "Port mirroring on the distributed switch breaks promiscuous mode.",
		Trigger: "The distributed switch of a firewall port group has at least one enabled port-mirroring (VSPAN) session.",
		Why: "Enabling port mirroring on a distributed switch has been reported to stop promiscuous ports from receiving what they should. " +
			"Promiscuous mode works again once it is turned off and on.",
		Remedy:        "Set `toggle_on_apply = true` on `carp_portgroup_policy` with the mirroring state in `toggle_triggers`.",
		MulticastOnly: true,
		Shows:         showPolicy,
	},
	{
		Code: CodeSharedPromiscuousPortGroup, Name: "shared_promiscuous_portgroup", Severity: SeverityWarning,
		Title: "A promiscuous firewall port group also carries VMs that are not firewalls.",
		Trigger: "A firewall port group accepts promiscuous mode and a VM that is not listed as a firewall has a NIC on it. " +
			"Only evaluated when the firewall VMs are given (an empty list turns the rule off). On a VLAN trunk the finding says that every VLAN of the trunk is exposed.",
		Why: "Every port of a promiscuous port group receives all of its traffic, so other VMs there see the firewalls' frames and each other's. " +
			"A port group reserved for the firewall interfaces keeps that exposure small.",
		Remedy: "Give the firewall interfaces a dedicated port group.",
		Shows:  showAuditOnly,
	},
	{
		Code: CodeVSwitchWidePromiscuous, Name: "vswitch_wide_promiscuous", Severity: SeverityWarning,
		Title:   "Promiscuous mode is accepted on the whole standard vSwitch.",
		Trigger: "A standard vSwitch carrying a firewall port group has promiscuous mode accepted in its own security policy.",
		Why: "Every port group on the vSwitch inherits the switch's policy, so all of them become promiscuous. " +
			"Accepting it on the firewall port groups only is the tighter setting.",
		Remedy: "Leave the vSwitch at Reject and accept promiscuous mode on the firewall port groups only.",
		Shows:  showPolicy,
	},
	{
		Code: CodeTeamedUplinksNotIPHash, Name: "teamed_uplinks_not_ip_hash", Severity: SeverityWarning,
		Title: "A firewall port group teams two or more active uplinks without IP-hash load balancing.",
		Trigger: "The effective teaming of a firewall port group has two or more active uplinks and a load-balancing policy other than `loadbalance_ip`. " +
			"A link aggregation group (LAG) of a distributed switch counts as one entry of the list; the active uplinks being one LAG alone is not judged: " +
			"vSphere then hashes by the LAG's own algorithm and ignores the port group's load balancing.",
		Why: "When the uplinks go to a link aggregation on the physical switch, a policy other than IP hash sends some flows down a link the VM does not listen on. " +
			"Then only some addresses reach the VM and its VIP.",
		Remedy: "Set `load_balancing = \"loadbalance_ip\"` on `carp_portgroup_policy` where the uplinks are aggregated.",
		Shows:  showPolicy,
	},
	{
		Code: CodeSingleUplinkNoFailover, Name: "single_uplink_no_failover", Severity: SeverityWarning,
		Title:   "A firewall port group has one active uplink and no standby.",
		Trigger: "The effective teaming of a firewall port group has exactly one active uplink and no standby uplink. A LAG of two or more links is not one uplink.",
		Why: "CARP demotes itself when a link goes down, but the VM's virtual NIC stays up when the host loses its physical link. " +
			"Both nodes then believe they are master.",
		Remedy: "Add a standby uplink, or set up link-state tracking on the host.",
		Shows:  showPolicy,
	},
	{
		Code: CodeLegacyVMNIC, Name: "legacy_vm_nic", Severity: SeverityError,
		Title:   "A firewall VM has a legacy network adapter.",
		Trigger: "A firewall VM has a NIC of type `pcnet32` (\"Flexible\"), `flexible`, `vmxnet` or `vmxnet2`.",
		Why: "The guest drivers for these old adapters do not handle CARP's virtual MAC, and VIPs on them have been seen stuck in INIT. " +
			"vmxnet3 or e1000/e1000e adapters work.",
		Remedy: "Change the adapter type to vmxnet3 or e1000/e1000e.",
		Shows:  showAuditOnly,
	},
	{
		Code: CodeMacLearningAvailable, Name: "mac_learning_available", Severity: SeverityInfo,
		Title:   "The distributed switch supports MAC learning, but the port group uses promiscuous mode.",
		Trigger: "A firewall DV port group on a distributed switch of version 6.6.0 or later accepts promiscuous mode and MAC learning is not enabled on it.",
		Why: "From version 6.6.0 a distributed port group can learn the MACs behind a port. " +
			"That lets the VIP's virtual MAC through without sending the port everything else on the segment.",
		VirtualMACOnly: true,
		Remedy:         "Use the `mac_learning` block on `carp_portgroup_policy` instead of promiscuous mode.",
		Shows:          showPolicy,
	},
	{
		Code: CodeMacLearningUnsupported, Name: "mac_learning_unsupported", Severity: SeverityError,
		Title:   "MAC learning is asked for where it is not supported.",
		Trigger: "The configuration has a `mac_learning` block for a standard port group, or for a DV port group whose switch version is below 6.6.0.",
		Why: "Only distributed switches of version 6.6.0 or later have a MAC management policy. " +
			"Elsewhere the setting cannot be applied, so the plan fails instead of the apply.",
		Remedy: "Use promiscuous mode (`allow_promiscuous = true`) instead of the `mac_learning` block, or a distributed switch of 6.6.0 or later (upgrade the switch, or move the port group to one).",
		// A configuration error, not a state: the plan fails.
		Shows: []string{ShowPolicyPlan},
	},
	{
		Code: CodePortOverrideRejects, Name: "port_override_rejects", Severity: SeverityError,
		Title: "A firewall NIC's distributed port overrides its port group and rejects what CARP needs.",
		Trigger: "A firewall VM's NIC is on a distributed port whose own (non-inherited) security or MAC management setting rejects promiscuous mode, " +
			"MAC address changes or forged transmits (or turns MAC learning off) where its port group would allow it, and the port group lets ports override " +
			"(`securityPolicyOverrideAllowed` or `macManagementOverrideAllowed`). In the plan of `carp_portgroup_policy`, any port of the port group counts.",
		Why: "A distributed port takes its port group's policy only where it does not set its own, and the port group's policy decides nothing when the port group lets ports override it. " +
			"The port group then looks right while the firewall's own port drops the VIP traffic.",
		VirtualMACOnly: true,
		Remedy:         "Set `allow_port_overrides = false` on the port group's `carp_portgroup_policy`, or reset the port's security and MAC management policy to inherit from the port group.",
		Shows:          showPolicy,
	},
	{
		Code: CodePortGroupDiffersAcrossHost, Name: "portgroup_differs_across_hosts", Severity: SeverityError,
		Title: "A firewall's standard port group is missing, or on another VLAN, on a host the firewall can run on.",
		Trigger: "A standard port group a firewall VM's NIC uses (with its VLAN on the VM's host) is missing on another host of the VM's cluster, " +
			"or has a different VLAN setting there: VLANs compare by shape (none, one VLAN, or a trunk such as VLAN 4095, all VLANs), so a trunk on one host and VLAN 10 on another differ. " +
			"Or the NSX segment a firewall NIC is on does not reach another host of the cluster (the host is not a member of the NSX port group's switch, " +
			"or the opaque network does not list it). A standalone host has no other host to compare with.",
		Why: "Standard port groups exist per host. The next vMotion, DRS move or HA restart puts the firewall on a host where its interface is not connected, " +
			"or is connected to another segment, and the pair splits with both nodes MASTER.",
		Remedy: "Create the port group with the same VLAN setting on every host of the cluster (the vsphere provider's `vsphere_host_port_group`); " +
			"for an NSX segment, make every host of the cluster a member of its switch (a transport node of its transport zone).",
		Shows: showAuditOnly,
	},
	{
		Code: CodePairNotSeparated, Name: "pair_not_separated", Severity: SeverityWarning,
		Title: "The firewall VMs are not kept on different hosts.",
		Trigger: "Two firewall VMs of one HA group run on the same host, or share a DRS-enabled cluster with no enabled VM anti-affinity rule that names both. " +
			"The groups are the audit's `pairs`; without them, exactly two firewall VMs are the pair, and more than two are reported as not told apart (no finding names two firewalls of different groups).",
		Why: "An HA pair is meant to survive the loss of one host. On one host, or in a DRS cluster free to put them together, " +
			"one host failure takes both firewalls down.",
		Remedy: "Keep the firewalls of each HA group on different hosts, with an enabled DRS VM anti-affinity rule per group (the vsphere provider's `vsphere_compute_cluster_vm_anti_affinity_rule`); " +
			"to audit more than one group at once, give `carp_audit` the groups in `pairs`.",
		Shows: showAuditOnly,
	},
	{
		Code: CodeLAGMixedWithStandalone, Name: "lag_mixed_with_standalone_uplinks", Severity: SeverityWarning,
		Title: "A firewall port group has a LACP LAG and standalone uplinks active together.",
		Trigger: "The effective teaming of a firewall DV port group lists a link aggregation group of its switch (enhanced LACP, `lacpApiVersion` `multipleLag`) " +
			"and one or more standalone uplinks among its active uplinks.",
		Why: "vSphere supports one active LAG or standalone uplinks, not both (vSphere Networking guide, \"LACP Teaming and Failover Configuration for Distributed Port Groups\"); " +
			"the mix is an intermediate step of a migration to LACP. Frames sent on a standalone uplink leave outside the bundle, where the physical switch's port channel does not expect them.",
		Remedy: "Keep the LAG alone in `active_uplinks` of the `teaming` block of `carp_portgroup_policy`, with the standalone uplinks neither active nor standby.",
		Shows:  showPolicy,
	},
	{
		Code: CodeMacLimitDropsVIP, Name: "mac_limit_drops_vip", Severity: SeverityError,
		Title:   "MAC learning on a firewall port group drops the VIP's MAC past its limit.",
		Trigger: "A firewall DV port group learns MACs with limit policy `drop` and a limit below 1 + the virtual MACs per firewall NIC (`vhids`: CARP VHIDs, VRRP VRIDs; default 1).",
		Why: "Each VHID or VRID adds one virtual MAC to the firewall's port besides the NIC's own. A port at its limit with policy drop discards frames from a new MAC, " +
			"which after a failover is the VIP's.",
		Remedy:         "Raise `limit` in the `mac_learning` block of `carp_portgroup_policy` to at least 1 + the virtual MACs per NIC, or set `limit_policy = \"allow\"`.",
		VirtualMACOnly: true,
		Shows:          showPolicy,
	},
	{
		Code: CodeUnknownUnicastFloodingOff, Name: "unknown_unicast_flooding_off", Severity: SeverityWarning,
		Title:   "MAC learning on a firewall port group does not flood unknown unicast.",
		Trigger: "A firewall DV port group learns MACs with `allow_unicast_flooding` off. An error with unicast CARP (`unicast = true`), a warning otherwise.",
		Why: "Frames to a MAC the port has not learned yet are dropped: the VIP's right after a failover, and always with unicast CARP, " +
			"which advertises from the NIC's own MAC so that the virtual MAC is never learned (opnsense/src#239).",
		Remedy: "Set `allow_unicast_flooding = true` in the `mac_learning` block of `carp_portgroup_policy`.",
		// The NIC's own MAC is known to the switch without learning.
		VirtualMACOnly: true,
		Shows:          showPolicy,
	},
	{
		Code: CodeVDSPoliciesDisagree, Name: "vds_policies_disagree", Severity: SeverityWarning,
		Title: "The two security policies of a firewall DV port group (or port) disagree.",
		Trigger: "On a distributed switch of 6.6.0 or later, the deprecated `securityPolicy` and the `macManagementPolicy` of a firewall DV port group " +
			"(or of a firewall NIC's port that overrides it) accept or reject promiscuous mode, MAC changes or forged transmits differently. " +
			"The verdict of the other rules follows `macManagementPolicy`, which the host applies.",
		Why: "The vSphere API reference deprecates `securityPolicy` as of API 6.7.1 in favour of `macManagementPolicy`, but tools that still write only the former " +
			"leave a port group with two answers, and every reader of the other one sees the wrong one (community.vmware#1508, #1873).",
		Remedy: "Apply `carp_portgroup_policy` to the port group, which writes both policies the same (a port's own: reset them to inherit from the port group); " +
			"then find the tool that writes only `securityPolicy` (such as the vsphere provider's `vsphere_distributed_port_group`), whose next run would undo it.",
		Shows: showPolicy,
	},
}

func copyRule(r Rule) Rule {
	r.Shows = append([]string(nil), r.Shows...)
	return r
}

// Catalog returns all rules in code order. Each call returns a fresh copy.
func Catalog() []Rule {
	out := make([]Rule, len(catalog))
	for i, r := range catalog {
		out[i] = copyRule(r)
	}
	return out
}

// Lookup returns the rule with the given code ("CARP004").
func Lookup(code string) (Rule, bool) {
	for _, r := range catalog {
		if r.Code == code {
			return copyRule(r), true
		}
	}
	return Rule{}, false
}

// rule returns the catalog entry of a code the rules emit (every Code
// constant is in the catalog: TestCatalog); an unknown code gets a bare
// warning rather than a panic.
func rule(code string) Rule {
	if r, ok := Lookup(code); ok {
		return r
	}
	return Rule{Code: code, Severity: SeverityWarning}
}

// plainRemedy is the remedy as a message ends with it: the catalog's
// sentence without its markdown code marks.
func (r Rule) plainRemedy() string {
	return strings.ReplaceAll(r.Remedy, "`", "")
}
