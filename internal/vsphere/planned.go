package vsphere

import (
	"slices"
	"sync"
)

// plannedValues are values that one resource's plan sets and another's plan
// of the same command reads: the planned Net.ReversePathFwdCheckPromisc of a
// host, noted by carp_host_settings. Terraform plans a resource after those
// it depends on, so a carp_portgroup_policy with depends_on on the host's
// carp_host_settings finds the value here; without the dependency the order
// is not known and the port group's plan judges the host as read.
//
// destroyed holds what a destroy of this command found on an object just
// before it restored it (the hazard codes of a port group, the option of a
// host): the create of a replacement (or of a tainted resource) is planned
// again after that destroy, and must plan what it repairs as the command's
// plan did, from what was there before.
//
// reenable holds, by host, the standard port groups whose promiscuous mode
// a carp_host_settings plan of this command puts back first, from its
// pending_reenable (a toggle of an earlier apply left them off): what a
// policy of such a port group finds before its apply hangs on that
// re-enable, which runs first when the policy depends on the host
// settings.
//
// refreshed holds the resources (type and id) a Read of this command
// refreshed: a plan whose configuration equals such a resource's state
// judges what the read found; without a read (plan -refresh=false) it
// judges the state as stored, without reading vSphere.
type plannedValues struct {
	mu        sync.Mutex
	rpf       map[string]bool
	destroyed map[string][]string
	reenable  map[string][]string
	refreshed map[string]bool
}

// NoteRefreshed records that a Read of this command refreshed the resource
// key names (resource type and id).
func (c *Client) NoteRefreshed(key string) {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	if c.planned.refreshed == nil {
		c.planned.refreshed = map[string]bool{}
	}
	c.planned.refreshed[key] = true
}

// Refreshed reports whether a Read of this command refreshed key.
func (c *Client) Refreshed(key string) bool {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	return c.planned.refreshed[key]
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

// NoteBeforeDestroy records what a destroy found on the object key names
// (resource type and id) before it restored the object.
func (c *Client) NoteBeforeDestroy(key string, facts []string) {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	if c.planned.destroyed == nil {
		c.planned.destroyed = map[string][]string{}
	}
	c.planned.destroyed[key] = slices.Clone(facts)
}

// BeforeDestroy returns what NoteBeforeDestroy recorded for key, ok false
// when no destroy of this command did.
func (c *Client) BeforeDestroy(key string) (facts []string, ok bool) {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	facts, ok = c.planned.destroyed[key]
	return slices.Clone(facts), ok
}

// NotePendingReenable records the standard port groups of a host whose
// promiscuous mode a plan of this command re-enables first.
func (c *Client) NotePendingReenable(hostID string, portGroups []string) {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	if c.planned.reenable == nil {
		c.planned.reenable = map[string][]string{}
	}
	c.planned.reenable[hostID] = slices.Clone(portGroups)
}

// PendingReenable reports whether a plan of this command re-enables
// promiscuous mode of the standard port group portGroup of a host first.
func (c *Client) PendingReenable(hostID, portGroup string) bool {
	c.planned.mu.Lock()
	defer c.planned.mu.Unlock()
	return slices.Contains(c.planned.reenable[hostID], portGroup)
}
