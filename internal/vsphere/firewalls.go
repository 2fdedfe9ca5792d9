package vsphere

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// Following the firewall VMs: from each VM to its resource pool's owner
// (the cluster, or the standalone host's compute resource) and that
// owner's hosts, and to the DV port groups of its networks, in the one
// batched retrieve of Read (Request.Follow); then the switches (Read's
// second round trip) and, per switch, one FetchDVPorts for the ports the
// VMs' NICs are on in port groups that let ports override.

// followSpecs walk VirtualMachine.resourcePool -> ResourcePool.owner ->
// ComputeResource.host, and VirtualMachine.network (the DV port groups);
// with networkVMs also from those hosts and networks to the VMs on them
// (HostSystem.network -> Network.vm), as Request.NetworkVMs does for the
// hosts and DV port groups asked for.
func followSpecs(networkVMs bool) []types.BaseSelectionSpec {
	sel := func(names ...string) []types.BaseSelectionSpec {
		var out []types.BaseSelectionSpec
		for _, n := range names {
			if networkVMs || (n != "hostNets" && n != "netVMs") {
				out = append(out, &types.SelectionSpec{Name: n})
			}
		}
		return out
	}
	trav := func(name, kind, path string, next ...string) *types.TraversalSpec {
		return &types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: name}, Type: kind, Path: path, SelectSet: sel(next...)}
	}
	specs := []types.BaseSelectionSpec{
		trav("vmPool", "VirtualMachine", "resourcePool", "poolOwner"),
		trav("poolOwner", "ResourcePool", "owner", "ownerHosts"),
		trav("ownerHosts", "ComputeResource", "host", "hostNets"),
		trav("vmNets", "VirtualMachine", "network", "netVMs"),
	}
	if networkVMs {
		specs = append(specs, trav("hostNets", "HostSystem", "network", "netVMs"), trav("netVMs", "Network", "vm"))
	}
	return specs
}

// clusterProps: configurationEx holds drsConfig and rule
// (ClusterConfigInfoEx); it is one property, as its declared type
// (ComputeResourceConfigInfo) has neither.
var clusterProps = []string{"name", "host", "configurationEx"}

func decodeCluster(o types.ObjectContent) (inventory.Cluster, error) {
	var cr mo.ClusterComputeResource
	if err := mo.LoadObjectContent([]types.ObjectContent{o}, &cr); err != nil {
		return inventory.Cluster{}, fmt.Errorf("reading cluster %s: %w", o.Obj.Value, err)
	}
	out := inventory.Cluster{ID: cr.Self.Value, Name: cr.Name}
	for _, h := range cr.Host {
		out.HostIDs = append(out.HostIDs, h.Value)
	}
	sort.Strings(out.HostIDs)
	cfg, ok := cr.ConfigurationEx.(*types.ClusterConfigInfoEx)
	if !ok {
		return out, nil
	}
	out.DRSEnabled = deref(cfg.DrsConfig.Enabled)
	for _, r := range cfg.Rule {
		aa, ok := r.(*types.ClusterAntiAffinityRuleSpec)
		if !ok {
			continue
		}
		rule := inventory.AntiAffinityRule{Name: aa.Name, Enabled: deref(aa.Enabled)}
		for _, vm := range aa.Vm {
			rule.VMIDs = append(rule.VMIDs, vm.Value)
		}
		out.AntiAffinity = append(out.AntiAffinity, rule)
	}
	return out, nil
}

// decodeOverrides reads the override flags of a DV port group policy.
func decodeOverrides(p types.BaseDVPortgroupPolicy) inventory.PortOverrides {
	v, ok := p.(*types.VMwareDVSPortgroupPolicy)
	if !ok || v == nil {
		return inventory.PortOverrides{}
	}
	return inventory.PortOverrides{Security: v.SecurityPolicyOverrideAllowed, MacManagement: deref(v.MacManagementOverrideAllowed)}
}

