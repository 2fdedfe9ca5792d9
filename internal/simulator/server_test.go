package simulator

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

func TestCallRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	if s.CallCount() < 2 {
		t.Fatalf("login not recorded: %+v", s.Calls())
	}
	if got := s.Calls(); got[0].Method != "RetrieveServiceContent" || got[1].Method != "Login" {
		t.Fatalf("first calls %+v", got[:2])
	}
	ns := netSys(t, c, s, "h1")
	pg := findPG(netInfo(t, c, ns), "PG-A").Spec
	om, err := object.NewHostSystem(c.Client, hostRef(s, "h1")).ConfigManager().OptionManager(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := dvpg(t, c, s, "DV-B")
	s.ResetCalls()
	if s.CallCount() != 0 {
		t.Fatal("reset")
	}

	pg.Policy.Security = &types.HostNetworkSecurityPolicy{AllowPromiscuous: types.NewBool(false), MacChanges: types.NewBool(true), ForgedTransmits: types.NewBool(true)}
	if err := ns.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
		t.Fatal(err)
	}
	_ = om.Update(ctx, []types.BaseOptionValue{&types.OptionValue{Key: inventory.OptionRPFKey, Value: int64(1)}})
	wantFault(t, ns.RemovePortGroup(ctx, "nope"), "NotFound")
	task, err := object.NewDistributedVirtualPortgroup(c.Client, before.Self).Reconfigure(ctx, types.DVPortgroupConfigSpec{
		ConfigVersion: before.Config.ConfigVersion,
		DefaultPortConfig: &types.VMwareDVSPortSetting{SecurityPolicy: &types.DVSSecurityPolicy{
			AllowPromiscuous: &types.BoolPolicy{Value: types.NewBool(true)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.ResetCalls()
	_ = task // the wait's calls are not part of the expectation below
	calls := s.Calls()
	if len(calls) != 0 {
		t.Fatalf("reset: %+v", calls)
	}

	// again, recording everything
	pg.Policy.Security.AllowPromiscuous = nil
	_ = ns.UpdatePortGroup(ctx, "PG-A", pg)
	_ = om.Update(ctx, []types.BaseOptionValue{&types.OptionValue{Key: inventory.OptionRPFKey, Value: int64(0)}})
	_ = ns.RemovePortGroup(ctx, "nope")
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	cur := dvpg(t, c, s, "DV-B")
	calls = s.Calls()
	if len(calls) < 3 {
		t.Fatalf("%d calls recorded, want 3 or more: %+v", len(calls), calls)
	}
	want := []Call{
		{Seq: calls[0].Seq, Method: "UpdatePortGroup", Object: ns.Reference().Value, Detail: "PG-A promisc=inherit mac=true forged=true"},
		{Seq: calls[0].Seq + 1, Method: "UpdateOptions", Object: om.Reference().Value, Detail: "Net.ReversePathFwdCheckPromisc=0"},
		{Seq: calls[0].Seq + 2, Method: "RemovePortGroup", Object: ns.Reference().Value, Detail: "nope", Fault: "NotFound"},
	}
	if !reflect.DeepEqual(calls[:3], want) {
		t.Fatalf("calls\n got %+v\nwant %+v", calls[:3], want)
	}
	for _, call := range calls[3:] {
		if call.Detail != "" || call.Fault != "" {
			t.Errorf("read with detail/fault: %+v", call)
		}
	}
	if cur.Config.ConfigVersion == before.Config.ConfigVersion {
		t.Fatal("reconfigure did not happen")
	}
	if d := detail("ReconfigureDVPortgroup_Task", cur.Self, &types.ReconfigureDVPortgroup_Task{Spec: types.DVPortgroupConfigSpec{
		ConfigVersion: "3", DefaultPortConfig: &types.VMwareDVSPortSetting{SecurityPolicy: &types.DVSSecurityPolicy{AllowPromiscuous: &types.BoolPolicy{Value: types.NewBool(true)}}},
	}}); d != cur.Self.Value+" promisc=true mac=inherit forged=inherit configVersion=3" {
		t.Fatalf("detail %q", d)
	}
}

func TestFailCall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	ns := netSys(t, c, s, "h1")
	pg := findPG(netInfo(t, c, ns), "PG-A").Spec

	// 2nd UpdatePortGroup on h1 fails; other objects do not count
	s.FailCall("UpdatePortGroup", ns.Reference().Value, 2, &types.SystemError{Reason: "injected"})
	ns2 := netSys(t, c, s, "h2")
	for i := 0; i < 3; i++ {
		if err := ns2.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
			t.Fatal(err)
		}
	}
	if err := ns.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
		t.Fatalf("1st: %v", err)
	}
	s.ResetCalls()
	wantFault(t, ns.UpdatePortGroup(ctx, "PG-A", pg), "SystemError")
	if calls := s.Calls(); len(calls) != 1 || calls[0].Fault != "SystemError" || calls[0].Method != "UpdatePortGroup" {
		t.Fatalf("record: %+v", calls)
	}
	if err := ns.UpdatePortGroup(ctx, "PG-A", pg); err != nil {
		t.Fatalf("3rd: %v", err)
	}

	// task method: the task is created and fails, nothing changes
	before := dvpg(t, c, s, "DV-B")
	s.FailCall("ReconfigureDVPortgroup_Task", "", 1, &types.SystemError{Reason: "injected"})
	pgo := object.NewDistributedVirtualPortgroup(c.Client, before.Self)
	spec := types.DVPortgroupConfigSpec{ConfigVersion: before.Config.ConfigVersion, Description: "changed"}
	task, err := pgo.Reconfigure(ctx, spec)
	if err != nil {
		t.Fatalf("the call itself must succeed: %v", err)
	}
	wantFault(t, task.Wait(ctx), "SystemError")
	if after := dvpg(t, c, s, "DV-B"); after.Config.ConfigVersion != before.Config.ConfigVersion || after.Config.Description == "changed" {
		t.Fatal("failed task changed the port group")
	}
	var ti mo.Task
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, task.Reference(), []string{"info"}, &ti); err != nil {
		t.Fatal(err)
	}
	if ti.Info.State != types.TaskInfoStateError || ti.Info.Entity == nil || *ti.Info.Entity != before.Self {
		t.Fatalf("task info %+v", ti.Info)
	}
	// the hook is used up
	if err := reconfigurePG(ctx, pgo, spec); err != nil {
		t.Fatal(err)
	}

	// ClearFaults
	s.FailCall("RetrievePropertiesEx", "", 1, &types.SystemError{})
	s.ClearFaults()
	_ = dvpg(t, c, s, "DV-B")
}

func TestSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, twoHosts())
	if n := s.SessionCount(); n != 1 {
		t.Fatalf("sessions %d", n)
	}
	c2, err := s.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.SessionCount(); n != 2 {
		t.Fatalf("sessions %d", n)
	}
	if err := c2.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.SessionCount(); n != 1 {
		t.Fatalf("after logout %d", n)
	}
	// wrong password
	u := *s.URL
	u.User = url.UserPassword(s.User, "wrong")
	if _, err := govmomi.NewClient(ctx, &u, true); err == nil {
		t.Fatal("login with a wrong password")
	}

	ns := netSys(t, c, s, "h1")
	s.SetSessionIdleTimeout(300 * time.Millisecond)
	_ = dvpg(t, c, s, "DV-B") // active
	time.Sleep(500 * time.Millisecond)
	if n := s.SessionCount(); n != 0 {
		t.Fatalf("idle session not expired: %d", n)
	}
	var pg mo.DistributedVirtualPortgroup
	err = property.DefaultCollector(c.Client).RetrieveOne(ctx, types.ManagedObjectReference{Type: "DistributedVirtualPortgroup", Value: s.DVPortGroupID("DV-B")}, []string{"name"}, &pg)
	_ = err // RetrieveProperties is allowed without a session in vcsim
	wantFault(t, ns.RemovePortGroup(ctx, "PG-A"), "NotAuthenticated")
	s.SetSessionIdleTimeout(0)
}

