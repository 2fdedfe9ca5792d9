package simulator

import (
	"context"
	"strconv"
	"testing"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The tests of issue 13 on distributed switches and VMs (see
// fidelity_test.go).

// Item 3. DVSConfigSpec.configVersion and DVPortgroupConfigSpec.configVersion
// are "required in reconfiguring"; ConcurrentAccess is for a stale one (see
// checkConfigVersion for the fault of a missing one).

func TestConfigVersionRequired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	dvs := object.NewDistributedVirtualSwitch(c.Client, types.ManagedObjectReference{Type: dvsType, Value: s.DVSwitchID("dvs7")})
	v0 := dvswitch(t, c, s, "dvs7").Config.GetDVSConfigInfo().ConfigVersion
	wantFault(t, reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{Description: "x"}}), "InvalidArgument")
	wantFault(t, reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{ConfigVersion: v0 + "9", Description: "x"}}), "ConcurrentAccess")
	if cfg := dvswitch(t, c, s, "dvs7").Config.GetDVSConfigInfo(); cfg.ConfigVersion != v0 || cfg.Description != "" {
		t.Fatalf("rejected reconfigure changed the switch: version %s description %q", cfg.ConfigVersion, cfg.Description)
	}
	if err := reconfigureDVS(ctx, dvs, &types.VMwareDVSConfigSpec{DVSConfigSpec: types.DVSConfigSpec{ConfigVersion: v0, Description: "x"}}); err != nil {
		t.Fatal(err)
	}

	pg := object.NewDistributedVirtualPortgroup(c.Client, types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: s.DVPortGroupID("DV-B")})
	p0 := dvpg(t, c, s, "DV-B").Config.ConfigVersion
	spec := types.DVPortgroupConfigSpec{Description: "y"}
	wantFault(t, reconfigurePG(ctx, pg, spec), "InvalidArgument")
	spec.ConfigVersion = p0 + "9"
	wantFault(t, reconfigurePG(ctx, pg, spec), "ConcurrentAccess")
	if cfg := dvpg(t, c, s, "DV-B").Config; cfg.ConfigVersion != p0 || cfg.Description != "" {
		t.Fatalf("rejected reconfigure changed the port group: version %s description %q", cfg.ConfigVersion, cfg.Description)
	}
	spec.ConfigVersion = p0
	if err := reconfigurePG(ctx, pg, spec); err != nil {
		t.Fatal(err)
	}
}

// Item 6. vCenter reports distributed switches as
// VmwareDistributedVirtualSwitch (govmomi PRs #4120, #4130); a container
// view of that type, or of its supertype, lists them.

