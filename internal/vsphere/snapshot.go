package vsphere

import (
	"context"
	"fmt"
	"slices"

	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Request names what a snapshot must hold.
type Request struct {
	HostIDs        []string
	DVPortGroupIDs []string
	// VMIDs are read with their NICs (the firewall VMs).
	VMIDs []string
	// NetworkVMs also reads every VM connected to the requested hosts'
	// networks and DV port groups (for CARP008).
	NetworkVMs bool
	// Options are extra host advanced options to read (with their
	// definitions), besides Net.ReversePathFwdCheckPromisc.
	Options []string
	// SwitchHosts also reads the member hosts of the DV port groups'
	// switches, with their name and Net.ReversePathFwdCheckPromisc only (no
	// networks): what CARP004 judges on a distributed port group. A host
	// also in HostIDs is read whole.
	SwitchHosts bool
	// Follow follows the VMs (see firewalls.go): the hosts of their
	// clusters (their own host when standalone), the clusters' DRS and
	// rules, their DV port groups and the DV ports of their NICs where the
	// port group lets ports override.
	Follow bool
}

// hostRefs are the managers of a host that writes need.
type hostRefs struct {
	NetworkSystem  types.ManagedObjectReference
	AdvancedOption types.ManagedObjectReference
}

// Snapshot is a read's result: the plain inventory for the rules and the
// provider, and, unexported, what this package's writers need (specs as
// read, manager morefs, config versions). The writers take it back.
type Snapshot struct {
	inventory.Snapshot
	// Missing lists requested ids that do not exist ("host-99").
	Missing []string
	// Options by host id, then key: the values read (nil when the host does
	// not have the option).
	Options map[string]map[string]*OptionValue

	hostRefs map[string]hostRefs // by host id
	dvpgRaw  map[string]dvpgRaw  // by DV port group id
	// pgSpecs by "<host id>:<port group name>", and vsSpecs by "<host
	// id>:<vSwitch name>": the specs as read, so that writes keep every
	// field they do not mean to change (shaping, offload, VLAN...).
	pgSpecs map[string]types.HostPortGroupSpec
	vsSpecs map[string]types.HostVirtualSwitchSpec
}

// OptionValue is one host advanced option with its declared type.
type OptionValue struct {
	Key   string
	Value any    // int64, int32, bool, string, float64 as read
	Type  string // "long", "int", "bool", "string", "float", "choice", "" (unknown)
	Min   *int64
	Max   *int64
	// Choices for a "choice" option.
	Choices []string
}

// dvpgRaw is what a DV port group writer needs.
type dvpgRaw struct {
	configVersion string
	switchRef     types.ManagedObjectReference
	// policy as read: a write of the override flags sends it whole, as
	// DVPortgroupConfigSpec.policy replaces the port group's.
	policy types.BaseDVPortgroupPolicy
}

func hostProps(options []string) []string {
	props := []string{"name", "runtime.connectionState", "config.network.vswitch", "config.network.portgroup",
		"configManager.networkSystem", "configManager.advancedOption"}
	for _, k := range append([]string{inventory.OptionRPFKey}, options...) {
		props = append(props, fmt.Sprintf("config.option[%q]", k), fmt.Sprintf("config.optionDef[%q]", k))
	}
	return props
}

var (
	dvpgProps = []string{"name", "key", "config"}
	dvsProps  = []string{"name", "config", "summary.hostMember"}
	vmProps   = []string{"name", "config.hardware.device", "runtime.host"}
	// memberHostProps: a switch member host as CARP004 needs it.
	memberHostProps = []string{"name", "runtime.connectionState", fmt.Sprintf("config.option[%q]", inventory.OptionRPFKey)}
)

func (c *Client) initCaches() {
	c.hosts = newObjectCache(func(extra []string) []types.PropertySpec {
		return []types.PropertySpec{{Type: "HostSystem", PathSet: hostProps(extra)}}
	}, c.retrieveTolerant)
	c.dvpgs = newObjectCache(func([]string) []types.PropertySpec {
		return []types.PropertySpec{{Type: "DistributedVirtualPortgroup", PathSet: dvpgProps}}
	}, c.retrieveTolerant)
	c.memberHosts = newObjectCache(func([]string) []types.PropertySpec {
		return []types.PropertySpec{{Type: "HostSystem", PathSet: memberHostProps}}
	}, c.retrieveTolerant)
	c.switches = newObjectCache(func([]string) []types.PropertySpec {
		return []types.PropertySpec{
			{Type: "VmwareDistributedVirtualSwitch", PathSet: dvsProps},
			{Type: "DistributedVirtualSwitch", PathSet: dvsProps},
		}
	}, c.retrieveTolerant)
}

// invalidateOwner forgets the cached read of the host that owns a manager.
func (c *Client) invalidateOwner(manager types.ManagedObjectReference) {
	if v, ok := c.owner.Load(manager.Value); ok {
		id, _ := v.(string) // owner holds host ids only
		c.hosts.Invalidate(id)
		c.memberHosts.Invalidate(id)
	}
}

// invalidate forgets cached reads of the given objects (host, DV port group
// or switch morefs).
func (c *Client) invalidate(ids ...string) {
	c.hosts.Invalidate(ids...)
	c.memberHosts.Invalidate(ids...)
	c.dvpgs.Invalidate(ids...)
	c.switches.Invalidate(ids...)
}

// ReadFresh is Read from the server, not the read cache, for a
// read-modify-write under a lock (LockHostNetwork, LockSwitch): it forgets
// what the cache holds of the requested hosts and DV port groups, and of the
// objects also names (a DV port group's switch), then reads them.
func (c *Client) ReadFresh(ctx context.Context, req Request, also ...string) (*Snapshot, error) {
	c.invalidate(slices.Concat(req.HostIDs, req.DVPortGroupIDs, also)...)
	return c.Read(ctx, req)
}

// Read takes a snapshot. Resource reads (hosts and DV port groups) go
// through the per-command cache: concurrent reads share round trips, and a
// host read for one port group serves the others; at most two round trips
// (the switches of DV port groups come second). Reads with VMs (the audit)
// are one direct batched retrieve, plus one for the switches.
func (c *Client) Read(ctx context.Context, req Request) (*Snapshot, error) {
	snap := &Snapshot{hostRefs: map[string]hostRefs{}, Options: map[string]map[string]*OptionValue{}, dvpgRaw: map[string]dvpgRaw{},
		pgSpecs: map[string]types.HostPortGroupSpec{}, vsSpecs: map[string]types.HostVirtualSwitchSpec{}}
	cached := !req.NetworkVMs && len(req.VMIDs) == 0
	var objs []types.ObjectContent
	var err error
	if cached {
		objs, err = c.cachedObjects(ctx, req)
	} else {
		objs, err = c.directObjects(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	var switchRefs []types.ManagedObjectReference
	for _, o := range objs {
		if len(o.MissingSet) > 0 && len(o.PropSet) == 0 && isMissingObject(o.MissingSet) {
			continue
		}
		found[o.Obj.Value] = true
		sw, err := c.decodeObject(o, snap)
		if err != nil {
			return nil, err
		}
		if sw != nil {
			switchRefs = append(switchRefs, *sw)
		}
	}
	nameOpaqueNICs(snap)
	for _, list := range [][]string{req.HostIDs, req.DVPortGroupIDs, req.VMIDs} {
		for _, id := range uniq(list) {
			if !found[id] {
				snap.Missing = append(snap.Missing, id)
			}
		}
	}
	if err := c.readAround(ctx, snap, req, switchRefs, cached); err != nil {
		return nil, err
	}
	sortSnapshot(&snap.Snapshot)
	return snap, nil
}

// decodeObject adds one object of a read to snap; for a DV port group it
// returns its switch's moref, which the read fetches next.
func (c *Client) decodeObject(o types.ObjectContent, snap *Snapshot) (*types.ManagedObjectReference, error) {
	switch o.Obj.Type {
	case "HostSystem":
		h, refs, opts, err := decodeHost(o, snap)
		if err != nil {
			return nil, fmt.Errorf("reading host %s: %w", o.Obj.Value, err)
		}
		snap.Hosts = append(snap.Hosts, h)
		snap.hostRefs[h.ID] = refs
		snap.Options[h.ID] = opts
		c.owner.Store(refs.NetworkSystem.Value, h.ID)
		c.owner.Store(refs.AdvancedOption.Value, h.ID)
	case "DistributedVirtualPortgroup":
		var pg mo.DistributedVirtualPortgroup
		if err := mo.LoadObjectContent([]types.ObjectContent{o}, &pg); err != nil {
			return nil, fmt.Errorf("reading DV port group %s: %w", o.Obj.Value, err)
		}
		snap.DVPortGroups = append(snap.DVPortGroups, decodeDVPortGroupOwn(pg))
		raw := dvpgRaw{configVersion: pg.Config.ConfigVersion, policy: pg.Config.Policy}
		if pg.Config.DistributedVirtualSwitch != nil {
			raw.switchRef = *pg.Config.DistributedVirtualSwitch
		}
		snap.dvpgRaw[pg.Self.Value] = raw
		if pg.Config.DistributedVirtualSwitch != nil {
			return &raw.switchRef, nil
		}
	case "VirtualMachine":
		var vm mo.VirtualMachine
		if err := mo.LoadObjectContent([]types.ObjectContent{o}, &vm); err != nil {
			return nil, fmt.Errorf("reading VM %s: %w", o.Obj.Value, err)
		}
		snap.VMs = append(snap.VMs, decodeVM(vm))
	case "ClusterComputeResource":
		cl, err := decodeCluster(o)
		if err != nil {
			return nil, err
		}
		snap.Clusters = append(snap.Clusters, cl)
	case "OpaqueNetwork":
		return nil, decodeOpaqueNetwork(o, snap)
	}
	return nil, nil
}

// readAround reads what the objects of a read lead to: the DV port groups'
// switches, their member hosts (SwitchHosts) and the firewall NICs' ports
// (Follow).
func (c *Client) readAround(ctx context.Context, snap *Snapshot, req Request, switchRefs []types.ManagedObjectReference, cached bool) error {
	if len(switchRefs) > 0 {
		if err := c.readSwitches(ctx, snap, switchRefs, cached); err != nil {
			return err
		}
	}
	if req.SwitchHosts {
		if err := c.readMemberHosts(ctx, snap, cached); err != nil {
			return err
		}
	}
	if req.Follow {
		return c.readNICPorts(ctx, snap)
	}
	return nil
}

func (c *Client) cachedObjects(ctx context.Context, req Request) ([]types.ObjectContent, error) {
	var objs []types.ObjectContent
	for _, part := range []struct {
		cache *objectCache
		kind  string
		ids   []string
		extra []string
	}{{c.hosts, "HostSystem", uniq(req.HostIDs), uniq(req.Options)}, {c.dvpgs, "DistributedVirtualPortgroup", uniq(req.DVPortGroupIDs), nil}} {
		if len(part.ids) == 0 {
			continue
		}
		refs := make([]types.ManagedObjectReference, len(part.ids))
		for i, id := range part.ids {
			refs[i] = ref(part.kind, id)
		}
		got, err := part.cache.get(ctx, refs, part.extra)
		if err != nil {
			return nil, err
		}
		for _, id := range part.ids {
			if o := got[id]; o != nil {
				objs = append(objs, *o)
			}
		}
	}
	return objs, nil
}

func (c *Client) directObjects(ctx context.Context, req Request) ([]types.ObjectContent, error) {
	var objSpecs []types.ObjectSpec
	var selects []types.BaseSelectionSpec
	if req.NetworkVMs {
		selects = []types.BaseSelectionSpec{
			&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "hostNets"}, Type: "HostSystem", Path: "network",
				SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "netVMs"}}},
			&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "netVMs"}, Type: "Network", Path: "vm"},
			&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "dvpgVMs"}, Type: "DistributedVirtualPortgroup", Path: "vm"},
		}
	}
	for _, id := range uniq(req.HostIDs) {
		objSpecs = append(objSpecs, types.ObjectSpec{Obj: ref("HostSystem", id), SelectSet: selects})
	}
	for _, id := range uniq(req.DVPortGroupIDs) {
		objSpecs = append(objSpecs, types.ObjectSpec{Obj: ref("DistributedVirtualPortgroup", id), SelectSet: selects})
	}
	var follow []types.BaseSelectionSpec
	if req.Follow {
		follow = followSpecs(req.NetworkVMs)
	}
	for _, id := range uniq(req.VMIDs) {
		objSpecs = append(objSpecs, types.ObjectSpec{Obj: ref("VirtualMachine", id), SelectSet: follow})
	}
	if len(objSpecs) == 0 {
		return nil, nil
	}
	propSet := []types.PropertySpec{
		{Type: "HostSystem", PathSet: hostProps(req.Options)},
		{Type: "DistributedVirtualPortgroup", PathSet: dvpgProps},
		{Type: "VirtualMachine", PathSet: vmProps},
	}
	if req.Follow {
		propSet = append(propSet, types.PropertySpec{Type: "ClusterComputeResource", PathSet: clusterProps}, opaqueNetworkProps)
	}
	return c.retrieveTolerant(ctx, types.PropertyFilterSpec{ObjectSet: objSpecs, PropSet: propSet, ReportMissingObjectsInResults: types.NewBool(true)})
}