// decodeDVPort reads what a port sets for itself (inherited false).
func decodeDVPort(switchID string, p types.DistributedVirtualPort) inventory.DVPort {
	out := inventory.DVPort{SwitchID: switchID, Key: p.Key, PortGroupID: p.PortgroupKey}
	if c := p.Connectee; c != nil && c.ConnectedEntity != nil && c.ConnectedEntity.Type == "VirtualMachine" {
		out.ConnectedVM = c.ConnectedEntity.Value
	}
	s, ok := p.Config.Setting.(*types.VMwareDVSPortSetting)
	if !ok || s == nil {
		return out
	}
	if sp := s.SecurityPolicy; sp != nil {
		out.Security = inventory.Security{
			AllowPromiscuous: boolPolicy(sp.AllowPromiscuous),
			MacChanges:       boolPolicy(sp.MacChanges),
			ForgedTransmits:  boolPolicy(sp.ForgedTransmits),
		}
	}
	if m := s.MacManagementPolicy; m != nil && !m.Inherited {
		mm := &inventory.PortMacManagement{AllowPromiscuous: deref(m.AllowPromiscuous), MacChanges: deref(m.MacChanges), ForgedTransmits: deref(m.ForgedTransmits)}
		if l := m.MacLearningPolicy; l != nil && !l.Inherited {
			mm.MacLearning = inventory.Ptr(l.Enabled)
		}
		out.MacManagement = mm
	}
	return out
}

// readNICPorts adds the DV ports the snapshot's VMs' NICs are on, for port
// groups that let ports override: one FetchDVPorts per switch.
func (c *Client) readNICPorts(ctx context.Context, snap *Snapshot) error {
	keys := map[string][]string{} // switch id -> port keys
	for _, vm := range snap.VMs {
		for _, n := range vm.NICs {
			if n.PortKey == "" {
				continue
			}
			if pg := snap.FindDVPortGroup(n.DVPortGroupID); pg != nil && pg.Overrides.Allowed() && pg.SwitchID != "" {
				keys[pg.SwitchID] = append(keys[pg.SwitchID], n.PortKey)
			}
		}
	}
	return c.fetchPorts(ctx, snap, keys, nil)
}

// ReadPorts adds to snap every port of the given DV port groups (in snap)
// that let ports override, for the plan of their policy: one FetchDVPorts
// per switch, none for a port group that does not let ports override.
func (c *Client) ReadPorts(ctx context.Context, snap *Snapshot, dvpgIDs ...string) error {
	pgKeys := map[string][]string{} // switch id -> port group keys
	for _, id := range uniq(dvpgIDs) {
		if pg := snap.FindDVPortGroup(id); pg != nil && pg.Overrides.Allowed() && pg.SwitchID != "" {
			pgKeys[pg.SwitchID] = append(pgKeys[pg.SwitchID], pg.ID)
		}
	}
	return c.fetchPorts(ctx, snap, nil, pgKeys)
}

// fetchPorts calls FetchDVPorts once per switch, with the port keys or the
// port group keys of that switch as criteria, and adds the ports not yet in
// snap.
func (c *Client) fetchPorts(ctx context.Context, snap *Snapshot, portKeys, pgKeys map[string][]string) error {
	switches := map[string]bool{}
	for sw := range portKeys {
		switches[sw] = true
	}
	for sw := range pgKeys {
		switches[sw] = true
	}
	ids := make([]string, 0, len(switches))
	for sw := range switches {
		ids = append(ids, sw)
	}
	sort.Strings(ids)
	for _, sw := range ids {
		crit := &types.DistributedVirtualSwitchPortCriteria{PortKey: uniq(portKeys[sw])}
		if pgs := uniq(pgKeys[sw]); len(pgs) > 0 {
			crit = &types.DistributedVirtualSwitchPortCriteria{PortgroupKey: pgs, Inside: types.NewBool(true)}
		}
		res, err := methods.FetchDVPorts(ctx, c.vim, &types.FetchDVPorts{This: switchRef(snap, sw), Criteria: crit})
		if err != nil {
			return fmt.Errorf("reading the ports of distributed switch %s: %w", sw, err)
		}
		for _, p := range res.Returnval {
			if snap.FindDVPort(sw, p.Key) == nil {
				snap.DVPorts = append(snap.DVPorts, decodeDVPort(sw, p))
			}
		}
	}
	return nil
}

// switchRef is the switch's moref as the port groups name it.
func switchRef(snap *Snapshot, id string) types.ManagedObjectReference {
	for _, raw := range snap.dvpgRaw {
		if raw.switchRef.Value == id {
			return raw.switchRef
		}
	}
	return ref("VmwareDistributedVirtualSwitch", id)
}

// VMMatch is a VM found by inventory name.
type VMMatch struct {
	ID, Name   string
	Datacenter string // the datacenter's name ("" when not found)
}

// findSpecs walk the inventory from the root folder to every VM:
// Folder.childEntity (folders, datacenters, VMs, vApps), Datacenter.vmFolder
// and VirtualApp.vm.
var findSpecs = []types.BaseSelectionSpec{
	&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "folderChildren"}, Type: "Folder", Path: "childEntity",
		SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folderChildren"}, &types.SelectionSpec{Name: "dcVMs"}, &types.SelectionSpec{Name: "vAppVMs"}}},
	&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "dcVMs"}, Type: "Datacenter", Path: "vmFolder",
		SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folderChildren"}}},
	&types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "vAppVMs"}, Type: "VirtualApp", Path: "vm"},
}

