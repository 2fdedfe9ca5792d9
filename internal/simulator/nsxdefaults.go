package simulator

import (
	"path"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// NSX's system-defined segment profiles, as NSX Manager ships them. A
// segment that binds no profile of a kind gets these: "If you do not
// associate a segment profile when you create a segment, then the NSX
// Manager associates a corresponding default system-defined segment
// profile. The children segment ports inherit the default system-defined
// segment profile from the parent segment." (NSX-T Data Center
// Administration Guide 3.2, "Segment Profiles"). Their ids are those the
// nsxt provider's acceptance tests read as "existing system defined
// profile" (vmware/terraform-provider-nsxt,
// data_source_nsxt_policy_mac_discovery_profile_test.go and siblings) and
// vmware-nsxlib's DEFAULT_PROFILE constants. They cannot be edited or
// deleted ("You cannot edit or delete the default segment profiles", same
// guide).
//
// default-mac-discovery-profile: "In the default MAC discovery segment
// profile, this property [MAC address change] is enabled by default";
// unknown-unicast flooding "is enabled by default, but only if MAC
// learning is enabled" (MAC learning itself off in the default profile);
// the MAC limit's "maximum value is 4096, which is the default"; the aging
// time "displays the pre-defined value, which is 600" (NSX-T Data Center
// Administration Guide 3.0+, "Understanding MAC Discovery Segment
// Profile"); mac_limit_policy "default being ALLOW" (nsxt provider,
// nsxt_policy_mac_discovery_profile).
var defaultMacDiscovery = inventory.MacDiscoveryProfile{
	Path: inventory.DefaultMacDiscoveryProfile, Name: path.Base(inventory.DefaultMacDiscoveryProfile),
	MacChange: true, MacLearning: false, UnknownUnicastFlooding: true, Limit: 4096, LimitPolicy: "ALLOW",
}

// default-spoofguard-profile: SpoofGuard off (address_binding_allowlist
// false): "A SpoofGuard policy profile once enabled blocks the traffic
// determined to be spoofed" (NSX API reference, SpoofGuardProfile), and
// the default profile does not enable it.
var defaultSpoofGuard = inventory.SpoofGuardProfile{
	Path: inventory.DefaultSpoofGuardProfile, Name: path.Base(inventory.DefaultSpoofGuardProfile), Enabled: false,
}

// default-ip-discovery-profile: ARP snooping on with arp_binding_limit 1
// (NSX API reference, ArpSnoopingConfig: "default to 1";
// IpDiscoverySwitchingProfile: arp_snooping_enabled "default: true"),
// trust on first use ("By default, the discovery methods ARP snooping and
// ND snooping operate in a mode called trust on first use (TOFU)", NSX-T
// Administration Guide 3.2, "Understanding IP Discovery Segment
// Profile"), duplicate IP detection off (DuplicateIPDetectionOptions:
// default false).
var defaultIPDiscovery = inventory.IPDiscoveryProfile{
	Path: inventory.DefaultIPDiscoveryProfile, Name: path.Base(inventory.DefaultIPDiscoveryProfile),
	ARPSnooping: true, ARPBindingLimit: 1, TOFU: true, DuplicateIPDetection: false,
}

// The Policy API objects of the profiles (MacDiscoveryProfile,
// SpoofGuardProfile, IPDiscoveryProfile).

func macDiscoveryObject(p inventory.MacDiscoveryProfile, system bool) nsxObject {
	o := policyBase("MacDiscoveryProfile", p.Path, p.Name, system)
	o["mac_change_enabled"] = p.MacChange
	o["mac_learning_enabled"] = p.MacLearning
	o["mac_learning_aging_time"] = 600
	o["mac_limit"] = p.Limit
	o["mac_limit_policy"] = p.LimitPolicy
	o["remote_overlay_mac_limit"] = 2048
	o["unknown_unicast_flooding_enabled"] = p.UnknownUnicastFlooding
	return o
}

// spoofGuardObject holds address_binding_allowlist and, as NSX-T 3.1 and
// later still return it, the deprecated address_binding_whitelist.
func spoofGuardObject(p inventory.SpoofGuardProfile, system bool) nsxObject {
	o := policyBase("SpoofGuardProfile", p.Path, p.Name, system)
	o["address_binding_allowlist"] = p.Enabled
	o["address_binding_whitelist"] = p.Enabled
	return o
}

func ipDiscoveryObject(p inventory.IPDiscoveryProfile, system bool) nsxObject {
	o := policyBase("IPDiscoveryProfile", p.Path, p.Name, system)
	o["arp_nd_binding_timeout"] = 10
	o["duplicate_ip_detection"] = map[string]any{"duplicate_ip_detection_enabled": p.DuplicateIPDetection}
	o["ip_v4_discovery_options"] = map[string]any{
		"arp_snooping_config":   map[string]any{"arp_snooping_enabled": p.ARPSnooping, "arp_binding_limit": p.ARPBindingLimit},
		"dhcp_snooping_enabled": true,
		"vmtools_enabled":       true,
	}
	o["ip_v6_discovery_options"] = map[string]any{
		"nd_snooping_config":       map[string]any{"nd_snooping_enabled": false, "nd_snooping_limit": 3},
		"dhcp_snooping_v6_enabled": false,
		"vmtools_v6_enabled":       false,
	}
	o["tofu_enabled"] = p.TOFU
	return o
}