func (c *Client) readSwitches(ctx context.Context, snap *Snapshot, refs []types.ManagedObjectReference, cached bool) error {
	seen := map[string]bool{}
	var unique []types.ManagedObjectReference
	for _, r := range refs {
		if !seen[r.Value] {
			seen[r.Value] = true
			unique = append(unique, r)
		}
	}
	objs, err := c.fetch(ctx, c.switches, unique, cached)
	if err != nil {
		return err
	}
	switches := map[string]*mo.DistributedVirtualSwitch{}
	for _, o := range objs {
		if len(o.PropSet) == 0 {
			continue
		}
		var dvs mo.DistributedVirtualSwitch
		if err := mo.LoadObjectContent([]types.ObjectContent{o}, &dvs); err != nil {
			return fmt.Errorf("reading distributed switch %s: %w", o.Obj.Value, err)
		}
		switches[o.Obj.Value] = &dvs
		snap.DVSwitches = append(snap.DVSwitches, decodeDVS(dvs))
	}
	for i := range snap.DVPortGroups {
		pg := &snap.DVPortGroups[i]
		dvs := switches[snap.dvpgRaw[pg.ID].switchRef.Value]
		resolveDVPortGroup(pg, dvs)
	}
	return nil
}

// readMemberHosts adds to snap the member hosts of its switches that it
// does not hold yet, each with its name and reverse-path option only: one
// round trip, shared through the cache by the port groups of a command.
func (c *Client) readMemberHosts(ctx context.Context, snap *Snapshot, cached bool) error {
	have := map[string]bool{}
	for _, h := range snap.Hosts {
		have[h.ID] = true
	}
	var refs []types.ManagedObjectReference
	for _, sw := range snap.DVSwitches {
		for _, id := range sw.HostIDs {
			if !have[id] {
				have[id] = true
				refs = append(refs, ref("HostSystem", id))
			}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	objs, err := c.fetch(ctx, c.memberHosts, refs, cached)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if len(o.PropSet) == 0 {
			continue // a member host gone meanwhile
		}
		h, _, _, err := decodeHost(o, snap)
		if err != nil {
			return fmt.Errorf("reading host %s: %w", o.Obj.Value, err)
		}
		snap.Hosts = append(snap.Hosts, h)
	}
	return nil
}

// fetch reads refs with the properties of cache: through it (a resource
// read, shared by the command), or in one direct call (cached false).
func (c *Client) fetch(ctx context.Context, cache *objectCache, refs []types.ManagedObjectReference, cached bool) ([]types.ObjectContent, error) {
	if !cached {
		specs := make([]types.ObjectSpec, len(refs))
		for i, r := range refs {
			specs[i] = types.ObjectSpec{Obj: r}
		}
		return c.retrieveTolerant(ctx, types.PropertyFilterSpec{ObjectSet: specs, PropSet: cache.props(nil), ReportMissingObjectsInResults: types.NewBool(true)})
	}
	got, err := cache.get(ctx, refs, nil)
	if err != nil {
		return nil, err
	}
	objs := make([]types.ObjectContent, 0, len(refs))
	for _, r := range refs {
		if o := got[r.Value]; o != nil {
			objs = append(objs, *o)
		}
	}
	return objs, nil
}

// retrieveTolerant is retrieve, but a missing object is not an error: it
// comes back with a MissingSet (vCenter reports ManagedObjectNotFound for
// the whole call otherwise).
func (c *Client) retrieveTolerant(ctx context.Context, spec types.PropertyFilterSpec) ([]types.ObjectContent, error) {
	objs, err := c.retrieve(ctx, spec)
	if err == nil {
		return objs, nil
	}
	var nf *types.ManagedObjectNotFound
	if !asFault(err, &nf) || len(spec.ObjectSet) == 0 {
		return nil, err
	}
	// Drop the missing object and retry; costs one more round trip per
	// missing object, only on servers that fault instead of reporting.
	var rest []types.ObjectSpec
	for _, os := range spec.ObjectSet {
		if os.Obj != nf.Obj {
			rest = append(rest, os)
		}
	}
	if len(rest) == len(spec.ObjectSet) {
		return nil, err
	}
	spec.ObjectSet = rest
	objs, err = c.retrieveTolerant(ctx, spec)
	if err != nil {
		return nil, err
	}
	return append(objs, types.ObjectContent{Obj: nf.Obj, MissingSet: []types.MissingProperty{{Path: "", Fault: types.LocalizedMethodFault{Fault: nf}}}}), nil
}

func isMissingObject(ms []types.MissingProperty) bool {
	for _, m := range ms {
		if _, ok := m.Fault.Fault.(*types.ManagedObjectNotFound); ok {
			return true
		}
	}
	return false
}

func ref(kind, id string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: kind, Value: id}
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
