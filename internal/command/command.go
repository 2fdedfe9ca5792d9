// Package command holds the state of the Terraform command a provider
// process serves, shared by the plans (and applies) of its resources: what
// one resource's plan sets and another's reads. The provider makes one
// per configuration and hands it to the resources with the clients
// (internal/providerdata); nothing in it talks to vSphere.
package command

import (
	"slices"
	"sync"
)

// State holds values that one resource's plan sets and another's plan of
// the same command reads: the planned Net.ReversePathFwdCheckPromisc of a
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
type State struct {
	mu        sync.Mutex
	rpf       map[string]bool
	destroyed map[string][]string
	reenable  map[string][]string
	refreshed map[string]bool
}

// NoteRefreshed records that a Read of this command refreshed the resource
// key names (resource type and id).
func (c *State) NoteRefreshed(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refreshed == nil {
		c.refreshed = map[string]bool{}
	}
	c.refreshed[key] = true
}

// Refreshed reports whether a Read of this command refreshed key.
func (c *State) Refreshed(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshed[key]
}

// NotePlannedRPF records the planned Net.ReversePathFwdCheckPromisc of a host.
func (c *State) NotePlannedRPF(hostID string, on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rpf == nil {
		c.rpf = map[string]bool{}
	}
	c.rpf[hostID] = on
}

// PlannedRPF returns the planned Net.ReversePathFwdCheckPromisc of a host,
// ok false when no plan of this command set it.
func (c *State) PlannedRPF(hostID string) (on, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	on, ok = c.rpf[hostID]
	return on, ok
}

// NoteBeforeDestroy records what a destroy found on the object key names
// (resource type and id) before it restored the object.
func (c *State) NoteBeforeDestroy(key string, facts []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.destroyed == nil {
		c.destroyed = map[string][]string{}
	}
	c.destroyed[key] = slices.Clone(facts)
}

// BeforeDestroy returns what NoteBeforeDestroy recorded for key, ok false
// when no destroy of this command did.
func (c *State) BeforeDestroy(key string) (facts []string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	facts, ok = c.destroyed[key]
	return slices.Clone(facts), ok
}

// NotePendingReenable records the standard port groups of a host whose
// promiscuous mode a plan of this command re-enables first.
func (c *State) NotePendingReenable(hostID string, portGroups []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reenable == nil {
		c.reenable = map[string][]string{}
	}
	c.reenable[hostID] = slices.Clone(portGroups)
}

// PendingReenable reports whether a plan of this command re-enables
// promiscuous mode of the standard port group portGroup of a host first.
func (c *State) PendingReenable(hostID, portGroup string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.reenable[hostID], portGroup)
}

// New is the state of a new command.
func New() *State { return &State{} }
