package inventory

// What following the firewall VMs adds to a snapshot: their clusters (for
// the hosts they can run on and their DRS rules) and the DV ports their NICs
// are on (for per-port overrides).

// PortOverrides are the override-allowed flags of a DV port group
// (VMwareDVSPortgroupPolicy): whether a port of the port group may set its
// own security policy (securityPolicyOverrideAllowed, deprecated as of
// vSphere API 6.7.1) or MAC management policy (macManagementOverrideAllowed,
// since 6.7.1).
type PortOverrides struct {
	Security      bool
	MacManagement bool
}

// Allowed reports whether a port may override its port group's security or
// MAC management policy: either flag lets it.
func (o PortOverrides) Allowed() bool { return o.Security || o.MacManagement }

// DVPort is one distributed port with what it sets for itself: a nil field
// is inherited from the port group (InheritablePolicy.inherited).
type DVPort struct {
	SwitchID    string // moref value of the switch
	Key         string // port key, unique on the switch
	PortGroupID string
	// Security holds the port's own (non-inherited) securityPolicy values.
	Security Security
	// MacManagement is the port's own macManagementPolicy; nil when the
	// port inherits it (or the switch has none).
	MacManagement *PortMacManagement
	// ConnectedVM is the VM whose NIC is on the port ("" for a free port).
	ConnectedVM string
}

// PortMacManagement is a port's own MAC management policy
// (DVSMacManagementPolicy) as far as CARP cares.
type PortMacManagement struct {
	AllowPromiscuous, MacChanges, ForgedTransmits bool
	// MacLearning is the port's own MAC learning state; nil when the port
	// inherits its port group's MAC learning policy.
	MacLearning *bool
}

// Cluster is a compute cluster with its hosts and DRS VM anti-affinity
// rules (configurationEx).
type Cluster struct {
	ID      string // moref value, e.g. "domain-c7"
	Name    string
	HostIDs []string
	// DRSEnabled is configurationEx.drsConfig.enabled.
	DRSEnabled   bool
	AntiAffinity []AntiAffinityRule
}

// AntiAffinityRule is a ClusterAntiAffinityRuleSpec: the VMs it keeps on
// different hosts.
type AntiAffinityRule struct {
	Name    string
	Enabled bool
	VMIDs   []string
}

// FindVM returns the VM with the given ID, or nil.
func (s *Snapshot) FindVM(id string) *VM {
	for i := range s.VMs {
		if s.VMs[i].ID == id {
			return &s.VMs[i]
		}
	}
	return nil
}

// FindDVPort returns the port with the given key on the given switch, or nil.
func (s *Snapshot) FindDVPort(switchID, key string) *DVPort {
	for i := range s.DVPorts {
		if s.DVPorts[i].SwitchID == switchID && s.DVPorts[i].Key == key {
			return &s.DVPorts[i]
		}
	}
	return nil
}

// ClusterOf returns the cluster the host belongs to, or nil for a
// standalone host (or one whose cluster was not read).
func (s *Snapshot) ClusterOf(hostID string) *Cluster {
	for i := range s.Clusters {
		for _, h := range s.Clusters[i].HostIDs {
			if h == hostID {
				return &s.Clusters[i]
			}
		}
	}
	return nil
}

// RunnableHosts returns the hosts a VM on hostID can run on: every host of
// its cluster, or hostID alone when the host is standalone.
func (s *Snapshot) RunnableHosts(hostID string) []string {
	if c := s.ClusterOf(hostID); c != nil {
		return append([]string(nil), c.HostIDs...)
	}
	return []string{hostID}
}

// Separates reports whether an enabled anti-affinity rule of the cluster
// names both VMs.
func (c *Cluster) Separates(a, b string) bool {
	for _, r := range c.AntiAffinity {
		if !r.Enabled {
			continue
		}
		var hasA, hasB bool
		for _, id := range r.VMIDs {
			hasA = hasA || id == a
			hasB = hasB || id == b
		}
		if hasA && hasB {
			return true
		}
	}
	return false
}
