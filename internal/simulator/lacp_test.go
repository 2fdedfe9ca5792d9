package simulator

import (
	"context"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/carpsafe/terraform-provider-carp/internal/inventory"
)

// lagScenario: dvs7 (7.0.0) with LAG lag1 of two links, port group LAG-PG
// whose active uplinks are lag1 alone, TRUNK-PG (VLAN ranges) and
// PVLAN-PG; dvs6 (6.5.0) without LAGs.
func lagScenario() Scenario {
	return Scenario{Datacenters: []Datacenter{{
		Name:     "dc",
		Clusters: []Cluster{{Name: "cl", Hosts: []Host{{Name: "h1"}}}},
		DVSwitches: []DVSwitch{
			{Name: "dvs7", Version: "7.0.0", HostNames: []string{"h1"},
				LAGs: []inventory.LAG{{Name: "lag1", Uplinks: 2, Algorithm: "srcDestIp", Mode: "active"}},
				PortGroups: []DVPortGroup{
					{Name: "LAG-PG", Teaming: inventory.Teaming{Order: &inventory.UplinkOrder{Active: []string{"lag1"}}}},
					{Name: "TRUNK-PG", VLAN: inventory.TrunkVLAN([]inventory.VLANRange{{Start: 100, End: 200}, {Start: 300, End: 300}})},
					{Name: "PVLAN-PG", VLAN: inventory.PrivateVLAN(201)},
				}},
			{Name: "dvs6", Version: "6.5.0", HostNames: []string{"h1"}, PortGroups: []DVPortGroup{{Name: "OLD-PG", VLAN: inventory.SingleVLAN(42)}}},
		},
	}}}
}

func TestLACP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, lagScenario())
	cfg := dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	if cfg.LacpApiVersion != "multipleLag" || len(cfg.LacpGroupConfig) != 1 {
		t.Fatalf("built: version %q, LAGs %+v", cfg.LacpApiVersion, cfg.LacpGroupConfig)
	}
	g := cfg.LacpGroupConfig[0]
	if g.Key == "" || g.Name != "lag1" || g.UplinkNum != 2 || g.Mode != "active" || g.LoadbalanceAlgorithm != "srcDestIp" ||
		len(g.UplinkName) != 2 || g.UplinkName[1] != "lag1-1" || len(g.UplinkPortKey) != 2 {
		t.Fatalf("LAG as built: %+v", g)
	}
	v0 := cfg.ConfigVersion

	// add through UpdateDVSLacpGroupConfig_Task: a generated key, vCenter's
	// defaults (passive, srcDestIpTcpUdpPortVlan), the version bumped
	if err := s.AddLAG(ctx, "dvs7", inventory.LAG{Name: "lag2", Uplinks: 4}); err != nil {
		t.Fatal(err)
	}
	cfg = dvswitch(t, c, s, "dvs7").Config.(*types.VMwareDVSConfigInfo)
	if len(cfg.LacpGroupConfig) != 2 || cfg.ConfigVersion == v0 {
		t.Fatalf("after add: %+v (version %s)", cfg.LacpGroupConfig, cfg.ConfigVersion)
	}
	if g := cfg.LacpGroupConfig[1]; g.Key == "" || g.Key == cfg.LacpGroupConfig[0].Key || g.Mode != "passive" ||
		g.LoadbalanceAlgorithm != "srcDestIpTcpUdpPortVlan" || len(g.UplinkName) != 4 {
		t.Fatalf("added LAG: %+v", g)
	}
	// a taken name (a LAG or an uplink port), a switch without enhanced LACP
	wantFault(t, s.AddLAG(ctx, "dvs7", inventory.LAG{Name: "lag1"}), "DuplicateName")
	wantFault(t, s.AddLAG(ctx, "dvs7", inventory.LAG{Name: "uplink1"}), "DuplicateName")
	wantFault(t, s.AddLAG(ctx, "dvs6", inventory.LAG{Name: "lag1"}), "NotSupported")

	// the port group lists the LAG by name; a mixed teaming is stored
	pg := dvpg(t, c, s, "LAG-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if o := pg.UplinkTeamingPolicy.UplinkPortOrder; len(o.ActiveUplinkPort) != 1 || o.ActiveUplinkPort[0] != "lag1" {
		t.Fatalf("LAG-PG order: %+v", o)
	}
	if err := s.SetDVPortGroupTeaming(ctx, "LAG-PG", []string{"lag1", "uplink1"}, nil, ""); err != nil {
		t.Fatal(err)
	}
	pg = dvpg(t, c, s, "LAG-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	if o := pg.UplinkTeamingPolicy.UplinkPortOrder; len(o.ActiveUplinkPort) != 2 {
		t.Fatalf("mixed order not stored: %+v", o)
	}
}