// FindVMs looks the names up in one round trip: for each name, the VMs of
// that inventory name (in the datacenter of that name when datacenter is
// set), sorted by id. A name no VM has maps to nothing.
func (c *Client) FindVMs(ctx context.Context, names []string, datacenter string) (map[string][]VMMatch, error) {
	objs, err := c.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: c.vim.ServiceContent.RootFolder, SelectSet: findSpecs}},
		PropSet: []types.PropertySpec{
			{Type: "VirtualMachine", PathSet: []string{"name", "parent", "parentVApp"}},
			{Type: "VirtualApp", PathSet: []string{"parentFolder"}},
			{Type: "Folder", PathSet: []string{"parent"}},
			{Type: "Datacenter", PathSet: []string{"name"}},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("looking up VMs by name: %w", err)
	}
	parent := map[string]string{} // moref value -> parent moref value
	dcName := map[string]string{}
	type vmObj struct{ id, name string }
	var vms []vmObj
	for _, o := range objs {
		for _, p := range o.PropSet {
			switch v := p.Val.(type) {
			case types.ManagedObjectReference:
				parent[o.Obj.Value] = v.Value
			case string:
				if o.Obj.Type == "Datacenter" {
					dcName[o.Obj.Value] = v
				} else {
					vms = append(vms, vmObj{o.Obj.Value, v})
				}
			}
		}
	}
	datacenterOf := func(id string) string {
		for i := 0; i < 64 && id != ""; i++ {
			if n, ok := dcName[id]; ok {
				return n
			}
			id = parent[id]
		}
		return ""
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string][]VMMatch{}
	for _, vm := range vms {
		if !want[vm.name] {
			continue
		}
		dc := datacenterOf(vm.id)
		if datacenter != "" && dc != datacenter {
			continue
		}
		out[vm.name] = append(out[vm.name], VMMatch{ID: vm.id, Name: vm.name, Datacenter: dc})
	}
	for _, l := range out {
		sort.Slice(l, func(i, j int) bool { return l[i].ID < l[j].ID })
	}
	return out, nil
}

// VMNameError is a firewall VM name that matches no VM, or more than one
// (Candidates, each with its id and datacenter).
type VMNameError struct {
	Name       string
	Datacenter string // the datacenter the name was looked up in, "" for all
	Candidates []VMMatch
}

func (e *VMNameError) Error() string {
	where := "the inventory"
	if e.Datacenter != "" {
		where = "datacenter " + e.Datacenter
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("no VM named %q in %s", e.Name, where)
	}
	list := ""
	for i, m := range e.Candidates {
		if i > 0 {
			list += ", "
		}
		list += fmt.Sprintf("%s (datacenter %s)", m.ID, m.Datacenter)
	}
	return fmt.Sprintf("%d VMs named %q in %s: %s", len(e.Candidates), e.Name, where, list)
}

// FirewallQuery names the firewall VMs: by inventory name (optionally in
// one datacenter) or by moref.
type FirewallQuery struct {
	Names      []string
	Datacenter string
	VMIDs      []string
	// Options are extra host advanced options to read.
	Options []string
}

// Firewalls resolves the query's names (one round trip; a name matching no
// VM or several is a *VMNameError, all of them joined) and reads the
// firewalls followed (Request.Follow). The snapshot's VMs are the
// firewalls; VM ids that do not exist are in Missing.
func (c *Client) Firewalls(ctx context.Context, q FirewallQuery) (*Snapshot, []string, error) {
	ids := uniq(q.VMIDs)
	if len(q.Names) > 0 {
		found, err := c.FindVMs(ctx, q.Names, q.Datacenter)
		if err != nil {
			return nil, nil, err
		}
		var errs []error
		for _, n := range uniq(q.Names) {
			m := found[n]
			if len(m) != 1 {
				errs = append(errs, &VMNameError{Name: n, Datacenter: q.Datacenter, Candidates: m})
				continue
			}
			ids = append(ids, m[0].ID)
		}
		if len(errs) > 0 {
			return nil, nil, errors.Join(errs...)
		}
	}
	snap, err := c.Read(ctx, Request{VMIDs: ids, Follow: true, Options: q.Options})
	if err != nil {
		return nil, nil, err
	}
	return snap, uniq(ids), nil
}
