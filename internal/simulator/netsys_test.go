package simulator

import (
	"context"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Gap 1: stock vcsim has no UpdatePortGroup / UpdateVirtualSwitch.
func TestUpdatePortGroupAndVirtualSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")

	pg := findPG(netInfo(t, c, ns), "PG-A")
	spec := pg.Spec
	spec.Policy.Security = &types.HostNetworkSecurityPolicy{AllowPromiscuous: types.NewBool(true), MacChanges: types.NewBool(false)}
	spec.VlanId = 42
	if err := ns.UpdatePortGroup(ctx, "PG-A", spec); err != nil {
		t.Fatal(err)
	}
	got := findPG(netInfo(t, c, ns), "PG-A")
	if got.Spec.VlanId != 42 || !*got.Spec.Policy.Security.AllowPromiscuous || *got.Spec.Policy.Security.MacChanges || got.Spec.Policy.Security.ForgedTransmits != nil {
		t.Fatalf("spec not replaced: %+v %+v", got.Spec, got.Spec.Policy.Security)
	}
	// missing port group
	wantFault(t, ns.UpdatePortGroup(ctx, "nope", spec), "NotFound")
	// unknown vSwitch
	bad := spec
	bad.VswitchName = "vSwitch9"
	wantFault(t, ns.UpdatePortGroup(ctx, "PG-A", bad), "NotFound")
	// rename
	ren := spec
	ren.Name = "PG-B"
	if err := ns.UpdatePortGroup(ctx, "PG-A", ren); err != nil {
		t.Fatal(err)
	}
	info := netInfo(t, c, ns)
	if findPG(info, "PG-A") != nil || findPG(info, "PG-B") == nil {
		t.Fatal("rename did not happen")
	}
	if vs := findVS(info, "vSwitch0"); !reflect.DeepEqual(vs.Portgroup, []string{"key-vim.host.PortGroup-PG-B"}) {
		t.Fatalf("vswitch port groups %v", vs.Portgroup)
	}

	// UpdateVirtualSwitch
	vs := findVS(info, "vSwitch0")
	vspec := vs.Spec
	vspec.Mtu = 9000
	p := *vspec.Policy
	p.Security = &types.HostNetworkSecurityPolicy{AllowPromiscuous: types.NewBool(true), MacChanges: types.NewBool(true), ForgedTransmits: types.NewBool(true)}
	vspec.Policy = &p
	if err := ns.UpdateVirtualSwitch(ctx, "vSwitch0", vspec); err != nil {
		t.Fatal(err)
	}
	vs = findVS(netInfo(t, c, ns), "vSwitch0")
	if vs.Mtu != 9000 || !*vs.Spec.Policy.Security.ForgedTransmits {
		t.Fatalf("vswitch not updated: mtu=%d %+v", vs.Mtu, vs.Spec.Policy.Security)
	}
	wantFault(t, ns.UpdateVirtualSwitch(ctx, "vSwitch7", vspec), "NotFound")
}

// Gap 2: AddVirtualSwitch kept only the name.
func TestAddVirtualSwitchKeepsSpec(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")
	spec := &types.HostVirtualSwitchSpec{
		NumPorts: 64,
		Mtu:      9000,
		Bridge:   &types.HostVirtualSwitchBondBridge{NicDevice: []string{"vmnic2", "vmnic3"}},
		Policy: &types.HostNetworkPolicy{
			Security:   &types.HostNetworkSecurityPolicy{AllowPromiscuous: types.NewBool(true)},
			NicTeaming: &types.HostNicTeamingPolicy{Policy: "loadbalance_ip"},
		},
	}
	// vmnic2/3 do not exist on h1 (only vmnic0/1 in twoHosts): NotFound
	wantFault(t, ns.AddVirtualSwitch(ctx, "vSwitch1", spec), "NotFound")
	spec.Bridge = &types.HostVirtualSwitchBondBridge{NicDevice: []string{"vmnic0"}}
	// vmnic0 is used by vSwitch0
	wantFault(t, ns.AddVirtualSwitch(ctx, "vSwitch1", spec), "ResourceInUse")
	spec.Bridge = nil
	if err := ns.AddVirtualSwitch(ctx, "vSwitch1", spec); err != nil {
		t.Fatal(err)
	}
	wantFault(t, ns.AddVirtualSwitch(ctx, "vSwitch1", spec), "AlreadyExists")
	vs := findVS(netInfo(t, c, ns), "vSwitch1")
	if vs == nil || vs.Mtu != 9000 || vs.NumPorts != 64 || vs.Spec.NumPorts != 64 {
		t.Fatalf("spec not kept: %+v", vs)
	}
	pol := vs.Spec.Policy
	// unset MAC changes and forged transmits take the ESXi defaults, Accept
	if !*pol.Security.AllowPromiscuous || !*pol.Security.MacChanges || !*pol.Security.ForgedTransmits {
		t.Fatalf("security defaults wrong: %+v", pol.Security)
	}
	if pol.NicTeaming.Policy != "loadbalance_ip" || !*pol.NicTeaming.NotifySwitches || *pol.NicTeaming.RollingOrder || *pol.NicTeaming.FailureCriteria.CheckBeacon {
		t.Fatalf("teaming defaults wrong: %+v", pol.NicTeaming)
	}

	// the existing bridged switch: pnic keys and nic order = bridged NICs
	vs0 := findVS(netInfo(t, c, ns), "vSwitch0")
	if !reflect.DeepEqual(vs0.Pnic, []string{"key-vim.host.PhysicalNic-vmnic0", "key-vim.host.PhysicalNic-vmnic1"}) {
		t.Fatalf("pnic keys %v", vs0.Pnic)
	}
	if b, ok := vs0.Spec.Bridge.(*types.HostVirtualSwitchBondBridge); !ok || !reflect.DeepEqual(b.NicDevice, []string{"vmnic0", "vmnic1"}) {
		t.Fatalf("bridge %#v", vs0.Spec.Bridge)
	}
	if !reflect.DeepEqual(vs0.Spec.Policy.NicTeaming.NicOrder.ActiveNic, []string{"vmnic0", "vmnic1"}) {
		t.Fatalf("nic order %+v", vs0.Spec.Policy.NicTeaming.NicOrder)
	}
}

