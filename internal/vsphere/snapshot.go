package vsphere

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

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

func decodeHost(o types.ObjectContent, snap *Snapshot) (inventory.Host, hostRefs, map[string]*OptionValue, error) {
	h := inventory.Host{ID: o.Obj.Value}
	var refs hostRefs
	opts := map[string]*OptionValue{}
	defs := map[string]types.OptionDef{}
	for _, p := range o.PropSet {
		switch {
		case p.Name == "name":
			h.Name, _ = p.Val.(string)
		case p.Name == "config.network.vswitch":
			if a, ok := p.Val.(types.ArrayOfHostVirtualSwitch); ok {
				for _, vs := range a.HostVirtualSwitch {
					h.VSwitches = append(h.VSwitches, decodeVSwitch(vs))
					snap.vsSpecs[h.ID+":"+vs.Name] = vs.Spec
				}
			}
		case p.Name == "config.network.portgroup":
			if a, ok := p.Val.(types.ArrayOfHostPortGroup); ok {
				for _, pg := range a.HostPortGroup {
					h.PortGroups = append(h.PortGroups, decodePortGroup(pg))
					snap.pgSpecs[h.ID+":"+pg.Spec.Name] = pg.Spec
				}
			}
		case p.Name == "configManager.networkSystem":
			if r, ok := p.Val.(types.ManagedObjectReference); ok {
				refs.NetworkSystem = r
			}
		case p.Name == "configManager.advancedOption":
			if r, ok := p.Val.(types.ManagedObjectReference); ok {
				refs.AdvancedOption = r
			}
		case strings.HasPrefix(p.Name, "config.option["):
			if ov := optionValueOf(p.Val); ov != nil {
				opts[ov.Key] = &OptionValue{Key: ov.Key, Value: ov.Value}
			}
		case strings.HasPrefix(p.Name, "config.optionDef["):
			if d, ok := p.Val.(types.OptionDef); ok {
				defs[d.Key] = d
			}
		}
	}
	for k, d := range defs {
		ov := opts[k]
		if ov == nil {
			ov = &OptionValue{Key: k}
			opts[k] = ov
		}
		describeOption(ov, d)
	}
	if ov := opts[inventory.OptionRPFKey]; ov != nil && ov.Value != nil {
		if n, ok := asInt64(ov.Value); ok {
			h.RPFCheckPromisc = &n
		}
	}
	return h, refs, opts, nil
}

func optionValueOf(v any) *types.OptionValue {
	switch x := v.(type) {
	case types.OptionValue:
		return &x
	case *types.OptionValue:
		return x
	case types.BaseOptionValue:
		return x.GetOptionValue()
	}
	return nil
}

func describeOption(ov *OptionValue, d types.OptionDef) {
	switch t := d.OptionType.(type) {
	case *types.LongOption:
		ov.Type, ov.Min, ov.Max = "long", &t.Min, &t.Max
	case *types.IntOption:
		lo, hi := int64(t.Min), int64(t.Max)
		ov.Type, ov.Min, ov.Max = "int", &lo, &hi
	case *types.BoolOption:
		ov.Type = "bool"
	case *types.StringOption:
		ov.Type = "string"
	case *types.FloatOption:
		ov.Type = "float"
	case *types.ChoiceOption:
		ov.Type = "choice"
		for _, c := range t.ChoiceInfo {
			ov.Choices = append(ov.Choices, c.GetElementDescription().Key)
		}
	}
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case int:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint8:
		return int64(n), true
	}
	return 0, false
}

