package vsphere_test

import (
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

// TestReadEnterprise: a read holds the switch's LAGs, every port group's
// VLAN in one shape, MAC learning as ports get it (the port group's own,
// else the switch's), and both VDS policies, judged by the one the host
// applies; and a write sets both policies the same.
func TestReadEnterprise(t *testing.T) {
	t.Parallel()
	tr, f := true, false
	s, err := simulator.Start(simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name: "dc",
		Hosts: []simulator.Host{{Name: "esx-01", VSwitches: []simulator.VSwitch{{Name: "vSwitch0", Uplinks: []string{"vmnic0"},
			PortGroups: []simulator.PortGroup{{Name: "TRUNK", VLAN: inventory.VLANAll}, {Name: "V10", VLAN: 10}}}}}},
		DVSwitches: []simulator.DVSwitch{{Name: "dvs-70", Version: "7.0.0", HostNames: []string{"esx-01"},
			LAGs: []inventory.LAG{{Name: "lag1", Uplinks: 2, Algorithm: "srcDestIp"}},
			PortGroups: []simulator.DVPortGroup{
				{Name: "LAG", Teaming: inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"lag1"}}},
					VLAN: inventory.TrunkVLAN([]inventory.VLANRange{{Start: 100, End: 200}})},
				{Name: "LEARN", MacLearning: &inventory.MacLearning{Enabled: true, Limit: 1, LimitPolicy: "drop"}},
				{Name: "PLAIN", VLAN: inventory.PrivateVLAN(201)},
			}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := connect(t, s)
	ctx := t.Context()
	ids := []string{s.DVPortGroupID("LAG"), s.DVPortGroupID("LEARN"), s.DVPortGroupID("PLAIN")}
	hostID := s.HostID("esx-01")
	read := func() *vsphere.Snapshot {
		snap, err := c.ReadFresh(ctx, vsphere.Request{HostIDs: []string{hostID}, DVPortGroupIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	snap := read()
	sw := snap.FindDVSwitch(s.DVSwitchID("dvs-70"))
	if sw.LACPVersion != "multipleLag" || len(sw.LAGs) != 1 || sw.LAGs[0].Name != "lag1" || sw.LAGs[0].Uplinks != 2 || sw.LAGs[0].Algorithm != "srcDestIp" {
		t.Fatalf("switch: %+v", sw)
	}
	h := snap.FindHost(hostID)
	for name, want := range map[string]string{"TRUNK": "trunk (all VLANs)", "V10": "10"} {
		if got := h.PortGroup(name).VLAN.String(); got != want {
			t.Errorf("%s: VLAN %s, want %s", name, got, want)
		}
	}
	lag, learn, plain := snap.FindDVPortGroup(ids[0]), snap.FindDVPortGroup(ids[1]), snap.FindDVPortGroup(ids[2])
	if lag.VLAN.String() != "trunk 100-200" || plain.VLAN.String() != "private 201" || learn.VLAN.String() != "none" {
		t.Errorf("VLANs: %s, %s, %s", lag.VLAN, plain.VLAN, learn.VLAN)
	}
	if len(lag.Effective.ActiveUplinks) != 1 || lag.Effective.ActiveUplinks[0] != "lag1" {
		t.Errorf("LAG teaming: %+v", lag.Effective)
	}
	if ml := learn.Effective.MacLearning; ml == nil || !ml.Enabled || ml.Limit != 1 || ml.LimitPolicy != "drop" || ml.AllowUnicastFlooding {
		t.Errorf("own MAC learning: %+v", ml)
	}
	// the switch's default (off, 4096, drop, flooding) where the port group inherits
	if ml := plain.Effective.MacLearning; plain.MacLearning != nil || ml == nil || ml.Enabled || ml.Limit != 4096 {
		t.Errorf("inherited MAC learning: own %+v, effective %+v", plain.MacLearning, ml)
	}
	if plain.Legacy == nil || *plain.Legacy.AllowPromiscuous {
		t.Fatalf("legacy policy: %+v", plain.Legacy)
	}

	// another tool writes both policies differently: the host applies the
	// MAC management policy
	if err := s.SetDVPortGroupPolicies(ctx, "PLAIN", inventory.Security{AllowPromiscuous: &tr, MacChanges: &tr, ForgedTransmits: &tr},
		inventory.Security{AllowPromiscuous: &f, MacChanges: &tr, ForgedTransmits: &tr}); err != nil {
		t.Fatal(err)
	}
	plain = read().FindDVPortGroup(ids[2])
	if plain.Effective.AllowPromiscuous || !*plain.Legacy.AllowPromiscuous {
		t.Fatalf("disagreeing policies: effective %+v, legacy %+v", plain.Effective, plain.Legacy)
	}
	// this provider writes both the same
	snap = read()
	w, err := c.PortGroupWriter(snap, vsphere.PortGroupRef{DVPortGroupID: ids[2]})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(ctx, vsphere.Policy{UseMacManagement: true, Security: inventory.Security{AllowPromiscuous: &tr, MacChanges: &tr, ForgedTransmits: &tr}}); err != nil {
		t.Fatal(err)
	}
	plain = read().FindDVPortGroup(ids[2])
	if !plain.Effective.AllowPromiscuous || !*plain.Legacy.AllowPromiscuous {
		t.Fatalf("after the provider's write: effective %+v, legacy %+v", plain.Effective, plain.Legacy)
	}
}
