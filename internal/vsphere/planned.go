package vsphere

import "sync"

// plannedValues are values that one resource's plan sets and another's plan
// of the same command reads: the planned Net.ReversePathFwdCheckPromisc of a
// host, noted by carp_host_settings. Terraform plans a resource after those
// it depends on, so a carp_portgroup_policy with depends_on on the host's
// carp_host_settings finds the value here; without the dependency the order
// is not known and the port group's plan judges the host as read.
type plannedValues struct {
	mu  sync.Mutex
	rpf map[string]bool
}

// NotePlannedRPF records the planned Net.ReversePathFwdCheckPromisc of a host.
func (c *Client) NotePlannedRPF(hostID string, on bool) {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	if c.planned.rpf == nil {
		c.planned.rpf = map[string]bool{}
	}
	c.planned.rpf[hostID] = on
}

// PlannedRPF returns the planned Net.ReversePathFwdCheckPromisc of a host,
// ok false when no plan of this command set it.
func (c *Client) PlannedRPF(hostID string) (on, ok bool) {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	on, ok = c.planned.rpf[hostID]
	return on, ok
}
