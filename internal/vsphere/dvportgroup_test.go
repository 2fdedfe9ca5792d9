package vsphere_test

import (
	"testing"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
	"github.com/carpsafe/terraform-provider-carp/internal/simulator"
	"github.com/carpsafe/terraform-provider-carp/internal/vsphere"
)

func TestDVPortGroupsAndMacLearningInherit(t *testing.T) {
	t.Parallel()
	s, err := simulator.Start(simulator.Scenario{Datacenters: []simulator.Datacenter{{
		Name:  "dc",
		Hosts: []simulator.Host{{Name: "esx-01"}},
		DVSwitches: []simulator.DVSwitch{{Name: "dvs-70", Version: "7.0.0", HostNames: []string{"esx-01"},
			PortGroups: []simulator.DVPortGroup{{Name: "fw-b"}, {Name: "fw-a"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c := connect(t, s)
	ctx := t.Context()

	pgs, err := c.DVPortGroups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pgs {
		if p.Name == "fw-a" || p.Name == "fw-b" {
			names = append(names, p.Name)
			if p.ID != s.DVPortGroupID(p.Name) {
				t.Errorf("%s has id %s, want %s", p.Name, p.ID, s.DVPortGroupID(p.Name))
			}
		}
	}
	if len(names) != 2 || names[0] != "fw-a" {
		t.Errorf("DVPortGroups not sorted by name or incomplete: %+v", pgs)
	}

	id := s.DVPortGroupID("fw-a")
	read := func() (*inventory.DVPortGroup, string) {
		snap, err := c.Read(ctx, vsphere.Request{DVPortGroupIDs: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		return snap.FindDVPortGroup(id), vsphere.ConfigVersion(snap, id)
	}
	_, v := read()
	tr := true
	next, err := c.ReconfigureDVPortGroup(ctx, id, v, vsphere.Policy{UseMacManagement: true,
		Security:    inventory.Security{AllowPromiscuous: &tr, MacChanges: &tr, ForgedTransmits: &tr},
		MacLearning: &inventory.MacLearning{Enabled: true, AllowUnicastFlooding: true, Limit: 64, LimitPolicy: "drop"}})
	if err != nil {
		t.Fatal(err)
	}
	pg, v2 := read()
	if v2 != next {
		t.Errorf("ReconfigureDVPortGroup returned version %s, the port group has %s", next, v2)
	}
	if pg.MacLearning == nil || !pg.MacLearning.Enabled || pg.MacLearning.Limit != 64 {
		t.Fatalf("MAC learning not written: %+v", pg.MacLearning)
	}
	// A stale version is ConcurrentAccess.
	if _, err := c.ReconfigureDVPortGroup(ctx, id, v, vsphere.Policy{UseMacManagement: true, Security: pg.Security}); !vsphere.IsConcurrentAccess(err) {
		t.Errorf("stale configVersion: got %v, want ConcurrentAccess", err)
	}
	// Security stays explicit, MAC learning inherits again.
	if _, err := c.ReconfigureDVPortGroup(ctx, id, v2, vsphere.Policy{UseMacManagement: true, Security: pg.Security, MacLearningInherit: true}); err != nil {
		t.Fatal(err)
	}
	pg, _ = read()
	if pg.MacLearning != nil {
		t.Errorf("MAC learning still set after MacLearningInherit: %+v", pg.MacLearning)
	}
	if pg.Security.AllowPromiscuous == nil || !*pg.Security.AllowPromiscuous {
		t.Errorf("security lost: %+v", pg.Security)
	}
}
