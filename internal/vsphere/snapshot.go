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
}

func hostProps(options []string) []string {
	props := []string{"name", "config.network.vswitch", "config.network.portgroup",
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
	netProps  = []string{"name", "vm"}
)

func (c *Client) initCaches() {
	c.hosts = newObjectCache(func(extra []string) []types.PropertySpec {
		return []types.PropertySpec{{Type: "HostSystem", PathSet: hostProps(extra)}}
	}, c.retrieveTolerant)
	c.dvpgs = newObjectCache(func([]string) []types.PropertySpec {
		return []types.PropertySpec{{Type: "DistributedVirtualPortgroup", PathSet: dvpgProps}}
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
	if id, ok := c.owner.Load(manager.Value); ok {
		c.hosts.Invalidate(id.(string))
	}
}

// invalidate forgets cached reads of the given objects (host, DV port group
// or switch morefs).
func (c *Client) invalidate(ids ...string) {
	c.hosts.Invalidate(ids...)
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
			raw := dvpgRaw{configVersion: pg.Config.ConfigVersion}
			if pg.Config.DistributedVirtualSwitch != nil {
				raw.switchRef = *pg.Config.DistributedVirtualSwitch
				switchRefs = append(switchRefs, raw.switchRef)
			}
			snap.dvpgRaw[pg.Self.Value] = raw
		case "VirtualMachine":
			var vm mo.VirtualMachine
			if err := mo.LoadObjectContent([]types.ObjectContent{o}, &vm); err != nil {
				return nil, fmt.Errorf("reading VM %s: %w", o.Obj.Value, err)
			}
			snap.VMs = append(snap.VMs, decodeVM(vm))
		}
	}
	for _, list := range [][]string{req.HostIDs, req.DVPortGroupIDs, req.VMIDs} {
		for _, id := range uniq(list) {
			if !found[id] {
				snap.Missing = append(snap.Missing, id)
			}
		}
	}
	if len(switchRefs) > 0 {
		if err := c.readSwitches(ctx, snap, switchRefs, cached); err != nil {
			return nil, err
		}
	}
	sortSnapshot(&snap.Snapshot)
	return snap, nil
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
	for _, id := range uniq(req.VMIDs) {
		objSpecs = append(objSpecs, types.ObjectSpec{Obj: ref("VirtualMachine", id)})
	}
	if len(objSpecs) == 0 {
		return nil, nil
	}
	propSet := []types.PropertySpec{
		{Type: "HostSystem", PathSet: hostProps(req.Options)},
		{Type: "DistributedVirtualPortgroup", PathSet: dvpgProps},
		{Type: "VirtualMachine", PathSet: vmProps},
	}
	return c.retrieveTolerant(ctx, types.PropertyFilterSpec{ObjectSet: objSpecs, PropSet: propSet, ReportMissingObjectsInResults: types.NewBool(true)})
}

func (c *Client) readSwitches(ctx context.Context, snap *Snapshot, refs []types.ManagedObjectReference, cached bool) error {
	seen := map[string]bool{}
	var specs []types.ObjectSpec
	var unique []types.ManagedObjectReference
	for _, r := range refs {
		if !seen[r.Value] {
			seen[r.Value] = true
			specs = append(specs, types.ObjectSpec{Obj: r})
			unique = append(unique, r)
		}
	}
	var objs []types.ObjectContent
	if cached {
		got, err := c.switches.get(ctx, unique, nil)
		if err != nil {
			return err
		}
		for _, r := range unique {
			if o := got[r.Value]; o != nil {
				objs = append(objs, *o)
			}
		}
	} else {
		var err error
		objs, err = c.retrieveTolerant(ctx, types.PropertyFilterSpec{
			ObjectSet: specs,
			PropSet: []types.PropertySpec{
				{Type: "VmwareDistributedVirtualSwitch", PathSet: dvsProps},
				{Type: "DistributedVirtualSwitch", PathSet: dvsProps},
			},
			ReportMissingObjectsInResults: types.NewBool(true),
		})
		if err != nil {
			return err
		}
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
