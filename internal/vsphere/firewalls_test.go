package vsphere_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/rules"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func startFirewalls(t *testing.T, edit func(*simulator.Scenario)) (*simulator.Server, *vsphere.Client) {
	t.Helper()
	sc := simulator.FirewallPair()
	if edit != nil {
		edit(&sc)
	}
	sim, err := simulator.Start(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return sim, connect(t, sim)
}

// otherFWB adds a second VM named fw-b, in datacenter dc-other.
func otherFWB(sc *simulator.Scenario) {
	sc.Datacenters = append(sc.Datacenters, simulator.Datacenter{Name: "dc-other", Hosts: []simulator.Host{{Name: "esx-9"}}})
	sc.VMs = append(sc.VMs, simulator.VM{Name: "fw-b", Host: "esx-9"})
}

func TestFindVMs(t *testing.T) {
	t.Parallel()
	sim, c := startFirewalls(t, otherFWB)
	var n atomic.Int64
	got, err := c.FindVMs(counted(t, &n), []string{"fw-a", "fw-b", "nope"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Errorf("FindVMs made %d round trips, want 1", n.Load())
	}
	if len(got["fw-a"]) != 1 || got["fw-a"][0].ID != sim.VMID("fw-a") || got["fw-a"][0].Datacenter != "dc-fw" {
		t.Errorf("fw-a: %+v", got["fw-a"])
	}
	if len(got["fw-b"]) != 2 || len(got["nope"]) != 0 {
		t.Errorf("fw-b: %+v, nope: %+v", got["fw-b"], got["nope"])
	}
	got, err = c.FindVMs(context.Background(), []string{"fw-b"}, "dc-fw")
	if err != nil {
		t.Fatal(err)
	}
	if len(got["fw-b"]) != 1 || got["fw-b"][0].Datacenter != "dc-fw" {
		t.Errorf("fw-b in dc-fw: %+v", got["fw-b"])
	}
}

// Following 2 firewalls x 3 NICs on a 3-host cluster and 2 switches: one
// retrieve, one for the switches, one FetchDVPorts (only dvs-a's FW-LAN lets
// ports override).
func TestReadFollow(t *testing.T) {
	t.Parallel()
	sim, c := startFirewalls(t, func(sc *simulator.Scenario) {
		sc.VMs[0].NICs[1].PortSecurity = &inventory.Security{AllowPromiscuous: bptr(false)}
		sc.Datacenters[0].Clusters[0].AntiAffinity = nil
	})
	var n atomic.Int64
	ids := []string{sim.VMID("fw-a"), sim.VMID("fw-b")}
	snap, err := c.Read(counted(t, &n), vsphere.Request{VMIDs: ids, Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("follow read made %d round trips, want 3", n.Load())
	}
	if len(snap.Hosts) != 3 || len(snap.DVPortGroups) != 2 || len(snap.DVSwitches) != 2 || len(snap.Clusters) != 1 {
		t.Fatalf("hosts %d, DV port groups %d, switches %d, clusters %d", len(snap.Hosts), len(snap.DVPortGroups), len(snap.DVSwitches), len(snap.Clusters))
	}
	cl := snap.Clusters[0]
	if cl.ID != sim.ClusterID("fw-cluster") || !cl.DRSEnabled || len(cl.HostIDs) != 3 || len(cl.AntiAffinity) != 0 {
		t.Errorf("cluster %+v", cl)
	}
	if pg := snap.FindDVPortGroup(sim.DVPortGroupID("FW-LAN")); pg == nil || !pg.Overrides.Allowed() {
		t.Errorf("FW-LAN %+v", pg)
	}
	if pg := snap.FindDVPortGroup(sim.DVPortGroupID("FW-SYNC")); pg == nil || pg.Overrides.Allowed() {
		t.Errorf("FW-SYNC %+v", pg)
	}
	if len(snap.DVPorts) != 2 {
		t.Fatalf("ports %+v, want the two FW-LAN ports", snap.DVPorts)
	}
	fwa := snap.FindVM(sim.VMID("fw-a"))
	if fwa == nil || fwa.HostID != sim.HostID("esx-1") || len(fwa.NICs) != 3 || fwa.NICs[1].PortKey == "" {
		t.Fatalf("fw-a %+v", fwa)
	}
	p := snap.FindDVPort(sim.DVSwitchID("dvs-a"), fwa.NICs[1].PortKey)
	if p == nil || p.ConnectedVM != fwa.ID || p.Security.AllowPromiscuous == nil || *p.Security.AllowPromiscuous || p.Security.MacChanges != nil {
		t.Fatalf("fw-a's FW-LAN port %+v", p)
	}
	var codes []string
	for _, f := range rules.Evaluate(snap.Snapshot, rules.Scope{FirewallVMs: ids}) {
		codes = append(codes, f.Code+" "+f.ObjectID)
	}
	want := "CARP015 " + sim.DVSwitchID("dvs-a") + ":" + p.Key + "|CARP017 " + cl.ID
	if strings.Join(codes, "|") != want {
		t.Errorf("findings %v, want %s", codes, want)
	}
}

// The ports of a port group for its plan: one round trip where the port
// group lets ports override, none where it does not.
func TestReadPorts(t *testing.T) {
	t.Parallel()
	sim, c := startFirewalls(t, nil)
	lan, sync := sim.DVPortGroupID("FW-LAN"), sim.DVPortGroupID("FW-SYNC")
	snap, err := c.Read(context.Background(), vsphere.Request{DVPortGroupIDs: []string{lan, sync}})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	if err := c.ReadPorts(counted(t, &n), snap, sync); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 0 || len(snap.DVPorts) != 0 {
		t.Errorf("FW-SYNC: %d round trips, %d ports; want none", n.Load(), len(snap.DVPorts))
	}
	if err := c.ReadPorts(counted(t, &n), snap, lan); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 || len(snap.DVPorts) < 2 {
		t.Errorf("FW-LAN: %d round trips, %d ports; want 1 and every port", n.Load(), len(snap.DVPorts))
	}
	for _, p := range snap.DVPorts {
		if p.PortGroupID != lan {
			t.Errorf("port %s of %s", p.Key, p.PortGroupID)
		}
	}
}

func bptr(b bool) *bool { return &b }

// carp_firewalls' read by name: 2 firewalls x 3 NICs, a 3-host cluster, 2
// switches: the name lookup plus the follow read, 4 round trips.
func TestFirewallsByName(t *testing.T) {
	t.Parallel()
	sim, c := startFirewalls(t, otherFWB)
	var n atomic.Int64
	snap, ids, err := c.Firewalls(counted(t, &n), vsphere.FirewallQuery{Names: []string{"fw-a", "fw-b"}, Datacenter: "dc-fw"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 4 {
		t.Errorf("by name: %d round trips, want 4", n.Load())
	}
	// sim.VMID("fw-b") is the one built last, in dc-other
	if len(ids) != 2 || ids[0] != sim.VMID("fw-a") || ids[1] == sim.VMID("fw-b") || len(snap.VMs) != 2 {
		t.Fatalf("ids %v, VMs %d", ids, len(snap.VMs))
	}
	if vm := snap.FindVM(ids[1]); vm == nil || vm.Name != "fw-b" || vm.HostID != sim.HostID("esx-2") {
		t.Errorf("fw-b %+v", vm)
	}
	fp := snap.FootprintOf(ids)
	if len(fp.HostIDs) != 3 || len(fp.StandardPortGroups) != 3 || len(fp.DVPortGroupIDs) != 2 {
		t.Errorf("footprint %+v", fp)
	}

	_, _, err = c.Firewalls(context.Background(), vsphere.FirewallQuery{Names: []string{"fw-b", "nope"}})
	if err == nil {
		t.Fatal("no error for an ambiguous and an unknown name")
	}
	for _, want := range []string{`2 VMs named "fw-b" in the inventory: `, "(datacenter dc-fw)", "(datacenter dc-other)", `no VM named "nope" in the inventory`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// The read of a firewall-only carp_audit: the follow read with the VMs of
// the networks (CARP008), 3 round trips (budget 6).
func TestReadFollowNetworkVMs(t *testing.T) {
	t.Parallel()
	sim, c := startFirewalls(t, func(sc *simulator.Scenario) {
		sc.VMs = append(sc.VMs,
			simulator.VM{Name: "app", Host: "esx-3", NICs: []simulator.VMNIC{{Type: "vmxnet3", Network: "FW-LAN"}}},
			simulator.VM{Name: "wan-probe", Host: "esx-3", NICs: []simulator.VMNIC{{Type: "vmxnet3", Network: "FW-WAN"}}})
	})
	var n atomic.Int64
	ids := []string{sim.VMID("fw-a"), sim.VMID("fw-b")}
	snap, err := c.Read(counted(t, &n), vsphere.Request{VMIDs: ids, Follow: true, NetworkVMs: true})
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Errorf("%d round trips, want 3", n.Load())
	}
	if len(snap.VMs) != 4 || snap.FindVM(sim.VMID("app")) == nil || snap.FindVM(sim.VMID("wan-probe")) == nil {
		t.Fatalf("VMs %+v", snap.VMs)
	}
	fp := snap.FootprintOf(ids)
	sc := rules.Scope{FirewallVMs: ids, DVPortGroups: fp.DVPortGroupIDs}
	for _, p := range fp.StandardPortGroups {
		sc.PortGroups = append(sc.PortGroups, rules.PortGroupRef{HostID: p.HostID, Name: p.Name})
	}
	var got []string
	for _, f := range rules.Evaluate(snap.Snapshot, sc) {
		got = append(got, f.Code+" "+f.ObjectID)
	}
	// CARP013 (info): both switches could learn MACs instead
	want := "CARP008 " + sim.DVPortGroupID("FW-LAN") + "|CARP008 " + sim.HostID("esx-3") + ":FW-WAN" +
		"|CARP013 " + sim.DVPortGroupID("FW-LAN") + "|CARP013 " + sim.DVPortGroupID("FW-SYNC")
	if strings.Join(got, "|") != want {
		t.Errorf("findings %v, want %s", got, want)
	}
}