func TestVMDevices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, DemoScenario())
	var vm mo.VirtualMachine
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID("fw-b")}
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, ref, []string{"config.hardware.device", "network", "runtime.host", "name"}, &vm); err != nil {
		t.Fatal(err)
	}
	if vm.Runtime.Host == nil || vm.Runtime.Host.Value != s.HostID("esx-02.lab") {
		t.Fatalf("runtime.host %v", vm.Runtime.Host)
	}
	var kinds []string
	for _, d := range vm.Config.Hardware.Device {
		if nic, ok := d.(types.BaseVirtualEthernetCard); ok {
			kinds = append(kinds, fmt.Sprintf("%T", d))
			b, ok := nic.GetVirtualEthernetCard().Backing.(*types.VirtualEthernetCardNetworkBackingInfo)
			if !ok || b.Network == nil || b.DeviceName == "" {
				t.Fatalf("backing %#v", nic.GetVirtualEthernetCard().Backing)
			}
		}
	}
	if !reflect.DeepEqual(kinds, []string{"*types.VirtualE1000", "*types.VirtualE1000e"}) {
		t.Fatalf("nic types %v", kinds)
	}
	if len(vm.Network) != 2 {
		t.Fatalf("network %v", vm.Network)
	}

	ref = types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID("fw-a")}
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, ref, []string{"config.hardware.device", "network"}, &vm); err != nil {
		t.Fatal(err)
	}
	core := dvpg(t, c, s, "FW-CORE")
	sw := dvswitch(t, c, s, "dvs-core")
	found := false
	for _, d := range vm.Config.Hardware.Device {
		if nic, ok := d.(*types.VirtualVmxnet3); ok {
			if b, ok := nic.Backing.(*types.VirtualEthernetCardDistributedVirtualPortBackingInfo); ok && b.Port.PortgroupKey == core.Key {
				found = b.Port.SwitchUuid == sw.Config.GetDVSConfigInfo().Uuid
			}
		}
	}
	if !found || !hasRef(vm.Network, core.Self) {
		t.Fatalf("dv backing not found; network %v", vm.Network)
	}
}

