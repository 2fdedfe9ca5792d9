// Package inventory holds a plain, govmomi-free snapshot of the parts of a
// vSphere inventory that decide whether CARP works: hosts and their standard
// switches, port groups and advanced options; distributed switches and their
// port groups; and the firewall VMs' NICs.
//
// The vsphere package fills it; the rules package judges it. Nothing here
// talks to a server, so both sides can be tested on hand-made values.
package inventory

// Load-balancing policy names, as vSphere spells them in
// HostNicTeamingPolicy.policy and VmwareUplinkPortTeamingPolicy.policy.
const (
	LBIPHash     = "loadbalance_ip"
	LBSrcMAC     = "loadbalance_srcmac"
	LBSrcID      = "loadbalance_srcid"
	LBExplicit   = "failover_explicit"
	LBLoadBased  = "loadbalance_loadbased"
	OptionRPFKey = "Net.ReversePathFwdCheckPromisc"
)

// Snapshot is everything one read returned. Slices are sorted by ID (hosts,
// switches, port groups, VMs) so that evaluation order is stable.
type Snapshot struct {
	Hosts        []Host
	DVSwitches   []DVSwitch
	DVPortGroups []DVPortGroup
	VMs          []VM
	// Clusters and DVPorts are read when the firewalls are followed (see
	// firewalls.go); nil otherwise.
	Clusters []Cluster
	DVPorts  []DVPort
	// OpaqueNetworks are the opaque networks (NSX segments on N-VDS hosts)
	// the firewall NICs are on, and NSX what NSX Manager answered for the
	// segments of the firewall NICs (nil when it was not asked); see nsx.go.
	OpaqueNetworks []OpaqueNetwork
	NSX            *NSXState
}

// Host is an ESXi host with its standard networking.
type Host struct {
	ID      string // moref value, e.g. "host-21"
	Name    string // inventory name, e.g. "esx-02.lab"
	Cluster string // cluster name, "" for a standalone host
	// RPFCheckPromisc is the value of Net.ReversePathFwdCheckPromisc; nil
	// when it was not read (or the host does not have the option).
	RPFCheckPromisc *int64
	VSwitches       []VSwitch
	PortGroups      []PortGroup
	// Connection is runtime.connectionState: "connected", "disconnected"
	// or "notResponding"; "" when it was not read, taken as connected.
	Connection string
}

// Connected reports whether vCenter is in touch with the host, so that
// what it reports of the host's configuration is current. Of a host
// disconnected or not responding vCenter gives the configuration it last
// saw, or none (HostSystem.runtime.connectionState; community.vmware#318,
// synackray/vcenter-netbox-sync#3).
func (h *Host) Connected() bool { return h.Connection == "" || h.Connection == HostConnected }

// HostConnected is the connectionState of a host vCenter is in touch with.
const HostConnected = "connected"

// Security is a security policy as written on one level (switch or port
// group). A nil field inherits from the level above (standard switches) or is
// unset.
type Security struct {
	AllowPromiscuous *bool
	MacChanges       *bool
	ForgedTransmits  *bool
}

// Teaming is a NIC teaming policy as written on one level. Nil fields and a
// nil order inherit.
type Teaming struct {
	Policy         *string
	NotifySwitches *bool
	// RollingOrder is vSphere's inverted name for failback: true means
	// failback = false.
	RollingOrder *bool
	// CheckBeacon true means beacon probing, false link status only.
	CheckBeacon *bool
	// Order is nil when the port group inherits the switch's order.
	Order *UplinkOrder
}

// UplinkOrder lists active and standby uplinks (pnic names on a standard
// switch, uplink port names on a distributed one).
type UplinkOrder struct {
	Active  []string
	Standby []string
}

// Effective is the policy a port actually gets once inheritance is resolved.
type Effective struct {
	AllowPromiscuous bool
	MacChanges       bool
	ForgedTransmits  bool
	LoadBalancing    string
	NotifySwitches   bool
	Failback         bool
	BeaconProbing    bool
	ActiveUplinks    []string
	StandbyUplinks   []string
	// MacLearning is the MAC learning policy a port gets (distributed port
	// groups of a switch of 6.6.0 or later): the port group's own, else the
	// switch's; nil when there is none.
	MacLearning *MacLearning
}

// VSwitch is a standard virtual switch on one host.
type VSwitch struct {
	Name     string
	Uplinks  []string // physical NICs bridged, e.g. vmnic0, vmnic1
	Security Security
	Teaming  Teaming
}

// PortGroup is a standard port group on one host.
type PortGroup struct {
	Name     string
	VSwitch  string
	VLAN     VLAN
	Security Security // as written on the port group (nil = inherit)
	Teaming  Teaming
	// Effective is the computed policy (HostPortGroup.computedPolicy).
	Effective Effective
}

