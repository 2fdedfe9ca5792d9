package vsphere

import (
	"context"
	"strconv"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// PortGroupRef names a port group: a standard one (HostID and Name) or a
// distributed one (DVPortGroupID).
type PortGroupRef struct {
	HostID, Name  string
	DVPortGroupID string
}

// IsDV tells a distributed port group from a standard one.
func (r PortGroupRef) IsDV() bool { return r.DVPortGroupID != "" }

// Request is the read that holds the port group: its host, or the DV port
// group with its switch.
func (r PortGroupRef) Request() Request {
	if r.IsDV() {
		return Request{DVPortGroupIDs: []string{r.DVPortGroupID}}
	}
	return Request{HostIDs: []string{r.HostID}}
}

// Policy is what a port group write sets.
type Policy struct {
	// Security fields set explicitly (nil = inherit from the switch).
	Security inventory.Security
	// Teaming replaces the uplink teaming override when non-nil.
	Teaming *inventory.Teaming
	// MacLearning replaces the MAC learning policy when non-nil (DV port
	// groups with UseMacManagement only).
	MacLearning *inventory.MacLearning
	// MacLearningInherit, with MacLearning nil, sets the MAC learning
	// policy back to inherited (restore). Only with UseMacManagement.
	MacLearningInherit bool
	// UseMacManagement writes macManagementPolicy (switches 6.6.0+) besides
	// the legacy securityPolicy, with the same values (DV port groups).
	UseMacManagement bool
	// PortOverrides, when non-nil, sets the DV port group's
	// securityPolicyOverrideAllowed and macManagementOverrideAllowed in the
	// same write; every other flag of its policy is kept as read.
	PortOverrides *inventory.PortOverrides
}

// concurrentAttempts bounds the writes of one DV port group policy that
// vCenter may answer with ConcurrentAccess (another writer changed the port
// group since its configVersion was read): each is followed by a re-read of
// the version, and the last error is returned.
const concurrentAttempts = 3

// PortGroupWriter writes the policy of one port group found in a read: a
// standard port group through its host's network system, keeping every
// field of its spec as read (shaping, offload, VLAN...); a distributed one
// with a partial spec carrying its configVersion, which it keeps from write
// to write (and re-reads on ConcurrentAccess). Take the lock of the host
// network or switch before the read it comes from.
type PortGroupWriter struct {
	c       *Client
	ref     PortGroupRef
	netSys  types.ManagedObjectReference
	spec    types.HostPortGroupSpec
	version string
	policy  types.BaseDVPortgroupPolicy // DV: the port group policy as read
}

// PortGroupWriter returns the writer of ref as snap read it; a port group
// that snap does not hold is a *NotFoundError.
func (c *Client) PortGroupWriter(snap *Snapshot, ref PortGroupRef) (*PortGroupWriter, error) {
	w := &PortGroupWriter{c: c, ref: ref}
	if ref.IsDV() {
		raw, ok := snap.dvpgRaw[ref.DVPortGroupID]
		if !ok {
			return nil, &NotFoundError{Kind: KindDVPortGroup, ID: ref.DVPortGroupID}
		}
		w.version, w.policy = raw.configVersion, raw.policy
		return w, nil
	}
	spec, ok := snap.pgSpecs[ref.HostID+":"+ref.Name]
	if !ok {
		return nil, &NotFoundError{Kind: KindPortGroup, ID: ref.Name, Host: ref.HostID}
	}
	w.netSys, w.spec = snap.hostRefs[ref.HostID].NetworkSystem, spec
	return w, nil
}

// Write writes p: one UpdatePortGroup round trip, or one
// ReconfigureDVPortgroup_Task and its task polls.
func (w *PortGroupWriter) Write(ctx context.Context, p Policy) error {
	if !w.ref.IsDV() {
		return w.c.updatePortGroup(ctx, w.netSys, w.spec, p.Security, p.Teaming)
	}
	var err error
	for i := 0; i < concurrentAttempts; i++ {
		var next string
		next, err = w.c.reconfigureDVPortGroup(ctx, w.ref.DVPortGroupID, w.version, w.policy, p)
		if err == nil {
			w.version = next
			return nil
		}
		if !IsConcurrentAccess(err) {
			return err
		}
		logf(ctx, "ConcurrentAccess on DV port group; re-reading configVersion", "id", w.ref.DVPortGroupID)
		snap, rerr := w.c.Read(ctx, w.ref.Request())
		if rerr != nil {
			return rerr
		}
		raw, ok := snap.dvpgRaw[w.ref.DVPortGroupID]
		if !ok {
			return &NotFoundError{Kind: KindDVPortGroup, ID: w.ref.DVPortGroupID}
		}
		w.version, w.policy = raw.configVersion, raw.policy
	}
	return err
}

// updatePortGroup writes a standard port group's security policy exactly as
// given (nil fields inherit from the vSwitch) and, when teaming is non-nil,
// its NIC teaming override exactly as given; every other field of the spec
// is kept as read. One UpdatePortGroup round trip.
func (c *Client) updatePortGroup(ctx context.Context, netSys types.ManagedObjectReference, spec types.HostPortGroupSpec, sec inventory.Security, teaming *inventory.Teaming) error {
	spec.Policy.Security = &types.HostNetworkSecurityPolicy{
		AllowPromiscuous: inventory.Clone(sec.AllowPromiscuous),
		MacChanges:       inventory.Clone(sec.MacChanges),
		ForgedTransmits:  inventory.Clone(sec.ForgedTransmits),
	}
	if teaming != nil {
		spec.Policy.NicTeaming = encodeTeaming(*teaming)
	}
	defer c.invalidateOwner(netSys)
	_, err := methods.UpdatePortGroup(ctx, c.vim, &types.UpdatePortGroup{This: netSys, PgName: spec.Name, Portgrp: spec})
	return err
}

func encodeTeaming(t inventory.Teaming) *types.HostNicTeamingPolicy {
	if t.Policy == nil && t.NotifySwitches == nil && t.RollingOrder == nil && t.CheckBeacon == nil && t.Order == nil {
		return nil
	}
	out := &types.HostNicTeamingPolicy{NotifySwitches: inventory.Clone(t.NotifySwitches), RollingOrder: inventory.Clone(t.RollingOrder)}
	if t.Policy != nil {
		out.Policy = *t.Policy
	}
	if t.CheckBeacon != nil {
		out.FailureCriteria = &types.HostNicFailureCriteria{CheckBeacon: inventory.Clone(t.CheckBeacon)}
	}
	if t.Order != nil {
		out.NicOrder = &types.HostNicOrderPolicy{ActiveNic: append([]string{}, t.Order.Active...), StandbyNic: append([]string{}, t.Order.Standby...)}
	}
	return out
}

// reconfigureDVPortGroup writes a partial spec (vCenter merges it) carrying
// configVersion, waits for the task, and returns the config version the port
// group has afterwards. vCenter bumps the version by one per reconfigure, so
// a second write can carry the returned version without a read; if another
// writer got in between, vCenter answers ConcurrentAccess and the caller
// re-reads.
func (c *Client) reconfigureDVPortGroup(ctx context.Context, id string, configVersion string, policy types.BaseDVPortgroupPolicy, p Policy) (string, error) {
	setting := &types.VMwareDVSPortSetting{SecurityPolicy: &types.DVSSecurityPolicy{
		AllowPromiscuous: encodeBoolPolicy(p.Security.AllowPromiscuous),
		MacChanges:       encodeBoolPolicy(p.Security.MacChanges),
		ForgedTransmits:  encodeBoolPolicy(p.Security.ForgedTransmits),
	}}
	if p.UseMacManagement {
		// Both policies, the same: the host applies macManagementPolicy,
		// and the deprecated securityPolicy must not tell readers otherwise
		// (CARP021).
		mm := &types.DVSMacManagementPolicy{
			AllowPromiscuous: inventory.Clone(p.Security.AllowPromiscuous),
			MacChanges:       inventory.Clone(p.Security.MacChanges),
			ForgedTransmits:  inventory.Clone(p.Security.ForgedTransmits),
		}
		mm.Inherited = p.Security.AllowPromiscuous == nil && p.Security.MacChanges == nil && p.Security.ForgedTransmits == nil
		if p.MacLearning != nil {
			l := p.MacLearning
			limit := l.Limit
			mm.MacLearningPolicy = &types.DVSMacLearningPolicy{Enabled: l.Enabled, AllowUnicastFlooding: types.NewBool(l.AllowUnicastFlooding), Limit: &limit, LimitPolicy: macLimitPolicy(l.LimitPolicy)}
		} else if p.MacLearningInherit {
			mm.MacLearningPolicy = &types.DVSMacLearningPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
		}
		setting.MacManagementPolicy = mm
	}
	if p.Teaming != nil {
		setting.UplinkTeamingPolicy = encodeDVTeaming(*p.Teaming)
	}
	spec := types.DVPortgroupConfigSpec{ConfigVersion: configVersion, DefaultPortConfig: setting}
	if p.PortOverrides != nil {
		spec.Policy = overridePolicy(policy, *p.PortOverrides)
	}
	defer c.dvpgs.Invalidate(id)
	res, err := methods.ReconfigureDVPortgroup_Task(ctx, c.vim, &types.ReconfigureDVPortgroup_Task{This: ref("DistributedVirtualPortgroup", id), Spec: spec})
	if err != nil {
		return "", err
	}
	if err := c.waitTask(ctx, res.Returnval); err != nil {
		return "", err
	}
	next := ""
	if n, err := strconv.ParseInt(configVersion, 10, 64); err == nil {
		next = strconv.FormatInt(n+1, 10)
	}
	return next, nil
}

func macLimitPolicy(s string) string {
	if s == "allow" {
		return string(types.DVSMacLimitPolicyTypeAllow)
	}
	return string(types.DVSMacLimitPolicyTypeDrop)
}

func encodeBoolPolicy(b *bool) *types.BoolPolicy {
	if b == nil {
		return &types.BoolPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	return &types.BoolPolicy{Value: inventory.Clone(b)}
}

func encodeDVTeaming(t inventory.Teaming) *types.VmwareUplinkPortTeamingPolicy {
	out := &types.VmwareUplinkPortTeamingPolicy{
		NotifySwitches:  encodeBoolPolicy(t.NotifySwitches),
		RollingOrder:    encodeBoolPolicy(t.RollingOrder),
		FailureCriteria: &types.DVSFailureCriteria{CheckBeacon: encodeBoolPolicy(t.CheckBeacon)},
	}
	if t.Policy != nil {
		out.Policy = &types.StringPolicy{Value: *t.Policy}
	} else {
		out.Policy = &types.StringPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	if t.Order != nil {
		out.UplinkPortOrder = &types.VMwareUplinkPortOrderPolicy{ActiveUplinkPort: append([]string{}, t.Order.Active...), StandbyUplinkPort: append([]string{}, t.Order.Standby...)}
	} else {
		out.UplinkPortOrder = &types.VMwareUplinkPortOrderPolicy{InheritablePolicy: types.InheritablePolicy{Inherited: true}}
	}
	return out
}

// overridePolicy is the port group policy as read with the security and MAC
// management override flags set (VMwareDVSPortgroupPolicy
// securityPolicyOverrideAllowed, deprecated as of vSphere API 6.7.1, and
// macManagementOverrideAllowed, which replaces it; both are written so that
// either reading of them agrees).
func overridePolicy(cur types.BaseDVPortgroupPolicy, o inventory.PortOverrides) *types.VMwareDVSPortgroupPolicy {
	p := &types.VMwareDVSPortgroupPolicy{}
	switch v := cur.(type) {
	case *types.VMwareDVSPortgroupPolicy:
		*p = *v
	case nil:
	default:
		p.DVPortgroupPolicy = *cur.GetDVPortgroupPolicy()
	}
	p.SecurityPolicyOverrideAllowed = o.Security
	p.MacManagementOverrideAllowed = inventory.Ptr(o.MacManagement)
	return p
}
