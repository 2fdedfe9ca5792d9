package vsphere

import (
	"context"
	"sync"
)

// Writes to one host's network system are serialised: ESXi applies
// UpdatePortGroup calls one at a time anyway, and concurrent writers on the
// same vSwitch otherwise race on its spec. Writes to one distributed switch's
// port groups are serialised too, so that a toggle's two writes are not
// interleaved with another writer's.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	m := k.locks[key]
	if m == nil {
		m = &sync.Mutex{}
		k.locks[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}

var objectLocks keyedMutex // per provider process; keys are "<server>/<moref>"

func (c *Client) lockObject(id string) func() {
	return objectLocks.lock(c.cfg.Server + "/" + id)
}

// LockHostNetwork serialises, within this provider process, the writers of
// one host's network (its network system): both resources take it before a
// read-modify-write of the host's port groups or vSwitches. It reads the
// host to learn its network system (the read cache usually answers). A host
// that does not exist is a *NotFoundError. Call the returned func to unlock.
func (c *Client) LockHostNetwork(ctx context.Context, hostID string) (unlock func(), err error) {
	snap, err := c.Read(ctx, Request{HostIDs: []string{hostID}})
	if err != nil {
		return nil, err
	}
	netSys := snap.hostRefs[hostID].NetworkSystem.Value
	if netSys == "" {
		return nil, &NotFoundError{Kind: KindHost, ID: hostID}
	}
	return c.lockObject(netSys), nil
}

// LockSwitch serialises the writers of one distributed switch's port groups
// (switchID is the switch's moref; the DV port group's own moref when the
// switch is not known yet). Call the returned func to unlock.
func (c *Client) LockSwitch(switchID string) func() {
	return c.lockObject(switchID)
}