func boolp(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

func decodeSecurity(p *types.HostNetworkSecurityPolicy) inventory.Security {
	if p == nil {
		return inventory.Security{}
	}
	return inventory.Security{AllowPromiscuous: boolp(p.AllowPromiscuous), MacChanges: boolp(p.MacChanges), ForgedTransmits: boolp(p.ForgedTransmits)}
}

func decodeTeaming(t *types.HostNicTeamingPolicy) inventory.Teaming {
	if t == nil {
		return inventory.Teaming{}
	}
	out := inventory.Teaming{NotifySwitches: boolp(t.NotifySwitches), RollingOrder: boolp(t.RollingOrder)}
	if t.Policy != "" {
		p := t.Policy
		out.Policy = &p
	}
	if t.FailureCriteria != nil {
		out.CheckBeacon = boolp(t.FailureCriteria.CheckBeacon)
	}
	if t.NicOrder != nil {
		out.Order = &inventory.UplinkOrder{Active: append([]string{}, t.NicOrder.ActiveNic...), Standby: append([]string{}, t.NicOrder.StandbyNic...)}
	}
	return out
}

func decodeVSwitch(vs types.HostVirtualSwitch) inventory.VSwitch {
	out := inventory.VSwitch{Name: vs.Name}
	if b, ok := vs.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); ok {
		out.Uplinks = append(out.Uplinks, b.NicDevice...)
	} else {
		for _, k := range vs.Pnic {
			out.Uplinks = append(out.Uplinks, k[strings.LastIndex(k, "-")+1:])
		}
	}
	if p := vs.Spec.Policy; p != nil {
		out.Security = decodeSecurity(p.Security)
		out.Teaming = decodeTeaming(p.NicTeaming)
	}
	return out
}

func decodePortGroup(pg types.HostPortGroup) inventory.PortGroup {
	out := inventory.PortGroup{Name: pg.Spec.Name, VSwitch: pg.Spec.VswitchName, VLAN: pg.Spec.VlanId}
	out.Security = decodeSecurity(pg.Spec.Policy.Security)
	out.Teaming = decodeTeaming(pg.Spec.Policy.NicTeaming)
	out.Effective = effectiveFromHost(pg.ComputedPolicy)
	return out
}

func effectiveFromHost(p types.HostNetworkPolicy) inventory.Effective {
	var e inventory.Effective
	if s := p.Security; s != nil {
		e.AllowPromiscuous = deref(s.AllowPromiscuous)
		e.MacChanges = deref(s.MacChanges)
		e.ForgedTransmits = deref(s.ForgedTransmits)
	}
	if t := p.NicTeaming; t != nil {
		e.LoadBalancing = t.Policy
		e.NotifySwitches = deref(t.NotifySwitches)
		e.Failback = !deref(t.RollingOrder)
		if t.FailureCriteria != nil {
			e.BeaconProbing = deref(t.FailureCriteria.CheckBeacon)
		}
		if t.NicOrder != nil {
			e.ActiveUplinks = append([]string{}, t.NicOrder.ActiveNic...)
			e.StandbyUplinks = append([]string{}, t.NicOrder.StandbyNic...)
		}
	}
	return e
}

func deref(b *bool) bool { return b != nil && *b }

// decodeDVPortGroupOwn reads the port group's own settings; inheritance is
// resolved once the switch is read.
func decodeDVPortGroupOwn(pg mo.DistributedVirtualPortgroup) inventory.DVPortGroup {
	out := inventory.DVPortGroup{ID: pg.Self.Value, Name: pg.Name}
	if pg.Config.DistributedVirtualSwitch != nil {
		out.SwitchID = pg.Config.DistributedVirtualSwitch.Value
	}
	s, ok := pg.Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if !ok || s == nil {
		return out
	}
	out.Security = ownSecurity(s)
	out.Teaming = ownTeaming(s.UplinkTeamingPolicy)
	if m := s.MacManagementPolicy; m != nil && m.MacLearningPolicy != nil && !m.Inherited && !m.MacLearningPolicy.Inherited {
		l := m.MacLearningPolicy
		ml := &inventory.MacLearning{Enabled: l.Enabled, AllowUnicastFlooding: deref(l.AllowUnicastFlooding), LimitPolicy: strings.ToLower(l.LimitPolicy)}
		if l.Limit != nil {
			ml.Limit = *l.Limit
		}
		out.MacLearning = ml
	}
	return out
}