func TestDVPortGroupVLANSpecs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, lagScenario())
	trunk, ok := dvpg(t, c, s, "TRUNK-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).Vlan.(*types.VmwareDistributedVirtualSwitchTrunkVlanSpec)
	if !ok || len(trunk.VlanId) != 2 || trunk.VlanId[0].Start != 100 || trunk.VlanId[1].End != 300 {
		t.Fatalf("trunk spec: %+v", trunk)
	}
	if p, ok := dvpg(t, c, s, "PVLAN-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).Vlan.(*types.VmwareDistributedVirtualSwitchPvlanSpec); !ok || p.PvlanId != 201 {
		t.Fatalf("private VLAN spec: %+v", p)
	}
	if v, ok := dvpg(t, c, s, "OLD-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).Vlan.(*types.VmwareDistributedVirtualSwitchVlanIdSpec); !ok || v.VlanId != 42 {
		t.Fatalf("VLAN id spec: %+v", v)
	}
	// a VLAN spec is replaced whole
	if err := s.SetDVPortGroupVLAN(ctx, "TRUNK-PG", inventory.SingleVLAN(7)); err != nil {
		t.Fatal(err)
	}
	if v, ok := dvpg(t, c, s, "TRUNK-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting).Vlan.(*types.VmwareDistributedVirtualSwitchVlanIdSpec); !ok || v.VlanId != 7 {
		t.Fatalf("after set: %+v", v)
	}
}

// TestSecurityMacSync: one policy written takes the other along (values and
// inheritance); both written are stored as written (community.vmware#1508).
func TestSecurityMacSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, c := start(t, lagScenario())
	setting := func() *types.VMwareDVSPortSetting {
		return dvpg(t, c, s, "LAG-PG").Config.DefaultPortConfig.(*types.VMwareDVSPortSetting)
	}
	if m := setting().MacManagementPolicy; !m.Inherited {
		t.Fatalf("a port group built inheriting has its own MAC management policy: %+v", m)
	}
	if err := s.SetDVPortGroupPromiscuous(ctx, "LAG-PG", true); err != nil {
		t.Fatal(err)
	}
	if m := setting().MacManagementPolicy; m.Inherited || m.AllowPromiscuous == nil || !*m.AllowPromiscuous {
		t.Fatalf("securityPolicy written: macManagementPolicy %+v", m)
	}
	f := false
	tr := true
	if err := s.SetDVPortGroupPolicies(ctx, "LAG-PG", inventory.Security{AllowPromiscuous: &tr, MacChanges: &tr, ForgedTransmits: &tr},
		inventory.Security{AllowPromiscuous: &f, MacChanges: &tr, ForgedTransmits: &tr}); err != nil {
		t.Fatal(err)
	}
	got := setting()
	if !*got.SecurityPolicy.AllowPromiscuous.Value || *got.MacManagementPolicy.AllowPromiscuous {
		t.Fatalf("both written: securityPolicy %v, macManagementPolicy %v", *got.SecurityPolicy.AllowPromiscuous.Value, *got.MacManagementPolicy.AllowPromiscuous)
	}
	if err := s.SetDVPortGroupMacLearning(ctx, "LAG-PG", inventory.MacLearning{Enabled: true, Limit: 1, LimitPolicy: "drop"}); err != nil {
		t.Fatal(err)
	}
	l := setting().MacManagementPolicy.MacLearningPolicy
	if !l.Enabled || *l.Limit != 1 || l.LimitPolicy != "drop" || *l.AllowUnicastFlooding {
		t.Fatalf("MAC learning: %+v", l)
	}
}
