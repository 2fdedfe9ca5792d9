package vsphere

import "context"

// Internals for this package's external tests.

// ConfigVersion is the configVersion of a DV port group as snap read it.
func ConfigVersion(snap *Snapshot, id string) string { return snap.dvpgRaw[id].configVersion }

// ReconfigureDVPortGroup is one DV port group write, without the
// ConcurrentAccess retry of PortGroupWriter.
func (c *Client) ReconfigureDVPortGroup(ctx context.Context, id, configVersion string, p Policy) (string, error) {
	return c.reconfigureDVPortGroup(ctx, id, configVersion, p)
}

// HostManagers are the manager morefs of a host as snap read them.
func HostManagers(snap *Snapshot, hostID string) hostRefs { return snap.hostRefs[hostID] }