// ownSecurity returns the fields the port setting sets itself (nil =
// inherited). The MAC management policy (6.6.0+) wins over the legacy
// security policy when it is not inherited; vCenter keeps them in step.
func ownSecurity(s *types.VMwareDVSPortSetting) inventory.Security {
	if m := s.MacManagementPolicy; m != nil && !m.Inherited {
		return inventory.Security{AllowPromiscuous: boolp(m.AllowPromiscuous), MacChanges: boolp(m.MacChanges), ForgedTransmits: boolp(m.ForgedTransmits)}
	}
	var out inventory.Security
	if sp := s.SecurityPolicy; sp != nil {
		out.AllowPromiscuous = boolPolicy(sp.AllowPromiscuous)
		out.MacChanges = boolPolicy(sp.MacChanges)
		out.ForgedTransmits = boolPolicy(sp.ForgedTransmits)
	}
	return out
}

func boolPolicy(p *types.BoolPolicy) *bool {
	if p == nil || p.Inherited || p.Value == nil {
		return nil
	}
	return boolp(p.Value)
}

func ownTeaming(t *types.VmwareUplinkPortTeamingPolicy) inventory.Teaming {
	var out inventory.Teaming
	if t == nil {
		return out
	}
	if t.Policy != nil && !t.Policy.Inherited && t.Policy.Value != "" {
		v := t.Policy.Value
		out.Policy = &v
	}
	out.NotifySwitches = boolPolicy(t.NotifySwitches)
	out.RollingOrder = boolPolicy(t.RollingOrder)
	if t.FailureCriteria != nil {
		out.CheckBeacon = boolPolicy(t.FailureCriteria.CheckBeacon)
	}
	if o := t.UplinkPortOrder; o != nil && !o.Inherited {
		out.Order = &inventory.UplinkOrder{Active: append([]string{}, o.ActiveUplinkPort...), Standby: append([]string{}, o.StandbyUplinkPort...)}
	}
	return out
}

// resolveDVPortGroup computes the effective policy: the port group's own
// values over the switch's default port config.
func resolveDVPortGroup(pg *inventory.DVPortGroup, dvs *mo.DistributedVirtualSwitch) {
	var swSec inventory.Security
	var swTeam inventory.Teaming
	if dvs != nil {
		if cfg, ok := dvs.Config.(*types.VMwareDVSConfigInfo); ok {
			if s, ok := cfg.DefaultPortConfig.(*types.VMwareDVSPortSetting); ok && s != nil {
				swSec = switchSecurity(s)
				swTeam = ownTeaming(s.UplinkTeamingPolicy)
			}
		}
	}
	sec := pg.Security
	pick := func(a, b *bool) bool {
		if a != nil {
			return *a
		}
		return deref(b)
	}
	e := inventory.Effective{
		AllowPromiscuous: pick(sec.AllowPromiscuous, swSec.AllowPromiscuous),
		MacChanges:       pick(sec.MacChanges, swSec.MacChanges),
		ForgedTransmits:  pick(sec.ForgedTransmits, swSec.ForgedTransmits),
		NotifySwitches:   pick(pg.Teaming.NotifySwitches, swTeam.NotifySwitches),
		Failback:         !pick(pg.Teaming.RollingOrder, swTeam.RollingOrder),
		BeaconProbing:    pick(pg.Teaming.CheckBeacon, swTeam.CheckBeacon),
	}
	switch {
	case pg.Teaming.Policy != nil:
		e.LoadBalancing = *pg.Teaming.Policy
	case swTeam.Policy != nil:
		e.LoadBalancing = *swTeam.Policy
	default:
		e.LoadBalancing = inventory.LBSrcID
	}
	order := pg.Teaming.Order
	if order == nil {
		order = swTeam.Order
	}
	if order != nil {
		e.ActiveUplinks = append([]string{}, order.Active...)
		e.StandbyUplinks = append([]string{}, order.Standby...)
	}
	pg.Effective = e
}

