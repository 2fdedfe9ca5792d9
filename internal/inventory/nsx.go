package inventory

// NSX segments as vCenter shows them (an NSX port group, config.backingType
// "nsx"; an opaque network on N-VDS hosts), and what NSX Manager answers
// about them: the segment profiles that decide what a port passes there
// (NSX Policy API: MacDiscoveryProfile, SpoofGuardProfile,
// IPDiscoveryProfile, and the segment and port binding maps).

// How a NIC is connected, as carp_firewalls names it.
const (
	BackingStandard    = "standard"
	BackingDistributed = "distributed"
	BackingNSX         = "nsx"
)

// Kinds of NSXNetwork.
const (
	NetworkDVPortGroup = "dvportgroup"
	NetworkOpaque      = "opaquenetwork"
)

// NSXBacking names the NSX segment behind a vSphere network.
type NSXBacking struct {
	// SegmentPath is the segment's policy path ("/infra/segments/web"), as
	// vCenter gives it for an NSX port group (config.segmentId); "" on an
	// opaque network, which names the logical switch only.
	SegmentPath string
	// LogicalSwitchUUID is the segment's logical switch
	// (config.logicalSwitchUuid, or the opaque network's
	// opaqueNetworkId): the segment's unique_id in NSX.
	LogicalSwitchUUID string
}

// Segment names the segment: its policy path when vCenter gives it, else
// its logical switch UUID.
func (b NSXBacking) Segment() string {
	if b.SegmentPath != "" {
		return b.SegmentPath
	}
	return b.LogicalSwitchUUID
}

// OpaqueNetwork is an OpaqueNetwork object: an NSX segment as vCenter shows
// it to N-VDS hosts (summary.opaqueNetworkId, opaqueNetworkType
// "nsx.LogicalSwitch").
type OpaqueNetwork struct {
	ID, Name string
	Type     string
	NSX      NSXBacking
	// HostIDs are the hosts the network reaches (Network.host), sorted.
	HostIDs []string
}

// NSXNetwork is the vSphere network of an NSX segment a NIC is on.
type NSXNetwork struct {
	Kind     string // NetworkDVPortGroup or NetworkOpaque
	ID, Name string
	Backing  NSXBacking
	// HostIDs are the hosts the segment reaches through this network: the
	// members of the port group's switch, or the opaque network's hosts.
	HostIDs []string
	// Switch is the port group's switch (nil for an opaque network, or
	// when it was not read).
	Switch *DVSwitch
}

// NSXNetworkOf returns the NSX network a NIC is on; false when the NIC is
// not on an NSX segment (or its network was not read).
func (s *Snapshot) NSXNetworkOf(n NIC) (NSXNetwork, bool) {
	if n.Opaque != nil {
		out := NSXNetwork{Kind: NetworkOpaque, Name: n.Network, Backing: *n.Opaque}
		if o := s.FindOpaqueNetwork(n.Opaque.LogicalSwitchUUID); o != nil {
			out.ID, out.Name, out.HostIDs = o.ID, o.Name, o.HostIDs
		}
		return out, true
	}
	if n.DVPortGroupID == "" {
		return NSXNetwork{}, false
	}
	pg := s.FindDVPortGroup(n.DVPortGroupID)
	if pg == nil || pg.NSX == nil {
		return NSXNetwork{}, false
	}
	out := NSXNetwork{Kind: NetworkDVPortGroup, ID: pg.ID, Name: pg.Name, Backing: *pg.NSX}
	if sw := s.FindDVSwitch(pg.SwitchID); sw != nil {
		out.Switch, out.HostIDs = sw, sw.HostIDs
	}
	return out, true
}

// BackingOf tells how a NIC is connected: BackingNSX (an NSX port group or
// an opaque network), BackingDistributed or BackingStandard.
func (s *Snapshot) BackingOf(n NIC) string {
	if _, ok := s.NSXNetworkOf(n); ok {
		return BackingNSX
	}
	if n.DVPortGroupID != "" {
		return BackingDistributed
	}
	return BackingStandard
}

// FindOpaqueNetwork returns the opaque network of a logical switch, or nil.
func (s *Snapshot) FindOpaqueNetwork(logicalSwitchUUID string) *OpaqueNetwork {
	for i := range s.OpaqueNetworks {
		if s.OpaqueNetworks[i].NSX.LogicalSwitchUUID == logicalSwitchUUID {
			return &s.OpaqueNetworks[i]
		}
	}
	return nil
}