func TestDVSConcreteType(t *testing.T) {
	t.Parallel()
	s, c := start(t, twoHosts())
	for _, kind := range []string{dvsType, "DistributedVirtualSwitch"} {
		refs := viewRefs(t, c, kind)
		if len(refs) != 2 {
			t.Fatalf("%s view: %v", kind, refs)
		}
		for _, r := range refs {
			if r.Type != dvsType {
				t.Fatalf("%s view: switch reported as %s", kind, r)
			}
		}
	}
	if pg := dvpg(t, c, s, "DV-A"); pg.Config.DistributedVirtualSwitch == nil || pg.Config.DistributedVirtualSwitch.Type != dvsType {
		t.Fatalf("port group's switch %v", pg.Config.DistributedVirtualSwitch)
	}
	var sw []mo.VmwareDistributedVirtualSwitch
	v, err := viewManager(c).CreateContainerView(context.Background(), c.ServiceContent.RootFolder, []string{dvsType}, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Retrieve(context.Background(), []string{dvsType}, []string{"name", "config"}, &sw); err != nil || len(sw) != 2 || sw[0].Config == nil {
		t.Fatalf("retrieve as %s: %v %d", dvsType, err, len(sw))
	}
}

func viewRefs(t *testing.T, c *govmomi.Client, kind string) []types.ManagedObjectReference {
	t.Helper()
	v, err := viewManager(c).CreateContainerView(context.Background(), c.ServiceContent.RootFolder, []string{kind}, true)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := v.Find(context.Background(), []string{kind}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

func vmObj(s *Server, c *govmomi.Client, name string) *object.VirtualMachine {
	return object.NewVirtualMachine(c.Client, types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID(name)})
}

func networkVMs(t *testing.T, c *govmomi.Client, ref types.ManagedObjectReference) []string {
	t.Helper()
	var n mo.Network
	if err := property.DefaultCollector(c.Client).RetrieveOne(context.Background(), ref, []string{"vm"}, &n); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range n.Vm {
		out = append(out, r.Value)
	}
	sortStrings(out)
	return out
}

func nicsOf(t *testing.T, vm *object.VirtualMachine) object.VirtualDeviceList {
	t.Helper()
	l, err := vm.Device(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l.SelectByType((*types.VirtualEthernetCard)(nil))
}

func sameList(a []string, b ...string) bool {
	sortStrings(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Item 7. Network.vm is "the virtual machines using this network" (vSphere
// API reference, Network.vm), for standard networks and DV port groups
// alike; it follows NIC changes, VM removal, and not the power state.

func TestNetworkVM(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, DemoScenario())
	var fwLAN types.ManagedObjectReference
	for _, r := range viewRefs(t, c, "Network") {
		var n mo.Network
		if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, r, []string{"name"}, &n); err == nil && n.Name == "FW-LAN" && r.Type == "Network" {
			fwLAN = r
		}
	}
	core := types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: s.DVPortGroupID("FW-CORE")}
	if got := networkVMs(t, c, fwLAN); !sameList(got, s.VMID("fw-a"), s.VMID("fw-b"), s.VMID("web-01")) {
		t.Fatalf("FW-LAN vm %v", got)
	}
	if got := networkVMs(t, c, core); !sameList(got, s.VMID("fw-a")) {
		t.Fatalf("FW-CORE vm %v", got)
	}
	// power does not change the list
	web := vmObj(s, c, "web-01")
	if task, err := web.PowerOn(ctx); err != nil || task.Wait(ctx) != nil {
		t.Fatalf("power on: %v", err)
	}
	if got := networkVMs(t, c, fwLAN); !sameList(got, s.VMID("fw-a"), s.VMID("fw-b"), s.VMID("web-01")) {
		t.Fatalf("after power on: FW-LAN vm %v", got)
	}
	// vMotion to the other host keeps the NIC on the same network
	esx01 := hostRef(s, "esx-01.lab")
	if task, err := web.Relocate(ctx, types.VirtualMachineRelocateSpec{Host: &esx01}, types.VirtualMachineMovePriorityDefaultPriority); err != nil || task.Wait(ctx) != nil {
		t.Fatalf("relocate: %v", err)
	}
	if got := networkVMs(t, c, fwLAN); !sameList(got, s.VMID("fw-a"), s.VMID("fw-b"), s.VMID("web-01")) {
		t.Fatalf("after vMotion: FW-LAN vm %v", got)
	}
	// moving web-01's NIC to FW-CORE moves it between the lists
	dev := nicsOf(t, web)[0]
	sw := dvswitch(t, c, s, "dvs-core")
	dev.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().Backing = &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{
		Port: types.DistributedVirtualSwitchPortConnection{SwitchUuid: sw.Summary.Uuid, PortgroupKey: core.Value}}
	if err := web.EditDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if got := networkVMs(t, c, fwLAN); !sameList(got, s.VMID("fw-a"), s.VMID("fw-b")) {
		t.Fatalf("after reconfigure: FW-LAN vm %v", got)
	}
	if got := networkVMs(t, c, core); !sameList(got, s.VMID("fw-a"), s.VMID("web-01")) {
		t.Fatalf("after reconfigure: FW-CORE vm %v", got)
	}
	// a removed VM leaves the list
	if task, err := web.PowerOff(ctx); err != nil || task.Wait(ctx) != nil {
		t.Fatalf("power off: %v", err)
	}
	if task, err := web.Destroy(ctx); err != nil || task.Wait(ctx) != nil {
		t.Fatalf("destroy: %v", err)
	}
	if got := networkVMs(t, c, core); !sameList(got, s.VMID("fw-a")) {
		t.Fatalf("after destroy: FW-CORE vm %v", got)
	}
}

func fetchPorts(t *testing.T, c *govmomi.Client, s *Server, dvs string, crit *types.DistributedVirtualSwitchPortCriteria) []types.DistributedVirtualPort {
	t.Helper()
	sw := object.NewDistributedVirtualSwitch(c.Client, types.ManagedObjectReference{Type: dvsType, Value: s.DVSwitchID(dvs)})
	ports, err := sw.FetchDVPorts(context.Background(), crit)
	if err != nil {
		t.Fatal(err)
	}
	return ports
}

// Item 8. FetchDVPorts reports the VM NIC on a port as its connectee
// (connectedEntity, nicKey, type vmVnic: DistributedVirtualSwitchPortConnectee)
// and a port that sets nothing itself with every policy inherited
// (InheritablePolicy.inherited) and the port group's values; the one port
// that sets its own (the demo's fw-a port) with inherited false there.

func TestFetchDVPortsConnectee(t *testing.T) {
	t.Parallel()
	s, c := start(t, DemoScenario())
	core := s.DVPortGroupID("FW-CORE")
	ports := fetchPorts(t, c, s, "dvs-core", &types.DistributedVirtualSwitchPortCriteria{PortgroupKey: []string{core}, Inside: types.NewBool(true)})
	if len(ports) != 8 {
		t.Fatalf("%d ports", len(ports))
	}
	fwa := vmObj(s, c, "fw-a")
	var nicKey int32
	var portKey string
	for _, d := range nicsOf(t, fwa) {
		if b, ok := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo); ok && b.Port.PortgroupKey == core {
			nicKey, portKey = d.GetVirtualDevice().Key, b.Port.PortKey
		}
	}
	var connected int
	for _, p := range ports {
		ps, ok := p.Config.Setting.(*types.VMwareDVSPortSetting)
		switch {
		case ok && p.Key == portKey:
			// the demo's fw-a port sets promiscuous mode itself (CARP015)
			if sp := ps.SecurityPolicy.AllowPromiscuous; sp.Inherited || *sp.Value || !ps.SecurityPolicy.MacChanges.Inherited || !ps.UplinkTeamingPolicy.Inherited {
				t.Fatalf("fw-a's port %s: own promiscuous %+v, mac changes %+v", p.Key, sp, ps.SecurityPolicy.MacChanges)
			}
		case !ok || !ps.SecurityPolicy.Inherited || !ps.SecurityPolicy.AllowPromiscuous.Inherited || !ps.UplinkTeamingPolicy.Inherited || !ps.MacManagementPolicy.Inherited:
			t.Fatalf("port %s: policies not marked inherited: %+v", p.Key, ps)
		case !*ps.SecurityPolicy.AllowPromiscuous.Value:
			t.Fatalf("port %s: not the port group's value", p.Key)
		}
		if p.Connectee == nil {
			continue
		}
		connected++
		ce := p.Connectee
		if p.Key != portKey || ce.ConnectedEntity == nil || *ce.ConnectedEntity != fwa.Reference() || ce.NicKey != strconv.Itoa(int(nicKey)) || ce.Type != "vmVnic" {
			t.Fatalf("port %s connectee %+v (want %s nic %d on port %s)", p.Key, ce, fwa.Reference(), nicKey, portKey)
		}
	}
	if connected != 1 {
		t.Fatalf("%d connected ports", connected)
	}
	if got := fetchPorts(t, c, s, "dvs-core", &types.DistributedVirtualSwitchPortCriteria{Connected: types.NewBool(true)}); len(got) != 1 || got[0].Key != portKey {
		t.Fatalf("connected criteria: %v", got)
	}
}

// Item 9. A NIC connecting to a static (earlyBinding) DV port group gets a
// free port (DistributedVirtualPortgroupPortgroupType earlyBinding), and an
// autoExpand port group grows when none is free (DVPortgroupConfigSpec.
// autoExpand). Port keys are unique on the switch.

func TestStaticBindingPortKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, DemoScenario())
	pg := dvpg(t, c, s, "FW-CORE")
	seen := map[string]bool{}
	for _, name := range []string{"FW-CORE", "Servers"} {
		for _, k := range dvpg(t, c, s, name).PortKeys {
			if seen[k] {
				t.Fatalf("port key %s twice on dvs-core", k)
			}
			seen[k] = true
		}
	}
	fwa := vmObj(s, c, "fw-a")
	sw := dvswitch(t, c, s, "dvs-core")
	used := map[string]bool{}
	for _, d := range nicsOf(t, fwa) {
		if b, ok := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo); ok && b.Port.PortgroupKey == pg.Key {
			used[b.Port.PortKey] = true
		}
	}
	if len(used) != 1 || used[""] {
		t.Fatalf("fw-a's FW-CORE NIC has no port: %v", used)
	}
	// eight more NICs: seven free ports, then one the port group adds
	var add []types.BaseVirtualDevice
	for i := 0; i < 8; i++ {
		add = append(add, &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{
			VirtualDevice: types.VirtualDevice{Key: int32(-200 - i), Backing: &types.VirtualEthernetCardDistributedVirtualPortBackingInfo{
				Port: types.DistributedVirtualSwitchPortConnection{SwitchUuid: sw.Summary.Uuid, PortgroupKey: pg.Key}}},
		}}})
	}
	if err := fwa.AddDevice(ctx, add...); err != nil {
		t.Fatal(err)
	}
	for _, d := range nicsOf(t, fwa) {
		b, ok := d.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo)
		if !ok || b.Port.PortgroupKey != pg.Key { // not fw-a's NSX port group (ephemeral: no port)
			continue
		}
		if b.Port.PortKey == "" {
			t.Fatalf("NIC %d without a port", d.GetVirtualDevice().Key)
		}
		used[b.Port.PortKey] = true
	}
	after := dvpg(t, c, s, "FW-CORE")
	if len(used) != 9 || len(after.PortKeys) != 9 || after.Config.NumPorts != 9 {
		t.Fatalf("ports used %d, port group has %d (numPorts %d)", len(used), len(after.PortKeys), after.Config.NumPorts)
	}
	for k := range used {
		if seen[k] && !contains(pg.PortKeys, k) {
			t.Fatalf("port %s belongs to another port group", k)
		}
	}
	if got := fetchPorts(t, c, s, "dvs-core", &types.DistributedVirtualSwitchPortCriteria{Connected: types.NewBool(true)}); len(got) != 9 {
		t.Fatalf("%d connected ports", len(got))
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Item 7, the reading side: a TraversalSpec applies to objects of its type
// (vSphere API reference, TraversalSpec.type), so VMs are reached through
// HostSystem.network -> Network.vm, not through a Network traversal
// misapplied to the host (stock vcsim followed HostSystem.vm).
func TestTraversalHonoursType(t *testing.T) {
	t.Parallel()
	s, c := start(t, DemoScenario())
	netVMs := &types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "netVMs"}, Type: "Network", Path: "vm"}
	retrieve := func(selects ...types.BaseSelectionSpec) map[string]bool {
		req := types.RetrieveProperties{This: c.ServiceContent.PropertyCollector, SpecSet: []types.PropertyFilterSpec{{
			ObjectSet: []types.ObjectSpec{{Obj: hostRef(s, "esx-02.lab"), SelectSet: selects}},
			PropSet:   []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"name"}}},
		}}}
		res, err := methods.RetrieveProperties(context.Background(), c.Client, &req)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, o := range res.Returnval {
			for _, p := range o.PropSet {
				names[p.Val.(string)] = true
			}
		}
		return names
	}
	if got := retrieve(netVMs); len(got) != 0 {
		t.Fatalf("a Network traversal applied to a host: %v", got)
	}
	hostNets := &types.TraversalSpec{SelectionSpec: types.SelectionSpec{Name: "hostNets"}, Type: "HostSystem", Path: "network",
		SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "netVMs"}}}
	if got := retrieve(hostNets, netVMs); len(got) != 4 || !got["web-01"] || !got["fw-a"] {
		t.Fatalf("host -> networks -> VMs: %v", got)
	}
}
