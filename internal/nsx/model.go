package nsx

import (
	"encoding/json"
	"sort"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// The NSX Policy API objects read, as far as CARP needs them (NSX-T Data
// Center REST API: Segment, SegmentPort, SegmentDiscoveryProfileBindingMap,
// SegmentSecurityProfileBindingMap, PortDiscoveryProfileBindingMap,
// PortSecurityProfileBindingMap, MacDiscoveryProfile, SpoofGuardProfile,
// IPDiscoveryProfile). A field NSX leaves out takes the schema's default.

type policyObject struct {
	ResourceType    string `json:"resource_type"`
	ID              string `json:"id"`
	Path            string `json:"path"`
	ParentPath      string `json:"parent_path"`
	DisplayName     string `json:"display_name"`
	UniqueID        string `json:"unique_id"`
	MarkedForDelete bool   `json:"marked_for_delete"`

	// SegmentPort
	Attachment *struct {
		ID string `json:"id"`
	} `json:"attachment"`
	AddressBindings []struct {
		IPAddress  string `json:"ip_address"`
		MacAddress string `json:"mac_address"`
	} `json:"address_bindings"`

	// binding maps
	MacDiscoveryProfilePath string `json:"mac_discovery_profile_path"`
	IPDiscoveryProfilePath  string `json:"ip_discovery_profile_path"`
	SpoofguardProfilePath   string `json:"spoofguard_profile_path"`

	// MacDiscoveryProfile
	MacChangeEnabled              *bool   `json:"mac_change_enabled"`
	MacLearningEnabled            bool    `json:"mac_learning_enabled"`
	MacLimit                      *int    `json:"mac_limit"`
	MacLimitPolicy                *string `json:"mac_limit_policy"`
	UnknownUnicastFloodingEnabled *bool   `json:"unknown_unicast_flooding_enabled"`

	// SpoofGuardProfile (address_binding_whitelist before NSX-T 3.1)
	AddressBindingAllowlist *bool `json:"address_binding_allowlist"`
	AddressBindingWhitelist *bool `json:"address_binding_whitelist"`

	// IPDiscoveryProfile
	IPv4DiscoveryOptions *struct {
		ArpSnoopingConfig *struct {
			ArpSnoopingEnabled *bool `json:"arp_snooping_enabled"`
			ArpBindingLimit    *int  `json:"arp_binding_limit"`
		} `json:"arp_snooping_config"`
	} `json:"ip_v4_discovery_options"`
	TofuEnabled          *bool `json:"tofu_enabled"`
	DuplicateIPDetection *struct {
		Enabled *bool `json:"duplicate_ip_detection_enabled"`
	} `json:"duplicate_ip_detection"`
}

func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func decodeObjects(raw []json.RawMessage) ([]policyObject, error) {
	out := make([]policyObject, 0, len(raw))
	for _, r := range raw {
		var o policyObject
		if err := json.Unmarshal(r, &o); err != nil {
			return nil, err
		}
		if !o.MarkedForDelete {
			out = append(out, o)
		}
	}
	// stable: the first binding map by path wins where NSX would hold one
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func (o policyObject) segment() inventory.NSXSegment {
	return inventory.NSXSegment{Path: o.Path, UniqueID: o.UniqueID, Name: o.DisplayName}
}

func (o policyObject) port() inventory.NSXPort {
	p := inventory.NSXPort{Path: o.Path, SegmentPath: o.ParentPath, Name: o.DisplayName}
	if o.Attachment != nil {
		p.AttachmentID = o.Attachment.ID
	}
	for _, b := range o.AddressBindings {
		p.AddressBindings = append(p.AddressBindings, inventory.NSXAddressBinding{IP: b.IPAddress, MAC: b.MacAddress})
	}
	return p
}

// MacDiscoveryProfile defaults: mac_change_enabled false,
// unknown_unicast_flooding_enabled true, mac_limit 4096, mac_limit_policy
// ALLOW (API reference, MacDiscoveryProfile).
func (o policyObject) macDiscovery() inventory.MacDiscoveryProfile {
	return inventory.MacDiscoveryProfile{
		Path: o.Path, Name: o.DisplayName,
		MacChange: or(o.MacChangeEnabled, false), MacLearning: o.MacLearningEnabled,
		UnknownUnicastFlooding: or(o.UnknownUnicastFloodingEnabled, true),
		Limit:                  or(o.MacLimit, 4096), LimitPolicy: or(o.MacLimitPolicy, "ALLOW"),
	}
}

func (o policyObject) spoofGuard() inventory.SpoofGuardProfile {
	on := or(o.AddressBindingAllowlist, or(o.AddressBindingWhitelist, false))
	return inventory.SpoofGuardProfile{Path: o.Path, Name: o.DisplayName, Enabled: on}
}

// IPDiscoveryProfile defaults: arp_snooping_enabled true,
// arp_binding_limit 1, tofu_enabled true, duplicate_ip_detection_enabled
// false (API reference, ArpSnoopingConfig, IPDiscoveryProfile).
func (o policyObject) ipDiscovery() inventory.IPDiscoveryProfile {
	p := inventory.IPDiscoveryProfile{Path: o.Path, Name: o.DisplayName, ARPSnooping: true, ARPBindingLimit: 1, TOFU: or(o.TofuEnabled, true)}
	if v4 := o.IPv4DiscoveryOptions; v4 != nil && v4.ArpSnoopingConfig != nil {
		p.ARPSnooping = or(v4.ArpSnoopingConfig.ArpSnoopingEnabled, true)
		p.ARPBindingLimit = or(v4.ArpSnoopingConfig.ArpBindingLimit, 1)
	}
	if d := o.DuplicateIPDetection; d != nil {
		p.DuplicateIPDetection = or(d.Enabled, false)
	}
	return p
}