// The profiles NSX binds to a segment that has none of its own: "If you do
// not associate a segment profile when you create a segment, then the NSX
// Manager associates a corresponding default system-defined segment
// profile" (NSX-T Data Center Administration Guide 3.2, "Segment
// Profiles"); their ids are those the nsxt provider's tests read as the
// system-defined profiles.
const (
	DefaultMacDiscoveryProfile = "/infra/mac-discovery-profiles/default-mac-discovery-profile"
	DefaultSpoofGuardProfile   = "/infra/spoofguard-profiles/default-spoofguard-profile"
	DefaultIPDiscoveryProfile  = "/infra/ip-discovery-profiles/default-ip-discovery-profile"
)

// NSXState is what NSX Manager answered about the segments of the firewall
// NICs. With Unavailable set, nothing else is: NSX was not asked or did not
// answer, and no NSX segment can be judged.
type NSXState struct {
	// Unavailable says why NSX could not be read ("no NSX Manager is
	// configured...", "NSX Manager nsx.lab did not answer..."); "" when it
	// answered.
	Unavailable string
	// Manager is the NSX Manager's host name, for messages.
	Manager      string
	Segments     []NSXSegment
	Ports        []NSXPort
	MacDiscovery []MacDiscoveryProfile
	SpoofGuard   []SpoofGuardProfile
	IPDiscovery  []IPDiscoveryProfile
}

// NSXProfiles are the policy paths of the segment profiles bound to a
// segment or a port; "" where none is bound.
type NSXProfiles struct {
	MacDiscovery, SpoofGuard, IPDiscovery string
}

// NSXSegment is a segment with the profiles bound to it
// (SegmentDiscoveryProfileBindingMap, SegmentSecurityProfileBindingMap).
type NSXSegment struct {
	Path, UniqueID, Name string
	Bound                NSXProfiles
}

// NSXPort is a segment port (a NIC's VIF attachment) with the profiles
// bound to it (PortDiscoveryProfileBindingMap,
// PortSecurityProfileBindingMap), which replace the segment's, and its
// manual address bindings (SegmentPort.address_bindings).
type NSXPort struct {
	Path, SegmentPath, Name, AttachmentID string
	Bound                                 NSXProfiles
	AddressBindings                       []NSXAddressBinding
}

// NSXAddressBinding is a manual IP/MAC binding of a port (PortAddressBindingEntry).
type NSXAddressBinding struct{ IP, MAC string }

// MacDiscoveryProfile is what CARP needs of an NSX MacDiscoveryProfile.
type MacDiscoveryProfile struct {
	Path, Name             string
	MacChange, MacLearning bool
	UnknownUnicastFlooding bool
	Limit                  int
	LimitPolicy            string // "ALLOW" or "DROP"
}

// SpoofGuardProfile is an NSX SpoofGuardProfile: Enabled is
// address_binding_allowlist (address_binding_whitelist before NSX 3.1).
type SpoofGuardProfile struct {
	Path, Name string
	Enabled    bool
}

// IPDiscoveryProfile is what decides whether SpoofGuard learns a VIP: ARP
// snooping with its binding limit, trust on first use, duplicate IP
// detection.
type IPDiscoveryProfile struct {
	Path, Name           string
	ARPSnooping          bool
	ARPBindingLimit      int
	TOFU                 bool
	DuplicateIPDetection bool
}

// FindSegment returns the segment behind b (by policy path, else by
// unique id), or nil.
func (n *NSXState) FindSegment(b NSXBacking) *NSXSegment {
	for i := range n.Segments {
		sg := &n.Segments[i]
		if (b.SegmentPath != "" && sg.Path == b.SegmentPath) || (b.LogicalSwitchUUID != "" && sg.UniqueID == b.LogicalSwitchUUID) {
			return sg
		}
	}
	return nil
}

// FindPort returns the port of a VIF attachment, or nil.
func (n *NSXState) FindPort(attachmentID string) *NSXPort {
	for i := range n.Ports {
		if attachmentID != "" && n.Ports[i].AttachmentID == attachmentID {
			return &n.Ports[i]
		}
	}
	return nil
}

// FindMacDiscovery returns the MAC discovery profile at path, or nil.
func (n *NSXState) FindMacDiscovery(path string) *MacDiscoveryProfile {
	return findByPath(n.MacDiscovery, path, func(p *MacDiscoveryProfile) string { return p.Path })
}

// FindSpoofGuard returns the SpoofGuard profile at path, or nil.
func (n *NSXState) FindSpoofGuard(path string) *SpoofGuardProfile {
	return findByPath(n.SpoofGuard, path, func(p *SpoofGuardProfile) string { return p.Path })
}

// FindIPDiscovery returns the IP discovery profile at path, or nil.
func (n *NSXState) FindIPDiscovery(path string) *IPDiscoveryProfile {
	return findByPath(n.IPDiscovery, path, func(p *IPDiscoveryProfile) string { return p.Path })
}

func findByPath[T any](list []T, path string, pathOf func(*T) string) *T {
	for i := range list {
		if pathOf(&list[i]) == path {
			return &list[i]
		}
	}
	return nil
}