// DVSwitch is a distributed virtual switch.
type DVSwitch struct {
	ID      string // moref value, e.g. "dvs-11"
	Name    string
	Version string // config.productInfo.version, e.g. "6.6.0"
	Uplinks []string
	// Mirroring lists the switch's port-mirroring (VSPAN) sessions.
	Mirroring []MirrorSession
	HostIDs   []string
	// LACPVersion is config.lacpApiVersion: "multipleLag" (enhanced LACP,
	// the LAGs below), "singleLag" or "" (not reported).
	LACPVersion string
	// LAGs are the switch's link aggregation groups (lacpGroupConfig).
	LAGs []LAG
}

// LAG is a link aggregation group of a distributed switch
// (VMwareDvsLacpGroupConfig): a port group's teaming names it, by Name,
// among its uplinks.
type LAG struct {
	Key, Name string
	Mode      string // "active" or "passive"
	// Uplinks is uplinkNum, the LAG's number of ports (physical links).
	Uplinks int
	// Algorithm is loadbalanceAlgorithm, such as "srcDestIpTcpUdpPortVlan".
	Algorithm string
}

// LAG returns the switch's LAG of that name, or nil.
func (d *DVSwitch) LAG(name string) *LAG {
	for i := range d.LAGs {
		if d.LAGs[i].Name == name {
			return &d.LAGs[i]
		}
	}
	return nil
}

// MirrorSession is one VSPAN session of a distributed switch.
type MirrorSession struct {
	Key     string
	Name    string
	Enabled bool
}

// DVPortGroup is a distributed port group with its default port setting.
type DVPortGroup struct {
	ID       string // moref value, e.g. "dvportgroup-42"
	Name     string
	SwitchID string
	// Security holds the port group's own values as the host applies them
	// (the MAC management policy on a switch of 6.6.0 or later, the
	// security policy below); a nil field inherits from the switch.
	Security Security
	// Legacy is what the deprecated securityPolicy says, resolved against
	// the switch, where the port group also has a MAC management policy
	// (which the host applies); nil below 6.6.0. Tools that write only one
	// of the two leave them disagreeing (CARP021).
	Legacy    *Security
	VLAN      VLAN
	Teaming   Teaming
	Effective Effective
	// MacLearning is nil when the switch has no MAC management policy
	// (below 6.6.0) or none is set.
	MacLearning *MacLearning
	// Overrides says which policies a port of the port group may set for
	// itself (config.policy).
	Overrides PortOverrides
	// NSX is set on a port group NSX created for one of its segments
	// (config.backingType "nsx"): its vSphere policy decides nothing.
	NSX *NSXBacking
}

// MacLearning is a DVS MAC learning policy.
type MacLearning struct {
	Enabled              bool
	AllowUnicastFlooding bool
	Limit                int32
	LimitPolicy          string // "allow" or "drop"
}

// VM is a virtual machine with its network adapters.
type VM struct {
	ID   string
	Name string
	// HostID is the host the VM runs on (runtime.host); "" when not read.
	HostID string
	NICs   []NIC
}

// NIC is one virtual network adapter.
type NIC struct {
	Label string // e.g. "Network adapter 1"
	// Type is the device type in lower case: "vmxnet3", "e1000", "e1000e",
	// "pcnet32", "vmxnet", "vmxnet2", "sriov".
	Type string
	// Network is where the NIC is connected: a standard port group name
	// (with HostID set) or a DV port group ID.
	Network       string
	DVPortGroupID string
	HostID        string
	// PortKey is the DV port the NIC is on (backing port.portKey); "" on a
	// standard port group, or when the NIC has no port.
	PortKey string
	// Opaque is the segment of a NIC on an opaque network (an NSX segment
	// on an N-VDS host); Network then names the opaque network and HostID
	// is "". ExternalID is the id NSX gave the NIC (its VIF attachment).
	Opaque     *NSXBacking
	ExternalID string
}

// FindHost returns the host with the given ID, or nil.
func (s *Snapshot) FindHost(id string) *Host {
	for i := range s.Hosts {
		if s.Hosts[i].ID == id {
			return &s.Hosts[i]
		}
	}
	return nil
}

// FindDVSwitch returns the distributed switch with the given ID, or nil.
func (s *Snapshot) FindDVSwitch(id string) *DVSwitch {
	for i := range s.DVSwitches {
		if s.DVSwitches[i].ID == id {
			return &s.DVSwitches[i]
		}
	}
	return nil
}

// FindDVPortGroup returns the DV port group with the given ID, or nil.
func (s *Snapshot) FindDVPortGroup(id string) *DVPortGroup {
	for i := range s.DVPortGroups {
		if s.DVPortGroups[i].ID == id {
			return &s.DVPortGroups[i]
		}
	}
	return nil
}

// PortGroup returns the named standard port group of the host, or nil.
func (h *Host) PortGroup(name string) *PortGroup {
	for i := range h.PortGroups {
		if h.PortGroups[i].Name == name {
			return &h.PortGroups[i]
		}
	}
	return nil
}

// VSwitch returns the named standard switch of the host, or nil.
func (h *Host) VSwitch(name string) *VSwitch {
	for i := range h.VSwitches {
		if h.VSwitches[i].Name == name {
			return &h.VSwitches[i]
		}
	}
	return nil
}