// switchSecurity reads a switch's default port config, where every value is
// explicit.
func switchSecurity(s *types.VMwareDVSPortSetting) inventory.Security {
	if m := s.MacManagementPolicy; m != nil {
		return inventory.Security{AllowPromiscuous: boolp(m.AllowPromiscuous), MacChanges: boolp(m.MacChanges), ForgedTransmits: boolp(m.ForgedTransmits)}
	}
	var out inventory.Security
	if sp := s.SecurityPolicy; sp != nil {
		if sp.AllowPromiscuous != nil {
			out.AllowPromiscuous = boolp(sp.AllowPromiscuous.Value)
		}
		if sp.MacChanges != nil {
			out.MacChanges = boolp(sp.MacChanges.Value)
		}
		if sp.ForgedTransmits != nil {
			out.ForgedTransmits = boolp(sp.ForgedTransmits.Value)
		}
	}
	return out
}

func decodeDVS(dvs mo.DistributedVirtualSwitch) inventory.DVSwitch {
	out := inventory.DVSwitch{ID: dvs.Self.Value, Name: dvs.Name}
	for _, h := range dvs.Summary.HostMember {
		out.HostIDs = append(out.HostIDs, h.Value)
	}
	sort.Strings(out.HostIDs)
	if dvs.Config == nil {
		return out
	}
	base := dvs.Config.GetDVSConfigInfo()
	out.Version = base.ProductInfo.Version
	if p, ok := base.UplinkPortPolicy.(*types.DVSNameArrayUplinkPortPolicy); ok {
		out.Uplinks = append(out.Uplinks, p.UplinkPortName...)
	}
	if cfg, ok := dvs.Config.(*types.VMwareDVSConfigInfo); ok {
		for _, s := range cfg.VspanSession {
			out.Mirroring = append(out.Mirroring, inventory.MirrorSession{Key: s.Key, Name: s.Name, Enabled: s.Enabled})
		}
	}
	return out
}

var nicTypes = map[string]string{
	"VirtualVmxnet3":           "vmxnet3",
	"VirtualVmxnet3Vrdma":      "vmxnet3",
	"VirtualE1000":             "e1000",
	"VirtualE1000e":            "e1000e",
	"VirtualPCNet32":           "pcnet32",
	"VirtualVmxnet":            "vmxnet",
	"VirtualVmxnet2":           "vmxnet2",
	"VirtualSriovEthernetCard": "sriov",
}

func decodeVM(vm mo.VirtualMachine) inventory.VM {
	out := inventory.VM{ID: vm.Self.Value, Name: vm.Name}
	host := ""
	if vm.Runtime.Host != nil {
		host = vm.Runtime.Host.Value
	}
	if vm.Config == nil {
		return out
	}
	for _, d := range vm.Config.Hardware.Device {
		card, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		typeName := fmt.Sprintf("%T", d)
		typeName = typeName[strings.LastIndex(typeName, ".")+1:]
		nic := inventory.NIC{Type: nicTypes[typeName], HostID: host}
		if nic.Type == "" {
			nic.Type = strings.ToLower(strings.TrimPrefix(typeName, "Virtual"))
		}
		dev := card.GetVirtualEthernetCard()
		if dev.DeviceInfo != nil {
			nic.Label = dev.DeviceInfo.GetDescription().Label
		}
		switch b := dev.Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			nic.Network = b.DeviceName
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			nic.DVPortGroupID = b.Port.PortgroupKey
			nic.HostID = ""
		}
		out.NICs = append(out.NICs, nic)
	}
	return out
}

func sortSnapshot(s *inventory.Snapshot) {
	sort.Slice(s.Hosts, func(i, j int) bool { return s.Hosts[i].ID < s.Hosts[j].ID })
	sort.Slice(s.DVSwitches, func(i, j int) bool { return s.DVSwitches[i].ID < s.DVSwitches[j].ID })
	sort.Slice(s.DVPortGroups, func(i, j int) bool { return s.DVPortGroups[i].ID < s.DVPortGroups[j].ID })
	sort.Slice(s.VMs, func(i, j int) bool { return s.VMs[i].ID < s.VMs[j].ID })
}