// Gap 3: port groups are per host; the Network object is shared.
func TestPortGroupsPerHost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns1, ns2 := netSys(t, c, s, "h1"), netSys(t, c, s, "h2")
	spec := types.HostPortGroupSpec{Name: "Shared", VswitchName: "vSwitch0", Policy: types.HostNetworkPolicy{}}
	if err := ns1.AddPortGroup(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := ns2.AddPortGroup(ctx, spec); err != nil {
		t.Fatalf("same name on second host: %v", err)
	}
	wantFault(t, ns1.AddPortGroup(ctx, spec), "AlreadyExists")
	wantFault(t, ns1.AddPortGroup(ctx, types.HostPortGroupSpec{Name: "X", VswitchName: "nope"}), "NotFound")

	network := func() *mo.Network {
		nets, err := object.NewDatacenter(c.Client, types.ManagedObjectReference{Type: "Datacenter", Value: s.DatacenterID("dc")}).Folders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		children, err := nets.NetworkFolder.Children(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range children {
			if n, ok := ch.(*object.Network); ok {
				var m mo.Network
				if err := n.Properties(ctx, n.Reference(), []string{"name", "host"}, &m); err != nil {
					t.Fatal(err)
				}
				if m.Name == "Shared" {
					return &m
				}
			}
		}
		return nil
	}
	n := network()
	if n == nil || len(n.Host) != 2 {
		t.Fatalf("shared network: %+v", n)
	}
	h1 := hostConfig(t, c, s, "h1", "network")
	if !hasRef(h1.Network, n.Self) {
		t.Fatalf("host network list %v lacks %v", h1.Network, n.Self)
	}

	if err := ns1.RemovePortGroup(ctx, "Shared"); err != nil {
		t.Fatal(err)
	}
	n = network()
	if n == nil || !reflect.DeepEqual(n.Host, []types.ManagedObjectReference{hostRef(s, "h2")}) {
		t.Fatalf("after removing on h1: %+v", n)
	}
	if findPG(netInfo(t, c, ns2), "Shared") == nil {
		t.Fatal("h2 lost its port group")
	}
	wantFault(t, ns1.RemovePortGroup(ctx, "Shared"), "NotFound")
	if err := ns2.RemovePortGroup(ctx, "Shared"); err != nil {
		t.Fatal(err)
	}
	if n = network(); n != nil {
		t.Fatalf("network should be gone: %+v", n)
	}
}

// Gap 4: config.network follows networkInfo; computedPolicy inherits field
// by field.
func TestConfigNetworkAndComputedPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")

	// switch: promiscuous accepted, beacon probing, explicit failover order
	vs := findVS(netInfo(t, c, ns), "vSwitch0")
	vspec := vs.Spec
	p := *vspec.Policy
	p.Security = &types.HostNetworkSecurityPolicy{AllowPromiscuous: types.NewBool(true), MacChanges: types.NewBool(false), ForgedTransmits: types.NewBool(true)}
	team := *p.NicTeaming
	team.FailureCriteria = &types.HostNicFailureCriteria{CheckBeacon: types.NewBool(true)}
	team.NicOrder = &types.HostNicOrderPolicy{ActiveNic: []string{"vmnic0"}, StandbyNic: []string{"vmnic1"}}
	p.NicTeaming = &team
	vspec.Policy = &p
	if err := ns.UpdateVirtualSwitch(ctx, "vSwitch0", vspec); err != nil {
		t.Fatal(err)
	}
	// port group: overrides macChanges and the LB policy only
	pg := findPG(netInfo(t, c, ns), "PG-A").Spec
	pg.Policy = types.HostNetworkPolicy{
		Security:   &types.HostNetworkSecurityPolicy{MacChanges: types.NewBool(true)},
		NicTeaming: &types.HostNicTeamingPolicy{Policy: "loadbalance_ip"},
	}
	if err := ns.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
		t.Fatal(err)
	}

	info := netInfo(t, c, ns)
	h := hostConfig(t, c, s, "h1", "config.network")
	if !reflect.DeepEqual(info, h.Config.Network) {
		t.Fatal("config.network differs from networkInfo")
	}
	got := findPG(info, "PG-A")
	// own spec keeps nils
	if got.Spec.Policy.Security.AllowPromiscuous != nil || got.Spec.Policy.NicTeaming.NicOrder != nil || got.Spec.Policy.NicTeaming.NotifySwitches != nil {
		t.Fatalf("port group spec gained values: %+v", got.Spec.Policy)
	}
	cp := got.ComputedPolicy
	if deref(cp.Security.AllowPromiscuous) != "true" || deref(cp.Security.MacChanges) != "true" || deref(cp.Security.ForgedTransmits) != "true" {
		t.Fatalf("computed security %s %s %s", deref(cp.Security.AllowPromiscuous), deref(cp.Security.MacChanges), deref(cp.Security.ForgedTransmits))
	}
	if cp.NicTeaming.Policy != "loadbalance_ip" || deref(cp.NicTeaming.FailureCriteria.CheckBeacon) != "true" || deref(cp.NicTeaming.NotifySwitches) != "true" || deref(cp.NicTeaming.RollingOrder) != "false" {
		t.Fatalf("computed teaming %+v", cp.NicTeaming)
	}
	if !reflect.DeepEqual(cp.NicTeaming.NicOrder.ActiveNic, []string{"vmnic0"}) || !reflect.DeepEqual(cp.NicTeaming.NicOrder.StandbyNic, []string{"vmnic1"}) {
		t.Fatalf("computed order %+v", cp.NicTeaming.NicOrder)
	}
	// the port group's order is taken whole
	pg.Policy.NicTeaming.NicOrder = &types.HostNicOrderPolicy{ActiveNic: []string{"vmnic1"}}
	if err := ns.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
		t.Fatal(err)
	}
	cp = findPG(netInfo(t, c, ns), "PG-A").ComputedPolicy
	if !reflect.DeepEqual(cp.NicTeaming.NicOrder.ActiveNic, []string{"vmnic1"}) || len(cp.NicTeaming.NicOrder.StandbyNic) != 0 {
		t.Fatalf("computed order %+v", cp.NicTeaming.NicOrder)
	}
	// physical NICs
	if len(info.Pnic) < 2 || info.Pnic[0].Key != "key-vim.host.PhysicalNic-vmnic0" || info.Pnic[0].Device != "vmnic0" {
		t.Fatalf("pnics %+v", info.Pnic)
	}
	// the other host is unaffected
	if cp2 := findPG(netInfo(t, c, netSys(t, c, s, "h2")), "PG-A").ComputedPolicy; *cp2.Security.AllowPromiscuous {
		t.Fatal("h2 changed")
	}
	// the property collector sees config.network of both hosts via a view
	var hosts []mo.HostSystem
	pc := property.DefaultCollector(c.Client)
	if err := pc.Retrieve(ctx, []types.ManagedObjectReference{hostRef(s, "h1"), hostRef(s, "h2")}, []string{"config.network"}, &hosts); err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 2 {
		t.Fatal(len(hosts))
	}
}

func TestPortGroupInUseAndVLAN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, DemoScenario())
	ns1, ns2 := netSys(t, c, s, "esx-01.lab"), netSys(t, c, s, "esx-02.lab")
	// fw-b (esx-02) uses FW-WAN; nothing on esx-01 uses FW-SYNC
	wantFault(t, ns2.RemovePortGroup(ctx, "FW-WAN"), "ResourceInUse")
	if err := ns1.RemovePortGroup(ctx, "FW-SYNC"); err != nil {
		t.Fatal(err)
	}
	wantFault(t, ns1.AddPortGroup(ctx, types.HostPortGroupSpec{Name: "V", VswitchName: "vSwitch0", VlanId: 5000}), "InvalidArgument")
}