// TestDemoScenario checks what DemoScenario's doc comment promises.
func TestDemoScenario(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, DemoScenario())
	for _, h := range []string{"esx-01.lab", "esx-02.lab"} {
		hs := hostConfig(t, c, s, h, "config.network", "config.option", "parent")
		if hs.Parent == nil || hs.Parent.Value != s.ClusterID("fw-cluster") {
			t.Fatalf("%s parent %v", h, hs.Parent)
		}
		if v := optionValue(t, hs.Config.Option, inventory.OptionRPFKey); v != int64(0) {
			t.Fatalf("%s rpf %v", h, v)
		}
		info := hs.Config.Network
		wan, lan, dmz := findPG(info, "FW-WAN"), findPG(info, "FW-LAN"), findPG(info, "FW-DMZ")
		if *wan.ComputedPolicy.Security.AllowPromiscuous { // CARP001
			t.Fatal("FW-WAN accepts promiscuous")
		}
		sec := lan.ComputedPolicy.Security // CARP002/003
		if !*sec.AllowPromiscuous || *sec.MacChanges || *sec.ForgedTransmits {
			t.Fatalf("FW-LAN %s %s %s", deref(sec.AllowPromiscuous), deref(sec.MacChanges), deref(sec.ForgedTransmits))
		}
		team := lan.ComputedPolicy.NicTeaming // CARP004/010
		if len(team.NicOrder.ActiveNic) != 2 || team.Policy != inventory.LBSrcID {
			t.Fatalf("FW-LAN teaming %+v", team)
		}
		if order := dmz.ComputedPolicy.NicTeaming.NicOrder; len(order.ActiveNic) != 1 || len(order.StandbyNic) != 0 { // CARP011
			t.Fatalf("FW-DMZ order %+v", order)
		}
		shared := findPG(info, "Lab-Shared") // CARP009
		if (shared != nil) != (h == "esx-02.lab") {
			t.Fatalf("%s Lab-Shared %v", h, shared)
		}
		if shared != nil {
			if !*shared.ComputedPolicy.Security.AllowPromiscuous || shared.Spec.Policy.Security.AllowPromiscuous != nil || !*findVS(info, "vSwitch2").Spec.Policy.Security.AllowPromiscuous {
				t.Fatal("vSwitch2 should accept promiscuous at switch level")
			}
		}
	}
	legacy := dvswitch(t, c, s, "dvs-legacy").Config.(*types.VMwareDVSConfigInfo) // CARP006
	if legacy.ProductInfo.Version != "5.0.0" {
		t.Fatal(legacy.ProductInfo.Version)
	}
	core := dvswitch(t, c, s, "dvs-core").Config.(*types.VMwareDVSConfigInfo) // CARP007
	if len(core.VspanSession) != 1 || !core.VspanSession[0].Enabled || core.VspanSession[0].Name != "span-ids" {
		t.Fatalf("mirroring %+v", core.VspanSession)
	}
	fwcore := dvpg(t, c, s, "FW-CORE").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting) // CARP013
	if !*fwcore.SecurityPolicy.AllowPromiscuous.Value || fwcore.MacManagementPolicy.MacLearningPolicy.Enabled {
		t.Fatal("FW-CORE should be promiscuous without MAC learning")
	}
	if s.DVPortGroupID("FW-LEGACY") == "" || s.DVPortGroupID("Servers") == "" {
		t.Fatal("missing DV port groups")
	}
	// exactly the scenario's inventory: no stray hosts, VMs, switches
	m := viewNames(t, c, []string{"HostSystem", "VirtualMachine", "DistributedVirtualSwitch", "Network"})
	if got := strings.Join(m["HostSystem"], ","); got != "esx-01.lab,esx-02.lab" {
		t.Fatalf("hosts %s", got)
	}
	if got := strings.Join(m["VirtualMachine"], ","); got != "fw-a,fw-b,fw-old,web-01" {
		t.Fatalf("vms %s", got)
	}
	if got := strings.Join(m["DistributedVirtualSwitch"], ","); got != "dvs-core,dvs-lacp,dvs-legacy,dvs-nsx" {
		t.Fatalf("dvs %s", got)
	}
	// the LACP core switch: FW-UPLINK behind LAG lag-core alone, FW-HA with
	// a MAC limit of one (CARP019)
	lacp := dvswitch(t, c, s, "dvs-lacp").Config.(*types.VMwareDVSConfigInfo)
	if lacp.LacpApiVersion != "multipleLag" || len(lacp.LacpGroupConfig) != 1 || lacp.LacpGroupConfig[0].Name != "lag-core" || lacp.LacpGroupConfig[0].UplinkNum != 2 {
		t.Fatalf("dvs-lacp LACP: %q %+v", lacp.LacpApiVersion, lacp.LacpGroupConfig)
	}
	uplink := dvpg(t, c, s, "FW-UPLINK").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if o := uplink.UplinkTeamingPolicy.UplinkPortOrder.ActiveUplinkPort; len(o) != 1 || o[0] != "lag-core" {
		t.Fatalf("FW-UPLINK active uplinks %v", o)
	}
	if l := dvpg(t, c, s, "FW-HA").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).MacManagementPolicy.MacLearningPolicy; !l.Enabled || *l.Limit != 1 || l.LimitPolicy != "drop" {
		t.Fatalf("FW-HA MAC learning %+v", l)
	}
	if got := strings.Join(m["Network"], ","); got != "FW-DMZ,FW-LAN,FW-SYNC,FW-WAN,Lab-Shared" {
		t.Fatalf("networks %s", got)
	}
	// web-01 shares promiscuous FW-LAN with the firewalls: CARP008
	var web mo.VirtualMachine
	if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, types.ManagedObjectReference{Type: "VirtualMachine", Value: s.VMID("web-01")}, []string{"network"}, &web); err != nil {
		t.Fatal(err)
	}
	if len(web.Network) != 1 {
		t.Fatal(web.Network)
	}
	// CA file and thumbprint
	if _, err := os.Stat(s.CAFile); err != nil || len(strings.Split(s.Thumbprint, ":")) != 20 {
		t.Fatalf("ca %v thumbprint %q", err, s.Thumbprint)
	}
	env := s.Env()
	if env["VSPHERE_SERVER"] != s.URL.Host || env["VSPHERE_USER"] != "carp" || env["VSPHERE_PASSWORD"] != "carp-secret" || s.URL.User != nil {
		t.Fatalf("env %v url %v", env, s.URL)
	}
}

// viewNames lists inventory object names by type (sorted) through a
// container view, as the provider would.
func viewNames(t *testing.T, c *govmomi.Client, kinds []string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, k := range kinds {
		v, err := viewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{k}, true)
		if err != nil {
			t.Fatal(err)
		}
		var cv mo.ContainerView
		if err := v.Properties(ctx, v.Reference(), []string{"view"}, &cv); err != nil {
			t.Fatal(err)
		}
		var refs []types.ManagedObjectReference
		for _, r := range cv.View {
			if r.Type == k || (k == "DistributedVirtualSwitch" && strings.HasSuffix(r.Type, "DistributedVirtualSwitch")) {
				refs = append(refs, r)
			}
		}
		var props []types.ObjectContent
		if len(refs) > 0 {
			if err := property.DefaultCollector(c.Client).Retrieve(ctx, refs, []string{"name"}, &props); err != nil {
				t.Fatal(err)
			}
		}
		_ = v.Destroy(ctx)
		for _, o := range props {
			out[k] = append(out[k], o.PropSet[0].Val.(string))
		}
		sortStrings(out[k])
	}
	return out
}

func TestScenarioWithStandaloneAndStockHosts(t *testing.T) {
	t.Parallel()
	sc := Scenario{Datacenters: []Datacenter{{
		Name:  "dc1",
		Hosts: []Host{{Name: "stock-1"}, {Name: "custom-1", VSwitches: []VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0"}, PortGroups: []PortGroup{{Name: "PG"}}}}}},
	}}}
	s, c := start(t, sc)
	m := viewNames(t, c, []string{"HostSystem", "Network"})
	if strings.Join(m["HostSystem"], ",") != "custom-1,stock-1" || strings.Join(m["Network"], ",") != "PG,VM Network" {
		t.Fatalf("%v", m)
	}
	stock := hostConfig(t, c, s, "stock-1", "config.network", "network")
	if findPG(stock.Config.Network, "VM Network") == nil || len(stock.Network) != 1 {
		t.Fatalf("stock host network %+v", stock.Network)
	}
	custom := hostConfig(t, c, s, "custom-1", "config.network", "network")
	if findPG(custom.Config.Network, "VM Network") != nil || len(custom.Network) != 1 {
		t.Fatalf("custom host network %+v", custom.Network)
	}
}

func TestParallelServersAreIndependent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	done := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func(i int) {
			s, err := Start(twoHosts())
			if err != nil {
				done <- err
				return
			}
			defer s.Close()
			if err := s.SetPortGroupSecurity(ctx, "h1", "PG-A", inventory.Security{AllowPromiscuous: bp(i%2 == 0)}); err != nil {
				done <- err
				return
			}
			c, err := s.Client(ctx)
			if err != nil {
				done <- err
				return
			}
			var h mo.HostSystem
			if err := property.DefaultCollector(c.Client).RetrieveOne(ctx, hostRef(s, "h1"), []string{"config.network"}, &h); err != nil {
				done <- err
				return
			}
			if got := *findPG(h.Config.Network, "PG-A").ComputedPolicy.Security.AllowPromiscuous; got != (i%2 == 0) {
				done <- fmt.Errorf("server %d sees %v", i, got)
				return
			}
			done <- nil
		}(i)
	}
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// TestBuild200Hosts logs the build time of a 200-host scenario (each host
// with a vSwitch and 5 port groups); it does not assert a time.
func TestBuild200Hosts(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	sc := bigScenario(200)
	t0 := time.Now()
	s, err := Start(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d hosts in %v", 200, time.Since(t0))
	defer s.Close()
	if s.HostID("esx-199") == "" {
		t.Fatal("missing host")
	}
}

func BenchmarkBuild200Hosts(b *testing.B) {
	sc := bigScenario(200)
	for i := 0; i < b.N; i++ {
		s, err := Start(sc)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func bigScenario(n int) Scenario {
	var hosts []Host
	for i := 0; i < n; i++ {
		var pgs []PortGroup
		for j := 0; j < 5; j++ {
			pgs = append(pgs, PortGroup{Name: fmt.Sprintf("PG-%d", j), VLAN: int32(j)})
		}
		hosts = append(hosts, Host{Name: fmt.Sprintf("esx-%d", i), VSwitches: []VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0", "vmnic1"}, PortGroups: pgs}}})
	}
	return Scenario{Datacenters: []Datacenter{{Name: "dc", Clusters: []Cluster{{Name: "c", Hosts: hosts}}}}}
}
